//! WAV files: the canonical header the engine writes (recordings, converted
//! prompts) and a reader for whatever WAV an administrator uploads.
//!
//! - `header`: the 44-byte header of a 16-bit PCM file;
//! - `parse`: walks the RIFF chunks of an upload and finds its format and
//!   audio without copying or trusting any length it is told;
//! - `downmix`: turns the stored samples (any depth, any channel count) into
//!   mono 16-bit at the file's own rate;
//! - `sniff`: names what a file that is not a WAV looks like, for the error.

mod downmix;
mod parse;
mod sniff;

pub(crate) use downmix::downmix;
pub(crate) use parse::{Encoding, WavData, parse};

/// Length of the canonical header written by [`header`].
pub const HEADER_BYTES: usize = 44;

/// Bytes of one 16-bit sample.
const BYTES_PER_SAMPLE: u16 = 2;

/// The 44-byte canonical header of a 16-bit PCM WAV.
///
/// `data_bytes` is the length of the audio that follows. Arithmetic
/// saturates instead of overflowing: a nonsense channel count or rate gives
/// a nonsense header, never a panic.
pub fn header(channels: u16, sample_rate: u32, data_bytes: u32) -> [u8; HEADER_BYTES] {
    let block_align = channels.saturating_mul(BYTES_PER_SAMPLE);
    let byte_rate = sample_rate.saturating_mul(u32::from(block_align));
    // The RIFF length counts everything after its own field: "WAVE", the
    // 24-byte fmt chunk and the 8-byte data chunk header, then the audio.
    let riff_len = data_bytes.saturating_add(36);

    let mut out = [0u8; HEADER_BYTES];
    out[0..4].copy_from_slice(b"RIFF");
    out[4..8].copy_from_slice(&riff_len.to_le_bytes());
    out[8..12].copy_from_slice(b"WAVE");
    out[12..16].copy_from_slice(b"fmt ");
    out[16..20].copy_from_slice(&16u32.to_le_bytes());
    out[20..22].copy_from_slice(&parse::FORMAT_PCM.to_le_bytes());
    out[22..24].copy_from_slice(&channels.to_le_bytes());
    out[24..28].copy_from_slice(&sample_rate.to_le_bytes());
    out[28..32].copy_from_slice(&byte_rate.to_le_bytes());
    out[32..34].copy_from_slice(&block_align.to_le_bytes());
    out[34..36].copy_from_slice(&(BYTES_PER_SAMPLE * 8).to_le_bytes());
    out[36..40].copy_from_slice(b"data");
    out[40..44].copy_from_slice(&data_bytes.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_what_hound_writes() {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut cursor = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("writer");
        for sample in [1i16, -2, 3, -4] {
            writer.write_sample(sample).expect("sample");
        }
        writer.finalize().expect("finalize");
        let written = cursor.into_inner();

        assert_eq!(written[..HEADER_BYTES], header(2, 8000, 8)[..]);
    }

    #[test]
    fn header_parses_back() {
        let mut file = header(1, 8000, 4).to_vec();
        file.extend_from_slice(&[1, 0, 2, 0]);
        let wav = parse(&file, 1).expect("our own header parses");
        assert_eq!(
            (wav.encoding, wav.channels, wav.sample_rate, wav.data),
            (Encoding::Int { bytes: 2 }, 1, 8000, &[1u8, 0, 2, 0][..])
        );
    }
}
