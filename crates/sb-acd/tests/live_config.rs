//! Queues added, changed and removed while calls wait, and queues left with
//! nobody logged in.

mod common;

use common::*;
use sb_acd::{
    Acd, AcdConfig, AcdError, AgentState, CallRef, CallStatus, Command, Decision, OverflowReason,
    QueueConfig, Strategy,
};

fn set_queue(acd: &mut Acd, now_ms: u64, name: &str, config: QueueConfig) {
    let command = Command::SetQueue {
        queue: queue(name),
        config,
    };
    accept(acd, now_ms, command);
}

#[test]
fn a_queue_added_live_takes_calls_and_replay_rebuilds_it() {
    let config = AcdConfig::default();
    let mut acd = Acd::new(config.clone());
    let refused = Command::Login {
        agent: agent("a"),
        queues: vec![(queue("vip"), 5)],
    };
    assert_eq!(
        acd.handle(0, refused),
        Err(AcdError::UnknownQueue(queue("vip")))
    );
    set_queue(&mut acd, 1, "vip", QueueConfig::default());
    login(&mut acd, 2, "a", &[("vip", 5)]);
    enqueue(&mut acd, 3, 1, "vip", 0);
    assert_eq!(offers(&mut acd), vec![offer(1, "a")]);
    let replayed = Acd::replay(config, &acd.take_events()).expect("the log replays");
    assert_eq!(replayed.snapshot(), acd.snapshot());
    assert_eq!(
        replayed
            .queues()
            .map(|(q, _)| q.clone())
            .collect::<Vec<_>>(),
        vec![queue("vip")]
    );
}

#[test]
fn a_changed_queue_keeps_its_calls_under_the_new_rules() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    not_ready(&mut acd, 0, "a");
    enqueue(&mut acd, 1_000, 1, "sales", 0);
    enqueue(&mut acd, 2_000, 2, "sales", 0);
    assert_eq!(acd.poll_timeout(), None);
    let shorter_wait = QueueConfig {
        max_wait_ms: Some(10_000),
        ..QueueConfig::default()
    };
    set_queue(&mut acd, 5_000, "sales", shorter_wait);
    assert_eq!(acd.poll_timeout(), Some(11_000));
    assert_eq!(acd.handle_timeout(11_000), Ok(()));
    assert_eq!(
        acd.call_status(CallRef(1)),
        Some(&CallStatus::Overflowed(OverflowReason::MaxWait))
    );
    assert_eq!(acd.call_status(CallRef(2)), Some(&CallStatus::Waiting));
    consistent(&acd);
}

#[test]
fn lowering_the_minimum_skill_offers_waiting_calls_at_once() {
    let strict = QueueConfig {
        min_skill: 8,
        ..QueueConfig::default()
    };
    let mut acd = acd(&[("sales", strict)]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    enqueue(&mut acd, 1, 1, "sales", 0);
    assert_eq!(offers(&mut acd), vec![]);
    set_queue(&mut acd, 2, "sales", QueueConfig::default());
    assert_eq!(offers(&mut acd), vec![offer(1, "a")]);
    consistent(&acd);
}

#[test]
fn changing_the_aging_reorders_the_waiting_calls() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    not_ready(&mut acd, 0, "a");
    enqueue(&mut acd, 0, 1, "sales", 0);
    enqueue(&mut acd, 150_000, 2, "sales", 1);
    assert_eq!(acd.position(CallRef(2)).map(|p| p.position), Some(1));
    let aging = QueueConfig {
        aging_per_second: 1,
        ..QueueConfig::default()
    };
    set_queue(&mut acd, 150_000, "sales", aging);
    assert_eq!(acd.position(CallRef(1)).map(|p| p.position), Some(1));
    ready(&mut acd, 150_000, "a");
    assert_eq!(offers(&mut acd), vec![offer(1, "a")]);
}

#[test]
fn invalid_queue_changes_are_refused() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    let bad = Command::SetQueue {
        queue: queue("sales"),
        config: QueueConfig {
            min_skill: 11,
            ..QueueConfig::default()
        },
    };
    assert_eq!(
        acd.handle(0, bad),
        Err(AcdError::InvalidQueueSkill {
            queue: queue("sales"),
            skill: 11
        })
    );
    let unknown = Command::RemoveQueue {
        queue: queue("nowhere"),
    };
    assert_eq!(
        acd.handle(0, unknown),
        Err(AcdError::UnknownQueue(queue("nowhere")))
    );
    assert!(acd.take_events().is_empty());
}

#[test]
fn removing_a_queue_overflows_its_calls_cancels_its_offers_and_takes_the_skill_away() {
    let config = AcdConfig::default()
        .with_queue(
            queue("sales"),
            QueueConfig {
                wrap_up_ms: 5_000,
                ..QueueConfig::default()
            },
        )
        .with_queue(queue("support"), QueueConfig::default());
    let mut acd = Acd::new(config.clone());
    login(&mut acd, 0, "talking", &[("sales", 5)]);
    enqueue(&mut acd, 1, 1, "sales", 0);
    answer(&mut acd, 2, 1, "talking");
    login(&mut acd, 3, "ringing", &[("sales", 5), ("support", 5)]);
    enqueue(&mut acd, 4, 2, "sales", 0);
    enqueue(&mut acd, 5, 3, "sales", 0);
    drain(&mut acd);
    assert_eq!(
        acd.call_status(CallRef(2)),
        Some(&CallStatus::Offered {
            agent: agent("ringing"),
            ring_deadline_ms: 20_004
        })
    );
    let remove = Command::RemoveQueue {
        queue: queue("sales"),
    };
    accept(&mut acd, 6, remove);
    let decisions = drain(&mut acd);
    for call in [2, 3] {
        assert!(decisions.contains(&Decision::Overflow {
            call: CallRef(call),
            queue: queue("sales"),
            reason: OverflowReason::QueueRemoved
        }));
    }
    assert!(decisions.contains(&Decision::CancelOffer {
        call: CallRef(2),
        agent: agent("ringing")
    }));
    assert_eq!(acd.agent_state(&agent("ringing")), Some(&AgentState::Ready));
    let snapshot = acd.snapshot();
    assert_eq!(
        snapshot.agents[&agent("ringing")]
            .skills
            .keys()
            .collect::<Vec<_>>(),
        vec![&queue("support")]
    );
    assert!(snapshot.agents[&agent("talking")].skills.is_empty());
    // The answered call goes on, and ends without wrap-up.
    end(&mut acd, 7, 1);
    assert_eq!(acd.agent_state(&agent("talking")), Some(&AgentState::Ready));
    assert_eq!(acd.queue_stats(&queue("sales"), 7), None);
    consistent(&acd);
    let replayed = Acd::replay(config, &acd.take_events()).expect("the log replays");
    assert_eq!(replayed.snapshot(), acd.snapshot());
}

#[test]
fn when_the_last_agent_logs_out_the_waiting_calls_overflow() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    login(&mut acd, 0, "b", &[("sales", 5)]);
    not_ready(&mut acd, 0, "a");
    not_ready(&mut acd, 0, "b");
    enqueue(&mut acd, 1, 1, "sales", 0);
    enqueue(&mut acd, 2, 2, "sales", 0);
    drain(&mut acd);
    accept(&mut acd, 3, Command::Logout { agent: agent("a") });
    // "b" is NotReady but still logged in: the calls keep waiting.
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Waiting));
    accept(&mut acd, 4, Command::Logout { agent: agent("b") });
    let overflowed: Vec<u64> = drain(&mut acd)
        .into_iter()
        .filter_map(|d| match d {
            Decision::Overflow {
                call,
                reason: OverflowReason::NoAgentsLoggedIn,
                ..
            } => Some(call.0),
            _ => None,
        })
        .collect();
    assert_eq!(overflowed, vec![1, 2]);
    consistent(&acd);
}

#[test]
fn a_strategy_change_applies_to_the_next_offer() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    login(&mut acd, 1, "b", &[("sales", 5)]);
    drain(&mut acd);
    let ring_all = QueueConfig {
        strategy: Strategy::RingAll,
        ..QueueConfig::default()
    };
    set_queue(&mut acd, 2, "sales", ring_all);
    enqueue(&mut acd, 3, 1, "sales", 0);
    assert_eq!(offers(&mut acd), vec![offer(1, "a"), offer(1, "b")]);
}
