//! The ACD state machine: commands and timer expiries in, decisions out.
//!
//! This file holds the public surface and the timers; the command handlers
//! are in `commands` and `queues`, the bookkeeping every change goes through
//! in `update`, the matching of calls and agents in `dispatch`, the
//! read-only views in `views` and the consistency check in `check`.

use std::collections::{BTreeMap, VecDeque};

use crate::agent::AgentState;
use crate::call::{CallStatus, OverflowReason};
use crate::command::{Command, Event};
use crate::config::AcdConfig;
use crate::decision::Decision;
use crate::error::AcdError;
use crate::ids::{AgentId, CallRef};
use crate::index::{Indexes, due};
use crate::snapshot::{AcdSnapshot, QueueRecord};

#[derive(Debug)]
pub struct Acd {
    pub(crate) state: AcdSnapshot,
    pub(crate) index: Indexes,
    pub(crate) outputs: VecDeque<Decision>,
    pub(crate) events: Vec<Event>,
    /// Calls that became Waiting or more widely eligible, and agents that
    /// became Ready, since the last dispatch: the only ones that can form a
    /// new (call, agent) pair, since dispatch leaves no waiting call with an
    /// eligible Ready agent.
    pub(crate) dirty_calls: Vec<CallRef>,
    pub(crate) dirty_agents: Vec<AgentId>,
}

impl Acd {
    /// An ACD with the queues of `config` (see [`AcdConfig::validate`]).
    pub fn new(config: AcdConfig) -> Self {
        let state = AcdSnapshot {
            last_now_ms: 0,
            agents: BTreeMap::new(),
            calls: BTreeMap::new(),
            queues: config
                .queues
                .into_iter()
                .map(|(queue, config)| {
                    let record = QueueRecord {
                        config,
                        counters: Default::default(),
                    };
                    (queue, record)
                })
                .collect(),
            round_robin_last: BTreeMap::new(),
            next_arrival: 0,
            random_draws: 0,
            recently_finished: VecDeque::new(),
        };
        Acd {
            index: Indexes::build(&state),
            state,
            outputs: VecDeque::new(),
            events: Vec::new(),
            dirty_calls: Vec::new(),
            dirty_agents: Vec::new(),
        }
    }

    /// Rebuilds an ACD from its event log and the config it started with
    /// (queue changes are in the log). The decisions the log re-derives were
    /// acted on the first time, so they are dropped, and the log starts
    /// empty (it is already stored).
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

    /// The next instant [`Acd::handle_timeout`] has work to do (possibly
    /// already past, e.g. after a queue's waits were shortened).
    pub fn poll_timeout(&self) -> Option<u64> {
        self.index.timers.next_deadline()
    }

    /// Drains the accepted inputs recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// A copy of the whole state (tests, replay checks; O(state)).
    pub fn snapshot(&self) -> AcdSnapshot {
        self.state.clone()
    }

    pub fn agent_state(&self, agent: &AgentId) -> Option<&AgentState> {
        self.state.agents.get(agent).map(|record| &record.state)
    }

    /// A live call's status, or a recently finished call's final status.
    pub fn call_status(&self, call: CallRef) -> Option<&CallStatus> {
        self.state
            .calls
            .get(&call)
            .map(|record| &record.status)
            .or_else(|| self.index.finished.get(&call))
    }

    /// Applies one command. A refused command changes nothing.
    pub fn handle(&mut self, now_ms: u64, command: Command) -> Result<(), AcdError> {
        self.check_clock(now_ms)?;
        match &command {
            Command::Login { agent, queues } => self.login(now_ms, agent, queues)?,
            Command::Logout { agent } => self.logout(agent)?,
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
                preferred_agent,
            } => self.enqueue(now_ms, *call, queue, *priority, preferred_agent.as_ref())?,
            Command::Abandon { call } => self.abandon(*call)?,
            Command::Answered { call, agent } => self.answered(now_ms, *call, agent)?,
            Command::NoAnswer { call, agent } => {
                self.check_offered(*call, agent)?;
                self.miss(now_ms, *call, agent);
            }
            Command::PickedUp { call } => self.picked_up(now_ms, *call)?,
            Command::CallEnded { call } => self.call_ended(now_ms, *call)?,
            Command::SetQueue { queue, config } => self.set_queue(queue, config)?,
            Command::RemoveQueue { queue } => self.remove_queue(queue)?,
        }
        self.state.last_now_ms = now_ms;
        self.events.push(Event::Command { now_ms, command });
        self.dispatch(now_ms);
        Ok(())
    }

    /// Fires every timer due at `now_ms`: ring timeouts (the offers are
    /// cancelled and count as no-answers), ends of wrap-up (to Ready), ends
    /// of sticky waits, widenings and maximum waits (Overflow).
    pub fn handle_timeout(&mut self, now_ms: u64) -> Result<(), AcdError> {
        self.check_clock(now_ms)?;
        let timers = &self.index.timers;
        let rung_out = due(&timers.ring, now_ms);
        let wrapped_up = due(&timers.wrap_up, now_ms);
        let sticky_over = due(&timers.sticky, now_ms);
        let widened = due(&timers.widen, now_ms);
        for call in &rung_out {
            let agents: Vec<AgentId> = self
                .state
                .calls
                .get(call)
                .map(|record| {
                    record
                        .status
                        .ringing_agents()
                        .into_iter()
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for agent in agents {
                self.outputs.push_back(Decision::CancelOffer {
                    call: *call,
                    agent: agent.clone(),
                });
                self.miss(now_ms, *call, &agent);
            }
        }
        for agent in &wrapped_up {
            self.make_ready(now_ms, agent);
        }
        for call in &sticky_over {
            self.update_call(*call, |record| record.sticky_agent = None);
        }
        for call in &widened {
            self.update_call(*call, |record| record.widened = true);
        }
        // After the ring timeouts: a call back from an unanswered offer may
        // have waited too long already.
        let waited_too_long = due(&self.index.timers.max_wait, now_ms);
        for call in &waited_too_long {
            self.overflow(*call, OverflowReason::MaxWait);
        }
        let fired = [
            rung_out.len(),
            wrapped_up.len(),
            sticky_over.len(),
            widened.len(),
            waited_too_long.len(),
        ];
        // Only a timeout that fired is logged, so only it moves the clock:
        // the clock must be rebuilt from the log alone.
        if fired.iter().any(|count| *count > 0) {
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
}
