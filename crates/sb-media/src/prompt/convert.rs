//! An uploaded WAV to the engine's format: downmixed to mono, then
//! resampled to 8 kHz, a block at a time so that a long 48 kHz stereo file
//! never exists as a whole in an intermediate buffer.

use audio_codec::resampler::{COEFFS_LEN, Resampler};

use crate::MediaError;
use crate::frame::SAMPLE_RATE;
use crate::wav::WavData;

/// Frames downmixed and resampled per step: large enough to amortise the
/// resampler's per-call work, small enough to stay in cache.
const BLOCK_FRAMES: usize = 4096;

/// The audio of `wav` as 8 kHz mono samples.
pub(super) fn to_engine_format(wav: &WavData<'_>) -> Result<Vec<i16>, MediaError> {
    let block_bytes = BLOCK_FRAMES * wav.frame_bytes();
    if wav.sample_rate == SAMPLE_RATE {
        let mut out = Vec::with_capacity(wav.frames());
        for block in wav.data.chunks(block_bytes) {
            crate::wav::downmix(wav, block, &mut out);
        }
        return Ok(out);
    }

    let resampler_failed = |error: audio_codec::CodecError| {
        MediaError::UnsupportedCodec(format!(
            "resampling {} Hz to {SAMPLE_RATE} Hz ({error})",
            wav.sample_rate
        ))
    };
    let mut coefficients = vec![0.0f32; COEFFS_LEN];
    let mut resampler = Resampler::new(
        wav.sample_rate as usize,
        SAMPLE_RATE as usize,
        &mut coefficients,
    )
    .map_err(resampler_failed)?;

    // The resampler's bound is exact for a fresh resampler, and the parser
    // limited the frame count to the prompt length limit, so this is small.
    let mut out = vec![0i16; resampler.max_output_samples(wav.frames())];
    let mut written = 0;
    let mut mono = Vec::with_capacity(BLOCK_FRAMES.min(wav.frames()));
    for block in wav.data.chunks(block_bytes) {
        mono.clear();
        crate::wav::downmix(wav, block, &mut mono);
        let rest = out.get_mut(written..).unwrap_or_default();
        written += resampler
            .resample_into(&mono, rest)
            .map_err(resampler_failed)?;
    }
    out.truncate(written);
    Ok(out)
}
