//! Real SIP peers against the real binary (issue 3): SIPp registers the demo
//! extensions with digest authentication and places calls between them
//! through the switch; the test plays both phones' RTP through the relay and
//! reads the CDRs back from the API. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::UdpSocket;
use std::path::Path;
use std::time::Duration;

use sip_support::api::{cdr_for, field};
use sip_support::rtp::{PACKETS, RtpPeer, exchange, relay_address};
use sip_support::sipp::{Run, Sipp};
use sip_support::{Switch, peers_available, poll, users_csv};

fn client<'a>(switch: &Switch, name: &'a str, scenario: &'a str, csv: &'a Path) -> Run<'a> {
    Run {
        name,
        scenario,
        csv,
        client_of: Some(switch.sip),
        port: None,
        keys: Vec::new(),
        tcp: false,
    }
}

/// Registers `extension` (demo password) from a fresh port; returns the port.
fn register(switch: &Switch, extension: &str) -> u16 {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, extension, &format!("demo{extension}"));
    let name = format!("register-{extension}");
    let mut sipp = client(switch, &name, "register.xml", &csv).spawn(&dir);
    sipp.assert_success(|| switch.log());
    sipp.port
}

/// Starts the callee's scenario on its registered port, ready to receive.
fn callee(switch: &Switch, scenario: &str, port: u16, keys: Vec<(&str, String)>) -> Sipp {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1002", "demo1002");
    let mut sipp = Run {
        name: "callee",
        scenario,
        csv: &csv,
        client_of: None,
        port: Some(port),
        keys,
        tcp: false,
    }
    .spawn(&dir);
    let bound = poll(Duration::from_secs(10), || {
        (sipp.exited() || UdpSocket::bind(("127.0.0.1", port)).is_err()).then_some(())
    });
    assert!(
        bound.is_some() && !sipp.exited(),
        "the callee's SIPp did not start on {port}:\n{}",
        sipp.trace()
    );
    sipp
}

/// Places a call from 1001 to `number` with `scenario`; the caller's SDP
/// names a free port unless `keys` give `rtp_port`.
fn caller(switch: &Switch, scenario: &str, number: &str, mut keys: Vec<(&str, String)>) -> Sipp {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1001", "demo1001");
    keys.push(("callee", number.to_owned()));
    if !keys.iter().any(|(k, _)| *k == "rtp_port") {
        keys.push(("rtp_port", sip_support::free_udp_port().to_string()));
    }
    let name = format!("caller-{number}");
    let mut run = client(switch, &name, scenario, &csv);
    run.keys = keys;
    run.spawn(&dir)
}

/// A failed call from 1001 to `number`: the status the caller got.
fn rejected_call(switch: &Switch, number: &str) -> u16 {
    let mut uac = caller(switch, "uac_reject.xml", number, Vec::new());
    uac.assert_success(|| switch.log());
    uac.final_invite_status()
        .expect("a final response in the trace")
}

/// An answered call from 1001 to 1002 with RTP both ways through the relay;
/// returns the call's CDR (JSON).
fn answered_call_with_media(switch: &Switch, uas: &str, uac: &str) -> String {
    let port = register(switch, "1002");
    let dir = switch.scratch("media");
    let (callee_rtp, caller_rtp) = (RtpPeer::new(0x1002), RtpPeer::new(0x1001));
    let (callee_file, caller_file) = (dir.join("callee-relay"), dir.join("caller-relay"));
    let callee_keys = vec![
        ("rtp_port", callee_rtp.port.to_string()),
        ("relay_file", callee_file.display().to_string()),
    ];
    let mut uas = callee(switch, uas, port, callee_keys);
    let caller_keys = vec![
        ("rtp_port", caller_rtp.port.to_string()),
        ("relay_file", caller_file.display().to_string()),
    ];
    let mut uac = caller(switch, uac, "1002", caller_keys);
    let (Some(to_caller_side), Some(to_callee_side)) =
        (relay_address(&caller_file), relay_address(&callee_file))
    else {
        panic!(
            "the scenarios did not write the relay addresses\n{}\n{}\n--- switch ---\n{}",
            uac.trace(),
            uas.trace(),
            switch.log()
        );
    };
    assert_ne!(
        to_caller_side, to_callee_side,
        "each side has its own relay port"
    );
    let (forward, back) = exchange(&caller_rtp, to_caller_side, &callee_rtp, to_callee_side);
    assert_eq!(
        (forward, back),
        (PACKETS, PACKETS),
        "RTP packets relayed (caller to callee, callee to caller)\n{}",
        switch.log()
    );
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    let cdrs = switch.wait_for_cdrs(1);
    cdr_for(&cdrs, "1001", "1002").to_owned()
}

fn assert_cdr(cdr: &str, disposition: &str) {
    assert_eq!(
        field(cdr, "disposition").as_deref(),
        Some(disposition),
        "{cdr}"
    );
}

#[test]
fn register_with_digest_then_unregister() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = register(&switch, "1002");
    assert_eq!(switch.registered(), ["1002"]);
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1002", "demo1002");
    let mut run = client(&switch, "unregister-1002", "unregister.xml", &csv);
    run.port = Some(port);
    run.spawn(&dir).assert_success(|| switch.log());
    assert!(switch.registered().is_empty(), "the binding is gone");
}

#[test]
fn register_over_tcp() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1003", "demo1003");
    let mut run = client(&switch, "register-tcp", "register.xml", &csv);
    run.tcp = true;
    run.spawn(&dir).assert_success(|| switch.log());
    assert_eq!(switch.registered(), ["1003"]);
}

#[test]
fn a_wrong_password_does_not_register() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1001", "not-the-password");
    let mut sipp = client(&switch, "register-wrong", "register_wrong.xml", &csv).spawn(&dir);
    sipp.assert_success(|| switch.log());
    assert!(switch.registered().is_empty());
}

#[test]
fn call_with_rtp_both_ways_ended_by_the_caller() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let cdr = answered_call_with_media(&switch, "uas_answer.xml", "uac_call.xml");
    assert_cdr(&cdr, "answered");
    assert_eq!(
        field(&cdr, "hangup_side").as_deref(),
        Some("caller"),
        "{cdr}"
    );
}

#[test]
fn call_with_rtp_both_ways_ended_by_the_callee() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let cdr = answered_call_with_media(&switch, "uas_hangup.xml", "uac_wait_bye.xml");
    assert_cdr(&cdr, "answered");
    assert_eq!(
        field(&cdr, "hangup_side").as_deref(),
        Some("callee"),
        "{cdr}"
    );
}

#[test]
fn hold_and_resume_reinvites_pass_through() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = register(&switch, "1002");
    let mut uas = callee(
        &switch,
        "uas_hold.xml",
        port,
        vec![("rtp_port", sip_support::free_udp_port().to_string())],
    );
    let mut uac = caller(&switch, "uac_hold.xml", "1002", Vec::new());
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert_cdr(
        cdr_for(&switch.wait_for_cdrs(1), "1001", "1002"),
        "answered",
    );
}

#[test]
fn the_caller_cancels_while_it_rings() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = register(&switch, "1002");
    let mut uas = callee(&switch, "uas_ring.xml", port, Vec::new());
    let mut uac = caller(&switch, "uac_cancel.xml", "1002", Vec::new());
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert_cdr(
        cdr_for(&switch.wait_for_cdrs(1), "1001", "1002"),
        "cancelled",
    );
}

#[test]
fn a_busy_callee_gives_486() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    let port = register(&switch, "1002");
    let mut uas = callee(&switch, "uas_busy.xml", port, Vec::new());
    assert_eq!(rejected_call(&switch, "1002"), 486);
    uas.assert_success(|| switch.log());
    assert_cdr(cdr_for(&switch.wait_for_cdrs(1), "1001", "1002"), "busy");
}

#[test]
fn no_answer_within_the_ring_timeout_gives_480() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start(); // --ring-timeout 2
    let port = register(&switch, "1002");
    let mut uas = callee(&switch, "uas_ring.xml", port, Vec::new());
    assert_eq!(rejected_call(&switch, "1002"), 480);
    uas.assert_success(|| switch.log());
    assert_cdr(
        cdr_for(&switch.wait_for_cdrs(1), "1001", "1002"),
        "no_answer",
    );
}

#[test]
fn an_unregistered_callee_gives_480_and_an_unknown_number_404() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    assert_eq!(
        rejected_call(&switch, "1003"),
        480,
        "1003 exists but is not registered"
    );
    assert_eq!(
        rejected_call(&switch, "7777"),
        404,
        "no extension, DID or route"
    );
}

/// SHA-256 of `text` in hex, by coreutils (this crate has no hash library).
fn sha256_hex(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("sha256sum output");
    String::from_utf8_lossy(&out.stdout)[..64].to_owned()
}

/// Sends one REGISTER for 1002 over UDP and returns the response.
fn register_raw(socket: &UdpSocket, switch: &Switch, cseq: u32, authorization: &str) -> String {
    let local = socket.local_addr().expect("local");
    let request = format!(
        "REGISTER sip:{sip} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-sha-{cseq};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:1002@{sip}>;tag=sha\r\nTo: <sip:1002@{sip}>\r\n\
         Call-ID: sha256-register@127.0.0.1\r\nCSeq: {cseq} REGISTER\r\n\
         Contact: <sip:1002@{local}>\r\n{authorization}Content-Length: 0\r\n\r\n",
        sip = switch.sip
    );
    socket
        .send_to(request.as_bytes(), switch.sip)
        .expect("send");
    let mut buf = [0u8; 4096];
    loop {
        let len = socket.recv(&mut buf).expect("a response within 5 s");
        let response = String::from_utf8_lossy(&buf[..len]).into_owned();
        if !response.starts_with("SIP/2.0 1") {
            return response;
        }
    }
}

/// RFC 8760 by hand (SIPp speaks only MD5), with the switch offering
/// SHA-256 first: the SHA-256 challenge is answered and registers; the same
/// nonce count again is a replay and is challenged anew.
#[test]
fn sha256_digest_registers_and_a_replayed_nonce_count_does_not() {
    let switch = Switch::start_with(&["--sip-digest", "sha256,md5"]);
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let challenge = register_raw(&socket, &switch, 1, "");
    assert!(challenge.starts_with("SIP/2.0 401"), "{challenge}");
    let sha = challenge
        .lines()
        .find(|l| l.starts_with("WWW-Authenticate:") && l.contains("algorithm=SHA-256"))
        .unwrap_or_else(|| panic!("a SHA-256 challenge in {challenge}"));
    let nonce = sha
        .split("nonce=\"")
        .nth(1)
        .and_then(|r| r.split('"').next());
    let nonce = nonce.expect("nonce");
    let uri = format!("sip:{}", switch.sip);
    let ha1 = sha256_hex("1002:switchboard:demo1002");
    let ha2 = sha256_hex(&format!("REGISTER:{uri}"));
    let response = sha256_hex(&format!("{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}"));
    let authorization = format!(
        "Authorization: Digest username=\"1002\", realm=\"switchboard\", nonce=\"{nonce}\", \
         uri=\"{uri}\", response=\"{response}\", algorithm=SHA-256, qop=auth, nc=00000001, \
         cnonce=\"c0ffee\"\r\n"
    );
    let accepted = register_raw(&socket, &switch, 2, &authorization);
    assert!(accepted.starts_with("SIP/2.0 200"), "{accepted}");
    assert_eq!(switch.registered(), ["1002"]);
    let replayed = register_raw(&socket, &switch, 3, &authorization);
    assert!(
        replayed.starts_with("SIP/2.0 401"),
        "a replay is challenged: {replayed}"
    );
}
