//! The stream the switch itself sends to a leg (music, prompts, tones, the
//! mixer's output): its own SSRC, with sequence numbers and timestamps that
//! run on across pauses. Relayed packets do not go through here: they keep
//! the sending phone's header untouched (so SRTP negotiated end to end still
//! verifies), and the receiving phone sees two sources in turn, as RFC 3550
//! allows.

use crate::rtp::RtpHeader;

#[derive(Debug)]
pub(crate) struct TxStream {
    ssrc: u32,
    /// The last sequence number and timestamp sent, once anything was.
    last: Option<(u16, u32)>,
    /// Whether the next packet starts a talk spurt (marker bit).
    resumed: bool,
}

impl TxStream {
    pub(crate) fn new(ssrc: u32) -> TxStream {
        TxStream {
            ssrc,
            last: None,
            resumed: true,
        }
    }

    /// The stream was interrupted (the leg went back to hearing a phone):
    /// the next generated packet carries the marker bit.
    pub(crate) fn pause(&mut self) {
        self.resumed = true;
    }

    /// Header for a packet made here, `samples` after the previous one.
    pub(crate) fn generated(&mut self, payload_type: u8, samples: u32) -> RtpHeader {
        let marker = std::mem::take(&mut self.resumed);
        let (sequence, timestamp) = match self.last {
            Some((sequence, timestamp)) => {
                (sequence.wrapping_add(1), timestamp.wrapping_add(samples))
            }
            None => ((self.ssrc >> 17) as u16, self.ssrc.rotate_left(7)),
        };
        self.last = Some((sequence, timestamp));
        RtpHeader {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc: self.ssrc,
        }
    }

    /// Header for a further packet of a DTMF event made here: the event's
    /// timestamp, the next sequence number.
    pub(crate) fn generated_at(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
    ) -> RtpHeader {
        let sequence = self.last.map_or(0, |(s, _)| s.wrapping_add(1));
        self.last = Some((sequence, timestamp));
        RtpHeader {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc: self.ssrc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_audio_is_one_continuous_stream_across_pauses() {
        let mut tx = TxStream::new(0x1234_5678);
        let first = tx.generated(0, 160);
        assert!(first.marker, "a talk spurt starts with the marker");
        let second = tx.generated(0, 160);
        assert!(!second.marker);
        assert_eq!(second.sequence, first.sequence.wrapping_add(1));
        assert_eq!(second.timestamp, first.timestamp.wrapping_add(160));
        tx.pause();
        let resumed = tx.generated(0, 160);
        assert!(resumed.marker);
        assert_eq!(resumed.sequence, second.sequence.wrapping_add(1));
        assert_eq!(resumed.ssrc, 0x1234_5678);
    }
}
