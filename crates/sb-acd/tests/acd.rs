//! Scenario tests on virtual time: one behaviour each.

use sb_acd::{
    Acd, AcdConfig, AcdError, AgentId, AgentState, CallRef, CallStatus, Command, Decision,
    OverflowReason, QueueConfig, QueueId, Strategy,
};

fn agent(name: &str) -> AgentId {
    AgentId::new(name)
}

fn sales() -> QueueId {
    QueueId::new("sales")
}

fn acd_with(config: QueueConfig) -> Acd {
    Acd::new(AcdConfig::default().with_queue(sales(), config))
}

fn login(acd: &mut Acd, now_ms: u64, name: &str, skill: u8) {
    let command = Command::Login {
        agent: agent(name),
        queues: vec![(sales(), skill)],
    };
    assert_eq!(acd.handle(now_ms, command), Ok(()));
}

fn enqueue(acd: &mut Acd, now_ms: u64, call: u64, priority: i32) {
    let command = Command::Enqueue {
        call: CallRef(call),
        queue: sales(),
        priority,
        preferred_agent: None,
    };
    assert_eq!(acd.handle(now_ms, command), Ok(()));
}

fn offers(acd: &mut Acd) -> Vec<(u64, String)> {
    std::iter::from_fn(|| acd.poll_output())
        .filter_map(|decision| match decision {
            Decision::Offer { call, agent, .. } => Some((call.0, agent.as_str().to_owned())),
            _ => None,
        })
        .collect()
}

fn drain(acd: &mut Acd) -> Vec<Decision> {
    std::iter::from_fn(|| acd.poll_output()).collect()
}

fn answer(acd: &mut Acd, now_ms: u64, call: u64, name: &str) {
    let command = Command::Answered {
        call: CallRef(call),
        agent: agent(name),
    };
    assert_eq!(acd.handle(now_ms, command), Ok(()));
}

fn end(acd: &mut Acd, now_ms: u64, call: u64) {
    let command = Command::CallEnded {
        call: CallRef(call),
    };
    assert_eq!(acd.handle(now_ms, command), Ok(()));
}

fn strategy(strategy: Strategy) -> QueueConfig {
    QueueConfig {
        strategy,
        ..QueueConfig::default()
    }
}

#[test]
fn longest_idle_picks_the_agent_ready_the_longest() {
    let mut acd = acd_with(strategy(Strategy::LongestIdle));
    login(&mut acd, 0, "b", 5);
    login(&mut acd, 10, "a", 5);
    enqueue(&mut acd, 20, 1, 0);
    assert_eq!(offers(&mut acd), vec![(1, "b".to_owned())]);
}

#[test]
fn round_robin_rotates_in_id_order() {
    let mut acd = acd_with(strategy(Strategy::RoundRobin));
    for name in ["a", "b", "c"] {
        login(&mut acd, 0, name, 5);
    }
    let mut offered = Vec::new();
    for call in 1..=4 {
        enqueue(&mut acd, call * 10, call, 0);
        let (_, name) = offers(&mut acd).remove(0);
        answer(&mut acd, call * 10, call, &name);
        end(&mut acd, call * 10 + 1, call);
        offered.push(name);
    }
    assert_eq!(offered, ["a", "b", "c", "a"]);
}

#[test]
fn fewest_calls_picks_the_agent_with_fewest_answered() {
    let mut acd = acd_with(strategy(Strategy::FewestCalls));
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1, 1, 0);
    answer(&mut acd, 2, 1, "a");
    end(&mut acd, 3, 1);
    // "a" is now idle since 3 but "b", idle since 4, has answered none.
    login(&mut acd, 4, "b", 5);
    drain(&mut acd);
    enqueue(&mut acd, 5, 2, 0);
    assert_eq!(offers(&mut acd), vec![(2, "b".to_owned())]);
}

#[test]
fn highest_skill_wins_and_ties_go_to_longest_idle() {
    let mut acd = acd_with(strategy(Strategy::HighestSkill));
    login(&mut acd, 0, "high-old", 9);
    login(&mut acd, 0, "low", 3);
    login(&mut acd, 1, "high-new", 9);
    enqueue(&mut acd, 5, 1, 0);
    assert_eq!(offers(&mut acd), vec![(1, "high-old".to_owned())]);
}

#[test]
fn higher_priority_first_then_fifo() {
    let mut acd = acd_with(QueueConfig::default());
    enqueue_with_one_agent_not_ready(&mut acd);
    enqueue(&mut acd, 1, 1, 0);
    enqueue(&mut acd, 2, 2, 5);
    enqueue(&mut acd, 3, 3, 0);
    enqueue(&mut acd, 4, 4, 5);
    assert_eq!(
        acd.handle(100, Command::SetReady { agent: agent("a") }),
        Ok(())
    );
    let mut order = Vec::new();
    for round in 0..4 {
        let now = 100 + round * 10;
        let (call, _) = offers(&mut acd).remove(0);
        answer(&mut acd, now, call, "a");
        // With no wrap-up, ending the call offers the next one at once.
        end(&mut acd, now + 1, call);
        order.push(call);
    }
    assert_eq!(order, [2, 4, 1, 3]);
}

fn enqueue_with_one_agent_not_ready(acd: &mut Acd) {
    login(acd, 0, "a", 5);
    let not_ready = Command::SetNotReady {
        agent: agent("a"),
        reason: "pause".to_owned(),
    };
    assert_eq!(acd.handle(0, not_ready), Ok(()));
    drain(acd);
}

#[test]
fn aging_lets_a_long_waiting_call_overtake_a_higher_priority() {
    let mut acd = acd_with(QueueConfig {
        aging_per_second: 1,
        ..QueueConfig::default()
    });
    enqueue_with_one_agent_not_ready(&mut acd);
    enqueue(&mut acd, 0, 1, 0);
    // 150 s later a call one priority level higher (100 rank points) arrives.
    enqueue(&mut acd, 150_000, 2, 1);
    assert_eq!(
        acd.handle(150_000, Command::SetReady { agent: agent("a") }),
        Ok(())
    );
    assert_eq!(offers(&mut acd), vec![(1, "a".to_owned())]);
}

#[test]
fn ring_timeout_offers_the_next_agent_and_counts_the_miss() {
    let mut acd = acd_with(QueueConfig {
        ring_timeout_ms: 1_000,
        ..QueueConfig::default()
    });
    login(&mut acd, 0, "a", 5);
    login(&mut acd, 1, "b", 5);
    enqueue(&mut acd, 2, 1, 0);
    assert_eq!(offers(&mut acd), vec![(1, "a".to_owned())]);
    assert_eq!(acd.poll_timeout(), Some(1_002));
    assert_eq!(acd.handle_timeout(1_002), Ok(()));
    assert_eq!(offers(&mut acd), vec![(1, "b".to_owned())]);
    let snapshot = acd.snapshot();
    assert_eq!(snapshot.agents[&agent("a")].missed_in_a_row, 1);
    assert_eq!(acd.agent_state(&agent("a")), Some(&AgentState::Ready));
}

#[test]
fn n_misses_in_a_row_make_the_agent_not_ready() {
    let mut acd = acd_with(QueueConfig {
        max_no_answers_before_not_ready: 2,
        ..QueueConfig::default()
    });
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1, 1, 0);
    let no_answer = Command::NoAnswer {
        call: CallRef(1),
        agent: agent("a"),
    };
    assert_eq!(acd.handle(2, no_answer.clone()), Ok(()));
    // Nobody else is Ready, so "a" rings again.
    assert_eq!(acd.call_status(CallRef(1)).map(is_offered), Some(true));
    assert_eq!(acd.handle(3, no_answer), Ok(()));
    assert_eq!(
        acd.agent_state(&agent("a")),
        Some(&AgentState::NotReady {
            reason: "no answer".to_owned()
        })
    );
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Waiting));
}

fn is_offered(status: &CallStatus) -> bool {
    matches!(status, CallStatus::Offered { .. })
}

#[test]
fn wrap_up_returns_to_ready_at_its_time() {
    let mut acd = acd_with(QueueConfig {
        wrap_up_ms: 5_000,
        ..QueueConfig::default()
    });
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1, 1, 0);
    answer(&mut acd, 2, 1, "a");
    end(&mut acd, 10, 1);
    assert_eq!(
        acd.agent_state(&agent("a")),
        Some(&AgentState::WrapUp { until_ms: 5_010 })
    );
    assert_eq!(acd.poll_timeout(), Some(5_010));
    assert_eq!(acd.handle_timeout(5_009), Ok(()));
    assert!(matches!(
        acd.agent_state(&agent("a")),
        Some(AgentState::WrapUp { .. })
    ));
    assert_eq!(acd.handle_timeout(5_010), Ok(()));
    assert_eq!(acd.agent_state(&agent("a")), Some(&AgentState::Ready));
}

#[test]
fn abandon_while_waiting_removes_the_call() {
    let mut acd = acd_with(QueueConfig::default());
    enqueue_with_one_agent_not_ready(&mut acd);
    enqueue(&mut acd, 1, 1, 0);
    assert_eq!(acd.handle(2, Command::Abandon { call: CallRef(1) }), Ok(()));
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Abandoned));
    assert_eq!(
        acd.handle(3, Command::SetReady { agent: agent("a") }),
        Ok(())
    );
    assert_eq!(offers(&mut acd), vec![]);
}

#[test]
fn abandon_while_ringing_cancels_the_offer_and_frees_the_agent() {
    let mut acd = acd_with(QueueConfig::default());
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1, 1, 0);
    drain(&mut acd);
    assert_eq!(acd.handle(2, Command::Abandon { call: CallRef(1) }), Ok(()));
    let decisions = drain(&mut acd);
    assert!(decisions.contains(&Decision::CancelOffer {
        call: CallRef(1),
        agent: agent("a")
    }));
    assert_eq!(acd.agent_state(&agent("a")), Some(&AgentState::Ready));
    assert_eq!(acd.poll_timeout(), None);
}

#[test]
fn max_wait_overflows_a_waiting_call() {
    let mut acd = acd_with(QueueConfig {
        max_wait_ms: Some(60_000),
        ..QueueConfig::default()
    });
    enqueue_with_one_agent_not_ready(&mut acd);
    enqueue(&mut acd, 1_000, 1, 0);
    assert_eq!(acd.poll_timeout(), Some(61_000));
    assert_eq!(acd.handle_timeout(61_000), Ok(()));
    assert_eq!(
        drain(&mut acd),
        vec![Decision::Overflow {
            call: CallRef(1),
            queue: sales(),
            reason: OverflowReason::MaxWait
        }]
    );
}

#[test]
fn max_length_overflows_the_call_that_does_not_fit() {
    let mut acd = acd_with(QueueConfig {
        max_length: Some(2),
        ..QueueConfig::default()
    });
    enqueue_with_one_agent_not_ready(&mut acd);
    for call in 1..=3 {
        enqueue(&mut acd, call, call, 0);
    }
    assert_eq!(acd.call_status(CallRef(2)), Some(&CallStatus::Waiting));
    assert_eq!(
        acd.call_status(CallRef(3)),
        Some(&CallStatus::Overflowed(OverflowReason::MaxLength))
    );
}

#[test]
fn no_agents_logged_in_overflows_at_once() {
    let mut acd = acd_with(QueueConfig::default());
    enqueue(&mut acd, 1, 1, 0);
    assert_eq!(
        drain(&mut acd),
        vec![Decision::Overflow {
            call: CallRef(1),
            queue: sales(),
            reason: OverflowReason::NoAgentsLoggedIn
        }]
    );
}

#[test]
fn invalid_commands_are_refused_and_change_nothing() {
    let mut acd = acd_with(QueueConfig::default());
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1, 1, 0);
    drain(&mut acd);
    let before = acd.snapshot();
    let events_before = acd.take_events();
    let refused = [
        (
            Command::SetReady {
                agent: agent("ghost"),
            },
            AcdError::UnknownAgent(agent("ghost")),
        ),
        (
            Command::SetReady { agent: agent("a") },
            AcdError::AgentBusy(agent("a")),
        ),
        (
            Command::Answered {
                call: CallRef(9),
                agent: agent("a"),
            },
            AcdError::UnknownCall(CallRef(9)),
        ),
        (
            Command::Login {
                agent: agent("a"),
                queues: vec![(sales(), 5)],
            },
            AcdError::AlreadyLoggedIn(agent("a")),
        ),
        (
            Command::Login {
                agent: agent("b"),
                queues: vec![(sales(), 11)],
            },
            AcdError::InvalidSkill {
                agent: agent("b"),
                queue: sales(),
                skill: 11,
            },
        ),
        (
            Command::Enqueue {
                call: CallRef(1),
                queue: sales(),
                priority: 0,
                preferred_agent: None,
            },
            AcdError::DuplicateCall(CallRef(1)),
        ),
        (
            Command::Enqueue {
                call: CallRef(2),
                queue: QueueId::new("nowhere"),
                priority: 0,
                preferred_agent: None,
            },
            AcdError::UnknownQueue(QueueId::new("nowhere")),
        ),
        (
            Command::CallEnded { call: CallRef(1) },
            AcdError::NotOnCall(CallRef(1)),
        ),
    ];
    for (command, error) in refused {
        assert_eq!(acd.handle(5, command), Err(error));
    }
    login(&mut acd, 5, "b", 5);
    drain(&mut acd);
    let after_b = acd.snapshot();
    acd.take_events();
    assert_eq!(
        acd.handle(
            6,
            Command::Answered {
                call: CallRef(1),
                agent: agent("b")
            }
        ),
        Err(AcdError::NotOfferedTo {
            call: CallRef(1),
            agent: agent("b")
        })
    );
    assert_eq!(
        acd.handle(1, Command::Logout { agent: agent("b") }),
        Err(AcdError::ClockWentBackwards {
            now_ms: 1,
            last_ms: 5
        })
    );
    assert_eq!(acd.snapshot(), after_b);
    assert_eq!(acd.take_events(), vec![]);
    assert_eq!(drain(&mut acd), vec![]);
    assert_eq!(before.calls, after_b.calls);
    assert_eq!(events_before.len(), 2);
}

#[test]
fn replay_rebuilds_the_same_state() {
    let config = AcdConfig::default().with_queue(
        sales(),
        QueueConfig {
            wrap_up_ms: 1_000,
            ring_timeout_ms: 500,
            ..QueueConfig::default()
        },
    );
    let mut acd = Acd::new(config.clone());
    login(&mut acd, 0, "a", 5);
    login(&mut acd, 0, "b", 7);
    enqueue(&mut acd, 1, 1, 0);
    enqueue(&mut acd, 2, 2, 3);
    assert_eq!(acd.handle_timeout(600), Ok(()));
    let events = acd.take_events();
    let replayed = Acd::replay(config, &events);
    assert_eq!(replayed.map(|acd| acd.snapshot()), Ok(acd.snapshot()));
}

#[test]
fn a_picked_up_call_leaves_the_queue_answered_and_frees_the_agent_without_a_miss() {
    let mut acd = acd_with(QueueConfig::default());
    login(&mut acd, 0, "a", 5);
    enqueue(&mut acd, 1_000, 1, 0);
    drain(&mut acd);
    assert_eq!(
        acd.handle(3_000, Command::PickedUp { call: CallRef(1) }),
        Ok(())
    );
    let decisions = drain(&mut acd);
    assert!(decisions.contains(&Decision::CancelOffer {
        call: CallRef(1),
        agent: agent("a")
    }));
    assert_eq!(acd.agent_state(&agent("a")), Some(&AgentState::Ready));
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Ended));
    let stats = acd.queue_stats(&sales(), 3_000).expect("the queue");
    assert_eq!(stats.counters.answered, 1);
    assert_eq!(stats.counters.abandoned, 0);
    // A waiting call rings nobody: there is nothing to pick up.
    enqueue(&mut acd, 4_000, 2, 0);
    drain(&mut acd);
    acd.handle(4_100, Command::PickedUp { call: CallRef(2) })
        .expect("the second call rings the agent");
    acd.handle(
        4_200,
        Command::SetNotReady {
            agent: agent("a"),
            reason: "break".into(),
        },
    )
    .expect("the agent is idle again");
    enqueue(&mut acd, 5_000, 3, 0);
    assert_eq!(
        acd.handle(5_100, Command::PickedUp { call: CallRef(3) }),
        Err(sb_acd::AcdError::NotRinging(CallRef(3))),
        "a waiting call rings nobody"
    );
}
