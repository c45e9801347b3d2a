//! Voice prompts: uploaded WAVs converted once to the engine's format and
//! shared by every call that plays them, and the [`Player`] that plays a
//! list of them as 20 ms frames.

mod convert;
mod player;

use std::fmt;
use std::sync::Arc;

pub use player::Player;

use crate::MediaError;
use crate::frame::SAMPLE_RATE;
use crate::wav;

/// A voice prompt in the engine's format (8 kHz mono i16), shared cheaply:
/// cloning it clones a reference to the samples, not the samples.
#[derive(Clone)]
pub struct Prompt {
    samples: Arc<[i16]>,
}

impl Prompt {
    /// The longest prompt accepted, in seconds.
    pub const MAX_SECONDS: u64 = 600;

    /// Converts any WAV: any sample rate (resampled to 8 kHz), any number
    /// of channels (averaged to mono), 8/16/24/32-bit integer, 32/64-bit
    /// float, A-law or µ-law.
    ///
    /// Errors: not RIFF/WAVE is [`MediaError::NotWav`] (saying what the
    /// bytes look like); no samples is [`MediaError::EmptyAudio`]; longer
    /// than [`Self::MAX_SECONDS`] (by what the header announces, so a lying
    /// header is refused before anything is read) is [`MediaError::TooLong`];
    /// truncated or inconsistent is [`MediaError::CorruptAudio`]; compressed
    /// formats are [`MediaError::UnsupportedCodec`]. Never panics.
    pub fn from_wav_bytes(bytes: &[u8]) -> Result<Prompt, MediaError> {
        let wav = wav::parse(bytes, Self::MAX_SECONDS)?;
        if wav.data.is_empty() {
            return Err(MediaError::EmptyAudio);
        }
        let samples = convert::to_engine_format(&wav)?;
        if samples.is_empty() {
            return Err(MediaError::EmptyAudio);
        }
        Ok(Prompt::from_samples(samples))
    }

    /// A prompt from samples already in the engine's format.
    pub fn from_samples(samples: Vec<i16>) -> Prompt {
        Prompt {
            samples: samples.into(),
        }
    }

    /// The converted form that is stored after an upload: 8 kHz mono
    /// 16-bit WAV.
    ///
    /// A WAV cannot describe more than 4 GiB of audio; a prompt longer than
    /// that (about 74 hours, only possible through [`Self::from_samples`])
    /// is cut there.
    pub fn to_wav_bytes(&self) -> Vec<u8> {
        let max_samples = (u32::MAX as usize - wav::HEADER_BYTES) / 2;
        let samples = &self.samples[..self.samples.len().min(max_samples)];
        let data_bytes = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX);

        let mut out = Vec::with_capacity(wav::HEADER_BYTES + samples.len() * 2);
        out.extend_from_slice(&wav::header(1, SAMPLE_RATE, data_bytes));
        for sample in samples {
            out.extend_from_slice(&sample.to_le_bytes());
        }
        out
    }

    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 * 1000 / u64::from(SAMPLE_RATE)
    }

    /// The shared samples, for sources that keep them (music on hold).
    pub(crate) fn shared_samples(&self) -> Arc<[i16]> {
        Arc::clone(&self.samples)
    }
}

/// A summary: a prompt's samples would flood any log they were printed to.
impl fmt::Debug for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prompt")
            .field("samples", &self.samples.len())
            .field("duration_ms", &self.duration_ms())
            .finish()
    }
}
