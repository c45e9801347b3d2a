//! RTP packets (RFC 3550 §5.1): a borrowed view of a received packet, the
//! 12-byte header the switch writes, and the sequence/timestamp state of a
//! stream the switch originates.
//!
//! Parsing sits in the hottest loop of the product (every packet of every
//! call), so it copies nothing and allocates nothing; every length comes from
//! the network and is checked before it is used.

use crate::error::MediaError;

/// The only RTP version in use (RFC 3550 §5.1).
const VERSION: u8 = 2;
/// Fixed header: V/P/X/CC, M/PT, sequence, timestamp, SSRC.
const FIXED_HEADER_LEN: usize = 12;

/// A received RTP packet; `payload` borrows the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// The media bytes: after the CSRC list and header extension, before
    /// any padding.
    pub payload: &'a [u8],
}

impl<'a> RtpPacket<'a> {
    /// Parses a version 2 packet, skipping the CSRC list (§5.1), the header
    /// extension (§5.3.1) and the padding (§5.1, P bit). Anything truncated
    /// or inconsistent is an error; nothing here panics.
    pub fn parse(buf: &'a [u8]) -> Result<RtpPacket<'a>, MediaError> {
        let Some((fixed, rest)) = buf.split_first_chunk::<FIXED_HEADER_LEN>() else {
            return Err(MediaError::Rtp("shorter than the fixed header"));
        };
        if fixed[0] >> 6 != VERSION {
            return Err(MediaError::Rtp("version is not 2"));
        }
        let has_padding = fixed[0] & 0x20 != 0;
        let has_extension = fixed[0] & 0x10 != 0;
        let csrc_len = usize::from(fixed[0] & 0x0F) * 4;

        let rest = rest
            .get(csrc_len..)
            .ok_or(MediaError::Rtp("CSRC list runs past the end"))?;
        let rest = if has_extension {
            // 16-bit profile-defined word, then the length in 32-bit words
            // not counting this 4-byte extension header.
            let Some((extension_header, after)) = rest.split_first_chunk::<4>() else {
                return Err(MediaError::Rtp("header extension truncated"));
            };
            let words = u16::from_be_bytes([extension_header[2], extension_header[3]]);
            after
                .get(usize::from(words) * 4..)
                .ok_or(MediaError::Rtp("header extension runs past the end"))?
        } else {
            rest
        };
        let payload = if has_padding {
            // The last byte counts the padding bytes, itself included.
            let padding = usize::from(
                *rest
                    .last()
                    .ok_or(MediaError::Rtp("padding without a count"))?,
            );
            if padding == 0 || padding > rest.len() {
                return Err(MediaError::Rtp("padding count out of range"));
            }
            &rest[..rest.len() - padding]
        } else {
            rest
        };

        Ok(RtpPacket {
            marker: fixed[1] & 0x80 != 0,
            payload_type: fixed[1] & 0x7F,
            sequence: u16::from_be_bytes([fixed[2], fixed[3]]),
            timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            payload,
        })
    }
}

/// Tells RTCP from RTP on a shared port (RFC 5761 §4): RTCP packet types
/// 192..=223 land, seen as RTP, on marker + payload types 64..=95, which
/// RTP must not use.
pub fn is_rtcp(buf: &[u8]) -> bool {
    matches!(buf, [first, second, ..] if first >> 6 == VERSION && (192..=223).contains(second))
}

/// The fixed header the switch writes: no CSRCs, no extension, no padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

impl RtpHeader {
    /// Appends the 12 header bytes; the payload type is cut to its 7 bits.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut bytes = [0u8; FIXED_HEADER_LEN];
        bytes[0] = VERSION << 6;
        bytes[1] = (u8::from(self.marker) << 7) | (self.payload_type & 0x7F);
        bytes[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        bytes[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        bytes[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&bytes);
    }
}

/// A stream the switch originates (prompts, music, mixer output):
/// continuous sequence numbers and timestamps, one SSRC.
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    next_sequence: u16,
    /// The RTP clock at the next packet time.
    next_timestamp: u32,
    /// How far the clock moved per packet last time; a DTMF event packet
    /// still takes one packet time of the stream's clock.
    samples_per_packet: u32,
}

impl RtpSender {
    /// RFC 3550 §5.1 wants random first values; the caller draws them.
    pub fn new(ssrc: u32, first_sequence: u16, first_timestamp: u32) -> Self {
        RtpSender {
            ssrc,
            next_sequence: first_sequence,
            next_timestamp: first_timestamp,
            samples_per_packet: crate::frame::FRAME_SAMPLES as u32,
        }
    }

    /// Header for the next packet; `samples` is how far the RTP clock
    /// advances after it (160 for 20 ms at 8 kHz).
    pub fn next(&mut self, payload_type: u8, marker: bool, samples: u32) -> RtpHeader {
        let header = self.header(payload_type, marker, self.next_timestamp);
        self.samples_per_packet = samples;
        self.next_timestamp = self.next_timestamp.wrapping_add(samples);
        header
    }

    /// Header for a further packet of the same DTMF event: same timestamp as
    /// given (the event start, RFC 4733 §2.5.1.1), next sequence number.
    ///
    /// The stream's own clock keeps running meanwhile, by the packet time of
    /// the last [`RtpSender::next`] (160 before any), so the audio after the
    /// event is stamped with the time it really plays at. Take the event's
    /// timestamp from [`RtpSender::timestamp`] once, before its first packet.
    pub fn next_with_timestamp(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
    ) -> RtpHeader {
        let header = self.header(payload_type, marker, timestamp);
        self.next_timestamp = self.next_timestamp.wrapping_add(self.samples_per_packet);
        header
    }

    /// Lets the clock run for a packet time in which nothing is sent (a
    /// muted or held leg), so the next packet carries the right timestamp.
    pub fn skip(&mut self, samples: u32) {
        self.next_timestamp = self.next_timestamp.wrapping_add(samples);
    }

    /// The RTP timestamp the next packet will carry.
    pub fn timestamp(&self) -> u32 {
        self.next_timestamp
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    fn header(&mut self, payload_type: u8, marker: bool, timestamp: u32) -> RtpHeader {
        let sequence = self.next_sequence;
        self.next_sequence = sequence.wrapping_add(1);
        RtpHeader {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc: self.ssrc,
        }
    }
}
