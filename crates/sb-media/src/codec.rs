//! The three codecs the switch speaks, to and from the engine's internal
//! 8 kHz frames (`crate::frame`).
//!
//! G.711 (PCMU, PCMA) runs in the hottest loop of the product, so it is table
//! lookups only; a relay between a PCMU and a PCMA phone translates bytes
//! through a 256-entry table without going through linear PCM at all.
//! G.722 is decoded at its native 16 kHz and brought down to 8 kHz with a
//! half-band filter (and the other way round to encode).
//!
//! The codec arithmetic itself is the `audio-codec` crate's.

use std::fmt;
use std::sync::LazyLock;

use audio_codec::g722::{G722Decoder, G722Encoder};
use audio_codec::pcma::{PcmaDecoder, PcmaEncoder};
use audio_codec::pcmu::{PcmuDecoder, PcmuEncoder};

/// A codec a leg can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    Pcmu,
    Pcma,
    G722,
}

impl Codec {
    /// Reads an SDP `a=rtpmap` encoding name and clock rate (RFC 3551 §6):
    /// names are case-insensitive; each of these codecs has one clock rate.
    pub fn from_rtpmap(encoding: &str, clock_rate: u32) -> Option<Codec> {
        let codec = [Codec::Pcmu, Codec::Pcma, Codec::G722]
            .into_iter()
            .find(|codec| codec.name().eq_ignore_ascii_case(encoding))?;
        (clock_rate == codec.rtp_clock_rate()).then_some(codec)
    }

    /// RFC 3551 §6, Table 4.
    pub fn static_payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
            Codec::G722 => 9,
        }
    }

    pub fn from_static_payload_type(payload_type: u8) -> Option<Codec> {
        match payload_type {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            9 => Some(Codec::G722),
            _ => None,
        }
    }

    /// The `a=rtpmap` value after the payload type.
    pub fn rtpmap(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU/8000",
            Codec::Pcma => "PCMA/8000",
            Codec::G722 => "G722/8000",
        }
    }

    /// The encoding name as SDP spells it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::G722 => "G722",
        }
    }

    /// RTP clock rate: 8000 for all three. G.722 samples at 16 kHz but its RTP
    /// clock runs at 8000 for historical reasons (RFC 3551 §4.5.2).
    pub fn rtp_clock_rate(self) -> u32 {
        8000
    }

    /// RTP timestamp units per 20 ms frame (160 for all three, see
    /// [`Codec::rtp_clock_rate`]).
    pub fn rtp_samples_per_frame(self) -> u32 {
        self.rtp_clock_rate() / 50
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Turns one leg's payloads into internal 8 kHz frames.
pub struct Decoder {
    kind: DecoderKind,
}

enum DecoderKind {
    Pcmu,
    Pcma,
    /// G.722 keeps ADPCM and filter state between packets; G.711 has none.
    G722(Box<WidebandDecoder>),
}

struct WidebandDecoder {
    decoder: G722Decoder,
    samples_16k: Vec<i16>,
    decimator: HalfBandDecimator,
}

impl Decoder {
    pub fn new(codec: Codec) -> Self {
        let kind = match codec {
            Codec::Pcmu => DecoderKind::Pcmu,
            Codec::Pcma => DecoderKind::Pcma,
            Codec::G722 => DecoderKind::G722(Box::new(WidebandDecoder {
                decoder: G722Decoder::new(),
                samples_16k: Vec::with_capacity(2 * crate::frame::FRAME_SAMPLES),
                decimator: HalfBandDecimator::new(),
            })),
        };
        Decoder { kind }
    }

    pub fn codec(&self) -> Codec {
        match self.kind {
            DecoderKind::Pcmu => Codec::Pcmu,
            DecoderKind::Pcma => Codec::Pcma,
            DecoderKind::G722(_) => Codec::G722,
        }
    }

    /// Appends the decoded 8 kHz samples to `out` (one per payload byte for
    /// all three codecs).
    pub fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) {
        match &mut self.kind {
            DecoderKind::Pcmu => decode_into_tail(&mut PcmuDecoder::new(), payload, out),
            DecoderKind::Pcma => decode_into_tail(&mut PcmaDecoder::new(), payload, out),
            DecoderKind::G722(wideband) => {
                let samples_16k = &mut wideband.samples_16k;
                samples_16k.clear();
                decode_into_tail(&mut wideband.decoder, payload, samples_16k);
                wideband.decimator.process(samples_16k, out);
            }
        }
    }
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("codec", &self.codec())
            .finish_non_exhaustive()
    }
}

/// Decodes into a slice sized by the decoder's own bound, then keeps what it
/// wrote. None of the three can fail on a slice that size.
fn decode_into_tail(decoder: &mut impl audio_codec::Decoder, payload: &[u8], out: &mut Vec<i16>) {
    let start = out.len();
    out.resize(start + decoder.max_decode_samples(payload.len()), 0);
    let written = decoder.decode_into(payload, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// Internal 8 kHz frames to one leg's payloads.
pub struct Encoder {
    kind: EncoderKind,
}

enum EncoderKind {
    Pcmu,
    Pcma,
    G722(Box<WidebandEncoder>),
}

struct WidebandEncoder {
    encoder: G722Encoder,
    samples_16k: Vec<i16>,
    interpolator: HalfBandInterpolator,
}

impl Encoder {
    pub fn new(codec: Codec) -> Self {
        let kind = match codec {
            Codec::Pcmu => EncoderKind::Pcmu,
            Codec::Pcma => EncoderKind::Pcma,
            Codec::G722 => EncoderKind::G722(Box::new(WidebandEncoder {
                encoder: G722Encoder::new(),
                samples_16k: Vec::with_capacity(2 * crate::frame::FRAME_SAMPLES),
                interpolator: HalfBandInterpolator::new(),
            })),
        };
        Encoder { kind }
    }

    pub fn codec(&self) -> Codec {
        match self.kind {
            EncoderKind::Pcmu => Codec::Pcmu,
            EncoderKind::Pcma => Codec::Pcma,
            EncoderKind::G722(_) => Codec::G722,
        }
    }

    /// Appends the encoded bytes of `samples` (8 kHz) to `out` (one byte per
    /// sample for all three codecs).
    pub fn encode(&mut self, samples: &[i16], out: &mut Vec<u8>) {
        match &mut self.kind {
            EncoderKind::Pcmu => encode_into_tail(&mut PcmuEncoder::new(), samples, out),
            EncoderKind::Pcma => encode_into_tail(&mut PcmaEncoder::new(), samples, out),
            EncoderKind::G722(wideband) => {
                let samples_16k = &mut wideband.samples_16k;
                samples_16k.clear();
                wideband.interpolator.process(samples, samples_16k);
                encode_into_tail(&mut wideband.encoder, samples_16k, out);
            }
        }
    }
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("codec", &self.codec())
            .finish_non_exhaustive()
    }
}

/// See [`decode_into_tail`].
fn encode_into_tail(encoder: &mut impl audio_codec::Encoder, samples: &[i16], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + encoder.max_encode_bytes(samples.len()), 0);
    let written = encoder.encode_into(samples, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// Direct byte-for-byte G.711 transcoding through 256-entry tables (what a
/// relay between a PCMU and a PCMA phone does per packet, without going
/// through linear PCM). Each byte maps to what decoding it and encoding the
/// sample again would give. The same codec on both sides copies; G.722 on
/// either side is not byte-mappable and appends nothing.
pub fn transcode_g711(from: Codec, to: Codec, payload: &[u8], out: &mut Vec<u8>) {
    let table: &[u8; 256] = match (from, to) {
        (Codec::Pcmu, Codec::Pcma) => &ULAW_TO_ALAW,
        (Codec::Pcma, Codec::Pcmu) => &ALAW_TO_ULAW,
        (Codec::Pcmu, Codec::Pcmu) | (Codec::Pcma, Codec::Pcma) => {
            out.extend_from_slice(payload);
            return;
        }
        (Codec::G722, _) | (_, Codec::G722) => return,
    };
    out.extend(payload.iter().map(|&byte| table[usize::from(byte)]));
}

static ULAW_TO_ALAW: LazyLock<[u8; 256]> =
    LazyLock::new(|| g711_table(&mut PcmuDecoder::new(), &mut PcmaEncoder::new()));
static ALAW_TO_ULAW: LazyLock<[u8; 256]> =
    LazyLock::new(|| g711_table(&mut PcmaDecoder::new(), &mut PcmuEncoder::new()));

fn g711_table(
    decoder: &mut impl audio_codec::Decoder,
    encoder: &mut impl audio_codec::Encoder,
) -> [u8; 256] {
    let every_byte: [u8; 256] = std::array::from_fn(|index| index as u8);
    let mut samples = [0i16; 256];
    let mut table = [0u8; 256];
    // Slices of equal length: neither G.711 codec can fail on them.
    let _ = decoder.decode_into(&every_byte, &mut samples);
    let _ = encoder.encode_into(&samples, &mut table);
    table
}

/// Half-band low-pass, cut-off at a quarter of the 16 kHz rate: flat to
/// 3.4 kHz (-0.05 dB), -45 dB from 4.6 kHz. Kaiser-windowed sinc (beta 6),
/// 47 taps of which only the centre (0.5) and these odd offsets ±1, ±3, …
/// ±23 are non-zero; scaled so the DC gain is exactly 1.
const HALF_BAND_TAPS: [f32; 12] = [
    0.316_692_84,
    -0.101_265_98,
    0.055_863_797,
    -0.035_098_62,
    0.022_903_054,
    -0.014_926_125,
    0.009_484_942,
    -0.005_758_369,
    0.003_262_334,
    -0.001_664_487,
    0.000_712_469,
    -0.000_205_858,
];
/// Samples either side of the centre tap, at 16 kHz.
const HALF_BAND_REACH: usize = 2 * HALF_BAND_TAPS.len() - 1;

/// 16 kHz to 8 kHz: filter, keep every other sample.
struct HalfBandDecimator {
    /// The last `2 * HALF_BAND_REACH` input samples, then the new ones.
    window: Vec<f32>,
}

impl HalfBandDecimator {
    fn new() -> Self {
        let mut window = Vec::with_capacity(2 * HALF_BAND_REACH + 4 * crate::frame::FRAME_SAMPLES);
        window.resize(2 * HALF_BAND_REACH, 0.0);
        HalfBandDecimator { window }
    }

    fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        self.window
            .extend(input.iter().map(|&sample| f32::from(sample)));
        let outputs = (self.window.len() - 2 * HALF_BAND_REACH) / 2;
        let window = &self.window;
        out.extend((0..outputs).map(|index| {
            let centre = HALF_BAND_REACH + 2 * index;
            let mut sum = 0.5 * window[centre];
            for (offset, tap) in HALF_BAND_TAPS.iter().enumerate() {
                let reach = 2 * offset + 1;
                sum += tap * (window[centre - reach] + window[centre + reach]);
            }
            to_sample(sum)
        }));
        self.window.drain(..2 * outputs);
    }
}

/// 8 kHz to 16 kHz: every input sample is kept (the centre tap), and the
/// sample between two inputs is filtered from the inputs around it.
struct HalfBandInterpolator {
    /// The last `HALF_BAND_REACH` input samples, then the new ones.
    window: Vec<f32>,
}

impl HalfBandInterpolator {
    fn new() -> Self {
        let mut window = Vec::with_capacity(HALF_BAND_REACH + 2 * crate::frame::FRAME_SAMPLES);
        window.resize(HALF_BAND_REACH, 0.0);
        HalfBandInterpolator { window }
    }

    fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        self.window
            .extend(input.iter().map(|&sample| f32::from(sample)));
        let outputs = self.window.len() - HALF_BAND_REACH;
        let window = &self.window;
        let before = HALF_BAND_TAPS.len() - 1;
        for index in 0..outputs {
            let centre = before + index;
            let mut between = 0.0;
            for (offset, tap) in HALF_BAND_TAPS.iter().enumerate() {
                // Zero-stuffing halves the level; the taps are doubled back.
                between += 2.0 * tap * (window[centre - offset] + window[centre + 1 + offset]);
            }
            out.push(to_sample(window[centre]));
            out.push(to_sample(between));
        }
        self.window.drain(..outputs);
    }
}

/// `as` saturates out-of-range floats, which is the clipping we want.
fn to_sample(value: f32) -> i16 {
    value.round() as i16
}
