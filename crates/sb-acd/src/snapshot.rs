//! A comparable picture of the whole ACD state (replay checks, tests,
//! debugging). Outputs not yet polled and the event log are not state.

use std::collections::BTreeMap;

use crate::agent::AgentRecord;
use crate::call::CallRecord;
use crate::ids::{AgentId, CallRef, QueueId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcdSnapshot {
    pub last_now_ms: u64,
    pub agents: BTreeMap<AgentId, AgentRecord>,
    pub calls: BTreeMap<CallRef, CallRecord>,
    pub round_robin_last: BTreeMap<QueueId, AgentId>,
    pub next_arrival: u64,
}
