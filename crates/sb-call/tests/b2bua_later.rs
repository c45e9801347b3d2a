//! Follow-me's delayed fork (MISSION G8) on the virtual clock: the desk
//! phone rings at once, the mobile (target 1) only after its delay.

use sb_call::{Action, B2bua, CallPhase, Disposition, LegEvent, LegId, Timers};

const OFFER: &[u8] = b"v=0 offer";

fn drain(call: &mut B2bua) -> Vec<Action> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

fn dial(leg: u16, target: usize) -> Action {
    Action::Dial {
        leg: LegId::B(leg),
        target,
        sdp: Some(OFFER.to_vec()),
    }
}

const TIMERS: Timers = Timers {
    ring_timeout_ms: 20_000,
};

/// Desk phone at once, mobile after 5 s; the call starts at t = 1000.
fn desk_then_mobile() -> B2bua {
    B2bua::start_staggered(1_000, Some(OFFER.to_vec()), &[0, 5_000], TIMERS)
}

#[test]
fn the_mobile_is_dialled_when_its_delay_has_passed() {
    let mut call = desk_then_mobile();
    assert_eq!(drain(&mut call), vec![dial(1, 0)]);
    assert!(call.has_waiting_targets());
    assert_eq!(call.poll_timeout(), Some(6_000), "woken for the mobile");
    call.handle_timeout(5_999);
    assert_eq!(drain(&mut call), vec![], "not yet");
    call.handle_timeout(6_000);
    assert_eq!(drain(&mut call), vec![dial(2, 1)]);
    assert!(!call.has_waiting_targets());
    // The ring timeout counts from the mobile's dial time.
    assert_eq!(call.poll_timeout(), Some(26_000));
}

#[test]
fn the_mobile_answering_wins_and_the_desk_phone_is_cancelled() {
    let mut call = desk_then_mobile();
    drain(&mut call);
    call.handle_timeout(6_000);
    drain(&mut call);
    call.handle_leg(8_000, LegId::B(2), LegEvent::Answered { sdp: None });
    let actions = drain(&mut call);
    assert_eq!(
        actions,
        vec![
            Action::Cancel { leg: LegId::B(1) },
            Action::Bridge { leg: LegId::B(2) },
            Action::Answer { sdp: None },
        ]
    );
    assert_eq!(call.phase(), CallPhase::Answered);
    call.handle_leg(10_000, LegId::A, LegEvent::HungUp);
    let ended = drain(&mut call)
        .into_iter()
        .find_map(|a| match a {
            Action::Ended(s) => Some(s),
            _ => None,
        })
        .expect("ended");
    assert_eq!(ended.answered_leg, Some(LegId::B(2)));
    assert_eq!(ended.disposition, Disposition::Answered);
}

#[test]
fn the_desk_phone_answering_first_means_the_mobile_never_rings() {
    let mut call = desk_then_mobile();
    drain(&mut call);
    call.handle_leg(3_000, LegId::B(1), LegEvent::Answered { sdp: None });
    let actions = drain(&mut call);
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, Action::Dial { .. } | Action::Cancel { .. })),
        "the waiting mobile is neither dialled nor cancelled: {actions:?}"
    );
    assert_eq!(call.poll_timeout(), None);
    call.handle_timeout(6_000);
    assert!(drain(&mut call).is_empty());
}

#[test]
fn a_failed_desk_phone_brings_the_mobile_forward() {
    let mut call = desk_then_mobile();
    drain(&mut call);
    call.handle_leg(
        1_500,
        LegId::B(1),
        LegEvent::Failed {
            status: 486,
            reason: "Busy Here".into(),
        },
    );
    assert_eq!(
        drain(&mut call),
        vec![dial(2, 1)],
        "dialled at once, no 486 yet"
    );
    assert_eq!(call.phase(), CallPhase::Dialling);
    call.handle_leg(
        2_000,
        LegId::B(2),
        LegEvent::Failed {
            status: 404,
            reason: "Not Found".into(),
        },
    );
    let actions = drain(&mut call);
    // Every branch failed: busy wins, as for any fork.
    assert!(matches!(actions[0], Action::Reject { status: 486, .. }));
}

#[test]
fn caller_cancel_before_the_delay_dials_nothing_more() {
    let mut call = desk_then_mobile();
    drain(&mut call);
    call.handle_leg(2_000, LegId::A, LegEvent::Cancelled);
    let actions = drain(&mut call);
    assert_eq!(actions[0], Action::Cancel { leg: LegId::B(1) });
    assert!(!actions.iter().any(|a| matches!(a, Action::Dial { .. })));
    assert!(
        !actions.contains(&Action::Cancel { leg: LegId::B(2) }),
        "the undialled mobile gets no CANCEL"
    );
    assert_eq!(call.poll_timeout(), None);
}

#[test]
fn nobody_answering_ends_after_the_mobile_rang_its_ring_time() {
    let mut call = desk_then_mobile();
    drain(&mut call);
    call.handle_timeout(6_000);
    drain(&mut call);
    call.handle_timeout(21_000);
    assert!(
        drain(&mut call).is_empty(),
        "the desk phone's own timeout is not the call's"
    );
    call.handle_timeout(26_000);
    let actions = drain(&mut call);
    assert_eq!(
        &actions[..3],
        &[
            Action::Cancel { leg: LegId::B(1) },
            Action::Cancel { leg: LegId::B(2) },
            Action::Reject {
                status: 480,
                reason: "Temporarily Unavailable"
            },
        ]
    );
}

#[test]
fn all_delayed_means_the_first_rings_at_once() {
    // No desk phone registered: the mobile alone, at once.
    let mut call = B2bua::start_staggered(0, Some(OFFER.to_vec()), &[5_000], TIMERS);
    assert_eq!(drain(&mut call), vec![dial(1, 0)]);
    assert_eq!(call.poll_timeout(), Some(20_000));
    // Both at once (`always`).
    let mut call = B2bua::start_staggered(0, Some(OFFER.to_vec()), &[0, 0], TIMERS);
    assert_eq!(drain(&mut call), vec![dial(1, 0), dial(2, 1)]);
}
