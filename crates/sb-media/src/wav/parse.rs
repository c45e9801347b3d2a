//! Finds the format and the audio of a WAV held in memory.
//!
//! Every length in the file is checked against the bytes actually present
//! before it is used, so a header that claims gigabytes costs nothing: the
//! audio is returned as a slice of the input, never copied or allocated
//! from a size the file announced.

use super::sniff::describe;
use crate::MediaError;

/// `WAVE_FORMAT_PCM`: integer samples.
pub(super) const FORMAT_PCM: u16 = 0x0001;
/// `WAVE_FORMAT_IEEE_FLOAT`.
const FORMAT_FLOAT: u16 = 0x0003;
/// `WAVE_FORMAT_ALAW` (G.711 A-law, common in telephony prompt sets).
const FORMAT_ALAW: u16 = 0x0006;
/// `WAVE_FORMAT_MULAW` (G.711 µ-law).
const FORMAT_MULAW: u16 = 0x0007;
/// `WAVE_FORMAT_EXTENSIBLE`: the real format is in the sub-format GUID.
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Bytes 2..16 shared by every `KSDATAFORMAT_SUBTYPE_*` GUID whose first
/// two bytes are a classic format tag (PCM, IEEE float, A-law, µ-law).
const SUBTYPE_GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// Sample rates accepted. Wider than anything a recorder produces (8 to
/// 48 kHz in practice, up to 384 kHz for studio files) but narrow enough
/// that the resampler's tick arithmetic stays meaningful.
const SAMPLE_RATES: std::ops::RangeInclusive<u32> = 1_000..=384_000;

/// How one sample of one channel is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Little-endian two's complement (unsigned with a 128 offset when one
    /// byte wide), left-justified in `bytes` as WAVE_FORMAT_EXTENSIBLE says.
    Int { bytes: u8 },
    /// Little-endian IEEE float of 4 or 8 bytes, full scale at ±1.0.
    Float { bytes: u8 },
    /// G.711 A-law, one byte.
    ALaw,
    /// G.711 µ-law, one byte.
    MuLaw,
}

impl Encoding {
    /// Bytes one sample of one channel takes.
    pub(crate) fn bytes(self) -> usize {
        match self {
            Encoding::Int { bytes } | Encoding::Float { bytes } => usize::from(bytes),
            Encoding::ALaw | Encoding::MuLaw => 1,
        }
    }
}

/// A WAV's format and its audio, borrowed from the file's bytes.
#[derive(Debug)]
pub(crate) struct WavData<'a> {
    pub(crate) encoding: Encoding,
    pub(crate) channels: u16,
    pub(crate) sample_rate: u32,
    /// The audio, interleaved, whole frames only.
    pub(crate) data: &'a [u8],
}

impl WavData<'_> {
    /// Bytes of one frame (one sample of every channel).
    pub(crate) fn frame_bytes(&self) -> usize {
        usize::from(self.channels) * self.encoding.bytes()
    }

    /// Frames (samples per channel) of audio.
    pub(crate) fn frames(&self) -> usize {
        self.data.len() / self.frame_bytes()
    }
}

/// The format read from a `fmt ` chunk.
#[derive(Debug, Clone, Copy)]
struct Format {
    encoding: Encoding,
    channels: u16,
    sample_rate: u32,
}

impl Format {
    fn frame_bytes(&self) -> usize {
        usize::from(self.channels) * self.encoding.bytes()
    }
}

/// Reads a WAV's format and finds its audio.
///
/// The announced length is checked against `max_seconds` before it is
/// checked against the file, so a huge claim is refused as too long without
/// reading anything; then a claim beyond the end of the file is refused as
/// truncated. An empty `data` chunk is returned as is (the caller decides
/// that it is [`MediaError::EmptyAudio`]).
pub(crate) fn parse(bytes: &[u8], max_seconds: u64) -> Result<WavData<'_>, MediaError> {
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err(MediaError::NotWav(describe(bytes)));
    }

    let mut format: Option<Format> = None;
    let mut offset: usize = 12;
    // Fewer than 8 bytes left cannot hold a chunk header; some writers leave
    // a stray pad byte at the end, which is harmless.
    while let Some(chunk_header) = bytes.get(offset..offset.saturating_add(8)) {
        let id = [
            chunk_header[0],
            chunk_header[1],
            chunk_header[2],
            chunk_header[3],
        ];
        let size = u32::from_le_bytes([
            chunk_header[4],
            chunk_header[5],
            chunk_header[6],
            chunk_header[7],
        ]);
        let body_start = offset + 8;
        let available = bytes.len() - body_start;

        if &id == b"data" {
            let format = format.ok_or_else(|| {
                MediaError::CorruptAudio("the data chunk comes before the fmt chunk".into())
            })?;
            return audio(bytes, body_start, size, format, max_seconds);
        }

        let body = usize::try_from(size)
            .ok()
            .filter(|&size| size <= available)
            .and_then(|size| bytes.get(body_start..body_start + size))
            .ok_or_else(|| {
                MediaError::CorruptAudio(format!(
                    "the file ends inside its {} chunk ({size} bytes announced, {available} present)",
                    chunk_name(id)
                ))
            })?;
        if &id == b"fmt " && format.is_none() {
            format = Some(parse_format(body)?);
        }
        // RIFF chunks start on even offsets: an odd-sized body is followed
        // by one pad byte.
        offset = body_start + body.len() + body.len() % 2;
    }

    Err(MediaError::CorruptAudio(match format {
        None => "it has no fmt chunk".into(),
        Some(_) => "it has no data chunk".into(),
    }))
}

/// Checks the `data` chunk's announced size and slices it out.
fn audio(
    bytes: &[u8],
    body_start: usize,
    size: u32,
    format: Format,
    max_seconds: u64,
) -> Result<WavData<'_>, MediaError> {
    let frame_bytes = format.frame_bytes() as u64;
    let announced_frames = u64::from(size) / frame_bytes;
    let rate = u64::from(format.sample_rate);
    if announced_frames > max_seconds.saturating_mul(rate) {
        return Err(MediaError::TooLong {
            seconds: announced_frames.div_ceil(rate),
            limit: max_seconds,
        });
    }

    let available = bytes.len() - body_start;
    let data = usize::try_from(size)
        .ok()
        .filter(|&size| size <= available)
        .and_then(|size| bytes.get(body_start..body_start + size))
        .ok_or_else(|| {
            MediaError::CorruptAudio(format!(
                "it is truncated: {size} bytes of audio announced, {available} present"
            ))
        })?;
    if !(data.len() as u64).is_multiple_of(frame_bytes) {
        return Err(MediaError::CorruptAudio(format!(
            "its {} bytes of audio are not whole frames of {frame_bytes} bytes",
            data.len()
        )));
    }

    Ok(WavData {
        encoding: format.encoding,
        channels: format.channels,
        sample_rate: format.sample_rate,
        data,
    })
}

/// Reads a `fmt ` chunk (WAVEFORMAT, WAVEFORMATEX or WAVEFORMATEXTENSIBLE).
fn parse_format(body: &[u8]) -> Result<Format, MediaError> {
    let field_u16 = |at: usize| {
        body.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let field_u32 = |at: usize| {
        body.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(mut tag), Some(channels), Some(sample_rate), Some(block_align), Some(bits)) = (
        field_u16(0),
        field_u16(2),
        field_u32(4),
        field_u16(12),
        field_u16(14),
    ) else {
        return Err(MediaError::CorruptAudio(format!(
            "its fmt chunk is {} bytes, at least 16 are needed",
            body.len()
        )));
    };

    if tag == FORMAT_EXTENSIBLE {
        let guid = body.get(24..40).ok_or_else(|| {
            MediaError::CorruptAudio(format!(
                "its extensible fmt chunk is {} bytes, 40 are needed",
                body.len()
            ))
        })?;
        if guid[2..] != SUBTYPE_GUID_TAIL {
            return Err(MediaError::UnsupportedCodec(format!(
                "WAV sub-format {}",
                sb_core::secret::hex(guid)
            )));
        }
        tag = u16::from_le_bytes([guid[0], guid[1]]);
    }

    if channels == 0 {
        return Err(MediaError::CorruptAudio("it has zero channels".into()));
    }
    if sample_rate == 0 {
        return Err(MediaError::CorruptAudio("its sample rate is 0 Hz".into()));
    }
    if !SAMPLE_RATES.contains(&sample_rate) {
        return Err(MediaError::UnsupportedCodec(format!(
            "WAV audio at {sample_rate} Hz"
        )));
    }
    // The container size comes from the block alignment, not from the bits:
    // 24-bit audio is sometimes stored in 4-byte containers.
    if block_align == 0 || !block_align.is_multiple_of(channels) {
        return Err(MediaError::CorruptAudio(format!(
            "its block alignment of {block_align} bytes does not split into {channels} channels"
        )));
    }
    let container = block_align / channels;
    if bits == 0 || u32::from(bits) > u32::from(container) * 8 {
        return Err(MediaError::CorruptAudio(format!(
            "{bits}-bit samples do not fit its {container}-byte containers"
        )));
    }

    let encoding = match (tag, container) {
        (FORMAT_PCM, 1..=4) => Encoding::Int {
            bytes: container as u8,
        },
        (FORMAT_FLOAT, 4 | 8) => Encoding::Float {
            bytes: container as u8,
        },
        (FORMAT_ALAW, 1) => Encoding::ALaw,
        (FORMAT_MULAW, 1) => Encoding::MuLaw,
        (FORMAT_PCM | FORMAT_FLOAT | FORMAT_ALAW | FORMAT_MULAW, _) => {
            return Err(MediaError::UnsupportedCodec(format!(
                "{} in {container}-byte samples",
                format_name(tag)
            )));
        }
        _ => return Err(MediaError::UnsupportedCodec(format_name(tag))),
    };

    Ok(Format {
        encoding,
        channels,
        sample_rate,
    })
}

/// A readable name for a WAV format tag, for error messages.
fn format_name(tag: u16) -> String {
    let known = match tag {
        FORMAT_PCM => "integer PCM",
        FORMAT_FLOAT => "floating-point PCM",
        FORMAT_ALAW => "A-law",
        FORMAT_MULAW => "µ-law",
        0x0002 => "MS ADPCM",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x0064 | 0x0065 => "G.726",
        0x0133 => "G.729",
        0x0161 => "WMA",
        _ => "",
    };
    if known.is_empty() {
        format!("WAV format 0x{tag:04x}")
    } else {
        format!("{known} (WAV format 0x{tag:04x})")
    }
}

/// A chunk id as text when it is printable, as hex otherwise.
fn chunk_name(id: [u8; 4]) -> String {
    if id.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("\"{}\"", String::from_utf8_lossy(&id))
    } else {
        sb_core::secret::hex(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A RIFF/WAVE file made of the given chunks.
    fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut out = b"RIFF\0\0\0\0WAVE".to_vec();
        for (id, body) in chunks {
            out.extend_from_slice(*id);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(body);
            if body.len() % 2 == 1 {
                out.push(0);
            }
        }
        out
    }

    fn fmt(tag: u16, channels: u16, rate: u32, block_align: u16, bits: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&channels.to_le_bytes());
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        out.extend_from_slice(&block_align.to_le_bytes());
        out.extend_from_slice(&bits.to_le_bytes());
        out
    }

    #[test]
    fn odd_sized_chunks_before_the_audio_are_skipped_with_their_pad_byte() {
        let file = riff(&[
            (b"fmt ", &fmt(FORMAT_MULAW, 1, 8000, 1, 8)),
            (b"LIST", b"odd"),
            (b"data", &[0xFF, 0x7F]),
        ]);
        let wav = parse(&file, 1).expect("parses");
        assert_eq!(
            (wav.encoding, wav.data),
            (Encoding::MuLaw, &[0xFF, 0x7F][..])
        );
    }

    #[test]
    fn extensible_format_takes_its_tag_from_the_guid() {
        let mut body = fmt(FORMAT_EXTENSIBLE, 2, 48_000, 6, 24);
        body.extend_from_slice(&22u16.to_le_bytes());
        body.extend_from_slice(&24u16.to_le_bytes());
        body.extend_from_slice(&3u32.to_le_bytes());
        body.extend_from_slice(&FORMAT_PCM.to_le_bytes());
        body.extend_from_slice(&SUBTYPE_GUID_TAIL);
        let file = riff(&[(b"fmt ", &body), (b"data", &[0; 12])]);
        let wav = parse(&file, 1).expect("parses");
        assert_eq!(
            (wav.encoding, wav.channels, wav.frames()),
            (Encoding::Int { bytes: 3 }, 2, 2)
        );
    }

    #[test]
    fn unsupported_and_inconsistent_formats_are_refused_by_name() {
        let adpcm = riff(&[(b"fmt ", &fmt(0x0002, 1, 8000, 256, 4)), (b"data", &[])]);
        assert!(
            matches!(parse(&adpcm, 1), Err(MediaError::UnsupportedCodec(name)) if name.contains("ADPCM"))
        );
        let zero_channels = riff(&[(b"fmt ", &fmt(FORMAT_PCM, 0, 8000, 2, 16))]);
        assert!(matches!(
            parse(&zero_channels, 1),
            Err(MediaError::CorruptAudio(_))
        ));
        let bits_overflow = riff(&[(b"fmt ", &fmt(FORMAT_PCM, 1, 8000, 2, 24))]);
        assert!(matches!(
            parse(&bits_overflow, 1),
            Err(MediaError::CorruptAudio(_))
        ));
        let data_first = riff(&[
            (b"data", &[0, 0]),
            (b"fmt ", &fmt(FORMAT_PCM, 1, 8000, 2, 16)),
        ]);
        assert!(matches!(
            parse(&data_first, 1),
            Err(MediaError::CorruptAudio(_))
        ));
        let half_frame = riff(&[
            (b"fmt ", &fmt(FORMAT_PCM, 2, 8000, 4, 16)),
            (b"data", &[0; 6]),
        ]);
        assert!(matches!(
            parse(&half_frame, 1),
            Err(MediaError::CorruptAudio(_))
        ));
    }
}
