//! Matching waiting calls with Ready agents.
//!
//! The rule (unchanged from the first slice): while some waiting call has
//! an eligible Ready agent, the best-ranked such call (rank at `now`, then
//! arrival) is offered to the agent(s) its queue's strategy picks. Dispatch
//! ends with no waiting call having an eligible Ready agent, so afterwards
//! only what changed can form a pair: a call that became Waiting (or
//! eligible for more agents) and an agent that became Ready. Those are the
//! dirty lists, and dispatch looks only at them — for a dirty agent, at the
//! head of each waiting set it is eligible for (its queues, the queues that
//! widen into them, its sticky calls).

use std::cmp::Reverse;

use crate::acd::Acd;
use crate::agent::AgentState;
use crate::call::{CallRecord, CallStatus};
use crate::config::Strategy;
use crate::decision::Decision;
use crate::ids::{AgentId, CallRef};
use crate::strategy::{Choice, Pool};

/// Sorts best first: highest rank now, then earliest arrival.
type Precedence = (Reverse<i128>, u64, CallRef);

impl Acd {
    pub(crate) fn dispatch(&mut self, now_ms: u64) {
        let mut calls = std::mem::take(&mut self.dirty_calls);
        let mut agents = std::mem::take(&mut self.dirty_agents);
        calls.sort_unstable();
        calls.dedup();
        agents.sort_unstable();
        agents.dedup();
        loop {
            // Offers only take Ready agents and waiting calls away, so a
            // dirty entry with nothing to pair now never will in this round.
            let mut best: Option<Precedence> = None;
            calls.retain(|call| {
                let Some(record) = self.state.calls.get(call) else {
                    return false;
                };
                if record.status != CallStatus::Waiting
                    || self.pool().choose(*call, record).is_none()
                {
                    return false;
                }
                let candidate = self.precedence(now_ms, *call, record);
                keep_best(&mut best, candidate);
                true
            });
            agents.retain(|agent| match self.best_call_for(now_ms, agent) {
                Some(candidate) => {
                    keep_best(&mut best, candidate);
                    true
                }
                None => false,
            });
            let Some((_, _, call)) = best else {
                break;
            };
            self.offer(now_ms, call);
        }
    }

    pub(crate) fn pool(&self) -> Pool<'_> {
        Pool {
            index: &self.index,
            queues: &self.state.queues,
            agents: &self.state.agents,
            round_robin_last: &self.state.round_robin_last,
            random_draws: self.state.random_draws,
        }
    }

    fn precedence(&self, now_ms: u64, call: CallRef, record: &CallRecord) -> Precedence {
        let rank = self
            .state
            .queues
            .get(&record.queue)
            .map_or(i128::MIN, |queue| record.rank(now_ms, &queue.config));
        (Reverse(rank), record.arrival, call)
    }

    /// The best-ranked waiting call a Ready agent is eligible for.
    fn best_call_for(&self, now_ms: u64, agent: &AgentId) -> Option<Precedence> {
        let record = self.state.agents.get(agent)?;
        if record.state != AgentState::Ready {
            return None;
        }
        let mut heads: Vec<CallRef> = Vec::new();
        for (queue, skill) in &record.skills {
            let (Some(queue_index), Some(config)) = (
                self.index.queues.get(queue),
                self.state.queues.get(queue).map(|queue| &queue.config),
            ) else {
                continue;
            };
            if *skill >= config.min_skill {
                heads.extend(queue_index.normal.first().map(|key| key.call));
            }
            if *skill >= config.widened_threshold() {
                heads.extend(queue_index.widened.first().map(|key| key.call));
            }
            for source in self.index.widened_from.get(queue).into_iter().flatten() {
                let (Some(source_index), Some(source_config)) = (
                    self.index.queues.get(source),
                    self.state.queues.get(source).map(|queue| &queue.config),
                ) else {
                    continue;
                };
                if source != queue && *skill >= source_config.widened_min_skill {
                    heads.extend(source_index.widened.first().map(|key| key.call));
                }
            }
        }
        heads.extend(self.index.sticky_by_agent.get(agent).into_iter().flatten());
        heads
            .into_iter()
            .filter_map(|call| {
                let record = self.state.calls.get(&call)?;
                Some(self.precedence(now_ms, call, record))
            })
            .min()
    }

    fn offer(&mut self, now_ms: u64, call: CallRef) {
        let Some(record) = self.state.calls.get(&call) else {
            return;
        };
        let Some(choice) = self.pool().choose(call, record) else {
            return;
        };
        let queue = record.queue.clone();
        let drew = record.sticky_agent.is_none();
        let Some(config) = self.state.queues.get(&queue).map(|queue| &queue.config) else {
            return;
        };
        let ring_deadline_ms = now_ms.saturating_add(config.ring_timeout_ms);
        if drew && config.strategy == Strategy::Random {
            self.state.random_draws += 1;
        }
        let agents: Vec<AgentId> = match &choice {
            Choice::One(agent) => vec![agent.clone()],
            Choice::Many(agents) => agents.iter().cloned().collect(),
        };
        self.update_call(call, |record| {
            record.status = match choice {
                Choice::One(agent) => CallStatus::Offered {
                    agent,
                    ring_deadline_ms,
                },
                Choice::Many(agents) => CallStatus::OfferedToMany {
                    agents,
                    ring_deadline_ms,
                },
            };
        });
        if let [agent] = agents.as_slice() {
            self.state
                .round_robin_last
                .insert(queue.clone(), agent.clone());
        }
        for agent in agents {
            self.outputs.push_back(Decision::Offer {
                call,
                agent: agent.clone(),
                queue: queue.clone(),
            });
            self.update_agent(&agent, |record| {
                record.state = AgentState::Reserved { call };
            });
        }
    }
}

fn keep_best(best: &mut Option<Precedence>, candidate: Precedence) {
    if best.is_none_or(|best| candidate < best) {
        *best = Some(candidate);
    }
}
