//! Click-to-call (MISSION G3, O1) with real SIP peers: agent 1003 asks the
//! API to call extension 1004; the switch rings 1003's phone (SIPp, with the
//! auto-answer hints), and once it answers rings 1004 (SIPp), which answers
//! and later hangs up; the CDR is written. A number the extension's call
//! class does not allow is refused with 403 naming `to`, and nothing rings.
//! Skipped (loudly) without SIPp unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::time::Duration;

use sip_support::agents::set_password;
use sip_support::api::field;
use sip_support::sipp::Sipp;
use sip_support::{Switch, free_udp_port, peers, peers_available, poll};

const AGENT: &str = "1003";
const AGENT_PASSWORD: &str = "Agent-1003-pw";

/// `extension` registers and answers with `scenario`.
fn phone(switch: &Switch, extension: &str, scenario: &str) -> Sipp {
    let port = peers::register(switch, extension);
    let relay_file = switch
        .scratch("c2c")
        .join(format!("relay-{extension}-{}", free_udp_port()));
    peers::answering(
        switch,
        &format!("phone-{extension}"),
        scenario,
        extension,
        ("127.0.0.1", port),
        vec![
            ("rtp_port", free_udp_port().to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &["-aa"],
    )
}

fn make_call(switch: &Switch, json: &str) -> (u16, String) {
    switch.api_send_as((AGENT, AGENT_PASSWORD), "POST", "/api/v1/calls", json)
}

#[test]
fn the_agents_phone_rings_first_then_the_number() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "10"]);
    set_password(&switch, AGENT, AGENT_PASSWORD);
    let mut agent = phone(&switch, AGENT, "uas_answer.xml");
    let mut callee = phone(&switch, "1004", "uas_hangup.xml");

    let (status, body) = make_call(&switch, r#"{"to":"1004"}"#);
    assert_eq!(status, 202, "{body}\n{}", switch.log());
    let call_id = field(&body, "call_id").expect("call_id");
    assert!(field(&body, "id").is_some(), "{body}");

    agent.assert_success(|| switch.log());
    callee.assert_success(|| switch.log());
    let hint = peers::received_header(&agent, "INVITE", "Call-Info")
        .unwrap_or_else(|| panic!("no Call-Info on the agent's INVITE\n{}", agent.trace()));
    assert!(hint.contains("answer-after=0"), "{hint}");
    let alert = peers::received_header(&agent, "INVITE", "Alert-Info").unwrap_or_default();
    assert!(alert.contains("alert-autoanswer"), "{alert}");
    assert!(
        peers::received_header(&callee, "INVITE", "Call-Info").is_none(),
        "the number gets no auto-answer hint"
    );

    let cdr = poll(Duration::from_secs(10), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "call_id").as_deref() == Some(call_id.as_str()))
    })
    .unwrap_or_else(|| panic!("no CDR for {call_id}\n{}", switch.log()));
    assert_eq!(field(&cdr, "caller").as_deref(), Some(AGENT), "{cdr}");
    assert_eq!(field(&cdr, "callee").as_deref(), Some("1004"), "{cdr}");
    assert_eq!(
        field(&cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1004"),
        "{cdr}"
    );
}

#[test]
fn a_number_the_call_class_forbids_is_refused_before_anything_rings() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    set_password(&switch, AGENT, AGENT_PASSWORD);
    let trunk = switch.api_create(
        "/api/v1/trunks",
        r#"{"name":"carrier-x","host":"127.0.0.3","port":5099}"#,
    );
    switch.api_create(
        "/api/v1/outbound-routes",
        &format!(
            r#"{{"name":"international","pattern":"9.","trunk_id":{trunk},"call_class":"international"}}"#
        ),
    );
    // Registered, so only the number can be the reason.
    let _agent = phone(&switch, AGENT, "uas_answer.xml");
    let (status, body) = make_call(&switch, r#"{"to":"90044123456789"}"#);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains(r#""field":"to""#), "{body}");
    let (status, body) = make_call(&switch, r#"{"to":"12ab"}"#);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(r#""field":"to""#), "{body}");
    let (status, body) = make_call(&switch, r#"{"to":"1004","from_extension":"1001"}"#);
    assert_eq!(
        status, 403,
        "another's phone is not the agent's to use: {body}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let (_, live) = switch.api_get("/api/v1/calls");
    assert!(!live.contains(r#""caller":"1003""#), "nothing rang: {live}");
}

#[test]
fn a_placed_call_is_held_recorded_and_hung_up_through_the_api() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "10"]);
    set_password(&switch, AGENT, AGENT_PASSWORD);
    let mut agent = phone(&switch, AGENT, "uas_answer.xml");
    let mut callee = phone(&switch, "1004", "uas_answer.xml");
    let (status, body) = make_call(&switch, r#"{"to":"1004"}"#);
    assert_eq!(status, 202, "{body}\n{}", switch.log());
    let call_id = field(&body, "call_id").expect("call_id");
    let id = field(&body, "id").expect("id");
    poll(Duration::from_secs(10), || {
        let (_, calls) = switch.api_get("/api/v1/calls");
        calls
            .contains(&format!(r#""id":{id},"#))
            .then(|| field(&calls, "answered_at"))
            .flatten()
            .filter(|at| at != "null")
    })
    .unwrap_or_else(|| panic!("1004 never answered\n{}", switch.log()));

    let command = |path: &str, json: &str| {
        switch.api_send_as(
            (AGENT, AGENT_PASSWORD),
            "POST",
            &format!("/api/v1/calls/{id}/{path}"),
            json,
        )
    };
    let (status, body) = command("hold", r#"{"party":"callee"}"#);
    assert_eq!(status, 204, "the agent holds the call they placed: {body}");
    let (status, body) = command("hold", r#"{"party":"callee"}"#);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("hold: the call is already held"), "{body}");
    let (status, body) = command("resume", "");
    assert_eq!(status, 204, "{body}");
    let (status, body) = command(
        "transfer",
        r#"{"target":{"kind":"extension","value":"1002"}}"#,
    );
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains("transfer: a call the agent placed is not transferred"),
        "{body}"
    );
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/calls/{id}/recording"),
        r#"{"action":"start"}"#,
    );
    assert_eq!(status, 204, "a supervisor records the call: {body}");
    std::thread::sleep(Duration::from_millis(1_000));
    let (status, body) = command("hangup", "");
    assert_eq!(status, 204, "{body}");
    agent.assert_success(|| switch.log());
    callee.assert_success(|| switch.log());

    let recording = poll(Duration::from_secs(15), || {
        let (_, page) = switch.api_get("/api/v1/recordings");
        page.contains(&call_id).then_some(page)
    })
    .unwrap_or_else(|| panic!("no recording of {call_id}\n{}", switch.log()));
    assert!(recording.contains(AGENT), "{recording}");
}
