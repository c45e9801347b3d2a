//! DTMF in SIP INFO requests, the way many desk phones and gateways send it:
//!
//! - `application/dtmf-relay` (Cisco's, de facto):
//!   `Signal=5\r\nDuration=160\r\n`;
//! - `application/dtmf`: just the key, `5`.
//!
//! Neither has an RFC; what is accepted is what phones are seen to send.

use super::Digit;
use super::keypad;

/// Duration reported when the body gives none.
const DEFAULT_DURATION_MS: u32 = 160;

/// Reads a SIP INFO body. The content type is compared case-insensitively
/// and its parameters are ignored; `None` for another content type or a
/// body that is not a valid key (with a valid duration, if one is given).
pub fn parse_info(content_type: &str, body: &[u8]) -> Option<Digit> {
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    let body = std::str::from_utf8(body).ok()?;
    if media_type.eq_ignore_ascii_case("application/dtmf-relay") {
        parse_relay(body)
    } else if media_type.eq_ignore_ascii_case("application/dtmf") {
        Some(Digit {
            key: parse_signal(body.trim())?,
            duration_ms: DEFAULT_DURATION_MS,
        })
    } else {
        None
    }
}

/// `Name=value` lines, names case-insensitive, in any order; one `Signal`
/// is required, `Duration` is optional, others are ignored.
fn parse_relay(body: &str) -> Option<Digit> {
    let mut key = None;
    let mut duration_ms = None;
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, value) = line.split_once('=')?;
        let value = value.trim();
        let name = name.trim();
        if name.eq_ignore_ascii_case("signal") {
            let signal = parse_signal(value)?;
            if key.replace(signal).is_some() {
                return None; // two signals: which one was meant?
            }
        } else if name.eq_ignore_ascii_case("duration") {
            // A duration that is there but not a number is an error, not
            // the default.
            duration_ms = Some(value.parse::<u32>().ok()?);
        }
    }
    Some(Digit {
        key: key?,
        duration_ms: duration_ms.unwrap_or(DEFAULT_DURATION_MS),
    })
}

/// A key, or its RFC 4733 event code: some gateways send `Signal=10` for
/// `*` and `Signal=11` for `#`.
fn parse_signal(value: &str) -> Option<char> {
    let mut chars = value.chars();
    if let (Some(key), None) = (chars.next(), chars.next()) {
        return keypad::normalize(key);
    }
    keypad::key_of_event(value.parse::<u8>().ok()?)
}
