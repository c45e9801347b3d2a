//! DTMF digits, however a phone sends them:
//!
//! - `rfc4733`: telephone-event RTP packets (RFC 4733), received and sent;
//! - `inband`: tones in the audio itself (Goertzel detection), the fallback
//!   for phones that send neither events nor SIP INFO;
//! - `info`: SIP INFO bodies (`application/dtmf-relay`, `application/dtmf`);
//! - `keypad`: the keys, their frequencies and event codes.
//!
//! Each path reports a [`Digit`] once, when the key is released.

mod inband;
mod info;
pub(crate) mod keypad;
mod rfc4733;

pub use inband::InbandDetector;
pub use info::parse_info;
pub use rfc4733::{DEFAULT_END_TIMEOUT_MS, EventPayload, EventReceiver, EventSender};

/// One key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digit {
    /// One of `0`-`9`, `*`, `#`, `A`-`D`.
    pub key: char,
    pub duration_ms: u32,
}
