//! The media engine with real SIP peers (issue 4): SIPp places and answers
//! calls through the switch, the test plays each phone's audio (a tone of
//! its own pitch, paced like a phone), and checks what the switch made of
//! it: music on hold to the held party, and a recording whose two channels
//! hold the two sides. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use sb_media::codec::{Codec, Decoder, Encoder};
use sip_support::api::{field, items};
use sip_support::peers;
use sip_support::rtp::{RtpPeer, press, relay_address, talk};
use sip_support::sipp::{Run, Sipp};
use sip_support::{Switch, peers_available, poll, users_csv};

/// A switch whose callees may take their time to answer: these tests run
/// several SIPp processes and talking threads each, two tests at a time on
/// two cores, and a loaded SIPp can be slow to send its 180.
fn media_switch() -> Switch {
    Switch::start_with(&["--ring-timeout", "15"])
}

/// Frequency estimate of a channel by zero crossings.
fn pitch(samples: &[i16]) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / 8000.0)
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// The samples of a channel where it is not silent.
fn voiced(samples: impl Iterator<Item = i16>) -> Vec<i16> {
    let all: Vec<i16> = samples.collect();
    all.chunks(160)
        .filter(|frame| rms(frame) > 500.0)
        .flatten()
        .copied()
        .collect()
}

/// An answered call from 1001 to 1002 (SIPp both sides, `uas_answer.xml`
/// for 1002); each phone's RTP is the test's peer. `extra` goes to the
/// caller's SIPp (e.g. `-d` for `uac_call_held.xml`).
struct AnsweredCall {
    uac: Sipp,
    uas: Sipp,
    to_caller_side: SocketAddr,
    to_callee_side: SocketAddr,
}

fn answered_call(
    switch: &Switch,
    caller_scenario: &str,
    extra: &[&str],
    (caller_rtp, callee_rtp): (&RtpPeer, &RtpPeer),
) -> AnsweredCall {
    let port = peers::register(switch, "1002");
    let dir = switch.scratch("media");
    let (callee_file, caller_file) = (dir.join("callee-relay"), dir.join("caller-relay"));
    let uas = peers::answering(
        switch,
        "callee",
        "uas_answer.xml",
        "1002",
        ("127.0.0.1", port),
        vec![
            ("rtp_port", callee_rtp.port.to_string()),
            ("relay_file", callee_file.display().to_string()),
        ],
        &[],
    );
    let csv = users_csv(&dir, "1001", "demo1001");
    let uac = Run {
        name: "caller",
        scenario: caller_scenario,
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys: vec![
            ("callee", "1002".to_owned()),
            ("rtp_port", caller_rtp.port.to_string()),
            ("relay_file", caller_file.display().to_string()),
        ],
        tcp: false,
    }
    .spawn_from(&dir, "127.0.0.1", extra);
    let (Some(to_caller_side), Some(to_callee_side)) =
        (relay_address(&caller_file), relay_address(&callee_file))
    else {
        panic!(
            "the call was not answered\n{}\n{}",
            uac.trace(),
            switch.log()
        );
    };
    AnsweredCall {
        uac,
        uas,
        to_caller_side,
        to_callee_side,
    }
}

#[test]
fn a_recorded_call_leaves_a_stereo_wav_with_each_side_on_its_channel() {
    if !peers_available("sipp") {
        return;
    }
    let switch = media_switch();
    // The demo data records extension 1001's calls.
    let (callee_rtp, caller_rtp) = (RtpPeer::new(0x1002), RtpPeer::new(0x1001));
    let AnsweredCall {
        mut uac,
        mut uas,
        to_caller_side,
        to_callee_side,
    } = answered_call(&switch, "uac_call.xml", &[], (&caller_rtp, &callee_rtp));
    std::thread::scope(|s| {
        s.spawn(|| talk(&caller_rtp, to_caller_side, 440.0, 1));
        s.spawn(|| talk(&callee_rtp, to_callee_side, 1000.0, 1));
    });
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());

    let recording = poll(Duration::from_secs(15), || {
        let (status, page) = switch.api_get("/api/v1/recordings?number=1002");
        (status == 200)
            .then(|| items(&page).into_iter().next())
            .flatten()
    })
    .unwrap_or_else(|| panic!("no recording listed\n{}", switch.log()));
    assert_eq!(field(&recording, "layout").as_deref(), Some("stereo"));
    assert_eq!(field(&recording, "caller").as_deref(), Some("1001"));
    let file = field(&recording, "file")
        .or_else(|| {
            // The API may not expose the path: find the only file on disk.
            find_wav(&switch.dir.path().join("data").join("recordings"))
        })
        .expect("recording file");
    let path = switch
        .dir
        .path()
        .join("data")
        .join("recordings")
        .join(&file);
    let path = if path.exists() {
        path
    } else {
        switch
            .dir
            .path()
            .join("data")
            .join("recordings")
            .join(find_wav(&switch.dir.path().join("data").join("recordings")).expect("a WAV"))
    };
    let mut reader = hound::WavReader::open(&path).expect("a readable WAV");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 8000, 16)
    );
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let seconds = samples.len() as f64 / 2.0 / 8000.0;
    assert!(
        (2.0..6.0).contains(&seconds),
        "the recording spans the answered call (3 s in the scenario): {seconds} s"
    );
    let left = voiced(samples.iter().step_by(2).copied());
    let right = voiced(samples.iter().skip(1).step_by(2).copied());
    let (left_seconds, right_seconds) = (left.len() as f64 / 8000.0, right.len() as f64 / 8000.0);
    assert!(
        (0.8..1.3).contains(&left_seconds) && (0.8..1.3).contains(&right_seconds),
        "each side talked for one second: left {left_seconds} s, right {right_seconds} s"
    );
    assert!(
        (pitch(&left) - 440.0).abs() < 30.0,
        "left is the caller: {} Hz",
        pitch(&left)
    );
    assert!(
        (pitch(&right) - 1000.0).abs() < 50.0,
        "right is the callee: {} Hz",
        pitch(&right)
    );
    assert!(rms(&left) > 3000.0 && rms(&right) > 3000.0);

    let id = field(&recording, "id").expect("id");
    let (status, _) = switch.api_get(&format!("/api/v1/recordings/{id}"));
    assert_eq!(status, 200);
}

fn find_wav(root: &Path) -> Option<String> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "wav") {
                return path
                    .strip_prefix(root)
                    .ok()
                    .map(|p| p.display().to_string());
            }
        }
    }
    None
}

#[test]
fn the_held_party_hears_music() {
    if !peers_available("sipp") {
        return;
    }
    let switch = media_switch();
    let port = peers::register(&switch, "1002");
    let callee_rtp = RtpPeer::new(0x1002);
    let mut uas = peers::answering(
        &switch,
        "callee",
        "uas_hold.xml",
        "1002",
        ("127.0.0.1", port),
        vec![("rtp_port", callee_rtp.port.to_string())],
        &["-aa"],
    );
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, "1001", "demo1001");
    let mut uac = Run {
        name: "holder",
        scenario: "uac_hold.xml",
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys: vec![
            ("callee", "1002".to_owned()),
            ("rtp_port", sip_support::free_udp_port().to_string()),
        ],
        tcp: false,
    }
    .spawn(&dir);
    // The caller never sends audio: whatever reaches the callee is the switch's.
    let packets = callee_rtp.collect(Duration::from_secs(10));
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert!(
        packets.len() >= 5,
        "music reached the held callee while the caller held (300 ms): {} packets\n{}",
        packets.len(),
        switch.log()
    );
    let ssrc = &packets[0][8..12];
    let mut decoder = Decoder::new(Codec::Pcmu);
    let mut audio = Vec::new();
    for packet in &packets {
        assert_eq!(packet[1] & 0x7f, 0, "PCMU, as negotiated");
        assert_eq!(&packet[8..12], ssrc, "one stream from the switch");
        decoder.decode(&packet[12..], &mut audio);
    }
    assert!(
        rms(&audio) > 200.0,
        "the music is audible: RMS {}",
        rms(&audio)
    );
}

/// Level of `frequency` in `samples` (a single-bin DFT, per sample).
fn level(samples: &[i16], frequency: f64) -> f64 {
    let (mut i, mut q) = (0.0, 0.0);
    for (n, s) in samples.iter().enumerate() {
        let phase = 2.0 * std::f64::consts::PI * frequency * n as f64 / 8000.0;
        i += f64::from(*s) * phase.cos();
        q += f64::from(*s) * phase.sin();
    }
    (i * i + q * q).sqrt() / samples.len().max(1) as f64
}

fn decode_all(packets: &[Vec<u8>]) -> Vec<i16> {
    let mut decoder = Decoder::new(Codec::Pcmu);
    let mut audio = Vec::new();
    for packet in packets {
        if packet.len() > 12 && packet[1] & 0x7f == 0 {
            decoder.decode(&packet[12..], &mut audio);
        }
    }
    audio
}

/// 1001 calls 1002; once answered, `join` (a JSON body for `path`) dials
/// 1003 in; then all three talk at once, each at its own pitch, and the
/// test returns what each heard (1001, 1002, 1003) as levels of the three
/// pitches.
fn three_party_call(path: &str, join: &str) -> [[f64; 3]; 3] {
    const PITCHES: [f64; 3] = [350.0, 800.0, 1400.0];
    let switch = media_switch();
    let port_1002 = peers::register(&switch, "1002");
    let port_1003 = peers::register(&switch, "1003");
    let dir = switch.scratch("media");
    let peers_rtp = [
        RtpPeer::new(0x1001),
        RtpPeer::new(0x1002),
        RtpPeer::new(0x1003),
    ];
    let files = [
        dir.join("relay-1001"),
        dir.join("relay-1002"),
        dir.join("relay-1003"),
    ];
    let mut answering = Vec::new();
    for (index, (user, port)) in [("1002", port_1002), ("1003", port_1003)]
        .into_iter()
        .enumerate()
    {
        answering.push(peers::answering(
            &switch,
            user,
            "uas_answer.xml",
            user,
            ("127.0.0.1", port),
            vec![
                ("rtp_port", peers_rtp[index + 1].port.to_string()),
                ("relay_file", files[index + 1].display().to_string()),
            ],
            &[],
        ));
    }
    let csv = users_csv(&dir, "1001", "demo1001");
    let mut uac = Run {
        name: "caller",
        scenario: "uac_call_held.xml",
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys: vec![
            ("callee", "1002".to_owned()),
            ("rtp_port", peers_rtp[0].port.to_string()),
            ("relay_file", files[0].display().to_string()),
        ],
        tcp: false,
    }
    .spawn_from(&dir, "127.0.0.1", &["-d", "7000"]);
    let (Some(to_1001), Some(to_1002)) = (relay_address(&files[0]), relay_address(&files[1]))
    else {
        panic!(
            "the call was not answered\n{}\n{}",
            uac.trace(),
            switch.log()
        );
    };
    let call = poll(Duration::from_secs(5), || {
        let (_, page) = switch.api_get("/api/v1/calls");
        items(&page)
            .into_iter()
            .find(|c| field(c, "answered_at").is_some_and(|a| a != "null"))
    })
    .unwrap_or_else(|| panic!("no live call listed\n{}", switch.log()));
    let id = field(&call, "id").expect("call id");
    let (status, body) = switch.api_send("POST", &format!("/api/v1/calls/{id}/{path}"), join);
    assert_eq!(status, 204, "{body}");
    let Some(to_1003) = relay_address(&files[2]) else {
        panic!("1003 was not dialled in\n{}", switch.log());
    };
    // Let the 200 OK / ACK of the added leg settle before talking.
    std::thread::sleep(Duration::from_millis(300));
    let targets = [to_1001, to_1002, to_1003];
    let heard: Vec<Vec<i16>> = std::thread::scope(|s| {
        let listeners: Vec<_> = peers_rtp
            .iter()
            .map(|peer| s.spawn(move || decode_all(&peer.collect(Duration::from_secs(3)))))
            .collect();
        for (index, peer) in peers_rtp.iter().enumerate() {
            let target = targets[index];
            s.spawn(move || talk(peer, target, PITCHES[index], 1));
        }
        listeners
            .into_iter()
            .map(|l| l.join().expect("listener"))
            .collect()
    });
    uac.assert_success(|| switch.log());
    for mut sipp in answering {
        sipp.assert_success(|| switch.log());
    }
    let mut levels = [[0.0; 3]; 3];
    for (listener, audio) in heard.iter().enumerate() {
        for (talker, pitch) in PITCHES.iter().enumerate() {
            levels[listener][talker] = level(audio, *pitch);
        }
    }
    levels
}

#[test]
fn in_a_three_party_conference_each_hears_the_two_others() {
    if !peers_available("sipp") {
        return;
    }
    let levels = three_party_call("parties", r#"{"extension":"1003"}"#);
    for listener in 0..3 {
        for talker in 0..3 {
            let level = levels[listener][talker];
            if listener == talker {
                assert!(level < 150.0, "{listener} does not hear itself: {levels:?}");
            } else {
                assert!(level > 400.0, "{listener} hears {talker}: {levels:?}");
            }
        }
    }
}

#[test]
fn a_listening_supervisor_hears_both_and_is_heard_by_nobody() {
    if !peers_available("sipp") {
        return;
    }
    let levels = three_party_call("monitor", r#"{"extension":"1003","mode":"listen"}"#);
    let (caller, agent, supervisor) = (0, 1, 2);
    assert!(
        levels[supervisor][caller] > 400.0 && levels[supervisor][agent] > 400.0,
        "{levels:?}"
    );
    assert!(
        levels[caller][agent] > 400.0 && levels[agent][caller] > 400.0,
        "{levels:?}"
    );
    assert!(
        levels[caller][supervisor] < 150.0 && levels[agent][supervisor] < 150.0,
        "{levels:?}"
    );
}

#[test]
fn a_whispering_supervisor_is_heard_by_the_agent_only() {
    if !peers_available("sipp") {
        return;
    }
    let levels = three_party_call("monitor", r#"{"extension":"1003","mode":"whisper"}"#);
    let (caller, agent, supervisor) = (0, 1, 2);
    assert!(
        levels[agent][supervisor] > 400.0,
        "the agent hears the supervisor: {levels:?}"
    );
    assert!(
        levels[caller][supervisor] < 150.0,
        "the caller does not: {levels:?}"
    );
    assert!(
        levels[supervisor][caller] > 400.0 && levels[supervisor][agent] > 400.0,
        "{levels:?}"
    );
}

#[test]
fn live_call_commands_are_refused_with_the_reason_in_illegal_states() {
    if !peers_available("sipp") {
        return;
    }
    let switch = media_switch();
    let (caller_rtp, callee_rtp) = (RtpPeer::new(0x1001), RtpPeer::new(0x1002));
    let AnsweredCall {
        mut uac, mut uas, ..
    } = answered_call(
        &switch,
        "uac_call_held.xml",
        &["-d", "8000"],
        (&caller_rtp, &callee_rtp),
    );
    let call = poll(Duration::from_secs(5), || {
        let (_, page) = switch.api_get("/api/v1/calls");
        items(&page)
            .into_iter()
            .find(|c| field(c, "answered_at").is_some_and(|a| a != "null"))
    })
    .unwrap_or_else(|| panic!("no live call listed\n{}", switch.log()));
    let id = field(&call, "id").expect("id");
    assert_eq!(
        field(&call, "recording").as_deref(),
        Some("true"),
        "1001 is recorded: {call}"
    );
    let send = |path: &str, body: &str| {
        switch.api_send("POST", &format!("/api/v1/calls/{id}/{path}"), body)
    };
    let refused = |path: &str, body: &str, reason: &str| {
        let (status, answer) = send(path, body);
        assert_eq!(status, 409, "{path} {body}: {answer}");
        assert!(answer.contains(reason), "{path}: {answer}");
    };

    refused("resume", "", "not held");
    assert_eq!(send("hold", r#"{"party":"caller"}"#).0, 204);
    let (_, page) = switch.api_get("/api/v1/calls");
    assert_eq!(field(&items(&page)[0], "held").as_deref(), Some("true"));
    refused("hold", r#"{"party":"callee"}"#, "already held");
    refused("parties", r#"{"extension":"1003"}"#, "held");
    assert_eq!(send("resume", "").0, 204);

    refused("recording", r#"{"action":"resume"}"#, "not paused");
    assert_eq!(send("recording", r#"{"action":"pause"}"#).0, 204);
    refused("recording", r#"{"action":"pause"}"#, "already paused");
    assert_eq!(send("recording", r#"{"action":"resume"}"#).0, 204);
    assert_eq!(send("recording", r#"{"action":"stop"}"#).0, 204);
    refused("recording", r#"{"action":"stop"}"#, "not recorded");
    refused("recording", r#"{"action":"pause"}"#, "not recorded");
    assert_eq!(send("recording", r#"{"action":"start"}"#).0, 204);
    refused("recording", r#"{"action":"start"}"#, "already recorded");
    refused("parties", r#"{"extension":"1004"}"#, "not registered");

    // A prompt played to the callee: uploaded, converted, then played.
    let mut wav = std::io::Cursor::new(Vec::new());
    {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::new(&mut wav, spec).expect("wav");
        for n in 0..16_000 {
            let t = f64::from(n) / 16_000.0;
            writer
                .write_sample((6000.0 * (2.0 * std::f64::consts::PI * 600.0 * t).sin()) as i16)
                .expect("sample");
        }
        writer.finalize().expect("wav");
    }
    let (status, prompt) = switch.api_upload("/api/v1/prompts?name=welcome", wav.get_ref());
    assert_eq!(status, 201, "{prompt}");
    let prompt_id = field(&prompt, "id").expect("prompt id");
    let (status, answer) = send(
        "play",
        &format!(r#"{{"party":"callee","prompt_ids":[{prompt_id}]}}"#),
    );
    assert_eq!(status, 204, "{answer}");
    let (status, answer) = send("play", r#"{"party":"callee","prompt_ids":[424242]}"#);
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("prompt_ids"), "{answer}");
    let prompt_audio = decode_all(&callee_rtp.collect(Duration::from_secs(3)));
    assert!(
        level(&prompt_audio, 600.0) > 1000.0,
        "the callee heard the 600 Hz prompt: {}",
        level(&prompt_audio, 600.0)
    );

    let (status, answer) = send("hold", r#"{"party":"nobody"}"#);
    assert!(
        (400..500).contains(&status) && answer.contains("party"),
        "{status} {answer}"
    );
    let (status, answer) = send("parties", r#"{"extension":"10x"}"#);
    assert!(status == 422 || status == 400, "{status} {answer}");
    assert!(answer.contains("extension"), "{answer}");
    let (status, _) = switch.api_send("POST", "/api/v1/calls/99999/resume", "");
    assert_eq!(status, 404);

    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    // The stopped recording and the one started after it are both stored.
    let stored = poll(Duration::from_secs(15), || {
        let (_, page) = switch.api_get("/api/v1/recordings?number=1002");
        let found = items(&page);
        (found.len() == 2).then_some(found)
    });
    assert!(stored.is_some(), "two recordings\n{}", switch.log());
}

#[test]
fn rfc4733_keys_pressed_by_the_caller_are_reported_once_each() {
    if !peers_available("sipp") {
        return;
    }
    let switch = media_switch();
    let (caller_rtp, callee_rtp) = (RtpPeer::new(0x1001), RtpPeer::new(0x1002));
    let AnsweredCall {
        mut uac,
        mut uas,
        to_caller_side,
        ..
    } = answered_call(
        &switch,
        "uac_call_dtmf.xml",
        &[],
        (&caller_rtp, &callee_rtp),
    );
    press(&caller_rtp, to_caller_side, "12#");
    let digits = poll(Duration::from_secs(3), || {
        let (_, page) = switch.api_get("/api/v1/calls");
        let call = items(&page).into_iter().next()?;
        let digits = field(&call, "caller_digits")?;
        (digits.len() >= 3).then_some(digits)
    });
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert_eq!(digits.as_deref(), Some("12#"), "{}", switch.log());
}

#[test]
fn sip_info_keys_are_reported() {
    if !peers_available("sipp") {
        return;
    }
    let switch = media_switch();
    let (caller_rtp, callee_rtp) = (RtpPeer::new(0x1001), RtpPeer::new(0x1002));
    let AnsweredCall {
        mut uac, mut uas, ..
    } = answered_call(
        &switch,
        "uac_call_info.xml",
        &[],
        (&caller_rtp, &callee_rtp),
    );
    let digits = poll(Duration::from_secs(3), || {
        let (_, page) = switch.api_get("/api/v1/calls");
        let digits = field(&items(&page).into_iter().next()?, "caller_digits")?;
        (digits.len() >= 2).then_some(digits)
    });
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert_eq!(digits.as_deref(), Some("79"), "{}", switch.log());
}

#[test]
fn in_band_keys_from_a_phone_without_telephone_event_are_detected() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start_with(&["--inband-dtmf", "true", "--ring-timeout", "15"]);
    let (caller_rtp, callee_rtp) = (RtpPeer::new(0x1001), RtpPeer::new(0x1002));
    // uac_call.xml offers PCMU and PCMA only: no telephone-event.
    let AnsweredCall {
        mut uac,
        mut uas,
        to_caller_side,
        ..
    } = answered_call(&switch, "uac_call.xml", &[], (&caller_rtp, &callee_rtp));
    let mut encoder = Encoder::new(Codec::Pcmu);
    let mut sequence = 0u16;
    for key in ['4', '8'] {
        let mut tone = sb_media::tone::ToneGenerator::dtmf(key, 120, 6000).expect("a key");
        let mut frame = [0i16; 160];
        // 120 ms of tone, then 100 ms of silence.
        for n in 0..11 {
            if n >= 6 || !tone.next_frame(&mut frame) {
                frame = [0; 160];
            }
            let mut packet = vec![0x80, 0x00];
            packet.extend_from_slice(&sequence.to_be_bytes());
            packet.extend_from_slice(&(u32::from(sequence) * 160).to_be_bytes());
            packet.extend_from_slice(&caller_rtp.ssrc().to_be_bytes());
            encoder.encode(&frame, &mut packet);
            caller_rtp.send_raw(to_caller_side, &packet);
            sequence += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let digits = poll(Duration::from_secs(3), || {
        let (_, page) = switch.api_get("/api/v1/calls");
        let digits = field(&items(&page).into_iter().next()?, "caller_digits")?;
        (digits.len() >= 2).then_some(digits)
    });
    uac.assert_success(|| switch.log());
    uas.assert_success(|| switch.log());
    assert_eq!(digits.as_deref(), Some("48"), "{}", switch.log());
}
