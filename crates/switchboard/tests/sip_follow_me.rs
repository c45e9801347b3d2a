//! Follow-me to the agent's own mobile (MISSION G8) against the real
//! binary: extension 1002's owner has follow-me `no_answer` after 1 s; their
//! desk phone rings and never answers, so the switch dials the mobile out
//! through the outbound route's trunk to a SIPp "carrier" that answers,
//! and the caller talks with it; the CDR shows the call answered by 1002.
//! The same for a queue offer: the agent answers on the mobile and the ACD
//! counts it as the agent answering; and with no desk phone registered the
//! mobile rings at once; the trunk channel is held while the mobile talks,
//! and the extension's call class decides whether it may dial the mobile.
//! Skipped (loudly) without SIPp unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::UdpSocket;
use std::time::Duration;

use serde_json::{Value, json};
use sip_support::agents::{agent_phone, sign_in};
use sip_support::api::{field, items};
use sip_support::peers::{answering, dial};
use sip_support::rtp::{RtpPeer, press, relay_address};
use sip_support::{Switch, peers_available, poll};

/// Where the carrier listens.
const CARRIER: &str = "127.0.0.4";
const MOBILE: &str = "13800138000";

fn free_port_on(ip: &str) -> u16 {
    let socket = UdpSocket::bind((ip, 0)).expect("bind a UDP port");
    socket.local_addr().expect("local addr").port()
}

/// An enabled trunk to the carrier on `port` and a route for mainland
/// mobiles through it that presents the extension's own number.
fn carrier_route(switch: &Switch, port: u16) {
    let trunk = switch.api_create(
        "/api/v1/trunks",
        &format!(
            r#"{{"name":"mobile-carrier","host":"{CARRIER}","port":{port},"transport":"udp","enabled":true}}"#
        ),
    );
    switch.api_create(
        "/api/v1/outbound-routes",
        &format!(
            r#"{{"name":"mobiles","priority":5,"pattern":"1[3-9]XXXXXXXXX","strip":0,"prepend":"","trunk_id":{trunk},"call_class":"national","caller_id_mode":"keep","caller_id":""}}"#
        ),
    );
}

/// Gives demo person `employee_id` the mobile and follow-me `mode` with
/// `delay_s`, through the staff record as an admin would.
fn set_follow_me(switch: &Switch, employee_id: &str, mode: &str, delay_s: u32) {
    let (_, page) = switch.api_get(&format!("/api/v1/staff?q={employee_id}"));
    let page: Value = serde_json::from_str(&page).expect("staff page");
    let person = page["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|s| s["employee_id"] == json!(employee_id))
        })
        .unwrap_or_else(|| panic!("no staff {employee_id}: {page}"))
        .clone();
    let role_ids: Vec<Value> = person["roles"]
        .as_array()
        .map(|roles| roles.iter().map(|r| r["id"].clone()).collect())
        .unwrap_or_default();
    let body = json!({
        "employee_id": person["employee_id"],
        "name": person["name"],
        "department_id": person["department_id"],
        "work_group": person["work_group"],
        "mobile": MOBILE,
        "email": person["email"],
        "extension": person["extension"],
        "enabled": true,
        "role_ids": role_ids,
        "follow_me_mode": mode,
        "follow_me_delay_s": delay_s,
    });
    let (status, reply) = switch.api_send(
        "PUT",
        &format!("/api/v1/staff/{}", person["id"]),
        &body.to_string(),
    );
    assert_eq!(status, 200, "follow-me for {employee_id}: {reply}");
    assert_eq!(field(&reply, "follow_me_mode").as_deref(), Some(mode));
}

/// The carrier playing the agent's mobile: answers and waits for the BYE.
fn mobile_carrier(switch: &Switch, port: u16) -> sip_support::sipp::Sipp {
    let rtp = RtpPeer::on(CARRIER, 0xca11);
    let relay = switch.scratch("media").join("mobile-relay");
    answering(
        switch,
        "mobile-carrier",
        "uas_answer.xml",
        "carrier",
        (CARRIER, port),
        vec![
            ("rtp_port", rtp.port.to_string()),
            ("relay_file", relay.display().to_string()),
        ],
        &[],
    )
}

/// The channels of the mobile carrier's trunk in use now.
fn mobile_channels(switch: &Switch) -> Option<u64> {
    let (_, body) = switch.api_get("/api/v1/trunk-usage");
    let usage: Value = serde_json::from_str(&body).ok()?;
    usage["items"]
        .as_array()?
        .iter()
        .find(|t| t["name"] == json!("mobile-carrier"))?["in_use"]
        .as_u64()
}

fn invite_request_line(carrier: &sip_support::sipp::Sipp) -> String {
    carrier
        .received()
        .into_iter()
        .find(|m| m.starts_with("INVITE "))
        .and_then(|m| m.lines().next().map(str::to_owned))
        .unwrap_or_else(|| panic!("the carrier got no INVITE\n{}", carrier.trace()))
}

#[test]
fn an_unanswered_desk_phone_rings_the_owners_mobile_which_answers() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "4"]);
    let carrier_port = free_port_on(CARRIER);
    carrier_route(&switch, carrier_port);
    set_follow_me(&switch, "1002", "no_answer", 1);
    let desk_rtp = RtpPeer::new(0x1002);
    let mut desk = agent_phone(&switch, "1002", "uas_ring.xml", &desk_rtp);
    let mut carrier = mobile_carrier(&switch, carrier_port);
    let mut caller = dial(
        &switch,
        "caller-1001",
        "uac_call.xml",
        ("1001", "127.0.0.1"),
        "1002",
        vec![(
            "relay_file",
            switch
                .scratch("media")
                .join("caller-relay")
                .display()
                .to_string(),
        )],
        &[],
    );
    let held = poll(Duration::from_secs(10), || {
        (mobile_channels(&switch) == Some(1)).then_some(())
    });
    assert!(
        held.is_some(),
        "the mobile holds a trunk channel while it talks\n{}",
        switch.log()
    );
    caller.assert_success(|| switch.log());
    carrier.assert_success(|| switch.log());
    desk.assert_success(|| switch.log());
    let freed = poll(Duration::from_secs(10), || {
        (mobile_channels(&switch) == Some(0)).then_some(())
    });
    assert!(freed.is_some(), "the channel is free after the call");
    assert_eq!(
        invite_request_line(&carrier),
        format!("INVITE sip:{MOBILE}@{CARRIER}:{carrier_port} SIP/2.0"),
        "the mobile dialled out through the route's trunk"
    );
    let from = sip_support::peers::received_header(&carrier, "INVITE ", "From").unwrap_or_default();
    assert!(
        from.contains("sip:1002@"),
        "the route keeps the extension's number as the caller ID: {from}"
    );
    // The desk phone was cancelled when the mobile answered.
    assert!(
        desk.received().iter().any(|m| m.starts_with("CANCEL ")),
        "{}",
        desk.trace()
    );
    let cdr = poll(Duration::from_secs(15), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "caller_extension").as_deref() == Some("1001"))
    })
    .unwrap_or_else(|| panic!("no CDR\n{}", switch.log()));
    for (name, value) in [
        ("disposition", "answered"),
        ("callee", "1002"),
        ("callee_extension", "1002"),
        ("direction", "internal"),
    ] {
        assert_eq!(field(&cdr, name).as_deref(), Some(value), "{name} in {cdr}");
    }
}

#[test]
fn a_queue_offer_rings_the_agents_mobile_and_the_mobile_answering_is_the_agent_answering() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--ring-timeout", "15"]);
    let carrier_port = free_port_on(CARRIER);
    carrier_route(&switch, carrier_port);
    set_follow_me(&switch, "1003", "no_answer", 1);
    let desk_rtp = RtpPeer::new(0x1003);
    let mut desk = agent_phone(&switch, "1003", "uas_ring.xml", &desk_rtp);
    let mut carrier = mobile_carrier(&switch, carrier_port);
    sign_in(&switch, "1003");
    let caller_rtp = RtpPeer::new(0x4001);
    let relay_file = switch.scratch("ivr").join("caller-relay");
    let mut caller = dial(
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
    // 1: sales, which 1003 serves.
    press(&caller_rtp, relay, "1");
    let on_call = poll(Duration::from_secs(10), || {
        let (_, body) = switch.api_get("/api/v1/acd/state");
        body.contains(r#""state":"on_call""#).then_some(body)
    });
    assert!(
        on_call.is_some(),
        "the agent never took the call on the mobile\n{}",
        switch.log()
    );
    caller.assert_success(|| switch.log());
    carrier.assert_success(|| switch.log());
    desk.assert_success(|| switch.log());
    assert_eq!(
        invite_request_line(&carrier),
        format!("INVITE sip:{MOBILE}@{CARRIER}:{carrier_port} SIP/2.0")
    );
    assert!(
        desk.received().iter().any(|m| m.starts_with("CANCEL ")),
        "the desk phone stops ringing when the mobile answers\n{}",
        desk.trace()
    );
    let cdr = poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("4000"))
    })
    .unwrap_or_else(|| panic!("no CDR for the hotline call\n{}", switch.log()));
    assert_eq!(
        field(&cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "the agent's extension is the callee: {cdr}"
    );
    let (_, events) = switch.api_get("/api/v1/acd/events?agent=1003");
    assert!(
        items(&events).iter().any(|e| e.contains("answered")),
        "the ACD counts the mobile's answer as the agent's: {events}"
    );
}

#[test]
fn with_no_desk_phone_registered_the_mobile_rings_at_once() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let carrier_port = free_port_on(CARRIER);
    carrier_route(&switch, carrier_port);
    // A long delay: with no desk phone it does not apply.
    set_follow_me(&switch, "1004", "no_answer", 60);
    let mut carrier = mobile_carrier(&switch, carrier_port);
    let mut caller = dial(
        &switch,
        "caller-1001",
        "uac_call.xml",
        ("1001", "127.0.0.1"),
        "1004",
        vec![(
            "relay_file",
            switch
                .scratch("media")
                .join("caller-relay")
                .display()
                .to_string(),
        )],
        &[],
    );
    caller.assert_success(|| switch.log());
    carrier.assert_success(|| switch.log());
    let cdr = poll(Duration::from_secs(15), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("1004"))
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

#[test]
fn the_extensions_call_class_applies_to_its_mobile() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let carrier_port = free_port_on(CARRIER);
    carrier_route(&switch, carrier_port);
    set_follow_me(&switch, "1004", "always", 0);
    // 1004 becomes internal-only: the mobiles route (national) is not its to dial.
    let (code, page) = switch.api_get("/api/v1/extensions?q=1004");
    assert_eq!(code, 200, "{page}");
    let record = items(&page)
        .into_iter()
        .find(|e| field(e, "extension").as_deref() == Some("1004"))
        .unwrap_or_else(|| panic!("no extension 1004 in {page}"));
    let body = json!({
        "extension": "1004",
        "display_name": field(&record, "display_name").unwrap_or_default(),
        "call_class": "internal",
        "max_contacts": 3,
        "enabled": true,
    });
    let (code, updated) = switch.api_send(
        "PUT",
        &format!("/api/v1/extensions/{}", field(&record, "id").expect("id")),
        &body.to_string(),
    );
    assert_eq!(code, 200, "{updated}");
    let carrier = mobile_carrier(&switch, carrier_port);
    let (status, run) =
        sip_support::peers::refused(&switch, "caller-1001", ("1001", "127.0.0.1"), "1004");
    assert_eq!(
        status,
        480,
        "no desk phone and no mobile it may dial\n{}",
        run.trace()
    );
    assert!(
        !carrier.received().iter().any(|m| m.starts_with("INVITE ")),
        "the carrier is never asked"
    );
    assert!(switch.log().contains("call class"), "{}", switch.log());
}
