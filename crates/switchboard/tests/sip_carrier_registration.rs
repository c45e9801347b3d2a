//! A trunk that registers with its carrier (issue 3, T2), against a SIPp
//! registrar that challenges with MD5 digest and checks the credentials: the
//! switch answers the challenge with the trunk's account and the API reports
//! the trunk registered; with a wrong password the carrier's 403 is reported.
//! Skipped (loudly) without SIPp unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::UdpSocket;
use std::time::Duration;

use sip_support::api::field;
use sip_support::peers::answering;
use sip_support::{Switch, peers_available, poll};

const CARRIER: &str = "127.0.0.7";

fn free_port_on(ip: &str) -> u16 {
    let socket = UdpSocket::bind((ip, 0)).expect("bind a UDP port");
    socket.local_addr().expect("local addr").port()
}

/// The trunk's entry in GET /api/v1/trunk-registrations once the switch has
/// had an answer from the carrier.
fn registration_state(switch: &Switch, trunk: i64) -> String {
    poll(Duration::from_secs(20), || {
        let (status, body) = switch.api_get("/api/v1/trunk-registrations");
        assert_eq!(status, 200, "GET /api/v1/trunk-registrations: {body}");
        body.split("},{")
            .find(|entry| entry.contains(&format!("\"trunk_id\":{trunk},")))
            .filter(|entry| !entry.contains("\"last_status\":0"))
            .map(str::to_owned)
    })
    .unwrap_or_else(|| panic!("the switch never heard from the carrier\n{}", switch.log()))
}

fn registering_trunk(switch: &Switch, name: &str, port: u16, password: &str) -> i64 {
    switch.api_create(
        "/api/v1/trunks",
        &format!(
            r#"{{"name":"{name}","host":"{CARRIER}","port":{port},"register":true,"username":"trunkuser","password":"{password}","register_expires":120,"enabled":true}}"#
        ),
    )
}

#[test]
fn the_switch_registers_with_a_carrier_that_challenges_it() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = free_port_on(CARRIER);
    let registrar = answering(
        &switch,
        "carrier-registrar",
        "carrier_registrar.xml",
        "trunkuser",
        (CARRIER, port),
        Vec::new(),
        &[],
    );
    let trunk = registering_trunk(&switch, "carrier-reg", port, "trunk-pass-1");
    let state = registration_state(&switch, trunk);
    assert!(
        state.contains("\"registered\":true") && state.contains("\"last_status\":200"),
        "registered with the carrier: {state}\n{}",
        registrar.trace()
    );
    assert!(field(&format!("{{{state}}}"), "expires_at").is_some_and(|e| e != "null"));
    let register = registrar
        .received()
        .into_iter()
        .filter(|m| m.starts_with("REGISTER "))
        .collect::<Vec<_>>();
    assert!(
        register.len() >= 2 && register[1].contains("Authorization: Digest username=\"trunkuser\""),
        "the second REGISTER answers the challenge: {register:?}"
    );
}

#[test]
fn a_carrier_refusing_the_credentials_is_reported() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = free_port_on(CARRIER);
    let registrar = answering(
        &switch,
        "carrier-registrar-strict",
        "carrier_registrar.xml",
        "trunkuser",
        (CARRIER, port),
        Vec::new(),
        &[],
    );
    let trunk = registering_trunk(&switch, "carrier-wrong", port, "not-the-pass-2");
    let state = registration_state(&switch, trunk);
    assert!(
        state.contains("\"registered\":false") && state.contains("\"last_status\":403"),
        "the carrier's refusal is reported: {state}\n{}",
        registrar.trace()
    );
}
