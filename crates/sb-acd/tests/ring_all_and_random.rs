//! RingAll and Random, and the cancelling of offers that ring out.

mod common;

use std::collections::BTreeSet;

use common::*;
use sb_acd::{Acd, AgentState, CallRef, CallStatus, Command, Decision, QueueConfig, Strategy};

fn ring_all() -> QueueConfig {
    QueueConfig {
        strategy: Strategy::RingAll,
        ring_timeout_ms: 1_000,
        max_no_answers_before_not_ready: 2,
        ..QueueConfig::default()
    }
}

/// a, b and c Ready in "sales" (RingAll); call 1 rings all three.
fn ringing_three() -> Acd {
    let mut acd = acd(&[("sales", ring_all())]);
    for (at, name) in [(0, "a"), (1, "b"), (2, "c")] {
        login(&mut acd, at, name, &[("sales", 5)]);
    }
    drain(&mut acd);
    enqueue(&mut acd, 10, 1, "sales", 0);
    acd
}

#[test]
fn ring_all_offers_every_ready_agent_at_once() {
    let mut acd = ringing_three();
    assert_eq!(
        offers(&mut acd),
        vec![offer(1, "a"), offer(1, "b"), offer(1, "c")]
    );
    for name in ["a", "b", "c"] {
        assert_eq!(
            acd.agent_state(&agent(name)),
            Some(&AgentState::Reserved { call: CallRef(1) })
        );
    }
    consistent(&acd);
}

#[test]
fn ring_all_first_answer_wins_and_the_others_are_cancelled_without_a_miss() {
    let mut acd = ringing_three();
    drain(&mut acd);
    answer(&mut acd, 20, 1, "b");
    let decisions = drain(&mut acd);
    for name in ["a", "c"] {
        assert!(decisions.contains(&Decision::CancelOffer {
            call: CallRef(1),
            agent: agent(name)
        }));
        assert_eq!(acd.agent_state(&agent(name)), Some(&AgentState::Ready));
    }
    assert!(
        !decisions
            .iter()
            .any(|d| matches!(d, Decision::CancelOffer { agent, .. } if agent.as_str() == "b"))
    );
    let snapshot = acd.snapshot();
    assert_eq!(snapshot.agents[&agent("a")].missed_in_a_row, 0);
    // Cancelled agents keep their place in the idle line.
    assert_eq!(snapshot.agents[&agent("a")].idle_since_ms, 0);
    assert_eq!(
        acd.call_status(CallRef(1)),
        Some(&CallStatus::OnCall { agent: agent("b") })
    );
    // A late answer from a cancelled agent is refused.
    let late = Command::Answered {
        call: CallRef(1),
        agent: agent("a"),
    };
    assert!(acd.handle(21, late).is_err());
    consistent(&acd);
}

#[test]
fn ring_all_timeout_cancels_every_offer_and_counts_a_miss_for_each() {
    let mut acd = ringing_three();
    drain(&mut acd);
    assert_eq!(acd.poll_timeout(), Some(1_010));
    assert_eq!(acd.handle_timeout(1_010), Ok(()));
    let decisions = drain(&mut acd);
    let cancelled: BTreeSet<String> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::CancelOffer { agent, .. } => Some(agent.0.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled.len(), 3);
    for name in ["a", "b", "c"] {
        assert_eq!(acd.snapshot().agents[&agent(name)].missed_in_a_row, 1);
    }
    // Everyone missed it, so everyone rings again.
    let again = decisions
        .iter()
        .filter(|d| matches!(d, Decision::Offer { .. }))
        .count();
    assert_eq!(again, 3);
    // The second timeout reaches the limit of two misses: all NotReady.
    assert_eq!(acd.handle_timeout(2_010), Ok(()));
    for name in ["a", "b", "c"] {
        assert!(matches!(
            acd.agent_state(&agent(name)),
            Some(AgentState::NotReady { .. })
        ));
    }
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Waiting));
    consistent(&acd);
}

#[test]
fn ring_all_no_answer_from_one_leaves_the_others_ringing() {
    let mut acd = ringing_three();
    drain(&mut acd);
    let refused = Command::NoAnswer {
        call: CallRef(1),
        agent: agent("a"),
    };
    accept(&mut acd, 20, refused);
    let CallStatus::OfferedToMany { agents, .. } = acd
        .call_status(CallRef(1))
        .cloned()
        .expect("call 1 is live")
    else {
        panic!("should still ring b and c");
    };
    assert_eq!(agents, BTreeSet::from([agent("b"), agent("c")]));
    assert_eq!(acd.agent_state(&agent("a")), Some(&AgentState::Ready));
    answer(&mut acd, 30, 1, "c");
    consistent(&acd);
}

#[test]
fn ring_all_abandon_cancels_every_offer() {
    let mut acd = ringing_three();
    drain(&mut acd);
    accept(&mut acd, 20, Command::Abandon { call: CallRef(1) });
    let cancelled = drain(&mut acd)
        .into_iter()
        .filter(|d| matches!(d, Decision::CancelOffer { .. }))
        .count();
    assert_eq!(cancelled, 3);
    for name in ["a", "b", "c"] {
        assert_eq!(acd.agent_state(&agent(name)), Some(&AgentState::Ready));
    }
    assert_eq!(acd.poll_timeout(), None);
    consistent(&acd);
}

#[test]
fn a_ring_timeout_cancels_the_single_offer_too() {
    let mut acd = acd(&[(
        "sales",
        QueueConfig {
            ring_timeout_ms: 1_000,
            ..QueueConfig::default()
        },
    )]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    enqueue(&mut acd, 1, 1, "sales", 0);
    drain(&mut acd);
    assert_eq!(acd.handle_timeout(1_001), Ok(()));
    assert_eq!(
        drain(&mut acd).first(),
        Some(&Decision::CancelOffer {
            call: CallRef(1),
            agent: agent("a")
        })
    );
}

fn random_picks(calls: u64) -> Vec<String> {
    let mut acd = acd(&[(
        "sales",
        QueueConfig {
            strategy: Strategy::Random,
            ..QueueConfig::default()
        },
    )]);
    for name in ["a", "b", "c", "d"] {
        login(&mut acd, 0, name, &[("sales", 5)]);
    }
    let mut picked = Vec::new();
    for call in 1..=calls {
        enqueue(&mut acd, call * 10, call, "sales", 0);
        let (_, name) = offers(&mut acd).remove(0);
        answer(&mut acd, call * 10, call, &name);
        end(&mut acd, call * 10 + 1, call);
        picked.push(name);
    }
    consistent(&acd);
    picked
}

#[test]
fn random_spreads_calls_and_draws_the_same_every_time() {
    let picked = random_picks(40);
    let distinct: BTreeSet<&String> = picked.iter().collect();
    assert_eq!(distinct.len(), 4, "every agent drawn at least once");
    // Not a rotation in disguise: some agent is drawn twice in a row.
    assert!(picked.windows(2).any(|pair| pair[0] == pair[1]));
    assert_eq!(random_picks(40), picked);
}

#[test]
fn random_choices_survive_replay() {
    let config = sb_acd::AcdConfig::default().with_queue(
        queue("sales"),
        QueueConfig {
            strategy: Strategy::Random,
            ..QueueConfig::default()
        },
    );
    let mut acd = Acd::new(config.clone());
    for name in ["a", "b", "c", "d", "e"] {
        login(&mut acd, 0, name, &[("sales", 5)]);
    }
    for call in 1..=3 {
        enqueue(&mut acd, call, call, "sales", 0);
    }
    let replayed = Acd::replay(config, &acd.take_events()).expect("the log replays");
    assert_eq!(replayed.snapshot(), acd.snapshot());
}
