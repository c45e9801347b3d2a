//! Prompt conversion (any WAV to 8 kHz mono) and the prompt player.

use std::f64::consts::PI;
use std::io::Cursor;

use sb_media::MediaError;
use sb_media::frame::{FRAME_SAMPLES, Frame, SAMPLE_RATE, SILENCE};
use sb_media::prompt::{Player, Prompt};

/// How a test file stores its samples.
#[derive(Debug, Clone, Copy)]
enum Depth {
    Int8,
    Int16,
    Int24,
    Float32,
}

const TONE_HZ: f64 = 400.0;
const TONE_AMPLITUDE: f64 = 0.5;

/// A WAV written by hound: `seconds` of a 400 Hz tone at half scale in
/// `tone_channels` of `channels` channels (the others silent).
fn tone_wav(rate: u32, channels: u16, tone_channels: u16, depth: Depth, seconds: f64) -> Vec<u8> {
    let (bits_per_sample, sample_format) = match depth {
        Depth::Int8 => (8, hound::SampleFormat::Int),
        Depth::Int16 => (16, hound::SampleFormat::Int),
        Depth::Int24 => (24, hound::SampleFormat::Int),
        Depth::Float32 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample,
        sample_format,
    };
    let mut cursor = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("writer");
    let frames = (f64::from(rate) * seconds) as usize;
    for n in 0..frames {
        let value = TONE_AMPLITUDE * (2.0 * PI * TONE_HZ * n as f64 / f64::from(rate)).sin();
        for channel in 0..channels {
            let value = if channel < tone_channels { value } else { 0.0 };
            match depth {
                Depth::Int8 => writer.write_sample((value * 127.0).round() as i32),
                Depth::Int16 => writer.write_sample((value * 32767.0).round() as i32),
                Depth::Int24 => writer.write_sample((value * 8_388_607.0).round() as i32),
                Depth::Float32 => writer.write_sample(value as f32),
            }
            .expect("sample");
        }
    }
    writer.finalize().expect("finalize");
    cursor.into_inner()
}

/// Upward zero crossings per second over `samples` at 8 kHz.
fn frequency(samples: &[i16]) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|pair| pair[0] < 0 && pair[1] >= 0)
        .count();
    crossings as f64 * f64::from(SAMPLE_RATE) / samples.len() as f64
}

fn rms(samples: &[i16]) -> f64 {
    let energy: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    (energy / samples.len() as f64).sqrt()
}

/// The steady middle of a one-second conversion (the resampler's filter
/// needs a few samples to fill at the start).
fn middle(samples: &[i16]) -> &[i16] {
    &samples[800..7200]
}

#[test]
fn every_rate_depth_and_channel_count_converts_to_8k_mono() {
    let full_scale_rms = TONE_AMPLITUDE * 32767.0 / 2f64.sqrt();
    for rate in [8000, 16_000, 44_100, 48_000] {
        for channels in [1, 2] {
            for depth in [Depth::Int8, Depth::Int16, Depth::Int24, Depth::Float32] {
                let case = format!("{rate} Hz, {channels} channels, {depth:?}");
                let bytes = tone_wav(rate, channels, channels, depth, 1.0);
                let prompt = Prompt::from_wav_bytes(&bytes).expect(&case);

                let samples = prompt.samples();
                assert!(
                    samples.len().abs_diff(8000) <= FRAME_SAMPLES,
                    "{case}: {} samples",
                    samples.len()
                );
                assert!(prompt.duration_ms().abs_diff(1000) <= 20, "{case}");
                let hz = frequency(middle(samples));
                assert!((hz - TONE_HZ).abs() < 8.0, "{case}: {hz} Hz");
                let level = rms(middle(samples));
                assert!(
                    (level / full_scale_rms - 1.0).abs() < 0.05,
                    "{case}: rms {level}, expected {full_scale_rms}"
                );
            }
        }
    }
}

#[test]
fn a_tone_in_one_channel_is_kept_at_half_level() {
    let both = Prompt::from_wav_bytes(&tone_wav(16_000, 2, 2, Depth::Int16, 1.0)).expect("both");
    let left = Prompt::from_wav_bytes(&tone_wav(16_000, 2, 1, Depth::Int16, 1.0)).expect("left");
    let ratio = rms(middle(left.samples())) / rms(middle(both.samples()));
    assert!((ratio - 0.5).abs() < 0.01, "ratio {ratio}");
    assert!((frequency(middle(left.samples())) - TONE_HZ).abs() < 8.0);

    let surround =
        Prompt::from_wav_bytes(&tone_wav(48_000, 6, 3, Depth::Int24, 1.0)).expect("six channels");
    let ratio = rms(middle(surround.samples())) / rms(middle(both.samples()));
    assert!((ratio - 0.5).abs() < 0.01, "six channels, ratio {ratio}");
}

#[test]
fn a_telephony_mu_law_wav_converts() {
    // What old IVR prompt sets hold: 8 kHz µ-law, format tag 7.
    let codes = [0xFFu8, 0x80, 0x00, 0xFF];
    let mut bytes = b"RIFF\0\0\0\0WAVEfmt \x12\0\0\0".to_vec();
    for field in [7u16, 1] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    for field in [1u16, 8, 0] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(codes.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&codes);

    let prompt = Prompt::from_wav_bytes(&bytes).expect("µ-law");
    assert_eq!(prompt.samples(), [0, 32124, -32124, 0]);
}

#[test]
fn the_stored_form_is_8k_mono_16_bit_and_reads_back_exactly() {
    let samples: Vec<i16> = (0..1000).map(|n| (n * 37 % 2001 - 1000) as i16).collect();
    let prompt = Prompt::from_samples(samples.clone());
    let bytes = prompt.to_wav_bytes();

    let reader = hound::WavReader::new(Cursor::new(&bytes)).expect("hound reads it");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 8000, 16)
    );
    let read: Vec<i16> = reader
        .into_samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("samples");
    assert_eq!(read, samples);

    let again = Prompt::from_wav_bytes(&bytes).expect("round trip");
    assert_eq!(again.samples(), &samples[..]);
    assert_eq!(again.duration_ms(), 125);
}

#[test]
fn files_that_are_not_wav_say_what_they_look_like() {
    let not_wav = |bytes: &[u8]| match Prompt::from_wav_bytes(bytes) {
        Err(MediaError::NotWav(looks_like)) => looks_like,
        other => panic!("expected NotWav, got {other:?}"),
    };
    assert!(not_wav(b"").contains("empty"));
    assert!(not_wav(b"Please find the prompt attached.\n").contains("Please find the prompt"));
    assert!(not_wav(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").contains("PNG"));
    assert!(not_wav(b"ID3\x03\0\0\0\0\0\0").contains("MP3"));
}

#[test]
fn a_wav_without_samples_is_empty_audio() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = Cursor::new(Vec::new());
    hound::WavWriter::new(&mut cursor, spec)
        .expect("writer")
        .finalize()
        .expect("finalize");
    assert!(matches!(
        Prompt::from_wav_bytes(&cursor.into_inner()),
        Err(MediaError::EmptyAudio)
    ));
}

#[test]
fn a_truncated_wav_is_corrupt() {
    let bytes = tone_wav(8000, 1, 1, Depth::Int16, 0.5);
    for cut in [bytes.len() - 1, bytes.len() / 2, 50, 30, 12] {
        assert!(
            matches!(
                Prompt::from_wav_bytes(&bytes[..cut]),
                Err(MediaError::CorruptAudio(_))
            ),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_wav_longer_than_the_limit_is_refused() {
    // Exactly at the limit is accepted (1 kHz keeps the file small).
    let limit = Prompt::MAX_SECONDS as u32;
    let at_limit = |seconds: u32| {
        let data_bytes = seconds * 1000 * 2;
        let mut bytes = sb_media::wav::header(1, 1000, data_bytes).to_vec();
        bytes.resize(bytes.len() + data_bytes as usize, 0);
        bytes
    };
    let prompt = Prompt::from_wav_bytes(&at_limit(limit)).expect("at the limit");
    assert_eq!(prompt.duration_ms(), Prompt::MAX_SECONDS * 1000);
    assert!(matches!(
        Prompt::from_wav_bytes(&at_limit(limit + 1)),
        Err(MediaError::TooLong {
            seconds: 601,
            limit: 600
        })
    ));

    // A small file whose header claims 4 GiB at 48 kHz stereo: refused from
    // the header alone, nothing of that size allocated.
    let mut lying = tone_wav(48_000, 2, 2, Depth::Int16, 0.1);
    lying[40..44].copy_from_slice(&(u32::MAX - 3).to_le_bytes());
    assert!(matches!(
        Prompt::from_wav_bytes(&lying),
        Err(MediaError::TooLong { limit: 600, .. })
    ));
}

/// Marsaglia's xorshift64, seeded: the same bytes on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn random_and_mangled_input_never_panics() {
    let mut rng = XorShift(0x5EED_CAFE_F00D_D00D);

    // Pure noise, with and without a RIFF/WAVE prefix.
    for round in 0..2000 {
        let mut bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
        if round % 2 == 0 && bytes.len() >= 12 {
            bytes[0..4].copy_from_slice(b"RIFF");
            bytes[8..12].copy_from_slice(b"WAVE");
        }
        let _ = Prompt::from_wav_bytes(&bytes);
    }

    // Valid files with a few bytes changed, mostly in the headers, and cut
    // at random: this reaches the format checks and the decoders.
    let originals = [
        tone_wav(8000, 1, 1, Depth::Int16, 0.05),
        tone_wav(44_100, 2, 2, Depth::Int24, 0.05),
        tone_wav(16_000, 3, 1, Depth::Float32, 0.05),
        tone_wav(11_025, 1, 1, Depth::Int8, 0.05),
    ];
    for _ in 0..20_000 {
        let mut bytes = originals[rng.below(originals.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let at = if rng.below(4) == 0 {
                rng.below(bytes.len())
            } else {
                rng.below(64)
            };
            bytes[at] = rng.next() as u8;
        }
        if rng.below(4) == 0 {
            bytes.truncate(rng.below(bytes.len()));
        }
        if let Ok(prompt) = Prompt::from_wav_bytes(&bytes) {
            assert!(!prompt.samples().is_empty());
            assert!(prompt.duration_ms() <= Prompt::MAX_SECONDS * 1000);
        }
    }
}

/// A prompt whose samples say where they come from: prompt `index`,
/// sample `n` holds `index * 1000 + n`.
fn numbered_prompt(index: i16, len: i16) -> Prompt {
    Prompt::from_samples((0..len).map(|n| index * 1000 + n).collect())
}

#[test]
fn player_plays_the_list_back_to_back_and_pads_the_end() {
    let list = vec![
        numbered_prompt(1, 100),
        numbered_prompt(2, 250),
        numbered_prompt(3, 37),
    ];
    let expected: Vec<i16> = list
        .iter()
        .flat_map(|prompt| prompt.samples().iter().copied())
        .chain(std::iter::repeat_n(0, 3 * FRAME_SAMPLES - 387))
        .collect();

    let mut player = Player::new(list, false);
    let mut played = Vec::new();
    let mut frame: Frame = [1; FRAME_SAMPLES];
    for _ in 0..3 {
        assert!(!player.is_done());
        assert!(player.next_frame(&mut frame));
        played.extend_from_slice(&frame);
    }
    assert_eq!(played, expected);
    assert!(player.is_done());

    frame = [1; FRAME_SAMPLES];
    assert!(!player.next_frame(&mut frame));
    assert_eq!(frame, SILENCE);
    assert!(!player.next_frame(&mut frame));
}

#[test]
fn barge_in_stops_only_when_asked() {
    let list = || vec![numbered_prompt(1, 400), numbered_prompt(2, 400)];
    let mut frame = SILENCE;

    let mut patient = Player::new(list(), false);
    assert!(patient.next_frame(&mut frame));
    assert!(!patient.on_dtmf());
    assert!(!patient.is_done());
    let mut frames = 1;
    while patient.next_frame(&mut frame) {
        frames += 1;
    }
    assert_eq!(frames, 5, "800 samples make 5 frames, none cut");

    let mut interruptible = Player::new(list(), true);
    assert!(interruptible.next_frame(&mut frame));
    assert_eq!(frame[0], 1000);
    assert!(interruptible.on_dtmf());
    assert!(interruptible.is_done());
    frame = [1; FRAME_SAMPLES];
    assert!(!interruptible.next_frame(&mut frame));
    assert_eq!(frame, SILENCE);
    assert!(!interruptible.on_dtmf(), "already stopped");
}
