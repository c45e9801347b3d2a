//! The CTI event stream with real SIP peers (issue 7): a supervisor's
//! WebSocket and an agent-filtered one watch an agent sign in, a SIPp
//! caller come through the demo hotline to the sales queue, the agent's
//! SIPp phone answer, a hold and a retrieve from the API, and the hang-up.
//! Skipped (loudly) without SIPp unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::time::Duration;

use serde_json::Value;
use sip_support::agents::{agent_phone, set_password};
use sip_support::api::field;
use sip_support::peers;
use sip_support::rtp::{RtpPeer, press, relay_address};
use sip_support::{Switch, peers_available, poll};

const AGENT_PASSWORD: &str = "agent-pass-2026";

fn of_type(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |event| event["type"] == kind
}

#[test]
fn desktops_and_wallboards_see_a_queue_call_from_offer_to_hang_up() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let mut wallboard = switch.events("");
    let mut agent_desktop = switch.events("?agent=1003");
    let mut other_desktop = switch.events("?agent=1004");
    for employee_id in ["1003", "1004"] {
        set_password(&switch, employee_id, AGENT_PASSWORD);
    }

    let agent_rtp = RtpPeer::new(0x1003);
    let mut agent = agent_phone(&switch, "1003", "uas_answer.xml", &agent_rtp);
    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/agents/1003/state",
        r#"{"state":"signed_in"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let signed_in = agent_desktop.wait_for(Duration::from_secs(5), of_type("agent.state"));
    assert_eq!(signed_in["agent"]["employee_id"], "1003");
    assert_eq!(signed_in["agent"]["state"], "ready");
    assert_eq!(signed_in["agent"]["extension"], "1003");

    let caller_rtp = RtpPeer::new(0x4001);
    let relay_file = switch.scratch("events").join("caller-relay");
    let mut caller = peers::dial(
        &switch,
        "hotline-caller",
        "uac_call_ivr.xml",
        ("1001", "127.0.0.1"),
        "4000",
        vec![
            ("rtp_port", caller_rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &[],
    );
    let relay = relay_address(&relay_file)
        .unwrap_or_else(|| panic!("the hotline did not answer\n{}", switch.log()));
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "1");

    let offered = agent_desktop.wait_for(Duration::from_secs(10), of_type("call.offered"));
    assert_eq!(offered["call"]["queue"], "sales", "{offered}");
    assert_eq!(offered["call"]["agent"], "1003", "{offered}");
    assert_eq!(offered["call"]["caller"], "1001", "{offered}");
    assert!(offered["waited_ms"].as_u64().is_some(), "{offered}");
    let id = offered["call"]["id"].as_u64().expect("live call id");
    let answered = agent_desktop.wait_for(Duration::from_secs(10), of_type("call.answered"));
    assert_eq!(answered["call"]["id"].as_u64(), Some(id));
    assert_eq!(answered["call"]["extension"], "1003");

    // Agents steer their own calls without call.control, and only those.
    let agent_1003 = ("1003", AGENT_PASSWORD);
    let agent_1004 = ("1004", AGENT_PASSWORD);
    let hold = format!("/api/v1/calls/{id}/hold");
    let (status, body) = switch.api_send_as(agent_1004, "POST", &hold, r#"{"party":"caller"}"#);
    assert_eq!(status, 403, "another agent's call: {body}");
    let (status, body) = switch.api_send_as(agent_1003, "POST", &hold, r#"{"party":"caller"}"#);
    assert_eq!(status, 204, "the agent's own call: {body}");
    let held = agent_desktop.wait_for(Duration::from_secs(5), of_type("call.held"));
    assert_eq!(held["party"], "caller");
    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/resume"), "");
    assert_eq!(status, 204, "{body}");
    agent_desktop.wait_for(Duration::from_secs(5), of_type("call.retrieved"));
    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/resume"), "");
    assert_eq!(status, 409, "retrieve of a call not held: {body}");
    assert!(body.contains("not held"), "{body}");

    caller.assert_success(|| switch.log());
    agent.assert_success(|| switch.log());
    let ended = agent_desktop.wait_for(Duration::from_secs(10), of_type("call.ended"));
    assert_eq!(ended["disposition"], "answered", "{ended}");
    let types = agent_desktop.call_types(id);
    assert_eq!(
        types,
        [
            "call.offered",
            "call.ringing",
            "call.answered",
            "call.held",
            "call.retrieved",
            "call.ended"
        ],
        "the agent's own events for the call, in order"
    );
    agent_desktop.wait_for(Duration::from_secs(10), |e| {
        e["type"] == "agent.state" && e["agent"]["state"] == "wrap_up"
    });

    // The wallboard saw the whole call (created in the IVR before any
    // agent) and the queue's figures move.
    wallboard.wait_for(Duration::from_secs(5), |e| {
        e["type"] == "call.ended" && e["call"]["id"].as_u64() == Some(id)
    });
    assert_eq!(
        wallboard.call_types(id).first().map(String::as_str),
        Some("call.created")
    );
    let sales = wallboard
        .seen
        .iter()
        .rev()
        .find(|e| e["type"] == "queue.changed" && e["queue"]["name"] == "sales")
        .cloned()
        .expect("sales queue figures");
    assert_eq!(sales["queue"]["answered"], 1, "{sales}");
    let seqs: Vec<u64> = wallboard
        .seen
        .iter()
        .filter_map(|e| e["seq"].as_u64())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "numbered in order: {seqs:?}"
    );

    // Another agent's desktop saw none of it.
    while other_desktop
        .next_within(Duration::from_millis(300))
        .is_some()
    {}
    assert!(
        other_desktop
            .seen
            .iter()
            .all(|e| e["type"] == "queue.changed" || e["type"] == "hello"),
        "only queue figures reach another agent: {:?}",
        other_desktop.seen
    );
    let cdr = poll(Duration::from_secs(10), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("4000"))
    })
    .expect("CDR");
    assert_eq!(field(&cdr, "callee_extension").as_deref(), Some("1003"));
}
