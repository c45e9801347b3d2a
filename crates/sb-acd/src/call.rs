//! Calls in the ACD: where each one is, and how waiting calls are ranked.

use std::collections::BTreeSet;

use crate::config::{PRIORITY_WEIGHT, QueueConfig};
use crate::ids::{AgentId, QueueId};

/// Why a call left its queue without reaching an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowReason {
    MaxWait,
    MaxLength,
    NoAgentsLoggedIn,
}

/// Where a call is. Every call the ACD accepted is in exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallStatus {
    Waiting,
    /// Ringing `agent` until `ring_deadline_ms`.
    Offered {
        agent: AgentId,
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
}

impl CallRecord {
    /// `priority * PRIORITY_WEIGHT + aging_per_second * waited_seconds`.
    pub(crate) fn rank(&self, now_ms: u64, config: &QueueConfig) -> i64 {
        let waited_seconds =
            i64::try_from(now_ms.saturating_sub(self.enqueued_at_ms) / 1000).unwrap_or(i64::MAX);
        i64::from(self.priority)
            .saturating_mul(PRIORITY_WEIGHT)
            .saturating_add(config.aging_per_second.saturating_mul(waited_seconds))
    }
}
