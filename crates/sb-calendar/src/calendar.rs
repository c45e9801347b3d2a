//! The calendar document: its fields, how it is read from JSON and what is
//! refused. Reading goes through [`CalendarDocument`] (all strings) so an
//! error can say which day or span is wrong; a `Calendar` value is always
//! valid.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::{CalendarError, Span, Weekday};

/// UTC-14 to UTC+14, the widest offsets in use.
const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CalendarDocument")]
pub struct Calendar {
    /// Offset of local time from UTC in minutes (480 = UTC+8, China).
    pub utc_offset_minutes: i32,
    /// Working hours per weekday; a missing day is closed. Spans are kept
    /// sorted and never overlap.
    pub weekly: BTreeMap<Weekday, Vec<Span>>,
    /// Public holidays: closed all day even on a weekday.
    #[serde(serialize_with = "serialize_dates")]
    pub holidays: Vec<Date>,
    /// Make-up workdays (调休): open even on a weekend, with `makeup_hours`.
    #[serde(serialize_with = "serialize_dates")]
    pub workdays: Vec<Date>,
    /// Hours of a make-up workday; Monday's hours when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub makeup_hours: Option<Vec<Span>>,
}

/// A calendar as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarDocument {
    utc_offset_minutes: i32,
    #[serde(default)]
    weekly: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
    #[serde(default)]
    makeup_hours: Option<Vec<String>>,
}

impl Calendar {
    /// Reads and validates a calendar document.
    pub fn parse(json: &str) -> Result<Calendar, CalendarError> {
        let document: CalendarDocument =
            serde_json::from_str(json).map_err(|error| CalendarError::Json(error.to_string()))?;
        Calendar::try_from(document)
    }

    /// The hours of a make-up workday.
    pub(crate) fn makeup_spans(&self) -> &[Span] {
        match &self.makeup_hours {
            Some(spans) => spans,
            None => self.weekly.get(&Weekday::Mon).map_or(&[], Vec::as_slice),
        }
    }
}

impl TryFrom<CalendarDocument> for Calendar {
    type Error = CalendarError;

    fn try_from(document: CalendarDocument) -> Result<Self, Self::Error> {
        if document.utc_offset_minutes.abs() > MAX_UTC_OFFSET_MINUTES {
            return Err(CalendarError::InvalidUtcOffset(document.utc_offset_minutes));
        }
        let mut weekly = BTreeMap::new();
        for (day, spans) in &document.weekly {
            let weekday: Weekday = day.parse()?;
            weekly.insert(weekday, day_spans(spans, weekday.as_str())?);
        }
        let makeup_hours = document
            .makeup_hours
            .as_deref()
            .map(|spans| day_spans(spans, "makeup_hours"))
            .transpose()?;
        let holidays = dates(&document.holidays, "holidays")?;
        let workdays = dates(&document.workdays, "workdays")?;
        if let Some(both) = holidays.iter().find(|day| workdays.contains(day)) {
            return Err(CalendarError::HolidayAndWorkday(format_date(*both)));
        }
        let calendar = Calendar {
            utc_offset_minutes: document.utc_offset_minutes,
            weekly,
            holidays,
            workdays,
            makeup_hours,
        };
        if !calendar.workdays.is_empty() && calendar.makeup_spans().is_empty() {
            return Err(CalendarError::NoMakeupHours);
        }
        Ok(calendar)
    }
}

/// Parses one day's spans, sorted, refusing overlaps.
fn day_spans(texts: &[String], at: &str) -> Result<Vec<Span>, CalendarError> {
    let mut spans = texts
        .iter()
        .map(|text| Span::parse_at(text, at))
        .collect::<Result<Vec<_>, _>>()?;
    spans.sort();
    if let Some(pair) = spans
        .windows(2)
        .find(|pair| pair[1].start_minute() < pair[0].end_minute())
    {
        return Err(CalendarError::OverlappingSpans {
            at: at.to_owned(),
            first: pair[0].to_string(),
            second: pair[1].to_string(),
        });
    }
    Ok(spans)
}

fn dates(texts: &[String], list: &'static str) -> Result<Vec<Date>, CalendarError> {
    let mut days = texts
        .iter()
        .map(|text| {
            parse_date(text).ok_or_else(|| CalendarError::InvalidDate {
                list,
                value: text.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    days.sort();
    days.dedup();
    Ok(days)
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn format_date(day: Date) -> String {
    day.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| day.to_string())
}

/// Dates as "YYYY-MM-DD" strings (time's own serde form is a tuple).
fn serialize_dates<S: serde::Serializer>(days: &[Date], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(days.iter().map(|day| format_date(*day)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let calendar = Calendar::parse(
            r#"{"utc_offset_minutes":480,"weekly":{"mon":["13:00-18:00","09:00-12:00"]},
                "holidays":["2025-10-01"],"workdays":["2025-09-28"]}"#,
        )
        .expect("valid");
        assert_eq!(
            calendar.weekly[&Weekday::Mon],
            vec![
                "09:00-12:00".parse::<Span>().expect("valid"),
                "13:00-18:00".parse().expect("valid")
            ]
        );
        let json = serde_json::to_string(&calendar).expect("serializes");
        assert!(json.contains("\"2025-10-01\""), "{json}");
        let again: Calendar = serde_json::from_str(&json).expect("valid");
        assert_eq!(again, calendar);
    }

    #[test]
    fn deserializing_validates_too() {
        let result: Result<Calendar, _> = serde_json::from_str(
            r#"{"utc_offset_minutes":0,"weekly":{"mon":["09:00-12:00","11:00-13:00"]}}"#,
        );
        assert!(result.is_err());
    }
}
