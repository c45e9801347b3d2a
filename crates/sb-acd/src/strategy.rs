//! Choosing which Ready agents get a waiting call, from the indexes.
//!
//! Which agents are eligible: a sticky call only its sticky agent; any other
//! call the Ready agents of its queue with at least `min_skill`, and once
//! widened those with `min(min_skill, widened_min_skill)` plus the Ready
//! agents of `widen_to_queue` with at least `widened_min_skill` there (an
//! agent's skill for the call is the highest that qualifies). Agents in the
//! call's `missed_by` are passed over while anyone else is eligible, so a
//! ring timeout moves the call on to the next agent.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::agent::{AgentRecord, AgentState};
use crate::call::CallRecord;
use crate::config::{MAX_SKILL, MIN_SKILL, Strategy};
use crate::ids::{AgentId, CallRef, QueueId};
use crate::index::{Indexes, QueueIndex, ReadyAgents};
use crate::snapshot::QueueRecord;

/// The agents a call goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Choice {
    One(AgentId),
    /// RingAll with more than one eligible agent.
    Many(BTreeSet<AgentId>),
}

/// What the strategies read.
pub(crate) struct Pool<'a> {
    pub(crate) index: &'a Indexes,
    pub(crate) queues: &'a BTreeMap<QueueId, QueueRecord>,
    pub(crate) agents: &'a BTreeMap<AgentId, AgentRecord>,
    pub(crate) round_robin_last: &'a BTreeMap<QueueId, AgentId>,
    /// `AcdSnapshot::random_draws`, the running part of Random's seed.
    pub(crate) random_draws: u64,
}

/// Where a call's eligible agents are: (queue, lowest skill there).
pub(crate) fn sources<'a>(
    record: &'a CallRecord,
    queues: &'a BTreeMap<QueueId, QueueRecord>,
) -> Vec<(&'a QueueId, u8)> {
    let Some(config) = queues.get(&record.queue).map(|queue| &queue.config) else {
        return Vec::new();
    };
    if !record.widened {
        return vec![(&record.queue, config.min_skill)];
    }
    let mut sources = vec![(&record.queue, config.widened_threshold())];
    if let Some(target) = &config.widen_to_queue
        && *target != record.queue
        && queues.contains_key(target)
    {
        sources.push((target, config.widened_min_skill));
    }
    sources
}

impl Pool<'_> {
    /// The agents `call` would be offered to now, or `None` if nobody
    /// eligible is Ready.
    pub(crate) fn choose(&self, call: CallRef, record: &CallRecord) -> Option<Choice> {
        if let Some(agent) = &record.sticky_agent {
            let ready = self
                .agents
                .get(agent)
                .is_some_and(|agent| agent.state == AgentState::Ready);
            return ready.then(|| Choice::One(agent.clone()));
        }
        let strategy = self.queues.get(&record.queue)?.config.strategy;
        let sources: Vec<(&QueueIndex, u8)> = sources(record, self.queues)
            .into_iter()
            .filter_map(|(queue, min_skill)| Some((self.index.queues.get(queue)?, min_skill)))
            .collect();
        let fresh = self.pick(strategy, call, record, &sources, &record.missed_by);
        fresh.or_else(|| self.pick(strategy, call, record, &sources, &BTreeSet::new()))
    }

    fn pick(
        &self,
        strategy: Strategy,
        call: CallRef,
        record: &CallRecord,
        sources: &[(&QueueIndex, u8)],
        passed_over: &BTreeSet<AgentId>,
    ) -> Option<Choice> {
        let levels = || {
            sources
                .iter()
                .flat_map(|(queue, min_skill)| queue.ready_from(*min_skill))
        };
        let fresh = |agent: &AgentId| !passed_over.contains(agent);
        let one = match strategy {
            Strategy::LongestIdle => levels()
                .filter_map(|(_, ready)| ready.by_idle.iter().find(|(_, id)| fresh(id)))
                .min()
                .map(|(_, id)| id),
            Strategy::FewestCalls => levels()
                .filter_map(|(_, ready)| ready.by_answered.iter().find(|(_, _, id)| fresh(id)))
                .min()
                .map(|(_, _, id)| id),
            Strategy::HighestSkill => highest_skill(sources, &fresh),
            Strategy::RoundRobin => {
                let last = self.round_robin_last.get(&record.queue);
                levels()
                    .filter_map(|(_, ready)| after(ready, last, &fresh))
                    .min()
                    .or_else(|| {
                        levels()
                            .filter_map(|(_, ready)| ready.by_id.iter().find(|id| fresh(id)))
                            .min()
                    })
            }
            Strategy::RingAll | Strategy::Random => {
                let all: BTreeSet<&AgentId> = levels()
                    .flat_map(|(_, ready)| ready.by_id.iter().filter(|id| fresh(id)))
                    .collect();
                if all.is_empty() {
                    return None;
                }
                if strategy == Strategy::Random {
                    let draw = random_draw(call, record.arrival, self.random_draws);
                    let nth = usize::try_from(draw % all.len() as u64).unwrap_or(0);
                    all.into_iter().nth(nth)
                } else if all.len() == 1 {
                    all.into_iter().next()
                } else {
                    return Some(Choice::Many(all.into_iter().cloned().collect()));
                }
            }
        };
        one.map(|agent| Choice::One(agent.clone()))
    }
}

/// Highest qualifying skill first, then longest idle, then agent id. The
/// levels are walked from the top, so an agent found at a level has no
/// higher qualifying skill in another source.
fn highest_skill<'a>(
    sources: &[(&'a QueueIndex, u8)],
    fresh: &impl Fn(&AgentId) -> bool,
) -> Option<&'a AgentId> {
    let lowest = sources.iter().map(|(_, min_skill)| *min_skill).min()?;
    (lowest.max(MIN_SKILL)..=MAX_SKILL).rev().find_map(|skill| {
        sources
            .iter()
            .filter(|(_, min_skill)| skill >= *min_skill)
            .filter_map(|(queue, _)| {
                queue.ready[usize::from(skill - 1)]
                    .by_idle
                    .iter()
                    .find(|(_, id)| fresh(id))
            })
            .min()
            .map(|(_, id)| id)
    })
}

/// The first agent in id order after `last` (all of them without a last).
fn after<'a>(
    ready: &'a ReadyAgents,
    last: Option<&AgentId>,
    fresh: &impl Fn(&AgentId) -> bool,
) -> Option<&'a AgentId> {
    let from = last.map_or(Bound::Unbounded, Bound::Excluded);
    ready
        .by_id
        .range::<AgentId, _>((from, Bound::Unbounded))
        .find(|id| fresh(id))
}

/// splitmix64 of the call, its arrival number and the draws so far: the
/// same inputs give the same agent on replay.
fn random_draw(call: CallRef, arrival: u64, draws: u64) -> u64 {
    let seed = call.0 ^ arrival.rotate_left(32) ^ draws.wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
