//! Property tests of the ACD invariants over random command sequences on a
//! few agents, up to four queues (added, changed and removed on the way,
//! every strategy, sticky agents, widening into another queue) and a
//! handful of calls: no call connected to two agents (nor, outside RingAll,
//! offered to two), no call lost, FIFO within a priority and phase, no agent
//! stuck, replay is exact, and the indexes agree with a rebuild after every
//! step (`Acd::check_consistency`).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sb_acd::{
    Acd, AcdConfig, AgentId, AgentState, CallRef, CallStatus, Command, Decision, Event,
    QueueConfig, QueueId, Strategy as Distribution,
};

const AGENTS: usize = 4;
const CALLS: u64 = 10;
/// Queues 0-2 exist at the start; 3 only once a SetQueue adds it.
const QUEUES: usize = 4;
/// Long enough for any ring, wrap-up, sticky wait, widening or max wait to expire.
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
        preferred: Option<usize>,
    },
    Abandon {
        call: u64,
    },
    /// Answered by the `pick`-th agent ringing, if any (else a refused answer).
    Answer {
        call: u64,
        pick: usize,
    },
    NoAnswer {
        call: u64,
        pick: usize,
    },
    CallEnded {
        call: u64,
    },
    Advance {
        ms: u64,
    },
    SetQueue {
        queue: usize,
        config: QueueConfig,
    },
    RemoveQueue {
        queue: usize,
    },
}

fn agent_id(index: usize) -> AgentId {
    AgentId::new(format!("agent-{index}"))
}

fn queue_id(index: usize) -> QueueId {
    QueueId::new(format!("queue-{index}"))
}

fn distribution() -> impl Strategy<Value = Distribution> {
    prop::sample::select(vec![
        Distribution::LongestIdle,
        Distribution::RoundRobin,
        Distribution::FewestCalls,
        Distribution::HighestSkill,
        Distribution::RingAll,
        Distribution::Random,
    ])
}

fn queue_config() -> impl Strategy<Value = QueueConfig> {
    let timing = (
        distribution(),
        500u64..3_000,
        prop_oneof![Just(0u64), 100u64..2_000],
        prop::option::of(5_000u64..30_000),
        prop::option::of(1usize..4),
        0u32..3,
        0i64..3,
    );
    let routing = (
        prop::option::of(0u64..10_000),
        1u8..5,
        prop::option::of(0u64..8_000),
        1u8..5,
        prop::option::of(0..QUEUES),
        0u64..5_000,
    );
    (timing, routing).prop_map(
        |(
            (strategy, ring_timeout_ms, wrap_up_ms, max_wait_ms, max_length, misses, aging),
            (sticky_wait_ms, min_skill, widen_after_ms, widened_min_skill, widen_to, sl_ms),
        )| QueueConfig {
            strategy,
            ring_timeout_ms,
            wrap_up_ms,
            max_wait_ms,
            max_length,
            max_no_answers_before_not_ready: misses,
            aging_per_second: aging,
            sticky_wait_ms,
            min_skill,
            widen_after_ms,
            widened_min_skill,
            widen_to_queue: widen_to.map(queue_id),
            service_level_ms: sl_ms,
        },
    )
}

fn config() -> impl Strategy<Value = AcdConfig> {
    prop::collection::vec(queue_config(), 3).prop_map(|queues| AcdConfig {
        queues: queues
            .into_iter()
            .enumerate()
            .map(|(index, config)| (queue_id(index), config))
            .collect(),
    })
}

fn step() -> impl Strategy<Value = Step> {
    let agent = 0..AGENTS;
    let call = 0..CALLS;
    prop_oneof![
        4 => (agent.clone(), 1u8..16, 0u8..12).prop_map(|(agent, queues, skill)| Step::Login {
            agent,
            queues,
            skill
        }),
        2 => agent.clone().prop_map(|agent| Step::Logout { agent }),
        3 => agent.clone().prop_map(|agent| Step::SetReady { agent }),
        2 => agent.clone().prop_map(|agent| Step::SetNotReady { agent }),
        6 => (call.clone(), 0..QUEUES, 0..3i32, prop::option::of(agent)).prop_map(
            |(call, queue, priority, preferred)| Step::Enqueue {
                call,
                queue,
                priority,
                preferred,
            }
        ),
        2 => call.clone().prop_map(|call| Step::Abandon { call }),
        4 => (call.clone(), 0..3usize).prop_map(|(call, pick)| Step::Answer { call, pick }),
        2 => (call.clone(), 0..3usize).prop_map(|(call, pick)| Step::NoAnswer { call, pick }),
        3 => call.prop_map(|call| Step::CallEnded { call }),
        4 => (0u64..6_000).prop_map(|ms| Step::Advance { ms }),
        1 => (0..QUEUES, queue_config()).prop_map(|(queue, config)| Step::SetQueue { queue, config }),
        1 => (0..QUEUES).prop_map(|queue| Step::RemoveQueue { queue }),
    ]
}

/// The `pick`-th agent a call is ringing, or agent 0 (whose answer is then
/// refused).
fn ringing_agent(acd: &Acd, call: u64, pick: usize) -> AgentId {
    let ringing = acd
        .call_status(CallRef(call))
        .map(CallStatus::ringing_agents)
        .unwrap_or_default();
    if ringing.is_empty() {
        return agent_id(0);
    }
    ringing[pick % ringing.len()].clone()
}

fn command(acd: &Acd, step: &Step) -> Option<Command> {
    Some(match step {
        Step::Login {
            agent,
            queues,
            skill,
        } => Command::Login {
            agent: agent_id(*agent),
            queues: (0..QUEUES)
                .filter(|queue| queues & (1 << queue) != 0)
                .map(|queue| (queue_id(queue), *skill))
                .collect(),
        },
        Step::Logout { agent } => Command::Logout {
            agent: agent_id(*agent),
        },
        Step::SetReady { agent } => Command::SetReady {
            agent: agent_id(*agent),
        },
        Step::SetNotReady { agent } => Command::SetNotReady {
            agent: agent_id(*agent),
            reason: "break".to_owned(),
        },
        Step::Enqueue {
            call,
            queue,
            priority,
            preferred,
        } => Command::Enqueue {
            call: CallRef(*call),
            queue: queue_id(*queue),
            priority: *priority,
            preferred_agent: preferred.map(agent_id),
        },
        Step::Abandon { call } => Command::Abandon {
            call: CallRef(*call),
        },
        Step::Answer { call, pick } => Command::Answered {
            call: CallRef(*call),
            agent: ringing_agent(acd, *call, *pick),
        },
        Step::NoAnswer { call, pick } => Command::NoAnswer {
            call: CallRef(*call),
            agent: ringing_agent(acd, *call, *pick),
        },
        Step::CallEnded { call } => Command::CallEnded {
            call: CallRef(*call),
        },
        Step::SetQueue { queue, config } => Command::SetQueue {
            queue: queue_id(*queue),
            config: config.clone(),
        },
        Step::RemoveQueue { queue } => Command::RemoveQueue {
            queue: queue_id(*queue),
        },
        Step::Advance { .. } => return None,
    })
}

/// Drives one ACD and checks the invariants after every step.
struct Harness {
    acd: Acd,
    now_ms: u64,
    log: Vec<Event>,
    /// Accepted calls that have not finished, as far as the decisions and
    /// statuses tell.
    live: BTreeSet<CallRef>,
    finished: BTreeMap<CallRef, CallStatus>,
    answered: BTreeSet<CallRef>,
}

impl Harness {
    fn new(config: AcdConfig) -> Self {
        Harness {
            acd: Acd::new(config),
            now_ms: 0,
            log: Vec::new(),
            live: BTreeSet::new(),
            finished: BTreeMap::new(),
            answered: BTreeSet::new(),
        }
    }

    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let before = self.acd.snapshot();
        let timeout_before = self.acd.poll_timeout();
        match command(&self.acd, step) {
            None => {
                if let Step::Advance { ms } = step {
                    self.now_ms += ms;
                }
                prop_assert_eq!(self.acd.handle_timeout(self.now_ms), Ok(()));
            }
            Some(command) => {
                let accepted = command.clone();
                match self.acd.handle(self.now_ms, command) {
                    Ok(()) => self.accepted(&accepted)?,
                    Err(_) => {
                        prop_assert_eq!(self.acd.snapshot(), before);
                        prop_assert_eq!(self.acd.poll_timeout(), timeout_before);
                        prop_assert_eq!(self.acd.poll_output(), None);
                        prop_assert!(self.acd.take_events().is_empty());
                        return Ok(());
                    }
                }
            }
        }
        self.checked()
    }

    fn accepted(&mut self, command: &Command) -> Result<(), TestCaseError> {
        match command {
            Command::Enqueue { call, .. } => {
                prop_assert!(!self.live.contains(call), "{call} enqueued twice");
                self.finished.remove(call);
                self.live.insert(*call);
            }
            Command::Answered { call, .. } => {
                prop_assert!(self.answered.insert(*call), "{call} answered twice");
            }
            _ => {}
        }
        Ok(())
    }

    fn check(&mut self, decisions: &[Decision]) -> Result<(), TestCaseError> {
        if let Err(problem) = self.acd.check_consistency() {
            prop_assert!(false, "{}", problem);
        }
        let snapshot = self.acd.snapshot();
        // No call lost: a call the ACD accepted is live, or has finished
        // with a final status that never changes again.
        for call in self.live.clone() {
            if snapshot.calls.contains_key(&call) {
                continue;
            }
            let status = self.acd.call_status(call).cloned();
            prop_assert!(
                status.as_ref().is_some_and(CallStatus::is_finished),
                "{} vanished ({:?})",
                call,
                status
            );
            self.live.remove(&call);
            if let Some(status) = status {
                if matches!(status, CallStatus::Overflowed(_)) {
                    let told = decisions
                        .iter()
                        .any(|d| matches!(d, Decision::Overflow { call: c, .. } if *c == call));
                    prop_assert!(told, "{} overflowed without an Overflow decision", call);
                }
                self.finished.insert(call, status);
            }
        }
        let known: BTreeSet<CallRef> = snapshot.calls.keys().copied().collect();
        prop_assert_eq!(&known, &self.live);
        for (call, status) in &self.finished {
            prop_assert_eq!(self.acd.call_status(*call), Some(status));
        }
        check_offers(&snapshot, decisions)?;
        check_positions(&self.acd, &snapshot)
    }

    /// Serves every call that can be served, with every agent made Ready
    /// and time moved on, until no timer is left.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..CALLS * 4 {
            self.serve_everyone()?;
            if self.acd.poll_timeout().is_none() {
                break;
            }
            self.now_ms += FAR_MS;
            prop_assert_eq!(self.acd.handle_timeout(self.now_ms), Ok(()));
            self.checked()?;
        }
        Ok(())
    }

    /// Answers every offer, ends every answered call and makes every
    /// NotReady agent Ready, one command at a time, until none is left.
    fn serve_everyone(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..CALLS * 20 {
            let snapshot = self.acd.snapshot();
            let call_action =
                snapshot
                    .calls
                    .iter()
                    .find_map(|(call, record)| match &record.status {
                        CallStatus::OnCall { .. } => Some(Command::CallEnded { call: *call }),
                        status => status
                            .ringing_agents()
                            .first()
                            .map(|agent| Command::Answered {
                                call: *call,
                                agent: (*agent).clone(),
                            }),
                    });
            let agent_action = || {
                snapshot.agents.iter().find_map(|(agent, record)| {
                    matches!(record.state, AgentState::NotReady { .. }).then(|| Command::SetReady {
                        agent: agent.clone(),
                    })
                })
            };
            match call_action.or_else(agent_action) {
                Some(command) => self.must(command)?,
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// Applies a command that must be accepted, and checks.
    fn must(&mut self, command: Command) -> Result<(), TestCaseError> {
        prop_assert_eq!(self.acd.handle(self.now_ms, command.clone()), Ok(()));
        self.accepted(&command)?;
        self.checked()
    }

    fn checked(&mut self) -> Result<(), TestCaseError> {
        let decisions: Vec<Decision> = std::iter::from_fn(|| self.acd.poll_output()).collect();
        self.log.extend(self.acd.take_events());
        self.check(&decisions)
    }
}

/// Outside RingAll a call is offered to one agent at a time; and no call is
/// offered while an earlier call of the same queue, priority and phase
/// (neither sticky, both widened or both not) still waits.
fn check_offers(after: &sb_acd::AcdSnapshot, decisions: &[Decision]) -> Result<(), TestCaseError> {
    let mut offers: BTreeMap<CallRef, usize> = BTreeMap::new();
    for decision in decisions {
        if let Decision::Offer { call, .. } = decision {
            *offers.entry(*call).or_default() += 1;
        }
    }
    for (call, count) in &offers {
        let Some(offered) = after.calls.get(call) else {
            continue;
        };
        let strategy = after.queues.get(&offered.queue).map(|q| q.config.strategy);
        prop_assert!(
            *count == 1 || strategy == Some(Distribution::RingAll),
            "{} offered to {} agents in a {:?} queue",
            call,
            count,
            strategy
        );
        let overtaken = after.calls.iter().find(|(_, waiting)| {
            waiting.status == CallStatus::Waiting
                && waiting.queue == offered.queue
                && waiting.priority == offered.priority
                && waiting.arrival < offered.arrival
                && waiting.sticky_agent.is_none()
                && offered.sticky_agent.is_none()
                && waiting.widened == offered.widened
        });
        prop_assert!(
            overtaken.is_none(),
            "{} offered before the earlier {:?}",
            call,
            overtaken
        );
    }
    Ok(())
}

/// Positions within each queue are 1..=waiting, each once.
fn check_positions(acd: &Acd, snapshot: &sb_acd::AcdSnapshot) -> Result<(), TestCaseError> {
    let mut by_queue: BTreeMap<&QueueId, Vec<usize>> = BTreeMap::new();
    for (call, record) in &snapshot.calls {
        let position = acd.position(*call);
        if record.status != CallStatus::Waiting {
            prop_assert_eq!(position, None);
            continue;
        }
        let Some(position) = position else {
            prop_assert!(false, "waiting {} has no position", call);
            continue;
        };
        by_queue
            .entry(&record.queue)
            .or_default()
            .push(position.position);
    }
    for (queue, mut positions) in by_queue {
        positions.sort_unstable();
        let expected: Vec<usize> = (1..=positions.len()).collect();
        prop_assert_eq!(&positions, &expected, "positions in {}", queue);
        let stats = acd.queue_stats(queue, snapshot.last_now_ms);
        prop_assert_eq!(stats.map(|s| s.waiting), Some(positions.len()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 768,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_and_replay_is_exact(
        config in config(),
        steps in prop::collection::vec(step(), 1..100),
    ) {
        let mut harness = Harness::new(config.clone());
        for step in &steps {
            harness.run(step)?;
        }
        let replayed = Acd::replay(config.clone(), &harness.log);
        prop_assert_eq!(replayed.map(|acd| acd.snapshot()), Ok(harness.acd.snapshot()));

        harness.settle()?;
        for (agent, record) in harness.acd.agents() {
            prop_assert!(
                matches!(record.state, AgentState::Ready | AgentState::LoggedOut),
                "{} stuck in {:?}",
                agent,
                record.state
            );
        }
        let replayed = Acd::replay(config, &harness.log);
        prop_assert_eq!(replayed.map(|acd| acd.snapshot()), Ok(harness.acd.snapshot()));
    }
}
