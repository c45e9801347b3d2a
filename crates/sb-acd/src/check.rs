//! A debug check of everything the state machine keeps in step by hand,
//! against brute-force recomputations from the state. O(calls x agents):
//! for tests (the property tests run it after every step), never for
//! production paths.

use crate::acd::Acd;
use crate::agent::{AgentRecord, AgentState};
use crate::call::{CallRecord, CallStatus};
use crate::ids::AgentId;
use crate::index::Indexes;
use crate::snapshot::{AcdSnapshot, RECENTLY_FINISHED};

impl Acd {
    /// Checks that the indexes equal a rebuild from the state, that calls
    /// and agents agree on every offer and answered call, that no waiting
    /// call has an eligible Ready agent (dispatch left nothing undone), and
    /// that `poll_timeout` is the earliest deadline in the state. Describes
    /// the first disagreement found.
    pub fn check_consistency(&self) -> Result<(), String> {
        if !self.dirty_calls.is_empty() || !self.dirty_agents.is_empty() {
            return Err("dispatch left dirty calls or agents".to_owned());
        }
        self.check_indexes()?;
        check_agents_and_calls(&self.state)?;
        check_nothing_left_to_dispatch(&self.state)?;
        let expected = earliest_deadline(&self.state);
        if self.poll_timeout() != expected {
            return Err(format!(
                "poll_timeout is {:?} but the earliest deadline is {expected:?}",
                self.poll_timeout()
            ));
        }
        Ok(())
    }

    fn check_indexes(&self) -> Result<(), String> {
        let rebuilt = Indexes::build(&self.state);
        if rebuilt == self.index {
            return Ok(());
        }
        for (queue, index) in &rebuilt.queues {
            if self.index.queues.get(queue) != Some(index) {
                return Err(format!(
                    "index of queue {queue}: kept {:?}, rebuilt {index:?}",
                    self.index.queues.get(queue)
                ));
            }
        }
        let parts = [
            ("queues", rebuilt.queues.len() == self.index.queues.len()),
            (
                "sticky calls",
                rebuilt.sticky_by_agent == self.index.sticky_by_agent,
            ),
            ("widening", rebuilt.widened_from == self.index.widened_from),
            ("timers", rebuilt.timers == self.index.timers),
            ("finished calls", rebuilt.finished == self.index.finished),
        ];
        let differing: Vec<&str> = parts
            .iter()
            .filter(|(_, same)| !same)
            .map(|(part, _)| *part)
            .collect();
        Err(format!(
            "indexes differ from a rebuild in: {differing:?}; kept {:?}, rebuilt {:?}",
            self.index.timers, rebuilt.timers
        ))
    }
}

fn check_agents_and_calls(state: &AcdSnapshot) -> Result<(), String> {
    for (call, record) in &state.calls {
        let agent_states = match &record.status {
            CallStatus::OnCall { agent } => vec![(agent, AgentState::OnCall { call: *call })],
            status => status
                .ringing_agents()
                .into_iter()
                .map(|agent| (agent, AgentState::Reserved { call: *call }))
                .collect(),
        };
        for (agent, expected) in agent_states {
            let actual = state.agents.get(agent).map(|agent| &agent.state);
            if actual != Some(&expected) {
                return Err(format!(
                    "{call} expects {agent} {expected:?}, found {actual:?}"
                ));
            }
        }
        if record.status.is_finished() {
            return Err(format!("finished {call} still in the state"));
        }
        if let Some(agent) = &record.sticky_agent {
            let logged_in = state.agents.get(agent).is_some_and(|agent| {
                agent.is_logged_in() && agent.skills.contains_key(&record.queue)
            });
            if !logged_in {
                return Err(format!("{call} sticks to {agent}, who is not in its queue"));
            }
        }
    }
    for (agent, record) in &state.agents {
        let consistent = match &record.state {
            AgentState::Reserved { call } => state
                .calls
                .get(call)
                .is_some_and(|call| call.status.ringing_agents().contains(&agent)),
            AgentState::OnCall { call } => state.calls.get(call).is_some_and(|call| {
                matches!(&call.status, CallStatus::OnCall { agent: talking } if talking == agent)
            }),
            _ => true,
        };
        if !consistent {
            return Err(format!(
                "{agent} is {:?} but the call disagrees",
                record.state
            ));
        }
        if let Some(queue) = record
            .skills
            .keys()
            .find(|queue| !state.queues.contains_key(queue))
        {
            return Err(format!("{agent} has a skill in the removed queue {queue}"));
        }
    }
    if state.recently_finished.len() > RECENTLY_FINISHED {
        return Err("too many finished calls remembered".to_owned());
    }
    Ok(())
}

fn check_nothing_left_to_dispatch(state: &AcdSnapshot) -> Result<(), String> {
    for (call, record) in &state.calls {
        if record.status != CallStatus::Waiting {
            continue;
        }
        if let Some((agent, _)) = state
            .agents
            .iter()
            .find(|(agent, agent_record)| eligible(state, agent, agent_record, record))
        {
            return Err(format!("{call} waits while {agent} is Ready and eligible"));
        }
    }
    Ok(())
}

/// Whether `agent` could be offered `call`, straight from the rules.
fn eligible(state: &AcdSnapshot, agent: &AgentId, record: &AgentRecord, call: &CallRecord) -> bool {
    if record.state != AgentState::Ready {
        return false;
    }
    if let Some(sticky) = &call.sticky_agent {
        return sticky == agent;
    }
    let Some(config) = state.queues.get(&call.queue).map(|queue| &queue.config) else {
        return false;
    };
    let own_minimum = if call.widened {
        config.min_skill.min(config.widened_min_skill)
    } else {
        config.min_skill
    };
    if record
        .skills
        .get(&call.queue)
        .is_some_and(|skill| *skill >= own_minimum)
    {
        return true;
    }
    call.widened
        && config.widen_to_queue.as_ref().is_some_and(|target| {
            *target != call.queue
                && state.queues.contains_key(target)
                && record
                    .skills
                    .get(target)
                    .is_some_and(|skill| *skill >= config.widened_min_skill)
        })
}

fn earliest_deadline(state: &AcdSnapshot) -> Option<u64> {
    let calls = state
        .calls
        .values()
        .flat_map(|call| call_deadlines(state, call));
    let wrap_ups = state.agents.values().filter_map(|agent| match agent.state {
        AgentState::WrapUp { until_ms } => Some(until_ms),
        _ => None,
    });
    calls.chain(wrap_ups).min()
}

fn call_deadlines(state: &AcdSnapshot, call: &CallRecord) -> Vec<u64> {
    let Some(config) = state.queues.get(&call.queue).map(|queue| &queue.config) else {
        return Vec::new();
    };
    let waiting = call.status == CallStatus::Waiting;
    let ring = match &call.status {
        CallStatus::Offered {
            ring_deadline_ms, ..
        }
        | CallStatus::OfferedToMany {
            ring_deadline_ms, ..
        } => Some(*ring_deadline_ms),
        _ => None,
    };
    if !waiting && ring.is_none() {
        return Vec::new();
    }
    let after = |wait_ms: u64| call.enqueued_at_ms.saturating_add(wait_ms);
    let max_wait = config.max_wait_ms.filter(|_| waiting).map(after);
    let sticky = call
        .sticky_agent
        .as_ref()
        .map(|_| after(config.sticky_wait_ms.unwrap_or(0)));
    let widen = config.widen_after_ms.filter(|_| !call.widened).map(after);
    [ring, max_wait, sticky, widen]
        .into_iter()
        .flatten()
        .collect()
}
