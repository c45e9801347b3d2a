//! The ACD state machine: commands and timer expiries in, decisions out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::agent::{AgentRecord, AgentState, NO_ANSWER_REASON};
use crate::call::{CallRecord, CallStatus, OverflowReason};
use crate::command::{Command, Event};
use crate::config::{AcdConfig, QueueConfig};
use crate::decision::Decision;
use crate::error::AcdError;
use crate::ids::{AgentId, CallRef, QueueId};
use crate::snapshot::AcdSnapshot;
use crate::strategy::pick_agent;

const MIN_SKILL: u8 = 1;
const MAX_SKILL: u8 = 10;

#[derive(Debug)]
pub struct Acd {
    config: AcdConfig,
    state: AcdSnapshot,
    outputs: VecDeque<Decision>,
    events: Vec<Event>,
}

impl Acd {
    pub fn new(config: AcdConfig) -> Self {
        Acd {
            config,
            state: AcdSnapshot {
                last_now_ms: 0,
                agents: BTreeMap::new(),
                calls: BTreeMap::new(),
                round_robin_last: BTreeMap::new(),
                next_arrival: 0,
            },
            outputs: VecDeque::new(),
            events: Vec::new(),
        }
    }

    /// Rebuilds an ACD from its event log and the config it ran with. The
    /// decisions the log re-derives were acted on the first time, so they
    /// are dropped, and the log starts empty (it is already stored).
    pub fn replay(config: AcdConfig, events: &[Event]) -> Result<Self, AcdError> {
        let mut acd = Acd::new(config);
        for event in events {
            match event {
                Event::Command { now_ms, command } => acd.handle(*now_ms, command.clone())?,
                Event::Timeout { now_ms } => acd.handle_timeout(*now_ms)?,
            }
        }
        acd.outputs.clear();
        acd.events.clear();
        Ok(acd)
    }

    pub fn poll_output(&mut self) -> Option<Decision> {
        self.outputs.pop_front()
    }

    /// The next instant [`Acd::handle_timeout`] has work to do.
    pub fn poll_timeout(&self) -> Option<u64> {
        let ring_deadlines = self
            .state
            .calls
            .values()
            .filter_map(|call| match call.status {
                CallStatus::Offered {
                    ring_deadline_ms, ..
                } => Some(ring_deadline_ms),
                _ => None,
            });
        let wrap_up_ends = self
            .state
            .agents
            .values()
            .filter_map(|agent| match agent.state {
                AgentState::WrapUp { until_ms } => Some(until_ms),
                _ => None,
            });
        let max_wait_deadlines = self
            .state
            .calls
            .values()
            .filter(|call| call.status == CallStatus::Waiting)
            .filter_map(|call| self.max_wait_deadline(call));
        ring_deadlines
            .chain(wrap_up_ends)
            .chain(max_wait_deadlines)
            .min()
    }

    /// Drains the accepted inputs recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    pub fn snapshot(&self) -> AcdSnapshot {
        self.state.clone()
    }

    pub fn agent_state(&self, agent: &AgentId) -> Option<&AgentState> {
        self.state.agents.get(agent).map(|record| &record.state)
    }

    pub fn call_status(&self, call: CallRef) -> Option<&CallStatus> {
        self.state.calls.get(&call).map(|record| &record.status)
    }

    /// Applies one command. A refused command changes nothing.
    pub fn handle(&mut self, now_ms: u64, command: Command) -> Result<(), AcdError> {
        self.check_clock(now_ms)?;
        match &command {
            Command::Login { agent, queues } => self.login(now_ms, agent, queues)?,
            Command::Logout { agent } => {
                self.check_idle_agent(agent)?;
                if let Some(record) = self.state.agents.get_mut(agent) {
                    record.skills.clear();
                }
                self.set_agent_state(agent, AgentState::LoggedOut);
            }
            Command::SetReady { agent } => {
                self.check_idle_agent(agent)?;
                self.make_ready(now_ms, agent);
            }
            Command::SetNotReady { agent, reason } => {
                self.check_idle_agent(agent)?;
                self.make_not_ready(agent, reason.clone());
            }
            Command::Enqueue {
                call,
                queue,
                priority,
            } => self.enqueue(now_ms, *call, queue, *priority)?,
            Command::Abandon { call } => self.abandon(*call)?,
            Command::Answered { call, agent } => {
                self.check_offered(*call, agent)?;
                self.set_call_status(
                    *call,
                    CallStatus::OnCall {
                        agent: agent.clone(),
                    },
                );
                if let Some(record) = self.state.agents.get_mut(agent) {
                    record.missed_in_a_row = 0;
                    record.answered += 1;
                }
                self.set_agent_state(agent, AgentState::OnCall { call: *call });
            }
            Command::NoAnswer { call, agent } => {
                self.check_offered(*call, agent)?;
                self.no_answer(now_ms, *call, agent);
            }
            Command::CallEnded { call } => self.call_ended(now_ms, *call)?,
        }
        self.state.last_now_ms = now_ms;
        self.events.push(Event::Command { now_ms, command });
        self.dispatch(now_ms);
        Ok(())
    }

    /// Fires every timer due at `now_ms`: ring timeouts (as NoAnswer), ends
    /// of wrap-up (to Ready) and maximum waits (Overflow).
    pub fn handle_timeout(&mut self, now_ms: u64) -> Result<(), AcdError> {
        self.check_clock(now_ms)?;
        let rung_out: Vec<(CallRef, AgentId)> = self
            .state
            .calls
            .iter()
            .filter_map(|(call, record)| match &record.status {
                CallStatus::Offered {
                    agent,
                    ring_deadline_ms,
                } if *ring_deadline_ms <= now_ms => Some((*call, agent.clone())),
                _ => None,
            })
            .collect();
        for (call, agent) in &rung_out {
            self.no_answer(now_ms, *call, agent);
        }
        let wrapped_up: Vec<AgentId> = self
            .state
            .agents
            .iter()
            .filter(|(_, record)| {
                matches!(record.state, AgentState::WrapUp { until_ms } if until_ms <= now_ms)
            })
            .map(|(agent, _)| agent.clone())
            .collect();
        for agent in &wrapped_up {
            self.make_ready(now_ms, agent);
        }
        // After the ring timeouts: a call back from an unanswered offer may
        // have waited too long already.
        let waited_too_long: Vec<CallRef> = self
            .state
            .calls
            .iter()
            .filter(|(_, record)| record.status == CallStatus::Waiting)
            .filter(|(_, record)| {
                self.max_wait_deadline(record)
                    .is_some_and(|deadline| deadline <= now_ms)
            })
            .map(|(call, _)| *call)
            .collect();
        for call in &waited_too_long {
            self.overflow(*call, OverflowReason::MaxWait);
        }
        // Only a timeout that fired is logged, so only it moves the clock:
        // the clock must be rebuilt from the log alone.
        if !rung_out.is_empty() || !wrapped_up.is_empty() || !waited_too_long.is_empty() {
            self.state.last_now_ms = now_ms;
            self.events.push(Event::Timeout { now_ms });
            self.dispatch(now_ms);
        }
        Ok(())
    }

    /// Inputs may not go back before the last recorded one.
    fn check_clock(&self, now_ms: u64) -> Result<(), AcdError> {
        if now_ms < self.state.last_now_ms {
            return Err(AcdError::ClockWentBackwards {
                now_ms,
                last_ms: self.state.last_now_ms,
            });
        }
        Ok(())
    }

    fn queue_config(&self, queue: &QueueId) -> Result<&QueueConfig, AcdError> {
        self.config
            .queues
            .get(queue)
            .ok_or_else(|| AcdError::UnknownQueue(queue.clone()))
    }

    fn max_wait_deadline(&self, call: &CallRecord) -> Option<u64> {
        let max_wait_ms = self.config.queues.get(&call.queue)?.max_wait_ms?;
        Some(call.enqueued_at_ms.saturating_add(max_wait_ms))
    }

    fn login(
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
                skills: queues.iter().cloned().collect(),
                idle_since_ms: now_ms,
                missed_in_a_row: 0,
                answered: 0,
            },
        );
        // Logging in means "ready to take calls"; NotReady is one command away.
        self.set_agent_state(agent, AgentState::Ready);
        Ok(())
    }

    /// The agent exists, is logged in, and is neither ringing nor talking.
    fn check_idle_agent(&self, agent: &AgentId) -> Result<(), AcdError> {
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

    fn check_offered(&self, call: CallRef, agent: &AgentId) -> Result<(), AcdError> {
        if !self.state.agents.contains_key(agent) {
            return Err(AcdError::UnknownAgent(agent.clone()));
        }
        let record = self
            .state
            .calls
            .get(&call)
            .ok_or(AcdError::UnknownCall(call))?;
        match &record.status {
            CallStatus::Offered { agent: offered, .. } if offered == agent => Ok(()),
            status if status.is_finished() => Err(AcdError::CallFinished(call)),
            _ => Err(AcdError::NotOfferedTo {
                call,
                agent: agent.clone(),
            }),
        }
    }

    fn enqueue(
        &mut self,
        now_ms: u64,
        call: CallRef,
        queue: &QueueId,
        priority: i32,
    ) -> Result<(), AcdError> {
        let max_length = self.queue_config(queue)?.max_length;
        if self.state.calls.contains_key(&call) {
            return Err(AcdError::DuplicateCall(call));
        }
        let arrival = self.state.next_arrival;
        self.state.next_arrival += 1;
        self.state.calls.insert(
            call,
            CallRecord {
                queue: queue.clone(),
                priority,
                enqueued_at_ms: now_ms,
                arrival,
                status: CallStatus::Waiting,
                missed_by: BTreeSet::new(),
            },
        );
        let anyone_logged_in = self
            .state
            .agents
            .values()
            .any(|agent| agent.is_logged_in() && agent.skills.contains_key(queue));
        let waiting = self
            .state
            .calls
            .values()
            .filter(|record| record.status == CallStatus::Waiting && &record.queue == queue)
            .count();
        if !anyone_logged_in {
            self.overflow(call, OverflowReason::NoAgentsLoggedIn);
        } else if max_length.is_some_and(|max| waiting > max) {
            // `waiting` counts this call too.
            self.overflow(call, OverflowReason::MaxLength);
        }
        Ok(())
    }

    fn abandon(&mut self, call: CallRef) -> Result<(), AcdError> {
        let record = self
            .state
            .calls
            .get(&call)
            .ok_or(AcdError::UnknownCall(call))?;
        match record.status.clone() {
            CallStatus::Waiting => self.set_call_status(call, CallStatus::Abandoned),
            CallStatus::Offered { agent, .. } => {
                self.set_call_status(call, CallStatus::Abandoned);
                self.outputs.push_back(Decision::CancelOffer {
                    call,
                    agent: agent.clone(),
                });
                // Not the agent's fault: back to Ready keeping their place.
                self.set_agent_state(&agent, AgentState::Ready);
            }
            CallStatus::OnCall { .. } => return Err(AcdError::AlreadyAnswered(call)),
            CallStatus::Ended | CallStatus::Overflowed(_) | CallStatus::Abandoned => {
                return Err(AcdError::CallFinished(call));
            }
        }
        Ok(())
    }

    fn call_ended(&mut self, now_ms: u64, call: CallRef) -> Result<(), AcdError> {
        let record = self
            .state
            .calls
            .get(&call)
            .ok_or(AcdError::UnknownCall(call))?;
        let CallStatus::OnCall { agent } = record.status.clone() else {
            return Err(if record.status.is_finished() {
                AcdError::CallFinished(call)
            } else {
                AcdError::NotOnCall(call)
            });
        };
        let wrap_up_ms = self.queue_config(&record.queue)?.wrap_up_ms;
        self.set_call_status(call, CallStatus::Ended);
        if wrap_up_ms == 0 {
            self.make_ready(now_ms, &agent);
        } else {
            self.set_agent_state(
                &agent,
                AgentState::WrapUp {
                    until_ms: now_ms.saturating_add(wrap_up_ms),
                },
            );
        }
        Ok(())
    }

    /// The offer of `call` to `agent` was not answered: the call goes back
    /// to its queue (keeping its arrival, so it is at the head of its
    /// priority) and the agent either goes to the back of the idle line or,
    /// after too many misses in a row, NotReady.
    fn no_answer(&mut self, now_ms: u64, call: CallRef, agent: &AgentId) {
        let Some(record) = self.state.calls.get_mut(&call) else {
            return;
        };
        record.status = CallStatus::Waiting;
        record.missed_by.insert(agent.clone());
        let max_misses = self
            .config
            .queues
            .get(&record.queue)
            .map_or(0, |queue| queue.max_no_answers_before_not_ready);
        let Some(agent_record) = self.state.agents.get_mut(agent) else {
            return;
        };
        agent_record.missed_in_a_row += 1;
        if max_misses > 0 && agent_record.missed_in_a_row >= max_misses {
            self.make_not_ready(agent, NO_ANSWER_REASON.to_owned());
        } else {
            self.make_ready(now_ms, agent);
        }
    }

    fn overflow(&mut self, call: CallRef, reason: OverflowReason) {
        let Some(record) = self.state.calls.get_mut(&call) else {
            return;
        };
        record.status = CallStatus::Overflowed(reason);
        self.outputs.push_back(Decision::Overflow {
            call,
            queue: record.queue.clone(),
            reason,
        });
    }

    /// Offers waiting calls to Ready agents until no more pairs can be made:
    /// the best-ranked head of any queue goes first.
    fn dispatch(&mut self, now_ms: u64) {
        while let Some((call, agent, queue)) = self.next_offer(now_ms) {
            let ring_timeout_ms = self
                .config
                .queues
                .get(&queue)
                .map_or(0, |config| config.ring_timeout_ms);
            self.set_call_status(
                call,
                CallStatus::Offered {
                    agent: agent.clone(),
                    ring_deadline_ms: now_ms.saturating_add(ring_timeout_ms),
                },
            );
            self.state
                .round_robin_last
                .insert(queue.clone(), agent.clone());
            self.outputs.push_back(Decision::Offer {
                call,
                agent: agent.clone(),
                queue,
            });
            self.set_agent_state(&agent, AgentState::Reserved { call });
        }
    }

    fn next_offer(&self, now_ms: u64) -> Option<(CallRef, AgentId, QueueId)> {
        let mut heads: Vec<(Reverse<i64>, u64, CallRef, &CallRecord)> = Vec::new();
        for (queue, config) in &self.config.queues {
            let head = self
                .state
                .calls
                .iter()
                .filter(|(_, record)| {
                    record.status == CallStatus::Waiting && &record.queue == queue
                })
                .map(|(call, record)| {
                    (
                        Reverse(record.rank(now_ms, config)),
                        record.arrival,
                        *call,
                        record,
                    )
                })
                .min_by_key(|(rank, arrival, _, _)| (*rank, *arrival));
            heads.extend(head);
        }
        heads.sort_by_key(|(rank, arrival, _, _)| (*rank, *arrival));
        heads.into_iter().find_map(|(_, _, call, record)| {
            let config = self.config.queues.get(&record.queue)?;
            let agent = pick_agent(
                config.strategy,
                &record.queue,
                &self.state.agents,
                &record.missed_by,
                self.state.round_robin_last.get(&record.queue),
            )?;
            Some((call, agent, record.queue.clone()))
        })
    }

    fn set_call_status(&mut self, call: CallRef, status: CallStatus) {
        if let Some(record) = self.state.calls.get_mut(&call) {
            record.status = status;
        }
    }

    fn make_ready(&mut self, now_ms: u64, agent: &AgentId) {
        if let Some(record) = self.state.agents.get_mut(agent)
            && record.state != AgentState::Ready
        {
            record.idle_since_ms = now_ms;
        }
        self.set_agent_state(agent, AgentState::Ready);
    }

    fn make_not_ready(&mut self, agent: &AgentId, reason: String) {
        if let Some(record) = self.state.agents.get_mut(agent) {
            record.missed_in_a_row = 0;
        }
        self.set_agent_state(agent, AgentState::NotReady { reason });
    }

    /// Changes an agent's state and tells the wallboard, if it changed.
    fn set_agent_state(&mut self, agent: &AgentId, state: AgentState) {
        let Some(record) = self.state.agents.get_mut(agent) else {
            return;
        };
        if record.state == state {
            return;
        }
        record.state = state.clone();
        self.outputs.push_back(Decision::AgentState {
            agent: agent.clone(),
            state,
        });
    }
}
