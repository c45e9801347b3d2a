//! Codec round trips measured by signal-to-noise ratio, G.722 against a far
//! end that really runs at 16 kHz, and the G.711 transcoding tables.

use std::f64::consts::PI;

use sb_media::codec::{Codec, Decoder, Encoder, transcode_g711};
use sb_media::frame::FRAME_SAMPLES;

const AMPLITUDES: [f64; 4] = [1000.0, 4000.0, 12000.0, 30000.0];

/// `amplitude * sin(2π f t)` sampled at `rate`, `delay` samples late.
fn sine_at(frequency: f64, amplitude: f64, rate: f64, index: usize, delay: f64) -> f64 {
    amplitude * (2.0 * PI * frequency * (index as f64 - delay) / rate).sin()
}

fn sine(frequency: f64, amplitude: f64, rate: f64, count: usize) -> Vec<i16> {
    (0..count)
        .map(|index| sine_at(frequency, amplitude, rate, index, 0.0).round() as i16)
        .collect()
}

/// SNR in dB of `output` against the ideal sine delayed by `delay` samples,
/// over the second half (past any filter start-up).
fn snr_db(output: &[i16], amplitude: f64, rate: f64, delay: f64) -> f64 {
    let (mut signal, mut noise) = (0.0, 0.0);
    for (index, &sample) in output.iter().enumerate().skip(output.len() / 2) {
        let ideal = sine_at(1000.0, amplitude, rate, index, delay);
        signal += ideal * ideal;
        noise += (f64::from(sample) - ideal).powi(2);
    }
    10.0 * (signal / noise.max(1e-9)).log10()
}

/// Codecs with a delay: the best SNR over delays of 0 to 64 samples in
/// half-sample steps (filters need not delay by whole samples).
fn best_snr_db(output: &[i16], amplitude: f64, rate: f64) -> (f64, f64) {
    (0..=128)
        .map(|step| {
            let delay = f64::from(step) / 2.0;
            (snr_db(output, amplitude, rate, delay), delay)
        })
        .fold((f64::MIN, 0.0), |best, candidate| {
            if candidate.0 > best.0 {
                candidate
            } else {
                best
            }
        })
}

/// Encodes and decodes one second of 8 kHz audio a frame at a time, as the
/// engine does.
fn round_trip(codec: Codec, input: &[i16]) -> Vec<i16> {
    let mut encoder = Encoder::new(codec);
    let mut decoder = Decoder::new(codec);
    let mut payload = Vec::new();
    let mut output = Vec::new();
    for frame in input.chunks(FRAME_SAMPLES) {
        payload.clear();
        encoder.encode(frame, &mut payload);
        assert_eq!(
            payload.len(),
            frame.len(),
            "{codec}: one byte per 8 kHz sample"
        );
        let before = output.len();
        decoder.decode(&payload, &mut output);
        assert_eq!(
            output.len() - before,
            frame.len(),
            "{codec}: one sample per byte"
        );
    }
    output
}

#[test]
fn g711_round_trip_keeps_a_sine_clean() {
    for codec in [Codec::Pcmu, Codec::Pcma] {
        for amplitude in AMPLITUDES {
            let output = round_trip(codec, &sine(1000.0, amplitude, 8000.0, 8000));
            let snr = snr_db(&output, amplitude, 8000.0, 0.0);
            assert!(
                snr > 30.0,
                "{codec} at amplitude {amplitude}: SNR {snr:.1} dB"
            );
        }
    }
}

#[test]
fn g722_round_trip_keeps_a_sine_clean() {
    for amplitude in AMPLITUDES {
        let output = round_trip(Codec::G722, &sine(1000.0, amplitude, 8000.0, 8000));
        let (snr, delay) = best_snr_db(&output, amplitude, 8000.0);
        assert!(
            snr > 20.0,
            "G.722 at amplitude {amplitude}: SNR {snr:.1} dB (delay {delay})"
        );
    }
}

#[test]
fn g722_decodes_what_a_16_khz_phone_sends() {
    use audio_codec::Encoder as _;
    for amplitude in AMPLITUDES {
        let mut phone = audio_codec::g722::G722Encoder::new();
        let mut decoder = Decoder::new(Codec::G722);
        let mut output = Vec::new();
        for frame in sine(1000.0, amplitude, 16000.0, 16000).chunks(2 * FRAME_SAMPLES) {
            let payload = phone.encode(frame);
            assert_eq!(payload.len(), FRAME_SAMPLES);
            decoder.decode(&payload, &mut output);
        }
        assert_eq!(output.len(), 8000);
        let (snr, delay) = best_snr_db(&output, amplitude, 8000.0);
        assert!(
            snr > 20.0,
            "amplitude {amplitude}: SNR {snr:.1} dB (delay {delay})"
        );
    }
}

#[test]
fn g722_is_understood_by_a_16_khz_phone() {
    use audio_codec::Decoder as _;
    for amplitude in AMPLITUDES {
        let mut encoder = Encoder::new(Codec::G722);
        let mut phone = audio_codec::g722::G722Decoder::new();
        let mut payload = Vec::new();
        let mut output = Vec::new();
        for frame in sine(1000.0, amplitude, 8000.0, 8000).chunks(FRAME_SAMPLES) {
            payload.clear();
            encoder.encode(frame, &mut payload);
            output.extend(phone.decode(&payload));
        }
        assert_eq!(output.len(), 16000);
        let (snr, delay) = best_snr_db(&output, amplitude, 16000.0);
        assert!(
            snr > 20.0,
            "amplitude {amplitude}: SNR {snr:.1} dB (delay {delay})"
        );
    }
}

#[test]
fn g722_removes_what_8_khz_cannot_carry() {
    // A 6 kHz tone from a wideband phone must not fold back to 2 kHz.
    use audio_codec::Encoder as _;
    let mut phone = audio_codec::g722::G722Encoder::new();
    let mut decoder = Decoder::new(Codec::G722);
    let mut output = Vec::new();
    for frame in sine(6000.0, 12000.0, 16000.0, 16000).chunks(2 * FRAME_SAMPLES) {
        decoder.decode(&phone.encode(frame), &mut output);
    }
    let tail = &output[4000..];
    let rms = (tail.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
    assert!(
        rms < 12000.0 / 2f64.sqrt() / 100.0,
        "alias at {rms:.0} RMS, want 40 dB down"
    );
}

#[test]
fn transcoding_equals_decoding_then_encoding_for_every_byte() {
    let every_byte: Vec<u8> = (0..=255).collect();
    for (from, to) in [(Codec::Pcmu, Codec::Pcma), (Codec::Pcma, Codec::Pcmu)] {
        let mut samples = Vec::new();
        Decoder::new(from).decode(&every_byte, &mut samples);
        let mut expected = Vec::new();
        Encoder::new(to).encode(&samples, &mut expected);

        let mut transcoded = vec![0x42];
        transcode_g711(from, to, &every_byte, &mut transcoded);
        assert_eq!(transcoded[0], 0x42, "appends to what is there");
        assert_eq!(&transcoded[1..], &expected[..], "{from} to {to}");
    }
    // The same law copies, even µ-law's negative zero (0x7F), which a
    // decode and encode would turn into 0xFF.
    for codec in [Codec::Pcmu, Codec::Pcma] {
        let mut copied = Vec::new();
        transcode_g711(codec, codec, &every_byte, &mut copied);
        assert_eq!(copied, every_byte);
    }
    // The table is not the identity: the two laws code silence differently.
    let mut silence = Vec::new();
    transcode_g711(Codec::Pcmu, Codec::Pcma, &[0xFF], &mut silence);
    assert_eq!(silence, [0xD5]);
}

#[test]
fn transcoding_g722_is_refused_by_appending_nothing() {
    let mut out = Vec::new();
    transcode_g711(Codec::G722, Codec::Pcmu, &[1, 2, 3], &mut out);
    transcode_g711(Codec::Pcma, Codec::G722, &[1, 2, 3], &mut out);
    assert!(out.is_empty());
}

#[test]
fn sdp_names_and_payload_types() {
    assert_eq!(Codec::from_rtpmap("pcmu", 8000), Some(Codec::Pcmu));
    assert_eq!(Codec::from_rtpmap("PCMA", 8000), Some(Codec::Pcma));
    assert_eq!(Codec::from_rtpmap("g722", 8000), Some(Codec::G722));
    assert_eq!(
        Codec::from_rtpmap("G722", 16000),
        None,
        "RFC 3551 says 8000"
    );
    assert_eq!(Codec::from_rtpmap("PCMU", 16000), None);
    assert_eq!(Codec::from_rtpmap("opus", 48000), None);
    assert_eq!(Codec::from_rtpmap("", 8000), None);
    for codec in [Codec::Pcmu, Codec::Pcma, Codec::G722] {
        assert_eq!(
            Codec::from_static_payload_type(codec.static_payload_type()),
            Some(codec)
        );
        let (name, rate) = codec.rtpmap().split_once('/').expect("name/rate");
        assert_eq!(name, codec.name());
        assert_eq!(
            Codec::from_rtpmap(name, rate.parse().expect("rate")),
            Some(codec)
        );
        assert_eq!(codec.rtp_samples_per_frame(), 160);
        assert_eq!(Encoder::new(codec).codec(), codec);
        assert_eq!(Decoder::new(codec).codec(), codec);
    }
    assert_eq!(
        [0, 8, 9].map(Codec::from_static_payload_type),
        [Some(Codec::Pcmu), Some(Codec::Pcma), Some(Codec::G722)]
    );
    assert_eq!(Codec::from_static_payload_type(18), None);
    assert_eq!(Codec::from_static_payload_type(101), None);
}
