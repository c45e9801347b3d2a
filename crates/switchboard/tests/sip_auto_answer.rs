//! Auto-answer for headset seats (issue 7, MISSION G3): an agent who signs
//! in with `auto_answer` gets the ACD's offers with the auto-answer hints
//! (Call-Info `answer-after=0`, Alert-Info `alert-autoanswer`); one who does
//! not gets a plain INVITE. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::time::Duration;

use sip_support::agents::{agent_phone, set_password};
use sip_support::api::field;
use sip_support::rtp::{RtpPeer, press, relay_address};
use sip_support::{Switch, peers, peers_available};

const PASSWORD: &str = "Headset-1003!";

fn sign_in(switch: &Switch, json: &str) -> String {
    let (status, body) = switch.api_send_as(
        ("1003", PASSWORD),
        "POST",
        "/api/v1/agents/me/sign-in",
        json,
    );
    assert_eq!(status, 200, "sign-in: {body}\n{}", switch.log());
    body
}

/// The hotline's caller presses 1 for sales, where 1003 is offered the call
/// and answers; returns the INVITE 1003's phone received.
fn offered_invite(switch: &Switch, name: &str) -> String {
    let mut phone = agent_phone(switch, "1003", "uas_answer.xml", &RtpPeer::new(0x7403));
    let caller_rtp = RtpPeer::new(0x7401);
    let relay_file = switch.scratch("auto-answer").join(format!("relay-{name}"));
    let mut caller = peers::dial(
        switch,
        name,
        "uac_call_ivr_wait_bye.xml",
        ("1001", "127.0.0.1"),
        "4000",
        vec![
            ("rtp_port", caller_rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &[],
    );
    let relay = relay_address(&relay_file)
        .unwrap_or_else(|| panic!("the hotline did not answer\n{}", caller.trace()));
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "1");
    let invite = sip_support::poll(Duration::from_secs(15), || {
        phone
            .received()
            .into_iter()
            .find(|m| m.starts_with("INVITE "))
    })
    .unwrap_or_else(|| panic!("1003 was not offered the call\n{}", switch.log()));
    let (_, calls) = switch.api_get("/api/v1/calls");
    let id = field(&calls, "id").expect("the live call");
    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/hangup"), "");
    assert_eq!(status, 204, "{body}");
    caller.assert_success(|| switch.log());
    phone.assert_success(|| switch.log());
    invite
}

#[test]
fn offers_carry_auto_answer_hints_only_for_an_agent_who_chose_it() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    set_password(&switch, "1003", PASSWORD);

    let me = sign_in(&switch, r#"{"auto_answer":true}"#);
    assert!(me.contains(r#""auto_answer":true"#), "{me}");
    let invite = offered_invite(&switch, "headset-caller");
    assert!(
        invite.contains("answer-after=0"),
        "auto-answer hint: {invite}"
    );
    assert!(invite.contains("alert-autoanswer"), "{invite}");
    // The phone registered from loopback: the site's network, not remote.
    let (_, acd) = switch.api_get("/api/v1/acd/state");
    let start = acd.find(r#""employee_id":"1003""#).expect("agent 1003");
    let me = &acd[start..];
    assert!(
        me[..me.find('}').unwrap_or(me.len())].contains(r#""remote":false"#),
        "{acd}"
    );

    // Signed in again without it (after wrap-up), the phone rings as usual.
    let (status, body) =
        switch.api_send_as(("1003", PASSWORD), "POST", "/api/v1/agents/me/sign-out", "");
    assert_eq!(status, 200, "sign-out: {body}");
    let me = sign_in(&switch, "{}");
    assert!(me.contains(r#""auto_answer":false"#), "{me}");
    let invite = offered_invite(&switch, "desk-caller");
    assert!(!invite.contains("answer-after"), "no hint: {invite}");
}
