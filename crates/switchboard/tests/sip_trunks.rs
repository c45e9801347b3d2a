//! SIP trunks against the real binary (issue 3), with SIPp playing the
//! carriers from addresses of their own on loopback: a carrier's call to a
//! DID (trusted by address, no digest) rings the extension the inbound route
//! names; an extension's call leaves through the outbound route whose
//! pattern matches, with its digits rewritten and the route's caller ID; a
//! trunk's channel limit refuses the call beyond it with 503; a call class
//! that does not permit a route refuses with 403. Trunks and routes are made
//! through the API; CDRs are read back from it. Skipped (loudly) without SIPp
//! unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::UdpSocket;

use sip_support::api::{field, items};
use sip_support::peers::{
    answering, dial, has_sent, received_header, refused, register, wait_answered,
};
use sip_support::rtp::{PACKETS, RtpPeer, exchange, relay_address};
use sip_support::{Switch, peers_available};

/// Where the carriers send from, or listen.
const CARRIER_IN: &str = "127.0.0.3";
const CARRIER_OUT: &str = "127.0.0.4";
/// The demo data routes this DID to extension 1001 from any trunk.
const DEMO_DID: &str = "4008001000";

/// A UDP port free on `ip` (for a carrier SIPp to listen on).
fn free_port_on(ip: &str) -> u16 {
    let socket = UdpSocket::bind((ip, 0)).expect("bind a UDP port");
    socket.local_addr().expect("local addr").port()
}

/// The CDR (JSON) that `matches`, waiting for the CDR writer's batch.
fn cdr_where(switch: &Switch, what: &str, matches: impl Fn(&str) -> bool) -> String {
    sip_support::poll(std::time::Duration::from_secs(15), || {
        switch.cdrs().into_iter().find(|c| matches(c))
    })
    .unwrap_or_else(|| {
        panic!(
            "no CDR for {what} in {:?}\n--- switch ---\n{}",
            switch.cdrs(),
            switch.log()
        )
    })
}

fn has(cdr: &str, name: &str, value: &str) -> bool {
    field(cdr, name).as_deref() == Some(value)
}

fn assert_fields(cdr: &str, expected: &[(&str, &str)]) {
    for (name, value) in expected {
        assert_eq!(field(cdr, name).as_deref(), Some(*value), "{name} in {cdr}");
    }
}

/// Whether the switch challenged anything `sipp` sent.
fn challenged(sipp: &sip_support::sipp::Sipp) -> bool {
    sipp.received().iter().any(|m| m.starts_with("SIP/2.0 407"))
}

#[test]
fn a_carrier_calls_a_did_without_digest_and_the_extension_answers() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    // Trusted by its inbound address range; its host is elsewhere.
    let trunk = switch.api_create(
        "/api/v1/trunks",
        r#"{"name":"carrier-a","host":"192.0.2.10","inbound_addresses":["127.0.0.3/32"],"enabled":true}"#,
    );
    let port = register(&switch, "1001");
    let dir = switch.scratch("media");
    let (phone_rtp, carrier_rtp) = (RtpPeer::new(0x1001), RtpPeer::on(CARRIER_IN, 0xca11));
    let (phone_file, carrier_file) = (dir.join("phone-relay"), dir.join("carrier-relay"));
    let mut phone = answering(
        &switch,
        "phone-1001",
        "uas_answer.xml",
        "1001",
        ("127.0.0.1", port),
        vec![
            ("rtp_port", phone_rtp.port.to_string()),
            ("relay_file", phone_file.display().to_string()),
        ],
        &[],
    );
    let mut carrier = dial(
        &switch,
        "carrier-a",
        "carrier_call.xml",
        ("13900139000", CARRIER_IN),
        DEMO_DID,
        vec![
            ("rtp_port", carrier_rtp.port.to_string()),
            ("relay_file", carrier_file.display().to_string()),
        ],
        &["-d", "2000"],
    );
    let (Some(to_carrier_side), Some(to_phone_side)) =
        (relay_address(&carrier_file), relay_address(&phone_file))
    else {
        panic!(
            "the scenarios did not write the relay addresses\n{}\n{}\n--- switch ---\n{}",
            carrier.trace(),
            phone.trace(),
            switch.log()
        );
    };
    let relayed = exchange(&carrier_rtp, to_carrier_side, &phone_rtp, to_phone_side);
    assert_eq!(
        relayed,
        (PACKETS, PACKETS),
        "RTP both ways\n{}",
        switch.log()
    );
    carrier.assert_success(|| switch.log());
    phone.assert_success(|| switch.log());
    assert!(!challenged(&carrier), "a trusted carrier is not challenged");
    let cdr = cdr_where(&switch, "the DID call", |c| {
        has(c, "did", DEMO_DID) && has(c, "disposition", "answered")
    });
    assert_fields(
        &cdr,
        &[
            ("direction", "inbound"),
            ("trunk_name", "carrier-a"),
            ("trunk_id", &trunk.to_string()),
            ("caller", "13900139000"),
            ("callee_extension", "1001"),
            ("hangup_side", "caller"),
        ],
    );

    // A DID no inbound route knows: 404, still without a challenge.
    let (status, unknown) = refused(
        &switch,
        "carrier-unknown-did",
        ("13900139000", CARRIER_IN),
        "4008009999",
    );
    assert_eq!(status, 404, "{}", unknown.trace());
    assert!(!challenged(&unknown), "{}", unknown.trace());
    cdr_where(&switch, "the unknown DID", |c| has(c, "did", "4008009999"));

    // The same INVITE from an address no trunk trusts must authenticate:
    // challenged, and the carrier's number is no extension (403).
    let (status, stranger) = refused(&switch, "stranger", ("13900139000", "127.0.0.6"), DEMO_DID);
    assert!(challenged(&stranger), "{}", stranger.trace());
    assert_eq!(status, 403, "{}", stranger.trace());
}

#[test]
fn an_outbound_route_rewrites_the_number_and_sets_the_caller_id() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let carrier_port = free_port_on(CARRIER_OUT);
    let trunk = switch.api_create(
        "/api/v1/trunks",
        &format!(
            r#"{{"name":"carrier-out","host":"{CARRIER_OUT}","port":{carrier_port},"transport":"udp","enabled":true}}"#
        ),
    );
    switch.api_create(
        "/api/v1/outbound-routes",
        &format!(
            r#"{{"name":"international","priority":10,"pattern":"9.","strip":1,"prepend":"0086","trunk_id":{trunk},"call_class":"national","caller_id_mode":"fixed","caller_id":"4008001000"}}"#
        ),
    );
    let dir = switch.scratch("media");
    let (phone_rtp, carrier_rtp) = (RtpPeer::new(0x1001), RtpPeer::on(CARRIER_OUT, 0xca11));
    let (phone_file, carrier_file) = (dir.join("phone-relay"), dir.join("carrier-relay"));
    let mut carrier = answering(
        &switch,
        "carrier-out",
        "uas_answer.xml",
        "carrier",
        (CARRIER_OUT, carrier_port),
        vec![
            ("rtp_port", carrier_rtp.port.to_string()),
            ("relay_file", carrier_file.display().to_string()),
        ],
        &[],
    );
    let mut phone = dial(
        &switch,
        "caller-1001",
        "uac_call.xml",
        ("1001", "127.0.0.1"),
        "913800138000",
        vec![
            ("rtp_port", phone_rtp.port.to_string()),
            ("relay_file", phone_file.display().to_string()),
        ],
        &[],
    );
    let (Some(to_phone_side), Some(to_carrier_side)) =
        (relay_address(&phone_file), relay_address(&carrier_file))
    else {
        panic!(
            "the scenarios did not write the relay addresses\n{}\n{}\n--- switch ---\n{}",
            phone.trace(),
            carrier.trace(),
            switch.log()
        );
    };
    let relayed = exchange(&phone_rtp, to_phone_side, &carrier_rtp, to_carrier_side);
    assert_eq!(
        relayed,
        (PACKETS, PACKETS),
        "RTP both ways\n{}",
        switch.log()
    );
    phone.assert_success(|| switch.log());
    carrier.assert_success(|| switch.log());

    let invite = carrier
        .received()
        .into_iter()
        .find(|m| m.starts_with("INVITE "))
        .unwrap_or_else(|| panic!("the carrier got no INVITE\n{}", carrier.trace()));
    let request_line = invite.lines().next().unwrap_or_default();
    assert_eq!(
        request_line,
        format!("INVITE sip:008613800138000@{CARRIER_OUT}:{carrier_port} SIP/2.0"),
        "9 stripped, 0086 prepended, sent to the trunk's host and port"
    );
    let from = received_header(&carrier, "INVITE ", "From").unwrap_or_default();
    assert!(
        from.contains("sip:4008001000@"),
        "caller ID fixed by the route: {from}"
    );
    let to = received_header(&carrier, "INVITE ", "To").unwrap_or_default();
    assert!(to.contains("sip:008613800138000@"), "{to}");

    let cdr = cdr_where(&switch, "the outbound call", |c| {
        has(c, "direction", "outbound")
    });
    assert_fields(
        &cdr,
        &[
            ("disposition", "answered"),
            ("trunk_name", "carrier-out"),
            ("caller", "4008001000"),
            ("caller_extension", "1001"),
            ("callee", "008613800138000"),
        ],
    );
}

#[test]
fn a_trunk_refuses_calls_beyond_its_channels_with_503() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    // Trusted by its host address this time; two channels.
    switch.api_create(
        "/api/v1/trunks",
        &format!(r#"{{"name":"carrier-b","host":"{CARRIER_IN}","max_channels":2}}"#),
    );
    let port = register(&switch, "1001");
    let dir = switch.scratch("media");
    let relay_file = |name: &str| ("relay_file", dir.join(name).display().to_string());
    let _phone = answering(
        &switch,
        "phone-1001",
        "uas_answer.xml",
        "1001",
        ("127.0.0.1", port),
        vec![
            ("rtp_port", sip_support::free_udp_port().to_string()),
            relay_file("phone"),
        ],
        &["-m", "3"],
    );
    let carrier_call = |name: &str, hold_ms: &str| {
        dial(
            &switch,
            name,
            "carrier_call.xml",
            ("13900139000", CARRIER_IN),
            DEMO_DID,
            vec![relay_file(name)],
            &["-d", hold_ms],
        )
    };
    let mut first = carrier_call("carrier-1", "6000");
    let mut second = carrier_call("carrier-2", "30000");
    wait_answered(&switch, &mut first);
    wait_answered(&switch, &mut second);

    let (status, third) = refused(&switch, "carrier-3", ("13900139000", CARRIER_IN), DEMO_DID);
    assert_eq!(status, 503, "{}", third.trace());
    let retry = received_header(&third, "SIP/2.0 503", "Retry-After");
    assert!(
        retry.is_some_and(|r| r.parse::<u32>().is_ok_and(|s| s > 0)),
        "503 with Retry-After\n{}",
        third.trace()
    );
    assert!(
        !has_sent(&first, "BYE") && !has_sent(&second, "BYE"),
        "both channels were still busy when the third call came\n{}",
        first.trace()
    );
    cdr_where(&switch, "the refused third call", |c| {
        has(c, "disposition", "congestion") && has(c, "trunk_name", "carrier-b")
    });

    // The first call ends; its channel is free for the next one.
    first.assert_success(|| switch.log());
    let mut fourth = carrier_call("carrier-4", "500");
    fourth.assert_success(|| switch.log());
    assert!(!has_sent(&second, "BYE"), "the second call is still up");
}

#[test]
fn a_call_class_that_does_not_permit_the_route_gives_403() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let carrier_port = free_port_on(CARRIER_OUT);
    let trunk = switch.api_create(
        "/api/v1/trunks",
        &format!(r#"{{"name":"carrier-c","host":"{CARRIER_OUT}","port":{carrier_port}}}"#),
    );
    switch.api_create(
        "/api/v1/outbound-routes",
        &format!(
            r#"{{"name":"national","pattern":"9.","strip":1,"trunk_id":{trunk},"call_class":"national"}}"#
        ),
    );
    // Before: 1002 (national by default) reaches the carrier, which is busy.
    let mut carrier = answering(
        &switch,
        "carrier-busy",
        "uas_busy.xml",
        "carrier",
        (CARRIER_OUT, carrier_port),
        Vec::new(),
        &[],
    );
    let (status, before) = refused(
        &switch,
        "1002-national",
        ("1002", "127.0.0.1"),
        "913800138000",
    );
    assert_eq!(status, 486, "the carrier answered busy\n{}", before.trace());
    carrier.assert_success(|| switch.log());

    // 1002 becomes internal-only through the API.
    let (code, page) = switch.api_get("/api/v1/extensions?q=1002");
    assert_eq!(code, 200, "{page}");
    let record = items(&page)
        .into_iter()
        .find(|e| has(e, "extension", "1002"))
        .unwrap_or_else(|| panic!("no extension 1002 in {page}"));
    let id = field(&record, "id").expect("id");
    let body = format!(
        r#"{{"extension":"1002","display_name":"{}","call_class":"internal","max_contacts":{},"enabled":true}}"#,
        field(&record, "display_name").unwrap_or_default(),
        field(&record, "max_contacts").unwrap_or_else(|| "3".into()),
    );
    let (code, updated) = switch.api_send("PUT", &format!("/api/v1/extensions/{id}"), &body);
    assert_eq!(code, 200, "{updated}");
    assert!(has(&updated, "call_class", "internal"), "{updated}");

    let (status, after) = refused(
        &switch,
        "1002-internal",
        ("1002", "127.0.0.1"),
        "913800138000",
    );
    assert_eq!(status, 403, "{}", after.trace());
    let cdr = cdr_where(&switch, "the forbidden call", |c| {
        has(c, "disposition", "forbidden")
    });
    assert_fields(
        &cdr,
        &[
            ("direction", "outbound"),
            ("caller_extension", "1002"),
            ("callee", "913800138000"),
        ],
    );
}
