//! Voice flows and queues with real SIP peers (issue 5): SIPp callers dial
//! the demo hotline (4000), the test presses keys as RFC 4733 events and
//! talks as a phone would, SIPp agents registered as extensions answer the
//! ACD's offers. Checks the CDR, the caller's trail, the ACD's event log,
//! voicemail files and survey answers. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::SocketAddr;
use std::time::Duration;

use sip_support::agents::{agent_phone, agent_state, hotline_cdr, sign_in};
use sip_support::api::{field, items};
use sip_support::peers;
use sip_support::rtp::{RtpPeer, press, relay_address, talk};
use sip_support::sipp::Sipp;
use sip_support::{Switch, peers_available, poll};

fn ivr_switch() -> Switch {
    Switch::start_with(&["--ring-timeout", "15"])
}

/// Extension 1001 calls the hotline; returns its SIPp run and where the
/// switch takes its RTP.
fn call_hotline(switch: &Switch, rtp: &RtpPeer) -> (Sipp, SocketAddr) {
    call_hotline_with(switch, rtp, "uac_call_ivr.xml")
}

/// As [`call_hotline`] with another caller scenario.
fn call_hotline_with(switch: &Switch, rtp: &RtpPeer, scenario: &str) -> (Sipp, SocketAddr) {
    let dir = switch.scratch("ivr");
    // A file per call: a second call must not read the first one's address.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let relay_file = dir.join(format!("caller-relay-{}-{call}", rtp.port));
    let uac = peers::dial(
        switch,
        "hotline-caller",
        scenario,
        ("1001", "127.0.0.1"),
        "4000",
        vec![
            ("rtp_port", rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &[],
    );
    let relay = relay_address(&relay_file).unwrap_or_else(|| {
        panic!(
            "the hotline did not answer\n{}\n{}",
            uac.trace(),
            switch.log()
        )
    });
    (uac, relay)
}

#[test]
fn a_caller_who_presses_1_reaches_the_signed_in_sales_agent() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (caller_rtp, agent_rtp) = (RtpPeer::new(0x4001), RtpPeer::new(0x1003));
    let mut agent = agent_phone(&switch, "1003", "uas_answer.xml", &agent_rtp);
    sign_in(&switch, "1003");
    let (mut caller, relay) = call_hotline(&switch, &caller_rtp);
    // Typed ahead during the greeting: the menu takes it.
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "1");
    let on_call = poll(Duration::from_secs(10), || {
        let (_, body) = switch.api_get("/api/v1/acd/state");
        body.contains(r#""state":"on_call""#).then_some(body)
    });
    assert!(
        on_call.is_some(),
        "the agent never took the call\n{}",
        switch.log()
    );
    caller.assert_success(|| switch.log());
    agent.assert_success(|| switch.log());

    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );
    assert_eq!(
        field(&cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    let call_id = field(&cdr, "call_id").expect("call id");
    let trail = poll(Duration::from_secs(10), || {
        let (status, body) = switch.api_get(&format!("/api/v1/calls/{call_id}/trail"));
        (status == 200).then_some(body)
    })
    .unwrap_or_else(|| panic!("no trail\n{}", switch.log()));
    assert!(trail.contains("menu"), "the trail names the menu: {trail}");
    assert!(
        trail.contains("pressed 1"),
        "the trail has the key: {trail}"
    );
    assert!(
        trail.contains("sales"),
        "the trail names the queue: {trail}"
    );
    let (_, events) = switch.api_get("/api/v1/acd/events?agent=1003");
    assert!(
        events.contains("answered"),
        "the ACD log explains the call: {events}"
    );
    // The agent is back to ready (wrap-up 5 s in the demo queue) or in wrap-up.
    let (_, state) = switch.api_get("/api/v1/acd/state");
    assert!(
        state.contains(r#""state":"wrap_up""#) || state.contains(r#""state":"ready""#),
        "{state}"
    );
}

#[test]
fn with_no_agent_signed_in_the_caller_leaves_a_voicemail_for_the_queue() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let caller_rtp = RtpPeer::new(0x4002);
    let (mut caller, relay) = call_hotline(&switch, &caller_rtp);
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "2");
    // The service queue has nobody signed in: the flow's overflow branch
    // takes the caller to the queue's voicemail; the beep comes first.
    std::thread::sleep(Duration::from_millis(2500));
    talk(&caller_rtp, relay, 440.0, 3);
    caller.assert_success(|| switch.log());
    let voicemail = poll(Duration::from_secs(20), || {
        let (_, page) = switch.api_get("/api/v1/voicemails");
        items(&page).into_iter().next()
    })
    .unwrap_or_else(|| panic!("no voicemail\n{}", switch.log()));
    assert_eq!(
        field(&voicemail, "mailbox").as_deref(),
        Some("service"),
        "{voicemail}"
    );
    assert_eq!(
        field(&voicemail, "caller").as_deref(),
        Some("1001"),
        "{voicemail}"
    );
    let duration: u64 = field(&voicemail, "duration_ms")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    assert!(
        duration >= 3_000,
        "the message holds what was said: {voicemail}"
    );
    // The API keeps paths to itself: the message is the one file under
    // the recordings folder's voicemail/.
    let root = switch
        .dir
        .path()
        .join("data")
        .join("recordings")
        .join("voicemail");
    let path = wav_files(&root)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no voicemail file under {}", root.display()));
    let reader = hound::WavReader::open(&path).expect("a readable WAV");
    assert_eq!(reader.spec().channels, 1, "voicemail is mono");
}

fn wav_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(wav_files(&path));
        } else if path.extension().is_some_and(|e| e == "wav") {
            found.push(path);
        }
    }
    found
}

#[test]
fn an_unanswered_agent_is_skipped_and_the_next_one_takes_the_call() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (caller_rtp, busy_rtp, agent_rtp) = (
        RtpPeer::new(0x4003),
        RtpPeer::new(0x1004),
        RtpPeer::new(0x1003),
    );
    let _busy = agent_phone(&switch, "1004", "uas_busy.xml", &busy_rtp);
    let mut agent = agent_phone(&switch, "1003", "uas_answer.xml", &agent_rtp);
    // 1004 has been ready longest, so the service queue offers to 1004 first.
    sign_in(&switch, "1004");
    std::thread::sleep(Duration::from_millis(200));
    sign_in(&switch, "1003");
    let (mut caller, relay) = call_hotline(&switch, &caller_rtp);
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "2");
    caller.assert_success(|| switch.log());
    agent.assert_success(|| switch.log());
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );
    let (_, missed) = switch.api_get("/api/v1/acd/events?agent=1004");
    assert!(
        missed.contains("no_answer"),
        "1004's busy phone counts as a miss: {missed}"
    );
    let (_, answered) = switch.api_get("/api/v1/acd/events?agent=1003");
    assert!(answered.contains("answered"), "{answered}");
}

#[test]
fn when_the_agent_hangs_up_first_the_caller_rates_the_call() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (caller_rtp, agent_rtp) = (RtpPeer::new(0x4004), RtpPeer::new(0x1003));
    // uas_hangup.xml answers and hangs up itself after 3 s.
    let mut agent = agent_phone(&switch, "1003", "uas_hangup.xml", &agent_rtp);
    sign_in(&switch, "1003");
    // The survey thanks the caller and the switch hangs up.
    let (mut caller, relay) = call_hotline_with(&switch, &caller_rtp, "uac_call_ivr_wait_bye.xml");
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "1");
    agent.assert_success(|| switch.log());
    // The survey question plays; a key interrupts it.
    std::thread::sleep(Duration::from_millis(1500));
    press(&caller_rtp, relay, "1");
    caller.assert_success(|| switch.log());
    let answer = poll(Duration::from_secs(15), || {
        let (_, page) = switch.api_get("/api/v1/surveys");
        items(&page).into_iter().next()
    })
    .unwrap_or_else(|| panic!("no survey answer\n{}", switch.log()));
    assert_eq!(field(&answer, "digit").as_deref(), Some("1"), "{answer}");
    assert_eq!(field(&answer, "agent").as_deref(), Some("1003"), "{answer}");
    assert_eq!(
        field(&answer, "queue").as_deref(),
        Some("sales"),
        "{answer}"
    );
    let cdr = hotline_cdr(&switch);
    assert_eq!(
        field(&cdr, "hangup_side").as_deref(),
        Some("callee"),
        "the agent ended the talk: {cdr}"
    );
}

/// The hotline's CDRs, oldest first, once `count` are written.
fn hotline_cdrs(switch: &Switch, count: usize) -> Vec<String> {
    poll(Duration::from_secs(20), || {
        let mut cdrs: Vec<String> = switch
            .cdrs()
            .into_iter()
            .filter(|c| field(c, "callee").as_deref() == Some("4000"))
            .collect();
        cdrs.sort_by_key(|c| field(c, "started_at"));
        (cdrs.len() >= count).then_some(cdrs)
    })
    .unwrap_or_else(|| panic!("fewer than {count} hotline CDRs\n{}", switch.log()))
}

#[test]
fn a_returning_caller_is_offered_to_the_agent_who_served_them_last() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (caller_rtp, rtp_1003, rtp_1004) = (
        RtpPeer::new(0x4005),
        RtpPeer::new(0x1003),
        RtpPeer::new(0x1004),
    );
    let mut phone_1003 = agent_phone(&switch, "1003", "uas_answer.xml", &rtp_1003);
    let port_1004 = peers::register(&switch, "1004");
    let answer_1004 = |name: &str| {
        peers::answering(
            &switch,
            name,
            "uas_answer.xml",
            "1004",
            ("127.0.0.1", port_1004),
            vec![
                ("rtp_port", rtp_1004.port.to_string()),
                (
                    "relay_file",
                    switch.scratch("ivr").join(name).display().to_string(),
                ),
            ],
            &[],
        )
    };
    let mut first = answer_1004("agent-1004-first");
    // 1004 has been ready longest: the first call goes to 1004.
    sign_in(&switch, "1004");
    std::thread::sleep(Duration::from_millis(200));
    sign_in(&switch, "1003");
    let (mut caller, relay) = call_hotline(&switch, &caller_rtp);
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "2");
    caller.assert_success(|| switch.log());
    first.assert_success(|| switch.log());
    let cdrs = hotline_cdrs(&switch, 1);
    assert_eq!(field(&cdrs[0], "callee_extension").as_deref(), Some("1004"));
    // After wrap-up 1004 is ready again, but 1003 has now been ready for
    // longer: only the sticky agent rule sends the caller back to 1004.
    let mut second = answer_1004("agent-1004-second");
    let ready = poll(Duration::from_secs(15), || {
        (agent_state(&switch, "1004").as_deref() == Some("ready")).then_some(())
    });
    assert!(ready.is_some(), "1004 back to ready\n{}", switch.log());
    let (mut caller, relay) = call_hotline(&switch, &caller_rtp);
    std::thread::sleep(Duration::from_millis(800));
    press(&caller_rtp, relay, "2");
    caller.assert_success(|| switch.log());
    second.assert_success(|| switch.log());
    let cdrs = hotline_cdrs(&switch, 2);
    assert_eq!(
        field(&cdrs[1], "callee_extension").as_deref(),
        Some("1004"),
        "the caller's last agent took the call\n{}",
        switch.log()
    );
    assert!(
        !phone_1003.exited()
            || phone_1003
                .received()
                .iter()
                .all(|m| !m.starts_with("INVITE")),
        "1003 was never rung"
    );
}

#[test]
fn a_flow_published_while_a_call_runs_serves_new_calls_and_the_running_call_finishes_on_its_version()
 {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (first_rtp, second_rtp) = (RtpPeer::new(0x4006), RtpPeer::new(0x4007));
    let (mut first, relay) = call_hotline(&switch, &first_rtp);
    // Version 2: the hotline says goodbye at once.
    let (_, flows) = switch.api_get("/api/v1/ivr/flows");
    let hotline = items(&flows)
        .into_iter()
        .find(|f| field(f, "name").as_deref() == Some("demo-hotline"))
        .expect("the demo hotline");
    let id = field(&hotline, "id").expect("id");
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/ivr/flows/{id}/versions"),
        r#"{"note":"closed today","document":{"language":"zh","start":"bye","nodes":{"bye":{"type":"hangup","prompts":[{"builtin":"goodbye"}]}}}}"#,
    );
    assert!(
        status == 200 || status == 201,
        "publish v2: {status} {body}"
    );
    // The running call still has version 1's menu: 2 leads to the service
    // queue, which nobody serves, so the caller leaves a message.
    press(&first_rtp, relay, "2");
    let (mut second, _) = call_hotline_with(&switch, &second_rtp, "uac_call_ivr_wait_bye.xml");
    second.assert_success(|| switch.log());
    first.assert_success(|| switch.log());
    let cdrs = hotline_cdrs(&switch, 2);
    let trail_of = |cdr: &String| {
        let call_id = field(cdr, "call_id").expect("call id");
        poll(Duration::from_secs(10), || {
            let (status, body) = switch.api_get(&format!("/api/v1/calls/{call_id}/trail"));
            (status == 200).then_some(body)
        })
        .unwrap_or_else(|| panic!("no trail for {call_id}\n{}", switch.log()))
    };
    let (first_trail, second_trail) = (trail_of(&cdrs[0]), trail_of(&cdrs[1]));
    assert_eq!(
        field(&first_trail, "flow_version").as_deref(),
        Some("1"),
        "{first_trail}"
    );
    assert!(
        first_trail.contains("service"),
        "version 1's menu: {first_trail}"
    );
    assert_eq!(
        field(&second_trail, "flow_version").as_deref(),
        Some("2"),
        "{second_trail}"
    );
    assert!(
        !second_trail.contains("menu"),
        "version 2 has no menu: {second_trail}"
    );
}

/// Where the test carrier sends from: a trunk trusts this address.
const CARRIER_IN: &str = "127.0.0.3";

#[test]
fn a_carrier_call_to_the_hotline_did_reaches_an_agent_and_a_blacklisted_caller_hears_busy() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let trunk = switch.api_create(
        "/api/v1/trunks",
        r#"{"name":"carrier-ivr","host":"192.0.2.20","inbound_addresses":["127.0.0.3/32"],"enabled":true}"#,
    );
    switch.api_create(
        "/api/v1/inbound-routes",
        &format!(
            r#"{{"did":"4000","trunk_id":{trunk},"target_kind":"flow","target":"demo-hotline","enabled":true}}"#
        ),
    );
    let (carrier_rtp, agent_rtp) = (RtpPeer::on(CARRIER_IN, 0xca12), RtpPeer::new(0x1003));
    let mut agent = agent_phone(&switch, "1003", "uas_answer.xml", &agent_rtp);
    sign_in(&switch, "1003");
    let relay_file = switch.scratch("ivr").join("carrier-relay");
    let mut carrier = peers::dial(
        &switch,
        "carrier",
        "carrier_call_dtmf.xml",
        ("13900139000", CARRIER_IN),
        "4000",
        vec![
            ("rtp_port", carrier_rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &["-d", "8000"],
    );
    let relay = relay_address(&relay_file).unwrap_or_else(|| {
        panic!(
            "the DID was not answered\n{}\n{}",
            carrier.trace(),
            switch.log()
        )
    });
    std::thread::sleep(Duration::from_millis(800));
    press(&carrier_rtp, relay, "1");
    carrier.assert_success(|| switch.log());
    agent.assert_success(|| switch.log());
    let cdr = poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "caller").as_deref() == Some("13900139000"))
    })
    .unwrap_or_else(|| panic!("no CDR for the carrier call\n{}", switch.log()));
    assert_eq!(
        field(&cdr, "direction").as_deref(),
        Some("inbound"),
        "{cdr}"
    );
    assert_eq!(field(&cdr, "did").as_deref(), Some("4000"), "{cdr}");
    assert_eq!(
        field(&cdr, "callee_extension").as_deref(),
        Some("1003"),
        "{cdr}"
    );

    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/blacklist",
        r#"{"number":"13800*","action":"busy","reason":"harassing calls"}"#,
    );
    assert!(
        status == 200 || status == 201,
        "blacklist entry: {status} {body}"
    );
    let (refused, _) = peers::refused(&switch, "blacklisted", ("13800138000", CARRIER_IN), "4000");
    assert_eq!(refused, 486, "a blacklisted caller hears busy");
}

/// A back-end the flow asks about orders: answers one request with
/// `answer` and hands the request line to the test.
fn order_backend(answer: &'static str) -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the back-end");
    let port = listener.local_addr().expect("address").port();
    let (seen, requests) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        let _ = reader.read_line(&mut request_line);
        // The rest of the head, up to the blank line.
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
            line.clear();
        }
        let _ = seen.send(request_line);
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
    });
    (port, requests)
}

#[test]
fn a_flow_reads_an_order_status_from_a_back_end_by_the_number_the_caller_keyed_in() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    let (port, requests) = order_backend(r#"{"status":"shipped","eta_days":3}"#);
    let document = format!(
        r#"{{"language":"en","start":"order","nodes":{{
            "order":{{"type":"collect","prompts":[{{"tts":"Please key in your order number, then the hash key."}}],
                "variable":"order","min_digits":4,"max_digits":8,"next":"status","on_failure":"bye"}},
            "status":{{"type":"lookup","url":"http://127.0.0.1:{port}/orders","params":{{"order":"{{order}}"}},
                "next":"say","on_error":"sorry"}},
            "say":{{"type":"play","prompts":[{{"say_number":"{{lookup.eta_days}}"}}],"next":"bye"}},
            "sorry":{{"type":"hangup","prompts":[{{"builtin":"invalid-input"}}]}},
            "bye":{{"type":"hangup","prompts":[{{"builtin":"goodbye"}}]}}}}}}"#
    );
    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/ivr/flows",
        &format!(
            r#"{{"name":"order-status","number":"4100","enabled":true,"document":{document}}}"#
        ),
    );
    assert!(
        status == 200 || status == 201,
        "create the flow: {status} {body}"
    );
    let caller_rtp = RtpPeer::new(0x4008);
    let dir = switch.scratch("ivr");
    let relay_file = dir.join("order-caller-relay");
    let mut caller = peers::dial(
        &switch,
        "order-caller",
        "uac_call_ivr_wait_bye.xml",
        ("1001", "127.0.0.1"),
        "4100",
        vec![
            ("rtp_port", caller_rtp.port.to_string()),
            ("relay_file", relay_file.display().to_string()),
        ],
        &[],
    );
    let relay = relay_address(&relay_file).unwrap_or_else(|| {
        panic!(
            "the flow did not answer\n{}\n{}",
            caller.trace(),
            switch.log()
        )
    });
    std::thread::sleep(Duration::from_millis(500));
    press(&caller_rtp, relay, "20261#");
    let request = requests
        .recv_timeout(Duration::from_secs(15))
        .unwrap_or_else(|_| panic!("the back-end was not asked\n{}", switch.log()));
    assert!(
        request.starts_with("GET /orders?order=20261 "),
        "the keyed-in number goes to the back-end: {request}"
    );
    caller.assert_success(|| switch.log());
    let cdr = poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("4100"))
    })
    .unwrap_or_else(|| panic!("no CDR\n{}", switch.log()));
    let call_id = field(&cdr, "call_id").expect("call id");
    let trail = poll(Duration::from_secs(10), || {
        let (status, body) = switch.api_get(&format!("/api/v1/calls/{call_id}/trail"));
        (status == 200).then_some(body)
    })
    .unwrap_or_else(|| panic!("no trail\n{}", switch.log()));
    assert!(
        trail.contains("status=shipped"),
        "the answer is in the trail: {trail}"
    );
    assert!(
        trail.contains("\"say\""),
        "the flow read the answer back: {trail}"
    );
}

#[test]
fn agents_signed_in_when_the_switch_stopped_are_signed_in_again_after_a_restart() {
    if !peers_available("sipp") {
        return;
    }
    let switch = ivr_switch();
    sign_in(&switch, "1003");
    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/agents/1004/state",
        r#"{"state":"signed_in","extension":"1002"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = switch.api_send(
        "POST",
        "/api/v1/agents/1004/state",
        r#"{"state":"not_ready","reason":"meal"}"#,
    );
    assert_eq!(status, 200, "{body}");
    // The ACD's log is written as it goes: killing the process loses nothing.
    std::thread::sleep(Duration::from_millis(500));
    let switch = switch.restart(&["--ring-timeout", "15"]);
    let restored = poll(Duration::from_secs(10), || {
        let (status, body) = switch.api_get("/api/v1/acd/state");
        (status == 200 && agent_state(&switch, "1003").as_deref() == Some("ready")).then_some(body)
    })
    .unwrap_or_else(|| panic!("1003 was not signed in again\n{}", switch.log()));
    let start = restored
        .find(r#""employee_id":"1004""#)
        .expect("1004 listed");
    let agent_1004 = &restored[start..];
    assert_eq!(
        field(agent_1004, "state").as_deref(),
        Some("not_ready"),
        "{restored}"
    );
    assert_eq!(
        field(agent_1004, "reason").as_deref(),
        Some("meal"),
        "{restored}"
    );
    assert_eq!(
        field(agent_1004, "extension").as_deref(),
        Some("1002"),
        "the seat chosen at sign-in: {restored}"
    );
}
