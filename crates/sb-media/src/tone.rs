//! Tone sources the engine plays: DTMF digits (in-band sending, and tests)
//! and call-progress tones. Each is a stream of 20 ms frames.

use std::f64::consts::TAU;

use crate::dtmf::keypad;
use crate::frame::{FRAME_SAMPLES, Frame, SAMPLE_RATE};

/// A sine of peak 22 700 is 0 dBm0 in G.711 (3.17 dB under full scale); the
/// Chinese standard (YD/T 1278) plays call-progress tones at -10 dBm0.
const CALL_PROGRESS_AMPLITUDE: f64 = 22_700.0 * 0.316;
/// Ringback and busy tone frequency (YD/T 1278).
const CALL_PROGRESS_HZ: u32 = 450;
// 450 Hz is exactly 9 cycles per 20 ms frame, so one precomputed frame
// repeats without a phase jump.
const _: () = assert!((CALL_PROGRESS_HZ * FRAME_SAMPLES as u32).is_multiple_of(SAMPLE_RATE));

/// A per-tone level for sending DTMF in band: about -8 dBm0 each, inside
/// the -3 to -12 dBm0 window of ITU-T Q.23 for both groups.
pub const DTMF_AMPLITUDE: i16 = 9_000;

/// A stream of 20 ms frames of one tone.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    /// A DTMF digit: two sines for a fixed number of samples.
    Dual {
        low: Oscillator,
        high: Oscillator,
        samples_left: u64,
    },
    /// A tone switched on and off forever.
    Cadenced {
        cycle: Box<Frame>,
        on_samples: u64,
        period_samples: u64,
        position: u64,
    },
}

impl ToneGenerator {
    /// A DTMF digit of `duration_ms`; `amplitude` is the peak of each of the
    /// two sines (their sum peaks at twice that, clipped to 16 bits).
    /// `None` for a key that is not on the keypad.
    pub fn dtmf(key: char, duration_ms: u32, amplitude: i16) -> Option<Self> {
        let (row_hz, column_hz) = keypad::frequencies(key)?;
        let amplitude = f64::from(amplitude);
        Some(ToneGenerator {
            source: Source::Dual {
                low: Oscillator::new(row_hz, amplitude),
                high: Oscillator::new(column_hz, amplitude),
                samples_left: u64::from(duration_ms) * u64::from(SAMPLE_RATE) / 1000,
            },
        })
    }

    /// Ringback, Chinese standard: 450 Hz, 1 s on, 4 s off, repeating.
    pub fn ringback() -> Self {
        Self::cadenced(1000, 4000)
    }

    /// Busy, Chinese standard: 450 Hz, 0.35 s on, 0.35 s off, repeating.
    pub fn busy() -> Self {
        Self::cadenced(350, 350)
    }

    /// The period must be whole frames, so that the precomputed cycle lines
    /// up with every frame (both standard cadences are).
    fn cadenced(on_ms: u64, off_ms: u64) -> Self {
        let samples_per_ms = u64::from(SAMPLE_RATE) / 1000;
        let mut oscillator = Oscillator::new(f64::from(CALL_PROGRESS_HZ), CALL_PROGRESS_AMPLITUDE);
        let cycle = Box::new(std::array::from_fn(|_| oscillator.next_sample()));
        ToneGenerator {
            source: Source::Cadenced {
                cycle,
                on_samples: on_ms * samples_per_ms,
                period_samples: (on_ms + off_ms) * samples_per_ms,
                position: 0,
            },
        }
    }

    /// Fills the next frame; returns false when a finite tone (DTMF) has
    /// finished (the frame is then silence). The frame holding the last
    /// samples of a digit returns true and is padded with silence.
    pub fn next_frame(&mut self, out: &mut Frame) -> bool {
        match &mut self.source {
            Source::Dual {
                low,
                high,
                samples_left,
            } => {
                if *samples_left == 0 {
                    *out = crate::frame::SILENCE;
                    return false;
                }
                for sample in out.iter_mut() {
                    *sample = if *samples_left > 0 {
                        *samples_left -= 1;
                        low.next_sample().saturating_add(high.next_sample())
                    } else {
                        0
                    };
                }
                true
            }
            Source::Cadenced {
                cycle,
                on_samples,
                period_samples,
                position,
            } => {
                for (index, sample) in out.iter_mut().enumerate() {
                    let in_period = (*position + index as u64) % *period_samples;
                    *sample = if in_period < *on_samples {
                        cycle[index]
                    } else {
                        0
                    };
                }
                *position = (*position + FRAME_SAMPLES as u64) % *period_samples;
                true
            }
        }
    }
}

/// A sine from the recurrence `y[n] = 2 cos(w) y[n-1] - y[n-2]`: two
/// multiplications a sample instead of a `sin`, and in f64 it stays on
/// frequency and level for far longer than any tone lasts.
#[derive(Debug, Clone)]
struct Oscillator {
    coefficient: f64,
    previous: f64,
    before_previous: f64,
}

impl Oscillator {
    fn new(frequency_hz: f64, amplitude: f64) -> Self {
        let step = TAU * frequency_hz / f64::from(SAMPLE_RATE);
        Oscillator {
            coefficient: 2.0 * step.cos(),
            // y[-1] and y[-2] of amplitude·sin(n·step), so y[0] = 0.
            previous: -amplitude * step.sin(),
            before_previous: -amplitude * (2.0 * step).sin(),
        }
    }

    fn next_sample(&mut self) -> i16 {
        let value = self.coefficient * self.previous - self.before_previous;
        self.before_previous = self.previous;
        self.previous = value;
        value.round() as i16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(generator: &mut ToneGenerator, count: usize) -> Vec<(bool, Frame)> {
        (0..count)
            .map(|_| {
                let mut frame = [1; FRAME_SAMPLES];
                let more = generator.next_frame(&mut frame);
                (more, frame)
            })
            .collect()
    }

    #[test]
    fn a_dtmf_digit_lasts_its_duration_then_reports_the_end() {
        let mut generator = ToneGenerator::dtmf('5', 50, 8000).expect("a key");
        let frames = frames(&mut generator, 5);
        let flags: Vec<bool> = frames.iter().map(|(more, _)| *more).collect();
        assert_eq!(flags, [true, true, true, false, false]);
        // 50 ms is 400 samples: the third frame carries 80 of them.
        assert!(frames[2].1[..80].iter().any(|&sample| sample != 0));
        assert!(frames[2].1[80..].iter().all(|&sample| sample == 0));
        assert_eq!(frames[3].1, crate::frame::SILENCE);
        let peak = frames[..2]
            .iter()
            .flat_map(|(_, frame)| frame.iter())
            .map(|sample| sample.unsigned_abs())
            .max();
        assert!(peak.is_some_and(|peak| (14_000..=16_000).contains(&peak)));
    }

    #[test]
    fn oscillator_matches_sin() {
        let mut oscillator = Oscillator::new(1209.0, 10_000.0);
        for index in 0..8000 {
            let expected = 10_000.0 * (TAU * 1209.0 * f64::from(index) / 8000.0).sin();
            let sample = f64::from(oscillator.next_sample());
            assert!((sample - expected).abs() <= 1.0, "sample {index}");
        }
    }

    #[test]
    fn busy_is_350_ms_on_350_ms_off() {
        let mut generator = ToneGenerator::busy();
        let samples: Vec<i16> = frames(&mut generator, 140)
            .into_iter()
            .flat_map(|(more, frame)| {
                assert!(more);
                frame
            })
            .collect();
        // 2.8 s: four periods of 5 600 samples.
        for (index, chunk) in samples.chunks(40).enumerate() {
            let position = index * 40 % 5600;
            let on = chunk.iter().any(|&sample| sample != 0);
            assert_eq!(on, position < 2800, "at sample {}", index * 40);
        }
    }

    #[test]
    fn ringback_is_1_s_on_4_s_off() {
        let mut generator = ToneGenerator::ringback();
        let on: Vec<bool> = frames(&mut generator, 500)
            .iter()
            .map(|(_, frame)| frame.iter().any(|&sample| sample != 0))
            .collect();
        for (index, &is_on) in on.iter().enumerate() {
            assert_eq!(is_on, index % 250 < 50, "frame {index}");
        }
    }

    #[test]
    fn unknown_keys_make_no_tone() {
        assert!(ToneGenerator::dtmf('E', 100, 1000).is_none());
    }
}
