//! Telephone events (RFC 4733): DTMF carried as RTP packets of its own
//! payload type rather than as tones in the audio.
//!
//! Payload (§2.3): event code (8 bits), E(nd) bit, reserved bit, volume (6),
//! duration so far (16, in RTP clock units). Every packet of one event
//! carries the event's start as its RTP timestamp; that timestamp is what
//! tells one key press from the next, even for the same key.

use std::collections::VecDeque;

use super::Digit;
use super::keypad;

/// How long an event may go without a packet before its end packets are
/// taken as lost and it is reported anyway (senders repeat at least every
/// 50 ms while a key is held, RFC 4733 §2.5.1.2).
pub const DEFAULT_END_TIMEOUT_MS: u64 = 200;
/// Packets of an event older than the newest one are late copies, unless
/// they are this far behind: then the sender restarted its RTP clock (a new
/// phone after a transfer) and they start a new event.
const STALE_WINDOW_SECONDS: u32 = 10;
/// Digits completed by one packet beyond this are dropped; only a hostile
/// sender packs more than a couple of events into a packet (§2.5.1.5).
const MAX_QUEUED_DIGITS: usize = 16;
/// Sent volume, in -dBm0 (§2.3.4): a typical keypad level.
const SEND_VOLUME: u8 = 10;
/// The end packet goes out three times (§2.5.1.4).
const END_PACKET_COPIES: u8 = 3;
const PAYLOAD_LEN: usize = 4;

/// RFC 4733 receive: reports each event once, with its duration, when its
/// first end packet arrives. The redundant end packets and retransmissions
/// are ignored. An event whose end packets were all lost is reported when a
/// packet of a new event arrives, or when [`EventReceiver::poll`] finds it
/// silent for longer than the end timeout.
#[derive(Debug)]
pub struct EventReceiver {
    clock_rate: u32,
    end_timeout_ms: u64,
    /// The event still in progress.
    current: Option<Event>,
    /// Start timestamp of the newest event seen, in progress or finished.
    newest_start: Option<u32>,
    ready: VecDeque<Digit>,
}

#[derive(Debug)]
struct Event {
    key: char,
    /// RTP timestamp of the event, or of its latest segment for one longer
    /// than the 16-bit duration can hold (§2.5.1.3).
    segment_start: u32,
    segment_units: u16,
    /// Duration of the earlier, full segments of a long event.
    earlier_units: u64,
    last_heard_ms: u64,
}

impl EventReceiver {
    /// `clock_rate` is the telephone-event rate from the SDP (8000 almost
    /// always); a rate of 0, never valid in SDP, is taken as 1.
    pub fn new(clock_rate: u32) -> Self {
        Self::with_end_timeout(clock_rate, DEFAULT_END_TIMEOUT_MS)
    }

    pub fn with_end_timeout(clock_rate: u32, end_timeout_ms: u64) -> Self {
        EventReceiver {
            clock_rate: clock_rate.max(1),
            end_timeout_ms,
            current: None,
            newest_start: None,
            ready: VecDeque::new(),
        }
    }

    /// Takes one telephone-event packet. A malformed payload is ignored.
    pub fn receive(&mut self, now_ms: u64, rtp_timestamp: u32, payload: &[u8]) -> Option<Digit> {
        if payload.is_empty() || !payload.len().is_multiple_of(PAYLOAD_LEN) {
            return self.ready.pop_front();
        }
        // Several events in one packet (§2.5.1.5) follow each other without
        // a gap: each starts where the one before ended.
        let mut start = rtp_timestamp;
        for block in payload.chunks_exact(PAYLOAD_LEN) {
            let duration = u16::from_be_bytes([block[2], block[3]]);
            self.take_block(now_ms, start, block[0], block[1] & 0x80 != 0, duration);
            start = start.wrapping_add(u32::from(duration));
        }
        self.ready.pop_front()
    }

    /// Reports an event whose end packets were all lost, once it has been
    /// silent for longer than the end timeout. Call it every tick or so.
    pub fn poll(&mut self, now_ms: u64) -> Option<Digit> {
        if let Some(digit) = self.ready.pop_front() {
            return Some(digit);
        }
        let event = self.current.as_ref()?;
        if now_ms.saturating_sub(event.last_heard_ms) > self.end_timeout_ms {
            return self.finish();
        }
        None
    }

    /// Forgets the stream: for a new SSRC, whose timestamps start anywhere.
    pub fn reset(&mut self) {
        self.current = None;
        self.newest_start = None;
        self.ready.clear();
    }

    fn take_block(&mut self, now_ms: u64, start: u32, code: u8, end: bool, duration: u16) {
        // Other events (flash, fax and modem tones) are not digits.
        let Some(key) = keypad::key_of_event(code) else {
            return;
        };
        if let Some(newest) = self.newest_start {
            let behind = newest.wrapping_sub(start);
            if behind == 0 {
                // The current event again, or a copy of a finished one.
                if let Some(event) = &mut self.current
                    && event.segment_start == start
                {
                    event.segment_units = event.segment_units.max(duration);
                    event.last_heard_ms = now_ms;
                    if end {
                        self.finish_into_queue();
                    }
                }
                return;
            }
            let stale_window = STALE_WINDOW_SECONDS.saturating_mul(self.clock_rate);
            if behind <= u32::MAX / 2 && behind < stale_window {
                return; // a late packet of an event already over
            }
        }
        self.newest_start = Some(start);

        if let Some(event) = &mut self.current
            && event.continues_into(key, start)
        {
            event.earlier_units += u64::from(event.segment_units);
            event.segment_start = start;
            event.segment_units = duration;
            event.last_heard_ms = now_ms;
        } else {
            // A new event: the one before it lost all its end packets.
            self.finish_into_queue();
            self.current = Some(Event {
                key,
                segment_start: start,
                segment_units: duration,
                earlier_units: 0,
                last_heard_ms: now_ms,
            });
        }
        if end {
            self.finish_into_queue();
        }
    }

    fn finish(&mut self) -> Option<Digit> {
        let event = self.current.take()?;
        let units = event.earlier_units + u64::from(event.segment_units);
        let duration_ms = units * 1000 / u64::from(self.clock_rate);
        Some(Digit {
            key: event.key,
            duration_ms: u32::try_from(duration_ms).unwrap_or(u32::MAX),
        })
    }

    fn finish_into_queue(&mut self) {
        if let Some(digit) = self.finish()
            && self.ready.len() < MAX_QUEUED_DIGITS
        {
            self.ready.push_back(digit);
        }
    }
}

impl Event {
    /// A key held past the 16-bit duration goes on in a new segment that
    /// starts where the full one ended (§2.5.1.3).
    fn continues_into(&self, key: char, start: u32) -> bool {
        key == self.key
            && self.segment_units == u16::MAX
            && start == self.segment_start.wrapping_add(u32::from(u16::MAX))
    }
}

/// One telephone-event packet's payload, with the RTP marker bit it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    pub bytes: [u8; 4],
    /// Set on the first packet of the event only (§2.5.1.1).
    pub marker: bool,
    /// This is an end packet (E bit set).
    pub end: bool,
}

/// RFC 4733 send: one 4-byte payload per packet time for a digit: the
/// first with the marker set, the duration growing each packet, then the
/// end packet three times (§2.5.1.4). All share one RTP timestamp, the
/// event start, which the caller passes to
/// [`crate::rtp::RtpSender::next_with_timestamp`].
#[derive(Debug, Clone)]
pub struct EventSender {
    code: u8,
    total_units: u16,
    step_units: u32,
    sent_units: u32,
    end_copies_sent: u8,
    first: bool,
}

impl EventSender {
    /// `None` for a key not on the keypad, or a zero duration, packet time
    /// or clock rate. A digit longer than the 16-bit duration allows (8 s at
    /// 8 kHz) is cut to that.
    pub fn new(key: char, duration_ms: u32, ptime_ms: u32, clock_rate: u32) -> Option<Self> {
        let code = keypad::event_code(key)?;
        if duration_ms == 0 || ptime_ms == 0 || clock_rate == 0 {
            return None;
        }
        let to_units = |ms: u32| u64::from(ms) * u64::from(clock_rate) / 1000;
        let total_units = u16::try_from(to_units(duration_ms).max(1)).unwrap_or(u16::MAX);
        let step_units = u32::try_from(to_units(ptime_ms).max(1)).unwrap_or(u32::MAX);
        Some(EventSender {
            code,
            total_units,
            step_units,
            sent_units: 0,
            end_copies_sent: 0,
            first: true,
        })
    }

    fn payload(&self, end: bool, duration: u16) -> [u8; 4] {
        let [high, low] = duration.to_be_bytes();
        [self.code, (u8::from(end) << 7) | SEND_VOLUME, high, low]
    }
}

impl Iterator for EventSender {
    type Item = EventPayload;

    fn next(&mut self) -> Option<EventPayload> {
        if self.end_copies_sent == END_PACKET_COPIES {
            return None;
        }
        let marker = std::mem::take(&mut self.first);
        let so_far = self.sent_units.saturating_add(self.step_units);
        if so_far < u32::from(self.total_units) {
            self.sent_units = so_far;
            // Below `total_units`, so it fits in 16 bits.
            let duration = u16::try_from(so_far).unwrap_or(u16::MAX);
            return Some(EventPayload {
                bytes: self.payload(false, duration),
                marker,
                end: false,
            });
        }
        self.end_copies_sent += 1;
        Some(EventPayload {
            bytes: self.payload(true, self.total_units),
            marker,
            end: true,
        })
    }
}
