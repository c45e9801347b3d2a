//! Queue configuration: how a queue picks agents and when calls leave it.

use std::collections::BTreeMap;

use crate::error::AcdError;
use crate::ids::QueueId;

/// Rank points one priority level is worth. A waiting call's rank, in
/// milli-points, is
///
/// `rank(now) = priority * PRIORITY_WEIGHT * 1000 + aging_per_second * (now_ms - enqueued_ms)`
///
/// so with `aging_per_second = 1` a call that has waited 100 s more catches
/// up with one a priority level higher. Aging is continuous (per
/// millisecond, not per whole second) so that, within one queue, where all
/// calls age at the same rate, the order never changes with time: it is the
/// order of the time-independent key
/// `priority * PRIORITY_WEIGHT * 1000 - aging_per_second * enqueued_ms`,
/// which is what the waiting-call index is sorted by. Calls of different
/// queues are compared with `rank(now)` itself.
pub const PRIORITY_WEIGHT: i64 = 100;

/// Lowest and highest skill an agent can have in a queue.
pub const MIN_SKILL: u8 = 1;
pub const MAX_SKILL: u8 = 10;

/// How a queue chooses among its Ready agents. Every strategy but `RingAll`
/// and `Random` breaks ties by longest idle, then by agent id, so choices
/// are deterministic; `Random` draws from a PRNG kept in the state, so a
/// replay draws the same.
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
    /// Every eligible Ready agent rings at once; the first to answer takes
    /// the call and the others are cancelled without a miss.
    RingAll,
    /// One eligible Ready agent drawn at random (seeded, replayable).
    Random,
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
    /// Rank points a waiting call gains per second waited, accrued per
    /// millisecond (see [`PRIORITY_WEIGHT`]); 0 = pure priority, then FIFO.
    pub aging_per_second: i64,
    /// Sticky agent (MISSION A6): a call enqueued with a preferred agent
    /// logged in to this queue is offered only to that agent for this long
    /// (it waits while the agent is busy); `None` = no stickiness.
    pub sticky_wait_ms: Option<u64>,
    /// Lowest skill an agent needs to be offered this queue's calls (1 = any).
    pub min_skill: u8,
    /// After this long waiting a call is widened: it accepts agents with
    /// skill `widened_min_skill` and the agents of `widen_to_queue`.
    pub widen_after_ms: Option<u64>,
    /// The skill a widened call needs. Widening never narrows: agents with
    /// `min_skill` in this queue stay eligible.
    pub widened_min_skill: u8,
    /// Whose Ready agents a widened call also accepts, judged by their skill
    /// in that queue.
    pub widen_to_queue: Option<QueueId>,
    /// Answered within this wait counts towards the service level.
    pub service_level_ms: u64,
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
            sticky_wait_ms: None,
            min_skill: MIN_SKILL,
            widen_after_ms: None,
            widened_min_skill: MIN_SKILL,
            widen_to_queue: None,
            service_level_ms: 20_000,
        }
    }
}

impl QueueConfig {
    /// Refuses skills outside 1..=10 (a queue nobody could ever serve).
    pub fn validate(&self, queue: &QueueId) -> Result<(), AcdError> {
        for skill in [self.min_skill, self.widened_min_skill] {
            if !(MIN_SKILL..=MAX_SKILL).contains(&skill) {
                return Err(AcdError::InvalidQueueSkill {
                    queue: queue.clone(),
                    skill,
                });
            }
        }
        Ok(())
    }

    /// The skill a widened call of this queue needs from this queue's agents.
    pub(crate) fn widened_threshold(&self) -> u8 {
        self.min_skill.min(self.widened_min_skill)
    }
}

/// The queues an [`crate::Acd`] starts with. Queues can then be added,
/// replaced and removed with `Command::SetQueue` / `Command::RemoveQueue`,
/// which are logged: replay needs this starting config and the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcdConfig {
    pub queues: BTreeMap<QueueId, QueueConfig>,
}

impl AcdConfig {
    pub fn with_queue(mut self, queue: QueueId, config: QueueConfig) -> Self {
        self.queues.insert(queue, config);
        self
    }

    /// Checks every queue as `Command::SetQueue` would.
    pub fn validate(&self) -> Result<(), AcdError> {
        self.queues
            .iter()
            .try_for_each(|(queue, config)| config.validate(queue))
    }
}
