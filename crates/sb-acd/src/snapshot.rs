//! A comparable picture of the whole ACD state (replay checks, tests,
//! debugging). Outputs not yet polled, the event log and the indexes (which
//! are derived from this) are not state.

use std::collections::{BTreeMap, VecDeque};

use crate::agent::AgentRecord;
use crate::call::{CallRecord, CallStatus};
use crate::config::QueueConfig;
use crate::ids::{AgentId, CallRef, QueueId};
use crate::stats::QueueCounters;

/// How many finished calls are remembered (for `call_status`, and to tell a
/// late report about a finished call from one about an unknown call).
pub const RECENTLY_FINISHED: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcdSnapshot {
    pub last_now_ms: u64,
    pub agents: BTreeMap<AgentId, AgentRecord>,
    /// Calls waiting, ringing or answered; finished calls are forgotten.
    pub calls: BTreeMap<CallRef, CallRecord>,
    /// The queues as configured now (the starting config plus every
    /// SetQueue / RemoveQueue), with their counters.
    pub queues: BTreeMap<QueueId, QueueRecord>,
    pub round_robin_last: BTreeMap<QueueId, AgentId>,
    pub next_arrival: u64,
    /// Draws taken by `Strategy::Random` (part of its seed).
    pub random_draws: u64,
    /// The last [`RECENTLY_FINISHED`] finished calls, oldest first.
    pub recently_finished: VecDeque<(CallRef, CallStatus)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRecord {
    pub config: QueueConfig,
    pub counters: QueueCounters,
}
