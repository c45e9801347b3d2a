//! The agent and call commands. Each checks everything before it changes
//! anything, so a refused command leaves no trace.

use std::collections::BTreeSet;

use crate::acd::Acd;
use crate::agent::{AgentRecord, AgentState};
use crate::call::{CallRecord, CallStatus, OverflowReason};
use crate::config::{MAX_SKILL, MIN_SKILL, QueueConfig};
use crate::error::AcdError;
use crate::ids::{AgentId, CallRef, QueueId};

impl Acd {
    pub(crate) fn queue_config(&self, queue: &QueueId) -> Result<&QueueConfig, AcdError> {
        self.state
            .queues
            .get(queue)
            .map(|queue| &queue.config)
            .ok_or_else(|| AcdError::UnknownQueue(queue.clone()))
    }

    pub(crate) fn login(
        &mut self,
        now_ms: u64,
        agent: &AgentId,
        queues: &[(QueueId, u8)],
    ) -> Result<(), AcdError> {
        if self
            .state
            .agents
            .get(agent)
            .is_some_and(AgentRecord::is_logged_in)
        {
            return Err(AcdError::AlreadyLoggedIn(agent.clone()));
        }
        if queues.is_empty() {
            return Err(AcdError::NoQueues(agent.clone()));
        }
        for (queue, skill) in queues {
            self.queue_config(queue)?;
            if !(MIN_SKILL..=MAX_SKILL).contains(skill) {
                return Err(AcdError::InvalidSkill {
                    agent: agent.clone(),
                    queue: queue.clone(),
                    skill: *skill,
                });
            }
        }
        self.state.agents.insert(
            agent.clone(),
            AgentRecord {
                state: AgentState::LoggedOut,
                skills: Default::default(),
                idle_since_ms: now_ms,
                missed_in_a_row: 0,
                answered: 0,
            },
        );
        // Logging in means "ready to take calls"; NotReady is one command away.
        self.update_agent_membership(agent, |record| {
            record.skills = queues.iter().cloned().collect();
            record.state = AgentState::Ready;
        });
        Ok(())
    }

    /// Calls waiting for this agent stop waiting for them, and a queue left
    /// with nobody logged in overflows its waiting calls.
    pub(crate) fn logout(&mut self, agent: &AgentId) -> Result<(), AcdError> {
        self.check_idle_agent(agent)?;
        let queues: Vec<QueueId> = self
            .state
            .agents
            .get(agent)
            .map(|record| record.skills.keys().cloned().collect())
            .unwrap_or_default();
        self.update_agent_membership(agent, |record| {
            record.skills.clear();
            record.state = AgentState::LoggedOut;
        });
        let sticky: Vec<CallRef> = self
            .index
            .sticky_by_agent
            .get(agent)
            .map(|calls| calls.iter().copied().collect())
            .unwrap_or_default();
        for call in sticky {
            self.update_call(call, |record| record.sticky_agent = None);
        }
        for queue in &queues {
            self.overflow_if_nobody_logged_in(queue);
        }
        Ok(())
    }

    fn overflow_if_nobody_logged_in(&mut self, queue: &QueueId) {
        let Some(queue_index) = self.index.queues.get(queue) else {
            return;
        };
        if !queue_index.members.is_empty() {
            return;
        }
        let waiting: Vec<CallRef> = queue_index.waiting_calls().map(|key| key.call).collect();
        for call in waiting {
            self.overflow(call, OverflowReason::NoAgentsLoggedIn);
        }
    }

    /// The agent exists, is logged in, and is neither ringing nor talking.
    pub(crate) fn check_idle_agent(&self, agent: &AgentId) -> Result<(), AcdError> {
        let record = self
            .state
            .agents
            .get(agent)
            .ok_or_else(|| AcdError::UnknownAgent(agent.clone()))?;
        if !record.is_logged_in() {
            return Err(AcdError::NotLoggedIn(agent.clone()));
        }
        if record.is_busy() {
            return Err(AcdError::AgentBusy(agent.clone()));
        }
        Ok(())
    }

    /// Why a command about `call` cannot apply to a call that is not live.
    fn gone(&self, call: CallRef) -> AcdError {
        if self.index.finished.contains_key(&call) {
            AcdError::CallFinished(call)
        } else {
            AcdError::UnknownCall(call)
        }
    }

    pub(crate) fn check_offered(&self, call: CallRef, agent: &AgentId) -> Result<(), AcdError> {
        if !self.state.agents.contains_key(agent) {
            return Err(AcdError::UnknownAgent(agent.clone()));
        }
        let record = self.state.calls.get(&call).ok_or_else(|| self.gone(call))?;
        match &record.status {
            CallStatus::Offered { agent: offered, .. } if offered == agent => Ok(()),
            CallStatus::OfferedToMany { agents, .. } if agents.contains(agent) => Ok(()),
            _ => Err(AcdError::NotOfferedTo {
                call,
                agent: agent.clone(),
            }),
        }
    }

    pub(crate) fn enqueue(
        &mut self,
        now_ms: u64,
        call: CallRef,
        queue: &QueueId,
        priority: i32,
        preferred_agent: Option<&AgentId>,
    ) -> Result<(), AcdError> {
        let config = self.queue_config(queue)?;
        let (max_length, sticky_wait_ms) = (config.max_length, config.sticky_wait_ms);
        let widened = config.widen_after_ms == Some(0);
        if self.state.calls.contains_key(&call) || self.index.finished.contains_key(&call) {
            return Err(AcdError::DuplicateCall(call));
        }
        let (members, waiting) = self
            .index
            .queues
            .get(queue)
            .map_or((0, 0), |queue| (queue.members.len(), queue.waiting()));
        let sticky_agent = preferred_agent.filter(|agent| {
            sticky_wait_ms.is_some_and(|wait_ms| wait_ms > 0)
                && self
                    .index
                    .queues
                    .get(queue)
                    .is_some_and(|queue| queue.members.contains(*agent))
        });
        let arrival = self.state.next_arrival;
        self.state.next_arrival += 1;
        self.count(queue, |counters| counters.offered += 1);
        let record = CallRecord {
            queue: queue.clone(),
            priority,
            enqueued_at_ms: now_ms,
            arrival,
            status: CallStatus::Waiting,
            missed_by: BTreeSet::new(),
            sticky_agent: sticky_agent.cloned(),
            widened,
            answered_at_ms: None,
        };
        self.state.calls.insert(call, record);
        if members == 0 {
            self.overflow(call, OverflowReason::NoAgentsLoggedIn);
        } else if max_length.is_some_and(|max| waiting >= max) {
            self.overflow(call, OverflowReason::MaxLength);
        } else {
            let record = &self.state.calls[&call];
            self.index.index_call(call, record, &self.state.queues);
            self.dirty_calls.push(call);
        }
        Ok(())
    }

    pub(crate) fn abandon(&mut self, call: CallRef) -> Result<(), AcdError> {
        let record = self.state.calls.get(&call).ok_or_else(|| self.gone(call))?;
        if matches!(record.status, CallStatus::OnCall { .. }) {
            return Err(AcdError::AlreadyAnswered(call));
        }
        let queue = record.queue.clone();
        let ringing: Vec<AgentId> = record
            .status
            .ringing_agents()
            .into_iter()
            .cloned()
            .collect();
        self.count(&queue, |counters| counters.abandoned += 1);
        self.finish(call, CallStatus::Abandoned);
        for agent in &ringing {
            self.release(call, agent);
        }
        Ok(())
    }

    /// The first agent to answer takes the call; the others ringing with it
    /// are cancelled.
    pub(crate) fn answered(
        &mut self,
        now_ms: u64,
        call: CallRef,
        agent: &AgentId,
    ) -> Result<(), AcdError> {
        self.check_offered(call, agent)?;
        let Some(record) = self.state.calls.get(&call) else {
            return Ok(());
        };
        let others: Vec<AgentId> = record
            .status
            .ringing_agents()
            .into_iter()
            .filter(|other| *other != agent)
            .cloned()
            .collect();
        let waited_ms = now_ms.saturating_sub(record.enqueued_at_ms);
        let queue = record.queue.clone();
        self.count_answered(&queue, waited_ms);
        self.update_call(call, |record| {
            record.status = CallStatus::OnCall {
                agent: agent.clone(),
            };
            record.answered_at_ms = Some(now_ms);
            record.sticky_agent = None;
        });
        self.update_agent(agent, |record| {
            record.missed_in_a_row = 0;
            record.answered += 1;
            record.state = AgentState::OnCall { call };
        });
        for other in &others {
            self.release(call, other);
        }
        Ok(())
    }

    /// Call pickup (G7): counted answered (and within the service level
    /// by its wait), finished, and the agents it rang released.
    pub(crate) fn picked_up(&mut self, now_ms: u64, call: CallRef) -> Result<(), AcdError> {
        let record = self.state.calls.get(&call).ok_or_else(|| self.gone(call))?;
        let ringing: Vec<AgentId> = record
            .status
            .ringing_agents()
            .into_iter()
            .cloned()
            .collect();
        if ringing.is_empty() {
            return Err(AcdError::NotRinging(call));
        }
        let waited_ms = now_ms.saturating_sub(record.enqueued_at_ms);
        let queue = record.queue.clone();
        self.count_answered(&queue, waited_ms);
        self.finish(call, CallStatus::Ended);
        for agent in &ringing {
            self.release(call, agent);
        }
        Ok(())
    }

    /// An answer after `waited_ms` in `queue`, within its service level or not.
    fn count_answered(&mut self, queue: &QueueId, waited_ms: u64) {
        let within = self
            .queue_config(queue)
            .is_ok_and(|config| waited_ms <= config.service_level_ms);
        self.count(queue, |counters| {
            counters.answered += 1;
            counters.answered_within_service_level += u64::from(within);
        });
    }

    pub(crate) fn call_ended(&mut self, now_ms: u64, call: CallRef) -> Result<(), AcdError> {
        let record = self.state.calls.get(&call).ok_or_else(|| self.gone(call))?;
        let CallStatus::OnCall { agent } = record.status.clone() else {
            return Err(AcdError::NotOnCall(call));
        };
        let queue = record.queue.clone();
        let talk_ms = now_ms.saturating_sub(record.answered_at_ms.unwrap_or(now_ms));
        // An answered call outlives the removal of its queue: no wrap-up then.
        let wrap_up_ms = self
            .queue_config(&queue)
            .map_or(0, |config| config.wrap_up_ms);
        self.count(&queue, |counters| {
            counters.handled += 1;
            counters.talk_ms_total = counters.talk_ms_total.saturating_add(talk_ms);
        });
        self.finish(call, CallStatus::Ended);
        if wrap_up_ms == 0 {
            self.make_ready(now_ms, &agent);
        } else {
            self.update_agent(&agent, |record| {
                record.state = AgentState::WrapUp {
                    until_ms: now_ms.saturating_add(wrap_up_ms),
                }
            });
        }
        Ok(())
    }
}
