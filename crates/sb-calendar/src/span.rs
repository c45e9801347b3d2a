//! A span of working hours within one local day, written "HH:MM-HH:MM"
//! (end exclusive; "24:00" may end a span that runs to midnight).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CalendarError;

pub const MINUTES_PER_DAY: u16 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span {
    start_minute: u16,
    end_minute: u16,
}

impl Span {
    /// A span from `start_minute` to `end_minute` after local midnight;
    /// `None` unless `start < end <= 1440`.
    pub fn new(start_minute: u16, end_minute: u16) -> Option<Span> {
        (start_minute < end_minute && end_minute <= MINUTES_PER_DAY).then_some(Span {
            start_minute,
            end_minute,
        })
    }

    pub fn start_minute(self) -> u16 {
        self.start_minute
    }

    pub fn end_minute(self) -> u16 {
        self.end_minute
    }

    /// Reads a span; `at` names where it was written for the error.
    pub(crate) fn parse_at(text: &str, at: &str) -> Result<Span, CalendarError> {
        let invalid = |reason: &str| CalendarError::InvalidSpan {
            at: at.to_owned(),
            span: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (start, end) = text
            .trim()
            .split_once('-')
            .ok_or_else(|| invalid("is not written HH:MM-HH:MM"))?;
        let start_minute = clock_minute(start.trim())
            .filter(|minute| *minute < MINUTES_PER_DAY)
            .ok_or_else(|| invalid("has a start that is not a time from 00:00 to 23:59"))?;
        let end_minute = clock_minute(end.trim())
            .ok_or_else(|| invalid("has an end that is not a time from 00:01 to 24:00"))?;
        Span::new(start_minute, end_minute).ok_or_else(|| invalid("does not end after it starts"))
    }
}

/// "HH:MM" as minutes after midnight, "24:00" included.
fn clock_minute(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
    let minute = hours * 60 + minutes;
    (minutes < 60 && minute <= MINUTES_PER_DAY).then_some(minute)
}

impl FromStr for Span {
    type Err = CalendarError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Span::parse_at(text, "span")
    }
}

impl TryFrom<String> for Span {
    type Error = CalendarError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Span> for String {
    fn from(span: Span) -> Self {
        span.to_string()
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_spans() {
        let span: Span = "09:00-12:30".parse().expect("valid");
        assert_eq!((span.start_minute(), span.end_minute()), (540, 750));
        assert_eq!(span.to_string(), "09:00-12:30");
        let to_midnight: Span = "18:00-24:00".parse().expect("valid");
        assert_eq!(to_midnight.end_minute(), 1440);
    }

    #[test]
    fn refuses_malformed_spans() {
        for text in [
            "9:00-18:00",
            "09:00",
            "09:00-08:00",
            "09:00-09:00",
            "24:00-24:00",
            "09:60-10:00",
            "09:00-24:01",
            "25:00-26:00",
            "ab:cd-ef:gh",
        ] {
            assert!(text.parse::<Span>().is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn an_error_names_where_the_span_was() {
        let error = Span::parse_at("18:00-09:00", "mon").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "mon: span \"18:00-09:00\" does not end after it starts"
        );
    }
}
