//! The one audio format inside the engine: 8 kHz mono signed 16-bit PCM in
//! 20 ms frames. Every leg decodes into it and encodes out of it; the mixer,
//! the prompt player, music on hold and the recorder only ever see it.

/// Samples per second of the engine's internal audio.
pub const SAMPLE_RATE: u32 = 8000;
/// Default packet time in milliseconds.
pub const PTIME_MS: u64 = 20;
/// Samples in one 20 ms frame at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 160;

/// One 20 ms frame of internal audio.
pub type Frame = [i16; FRAME_SAMPLES];

/// A frame of silence.
pub const SILENCE: Frame = [0; FRAME_SAMPLES];
