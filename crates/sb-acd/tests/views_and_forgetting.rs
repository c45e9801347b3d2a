//! Queue position and expected wait (announcements), queue figures
//! (wallboard), continuous aging, and finished calls leaving the state.

mod common;

use common::*;
use sb_acd::{
    AcdError, AgentCounts, CallRef, CallStatus, Command, OverflowReason, QueueConfig,
    QueueCounters, QueuePosition, RECENTLY_FINISHED,
};

#[test]
fn position_follows_priority_then_arrival_and_expects_a_wait_once_there_is_history() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    login(&mut acd, 0, "b", &[("sales", 5)]);
    not_ready(&mut acd, 0, "b");
    enqueue(&mut acd, 0, 1, "sales", 0);
    answer(&mut acd, 0, 1, "a");
    enqueue(&mut acd, 1_000, 2, "sales", 0);
    enqueue(&mut acd, 2_000, 3, "sales", 5);
    enqueue(&mut acd, 3_000, 4, "sales", 0);
    // No call handled yet: no expected wait.
    assert_eq!(
        acd.position(CallRef(2)),
        Some(QueuePosition {
            position: 2,
            waiting: 3,
            expected_wait_ms: None
        })
    );
    // A 60 s call handled; two agents logged in (one NotReady counts).
    end(&mut acd, 60_000, 1);
    // "a" took call 3 (priority 5) at once; 2 and 4 wait.
    assert_eq!(acd.call_status(CallRef(3)).map(is_offered), Some(true));
    assert_eq!(acd.position(CallRef(3)), None);
    assert_eq!(
        acd.position(CallRef(4)),
        Some(QueuePosition {
            position: 2,
            waiting: 2,
            expected_wait_ms: Some(2 * 60_000 / 2)
        })
    );
    assert_eq!(acd.position(CallRef(99)), None);
}

fn is_offered(status: &CallStatus) -> bool {
    matches!(status, CallStatus::Offered { .. })
}

#[test]
fn queue_figures_count_every_outcome() {
    let config = QueueConfig {
        service_level_ms: 10_000,
        max_length: Some(1),
        wrap_up_ms: 1_000,
        ..QueueConfig::default()
    };
    let mut acd = acd(&[("sales", config)]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    login(&mut acd, 0, "b", &[("sales", 5)]);
    // Answered after 2 s (within 10 s), talks 30 s.
    enqueue(&mut acd, 0, 1, "sales", 0);
    answer(&mut acd, 2_000, 1, "a");
    end(&mut acd, 32_000, 1);
    // Answered after 15 s (outside), still talking.
    not_ready(&mut acd, 32_000, "b");
    enqueue(&mut acd, 32_000, 2, "sales", 0);
    ready(&mut acd, 47_000, "b");
    answer(&mut acd, 47_000, 2, "b");
    // One waits, one finds the queue full, the waiting one abandons.
    enqueue(&mut acd, 48_000, 3, "sales", 0);
    enqueue(&mut acd, 48_500, 4, "sales", 0);
    let stats = acd
        .queue_stats(&queue("sales"), 50_000)
        .expect("sales exists");
    assert_eq!(stats.waiting, 1);
    assert_eq!(stats.longest_wait_ms, 2_000);
    assert_eq!(
        stats.agents,
        AgentCounts {
            logged_in: 2,
            wrap_up: 1,
            on_call: 1,
            ..AgentCounts::default()
        }
    );
    accept(&mut acd, 50_000, Command::Abandon { call: CallRef(3) });
    let stats = acd
        .queue_stats(&queue("sales"), 50_000)
        .expect("sales exists");
    assert_eq!(
        stats.counters,
        QueueCounters {
            offered: 4,
            answered: 2,
            answered_within_service_level: 1,
            abandoned: 1,
            overflowed: 1,
            handled: 1,
            talk_ms_total: 30_000,
        }
    );
    assert_eq!(stats.average_handle_ms, Some(30_000));
    assert_eq!(stats.service_level_percent, Some(25.0));
    assert_eq!(stats.waiting, 0);
    assert_eq!(stats.longest_wait_ms, 0);
    assert_eq!(acd.queue_stats(&queue("nowhere"), 0), None);
    assert_eq!(acd.agents().count(), 2);
}

#[test]
fn aging_is_continuous() {
    // Call 2 is one priority level (100 points) higher and arrives 99.999 s
    // later: with aging 1 point/s it stays ahead by 1 milli-point, which
    // whole-second aging would have rounded to a tie won by call 1.
    let config = QueueConfig {
        aging_per_second: 1,
        ..QueueConfig::default()
    };
    let mut acd = acd(&[("sales", config)]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    not_ready(&mut acd, 0, "a");
    enqueue(&mut acd, 0, 1, "sales", 0);
    enqueue(&mut acd, 99_999, 2, "sales", 1);
    ready(&mut acd, 100_000, "a");
    assert_eq!(offers(&mut acd), vec![offer(2, "a")]);
}

#[test]
fn across_queues_the_rank_now_decides() {
    let aging = QueueConfig {
        aging_per_second: 2,
        ..QueueConfig::default()
    };
    let mut acd = acd(&[("slow", QueueConfig::default()), ("fast", aging)]);
    login(&mut acd, 0, "a", &[("slow", 5), ("fast", 5)]);
    not_ready(&mut acd, 0, "a");
    enqueue(&mut acd, 0, 1, "slow", 1);
    // 100 points behind, gaining 2 points a second: ahead after 50 s.
    enqueue(&mut acd, 0, 2, "fast", 0);
    ready(&mut acd, 49_000, "a");
    assert_eq!(offers(&mut acd), vec![offer(1, "a")]);
    enqueue(&mut acd, 49_000, 3, "slow", 1);
    answer(&mut acd, 49_000, 1, "a");
    end(&mut acd, 51_000, 1);
    assert_eq!(offers(&mut acd), vec![offer(2, "a")]);
}

#[test]
fn finished_calls_leave_the_state_but_their_end_is_remembered() {
    let mut acd = acd(&[("sales", QueueConfig::default())]);
    login(&mut acd, 0, "a", &[("sales", 5)]);
    enqueue(&mut acd, 1, 1, "sales", 0);
    answer(&mut acd, 2, 1, "a");
    end(&mut acd, 3, 1);
    assert!(acd.snapshot().calls.is_empty());
    assert_eq!(acd.call_status(CallRef(1)), Some(&CallStatus::Ended));
    let late = Command::Answered {
        call: CallRef(1),
        agent: agent("a"),
    };
    assert_eq!(acd.handle(4, late), Err(AcdError::CallFinished(CallRef(1))));
    let reused = Command::Enqueue {
        call: CallRef(1),
        queue: queue("sales"),
        priority: 0,
        preferred_agent: None,
    };
    assert_eq!(
        acd.handle(4, reused.clone()),
        Err(AcdError::DuplicateCall(CallRef(1)))
    );
    // Past RECENTLY_FINISHED later calls, call 1 is forgotten for good.
    logout_everyone(&mut acd);
    for call in 2..=(RECENTLY_FINISHED as u64 + 1) {
        enqueue(&mut acd, 5, call, "sales", 0);
    }
    assert_eq!(
        acd.call_status(CallRef(2)),
        Some(&CallStatus::Overflowed(OverflowReason::NoAgentsLoggedIn))
    );
    assert_eq!(acd.call_status(CallRef(1)), None);
    assert_eq!(acd.snapshot().recently_finished.len(), RECENTLY_FINISHED);
    assert_eq!(acd.handle(6, reused), Ok(()));
    consistent(&acd);
}

fn logout_everyone(acd: &mut sb_acd::Acd) {
    accept(acd, 5, Command::Logout { agent: agent("a") });
}
