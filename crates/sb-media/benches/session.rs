//! Media session costs per call, single-threaded, no sockets: what one
//! packet or one 20 ms tick costs in the relay, transcoding, recording and
//! conference paths. `cargo bench -p sb-media --bench session` prints a
//! table; docs/PERFORMANCE.md has the figures and the machine.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Instant;

use sb_media::codec::{Codec, Encoder};
use sb_media::mixer::Membership;
use sb_media::recorder::Layout;
use sb_media::rtp::RtpHeader;
use sb_media::session::{LegMedia, MediaSession, Outbound};

const FRAMES: u32 = 200_000;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], port))
}

/// 50 distinct 20 ms packets of a tone, encoded once.
fn packets(codec: Codec, ssrc: u32) -> Vec<Vec<u8>> {
    let mut encoder = Encoder::new(codec);
    (0..50u16)
        .map(|seq| {
            let samples: Vec<i16> = (0..160)
                .map(|i| {
                    let t = f64::from(u32::from(seq) * 160 + i) / 8000.0;
                    (6000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16
                })
                .collect();
            let mut packet = Vec::new();
            RtpHeader {
                marker: false,
                payload_type: codec.static_payload_type(),
                sequence: seq,
                timestamp: u32::from(seq) * 160,
                ssrc,
            }
            .write(&mut packet);
            encoder.encode(&samples, &mut packet);
            packet
        })
        .collect()
}

/// Rewrites the sequence number and timestamp so every packet is new.
fn stamp(packet: &mut [u8], frame: u32) {
    packet[2..4].copy_from_slice(&(frame as u16).to_be_bytes());
    packet[4..8].copy_from_slice(&(frame.wrapping_mul(160)).to_be_bytes());
}

fn session(legs: &[Codec]) -> MediaSession {
    let mut session = MediaSession::new(1);
    for (index, codec) in legs.iter().enumerate() {
        session.add_leg(LegMedia::new(Some(addr(4000 + index as u16 * 2)), *codec));
    }
    session
}

/// Runs FRAMES packet times of a call: each leg sends one packet per frame;
/// `tick` says whether the session is ticked. Returns ns per frame (20 ms
/// of the whole call, all legs).
fn run(mut session: MediaSession, codecs: &[Codec], tick: bool) -> f64 {
    let mut streams: Vec<Vec<Vec<u8>>> = codecs
        .iter()
        .enumerate()
        .map(|(i, c)| packets(*c, i as u32 + 1))
        .collect();
    let mut sent = 0u64;
    let mut sink = |out: Outbound<'_>| {
        sent += out.bytes.len() as u64;
    };
    let started = Instant::now();
    for frame in 0..FRAMES {
        let now = u64::from(frame) * 20;
        for (leg, stream) in streams.iter_mut().enumerate() {
            let packet = &mut stream[(frame % 50) as usize];
            stamp(packet, frame);
            session.on_packet(
                now,
                leg,
                false,
                addr(4000 + leg as u16 * 2),
                packet,
                &mut sink,
            );
        }
        if tick {
            session.tick(now + 10, &mut sink);
            black_box(session.take_recorded(16 * 1024));
        }
    }
    let elapsed = started.elapsed();
    black_box(sent);
    elapsed.as_nanos() as f64 / f64::from(FRAMES)
}

fn main() {
    let pcmu2 = [Codec::Pcmu, Codec::Pcmu];
    let mut relay = session(&pcmu2);
    relay.bridge(0, 1);
    let relay_ns = run(relay, &pcmu2, false);

    let mixed = [Codec::Pcmu, Codec::Pcma];
    let mut transcode = session(&mixed);
    transcode.bridge(0, 1);
    let transcode_ns = run(transcode, &mixed, false);

    let mut recorded = session(&pcmu2);
    recorded.bridge(0, 1);
    recorded.start_recording(Layout::Stereo, 0, 1);
    let record_ns = run(recorded, &pcmu2, true);

    let three = [Codec::Pcmu, Codec::Pcmu, Codec::Pcma];
    let mut conference = session(&three);
    for leg in 0..3 {
        conference.join_mixer(leg, Membership::Full);
    }
    let conference_ns = run(conference, &three, true);

    println!("| path (one call, both directions, per 20 ms) | ns | share of one core per call |");
    println!("|---|---|---|");
    for (name, ns) in [
        ("relay, same codec (2 packets)", relay_ns),
        (
            "relay with PCMU<->PCMA transcoding (2 packets)",
            transcode_ns,
        ),
        ("relay + stereo recording (2 packets, 1 tick)", record_ns),
        (
            "3-party conference, one leg PCMA (3 packets, 1 tick)",
            conference_ns,
        ),
    ] {
        println!("| {name} | {ns:.0} | {:.4}% |", ns / 20_000_000.0 * 100.0);
    }
}
