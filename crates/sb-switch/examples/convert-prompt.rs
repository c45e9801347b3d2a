//! Converts espeak-ng's output into a built-in prompt, for
//! scripts/generate-builtin-prompts: 8 kHz mono 16-bit WAV through the
//! engine's own resampler, the silence espeak-ng puts around speech cut to a
//! short margin (so "you are number" + "3" does not pause between the
//! words), and the peak brought to one level (so words spoken separately
//! sound alike when strung together).
//!
//! Usage: convert-prompt IN.wav OUT.wav [IN.wav OUT.wav]...

use std::error::Error;

use sb_media::prompt::Prompt;

/// Below this a sample counts as silence (about -44 dBFS).
const SILENCE_LEVEL: i16 = 200;
/// Silence kept before the first and after the last audible sample, in
/// samples at 8 kHz: 30 ms and 60 ms, enough not to clip a soft onset or
/// a fading syllable.
const LEAD_SAMPLES: usize = 240;
const TAIL_SAMPLES: usize = 480;
/// The peak every prompt is scaled to (about -4 dBFS).
const TARGET_PEAK: f64 = 20_000.0;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        return Err("usage: convert-prompt IN.wav OUT.wav [IN.wav OUT.wav]...".into());
    }
    for pair in args.chunks(2) {
        let (input, output) = (&pair[0], &pair[1]);
        let bytes = std::fs::read(input).map_err(|error| format!("{input}: {error}"))?;
        let prompt = Prompt::from_wav_bytes(&bytes).map_err(|error| format!("{input}: {error}"))?;
        let samples = normalised(trimmed(prompt.samples()));
        if samples.is_empty() {
            return Err(format!("{input}: nothing audible").into());
        }
        std::fs::write(output, Prompt::from_samples(samples).to_wav_bytes())
            .map_err(|error| format!("{output}: {error}"))?;
    }
    Ok(())
}

fn trimmed(samples: &[i16]) -> &[i16] {
    let audible = |sample: &i16| sample.unsigned_abs() > SILENCE_LEVEL.unsigned_abs();
    let Some(first) = samples.iter().position(audible) else {
        return &[];
    };
    let last = samples.iter().rposition(audible).unwrap_or(first);
    let start = first.saturating_sub(LEAD_SAMPLES);
    let end = (last + 1 + TAIL_SAMPLES).min(samples.len());
    &samples[start..end]
}

fn normalised(samples: &[i16]) -> Vec<i16> {
    let peak = samples
        .iter()
        .map(|sample| sample.unsigned_abs())
        .max()
        .unwrap_or(0);
    if peak == 0 {
        return samples.to_vec();
    }
    let gain = TARGET_PEAK / f64::from(peak);
    samples
        .iter()
        .map(|&sample| (f64::from(sample) * gain).round() as i16)
        .collect()
}
