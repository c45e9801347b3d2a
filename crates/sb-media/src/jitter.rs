//! Where the server listens (mixing, recording, in-band DTMF), packets are
//! put back in order and played out at a steady pace, one frame per 20 ms
//! tick. A plain relay forwards packets as they come and does not use this.
//!
//! The buffer is a ring of slots indexed by sequence number: storing,
//! finding and dropping a packet are O(1), and once each slot's payload
//! vector has grown to a packet's size nothing is allocated any more.
//!
//! Playout waits until `depth` frames are held, then plays one frame per
//! tick; a missing frame is reported for the caller to conceal. When the
//! buffer runs dry (the sender paused, or the network stalled) playout stops
//! and starts again once `depth` frames are held, from the newest of them:
//! stale audio is dropped rather than letting the delay grow after every
//! stall.

use crate::frame::Frame;

/// Slots in the ring: more than the largest jump kept plus any depth.
const RING_SLOTS: usize = 128;
/// Deepest buffer accepted (1.28 s at 20 ms); deeper requests are cut.
const MAX_DEPTH_FRAMES: usize = 64;
/// A packet more than this many frames ahead of the stream by sequence
/// number, or away from it by timestamp, starts a new stream: the sender
/// restarted or the source changed.
const MAX_JUMP_FRAMES: u16 = 100;

/// Reorders one incoming stream and plays it out at a steady pace.
#[derive(Debug)]
pub struct JitterBuffer {
    depth: usize,
    samples_per_frame: u32,
    slots: Vec<Slot>,
    /// The next sequence number to play; nothing older is accepted once
    /// playout has begun. Before that, the oldest held.
    next: Option<u16>,
    /// Sequence number and timestamp of the newest packet stored, which
    /// says where the stream's RTP clock stands.
    newest: Option<(u16, u32)>,
    playing: bool,
    has_played: bool,
    held: usize,
    stats: JitterStats,
}

#[derive(Debug, Default)]
struct Slot {
    sequence: u16,
    filled: bool,
    payload: Vec<u8>,
}

/// Counters for one stream since the buffer was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Packets pushed, whatever became of them.
    pub received: u64,
    /// Packets that came after their turn to play, or were dropped so that
    /// playout restarting after a stall does not carry the stall's delay.
    pub late: u64,
    pub duplicate: u64,
    /// Frames never played: reported as missing (concealed), or skipped
    /// when playout restarted.
    pub lost: u64,
}

/// What to play this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout<'a> {
    /// The payload of the next packet.
    Frame(&'a [u8]),
    /// The next packet is missing; later ones are here. The caller
    /// conceals the gap (see [`Concealer`]).
    Missing,
    /// Not started yet, or ran dry: no audio, the caller plays silence.
    Waiting,
}

impl JitterBuffer {
    /// `depth_frames`: how many frames to hold before playout starts (3 is
    /// 60 ms), from 1 to 64; `samples_per_frame`: RTP clock units per frame
    /// (160).
    pub fn new(depth_frames: usize, samples_per_frame: u32) -> Self {
        JitterBuffer {
            depth: depth_frames.clamp(1, MAX_DEPTH_FRAMES),
            samples_per_frame: samples_per_frame.max(1),
            slots: (0..RING_SLOTS).map(|_| Slot::default()).collect(),
            next: None,
            newest: None,
            playing: false,
            has_played: false,
            held: 0,
            stats: JitterStats::default(),
        }
    }

    /// Stores a copy of the payload. Duplicates and packets older than the
    /// playout point are dropped (and counted); a packet more than 100
    /// frames ahead, or with a timestamp more than 100 frames off, starts
    /// the buffer afresh. Sequence numbers and timestamps wrap.
    pub fn push(&mut self, sequence: u16, timestamp: u32, payload: &[u8]) {
        self.stats.received += 1;
        if self.starts_new_stream(sequence, timestamp) {
            self.reset();
        }
        let Some(next) = self.next else {
            self.next = Some(sequence);
            self.store(sequence, timestamp, payload);
            return;
        };
        let ahead = sequence.wrapping_sub(next) as i16;
        if ahead >= 0 {
            self.store(sequence, timestamp, payload);
        } else if !self.has_played && self.fits_in_ring_from(sequence) {
            // Still filling up: an earlier packet overtaken by a later one.
            self.next = Some(sequence);
            self.store(sequence, timestamp, payload);
        } else {
            self.stats.late += 1;
        }
    }

    /// Called once per 20 ms tick.
    pub fn pop(&mut self) -> Playout<'_> {
        let Some(mut next) = self.next else {
            return Playout::Waiting;
        };
        if !self.playing {
            if self.held < self.depth {
                return Playout::Waiting;
            }
            if self.has_played {
                next = self.restart_point(next);
            }
            self.playing = true;
            self.has_played = true;
        }
        if self.held == 0 {
            self.playing = false;
            self.next = Some(next);
            return Playout::Waiting;
        }
        self.next = Some(next.wrapping_add(1));
        let slot = &mut self.slots[slot_index(next)];
        if slot.filled && slot.sequence == next {
            slot.filled = false;
            self.held -= 1;
            Playout::Frame(&slot.payload)
        } else {
            self.stats.lost += 1;
            Playout::Missing
        }
    }

    /// Drops everything held and waits for a new stream (a re-INVITE, a
    /// new SSRC). The counters are kept.
    pub fn reset(&mut self) {
        for slot in &mut self.slots {
            slot.filled = false;
        }
        self.next = None;
        self.newest = None;
        self.playing = false;
        self.has_played = false;
        self.held = 0;
    }

    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Frames held, waiting to be played.
    pub fn len(&self) -> usize {
        self.held
    }

    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    fn store(&mut self, sequence: u16, timestamp: u32, payload: &[u8]) {
        let slot = &mut self.slots[slot_index(sequence)];
        if slot.filled && slot.sequence == sequence {
            self.stats.duplicate += 1;
            return;
        }
        // Every held packet is within RING_SLOTS of `next`, so a filled
        // slot here holds this very sequence number (handled above).
        slot.sequence = sequence;
        slot.filled = true;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        self.held += 1;
        let is_newest = self
            .newest
            .is_none_or(|(newest, _)| (sequence.wrapping_sub(newest) as i16) > 0);
        if is_newest {
            self.newest = Some((sequence, timestamp));
        }
    }

    /// Far ahead of the playout point by sequence number, or a timestamp
    /// far from where the newest packet puts the stream's clock (a new
    /// source, or a sender back from a long pause). A packet far behind
    /// with a timestamp to match is only very late.
    fn starts_new_stream(&self, sequence: u16, timestamp: u32) -> bool {
        if let Some(next) = self.next
            && sequence.wrapping_sub(next) as i16 > MAX_JUMP_FRAMES as i16
        {
            return true;
        }
        let Some((newest_sequence, newest_timestamp)) = self.newest else {
            return false;
        };
        let frames_apart = i32::from(sequence.wrapping_sub(newest_sequence) as i16);
        let expected = newest_timestamp
            .wrapping_add_signed(frames_apart.wrapping_mul(self.samples_per_frame as i32));
        // Timestamps wrap: compare as a signed 32-bit distance.
        let drift = timestamp.wrapping_sub(expected) as i32;
        drift.unsigned_abs() > u32::from(MAX_JUMP_FRAMES).saturating_mul(self.samples_per_frame)
    }

    /// Whether `sequence`, older than `next`, can become the oldest held
    /// without the newest falling outside the ring.
    fn fits_in_ring_from(&self, sequence: u16) -> bool {
        self.newest
            .is_none_or(|(newest, _)| usize::from(newest.wrapping_sub(sequence)) < RING_SLOTS)
    }

    /// Playout restarting after running dry: skip the hole before the
    /// oldest frame held (lost), then frames beyond `depth` (late), so the
    /// delay is `depth` again and not `depth` plus the stall.
    fn restart_point(&mut self, mut next: u16) -> u16 {
        loop {
            let slot = &mut self.slots[slot_index(next)];
            let held_here = slot.filled && slot.sequence == next;
            if held_here && self.held <= self.depth {
                return next;
            }
            if held_here {
                slot.filled = false;
                self.held -= 1;
                self.stats.late += 1;
            } else {
                self.stats.lost += 1;
            }
            next = next.wrapping_add(1);
        }
    }
}

fn slot_index(sequence: u16) -> usize {
    usize::from(sequence) % RING_SLOTS
}

/// Packet loss concealment on decoded audio: after a good frame, a missing
/// one is the last frame repeated, 6 dB quieter each time, and silence
/// after [`MAX_REPEATS`]. Crude next to a pitch-based PLC, but a repeat
/// hides a single lost packet far better than a gap of silence.
#[derive(Debug, Clone)]
pub struct Concealer {
    last: Frame,
    repeats: u32,
}

/// Repeats before silence: 80 ms, past which a repeat sounds like a stutter.
pub const MAX_REPEATS: u32 = 4;

impl Concealer {
    pub fn new() -> Self {
        Concealer {
            last: crate::frame::SILENCE,
            repeats: 0,
        }
    }

    /// The frame just played, decoded from a packet that arrived.
    pub fn good(&mut self, frame: &Frame) {
        self.last = *frame;
        self.repeats = 0;
    }

    /// A frame to play in place of a missing one.
    pub fn conceal(&mut self) -> Frame {
        if self.repeats >= MAX_REPEATS {
            return crate::frame::SILENCE;
        }
        self.repeats += 1;
        for sample in &mut self.last {
            *sample /= 2;
        }
        self.last
    }
}

impl Default for Concealer {
    fn default() -> Self {
        Self::new()
    }
}
