//! Call recording (MISSION R1, R2).
//!
//! [`Recorder`] is sans-IO: the media loop hands it both sides' frames every
//! 20 ms and gets WAV data bytes back in a buffer it reuses. A writer thread
//! hands those bytes to a [`RecordingFile`], which keeps the file's header
//! true often enough that a crash loses at most a couple of seconds.

mod file;

pub use file::{FinishedRecording, RecordingFile};

use crate::frame::{FRAME_SAMPLES, Frame, PTIME_MS};

/// How the two sides of a call are laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Caller left, agent right: each side can be heard (and transcribed)
    /// on its own.
    Stereo,
    /// The two sides mixed: half the size.
    Mono,
}

impl Layout {
    pub fn channels(self) -> u16 {
        match self {
            Layout::Stereo => 2,
            Layout::Mono => 1,
        }
    }

    /// Bytes of one sample of every channel.
    pub fn block_bytes(self) -> usize {
        usize::from(self.channels()) * 2
    }

    /// Bytes one 20 ms frame of the call adds to the file.
    pub fn frame_bytes(self) -> usize {
        FRAME_SAMPLES * self.block_bytes()
    }
}

/// The bytes of the largest frame (stereo), so one stack buffer fits both.
const MAX_FRAME_BYTES: usize = FRAME_SAMPLES * 4;

/// Sans-IO: turns the two sides' frames into WAV data bytes (little-endian
/// interleaved 16-bit). While paused, silence is written so the file stays
/// aligned with the call's time line.
#[derive(Debug)]
pub struct Recorder {
    layout: Layout,
    paused: bool,
    data_bytes: u64,
}

impl Recorder {
    pub fn new(layout: Layout) -> Recorder {
        Recorder {
            layout,
            paused: false,
            data_bytes: 0,
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Appends one frame of the call to `out`. Allocates nothing once `out`
    /// has the capacity (the caller reuses it).
    pub fn push(&mut self, caller: &Frame, agent: &Frame, out: &mut Vec<u8>) {
        let frame_bytes = self.layout.frame_bytes();
        let mut block = [0u8; MAX_FRAME_BYTES];
        match (self.paused, self.layout) {
            // A pause (a card number being read out) is recorded as
            // silence, not skipped: timestamps in the file stay call time.
            (true, _) => {}
            (false, Layout::Stereo) => {
                for ((bytes, &left), &right) in block.chunks_exact_mut(4).zip(caller).zip(agent) {
                    bytes[..2].copy_from_slice(&left.to_le_bytes());
                    bytes[2..].copy_from_slice(&right.to_le_bytes());
                }
            }
            (false, Layout::Mono) => {
                for ((bytes, &left), &right) in block.chunks_exact_mut(2).zip(caller).zip(agent) {
                    let mixed = (i32::from(left) + i32::from(right))
                        .clamp(i32::from(i16::MIN), i32::from(i16::MAX))
                        as i16;
                    bytes.copy_from_slice(&mixed.to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&block[..frame_bytes]);
        self.data_bytes += frame_bytes as u64;
    }

    /// From the next frame on, silence is recorded instead of the call.
    pub fn pause(&mut self) {
        self.paused = true;
    }

    pub fn resume(&mut self) {
        self.paused = false;
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Data bytes produced so far (the WAV's data length).
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Call time recorded so far, pauses included.
    pub fn duration_ms(&self) -> u64 {
        self.data_bytes / self.layout.frame_bytes() as u64 * PTIME_MS
    }
}
