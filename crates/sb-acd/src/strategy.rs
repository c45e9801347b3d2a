//! Choosing which Ready agent of a queue gets the next call.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use crate::agent::{AgentRecord, AgentState};
use crate::config::Strategy;
use crate::ids::{AgentId, QueueId};

/// The agent `strategy` picks among the Ready agents of `queue`, or `None`
/// if nobody is Ready. Agents in `missed_by` are passed over while anyone
/// else is Ready, so a ring timeout moves the call on to the next agent.
pub(crate) fn pick_agent(
    strategy: Strategy,
    queue: &QueueId,
    agents: &BTreeMap<AgentId, AgentRecord>,
    missed_by: &BTreeSet<AgentId>,
    last_offered: Option<&AgentId>,
) -> Option<AgentId> {
    let ready: Vec<(&AgentId, &AgentRecord, u8)> = agents
        .iter()
        .filter(|(_, agent)| agent.state == AgentState::Ready)
        .filter_map(|(id, agent)| agent.skills.get(queue).map(|skill| (id, agent, *skill)))
        .collect();
    let fresh: Vec<_> = ready
        .iter()
        .filter(|(id, _, _)| !missed_by.contains(*id))
        .copied()
        .collect();
    let candidates = if fresh.is_empty() { ready } else { fresh };

    // BTreeMap iteration is in id order, so `min_by_key` ties fall to the
    // lowest id after the idle-time tie-break.
    let chosen = match strategy {
        Strategy::LongestIdle => candidates
            .iter()
            .min_by_key(|(_, agent, _)| agent.idle_since_ms),
        Strategy::FewestCalls => candidates
            .iter()
            .min_by_key(|(_, agent, _)| (agent.answered, agent.idle_since_ms)),
        Strategy::HighestSkill => candidates
            .iter()
            .min_by_key(|(_, agent, skill)| (Reverse(*skill), agent.idle_since_ms)),
        Strategy::RoundRobin => candidates
            .iter()
            .find(|(id, _, _)| last_offered.is_none_or(|last| *id > last))
            .or_else(|| candidates.first()),
    };
    chosen.map(|(id, _, _)| (*id).clone())
}
