//! Property tests of the ACD invariants over random command sequences on a
//! few agents, two queues and a handful of calls: no call on two agents, no
//! call lost, FIFO within a priority, no agent stuck, replay is exact.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sb_acd::{
    Acd, AcdConfig, AcdSnapshot, AgentId, AgentState, CallRef, CallStatus, Command, Decision,
    Event, QueueConfig, QueueId, Strategy as Distribution,
};

const AGENTS: usize = 3;
const CALLS: u64 = 8;
/// Long enough for any ring, wrap-up or max wait in `config` to expire.
const FAR_MS: u64 = 1_000_000;

#[derive(Debug, Clone)]
enum Step {
    Login {
        agent: usize,
        queues: u8,
        skill: u8,
    },
    Logout {
        agent: usize,
    },
    SetReady {
        agent: usize,
    },
    SetNotReady {
        agent: usize,
    },
    Enqueue {
        call: u64,
        queue: usize,
        priority: i32,
    },
    Abandon {
        call: u64,
    },
    /// Answered by the agent ringing, if any (else a refused answer).
    Answer {
        call: u64,
    },
    NoAnswer {
        call: u64,
    },
    CallEnded {
        call: u64,
    },
    Advance {
        ms: u64,
    },
}

fn agent_id(index: usize) -> AgentId {
    AgentId::new(format!("agent-{index}"))
}

fn queue_id(index: usize) -> QueueId {
    QueueId::new(format!("queue-{index}"))
}

fn distribution() -> impl proptest::strategy::Strategy<Value = Distribution> {
    prop::sample::select(vec![
        Distribution::LongestIdle,
        Distribution::RoundRobin,
        Distribution::FewestCalls,
        Distribution::HighestSkill,
    ])
}

fn config(first: Distribution, second: Distribution) -> AcdConfig {
    AcdConfig::default()
        .with_queue(
            queue_id(0),
            QueueConfig {
                strategy: first,
                ring_timeout_ms: 1_000,
                wrap_up_ms: 500,
                max_wait_ms: Some(20_000),
                max_length: Some(3),
                max_no_answers_before_not_ready: 2,
                aging_per_second: 0,
            },
        )
        .with_queue(
            queue_id(1),
            QueueConfig {
                strategy: second,
                ring_timeout_ms: 2_000,
                wrap_up_ms: 0,
                max_wait_ms: None,
                max_length: None,
                max_no_answers_before_not_ready: 0,
                aging_per_second: 0,
            },
        )
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    let agent = 0..AGENTS;
    let call = 0..CALLS;
    prop_oneof![
        (agent.clone(), 1u8..4, 0u8..12).prop_map(|(agent, queues, skill)| Step::Login {
            agent,
            queues,
            skill
        }),
        agent.clone().prop_map(|agent| Step::Logout { agent }),
        agent.clone().prop_map(|agent| Step::SetReady { agent }),
        agent.prop_map(|agent| Step::SetNotReady { agent }),
        (call.clone(), 0..2usize, 0..3i32).prop_map(|(call, queue, priority)| Step::Enqueue {
            call,
            queue,
            priority
        }),
        call.clone().prop_map(|call| Step::Abandon { call }),
        call.clone().prop_map(|call| Step::Answer { call }),
        call.clone().prop_map(|call| Step::NoAnswer { call }),
        call.prop_map(|call| Step::CallEnded { call }),
        (0u64..3_000).prop_map(|ms| Step::Advance { ms }),
    ]
}

/// The agent a call is ringing, or agent 0 (whose answer is then refused).
fn ringing_agent(acd: &Acd, call: u64) -> AgentId {
    match acd.call_status(CallRef(call)) {
        Some(CallStatus::Offered { agent, .. }) => agent.clone(),
        _ => agent_id(0),
    }
}

fn command(acd: &Acd, step: &Step) -> Option<Command> {
    Some(match *step {
        Step::Login {
            agent,
            queues,
            skill,
        } => Command::Login {
            agent: agent_id(agent),
            queues: (0..2)
                .filter(|queue| queues & (1 << queue) != 0)
                .map(|queue| (queue_id(queue), skill))
                .collect(),
        },
        Step::Logout { agent } => Command::Logout {
            agent: agent_id(agent),
        },
        Step::SetReady { agent } => Command::SetReady {
            agent: agent_id(agent),
        },
        Step::SetNotReady { agent } => Command::SetNotReady {
            agent: agent_id(agent),
            reason: "break".to_owned(),
        },
        Step::Enqueue {
            call,
            queue,
            priority,
        } => Command::Enqueue {
            call: CallRef(call),
            queue: queue_id(queue),
            priority,
        },
        Step::Abandon { call } => Command::Abandon {
            call: CallRef(call),
        },
        Step::Answer { call } => Command::Answered {
            call: CallRef(call),
            agent: ringing_agent(acd, call),
        },
        Step::NoAnswer { call } => Command::NoAnswer {
            call: CallRef(call),
            agent: ringing_agent(acd, call),
        },
        Step::CallEnded { call } => Command::CallEnded {
            call: CallRef(call),
        },
        Step::Advance { .. } => return None,
    })
}

/// Drives one ACD and checks the invariants after every step.
struct Harness {
    acd: Acd,
    now_ms: u64,
    log: Vec<Event>,
    accepted_calls: BTreeSet<CallRef>,
    finished: BTreeMap<CallRef, CallStatus>,
}

impl Harness {
    fn new(config: AcdConfig) -> Self {
        Harness {
            acd: Acd::new(config),
            now_ms: 0,
            log: Vec::new(),
            accepted_calls: BTreeSet::new(),
            finished: BTreeMap::new(),
        }
    }

    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let before = self.acd.snapshot();
        match command(&self.acd, step) {
            None => {
                if let Step::Advance { ms } = step {
                    self.now_ms += ms;
                }
                prop_assert_eq!(self.acd.handle_timeout(self.now_ms), Ok(()));
            }
            Some(command) => {
                let enqueued = match &command {
                    Command::Enqueue { call, .. } => Some(*call),
                    _ => None,
                };
                match self.acd.handle(self.now_ms, command) {
                    Ok(()) => self.accepted_calls.extend(enqueued),
                    Err(_) => {
                        prop_assert_eq!(self.acd.snapshot(), before);
                        prop_assert_eq!(self.acd.poll_output(), None);
                        prop_assert!(self.acd.take_events().is_empty());
                        return Ok(());
                    }
                }
            }
        }
        let decisions: Vec<Decision> = std::iter::from_fn(|| self.acd.poll_output()).collect();
        self.log.extend(self.acd.take_events());
        self.check(&decisions)
    }

    fn check(&mut self, decisions: &[Decision]) -> Result<(), TestCaseError> {
        let snapshot = self.acd.snapshot();
        check_one_call_per_agent(&snapshot)?;
        // No call lost: every accepted call has exactly one status, and a
        // finished call never comes back.
        let known: BTreeSet<CallRef> = snapshot.calls.keys().copied().collect();
        prop_assert_eq!(&known, &self.accepted_calls);
        for (call, record) in &snapshot.calls {
            if let Some(final_status) = self.finished.get(call) {
                prop_assert_eq!(&record.status, final_status);
            } else if record.status.is_finished() {
                self.finished.insert(*call, record.status.clone());
            }
        }
        check_fifo(&snapshot, decisions)
    }

    /// Serves every call that can be served, with every agent made Ready,
    /// until nothing more happens.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..(CALLS as usize * 4) {
            let snapshot = self.acd.snapshot();
            for (call, record) in &snapshot.calls {
                if let CallStatus::Offered { agent, .. } = &record.status {
                    let answered = Command::Answered {
                        call: *call,
                        agent: agent.clone(),
                    };
                    prop_assert_eq!(self.acd.handle(self.now_ms, answered), Ok(()));
                }
                if matches!(
                    record.status,
                    CallStatus::Offered { .. } | CallStatus::OnCall { .. }
                ) {
                    let ended = Command::CallEnded { call: *call };
                    prop_assert_eq!(self.acd.handle(self.now_ms, ended), Ok(()));
                }
            }
            for (agent, record) in &snapshot.agents {
                if matches!(record.state, AgentState::NotReady { .. }) {
                    let ready = Command::SetReady {
                        agent: agent.clone(),
                    };
                    prop_assert_eq!(self.acd.handle(self.now_ms, ready), Ok(()));
                }
            }
            self.now_ms += FAR_MS;
            prop_assert_eq!(self.acd.handle_timeout(self.now_ms), Ok(()));
            let decisions: Vec<Decision> = std::iter::from_fn(|| self.acd.poll_output()).collect();
            self.log.extend(self.acd.take_events());
            self.check(&decisions)?;
        }
        Ok(())
    }
}

/// A call rings at most one agent and an agent rings with at most one call:
/// the call and agent sides agree on every offer and every answered call.
fn check_one_call_per_agent(snapshot: &AcdSnapshot) -> Result<(), TestCaseError> {
    for (call, record) in &snapshot.calls {
        match &record.status {
            CallStatus::Offered { agent, .. } => prop_assert_eq!(
                &snapshot.agents[agent].state,
                &AgentState::Reserved { call: *call }
            ),
            CallStatus::OnCall { agent } => prop_assert_eq!(
                &snapshot.agents[agent].state,
                &AgentState::OnCall { call: *call }
            ),
            _ => {}
        }
    }
    for (agent, record) in &snapshot.agents {
        let consistent = match &record.state {
            AgentState::Reserved { call } => matches!(
                &snapshot.calls[call].status,
                CallStatus::Offered { agent: ringing, .. } if ringing == agent
            ),
            AgentState::OnCall { call } => matches!(
                &snapshot.calls[call].status,
                CallStatus::OnCall { agent: talking } if talking == agent
            ),
            _ => true,
        };
        prop_assert!(
            consistent,
            "{} is {:?} but the call disagrees",
            agent,
            record.state
        );
    }
    Ok(())
}

/// No call offered while an earlier call of the same queue and priority is
/// still waiting.
fn check_fifo(snapshot: &AcdSnapshot, decisions: &[Decision]) -> Result<(), TestCaseError> {
    for decision in decisions {
        let Decision::Offer { call, .. } = decision else {
            continue;
        };
        let offered = &snapshot.calls[call];
        let overtaken = snapshot.calls.iter().find(|(_, other)| {
            other.status == CallStatus::Waiting
                && other.queue == offered.queue
                && other.priority == offered.priority
                && other.arrival < offered.arrival
        });
        prop_assert!(
            overtaken.is_none(),
            "{call} offered before the earlier {overtaken:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_and_replay_is_exact(
        first in distribution(),
        second in distribution(),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let config = config(first, second);
        let mut harness = Harness::new(config.clone());
        for step in &steps {
            harness.run(step)?;
        }
        let replayed = Acd::replay(config.clone(), &harness.log);
        prop_assert_eq!(replayed.map(|acd| acd.snapshot()), Ok(harness.acd.snapshot()));

        harness.settle()?;
        for (agent, record) in &harness.acd.snapshot().agents {
            prop_assert!(
                matches!(record.state, AgentState::Ready | AgentState::LoggedOut),
                "{agent} stuck in {:?}",
                record.state
            );
        }
        let replayed = Acd::replay(config, &harness.log);
        prop_assert_eq!(replayed.map(|acd| acd.snapshot()), Ok(harness.acd.snapshot()));
    }
}
