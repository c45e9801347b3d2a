//! The jitter buffer driven packet by packet and tick by tick: order,
//! duplicates, late and lost packets, wrap-around, restarts, and the
//! concealment of what is missing.

use sb_media::frame::{FRAME_SAMPLES, Frame, SILENCE};
use sb_media::jitter::{Concealer, JitterBuffer, JitterStats, Playout};

/// A payload naming its packet, so playout order can be read back.
fn payload(sequence: u16) -> [u8; 2] {
    sequence.to_be_bytes()
}

fn push(buffer: &mut JitterBuffer, sequence: u16) {
    // Timestamps follow the sequence numbers, 160 apart, wrapping with them.
    let timestamp = 1_000_000u32.wrapping_add(u32::from(sequence.wrapping_sub(60_000)) * 160);
    buffer.push(sequence, timestamp, &payload(sequence));
}

/// What one tick plays: `Some(Some(seq))` a frame, `Some(None)` missing,
/// `None` waiting.
fn tick(buffer: &mut JitterBuffer) -> Option<Option<u16>> {
    match buffer.pop() {
        Playout::Frame(bytes) => {
            let bytes: [u8; 2] = bytes.try_into().expect("two-byte payload");
            Some(Some(u16::from_be_bytes(bytes)))
        }
        Playout::Missing => Some(None),
        Playout::Waiting => None,
    }
}

fn ticks(buffer: &mut JitterBuffer, count: usize) -> Vec<Option<Option<u16>>> {
    (0..count).map(|_| tick(buffer)).collect()
}

fn frames(sequences: &[u16]) -> Vec<Option<Option<u16>>> {
    sequences
        .iter()
        .map(|&sequence| Some(Some(sequence)))
        .collect()
}

fn stats(received: u64, late: u64, duplicate: u64, lost: u64) -> JitterStats {
    JitterStats {
        received,
        late,
        duplicate,
        lost,
    }
}

#[test]
fn playout_waits_for_the_depth_then_plays_in_order() {
    let mut buffer = JitterBuffer::new(3, 160);
    assert_eq!(tick(&mut buffer), None, "nothing yet");
    push(&mut buffer, 10);
    assert_eq!(tick(&mut buffer), None);
    push(&mut buffer, 11);
    assert_eq!(tick(&mut buffer), None);
    push(&mut buffer, 12);
    // Steady state: one packet in, one frame out per tick.
    let mut played = Vec::new();
    for sequence in 13..20 {
        played.push(tick(&mut buffer));
        push(&mut buffer, sequence);
    }
    assert_eq!(played, frames(&[10, 11, 12, 13, 14, 15, 16]));
    assert_eq!(buffer.len(), 3, "the depth is kept");
    assert_eq!(
        ticks(&mut buffer, 4),
        [Some(Some(17)), Some(Some(18)), Some(Some(19)), None]
    );
    assert_eq!(buffer.stats(), stats(10, 0, 0, 0));
}

#[test]
fn reordered_packets_are_played_in_order() {
    let mut buffer = JitterBuffer::new(3, 160);
    for sequence in [102, 100, 101, 104, 103, 106, 105] {
        push(&mut buffer, sequence);
    }
    assert_eq!(
        ticks(&mut buffer, 8)[..7],
        frames(&[100, 101, 102, 103, 104, 105, 106])
    );
    assert_eq!(buffer.stats(), stats(7, 0, 0, 0));
}

#[test]
fn duplicates_are_played_once() {
    let mut buffer = JitterBuffer::new(2, 160);
    for sequence in [1, 2, 2, 3, 1, 3] {
        push(&mut buffer, sequence);
    }
    assert_eq!(
        ticks(&mut buffer, 4),
        [Some(Some(1)), Some(Some(2)), Some(Some(3)), None]
    );
    assert_eq!(buffer.stats(), stats(6, 0, 3, 0));
}

#[test]
fn packets_after_their_turn_are_dropped_as_late() {
    let mut buffer = JitterBuffer::new(2, 160);
    for sequence in [1, 2, 4, 5] {
        push(&mut buffer, sequence);
    }
    assert_eq!(
        ticks(&mut buffer, 3),
        [Some(Some(1)), Some(Some(2)), Some(None)]
    );
    push(&mut buffer, 3); // its turn has passed
    push(&mut buffer, 1); // played already
    assert_eq!(ticks(&mut buffer, 3), [Some(Some(4)), Some(Some(5)), None]);
    assert_eq!(buffer.stats(), stats(6, 2, 0, 1));
}

#[test]
fn a_lost_packet_is_missing_then_playout_resumes() {
    let mut buffer = JitterBuffer::new(3, 160);
    for sequence in (1..=10).filter(|&sequence| sequence != 5 && sequence != 6) {
        push(&mut buffer, sequence);
    }
    let played = ticks(&mut buffer, 11);
    let mut expected = frames(&[1, 2, 3, 4]);
    expected.extend([Some(None), Some(None)]);
    expected.extend(frames(&[7, 8, 9, 10]));
    expected.push(None);
    assert_eq!(played, expected);
    assert_eq!(buffer.stats(), stats(8, 0, 0, 2));
}

#[test]
fn sequence_numbers_wrap() {
    let mut buffer = JitterBuffer::new(3, 160);
    for sequence in [65_533, 65_535, 65_534, 0, 2, 1, 3] {
        push(&mut buffer, sequence);
    }
    assert_eq!(
        ticks(&mut buffer, 7)[..7],
        frames(&[65_533, 65_534, 65_535, 0, 1, 2, 3])
    );
    push(&mut buffer, 65_535);
    assert_eq!(
        buffer.stats(),
        stats(8, 1, 0, 0),
        "before the wrap is behind"
    );
}

#[test]
fn a_jump_far_ahead_starts_afresh() {
    let mut buffer = JitterBuffer::new(2, 160);
    for sequence in 1..=5 {
        push(&mut buffer, sequence);
    }
    assert_eq!(ticks(&mut buffer, 2), frames(&[1, 2]));
    push(&mut buffer, 102); // 99 ahead of the playout point: kept
    push(&mut buffer, 5000);
    assert_eq!(buffer.len(), 1, "what was held is dropped");
    assert_eq!(tick(&mut buffer), None, "and the depth is awaited again");
    push(&mut buffer, 5001);
    assert_eq!(
        ticks(&mut buffer, 3),
        [Some(Some(5000)), Some(Some(5001)), None]
    );
    assert_eq!(buffer.stats().received, 8);
}

#[test]
fn a_timestamp_far_off_starts_afresh_but_a_very_late_packet_does_not() {
    let mut buffer = JitterBuffer::new(2, 160);
    buffer.push(1, 0, &payload(1));
    buffer.push(2, 160, &payload(2));
    assert_eq!(tick(&mut buffer), Some(Some(1)));
    // Next sequence number, but 10 s later on the RTP clock: a new source.
    buffer.push(3, 80_000, &payload(3));
    assert_eq!(buffer.len(), 1);
    buffer.push(4, 80_160, &payload(4));
    assert_eq!(ticks(&mut buffer, 2), frames(&[3, 4]));

    // 150 frames behind, timestamp consistent: a straggler, not a restart.
    let mut buffer = JitterBuffer::new(1, 160);
    buffer.push(1000, 160_000, &payload(1000));
    assert_eq!(tick(&mut buffer), Some(Some(1000)));
    buffer.push(850, 136_000, &payload(850));
    buffer.push(1001, 160_160, &payload(1001));
    assert_eq!(tick(&mut buffer), Some(Some(1001)));
    assert_eq!(buffer.stats().late, 1);
}

#[test]
fn after_running_dry_playout_restarts_at_the_depth_without_the_stall() {
    let mut buffer = JitterBuffer::new(2, 160);
    push(&mut buffer, 1);
    push(&mut buffer, 2);
    assert_eq!(ticks(&mut buffer, 3), [Some(Some(1)), Some(Some(2)), None]);
    // A stall: the next six packets arrive at once.
    for sequence in 3..=8 {
        push(&mut buffer, sequence);
    }
    assert_eq!(ticks(&mut buffer, 3), [Some(Some(7)), Some(Some(8)), None]);
    assert_eq!(buffer.stats(), stats(8, 4, 0, 0));
}

#[test]
fn reset_forgets_the_stream_but_keeps_the_counts() {
    let mut buffer = JitterBuffer::new(1, 160);
    push(&mut buffer, 7);
    push(&mut buffer, 7);
    buffer.reset();
    assert!(buffer.is_empty());
    assert_eq!(tick(&mut buffer), None);
    push(&mut buffer, 3);
    assert_eq!(tick(&mut buffer), Some(Some(3)));
    assert_eq!(buffer.stats(), stats(3, 0, 1, 0));
}

#[test]
fn concealment_repeats_the_last_frame_quieter_then_falls_silent() {
    let mut concealer = Concealer::new();
    assert_eq!(concealer.conceal(), SILENCE, "nothing to repeat yet");

    let good: Frame = std::array::from_fn(|index| if index % 2 == 0 { 8000 } else { -8000 });
    concealer.good(&good);
    let peaks: Vec<i16> = (0..6).map(|_| concealer.conceal()[0]).collect();
    assert_eq!(peaks, [4000, 2000, 1000, 500, 0, 0]);
    assert_eq!(concealer.conceal()[1], 0);

    concealer.good(&good);
    let repeated = concealer.conceal();
    assert_eq!(repeated[1], -4000, "a new good frame starts over");
    assert_eq!(repeated.len(), FRAME_SAMPLES);
}
