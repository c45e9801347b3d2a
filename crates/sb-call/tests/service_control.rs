//! Agent and supervisor control of a service call on a virtual clock:
//! blind transfer, consultation (completed, cancelled, conference) and
//! intercept, and the refusals the API shows.

use sb_call::{HangupSide, LegEvent, LegId, Refused, ServiceAction, ServiceCall, SidePurpose};

fn drain(call: &mut ServiceCall) -> Vec<ServiceAction> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn answered() -> LegEvent {
    LegEvent::Answered { sdp: None }
}

/// A caller talking with the agent on B(1).
fn talking() -> ServiceCall {
    let mut call = ServiceCall::start(0);
    assert!(call.dial(1));
    call.handle_leg(1_000, LegId::B(1), answered());
    drain(&mut call);
    assert_eq!(call.bridged(), Some(LegId::B(1)));
    call
}

fn ended(actions: &[ServiceAction]) -> Option<&sb_call::CallSummary> {
    actions.iter().find_map(|a| match a {
        ServiceAction::Ended(summary) => Some(summary),
        _ => None,
    })
}

#[test]
fn nothing_is_transferred_consulted_or_intercepted_before_an_agent_answers() {
    let mut call = ServiceCall::start(0);
    drain(&mut call);
    assert_eq!(
        call.transfer_blind(),
        Err(Refused(
            "transfer: the call is not answered by an agent yet"
        ))
    );
    assert!(call.dial(1));
    assert_eq!(
        call.consult(),
        Err(Refused("consult: the call is not answered by an agent yet"))
    );
    assert_eq!(
        call.intercept(),
        Err(Refused(
            "intercept: the call is not answered by an agent yet"
        ))
    );
    assert_eq!(
        call.complete_consult(),
        Err(Refused("consult/complete: no consultation in progress"))
    );
    assert_eq!(
        call.cancel_consult(),
        Err(Refused("consult/cancel: no consultation in progress"))
    );
    assert_eq!(
        call.conference_consult(),
        Err(Refused("consult/conference: no consultation in progress"))
    );
}

#[test]
fn a_blind_transfer_drops_the_agent_and_the_next_agent_keeps_the_call() {
    let mut call = talking();
    assert_eq!(call.transfer_blind(), Ok(LegId::B(1)));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Hangup { leg: LegId::B(1) }]
    );
    assert_eq!(call.bridged(), None);
    // The target rings on a new leg and answers.
    assert!(call.dial(1));
    call.handle_leg(5_000, LegId::B(2), answered());
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Dial {
                leg: LegId::B(2),
                target: 0
            },
            ServiceAction::Bridge { leg: LegId::B(2) }
        ]
    );
    // The old agent's BYE answer crossing is not the new agent leaving.
    call.handle_leg(5_001, LegId::B(1), LegEvent::HungUp);
    assert!(drain(&mut call).is_empty());
    call.handle_leg(9_000, LegId::A, LegEvent::HungUp);
    let actions = drain(&mut call);
    let summary = ended(&actions).expect("ended");
    assert_eq!(summary.answered_leg, Some(LegId::B(2)));
    assert_eq!(summary.side, HangupSide::Caller);
}

#[test]
fn a_completed_consultation_hands_the_caller_to_the_consulted_party() {
    let mut call = talking();
    assert_eq!(call.consult(), Ok(LegId::B(2)));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::DialSide { leg: LegId::B(2) }]
    );
    assert_eq!(
        call.consult(),
        Err(Refused("consult: a consultation is already in progress"))
    );
    assert_eq!(
        call.transfer_blind(),
        Err(Refused("transfer: a consultation is in progress"))
    );
    assert_eq!(
        call.complete_consult(),
        Err(Refused(
            "consult/complete: the consulted party has not answered yet"
        ))
    );
    call.handle_leg(2_000, LegId::B(2), answered());
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::ConsultAnswered { leg: LegId::B(2) }]
    );
    assert_eq!(call.side(), Some((LegId::B(2), SidePurpose::Consult, true)));
    assert_eq!(call.complete_consult(), Ok((LegId::B(1), LegId::B(2))));
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Hangup { leg: LegId::B(1) },
            ServiceAction::Handover {
                from: LegId::B(1),
                to: LegId::B(2)
            }
        ]
    );
    assert_eq!(call.bridged(), Some(LegId::B(2)));
    assert_eq!(call.side(), None);
    // The new agent hangs up first: the caller goes on with the application.
    call.handle_leg(3_000, LegId::B(2), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::AgentLeft { leg: LegId::B(2) }]
    );
}

#[test]
fn a_cancelled_consultation_gives_the_caller_back_to_the_agent() {
    let mut call = talking();
    call.consult().expect("consult");
    drain(&mut call);
    // Still ringing: the consulted phone is cancelled.
    assert_eq!(call.cancel_consult(), Ok(LegId::B(2)));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Cancel { leg: LegId::B(2) }]
    );
    assert_eq!(call.bridged(), Some(LegId::B(1)));
    // Answered: it is hung up.
    call.consult().expect("consult again");
    call.handle_leg(2_000, LegId::B(3), answered());
    drain(&mut call);
    assert_eq!(call.cancel_consult(), Ok(LegId::B(3)));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Hangup { leg: LegId::B(3) }]
    );
    // A consulted phone that fails is reported, the agent keeps the caller.
    call.consult().expect("consult a third time");
    drain(&mut call);
    call.handle_leg(
        3_000,
        LegId::B(4),
        LegEvent::Failed {
            status: 486,
            reason: String::new(),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::SideFailed {
            leg: LegId::B(4),
            purpose: SidePurpose::Consult,
            status: 486
        }]
    );
    assert_eq!(call.bridged(), Some(LegId::B(1)));
}

#[test]
fn in_a_conference_either_agent_may_leave_and_the_others_stay_connected() {
    let mut call = talking();
    call.consult().expect("consult");
    call.handle_leg(2_000, LegId::B(2), answered());
    drain(&mut call);
    assert_eq!(call.conference_consult(), Ok(LegId::B(2)));
    assert!(call.in_conference());
    assert_eq!(
        call.conference_consult(),
        Err(Refused("consult/conference: already a conference"))
    );
    // The first agent leaves: the consulted party keeps the caller.
    call.handle_leg(3_000, LegId::B(1), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Handover {
            from: LegId::B(1),
            to: LegId::B(2)
        }]
    );
    assert_eq!(call.bridged(), Some(LegId::B(2)));

    // Or the consulted party leaves: the agent keeps the caller.
    let mut call = talking();
    call.consult().expect("consult");
    call.handle_leg(2_000, LegId::B(2), answered());
    call.conference_consult().expect("conference");
    drain(&mut call);
    call.handle_leg(3_000, LegId::B(2), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::SideLeft { leg: LegId::B(2) }]
    );
    assert_eq!(call.bridged(), Some(LegId::B(1)));
    assert!(!call.in_conference());
}

#[test]
fn an_agent_hanging_up_while_consulting_completes_the_transfer() {
    let mut call = talking();
    call.consult().expect("consult");
    call.handle_leg(2_000, LegId::B(2), answered());
    drain(&mut call);
    call.handle_leg(3_000, LegId::B(1), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::Handover {
            from: LegId::B(1),
            to: LegId::B(2)
        }]
    );
    // Before the consulted party answered, it is dropped with the agent.
    let mut call = talking();
    call.consult().expect("consult");
    drain(&mut call);
    call.handle_leg(3_000, LegId::B(1), LegEvent::HungUp);
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(2) },
            ServiceAction::AgentLeft { leg: LegId::B(1) }
        ]
    );
}

#[test]
fn an_intercepting_supervisor_takes_the_agents_place_on_answer() {
    let mut call = talking();
    assert_eq!(call.intercept(), Ok(LegId::B(2)));
    assert_eq!(
        drain(&mut call),
        vec![ServiceAction::DialSide { leg: LegId::B(2) }]
    );
    assert_eq!(
        call.consult(),
        Err(Refused("consult: a consultation is already in progress"))
    );
    assert_eq!(
        call.complete_consult(),
        Err(Refused("consult/complete: no consultation in progress"))
    );
    call.handle_leg(2_000, LegId::B(2), answered());
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Hangup { leg: LegId::B(1) },
            ServiceAction::Handover {
                from: LegId::B(1),
                to: LegId::B(2)
            }
        ]
    );
    call.hang_up(5_000, "done");
    let actions = drain(&mut call);
    assert_eq!(
        ended(&actions).and_then(|s| s.answered_leg),
        Some(LegId::B(2))
    );
}

#[test]
fn the_caller_hanging_up_drops_a_side_leg_too() {
    let mut call = talking();
    call.intercept().expect("intercept");
    drain(&mut call);
    call.handle_leg(2_000, LegId::A, LegEvent::HungUp);
    let actions = drain(&mut call);
    assert_eq!(actions[0], ServiceAction::Cancel { leg: LegId::B(2) });
    assert_eq!(actions[1], ServiceAction::Hangup { leg: LegId::B(1) });
    assert!(ended(&actions).is_some());
    assert_eq!(
        call.transfer_blind(),
        Err(Refused("transfer: the call has ended"))
    );
}

#[test]
fn a_side_leg_that_rings_too_long_is_cancelled_and_reported() {
    let mut call = talking();
    call.intercept().expect("intercept");
    drain(&mut call);
    call.side_timed_out();
    assert_eq!(
        drain(&mut call),
        vec![
            ServiceAction::Cancel { leg: LegId::B(2) },
            ServiceAction::SideFailed {
                leg: LegId::B(2),
                purpose: SidePurpose::Intercept,
                status: 408
            }
        ]
    );
    assert_eq!(call.bridged(), Some(LegId::B(1)));
    assert_eq!(call.may_open_side(SidePurpose::Consult), Ok(()));
}
