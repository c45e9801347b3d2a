//! The built-in hold music: a six-second pentatonic phrase over a slow
//! I-vi-IV-V bass, soft sine tones with a touch of harmonics. Every note
//! fades in from zero and out to zero, so the loop point cannot click.

use std::f64::consts::PI;

use crate::frame::SAMPLE_RATE;

/// Melody notes in Hz, one every [`NOTE_SAMPLES`].
const MELODY_HZ: [f64; 16] = [
    329.63, 392.00, 440.00, 392.00, // E G A G
    329.63, 293.66, 261.63, 293.66, // E D C D
    329.63, 392.00, 523.25, 440.00, // E G C A
    392.00, 329.63, 293.66, 261.63, // G E D C
];
/// Bass notes (C, A, F, G), one per four melody notes.
const BASS_HZ: [f64; 4] = [130.81, 110.00, 87.31, 98.00];

/// 375 ms per melody note: an unhurried 80 beats a minute in eighths.
const NOTE_SAMPLES: usize = SAMPLE_RATE as usize * 3 / 8;
const BASS_SAMPLES: usize = NOTE_SAMPLES * 4;

/// Peak levels, well below full scale: music on hold should sit under a
/// voice, not over it.
const MELODY_LEVEL: f64 = 4500.0;
const BASS_LEVEL: f64 = 2500.0;

/// The whole loop at 8 kHz.
pub(super) fn melody() -> Vec<i16> {
    let mut mix = vec![0.0f64; NOTE_SAMPLES * MELODY_HZ.len()];
    for (index, &hz) in MELODY_HZ.iter().enumerate() {
        let note = &mut mix[index * NOTE_SAMPLES..(index + 1) * NOTE_SAMPLES];
        add_note(note, hz, MELODY_LEVEL, Envelope::PLUCK);
    }
    for (index, &hz) in BASS_HZ.iter().enumerate() {
        let note = &mut mix[index * BASS_SAMPLES..(index + 1) * BASS_SAMPLES];
        add_note(note, hz, BASS_LEVEL, Envelope::PAD);
    }
    mix.into_iter().map(|value| value.round() as i16).collect()
}

/// The loudness of a note over its length.
#[derive(Debug, Clone, Copy)]
struct Envelope {
    attack_samples: usize,
    /// Seconds for the level to fall to 1/e after the attack.
    decay_seconds: f64,
    release_samples: usize,
}

impl Envelope {
    /// A soft mallet: quick rise, steady fall.
    const PLUCK: Envelope = Envelope {
        attack_samples: 200,
        decay_seconds: 0.35,
        release_samples: 400,
    };
    /// A held bass: slow rise, slow fall.
    const PAD: Envelope = Envelope {
        attack_samples: 400,
        decay_seconds: 1.0,
        release_samples: 800,
    };

    /// The gain at sample `n` of a note `len` samples long: raised-cosine
    /// ramps that start and end at exactly zero around an exponential decay.
    fn gain(&self, n: usize, len: usize) -> f64 {
        let attack = if n < self.attack_samples {
            0.5 * (1.0 - (PI * n as f64 / self.attack_samples as f64).cos())
        } else {
            1.0
        };
        let until_end = len - 1 - n;
        let release = if until_end < self.release_samples {
            0.5 * (1.0 - (PI * until_end as f64 / self.release_samples as f64).cos())
        } else {
            1.0
        };
        let decay = (-(n as f64) / (self.decay_seconds * f64::from(SAMPLE_RATE))).exp();
        attack * release * decay
    }
}

/// Adds one note filling `out`: a sine with a little second and third
/// harmonic, which sounds rounder than a pure tone on a phone.
fn add_note(out: &mut [f64], hz: f64, level: f64, envelope: Envelope) {
    let len = out.len();
    for (n, sample) in out.iter_mut().enumerate() {
        let phase = 2.0 * PI * hz * n as f64 / f64::from(SAMPLE_RATE);
        let tone = phase.sin() + 0.2 * (2.0 * phase).sin() + 0.05 * (3.0 * phase).sin();
        *sample += level * envelope.gain(n, len) * tone;
    }
}
