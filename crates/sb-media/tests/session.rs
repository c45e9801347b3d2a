//! The per-call media graph, driven packet by packet and tick by tick on a
//! virtual clock: what each phone receives, what is recorded, what is heard.

use std::net::SocketAddr;
use std::sync::Arc;

use sb_media::codec::{Codec, Decoder, Encoder};
use sb_media::dtmf::EventSender;
use sb_media::frame::FRAME_SAMPLES;
use sb_media::mixer::Membership;
use sb_media::moh::MusicClass;
use sb_media::prompt::Prompt;
use sb_media::recorder::Layout;
use sb_media::rtp::{RtpHeader, RtpPacket};
use sb_media::session::{Hearing, LegMedia, MediaEvent, MediaSession, Outbound};

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], port))
}

/// What the session sent: (leg, destination, packet bytes).
#[derive(Default)]
struct Wire(Vec<(usize, SocketAddr, Vec<u8>)>);

impl Wire {
    fn sink(&mut self) -> impl FnMut(Outbound<'_>) + '_ {
        |out| self.0.push((out.leg, out.to, out.bytes.to_vec()))
    }
    fn to_leg(&self, leg: usize) -> Vec<&Vec<u8>> {
        self.0
            .iter()
            .filter(|(l, _, _)| *l == leg)
            .map(|(_, _, p)| p)
            .collect()
    }
}

fn tone(frequency: f64, frame: u32, amplitude: f64) -> Vec<i16> {
    (0..FRAME_SAMPLES as u32)
        .map(|i| {
            let t = f64::from(frame * FRAME_SAMPLES as u32 + i) / 8000.0;
            (amplitude * (2.0 * std::f64::consts::PI * frequency * t).sin()) as i16
        })
        .collect()
}

fn packet(codec: Codec, ssrc: u32, seq: u16, samples: &[i16]) -> Vec<u8> {
    let mut out = Vec::new();
    RtpHeader {
        marker: false,
        payload_type: codec.static_payload_type(),
        sequence: seq,
        timestamp: u32::from(seq) * 160,
        ssrc,
    }
    .write(&mut out);
    Encoder::new(codec).encode(samples, &mut out);
    out
}

fn two_legs(caller: Codec, callee: Codec) -> MediaSession {
    let mut session = MediaSession::new(7);
    session.add_leg(LegMedia::new(Some(addr(4000)), caller));
    session.add_leg(LegMedia::new(Some(addr(5000)), callee));
    session.bridge(0, 1);
    session
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

#[test]
fn same_codec_packets_are_relayed_byte_for_byte_without_ticks() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    assert!(!session.needs_tick(), "a plain relay needs no timer");
    let mut wire = Wire::default();
    let sent = packet(Codec::Pcmu, 11, 1, &tone(440.0, 0, 8000.0));
    session.on_packet(0, 0, false, addr(4000), &sent, &mut wire.sink());
    assert_eq!(wire.0, vec![(1, addr(5000), sent)]);
    assert_eq!(session.stats().relayed, 1);
}

#[test]
fn different_codecs_are_transcoded_keeping_the_header() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcma);
    let mut wire = Wire::default();
    let samples = tone(440.0, 0, 8000.0);
    let sent = packet(Codec::Pcmu, 11, 9, &samples);
    session.on_packet(0, 0, false, addr(4000), &sent, &mut wire.sink());
    let received = wire.to_leg(1);
    assert_eq!(received.len(), 1);
    let rtp = RtpPacket::parse(received[0]).expect("valid RTP");
    assert_eq!((rtp.payload_type, rtp.sequence, rtp.ssrc), (8, 9, 11));
    let mut decoded = Vec::new();
    Decoder::new(Codec::Pcma).decode(rtp.payload, &mut decoded);
    let error: Vec<i16> = decoded.iter().zip(&samples).map(|(a, b)| a - b).collect();
    assert!(
        rms(&error) < rms(&samples) / 20.0,
        "the same sound, in A-law"
    );
}

#[test]
fn strangers_other_ssrcs_and_garbage_are_dropped_and_counted() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    let mut wire = Wire::default();
    let samples = tone(440.0, 0, 8000.0);
    session.on_packet(
        0,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 1, 1, &samples),
        &mut wire.sink(),
    );
    session.on_packet(
        0,
        0,
        false,
        addr(4999),
        &packet(Codec::Pcmu, 1, 2, &samples),
        &mut wire.sink(),
    );
    session.on_packet(
        0,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 2, 3, &samples),
        &mut wire.sink(),
    );
    for garbage in [&[][..], &[0x80][..], &[0x00; 40][..], &[0xff; 13][..]] {
        session.on_packet(0, 0, false, addr(4000), garbage, &mut wire.sink());
    }
    let stats = session.stats();
    assert_eq!(wire.0.len(), 1);
    assert_eq!((stats.dropped_source, stats.dropped_ssrc), (1, 1));
    assert!(stats.malformed >= 3, "{stats:?}");
}

#[test]
fn rfc4733_digits_are_reported_once_and_relayed() {
    let mut session = MediaSession::new(3);
    let media = LegMedia {
        telephone_event: Some(101),
        ..LegMedia::new(Some(addr(4000)), Codec::Pcmu)
    };
    session.add_leg(media);
    session.add_leg(LegMedia {
        telephone_event: Some(96),
        ..LegMedia::new(Some(addr(5000)), Codec::Pcmu)
    });
    session.bridge(0, 1);
    let mut wire = Wire::default();
    let sender = EventSender::new('5', 100, 20, 8000).expect("a digit");
    for (seq, payload) in sender.enumerate() {
        let mut bytes = Vec::new();
        RtpHeader {
            marker: payload.marker,
            payload_type: 101,
            sequence: seq as u16,
            timestamp: 8000,
            ssrc: 5,
        }
        .write(&mut bytes);
        bytes.extend_from_slice(&payload.bytes);
        session.on_packet(
            seq as u64 * 20,
            0,
            false,
            addr(4000),
            &bytes,
            &mut wire.sink(),
        );
    }
    let digits: Vec<MediaEvent> = std::iter::from_fn(|| session.poll_event()).collect();
    assert_eq!(digits.len(), 1, "{digits:?}");
    let MediaEvent::Dtmf { leg, digit, .. } = &digits[0] else {
        panic!("{digits:?}")
    };
    assert_eq!((*leg, digit.key), (0, '5'));
    assert!((80..=140).contains(&digit.duration_ms), "{digit:?}");
    assert!(
        wire.to_leg(1)
            .iter()
            .all(|p| RtpPacket::parse(p).map(|r| r.payload_type).ok() == Some(96)),
        "relayed with the callee's event payload type"
    );
}

#[test]
fn a_recording_holds_each_side_on_its_own_channel() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcma);
    session.start_recording(Layout::Stereo, 0, 1);
    assert!(session.needs_tick());
    let mut wire = Wire::default();
    let mut recorded = Vec::new();
    for frame in 0..50u16 {
        let now = u64::from(frame) * 20;
        let a = packet(
            Codec::Pcmu,
            1,
            frame,
            &tone(440.0, u32::from(frame), 8000.0),
        );
        let b = packet(
            Codec::Pcma,
            2,
            frame,
            &tone(1000.0, u32::from(frame), 8000.0),
        );
        session.on_packet(now, 0, false, addr(4000), &a, &mut wire.sink());
        session.on_packet(now, 1, false, addr(5000), &b, &mut wire.sink());
        session.tick(now + 10, &mut wire.sink());
        if let Some(bytes) = session.take_recorded(1) {
            recorded.extend(bytes);
        }
    }
    recorded.extend(session.stop_recording().unwrap_or_default());
    assert_eq!(recorded.len(), 50 * FRAME_SAMPLES * 4, "50 stereo frames");
    let samples: Vec<i16> = recorded
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    // After the jitter buffer's start-up delay both channels carry their side.
    let (left, right) = (&left[FRAME_SAMPLES * 5..], &right[FRAME_SAMPLES * 5..]);
    assert!(rms(left) > 4000.0 && rms(right) > 4000.0);
    let crossings = |s: &[i16]| s.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    let seconds = left.len() as f64 / 8000.0;
    assert!(((crossings(left) as f64 / 2.0 / seconds) - 440.0).abs() < 30.0);
    assert!(((crossings(right) as f64 / 2.0 / seconds) - 1000.0).abs() < 40.0);
}

#[test]
fn on_hold_a_leg_hears_music_and_not_the_other_phone() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    session.hear(0, Hearing::Nothing);
    session.hear(1, Hearing::Music(Arc::new(MusicClass::builtin())));
    let mut wire = Wire::default();
    session.on_packet(
        0,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 1, 1, &tone(440.0, 0, 8000.0)),
        &mut wire.sink(),
    );
    assert!(wire.0.is_empty(), "the held phone's audio is not relayed");
    for frame in 0..50 {
        session.tick(frame * 20, &mut wire.sink());
    }
    let music = wire.to_leg(1);
    assert_eq!(music.len(), 50, "one packet per tick");
    let mut decoded = Vec::new();
    let mut decoder = Decoder::new(Codec::Pcmu);
    for p in &music {
        decoder.decode(RtpPacket::parse(p).expect("RTP").payload, &mut decoded);
    }
    assert!(rms(&decoded) > 200.0);
    assert!(wire.to_leg(0).is_empty());
    session.bridge(0, 1);
    assert!(!session.needs_tick(), "resumed: a plain relay again");
}

#[test]
fn in_a_conference_each_party_hears_the_others() {
    let mut session = MediaSession::new(1);
    let frequencies = [300.0, 700.0, 1500.0];
    for port in [4000, 5000, 6000] {
        session.add_leg(LegMedia::new(Some(addr(port)), Codec::Pcmu));
    }
    for leg in 0..3 {
        session.join_mixer(leg, Membership::Full);
    }
    let mut wire = Wire::default();
    for frame in 0..40u16 {
        let now = u64::from(frame) * 20;
        for (leg, frequency) in frequencies.iter().enumerate() {
            let p = packet(
                Codec::Pcmu,
                leg as u32 + 1,
                frame,
                &tone(*frequency, u32::from(frame), 5000.0),
            );
            session.on_packet(
                now,
                leg,
                false,
                addr(4000 + 1000 * leg as u16),
                &p,
                &mut wire.sink(),
            );
        }
        session.tick(now + 10, &mut wire.sink());
    }
    for leg in 0..3 {
        let mut heard = Vec::new();
        let mut decoder = Decoder::new(Codec::Pcmu);
        for p in wire.to_leg(leg).iter().skip(10) {
            decoder.decode(RtpPacket::parse(p).expect("RTP").payload, &mut heard);
        }
        // Correlate with each party's tone: the others present, itself absent.
        for (other, frequency) in frequencies.iter().enumerate() {
            let (mut i, mut q) = (0.0, 0.0);
            for (n, s) in heard.iter().enumerate() {
                let phase = 2.0 * std::f64::consts::PI * frequency * n as f64 / 8000.0;
                i += f64::from(*s) * phase.cos();
                q += f64::from(*s) * phase.sin();
            }
            let level = (i * i + q * q).sqrt() / heard.len() as f64;
            if other == leg {
                assert!(level < 100.0, "leg {leg} does not hear itself: {level}");
            } else {
                assert!(level > 1000.0, "leg {leg} hears leg {other}: {level}");
            }
        }
    }
}

#[test]
fn a_prompt_plays_over_the_call_and_a_digit_cuts_it_when_asked() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    let prompt = Prompt::from_samples(vec![4000; 8000]);
    session.play(1, vec![prompt.clone()], true);
    let mut wire = Wire::default();
    session.on_packet(
        0,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 1, 1, &tone(440.0, 0, 8000.0)),
        &mut wire.sink(),
    );
    assert!(wire.0.is_empty(), "the prompt covers the other phone");
    for frame in 0..10 {
        session.tick(frame * 20, &mut wire.sink());
    }
    assert_eq!(wire.to_leg(1).len(), 10);
    // The callee presses a key in-band: no telephone-event, so nothing cuts.
    session.stop_playing(1);
    let events: Vec<MediaEvent> = std::iter::from_fn(|| session.poll_event()).collect();
    assert_eq!(
        events,
        vec![MediaEvent::PlaybackFinished {
            leg: 1,
            interrupted: true
        }]
    );
    wire.0.clear();
    session.on_packet(
        200,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 1, 2, &tone(440.0, 1, 8000.0)),
        &mut wire.sink(),
    );
    assert_eq!(
        wire.to_leg(1).len(),
        1,
        "after the prompt the call is heard again"
    );
}

#[test]
fn codecs_the_engine_does_not_speak_are_passed_through() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    let mut wire = Wire::default();
    // G.729 (payload type 18): 20 bytes of whatever.
    let mut g729 = Vec::new();
    RtpHeader {
        marker: false,
        payload_type: 18,
        sequence: 1,
        timestamp: 160,
        ssrc: 4,
    }
    .write(&mut g729);
    g729.extend_from_slice(&[0x5a; 20]);
    session.on_packet(0, 0, false, addr(4000), &g729, &mut wire.sink());
    assert_eq!(wire.0, vec![(1, addr(5000), g729)]);
}

#[test]
fn garbage_does_not_latch_a_leg_and_a_new_answer_accepts_a_new_ssrc() {
    let mut session = two_legs(Codec::Pcmu, Codec::Pcmu);
    let mut wire = Wire::default();
    let samples = tone(440.0, 0, 8000.0);
    session.on_packet(0, 0, false, addr(6666), b"not rtp at all", &mut wire.sink());
    session.on_packet(
        0,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 1, 1, &samples),
        &mut wire.sink(),
    );
    assert_eq!(
        wire.0.len(),
        1,
        "the phone latched, not the garbage's sender"
    );
    // Early media, then the answer from the same address with a new SSRC.
    session.update_leg(0, LegMedia::new(Some(addr(4000)), Codec::Pcmu));
    session.on_packet(
        20,
        0,
        false,
        addr(4000),
        &packet(Codec::Pcmu, 2, 2, &samples),
        &mut wire.sink(),
    );
    assert_eq!(wire.0.len(), 2);
    assert_eq!(session.stats().dropped_ssrc, 0);
}
