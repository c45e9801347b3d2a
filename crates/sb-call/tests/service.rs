//! The service call: answered by the switch, agents dialled one after
//! another, the caller never lost to an agent's failure.

use sb_call::{Disposition, HangupSide, LegEvent, LegId, ServiceAction, ServiceCall};

fn drain(call: &mut ServiceCall) -> Vec<ServiceAction> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn answered() -> LegEvent {
    LegEvent::Answered { sdp: None }
}

fn failed(status: u16) -> LegEvent {
    LegEvent::Failed {
        status,
        reason: String::new(),
    }
}

#[test]
fn caller_is_answered_by_the_switch_at_once() {
    let mut call = ServiceCall::start(1_000);
    assert_eq!(drain(&mut call), vec![ServiceAction::AnswerCaller]);
    assert!(!call.is_dialling());
    assert_eq!(call.bridged(), None);
}

#[test]
fn an_agent_with_two_phones_rings_both_and_the_first_answer_wins() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    assert!(call.dial(2));
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Dial {
                leg: LegId::B(1),
                target: 0
            },
            ServiceAction::Dial {
                leg: LegId::B(2),
                target: 1
            },
        ]
    );
    assert!(!call.dial(1), "one agent at a time");
    call.handle_leg(10, LegId::B(2), answered());
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(1) },
            ServiceAction::Bridge { leg: LegId::B(2) },
        ]
    );
    assert_eq!(call.bridged(), Some(LegId::B(2)));
    // The cancelled phone answered as the CANCEL crossed it.
    call.handle_leg(11, LegId::B(1), answered());
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Hangup { leg: LegId::B(1) }]
    );
}

#[test]
fn a_failed_agent_leaves_the_caller_up_and_reports_busy_first() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(2);
    drain(&mut call);
    call.handle_leg(5, LegId::B(1), failed(480));
    assert!(drain(&mut call).is_empty(), "the other phone still rings");
    call.handle_leg(6, LegId::B(2), failed(486));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::DialFailed { status: 486 }]
    );
    assert!(!call.is_ended());
    // The next agent gets fresh legs.
    assert!(call.dial(1));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Dial {
            leg: LegId::B(3),
            target: 0
        }]
    );
}

#[test]
fn a_ring_timeout_cancels_without_reporting_a_failure() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(1);
    drain(&mut call);
    call.cancel_dial();
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Cancel { leg: LegId::B(1) }]
    );
    // The 487 that follows the CANCEL is not a new failure.
    call.handle_leg(1, LegId::B(1), failed(487));
    assert!(drain(&mut call).is_empty());
    assert!(!call.is_dialling());
}

#[test]
fn an_agent_hanging_up_first_returns_the_caller_to_the_application() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(1);
    call.handle_leg(3_000, LegId::B(1), answered());
    drain(&mut call);
    call.handle_leg(60_000, LegId::B(1), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::AgentLeft { leg: LegId::B(1) }]
    );
    assert!(!call.is_ended(), "the survey can still run");
    call.hang_up(75_000, "survey done");
    let actions = drain(&mut call);
    assert_eq!(actions[0], ServiceAction::Hangup { leg: LegId::A });
    let ServiceAction::Ended(summary) = &actions[1] else {
        panic!("{actions:?}")
    };
    assert_eq!(
        summary.side,
        HangupSide::Callee,
        "the agent ended the conversation"
    );
    assert_eq!(summary.disposition, Disposition::Answered);
    assert_eq!(summary.answered_leg, Some(LegId::B(1)));
    assert_eq!(summary.ended_at, 75_000);
}

#[test]
fn the_caller_hanging_up_releases_whatever_agent_is_up() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(1);
    call.handle_leg(1, LegId::B(1), answered());
    drain(&mut call);
    call.handle_leg(9, LegId::A, LegEvent::HungUp);
    let actions = drain(&mut call);
    assert_eq!(actions[0], ServiceAction::Hangup { leg: LegId::B(1) });
    let ServiceAction::Ended(summary) = &actions[1] else {
        panic!("{actions:?}")
    };
    assert_eq!(summary.side, HangupSide::Caller);
    assert!(call.is_ended());
    call.handle_leg(10, LegId::B(1), LegEvent::HungUp);
    assert!(drain(&mut call).is_empty(), "nothing after the end");
}

#[test]
fn reinvites_are_answered_by_the_switch_on_each_leg() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(1);
    call.handle_leg(1, LegId::B(1), answered());
    drain(&mut call);
    call.handle_leg(2, LegId::A, LegEvent::ReInvite { sdp: None });
    call.handle_leg(3, LegId::B(1), LegEvent::ReInvite { sdp: None });
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::AnswerReInvite {
                leg: LegId::A,
                status: 200
            },
            ServiceAction::AnswerReInvite {
                leg: LegId::B(1),
                status: 200
            },
        ]
    );
}

#[test]
fn agent_legs_run_out_instead_of_colliding_with_extra_parties() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    for _ in 0..ServiceCall::MAX_AGENT_LEG {
        assert!(call.dial(1));
        call.cancel_dial();
    }
    assert!(!call.dial(1));
    assert!(!call.dial(0));
}

#[test]
fn a_ring_all_offer_rings_several_agents_and_the_first_answer_wins() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    assert!(call.dial(1));
    assert!(call.dial_more(0).is_empty());
    assert_eq!(call.dial_more(2), vec![LegId::B(2), LegId::B(3)]);
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Dial {
                leg: LegId::B(1),
                target: 0
            },
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
    // One agent's offer is withdrawn: only its phone stops.
    call.cancel_legs(&[LegId::B(1)]);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Cancel { leg: LegId::B(1) }]
    );
    assert_eq!(call.ringing_legs(), vec![LegId::B(2), LegId::B(3)]);
    call.handle_leg(5, LegId::B(3), answered());
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(2) },
            ServiceAction::Bridge { leg: LegId::B(3) },
        ]
    );
    assert!(call.dial_more(1).is_empty(), "nothing rings once bridged");
}

#[test]
fn withdrawing_the_last_ringing_legs_ends_the_dial_without_a_report() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    call.dial(1);
    call.dial_more(1);
    drain(&mut call);
    call.cancel_legs(&[LegId::B(1), LegId::B(2)]);
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(1) },
            ServiceAction::Cancel { leg: LegId::B(2) },
        ]
    );
    assert!(!call.is_dialling());
    assert!(call.dial(1), "free for the next offer");
}
