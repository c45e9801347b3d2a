//! The bookkeeping every state change goes through: a record's index
//! contributions are removed before it changes and added back after, the
//! wallboard hears of agent state changes, and whatever may form a new
//! (call, agent) pair is marked for the next dispatch.

use crate::acd::Acd;
use crate::agent::{AgentRecord, AgentState, NO_ANSWER_REASON};
use crate::call::{CallRecord, CallStatus, OverflowReason};
use crate::decision::Decision;
use crate::ids::{AgentId, CallRef, QueueId};
use crate::snapshot::RECENTLY_FINISHED;
use crate::stats::QueueCounters;

impl Acd {
    /// Changes an agent's record, which must stay logged in or out with
    /// the same skills (else [`Acd::update_agent_membership`]), and tells
    /// the wallboard if its state changed.
    pub(crate) fn update_agent(&mut self, agent: &AgentId, change: impl FnOnce(&mut AgentRecord)) {
        self.change_agent(agent, false, change);
    }

    /// Changes an agent's record, skills and logging in or out included.
    pub(crate) fn update_agent_membership(
        &mut self,
        agent: &AgentId,
        change: impl FnOnce(&mut AgentRecord),
    ) {
        self.change_agent(agent, true, change);
    }

    fn change_agent(
        &mut self,
        agent: &AgentId,
        membership: bool,
        change: impl FnOnce(&mut AgentRecord),
    ) {
        let Some(record) = self.state.agents.get_mut(agent) else {
            return;
        };
        if membership {
            self.index.unindex_agent(agent, record);
        } else {
            self.index.unindex_agent_state(agent, record);
        }
        let before = record.state.clone();
        change(record);
        if membership {
            self.index.index_agent(agent, record);
        } else {
            self.index.index_agent_state(agent, record);
        }
        if record.state != before {
            if record.state == AgentState::Ready {
                self.dirty_agents.push(agent.clone());
            }
            self.outputs.push_back(Decision::AgentState {
                agent: agent.clone(),
                state: record.state.clone(),
            });
        }
    }

    pub(crate) fn update_call(&mut self, call: CallRef, change: impl FnOnce(&mut CallRecord)) {
        let Some(record) = self.state.calls.get_mut(&call) else {
            return;
        };
        self.index.unindex_call(call, record, &self.state.queues);
        change(record);
        self.index.index_call(call, record, &self.state.queues);
        if record.status == CallStatus::Waiting {
            self.dirty_calls.push(call);
        }
    }

    /// The call leaves the state with its final status, remembered among
    /// the recently finished.
    pub(crate) fn finish(&mut self, call: CallRef, status: CallStatus) {
        let Some(record) = self.state.calls.remove(&call) else {
            return;
        };
        self.index.unindex_call(call, &record, &self.state.queues);
        self.state
            .recently_finished
            .push_back((call, status.clone()));
        self.index.finished.insert(call, status);
        while self.state.recently_finished.len() > RECENTLY_FINISHED {
            if let Some((forgotten, _)) = self.state.recently_finished.pop_front() {
                self.index.finished.remove(&forgotten);
            }
        }
    }

    pub(crate) fn overflow(&mut self, call: CallRef, reason: OverflowReason) {
        let Some(queue) = self
            .state
            .calls
            .get(&call)
            .map(|record| record.queue.clone())
        else {
            return;
        };
        self.count(&queue, |counters| counters.overflowed += 1);
        self.finish(call, CallStatus::Overflowed(reason));
        self.outputs.push_back(Decision::Overflow {
            call,
            queue,
            reason,
        });
    }

    pub(crate) fn count(&mut self, queue: &QueueId, change: impl FnOnce(&mut QueueCounters)) {
        if let Some(queue) = self.state.queues.get_mut(queue) {
            change(&mut queue.counters);
        }
    }

    /// Ready, at the back of the idle line unless already Ready.
    pub(crate) fn make_ready(&mut self, now_ms: u64, agent: &AgentId) {
        self.update_agent(agent, |record| {
            if record.state != AgentState::Ready {
                record.idle_since_ms = now_ms;
            }
            record.state = AgentState::Ready;
        });
    }

    /// Ready again after an offer that was not the agent's fault (the
    /// caller hung up, another agent answered first): keeps their place.
    pub(crate) fn release(&mut self, call: CallRef, agent: &AgentId) {
        self.outputs.push_back(Decision::CancelOffer {
            call,
            agent: agent.clone(),
        });
        self.update_agent(agent, |record| record.state = AgentState::Ready);
    }

    pub(crate) fn make_not_ready(&mut self, agent: &AgentId, reason: String) {
        self.update_agent(agent, |record| {
            record.missed_in_a_row = 0;
            record.state = AgentState::NotReady { reason };
        });
    }

    /// `agent` let `call` ring out or refused it. The call stops ringing that
    /// agent and, once nobody rings, goes back to its queue keeping its
    /// arrival (so at the head of its priority) — or overflows if nobody is
    /// logged in there any more. A sticky call stops waiting for an agent
    /// who missed it. The agent goes to the back of the idle line or, after
    /// too many misses in a row, NotReady.
    pub(crate) fn miss(&mut self, now_ms: u64, call: CallRef, agent: &AgentId) {
        let Some(record) = self.state.calls.get(&call) else {
            return;
        };
        let queue = record.queue.clone();
        let still_ringing = match &record.status {
            CallStatus::OfferedToMany { agents, .. } => agents.len() > 1,
            _ => false,
        };
        let anyone_logged_in = self
            .index
            .queues
            .get(&queue)
            .is_some_and(|queue| !queue.members.is_empty());
        let back_to_queue = still_ringing || anyone_logged_in;
        self.update_call(call, |record| {
            record.missed_by.insert(agent.clone());
            if record.sticky_agent.as_ref() == Some(agent) {
                record.sticky_agent = None;
            }
            match &mut record.status {
                CallStatus::OfferedToMany { agents, .. } if still_ringing => {
                    agents.remove(agent);
                }
                status if back_to_queue => *status = CallStatus::Waiting,
                // Left as it is: overflows just below.
                _ => {}
            }
        });
        if !back_to_queue {
            self.overflow(call, OverflowReason::NoAgentsLoggedIn);
        }
        let max_misses = self
            .state
            .queues
            .get(&queue)
            .map_or(0, |queue| queue.config.max_no_answers_before_not_ready);
        let Some(agent_record) = self.state.agents.get(agent) else {
            return;
        };
        let missed_in_a_row = agent_record.missed_in_a_row + 1;
        if max_misses > 0 && missed_in_a_row >= max_misses {
            self.make_not_ready(agent, NO_ANSWER_REASON.to_owned());
        } else {
            self.update_agent(agent, |record| {
                record.missed_in_a_row = missed_in_a_row;
                record.idle_since_ms = now_ms;
                record.state = AgentState::Ready;
            });
        }
    }
}
