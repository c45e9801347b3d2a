//! The B2BUA core on a virtual clock: each test drives one call with the
//! events a real pair of phones would send and checks what the switch does.

use sb_call::{
    Action, B2bua, CallPhase, CallSummary, Disposition, HangupSide, LegEvent, LegId, Timers,
};

const OFFER: &[u8] = b"v=0 offer";
const ANSWER: &[u8] = b"v=0 answer";

fn drain(call: &mut B2bua) -> Vec<Action> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn summary(actions: &[Action]) -> &CallSummary {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Ended(s) => Some(s),
            _ => None,
        })
        .expect("the call reported its end")
}

fn start(targets: usize) -> B2bua {
    B2bua::start(1_000, Some(OFFER.to_vec()), targets, Timers::default())
}

#[test]
fn answered_call_bridges_and_ends_on_caller_bye() {
    let mut call = start(1);
    assert_eq!(
        drain(&mut call),
        vec![Action::Dial {
            leg: LegId::B(1),
            target: 0,
            sdp: Some(OFFER.to_vec())
        }]
    );
    call.handle_leg(
        1_100,
        LegId::B(1),
        LegEvent::Progress {
            status: 180,
            sdp: None,
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![Action::Ring {
            status: 180,
            sdp: None
        }]
    );
    call.handle_leg(
        3_000,
        LegId::B(1),
        LegEvent::Answered {
            sdp: Some(ANSWER.to_vec()),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![
            Action::Bridge { leg: LegId::B(1) },
            Action::Answer {
                sdp: Some(ANSWER.to_vec())
            }
        ]
    );
    assert_eq!(call.phase(), CallPhase::Answered);
    assert_eq!(call.poll_timeout(), None, "no ring timer once answered");

    call.handle_leg(63_000, LegId::A, LegEvent::HungUp);
    let actions = drain(&mut call);
    assert_eq!(actions[0], Action::Hangup { leg: LegId::B(1) });
    let s = summary(&actions);
    assert_eq!(s.disposition, Disposition::Answered);
    assert_eq!(s.side, HangupSide::Caller);
    assert_eq!((s.ring_ms(), s.talk_ms()), (2_000, 60_000));
}

#[test]
fn callee_bye_hangs_up_the_caller() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(2_000, LegId::B(1), LegEvent::Answered { sdp: None });
    drain(&mut call);
    call.handle_leg(5_000, LegId::B(1), LegEvent::HungUp);
    let actions = drain(&mut call);
    assert_eq!(actions[0], Action::Hangup { leg: LegId::A });
    assert_eq!(summary(&actions).side, HangupSide::Callee);
}

#[test]
fn busy_callee_gives_the_caller_486() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(
        1_200,
        LegId::B(1),
        LegEvent::Failed {
            status: 486,
            reason: "Busy Here".into(),
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
    let s = summary(&actions);
    assert_eq!(s.disposition, Disposition::Busy);
    assert_eq!(s.cause, "486 Busy Here");
}

#[test]
fn ring_timeout_cancels_the_callee_and_gives_480() {
    let mut call = B2bua::start(
        0,
        None,
        1,
        Timers {
            ring_timeout_ms: 20_000,
        },
    );
    drain(&mut call);
    call.handle_leg(
        500,
        LegId::B(1),
        LegEvent::Progress {
            status: 180,
            sdp: None,
        },
    );
    drain(&mut call);
    assert_eq!(call.poll_timeout(), Some(20_000));
    call.handle_timeout(19_999);
    assert!(drain(&mut call).is_empty(), "too early: nothing happens");
    call.handle_timeout(20_000);
    let actions = drain(&mut call);
    assert_eq!(actions[0], Action::Cancel { leg: LegId::B(1) });
    assert_eq!(
        actions[1],
        Action::Reject {
            status: 480,
            reason: "Temporarily Unavailable"
        }
    );
    let s = summary(&actions);
    assert_eq!(
        (s.disposition, s.side),
        (Disposition::NoAnswer, HangupSide::System)
    );
    // The callee's 487 to our CANCEL arrives after the call ended: ignored.
    call.handle_leg(
        20_010,
        LegId::B(1),
        LegEvent::Failed {
            status: 487,
            reason: String::new(),
        },
    );
    assert!(drain(&mut call).is_empty());
}

#[test]
fn caller_cancel_cancels_every_fork() {
    let mut call = start(2);
    assert_eq!(drain(&mut call).len(), 2);
    call.handle_leg(1_500, LegId::A, LegEvent::Cancelled);
    let actions = drain(&mut call);
    assert_eq!(
        &actions[..3],
        &[
            Action::Cancel { leg: LegId::B(1) },
            Action::Cancel { leg: LegId::B(2) },
            Action::Reject {
                status: 487,
                reason: "Request Terminated"
            },
        ]
    );
    assert_eq!(summary(&actions).disposition, Disposition::Cancelled);
}

#[test]
fn answer_crossing_a_cancel_is_hung_up() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(1_500, LegId::A, LegEvent::Cancelled);
    drain(&mut call);
    call.handle_leg(1_501, LegId::B(1), LegEvent::Answered { sdp: None });
    assert_eq!(drain(&mut call), vec![Action::Hangup { leg: LegId::B(1) }]);
}

#[test]
fn forked_call_first_answer_wins_and_the_rest_are_cancelled() {
    let mut call = start(3);
    drain(&mut call);
    call.handle_leg(
        1_100,
        LegId::B(1),
        LegEvent::Failed {
            status: 486,
            reason: String::new(),
        },
    );
    call.handle_leg(
        1_200,
        LegId::B(3),
        LegEvent::Answered {
            sdp: Some(ANSWER.to_vec()),
        },
    );
    let actions = drain(&mut call);
    assert_eq!(
        actions,
        vec![
            Action::Cancel { leg: LegId::B(2) },
            Action::Bridge { leg: LegId::B(3) },
            Action::Answer {
                sdp: Some(ANSWER.to_vec())
            },
        ]
    );
    // The second answer of a fork race is closed at once.
    call.handle_leg(1_201, LegId::B(2), LegEvent::Answered { sdp: None });
    assert_eq!(drain(&mut call), vec![Action::Hangup { leg: LegId::B(2) }]);
}

#[test]
fn all_forks_failing_reports_busy_before_unavailable() {
    let mut call = start(2);
    drain(&mut call);
    call.handle_leg(
        1_100,
        LegId::B(1),
        LegEvent::Failed {
            status: 480,
            reason: String::new(),
        },
    );
    assert!(drain(&mut call).is_empty(), "one branch still rings");
    call.handle_leg(
        1_200,
        LegId::B(2),
        LegEvent::Failed {
            status: 486,
            reason: String::new(),
        },
    );
    assert_eq!(
        drain(&mut call)[0],
        Action::Reject {
            status: 486,
            reason: "Busy Here"
        }
    );
}

#[test]
fn early_media_is_bridged_before_the_answer() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(
        1_100,
        LegId::B(1),
        LegEvent::Progress {
            status: 183,
            sdp: Some(ANSWER.to_vec()),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![
            Action::Bridge { leg: LegId::B(1) },
            Action::Ring {
                status: 183,
                sdp: Some(ANSWER.to_vec())
            }
        ]
    );
    call.handle_leg(
        2_000,
        LegId::B(1),
        LegEvent::Answered {
            sdp: Some(ANSWER.to_vec()),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![Action::Answer {
            sdp: Some(ANSWER.to_vec())
        }]
    );
}

#[test]
fn hold_reinvite_is_passed_through_both_ways() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(2_000, LegId::B(1), LegEvent::Answered { sdp: None });
    drain(&mut call);
    let hold = b"a=sendonly".to_vec();
    call.handle_leg(
        3_000,
        LegId::A,
        LegEvent::ReInvite {
            sdp: Some(hold.clone()),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![Action::ReInvite {
            leg: LegId::B(1),
            sdp: Some(hold)
        }]
    );
    // Glare: the callee's own re-INVITE while ours is pending gets 491.
    call.handle_leg(3_001, LegId::B(1), LegEvent::ReInvite { sdp: None });
    assert_eq!(
        drain(&mut call),
        vec![Action::AnswerReInvite {
            leg: LegId::B(1),
            status: 491,
            sdp: None
        }]
    );
    let held = b"a=recvonly".to_vec();
    call.handle_leg(
        3_050,
        LegId::B(1),
        LegEvent::ReInviteAnswered {
            status: 200,
            sdp: Some(held.clone()),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![Action::AnswerReInvite {
            leg: LegId::A,
            status: 200,
            sdp: Some(held)
        }]
    );
    // Resume from the callee side works the same way.
    call.handle_leg(9_000, LegId::B(1), LegEvent::ReInvite { sdp: None });
    assert_eq!(
        drain(&mut call),
        vec![Action::ReInvite {
            leg: LegId::A,
            sdp: None
        }]
    );
}

#[test]
fn no_contact_is_rejected_at_once_and_terminate_ends_a_live_call() {
    let mut call = start(0);
    let actions = drain(&mut call);
    assert_eq!(
        actions[0],
        Action::Reject {
            status: 480,
            reason: "Temporarily Unavailable"
        }
    );
    assert_eq!(call.phase(), CallPhase::Ended);

    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(2_000, LegId::B(1), LegEvent::Answered { sdp: None });
    drain(&mut call);
    call.terminate(4_000, "shutdown");
    let actions = drain(&mut call);
    assert_eq!(
        &actions[..2],
        &[
            Action::Hangup { leg: LegId::A },
            Action::Hangup { leg: LegId::B(1) }
        ]
    );
    assert_eq!(summary(&actions).side, HangupSide::System);
}

#[test]
fn events_for_unknown_legs_and_after_the_end_are_ignored() {
    let mut call = start(1);
    drain(&mut call);
    call.handle_leg(1_001, LegId::B(7), LegEvent::Answered { sdp: None });
    call.handle_leg(1_002, LegId::B(0), LegEvent::HungUp);
    assert!(drain(&mut call).is_empty());
    call.handle_leg(
        1_003,
        LegId::B(1),
        LegEvent::Failed {
            status: 404,
            reason: String::new(),
        },
    );
    assert_eq!(
        summary(&drain(&mut call)).disposition,
        Disposition::Rejected
    );
    for event in [
        LegEvent::HungUp,
        LegEvent::Cancelled,
        LegEvent::ReInvite { sdp: None },
    ] {
        call.handle_leg(2_000, LegId::A, event.clone());
        call.handle_leg(2_000, LegId::B(1), event);
    }
    assert!(drain(&mut call).is_empty());
}

mod transfer {
    use sb_call::{Action, B2bua, HangupSide, LegEvent, LegId, Refused, Timers};

    fn drain(call: &mut B2bua) -> Vec<Action> {
        std::iter::from_fn(|| call.poll_output()).collect()
    }

    fn answered_call() -> B2bua {
        let mut call = B2bua::start(0, None, 1, Timers::default());
        assert_eq!(
            call.transfer(0),
            Err(Refused("transfer: the call is not answered yet"))
        );
        call.handle_leg(1_000, LegId::B(1), LegEvent::Answered { sdp: None });
        drain(&mut call);
        call
    }

    #[test]
    fn a_blind_transfer_hangs_up_the_callee_and_bridges_the_new_leg_silently() {
        let mut call = answered_call();
        assert_eq!(call.may_transfer(), Ok(1));
        assert_eq!(call.transfer(2_000), Ok(LegId::B(2)));
        assert_eq!(
            drain(&mut call),
            vec![
                Action::Hangup { leg: LegId::B(1) },
                Action::Dial {
                    leg: LegId::B(2),
                    target: 1,
                    sdp: None
                }
            ]
        );
        assert_eq!(
            call.transfer(2_001),
            Err(Refused("transfer: a transfer is already ringing"))
        );
        // The old callee's BYE crossing ours is nobody's business now.
        call.handle_leg(2_002, LegId::B(1), LegEvent::HungUp);
        assert!(drain(&mut call).is_empty());
        call.handle_leg(3_000, LegId::B(2), LegEvent::Answered { sdp: None });
        assert_eq!(drain(&mut call), vec![Action::Bridge { leg: LegId::B(2) }]);
        call.handle_leg(9_000, LegId::B(2), LegEvent::HungUp);
        let actions = drain(&mut call);
        assert_eq!(actions[0], Action::Hangup { leg: LegId::A });
        let Some(Action::Ended(summary)) = actions.last() else {
            panic!("ended: {actions:?}");
        };
        assert_eq!(summary.answered_leg, Some(LegId::B(2)));
        assert_eq!(summary.answered_at, Some(1_000));
        assert_eq!(summary.side, HangupSide::Callee);
    }

    #[test]
    fn a_transfer_nobody_answers_ends_the_call_after_the_ring_timeout() {
        let mut call = answered_call();
        call.transfer(2_000).expect("transfer");
        drain(&mut call);
        assert_eq!(
            call.poll_timeout(),
            Some(2_000 + Timers::default().ring_timeout_ms)
        );
        call.handle_timeout(2_000 + Timers::default().ring_timeout_ms);
        let actions = drain(&mut call);
        assert_eq!(actions[0], Action::Cancel { leg: LegId::B(2) });
        assert_eq!(actions[1], Action::Hangup { leg: LegId::A });
        let Some(Action::Ended(summary)) = actions.last() else {
            panic!("ended: {actions:?}");
        };
        assert_eq!(summary.cause, "transfer not answered");
    }

    #[test]
    fn the_caller_hanging_up_during_a_transfer_cancels_it() {
        let mut call = answered_call();
        call.transfer(2_000).expect("transfer");
        drain(&mut call);
        call.handle_leg(2_500, LegId::A, LegEvent::HungUp);
        let actions = drain(&mut call);
        assert_eq!(actions[0], Action::Cancel { leg: LegId::B(2) });
        assert!(matches!(actions.last(), Some(Action::Ended(_))));
    }
}

mod side {
    use sb_call::{Action, B2bua, LegEvent, LegId, Refused, SidePurpose, Timers};

    fn drain(call: &mut B2bua) -> Vec<Action> {
        std::iter::from_fn(|| call.poll_output()).collect()
    }

    fn answered_call() -> B2bua {
        let mut call = B2bua::start(0, None, 1, Timers::default());
        call.handle_leg(1_000, LegId::B(1), LegEvent::Answered { sdp: None });
        drain(&mut call);
        call
    }

    #[test]
    fn a_completed_consultation_hands_the_caller_over_and_offers_are_answered_locally() {
        let mut call = answered_call();
        assert_eq!(call.open_side(2_000, SidePurpose::Consult), Ok(LegId::B(2)));
        assert_eq!(
            drain(&mut call),
            vec![Action::DialSide {
                leg: LegId::B(2),
                target: 1
            }]
        );
        assert_eq!(
            call.transfer(2_001),
            Err(Refused("transfer: a consultation is in progress"))
        );
        assert_eq!(
            call.complete_consult(),
            Err(Refused(
                "consult/complete: the consulted party has not answered yet"
            ))
        );
        call.handle_leg(3_000, LegId::B(2), LegEvent::Answered { sdp: None });
        assert_eq!(
            drain(&mut call),
            vec![Action::ConsultAnswered { leg: LegId::B(2) }]
        );
        assert_eq!(call.complete_consult(), Ok((LegId::B(1), LegId::B(2))));
        assert_eq!(
            drain(&mut call),
            vec![
                Action::Hangup { leg: LegId::B(1) },
                Action::Handover {
                    from: LegId::B(1),
                    to: LegId::B(2)
                }
            ]
        );
        call.handle_leg(4_000, LegId::A, LegEvent::ReInvite { sdp: None });
        assert_eq!(
            drain(&mut call),
            vec![Action::AnswerLocally { leg: LegId::A }]
        );
        call.handle_leg(5_000, LegId::B(2), LegEvent::HungUp);
        let actions = drain(&mut call);
        assert_eq!(actions[0], Action::Hangup { leg: LegId::A });
        let Some(Action::Ended(summary)) = actions.last() else {
            panic!("{actions:?}");
        };
        assert_eq!(summary.answered_leg, Some(LegId::B(2)));
    }

    #[test]
    fn an_intercept_nobody_answers_leaves_the_callee_with_the_caller() {
        let mut call = answered_call();
        call.open_side(2_000, SidePurpose::Intercept)
            .expect("intercept");
        drain(&mut call);
        assert_eq!(
            call.poll_timeout(),
            Some(2_000 + Timers::default().ring_timeout_ms)
        );
        call.handle_timeout(2_000 + Timers::default().ring_timeout_ms);
        assert_eq!(
            drain(&mut call),
            vec![
                Action::Cancel { leg: LegId::B(2) },
                Action::SideFailed {
                    leg: LegId::B(2),
                    purpose: SidePurpose::Intercept,
                    status: 408
                }
            ]
        );
        assert_eq!(call.side(), None);
        assert_eq!(
            call.cancel_consult(),
            Err(Refused("consult/cancel: no consultation in progress"))
        );
    }

    #[test]
    fn the_callee_leaving_a_conference_leaves_the_consulted_party_with_the_caller() {
        let mut call = answered_call();
        call.open_side(2_000, SidePurpose::Consult)
            .expect("consult");
        call.handle_leg(3_000, LegId::B(2), LegEvent::Answered { sdp: None });
        call.conference_consult().expect("conference");
        drain(&mut call);
        call.handle_leg(4_000, LegId::B(1), LegEvent::HungUp);
        assert_eq!(
            drain(&mut call),
            vec![Action::Handover {
                from: LegId::B(1),
                to: LegId::B(2)
            }]
        );
    }
}
