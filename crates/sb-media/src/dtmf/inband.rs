//! In-band DTMF detection: the fallback for phones that send their keys as
//! tones in the audio (ITU-T Q.23 frequencies, Q.24-style acceptance).
//!
//! The audio is cut into blocks of [`BLOCK_SAMPLES`]; in each, the Goertzel
//! algorithm measures the power at the eight keypad frequencies. A block
//! holds a key when one row and one column stand out: loud enough, of
//! similar level (twist), well above the other rows and columns, carrying
//! most of the block's power, on frequency, and with no strong second
//! harmonic (which voices have and DTMF does not). A key held for two blocks in a row has
//! started; two blocks without it end it, and only then is it reported.

use std::collections::VecDeque;
use std::f32::consts::TAU;

use super::Digit;
use super::keypad::{self, COLUMN_HZ, ROW_HZ};
use crate::frame::SAMPLE_RATE;

/// 102 samples (12.75 ms) at 8 kHz: the classic choice, fine enough to
/// tell rows 73 Hz apart and short enough that a 40 ms tone always holds
/// two whole blocks.
const BLOCK_SAMPLES: usize = 102;
/// Blocks in a row holding a key before it counts as pressed.
const START_BLOCKS: u32 = 2;
/// Blocks in a row without the key before it counts as released; a 40 ms
/// pause always holds two whole blocks.
const END_BLOCKS: u32 = 2;
/// Weakest tone accepted, as power (amplitude² / 2): a sine of peak 400,
/// about 38 dB under full scale, well under the -25 dBFS pairs we must hear.
const MIN_TONE_POWER: f32 = 400.0 * 400.0 / 2.0;
/// Largest level difference between the row and column tones: 8 dB either
/// way (Q.24 allows 4-8 dB, and lines tilt either way).
const MAX_TWIST: f32 = 6.31;
/// The chosen row (column) must be 8 dB above every other row (column).
const MIN_PEAK_RATIO: f32 = 6.31;
/// Share of the block's power the two tones must carry: noise and voices
/// spread theirs over many frequencies.
const MIN_TONE_SHARE: f32 = 0.7;
/// A tone's second harmonic must be this far below it: 18 dB for columns;
/// only 4 dB for rows, because a row's harmonic (1394-1882 Hz) sits close
/// enough to the columns that a genuine column tone leaks into it.
const MIN_ROW_HARMONIC_RATIO: f32 = 2.5;
const MIN_COLUMN_HARMONIC_RATIO: f32 = 63.0;
/// Each tone must measure stronger at its nominal frequency than this far
/// either side of it, which puts the limit halfway, at ±1.75%: Q.24 wants
/// ±1.5% accepted and ±3.5% refused. A voice's harmonics land near the
/// keypad frequencies far more often than within that.
const FREQUENCY_PROBE_OFFSET: f64 = 0.035;

/// In-band DTMF detector for one audio stream at 8 kHz.
#[derive(Debug, Clone)]
pub struct InbandDetector {
    filters: Filters,
    block: [f32; BLOCK_SAMPLES],
    filled: usize,
    /// What the previous block held, to confirm a start.
    previous: Option<char>,
    pressed: Option<Press>,
    ready: VecDeque<Digit>,
}

#[derive(Debug, Clone, Copy)]
struct Press {
    key: char,
    /// Blocks from the first one holding the key to the last one.
    blocks: u32,
    /// Blocks since the key was last heard.
    missed: u32,
}

impl InbandDetector {
    pub fn new() -> Self {
        InbandDetector {
            filters: Filters::new(),
            block: [0.0; BLOCK_SAMPLES],
            filled: 0,
            previous: None,
            pressed: None,
            ready: VecDeque::new(),
        }
    }

    /// Takes audio at 8 kHz in chunks of any length (usually 160). Returns
    /// a digit once its tone has ended; should one chunk complete more than
    /// one (only a chunk far longer than a frame can), the others come out
    /// of the following calls, an empty chunk being enough.
    pub fn push(&mut self, samples: &[i16]) -> Option<Digit> {
        for &sample in samples {
            self.block[self.filled] = f32::from(sample);
            self.filled += 1;
            if self.filled == BLOCK_SAMPLES {
                self.filled = 0;
                let key = self.filters.key_in(&self.block);
                self.advance(key);
            }
        }
        self.ready.pop_front()
    }

    fn advance(&mut self, key: Option<char>) {
        if let Some(press) = &mut self.pressed {
            if key == Some(press.key) {
                press.blocks += press.missed + 1;
                press.missed = 0;
            } else {
                press.missed += 1;
                if press.missed >= END_BLOCKS {
                    let blocks = u64::from(press.blocks);
                    let duration_ms = blocks * BLOCK_SAMPLES as u64 * 1000 / u64::from(SAMPLE_RATE);
                    let digit = Digit {
                        key: press.key,
                        duration_ms: u32::try_from(duration_ms).unwrap_or(u32::MAX),
                    };
                    // At most one digit per four blocks: the queue is
                    // bounded by the chunk the caller passed.
                    self.ready.push_back(digit);
                    self.pressed = None;
                }
            }
        }
        if self.pressed.is_none()
            && let Some(key) = key
            && self.previous == Some(key)
        {
            self.pressed = Some(Press {
                key,
                blocks: START_BLOCKS,
                missed: 0,
            });
        }
        self.previous = key;
    }
}

impl Default for InbandDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Goertzel coefficients (2·cos ω) of the keypad frequencies and their
/// second harmonics.
#[derive(Debug, Clone)]
struct Filters {
    rows: [f32; 4],
    columns: [f32; 4],
    row_harmonics: [f32; 4],
    column_harmonics: [f32; 4],
    /// Just under and just over each frequency.
    row_probes: [[f32; 2]; 4],
    column_probes: [[f32; 2]; 4],
}

impl Filters {
    fn new() -> Self {
        let coefficient = |hz: f64| 2.0 * (TAU * hz as f32 / SAMPLE_RATE as f32).cos();
        Filters {
            rows: ROW_HZ.map(coefficient),
            columns: COLUMN_HZ.map(coefficient),
            row_harmonics: ROW_HZ.map(|hz| coefficient(2.0 * hz)),
            column_harmonics: COLUMN_HZ.map(|hz| coefficient(2.0 * hz)),
            row_probes: ROW_HZ.map(|hz| probes(hz).map(coefficient)),
            column_probes: COLUMN_HZ.map(|hz| probes(hz).map(coefficient)),
        }
    }

    /// The key a block holds, if it passes every check.
    fn key_in(&self, block: &[f32; BLOCK_SAMPLES]) -> Option<char> {
        let total_power = block.iter().map(|x| x * x).sum::<f32>() / BLOCK_SAMPLES as f32;
        if total_power < 2.0 * MIN_TONE_POWER {
            return None; // silence, or too quiet to hold two tones
        }
        let rows = self.rows.map(|coefficient| power(block, coefficient));
        let columns = self.columns.map(|coefficient| power(block, coefficient));
        let (row, row_power) = standout(&rows)?;
        let (column, column_power) = standout(&columns)?;

        let loud_enough = row_power >= MIN_TONE_POWER && column_power >= MIN_TONE_POWER;
        let twist_ok =
            row_power <= column_power * MAX_TWIST && column_power <= row_power * MAX_TWIST;
        let dominant = row_power + column_power >= MIN_TONE_SHARE * total_power;
        if !(loud_enough && twist_ok && dominant) {
            return None;
        }
        let row_harmonic = power(block, self.row_harmonics[row]);
        let column_harmonic = power(block, self.column_harmonics[column]);
        if row_harmonic * MIN_ROW_HARMONIC_RATIO > row_power
            || column_harmonic * MIN_COLUMN_HARMONIC_RATIO > column_power
        {
            return None;
        }
        let on_frequency = |probes: [f32; 2], nominal_power: f32| {
            probes
                .iter()
                .all(|&coefficient| power(block, coefficient) < nominal_power)
        };
        if !(on_frequency(self.row_probes[row], row_power)
            && on_frequency(self.column_probes[column], column_power))
        {
            return None;
        }
        Some(keypad::key_at(row, column))
    }
}

fn probes(hz: f64) -> [f64; 2] {
    [
        hz * (1.0 - FREQUENCY_PROBE_OFFSET),
        hz * (1.0 + FREQUENCY_PROBE_OFFSET),
    ]
}

/// Index and power of the strongest of four, if it stands clear of the rest.
fn standout(powers: &[f32; 4]) -> Option<(usize, f32)> {
    let (best, &best_power) = powers
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let clear = powers
        .iter()
        .enumerate()
        .all(|(index, &other)| index == best || other * MIN_PEAK_RATIO <= best_power);
    clear.then_some((best, best_power))
}

/// Power of the block at one frequency (Goertzel), scaled so that a sine of
/// amplitude `a` at that frequency reads about `a² / 2`.
fn power(block: &[f32; BLOCK_SAMPLES], coefficient: f32) -> f32 {
    let (mut previous, mut before_previous) = (0.0f32, 0.0f32);
    for &sample in block {
        let current = sample + coefficient * previous - before_previous;
        before_previous = previous;
        previous = current;
    }
    let magnitude_squared = previous * previous + before_previous * before_previous
        - coefficient * previous * before_previous;
    2.0 * magnitude_squared / (BLOCK_SAMPLES * BLOCK_SAMPLES) as f32
}
