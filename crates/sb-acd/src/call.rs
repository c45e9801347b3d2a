//! Calls in the ACD: where each one is, and how waiting calls are ranked.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::config::{PRIORITY_WEIGHT, QueueConfig};
use crate::ids::{AgentId, CallRef, QueueId};

/// Why a call left its queue without reaching an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowReason {
    MaxWait,
    MaxLength,
    /// Nobody is logged in to the queue (NotReady agents count as logged
    /// in): at arrival, or when the last agent logs out.
    NoAgentsLoggedIn,
    /// The queue was removed while the call waited or rang.
    QueueRemoved,
}

/// Where a call is. Every call the ACD accepted is in exactly one of these;
/// finished ones (`Ended`, `Overflowed`, `Abandoned`) leave the state and
/// are remembered only among the recently finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallStatus {
    Waiting,
    /// Ringing `agent` until `ring_deadline_ms`.
    Offered {
        agent: AgentId,
        ring_deadline_ms: u64,
    },
    /// Ringing several agents at once (`Strategy::RingAll`) until
    /// `ring_deadline_ms`; the first to answer takes it.
    OfferedToMany {
        agents: BTreeSet<AgentId>,
        ring_deadline_ms: u64,
    },
    OnCall {
        agent: AgentId,
    },
    Ended,
    Overflowed(OverflowReason),
    Abandoned,
}

impl CallStatus {
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            CallStatus::Ended | CallStatus::Overflowed(_) | CallStatus::Abandoned
        )
    }

    /// The agents this call is ringing.
    pub fn ringing_agents(&self) -> Vec<&AgentId> {
        match self {
            CallStatus::Offered { agent, .. } => vec![agent],
            CallStatus::OfferedToMany { agents, .. } => agents.iter().collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn ring_deadline_ms(&self) -> Option<u64> {
        match self {
            CallStatus::Offered {
                ring_deadline_ms, ..
            }
            | CallStatus::OfferedToMany {
                ring_deadline_ms, ..
            } => Some(*ring_deadline_ms),
            _ => None,
        }
    }
}

/// Everything the ACD knows about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub queue: QueueId,
    pub priority: i32,
    pub enqueued_at_ms: u64,
    /// Arrival order; FIFO tie-break among equal ranks.
    pub arrival: u64,
    pub status: CallStatus,
    /// Agents who let this call ring out; offered again only if nobody else
    /// is Ready.
    pub missed_by: BTreeSet<AgentId>,
    /// While set, the call is offered only to this agent (sticky agent).
    /// Cleared for good when the sticky wait ends, the agent logs out or
    /// misses the call.
    pub sticky_agent: Option<AgentId>,
    /// Has waited `widen_after_ms`: accepts the queue's widened skill and
    /// the agents of `widen_to_queue`. Never reverts.
    pub widened: bool,
    /// When an agent answered (service level, talk time).
    pub answered_at_ms: Option<u64>,
}

/// Where a waiting call sorts in its queue: best rank first, then arrival.
/// Time-independent within a queue (see [`PRIORITY_WEIGHT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WaitKey {
    pub(crate) rank_at_zero: Reverse<i128>,
    pub(crate) arrival: u64,
    pub(crate) call: CallRef,
}

impl CallRecord {
    /// `priority * PRIORITY_WEIGHT * 1000 - aging_per_second * enqueued_ms`:
    /// the rank in milli-points at time 0, from which every call of the
    /// queue gains `aging_per_second` per millisecond alike.
    fn rank_at_zero(&self, config: &QueueConfig) -> i128 {
        // Both products fit in an i128 (|i64 * u64| < 2^127); the sum saturates.
        (i128::from(self.priority) * i128::from(PRIORITY_WEIGHT) * 1000)
            .saturating_sub(i128::from(config.aging_per_second) * i128::from(self.enqueued_at_ms))
    }

    pub(crate) fn wait_key(&self, call: CallRef, config: &QueueConfig) -> WaitKey {
        WaitKey {
            rank_at_zero: Reverse(self.rank_at_zero(config)),
            arrival: self.arrival,
            call,
        }
    }

    /// The rank at `now_ms` in milli-points, comparable across queues.
    pub(crate) fn rank(&self, now_ms: u64, config: &QueueConfig) -> i128 {
        self.rank_at_zero(config)
            .saturating_add(i128::from(config.aging_per_second) * i128::from(now_ms))
    }
}
