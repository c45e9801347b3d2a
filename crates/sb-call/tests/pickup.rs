//! Call pickup (G7) in both cores: the ringing phones are cancelled and the
//! picker takes the call, by its own INVITE or by being rung.

use sb_call::{
    Action, B2bua, CallPhase, Disposition, LegEvent, LegId, ServiceAction, ServiceCall, Timers,
};

const RING_MS: u64 = 30_000;

fn drain(call: &mut B2bua) -> Vec<Action> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn drain_service(call: &mut ServiceCall) -> Vec<ServiceAction> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn ringing_call(now: u64, phones: usize) -> B2bua {
    let mut call = B2bua::start(
        now,
        Some(b"offer".to_vec()),
        phones,
        Timers {
            ring_timeout_ms: RING_MS,
        },
    );
    drain(&mut call);
    call
}

#[test]
fn a_picker_invite_cancels_every_ringing_phone_and_answers_the_caller() {
    let mut call = ringing_call(1_000, 2);
    assert_eq!(call.may_pick_up(), Ok(LegId::B(3)));
    let leg = call
        .picked_up(5_000, Some(b"picker".to_vec()))
        .expect("allowed");
    assert_eq!(leg, LegId::B(3));
    assert_eq!(
        drain(&mut call),
        vec![
            Action::Cancel { leg: LegId::B(1) },
            Action::Cancel { leg: LegId::B(2) },
            Action::Bridge { leg: LegId::B(3) },
            Action::Answer {
                sdp: Some(b"picker".to_vec())
            },
        ]
    );
    assert_eq!(call.phase(), CallPhase::Answered);
    // A cancelled phone answering as the CANCEL crossed it is hung up.
    call.handle_leg(5_010, LegId::B(1), LegEvent::Answered { sdp: None });
    assert_eq!(drain(&mut call), vec![Action::Hangup { leg: LegId::B(1) }]);
    // The picker hangs up: the call ends, answered by the picker's leg.
    call.handle_leg(9_000, LegId::B(3), LegEvent::HungUp);
    let actions = drain(&mut call);
    assert_eq!(actions[0], Action::Hangup { leg: LegId::A });
    let Action::Ended(summary) = &actions[1] else {
        panic!("expected the end, got {actions:?}");
    };
    assert_eq!(summary.answered_leg, Some(LegId::B(3)));
    assert_eq!(summary.answered_at, Some(5_000));
    assert_eq!(summary.disposition, Disposition::Answered);
}

#[test]
fn an_answered_or_ended_call_cannot_be_picked_up() {
    let mut call = ringing_call(0, 1);
    call.handle_leg(10, LegId::B(1), LegEvent::Answered { sdp: None });
    drain(&mut call);
    assert_eq!(
        call.picked_up(20, None).expect_err("refused").0,
        "pickup: the call is already answered"
    );
    assert!(drain(&mut call).is_empty(), "a refusal changes nothing");
    call.handle_leg(30, LegId::A, LegEvent::HungUp);
    drain(&mut call);
    assert_eq!(
        call.ring_picker(40).expect_err("refused").0,
        "pickup: the call has ended"
    );
}

#[test]
fn a_rung_picker_rings_alone_on_a_fresh_ring_timer_and_a_late_answer_of_the_old_phone_loses() {
    let mut call = ringing_call(0, 1);
    let leg = call.ring_picker(20_000).expect("allowed");
    assert_eq!(leg, LegId::B(2));
    assert_eq!(
        drain(&mut call),
        vec![
            Action::Cancel { leg: LegId::B(1) },
            Action::Dial {
                leg: LegId::B(2),
                target: 1,
                sdp: Some(b"offer".to_vec())
            },
        ]
    );
    assert_eq!(call.poll_timeout(), Some(20_000 + RING_MS));
    // The old phone's 200 crossed the CANCEL: it does not take the call.
    call.handle_leg(20_100, LegId::B(1), LegEvent::Answered { sdp: None });
    assert_eq!(drain(&mut call), vec![Action::Hangup { leg: LegId::B(1) }]);
    assert_eq!(call.phase(), CallPhase::Dialling);
    // The old phone's 487 for the CANCEL does not end the call either.
    call.handle_leg(
        20_200,
        LegId::B(1),
        LegEvent::Failed {
            status: 487,
            reason: String::new(),
        },
    );
    assert!(drain(&mut call).is_empty());
    call.handle_timeout(RING_MS + 1);
    assert!(drain(&mut call).is_empty(), "the first ring timer is gone");
    call.handle_leg(21_000, LegId::B(2), LegEvent::Answered { sdp: None });
    let actions = drain(&mut call);
    assert!(actions.contains(&Action::Bridge { leg: LegId::B(2) }));
    assert!(actions.contains(&Action::Answer { sdp: None }));
}

#[test]
fn a_rung_picker_that_does_not_answer_ends_the_call_with_its_failure() {
    let mut call = ringing_call(0, 2);
    call.ring_picker(1_000).expect("allowed");
    drain(&mut call);
    call.handle_leg(
        2_000,
        LegId::B(3),
        LegEvent::Failed {
            status: 486,
            reason: String::new(),
        },
    );
    let actions = drain(&mut call);
    assert_eq!(
        actions[0],
        Action::Reject {
            status: 486,
            reason: "Busy Here"
        }
    );
    let Action::Ended(summary) = &actions[1] else {
        panic!("expected the end, got {actions:?}");
    };
    assert_eq!(summary.disposition, Disposition::Busy);
}

#[test]
fn a_service_call_ringing_an_agent_is_taken_by_the_picker_invite() {
    let mut call = ServiceCall::start(0);
    drain_service(&mut call);
    assert_eq!(
        call.may_pick_up().expect_err("refused").0,
        "pickup: no phone is ringing for the call"
    );
    assert!(call.dial(2));
    drain_service(&mut call);
    assert_eq!(call.may_pick_up(), Ok(LegId::B(3)));
    assert_eq!(call.picked_up(), Ok(LegId::B(3)));
    assert_eq!(
        drain_service(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(1) },
            ServiceAction::Cancel { leg: LegId::B(2) },
            ServiceAction::Bridge { leg: LegId::B(3) },
        ]
    );
    assert_eq!(call.bridged(), Some(LegId::B(3)));
    assert_eq!(
        call.picked_up().expect_err("refused").0,
        "pickup: the call is already answered"
    );
    // The picker hangs up first: the caller is back with the application.
    call.handle_leg(5_000, LegId::B(3), LegEvent::HungUp);
    assert_eq!(
        drain_service(&mut call),
        vec![ServiceAction::AgentLeft { leg: LegId::B(3) }]
    );
}

#[test]
fn a_service_call_rings_the_picker_phones_instead() {
    let mut call = ServiceCall::start(0);
    drain_service(&mut call);
    assert!(call.dial(1));
    drain_service(&mut call);
    assert_eq!(
        call.ring_picker(0).expect_err("refused").0,
        "pickup: the picker has no registered phone"
    );
    assert!(
        drain_service(&mut call).is_empty(),
        "a refused pickup leaves the agent ringing"
    );
    call.ring_picker(2).expect("allowed");
    assert_eq!(
        drain_service(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(1) },
            ServiceAction::Dial {
                leg: LegId::B(2),
                target: 0
            },
            ServiceAction::Dial {
                leg: LegId::B(3),
                target: 1
            },
        ]
    );
    call.handle_leg(100, LegId::B(3), LegEvent::Answered { sdp: None });
    assert_eq!(
        drain_service(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(2) },
            ServiceAction::Bridge { leg: LegId::B(3) },
        ]
    );
}
