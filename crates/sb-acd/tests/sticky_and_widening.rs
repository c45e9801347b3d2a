//! Sticky agent (MISSION A6), minimum skill and skill widening over time.

mod common;

use common::*;
use sb_acd::{Acd, AgentState, CallRef, CallStatus, Command, QueueConfig};

fn sticky(wait_ms: u64) -> QueueConfig {
    QueueConfig {
        sticky_wait_ms: Some(wait_ms),
        ..QueueConfig::default()
    }
}

/// "old" (the caller's previous agent) and "other" logged in to "sales";
/// "other" has been idle longer.
fn two_agents(config: QueueConfig) -> Acd {
    let mut acd = acd(&[("sales", config)]);
    login(&mut acd, 0, "other", &[("sales", 5)]);
    login(&mut acd, 5, "old", &[("sales", 5)]);
    drain(&mut acd);
    acd
}

#[test]
fn a_sticky_call_goes_to_its_agent_even_if_another_idles_longer() {
    let mut acd = two_agents(sticky(30_000));
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    assert_eq!(offers(&mut acd), vec![offer(1, "old")]);
}

#[test]
fn a_sticky_call_waits_for_its_busy_agent_then_goes_to_anyone() {
    let mut acd = two_agents(sticky(30_000));
    not_ready(&mut acd, 6, "old");
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    assert_eq!(offers(&mut acd), vec![]);
    assert_eq!(acd.poll_timeout(), Some(30_010));
    consistent(&acd);
    // A later call without a preference is not held up by it.
    enqueue(&mut acd, 20, 2, "sales", 0);
    assert_eq!(offers(&mut acd), vec![offer(2, "other")]);
    answer(&mut acd, 21, 2, "other");
    end(&mut acd, 22, 2);
    // "other" is Ready again but the sticky wait is not over: nothing.
    assert_eq!(offers(&mut acd), vec![]);
    assert_eq!(acd.handle_timeout(30_010), Ok(()));
    assert_eq!(offers(&mut acd), vec![offer(1, "other")]);
    consistent(&acd);
}

#[test]
fn a_sticky_call_is_offered_when_its_agent_becomes_ready() {
    let mut acd = two_agents(sticky(30_000));
    not_ready(&mut acd, 6, "old");
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    ready(&mut acd, 5_000, "old");
    assert_eq!(offers(&mut acd), vec![offer(1, "old")]);
}

#[test]
fn a_preferred_agent_not_logged_in_there_means_normal_routing_at_once() {
    let mut acd = acd(&[("sales", sticky(30_000)), ("support", sticky(30_000))]);
    login(&mut acd, 0, "other", &[("sales", 5)]);
    login(&mut acd, 0, "old", &[("support", 5)]);
    drain(&mut acd);
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    assert_eq!(offers(&mut acd), vec![offer(1, "other")]);
    enqueue_for(&mut acd, 11, 2, "sales", 0, Some("nobody"));
    assert_eq!(acd.call_status(CallRef(2)), Some(&CallStatus::Waiting));
    assert_eq!(acd.snapshot().calls[&CallRef(2)].sticky_agent, None);
}

#[test]
fn a_sticky_call_stops_waiting_when_its_agent_logs_out() {
    let mut acd = two_agents(sticky(30_000));
    not_ready(&mut acd, 6, "old");
    not_ready(&mut acd, 6, "other");
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    ready(&mut acd, 11, "other");
    assert_eq!(offers(&mut acd), vec![]);
    accept(
        &mut acd,
        12,
        Command::Logout {
            agent: agent("old"),
        },
    );
    assert_eq!(offers(&mut acd), vec![offer(1, "other")]);
    consistent(&acd);
}

#[test]
fn a_sticky_call_its_agent_misses_goes_to_anyone() {
    let mut acd = two_agents(sticky(30_000));
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    drain(&mut acd);
    let missed = Command::NoAnswer {
        call: CallRef(1),
        agent: agent("old"),
    };
    accept(&mut acd, 11, missed);
    assert_eq!(offers(&mut acd), vec![offer(1, "other")]);
}

#[test]
fn stickiness_is_replayed() {
    let config = sb_acd::AcdConfig::default().with_queue(queue("sales"), sticky(30_000));
    let mut acd = Acd::new(config.clone());
    login(&mut acd, 0, "old", &[("sales", 5)]);
    login(&mut acd, 0, "other", &[("sales", 5)]);
    not_ready(&mut acd, 1, "old");
    enqueue_for(&mut acd, 10, 1, "sales", 0, Some("old"));
    assert_eq!(acd.handle_timeout(30_010), Ok(()));
    let replayed = Acd::replay(config, &acd.take_events()).expect("the log replays");
    assert_eq!(replayed.snapshot(), acd.snapshot());
}

fn skilled(min_skill: u8, widen_after_ms: Option<u64>, widened_min_skill: u8) -> QueueConfig {
    QueueConfig {
        min_skill,
        widen_after_ms,
        widened_min_skill,
        ..QueueConfig::default()
    }
}

#[test]
fn agents_below_the_minimum_skill_are_not_offered_the_call() {
    let mut acd = acd(&[("sales", skilled(6, None, 1))]);
    login(&mut acd, 0, "junior", &[("sales", 3)]);
    enqueue(&mut acd, 1, 1, "sales", 0);
    assert_eq!(offers(&mut acd), vec![]);
    login(&mut acd, 2, "senior", &[("sales", 6)]);
    assert_eq!(offers(&mut acd), vec![offer(1, "senior")]);
}

#[test]
fn a_widened_call_accepts_the_lower_skill() {
    let mut acd = acd(&[("sales", skilled(6, Some(60_000), 2))]);
    login(&mut acd, 0, "junior", &[("sales", 3)]);
    enqueue(&mut acd, 1_000, 1, "sales", 0);
    assert_eq!(offers(&mut acd), vec![]);
    assert_eq!(acd.poll_timeout(), Some(61_000));
    assert_eq!(acd.handle_timeout(61_000), Ok(()));
    assert_eq!(offers(&mut acd), vec![offer(1, "junior")]);
    assert!(acd.snapshot().calls[&CallRef(1)].widened);
    consistent(&acd);
}

#[test]
fn a_widened_call_accepts_the_agents_of_the_widening_queue_by_their_skill_there() {
    let sales = QueueConfig {
        widen_to_queue: Some(queue("support")),
        ..skilled(1, Some(30_000), 4)
    };
    let mut acd = acd(&[("sales", sales), ("support", QueueConfig::default())]);
    login(&mut acd, 0, "seller", &[("sales", 9)]);
    not_ready(&mut acd, 0, "seller");
    login(&mut acd, 0, "weak", &[("support", 3)]);
    login(&mut acd, 1, "strong", &[("support", 4)]);
    drain(&mut acd);
    enqueue(&mut acd, 10, 1, "sales", 0);
    assert_eq!(offers(&mut acd), vec![]);
    assert_eq!(acd.handle_timeout(30_010), Ok(()));
    // "weak" idles longer but has skill 3 < 4 in support.
    assert_eq!(offers(&mut acd), vec![offer(1, "strong")]);
    consistent(&acd);
}

#[test]
fn an_agent_freed_in_the_widening_queue_takes_a_widened_call() {
    let sales = QueueConfig {
        widen_to_queue: Some(queue("support")),
        ..skilled(1, Some(30_000), 1)
    };
    let mut acd = acd(&[("sales", sales), ("support", QueueConfig::default())]);
    login(&mut acd, 0, "seller", &[("sales", 9)]);
    login(&mut acd, 0, "helper", &[("support", 5)]);
    not_ready(&mut acd, 0, "seller");
    not_ready(&mut acd, 0, "helper");
    enqueue(&mut acd, 10, 1, "sales", 0);
    assert_eq!(acd.handle_timeout(30_010), Ok(()));
    drain(&mut acd);
    ready(&mut acd, 40_000, "helper");
    assert_eq!(offers(&mut acd), vec![offer(1, "helper")]);
    assert!(matches!(
        acd.agent_state(&agent("helper")),
        Some(AgentState::Reserved { .. })
    ));
}
