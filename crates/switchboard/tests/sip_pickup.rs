//! Call pickup with real SIP peers (issue 7, MISSION G7): a call rings at
//! one SIPp phone and another phone of the same extension group takes it,
//! by dialling `*8` (or `**<extension>`) or through the API. Checks that the
//! ringing phone is cancelled, that caller and picker hear each other, the
//! CDR, the ACD (an offered agent is ready again, without a miss) and the
//! refusals. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sip_support::agents::{agent_phone, agent_state, phone_relay, set_password, sign_in};
use sip_support::api::{field, items};
use sip_support::peers;
use sip_support::rtp::{RtpPeer, assert_talking, press, relay_address};
use sip_support::sipp::Sipp;
use sip_support::{Switch, peers_available, poll};

/// An extension group: its members pick up one another's calls.
fn group(switch: &Switch, name: &str, extensions: &[&str]) {
    let members = extensions
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(",");
    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/extension-groups",
        &format!(r#"{{"name":"{name}","extensions":[{members}]}}"#),
    );
    assert_eq!(status, 201, "extension group: {body}");
}

fn relay_path(switch: &Switch, name: &str) -> PathBuf {
    switch.scratch("pickup").join(format!("relay-{name}"))
}

/// `user` dials `number` with `scenario`, its RTP on `rtp`; the switch's
/// media address is written to the relay file named `name`.
fn dial(
    switch: &Switch,
    name: &str,
    scenario: &str,
    user: &str,
    number: &str,
    rtp: &RtpPeer,
) -> Sipp {
    peers::dial(
        switch,
        name,
        scenario,
        (user, "127.0.0.1"),
        number,
        vec![
            ("rtp_port", rtp.port.to_string()),
            ("relay_file", relay_path(switch, name).display().to_string()),
        ],
        &[],
    )
}

fn relay(switch: &Switch, name: &str, sipp: &Sipp) -> SocketAddr {
    relay_address(&relay_path(switch, name)).unwrap_or_else(|| {
        panic!(
            "{name} was not answered\n{}\n{}",
            sipp.trace(),
            switch.log()
        )
    })
}

/// The live call once `extension`'s phone rings for it; its id.
fn ringing_at(switch: &Switch, extension: &str) -> String {
    let shown = format!(r#""ringing":["{extension}"]"#);
    poll(Duration::from_secs(15), || {
        let (_, body) = switch.api_get("/api/v1/calls");
        items(&body)
            .into_iter()
            .find(|c| c.contains(&shown))
            .and_then(|c| field(&c, "id"))
    })
    .unwrap_or_else(|| panic!("{extension} never rang\n{}", switch.log()))
}

/// What the switch answers to `user` dialling `number` (uac_refused.xml).
fn refused_status(switch: &Switch, name: &str, user: &str, number: &str) -> u16 {
    peers::refused(switch, name, (user, "127.0.0.1"), number).0
}

fn cdr_to(switch: &Switch, callee: &str) -> String {
    poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some(callee))
    })
    .unwrap_or_else(|| panic!("no CDR for the call to {callee}\n{}", switch.log()))
}

#[test]
fn a_phone_dialling_star_8_takes_a_call_ringing_in_its_group() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    group(&switch, "Front desk", &["1002", "1003"]);
    let (caller_rtp, picker_rtp) = (RtpPeer::new(0x7101), RtpPeer::new(0x7103));
    let mut ringing = agent_phone(&switch, "1002", "uas_ring.xml", &RtpPeer::new(0x7102));
    assert_eq!(
        refused_status(&switch, "nothing-rings", "1003", "**1002"),
        404,
        "nothing to pick up yet"
    );

    let mut caller = dial(
        &switch,
        "caller",
        "uac_wait_bye.xml",
        "1001",
        "1002",
        &caller_rtp,
    );
    ringing_at(&switch, "1002");
    assert_eq!(
        refused_status(&switch, "outsider", "1004", "*8"),
        404,
        "1004 shares no group with 1002"
    );
    let mut picker = dial(&switch, "picker", "uac_call.xml", "1003", "*8", &picker_rtp);
    peers::wait_answered(&switch, &mut picker);
    // The phone that rang is cancelled (uas_ring.xml expects the CANCEL).
    ringing.assert_success(|| switch.log());
    assert_talking(
        (&caller_rtp, relay(&switch, "caller", &caller)),
        (&picker_rtp, relay(&switch, "picker", &picker)),
    );
    // The picker hangs up after three seconds: the caller gets the BYE.
    picker.assert_success(|| switch.log());
    caller.assert_success(|| switch.log());

    let cdr = cdr_to(&switch, "1002");
    assert_eq!(
        field(&cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );
}

#[test]
fn a_queue_offer_picked_up_with_star_8_leaves_the_offered_agent_ready() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    group(&switch, "Sales floor", &["1003", "1004"]);
    let (caller_rtp, picker_rtp) = (RtpPeer::new(0x7201), RtpPeer::new(0x7204));
    let mut offered = agent_phone(&switch, "1003", "uas_ring.xml", &RtpPeer::new(0x7203));
    sign_in(&switch, "1003");
    let mut caller = dial(
        &switch,
        "hotline-caller",
        "uac_call_ivr_wait_bye.xml",
        "1001",
        "4000",
        &caller_rtp,
    );
    let caller_relay = relay(&switch, "hotline-caller", &caller);
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, caller_relay, "1");
    let id = ringing_at(&switch, "1003");
    assert_eq!(
        agent_state(&switch, "1003").as_deref(),
        Some("reserved"),
        "offered"
    );

    let mut picker = dial(&switch, "picker", "uac_call.xml", "1004", "*8", &picker_rtp);
    peers::wait_answered(&switch, &mut picker);
    offered.assert_success(|| switch.log());
    let (_, calls) = switch.api_get("/api/v1/calls");
    let call = items(&calls)
        .into_iter()
        .find(|c| field(c, "id").as_deref() == Some(id.as_str()))
        .unwrap_or_else(|| panic!("the call is gone: {calls}"));
    assert_eq!(
        field(&call, "agent_extension").as_deref(),
        Some("1004"),
        "{call}"
    );
    // Offered, not missed: the agent is ready for the next caller.
    assert_eq!(agent_state(&switch, "1003").as_deref(), Some("ready"));
    let (_, log) = switch.api_get("/api/v1/acd/events");
    assert!(
        log.contains("picked_up"),
        "the ACD log has the pickup: {log}"
    );
    // uac_call.xml hangs up three seconds after the answer.
    assert_talking(
        (&caller_rtp, caller_relay),
        (&picker_rtp, relay(&switch, "picker", &picker)),
    );
    picker.assert_success(|| switch.log());
    // The picker hung up first: the caller went on to the survey, which
    // a supervisor cuts short.
    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/hangup"), "");
    assert_eq!(status, 204, "{body}");
    caller.assert_success(|| switch.log());
}

#[test]
fn an_agent_picks_up_through_the_api_and_their_phone_is_rung_instead() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    group(&switch, "Front desk", &["1002", "1003"]);
    set_password(&switch, "1003", "Pickup-1003!");
    set_password(&switch, "1004", "Pickup-1004!");
    let (caller_rtp, picker_rtp) = (RtpPeer::new(0x7301), RtpPeer::new(0x7303));
    let mut ringing = agent_phone(&switch, "1002", "uas_ring.xml", &RtpPeer::new(0x7302));
    let mut picker = agent_phone(&switch, "1003", "uas_answer.xml", &picker_rtp);
    let mut caller = dial(
        &switch,
        "caller",
        "uac_wait_bye.xml",
        "1001",
        "1002",
        &caller_rtp,
    );
    let id = ringing_at(&switch, "1002");

    let (status, body) = switch.api_send_as(
        ("1003", "Pickup-1003!"),
        "GET",
        "/api/v1/calls/pickable",
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!(r#""id":{id}"#)),
        "1003 sees the call: {body}"
    );
    let (status, body) = switch.api_send_as(
        ("1004", "Pickup-1004!"),
        "POST",
        &format!("/api/v1/calls/{id}/pickup"),
        "{}",
    );
    assert_eq!(status, 403, "1004 is not in the group: {body}");
    let (status, body) = switch.api_send_as(
        ("1003", "Pickup-1003!"),
        "POST",
        &format!("/api/v1/calls/{id}/pickup"),
        r#"{"extension":"1004"}"#,
    );
    assert_eq!(
        status, 403,
        "an agent picks up at their own phone only: {body}"
    );
    assert!(body.contains("extension"), "{body}");

    let (status, body) = switch.api_send_as(
        ("1003", "Pickup-1003!"),
        "POST",
        &format!("/api/v1/calls/{id}/pickup"),
        "{}",
    );
    assert_eq!(status, 204, "pickup: {body}\n{}", switch.log());
    ringing.assert_success(|| switch.log());
    let invite = picker
        .received()
        .into_iter()
        .find(|m| m.starts_with("INVITE "))
        .unwrap_or_default();
    assert!(
        invite.contains("answer-after=0"),
        "auto-answer hints: {invite}"
    );
    assert_talking(
        (&caller_rtp, relay(&switch, "caller", &caller)),
        (&picker_rtp, phone_relay(&switch, "1003")),
    );
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/calls/{id}/pickup"),
        r#"{"extension":"1004"}"#,
    );
    assert_eq!(status, 409, "a second pickup: {body}");
    assert!(
        body.contains("pickup: the call is already answered"),
        "{body}"
    );

    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/hangup"), "");
    assert_eq!(status, 204, "{body}");
    caller.assert_success(|| switch.log());
    picker.assert_success(|| switch.log());
    let cdr = cdr_to(&switch, "1002");
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );
    let (_, audit) = switch.api_get("/api/v1/audit?action=call.pickup");
    assert!(
        audit.contains("call.pickup"),
        "the pickup is audited: {audit}"
    );
}
