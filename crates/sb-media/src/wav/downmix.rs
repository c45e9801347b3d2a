//! Stored samples (any depth, any channel count) to mono 16-bit at the
//! file's own rate. Channels are averaged, so a tone in one channel of a
//! stereo file comes out 6 dB lower rather than clipping a mixed-down file
//! that uses both.

use audio_codec::Decoder;
use audio_codec::pcma::PcmaDecoder;
use audio_codec::pcmu::PcmuDecoder;

use super::{Encoding, WavData};

/// Appends to `out` one mono sample per frame of `frames`, which must be
/// whole frames of `wav`'s format (a trailing partial frame is ignored).
pub(crate) fn downmix(wav: &WavData<'_>, frames: &[u8], out: &mut Vec<i16>) {
    let channels = usize::from(wav.channels);
    match wav.encoding {
        // The engine's own format, and most uploads after conversion: copy.
        Encoding::Int { bytes: 2 } if channels == 1 => out.extend(
            frames
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]])),
        ),
        Encoding::Int { bytes: 1 } => average(frames, channels, 1, out, |b| {
            (f32::from(b[0]) - 128.0) * 256.0
        }),
        Encoding::Int { bytes: 2 } => average(frames, channels, 2, out, |b| {
            f32::from(i16::from_le_bytes([b[0], b[1]]))
        }),
        // Wider integers are scaled down to 16-bit full scale, keeping their
        // extra bits as a fraction until the final rounding.
        Encoding::Int { bytes: 3 } => average(frames, channels, 3, out, |b| {
            i32::from_le_bytes([0, b[0], b[1], b[2]]) as f32 / 65_536.0
        }),
        Encoding::Int { .. } => average(frames, channels, 4, out, |b| {
            i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 65_536.0
        }),
        Encoding::Float { bytes: 8 } => average(frames, channels, 8, out, |b| {
            let value = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            (value * 32_768.0) as f32
        }),
        Encoding::Float { .. } => average(frames, channels, 4, out, |b| {
            f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * 32_768.0
        }),
        Encoding::ALaw => {
            let table = g711_table(&mut PcmaDecoder::new());
            average(frames, channels, 1, out, |b| {
                f32::from(table[usize::from(b[0])])
            });
        }
        Encoding::MuLaw => {
            let table = g711_table(&mut PcmuDecoder::new());
            average(frames, channels, 1, out, |b| {
                f32::from(table[usize::from(b[0])])
            });
        }
    }
}

/// Averages each frame's channels, each read from `sample_bytes` bytes by
/// `read` into 16-bit scale.
fn average(
    frames: &[u8],
    channels: usize,
    sample_bytes: usize,
    out: &mut Vec<i16>,
    read: impl Fn(&[u8]) -> f32,
) {
    let scale = 1.0 / channels as f32;
    out.extend(frames.chunks_exact(channels * sample_bytes).map(|frame| {
        let sum: f32 = frame.chunks_exact(sample_bytes).map(&read).sum();
        // `as` saturates at the i16 range and turns NaN into 0, so float
        // files with out-of-range or broken values cannot wrap around.
        (sum * scale).round() as i16
    }));
}

/// The 256 linear values of a G.711 law, decoded once per file.
fn g711_table(decoder: &mut dyn Decoder) -> [i16; 256] {
    let codes: [u8; 256] = std::array::from_fn(|code| code as u8);
    let mut table = [0i16; 256];
    // Cannot fail: the output holds one sample per input byte, which is all
    // G.711 needs. Were it ever to, the file would decode as silence.
    let _ = decoder.decode_into(&codes, &mut table);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn downmixed(encoding: Encoding, channels: u16, data: &[u8]) -> Vec<i16> {
        let wav = WavData {
            encoding,
            channels,
            sample_rate: 8000,
            data,
        };
        let mut out = Vec::new();
        downmix(&wav, data, &mut out);
        out
    }

    #[test]
    fn every_depth_lands_on_16_bit_scale() {
        assert_eq!(
            downmixed(Encoding::Int { bytes: 1 }, 1, &[0, 128, 255]),
            [-32768, 0, 32512]
        );
        assert_eq!(
            downmixed(
                Encoding::Int { bytes: 3 },
                1,
                &[0x00, 0x80, 0x00, 0xFF, 0xFF, 0xFF]
            ),
            [128, 0]
        );
        assert_eq!(
            downmixed(Encoding::Int { bytes: 4 }, 1, &(-1_i32 << 30).to_le_bytes()),
            [-16384]
        );
        let mut float = 0.5f32.to_le_bytes().to_vec();
        float.extend_from_slice(&f32::NAN.to_le_bytes());
        float.extend_from_slice(&4.0f32.to_le_bytes());
        assert_eq!(
            downmixed(Encoding::Float { bytes: 4 }, 1, &float),
            [16384, 0, 32767]
        );
        assert_eq!(
            downmixed(Encoding::Float { bytes: 8 }, 1, &(-0.25f64).to_le_bytes()),
            [-8192]
        );
        // µ-law 0xFF and A-law 0xD5 are the codes for (near) zero.
        assert_eq!(downmixed(Encoding::MuLaw, 1, &[0xFF, 0x80]), [0, 32124]);
        assert_eq!(downmixed(Encoding::ALaw, 1, &[0xD5])[0].abs(), 8);
    }

    #[test]
    fn channels_are_averaged() {
        let mut data = Vec::new();
        for sample in [1000i16, 3000, -4000, 0, 0, 5] {
            data.extend_from_slice(&sample.to_le_bytes());
        }
        assert_eq!(downmixed(Encoding::Int { bytes: 2 }, 3, &data), [0, 2]);
    }
}
