//! Call control with real SIP peers (issue 7, MISSION G5, G6, X4): a
//! SIPp caller dials the demo hotline (4000) and presses 1 for sales,
//! where agent 1003 (a SIPp phone) answers; the test then steers the call
//! through the API — blind transfer, consultation, hang-up — with 1004 as
//! the second phone, and checks the refusals (409) in illegal states, the
//! CDR and the ACD. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::SocketAddr;
use std::time::Duration;

use sip_support::agents::{agent_phone, agent_state, hotline_cdr, phone_relay, sign_in};
use sip_support::api::{field, items};
use sip_support::peers;
use sip_support::rtp::{RtpPeer, assert_talking, press, relay_address};
use sip_support::sipp::Sipp;
use sip_support::{Switch, peers_available, poll};

/// Extension 1001 calls the hotline and waits for the switch's BYE.
fn call_hotline(switch: &Switch, rtp: &RtpPeer) -> (Sipp, SocketAddr) {
    call_from_1001(switch, rtp, "4000")
}

/// Extension 1001 calls `callee` and waits for the switch's BYE.
fn call_from_1001(switch: &Switch, rtp: &RtpPeer, callee: &str) -> (Sipp, SocketAddr) {
    let relay_file = switch
        .scratch("control")
        .join(format!("caller-relay-{}", rtp.port));
    let uac = peers::dial(
        switch,
        "hotline-caller",
        "uac_call_ivr_wait_bye.xml",
        ("1001", "127.0.0.1"),
        callee,
        vec![
            ("rtp_port", rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &[],
    );
    let relay = relay_address(&relay_file)
        .unwrap_or_else(|| panic!("{callee} did not answer\n{}\n{}", uac.trace(), switch.log()));
    (uac, relay)
}

/// `extension` registers and answers, then waits for the switch's BYE.
fn phone(switch: &Switch, extension: &str, rtp: &RtpPeer) -> Sipp {
    agent_phone(switch, extension, "uas_answer.xml", rtp)
}

/// The live call's id once it shows.
fn live_call(switch: &Switch) -> String {
    poll(Duration::from_secs(10), || {
        let (_, body) = switch.api_get("/api/v1/calls");
        items(&body).first().and_then(|c| field(c, "id"))
    })
    .unwrap_or_else(|| panic!("no live call\n{}", switch.log()))
}

/// The live call once `extension` talks for the agent side.
fn talking_with(switch: &Switch, extension: &str) -> String {
    poll(Duration::from_secs(15), || {
        let (_, body) = switch.api_get("/api/v1/calls");
        items(&body).into_iter().find(|c| {
            field(c, "agent_extension").as_deref() == Some(extension)
                && field(c, "answered_at").is_some_and(|a| a != "null")
        })
    })
    .unwrap_or_else(|| panic!("{extension} never took the call\n{}", switch.log()))
}

fn command(switch: &Switch, id: &str, path: &str, json: &str) -> (u16, String) {
    switch.api_send("POST", &format!("/api/v1/calls/{id}/{path}"), json)
}

fn assert_refused(switch: &Switch, id: &str, path: &str, json: &str, reason: &str) {
    let (status, body) = command(switch, id, path, json);
    assert_eq!(status, 409, "{path} must be refused: {body}");
    assert!(
        body.contains(reason),
        "{path}: expected {reason:?} in {body}"
    );
}

/// The caller reaches sales agent 1003; returns the caller's run and the
/// live call's id.
fn caller_with_agent(switch: &Switch, caller_rtp: &RtpPeer) -> (Sipp, String) {
    let (caller, id, _) = caller_with_agent_at(switch, caller_rtp);
    (caller, id)
}

/// As [`caller_with_agent`], with where the switch takes the caller's RTP.
fn caller_with_agent_at(switch: &Switch, caller_rtp: &RtpPeer) -> (Sipp, String, SocketAddr) {
    let (caller, relay) = call_hotline(switch, caller_rtp);
    let id = live_call(switch);
    // Still in the voice flow: nobody to transfer from yet.
    assert_refused(
        switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
        "transfer: the call is not answered by an agent yet",
    );
    std::thread::sleep(Duration::from_millis(800));
    press(caller_rtp, relay, "1");
    talking_with(switch, "1003");
    (caller, id, relay)
}

#[test]
fn an_agent_transfers_the_caller_blind_to_another_phone_which_then_hangs_up_the_call() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4101),
        RtpPeer::new(0x1103),
        RtpPeer::new(0x1104),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut phone_b = phone(&switch, "1004", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id, caller_relay) = caller_with_agent_at(&switch, &caller_rtp);

    assert_refused(&switch, &id, "resume", "", "resume: the call is not held");
    assert_refused(
        &switch,
        &id,
        "consult/complete",
        "",
        "consult/complete: no consultation in progress",
    );
    assert_refused(
        &switch,
        &id,
        "consult/cancel",
        "",
        "consult/cancel: no consultation in progress",
    );
    assert_refused(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1009"}}"#,
        "transfer: extension 1009 is not registered",
    );
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    // 1003 is let go (its BYE) and goes to wrap-up; 1004 answers.
    agent_a.assert_success(|| switch.log());
    let after = talking_with(&switch, "1004");
    assert_eq!(
        field(&after, "id").as_deref(),
        Some(id.as_str()),
        "same live call"
    );
    assert_talking(
        (&caller_rtp, caller_relay),
        (&b_rtp, phone_relay(&switch, "1004")),
    );
    assert!(
        matches!(
            agent_state(&switch, "1003").as_deref(),
            Some("wrap_up" | "ready")
        ),
        "the ACD let the first agent go: {:?}",
        agent_state(&switch, "1003")
    );

    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    phone_b.assert_success(|| switch.log());
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1004"),
        "the CDR names who had the call last: {cdr}"
    );
    assert_eq!(
        switch
            .cdrs()
            .iter()
            .filter(|c| field(c, "callee").as_deref() == Some("4000"))
            .count(),
        1,
        "one call, one CDR"
    );
    let (status, _) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 404, "the call is gone");
    // The desktops saw the caller handed on and the new phone pop.
    let events = cti_events(&switch);
    let of_call: Vec<&String> = events
        .iter()
        .filter(|e| e.contains(&format!(r#""id":{id},"#)))
        .collect();
    let position = |kind: &str, extension: &str| {
        of_call.iter().position(|e| {
            e.contains(&format!(r#""type":"{kind}""#))
                && (extension.is_empty() || e.contains(&format!(r#""extension":"{extension}""#)))
        })
    };
    let transferred = position("call.transferred", "")
        .unwrap_or_else(|| panic!("no call.transferred: {of_call:#?}"));
    assert!(
        of_call[transferred].contains(r#""kind":"blind""#)
            && of_call[transferred].contains("extension:1004"),
        "{}",
        of_call[transferred]
    );
    let ringing = position("call.ringing", "1004")
        .unwrap_or_else(|| panic!("no call.ringing at 1004: {of_call:#?}"));
    let answered = position("call.answered", "1004")
        .unwrap_or_else(|| panic!("no call.answered at 1004: {of_call:#?}"));
    assert!(transferred < ringing && ringing < answered, "{of_call:#?}");
}

#[test]
fn an_agent_consults_another_phone_and_completes_the_transfer() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4102),
        RtpPeer::new(0x1203),
        RtpPeer::new(0x1204),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut phone_b = phone(&switch, "1004", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id, caller_relay) = caller_with_agent_at(&switch, &caller_rtp);

    let (status, body) = command(
        &switch,
        &id,
        "consult",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "consult: {body}\n{}", switch.log());
    assert_refused(
        &switch,
        &id,
        "consult",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
        "consult: a consultation is already in progress",
    );
    assert_refused(
        &switch,
        &id,
        "hold",
        r#"{"party":"caller"}"#,
        "hold: a consultation is in progress",
    );
    assert_refused(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"queue","value":"sales"}}"#,
        "transfer: a consultation is in progress",
    );
    let (_, calls) = switch.api_get("/api/v1/calls");
    assert!(
        calls.contains(r#""held":true"#),
        "the caller holds: {calls}"
    );
    // 1004 answers in a moment; until then completing is refused.
    let completed = poll(Duration::from_secs(10), || {
        let (status, body) = command(&switch, &id, "consult/complete", "");
        match status {
            204 => Some(()),
            409 if body.contains("has not answered yet") => None,
            _ => panic!("consult/complete: {status} {body}\n{}", switch.log()),
        }
    });
    assert!(completed.is_some(), "1004 never answered\n{}", switch.log());
    agent_a.assert_success(|| switch.log());
    let after = talking_with(&switch, "1004");
    assert_eq!(field(&after, "held").as_deref(), Some("false"), "{after}");
    // 1004 keeps the ports of its consultation leg; the caller hears it.
    assert_talking(
        (&caller_rtp, caller_relay),
        (&b_rtp, phone_relay(&switch, "1004")),
    );
    assert_refused(
        &switch,
        &id,
        "consult/cancel",
        "",
        "consult/cancel: no consultation in progress",
    );

    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    phone_b.assert_success(|| switch.log());
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1004"),
        "{cdr}"
    );
}

#[test]
fn in_a_three_way_conference_the_consulted_party_leaves_and_the_agent_keeps_the_caller() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4103),
        RtpPeer::new(0x1303),
        RtpPeer::new(0x1304),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    // 1004 answers and hangs up itself 3 s later.
    let mut phone_b = agent_phone(&switch, "1004", "uas_hangup.xml", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id) = caller_with_agent(&switch, &caller_rtp);
    assert_refused(
        &switch,
        &id,
        "consult/conference",
        "",
        "consult/conference: no consultation in progress",
    );
    let (status, body) = command(
        &switch,
        &id,
        "consult",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "consult: {body}\n{}", switch.log());
    let joined = poll(Duration::from_secs(10), || {
        let (status, body) = command(&switch, &id, "consult/conference", "");
        match status {
            204 => Some(()),
            409 if body.contains("has not answered yet") => None,
            _ => panic!("consult/conference: {status} {body}\n{}", switch.log()),
        }
    });
    assert!(joined.is_some(), "1004 never answered\n{}", switch.log());
    assert_refused(
        &switch,
        &id,
        "hold",
        r#"{"party":"caller"}"#,
        "hold: a consultation is in progress",
    );
    // 1004 leaves; the caller and 1003 stay connected.
    phone_b.assert_success(|| switch.log());
    let after = talking_with(&switch, "1003");
    assert_eq!(field(&after, "id").as_deref(), Some(id.as_str()));
    let (status, body) = command(&switch, &id, "hold", r#"{"party":"caller"}"#);
    assert_eq!(status, 204, "a two-party call again: {body}");
    let (status, body) = command(&switch, &id, "resume", "");
    assert_eq!(status, 204, "resume: {body}");

    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    agent_a.assert_success(|| switch.log());
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );
}

#[test]
fn a_supervisor_intercepts_the_call_and_then_forces_it_to_end_with_a_reason() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, s_rtp) = (
        RtpPeer::new(0x4104),
        RtpPeer::new(0x1403),
        RtpPeer::new(0x1402),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut supervisor = phone(&switch, "1002", &s_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id) = caller_with_agent(&switch, &caller_rtp);

    let (status, body) = command(&switch, &id, "intercept", r#"{"extension":"1002"}"#);
    assert_eq!(status, 204, "intercept: {body}\n{}", switch.log());
    // The supervisor answers and takes the agent's place.
    agent_a.assert_success(|| switch.log());
    talking_with(&switch, "1002");

    let (status, body) = command(
        &switch,
        &id,
        "force-hangup",
        r#"{"reason":"abusive caller"}"#,
    );
    assert_eq!(status, 204, "force-hangup: {body}");
    caller.assert_success(|| switch.log());
    supervisor.assert_success(|| switch.log());
    let (_, audit) = switch.api_get("/api/v1/audit?action=call.force_hangup");
    assert!(
        audit.contains("abusive caller"),
        "the forced hang-up is audited with its reason: {audit}"
    );
    let (_, audit) = switch.api_get("/api/v1/audit?action=call.intercept");
    assert!(audit.contains("1002"), "the intercept is audited: {audit}");
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1002"),
        "{cdr}"
    );
}

#[test]
fn a_blind_transfer_nobody_answers_puts_the_caller_back_at_the_front_of_the_queue() {
    if !peers_available("sipp") {
        return;
    }
    // The transfer rings 3 s; the first agent's wrap-up (5 s in the demo
    // queue) keeps them from taking the caller straight back.
    let switch = Switch::start_with(&["--ring-timeout", "3"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4105),
        RtpPeer::new(0x1503),
        RtpPeer::new(0x1504),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut phone_b = agent_phone(&switch, "1004", "uas_ring.xml", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id) = caller_with_agent(&switch, &caller_rtp);
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    agent_a.assert_success(|| switch.log());
    // 1004 rings out and is cancelled; the caller waits in sales again.
    phone_b.assert_success(|| switch.log());
    let waiting = poll(Duration::from_secs(5), || {
        let (_, state) = switch.api_get("/api/v1/acd/state");
        state
            .contains(r#""name":"sales","waiting":1"#)
            .then_some(())
    });
    assert!(
        waiting.is_some(),
        "the caller is back in the queue\n{}",
        switch.log()
    );
    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
}

#[test]
fn a_caller_transferred_to_a_ready_agent_keeps_that_agent_out_of_distribution_until_the_end() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4106),
        RtpPeer::new(0x1603),
        RtpPeer::new(0x1604),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut agent_b = phone(&switch, "1004", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id) = caller_with_agent(&switch, &caller_rtp);
    assert_refused(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"agent","value":"1004"}}"#,
        "transfer: agent 1004 is logged out",
    );
    sign_in(&switch, "1004");
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"agent","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    agent_a.assert_success(|| switch.log());
    let after = talking_with(&switch, "1004");
    assert_eq!(field(&after, "agent").as_deref(), Some("1004"), "{after}");
    assert_eq!(agent_state(&switch, "1004").as_deref(), Some("not_ready"));

    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    agent_b.assert_success(|| switch.log());
    let ready = poll(Duration::from_secs(5), || {
        (agent_state(&switch, "1004").as_deref() == Some("ready")).then_some(())
    });
    assert!(
        ready.is_some(),
        "1004 is ready again after the call: {:?}",
        agent_state(&switch, "1004")
    );
}

#[test]
fn a_direct_call_is_transferred_blind_by_the_called_extension() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4107),
        RtpPeer::new(0x1703),
        RtpPeer::new(0x1704),
    );
    let mut callee = phone(&switch, "1003", &a_rtp);
    let mut target = phone(&switch, "1004", &b_rtp);
    let (mut caller, caller_relay) = call_from_1001(&switch, &caller_rtp, "1003");
    let id = field(&talking_with(&switch, "1003"), "id").expect("id");
    assert_refused(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"queue","value":"sales"}}"#,
        "transfer: a direct call can go to an extension, an agent or a number",
    );
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    callee.assert_success(|| switch.log());
    talking_with(&switch, "1004");
    assert_talking(
        (&caller_rtp, caller_relay),
        (&b_rtp, phone_relay(&switch, "1004")),
    );
    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    target.assert_success(|| switch.log());
    let cdr = poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("1003"))
    })
    .unwrap_or_else(|| panic!("no CDR\n{}", switch.log()));
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

/// The CTI events of the run so far, as `GET /api/v1/events?since=0`
/// replays them over WebSocket to the administrator (a bare RFC 6455
/// client: the server's frames are unmasked).
fn cti_events(switch: &Switch) -> Vec<String> {
    use std::io::{Read, Write};
    let login = format!(
        r#"{{"employee_id":"admin","password":"{}"}}"#,
        switch.admin_password
    );
    let mut stream = std::net::TcpStream::connect(&switch.http).expect("connect");
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{login}",
        login.len()
    )
    .expect("login");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("login reply");
    let cookie = reply
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();

    let mut stream = std::net::TcpStream::connect(&switch.http).expect("connect");
    write!(
        stream,
        "GET /api/v1/events?since=0 HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
    )
    .expect("upgrade");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("upgrade reply");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let mut events = Vec::new();
    loop {
        let mut frame = [0u8; 2];
        if stream.read_exact(&mut frame).is_err() {
            return events;
        }
        let mut len = u64::from(frame[1] & 0x7f);
        if len == 126 {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).expect("length");
            len = u64::from(u16::from_be_bytes(ext));
        } else if len == 127 {
            let mut ext = [0u8; 8];
            stream.read_exact(&mut ext).expect("length");
            len = u64::from_be_bytes(ext);
        }
        let mut payload = vec![0u8; usize::try_from(len).expect("frame length")];
        stream.read_exact(&mut payload).expect("payload");
        if frame[0] & 0x0f == 1 {
            events.push(String::from_utf8_lossy(&payload).into_owned());
        }
    }
}

#[test]
fn a_caller_transferred_to_another_queue_is_served_by_that_queues_agent() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x4108),
        RtpPeer::new(0x1803),
        RtpPeer::new(0x1804),
    );
    let mut agent_a = phone(&switch, "1003", &a_rtp);
    let mut agent_b = phone(&switch, "1004", &b_rtp);
    sign_in(&switch, "1003");
    let (mut caller, id) = caller_with_agent(&switch, &caller_rtp);
    assert_refused(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"queue","value":"nowhere"}}"#,
        "transfer: no queue named nowhere",
    );
    // 1004 serves the service queue.
    sign_in(&switch, "1004");
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"queue","value":"service"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    agent_a.assert_success(|| switch.log());
    let after = talking_with(&switch, "1004");
    assert_eq!(field(&after, "agent").as_deref(), Some("1004"), "{after}");
    assert_eq!(
        field(&after, "queue").as_deref(),
        Some("service"),
        "{after}"
    );
    assert_eq!(agent_state(&switch, "1004").as_deref(), Some("on_call"));

    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    agent_b.assert_success(|| switch.log());
}

#[test]
fn a_transfer_nobody_answers_rings_the_transferring_extension_back_when_no_queue_is_involved() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "3"]);
    // The hotline now hands every caller straight to extension 1003.
    let (_, flows) = switch.api_get("/api/v1/ivr/flows");
    let hotline = items(&flows)
        .into_iter()
        .find(|f| field(f, "name").as_deref() == Some("demo-hotline"))
        .expect("the demo hotline");
    let flow_id = field(&hotline, "id").expect("id");
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/ivr/flows/{flow_id}/versions"),
        r#"{"note":"desk only","document":{"language":"zh","start":"desk","nodes":{"desk":{"type":"transfer","target":{"extension":"1003"}}}}}"#,
    );
    assert!(status == 200 || status == 201, "publish: {status} {body}");
    let (caller_rtp, a_rtp, b_rtp, a2_rtp) = (
        RtpPeer::new(0x4109),
        RtpPeer::new(0x1903),
        RtpPeer::new(0x1904),
        RtpPeer::new(0x1913),
    );
    let mut desk = phone(&switch, "1003", &a_rtp);
    let mut unanswered = agent_phone(&switch, "1004", "uas_ring.xml", &b_rtp);
    let (mut caller, _) = call_hotline(&switch, &caller_rtp);
    let id = field(&talking_with(&switch, "1003"), "id").expect("id");
    let (status, body) = command(
        &switch,
        &id,
        "transfer",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "transfer: {body}\n{}", switch.log());
    desk.assert_success(|| switch.log());
    // The desk phone is ready for the recall.
    let mut desk_again = phone(&switch, "1003", &a2_rtp);
    unanswered.assert_success(|| switch.log());
    let back = talking_with(&switch, "1003");
    assert_eq!(field(&back, "id").as_deref(), Some(id.as_str()), "{back}");
    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    desk_again.assert_success(|| switch.log());
}

#[test]
fn a_direct_call_is_consulted_on_and_handed_to_the_consulted_phone_which_then_holds() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, b_rtp) = (
        RtpPeer::new(0x410a),
        RtpPeer::new(0x1a03),
        RtpPeer::new(0x1a04),
    );
    let mut callee = phone(&switch, "1003", &a_rtp);
    let mut target = phone(&switch, "1004", &b_rtp);
    let (mut caller, caller_relay) = call_from_1001(&switch, &caller_rtp, "1003");
    let id = field(&talking_with(&switch, "1003"), "id").expect("id");
    let (status, body) = command(
        &switch,
        &id,
        "consult",
        r#"{"target":{"kind":"extension","value":"1004"}}"#,
    );
    assert_eq!(status, 204, "consult: {body}\n{}", switch.log());
    assert_refused(
        &switch,
        &id,
        "resume",
        "",
        "resume: a consultation is in progress",
    );
    let completed = poll(Duration::from_secs(10), || {
        let (status, body) = command(&switch, &id, "consult/complete", "");
        match status {
            204 => Some(()),
            409 if body.contains("has not answered yet") => None,
            _ => panic!("consult/complete: {status} {body}\n{}", switch.log()),
        }
    });
    assert!(completed.is_some(), "1004 never answered\n{}", switch.log());
    callee.assert_success(|| switch.log());
    talking_with(&switch, "1004");
    assert_talking(
        (&caller_rtp, caller_relay),
        (&b_rtp, phone_relay(&switch, "1004")),
    );
    // Hold still works on the handed-over call.
    let (status, body) = command(&switch, &id, "hold", r#"{"party":"caller"}"#);
    assert_eq!(status, 204, "hold: {body}");
    let (status, body) = command(&switch, &id, "resume", "");
    assert_eq!(status, 204, "resume: {body}");
    let (status, body) = command(&switch, &id, "hangup", "");
    assert_eq!(status, 204, "hangup: {body}");
    caller.assert_success(|| switch.log());
    target.assert_success(|| switch.log());
    let cdr = poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("1003"))
    })
    .unwrap_or_else(|| panic!("no CDR\n{}", switch.log()));
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1004"),
        "{cdr}"
    );
}

#[test]
fn a_supervisor_intercepts_a_direct_call() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let (caller_rtp, a_rtp, s_rtp) = (
        RtpPeer::new(0x410b),
        RtpPeer::new(0x1b03),
        RtpPeer::new(0x1b02),
    );
    let mut callee = phone(&switch, "1003", &a_rtp);
    let mut supervisor = phone(&switch, "1002", &s_rtp);
    let (mut caller, caller_relay) = call_from_1001(&switch, &caller_rtp, "1003");
    let id = field(&talking_with(&switch, "1003"), "id").expect("id");
    let (status, body) = command(&switch, &id, "intercept", r#"{"extension":"1002"}"#);
    assert_eq!(status, 204, "intercept: {body}\n{}", switch.log());
    callee.assert_success(|| switch.log());
    talking_with(&switch, "1002");
    assert_talking(
        (&caller_rtp, caller_relay),
        (&s_rtp, phone_relay(&switch, "1002")),
    );
    let (status, body) = command(&switch, &id, "force-hangup", r#"{"reason":"test"}"#);
    assert_eq!(status, 204, "force-hangup: {body}");
    caller.assert_success(|| switch.log());
    supervisor.assert_success(|| switch.log());
}
