//! The switch defending itself, against the real binary (issue 3): an
//! address that keeps failing authentication is banned (dropped silently,
//! listed and liftable through the API) while phones elsewhere keep calling;
//! a scanner's User-Agent is banned at its first request; a trunk's address
//! is never banned; beyond --max-calls INVITEs get 503 with Retry-After; on
//! SIGTERM new INVITEs get 503 while a live call goes on to its normal end,
//! and the process exits soon after. SIPp plays phones and attackers from
//! loopback addresses of their own. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sip_support::api::{cdr_for, field, items};
use sip_support::peers::{
    answering, dial, has_sent, received_header, refused, register, wait_answered,
};
use sip_support::sipp::{Run, Sipp};
use sip_support::{Switch, free_udp_port, peers_available, poll, users_csv};

const ATTACKER: &str = "127.0.0.2";
const CARRIER: &str = "127.0.0.3";
const SCANNER: &str = "127.0.0.5";

/// A TOML config file for `serve --config` (kept alive by the TempDir).
fn config_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("switchboard.toml");
    std::fs::write(&path, text).expect("write config");
    (dir, path)
}

/// REGISTER for 1003 with a wrong password from `ip` (register_wrong.xml:
/// 401, then 403 or 401 again), with extra SIPp arguments.
fn wrong_register(switch: &Switch, name: &str, ip: &str, extra: &[&str]) -> Sipp {
    wrong_register_as(switch, name, ("1003", ip), false, extra)
}

/// `wrong_register` for `user`, over UDP or TCP.
fn wrong_register_as(
    switch: &Switch,
    name: &str,
    (user, ip): (&str, &str),
    tcp: bool,
    extra: &[&str],
) -> Sipp {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, user, "wrong-pass-1");
    Run {
        name,
        scenario: "register_wrong.xml",
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys: Vec::new(),
        tcp,
    }
    .spawn_from(&dir, ip, extra)
}

/// The active ban of `address` (JSON), if listed.
fn ban_of(switch: &Switch, address: &str) -> Option<String> {
    let (status, page) = switch.api_get("/api/v1/sip-bans?per_page=100");
    assert_eq!(status, 200, "GET /api/v1/sip-bans: {page}");
    items(&page)
        .into_iter()
        .find(|b| field(b, "address").as_deref() == Some(address))
}

/// A held, answered call 1001 -> 1002 (1002 registered and answering);
/// the caller hangs up after `hold_ms`.
fn held_call(switch: &Switch, hold_ms: &str) -> (Sipp, Sipp) {
    let port = register(switch, "1002");
    let dir = switch.scratch("media");
    let callee = answering(
        switch,
        "callee-1002",
        "uas_answer.xml",
        "1002",
        ("127.0.0.1", port),
        vec![
            ("rtp_port", free_udp_port().to_string()),
            ("relay_file", dir.join("callee").display().to_string()),
        ],
        &[],
    );
    let mut caller = dial(
        switch,
        "caller-1001",
        "uac_call_held.xml",
        ("1001", "127.0.0.1"),
        "1002",
        vec![("relay_file", dir.join("caller").display().to_string())],
        &["-d", hold_ms],
    );
    wait_answered(switch, &mut caller);
    (caller, callee)
}

/// Sends one SIP request over UDP from `socket`; the first final response
/// within `within`, or None.
fn ask(socket: &UdpSocket, switch: &Switch, request: &str, within: Duration) -> Option<String> {
    socket
        .send_to(request.as_bytes(), switch.sip)
        .expect("send");
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        socket.set_read_timeout(Some(left)).expect("timeout");
        let len = socket.recv(&mut buf).ok()?;
        let response = String::from_utf8_lossy(&buf[..len]).into_owned();
        if !response.starts_with("SIP/2.0 1") {
            return Some(response);
        }
    }
}

fn options(socket: &UdpSocket, switch: &Switch, n: u32, user_agent: &str) -> String {
    let local = socket.local_addr().expect("local");
    format!(
        "OPTIONS sip:100@{sip} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-opt-{n};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100@{local}>;tag=opt{n}\r\nTo: <sip:100@{sip}>\r\n\
         Call-ID: options-{n}@{local}\r\nCSeq: {n} OPTIONS\r\nUser-Agent: {user_agent}\r\n\
         Accept: application/sdp\r\nContent-Length: 0\r\n\r\n",
        sip = switch.sip
    )
}

#[test]
fn brute_force_bans_the_attacker_while_a_phone_keeps_calling() {
    if !peers_available("sipp") {
        return;
    }
    let (_config_dir, config) = config_file("sip_max_auth_failures = 3\n");
    let switch = Switch::start_with(&["--config", config.to_str().expect("utf-8 path")]);
    // A trunk trusts 127.0.0.3: its failures never ban it.
    switch.api_create(
        "/api/v1/trunks",
        &format!(r#"{{"name":"carrier","host":"192.0.2.10","inbound_addresses":["{CARRIER}"]}}"#),
    );
    let (mut caller, mut callee) = held_call(&switch, "5000");

    // During the call, the attacker guesses 1003's password from 127.0.0.2.
    for attempt in 1..=3 {
        wrong_register(&switch, &format!("attack-{attempt}"), ATTACKER, &[])
            .assert_success(|| switch.log());
    }
    let ban = poll(Duration::from_secs(10), || ban_of(&switch, ATTACKER))
        .unwrap_or_else(|| panic!("no ban for {ATTACKER}\n{}", switch.log()));
    assert!(
        field(&ban, "reason").is_some_and(|r| r.contains("failed authentications")),
        "{ban}"
    );
    assert!(
        !has_sent(&caller, "BYE"),
        "the ban came while the call was up"
    );
    caller.assert_success(|| switch.log());
    callee.assert_success(|| switch.log());
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(
        field(cdr_for(&cdrs, "1001", "1002"), "disposition").as_deref(),
        Some("answered")
    );

    // Banned: the attacker's REGISTER is not answered at all.
    let mut probe = wrong_register(&switch, "attack-banned", ATTACKER, &["-timeout", "3s"]);
    probe.wait(Duration::from_secs(15));
    assert!(
        has_sent(&probe, "REGISTER") && probe.received().is_empty(),
        "a banned address gets no answer\n{}",
        probe.trace()
    );

    // The same from the trunk's address: answered every time, never banned.
    for attempt in 1..=4 {
        wrong_register(&switch, &format!("carrier-{attempt}"), CARRIER, &[])
            .assert_success(|| switch.log());
    }

    // Lifted through the API: the attacker is answered again (401).
    let id = field(&ban, "id").expect("ban id");
    let (status, lifted) = switch.api_send("POST", &format!("/api/v1/sip-bans/{id}/lift"), "");
    assert_eq!(status, 200, "{lifted}");
    assert!(ban_of(&switch, ATTACKER).is_none(), "the ban is lifted");
    let mut again = wrong_register(&switch, "attack-lifted", ATTACKER, &[]);
    again.assert_success(|| switch.log());
    assert!(
        again
            .received()
            .iter()
            .any(|m| m.starts_with("SIP/2.0 401")),
        "{}",
        again.trace()
    );
    assert!(
        ban_of(&switch, CARRIER).is_none(),
        "a trunk's address is never banned\n{}",
        switch.log()
    );
}

/// Eight different extensions tried from one address (fewer failures than
/// the limit of 10): a scanner, banned.
#[test]
fn trying_eight_extensions_bans_the_address() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    for n in 1..=7 {
        let user = format!("200{n}");
        wrong_register_as(
            &switch,
            &format!("scan-{user}"),
            (&user, ATTACKER),
            false,
            &[],
        )
        .assert_success(|| switch.log());
    }
    assert!(
        ban_of(&switch, ATTACKER).is_none(),
        "seven are not yet a scan"
    );
    wrong_register_as(&switch, "scan-2008", ("2008", ATTACKER), false, &[])
        .assert_success(|| switch.log());
    let ban = poll(Duration::from_secs(10), || ban_of(&switch, ATTACKER))
        .unwrap_or_else(|| panic!("no ban for {ATTACKER}\n{}", switch.log()));
    assert!(
        field(&ban, "reason").is_some_and(|r| r.contains("8 different extensions")),
        "{ban}"
    );
}

#[test]
fn a_scanner_user_agent_is_banned_at_its_first_request() {
    let switch = Switch::start();
    let socket = UdpSocket::bind((SCANNER, 0)).expect("bind on 127.0.0.5");
    let wait = Duration::from_secs(2);
    let answer = ask(
        &socket,
        &switch,
        &options(&socket, &switch, 1, "Linphone/5.2"),
        wait,
    );
    assert!(
        answer
            .as_deref()
            .is_some_and(|a| a.starts_with("SIP/2.0 200")),
        "a phone's OPTIONS is answered: {answer:?}"
    );
    let scan = options(&socket, &switch, 2, "friendly-scanner");
    assert_eq!(
        ask(&socket, &switch, &scan, wait),
        None,
        "a scanner learns nothing"
    );
    let ban = poll(Duration::from_secs(10), || ban_of(&switch, SCANNER))
        .unwrap_or_else(|| panic!("no ban for {SCANNER}\n{}", switch.log()));
    assert!(
        field(&ban, "reason").is_some_and(|r| r.contains("scanner")),
        "{ban}"
    );
    let after = options(&socket, &switch, 3, "Linphone/5.2");
    assert_eq!(
        ask(&socket, &switch, &after, wait),
        None,
        "the address stays banned whatever it claims to be"
    );
    let phone = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let answer = ask(
        &phone,
        &switch,
        &options(&phone, &switch, 4, "Linphone/5.2"),
        wait,
    );
    assert!(
        answer
            .as_deref()
            .is_some_and(|a| a.starts_with("SIP/2.0 200")),
        "others are still answered: {answer:?}"
    );
}

#[test]
fn beyond_max_calls_an_invite_gets_503_with_retry_after() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--max-calls", "1"]);
    let (mut caller, mut callee) = held_call(&switch, "4000");
    let (status, second) = refused(&switch, "second-call", ("1003", "127.0.0.1"), "1002");
    assert_eq!(status, 503, "{}", second.trace());
    let retry = received_header(&second, "SIP/2.0 503", "Retry-After");
    assert!(
        retry.is_some_and(|r| r.parse::<u32>().is_ok_and(|s| s > 0)),
        "503 with Retry-After\n{}",
        second.trace()
    );
    assert!(!has_sent(&caller, "BYE"), "the first call was still up");
    caller.assert_success(|| switch.log());
    callee.assert_success(|| switch.log());
    assert!(
        switch
            .metric("switchboard_sip_calls_refused_overload_total")
            .is_some_and(|n| n >= 1),
        "the refusal is counted"
    );

    // The call is over: the next INVITE is admitted again (and goes on to
    // find 1004 unregistered: 480).
    let idle = poll(Duration::from_secs(10), || {
        (switch.metric("switchboard_sip_calls_active") == Some(0)).then_some(())
    });
    assert!(idle.is_some(), "the call's slot is freed\n{}", switch.log());
    let (status, next) = refused(&switch, "next-call", ("1003", "127.0.0.1"), "1004");
    assert_eq!(status, 480, "{}", next.trace());
}

#[test]
fn on_sigterm_new_calls_get_503_and_a_live_call_ends_normally() {
    if !peers_available("sipp") {
        return;
    }
    let mut switch = Switch::start();
    let (mut caller, mut callee) = held_call(&switch, "5000");
    switch.terminate();
    let draining = poll(Duration::from_secs(10), || {
        switch.log().contains("shutting down").then_some(())
    });
    assert!(draining.is_some(), "SIGTERM seen\n{}", switch.log());

    let (status, late) = refused(&switch, "late-call", ("1003", "127.0.0.1"), "1002");
    assert_eq!(status, 503, "{}", late.trace());
    assert!(
        received_header(&late, "SIP/2.0 503", "Retry-After").is_some(),
        "{}",
        late.trace()
    );
    assert!(
        !has_sent(&caller, "BYE") && switch.wait_exit(Duration::ZERO).is_none(),
        "the live call and the switch were still up after the refusal"
    );

    // The live call ends as usual: BYE answered 200 on both sides.
    caller.assert_success(|| switch.log());
    callee.assert_success(|| switch.log());
    let ended = Instant::now();
    let exit = switch.wait_exit(Duration::from_secs(20));
    assert!(
        exit.is_some_and(|s| s.success()),
        "the switch exits cleanly once the last call is over: {exit:?}\n{}",
        switch.log()
    );
    assert!(
        ended.elapsed() < Duration::from_secs(10),
        "exited {:?} after the last call, not at the 30 s deadline",
        ended.elapsed()
    );
}

/// A ban holds for the address, whatever the transport: SIP listens on UDP
/// and TCP on the same port, so a banned attacker must not simply switch to
/// TCP.
#[test]
fn a_ban_holds_over_tcp_too() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    // Answered over TCP before the ban (the scenario works over TCP).
    wrong_register_as(&switch, "tcp-before", ("1003", ATTACKER), true, &[])
        .assert_success(|| switch.log());
    let body = format!(r#"{{"address":"{ATTACKER}","reason":"test","duration_minutes":10}}"#);
    switch.api_create("/api/v1/sip-bans", &body);
    let mut udp = wrong_register_as(
        &switch,
        "udp-banned",
        ("1003", ATTACKER),
        false,
        &["-timeout", "3s"],
    );
    let mut tcp = wrong_register_as(
        &switch,
        "tcp-banned",
        ("1003", ATTACKER),
        true,
        &["-timeout", "3s"],
    );
    udp.wait(Duration::from_secs(15));
    tcp.wait(Duration::from_secs(15));
    assert!(
        has_sent(&udp, "REGISTER") && udp.received().is_empty(),
        "banned over UDP\n{}",
        udp.trace()
    );
    assert!(
        has_sent(&tcp, "REGISTER") && tcp.received().is_empty(),
        "banned over TCP too\n{}\n--- switch ---\n{}",
        tcp.trace(),
        switch.log()
    );
}

/// --max-cps 1: one new call a second. A phone's call is two INVITEs (the
/// first is challenged with 407), and it must still get through.
#[test]
fn max_cps_admits_a_phone_call_and_refuses_the_next_in_the_same_second() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--max-cps", "1"]);
    let (caller, callee) = held_call(&switch, "2000");
    let (status, second) = refused(&switch, "second-call", ("1003", "127.0.0.1"), "1002");
    assert_eq!(status, 503, "{}", second.trace());
    assert!(
        received_header(&second, "SIP/2.0 503", "Retry-After").is_some(),
        "{}",
        second.trace()
    );
    for mut sipp in [caller, callee] {
        sipp.assert_success(|| switch.log());
    }
}
