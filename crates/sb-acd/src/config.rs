//! Queue configuration: how a queue picks agents and when calls leave it.

use std::collections::BTreeMap;

use crate::ids::QueueId;

/// Rank points one priority level is worth (the "K" of
/// `rank = priority * K + aging_per_second * waited_seconds`). With
/// `aging_per_second = 1` a call that has waited 100 s more catches up with
/// one a priority level higher.
pub const PRIORITY_WEIGHT: i64 = 100;

/// How a queue chooses among its Ready agents. Every strategy breaks ties by
/// longest idle, then by agent id, so choices are deterministic.
///
/// Later (with the rest of the ACD/IVR issue): `RingAll`, `Random` (seeded),
/// sticky agent (last agent who served the caller) and skill widening over
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The agent Ready for the longest time.
    LongestIdle,
    /// The next agent after the last one offered a call from this queue, in
    /// agent id order.
    RoundRobin,
    /// The agent who has answered the fewest calls since login.
    FewestCalls,
    /// The agent with the highest skill in this queue.
    HighestSkill,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    pub strategy: Strategy,
    /// How long an offer rings before it counts as a no-answer.
    pub ring_timeout_ms: u64,
    /// After-call work; 0 sends the agent straight back to Ready.
    pub wrap_up_ms: u64,
    /// A waiting call older than this overflows with `MaxWait`; `None` = no limit.
    pub max_wait_ms: Option<u64>,
    /// A call arriving when this many wait overflows with `MaxLength`; `None` = no limit.
    pub max_length: Option<usize>,
    /// Missed offers in a row that make an agent NotReady; 0 = never.
    pub max_no_answers_before_not_ready: u32,
    /// Rank points a waiting call gains per whole second waited (see
    /// [`PRIORITY_WEIGHT`]); 0 = pure priority, then FIFO.
    pub aging_per_second: i64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            strategy: Strategy::LongestIdle,
            ring_timeout_ms: 20_000,
            wrap_up_ms: 0,
            max_wait_ms: None,
            max_length: None,
            max_no_answers_before_not_ready: 3,
            aging_per_second: 0,
        }
    }
}

/// The queues an [`crate::Acd`] serves. Fixed for the life of the ACD (and
/// of its event log: replay needs the same config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcdConfig {
    pub queues: BTreeMap<QueueId, QueueConfig>,
}

impl AcdConfig {
    pub fn with_queue(mut self, queue: QueueId, config: QueueConfig) -> Self {
        self.queues.insert(queue, config);
        self
    }
}
