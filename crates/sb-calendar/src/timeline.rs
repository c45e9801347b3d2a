//! The calendar laid on the real time line: each local day's spans become
//! open intervals in unix milliseconds, adjacent ones merged (a lunch-less
//! 09:00-12:00 + 12:00-18:00, or 18:00-24:00 followed by 00:00-06:00, is one
//! stretch with no boundary inside). Every question is answered from them.
//!
//! Arithmetic is in i64 milliseconds: local days before 1970 exist when the
//! offset is negative, and inputs beyond `i64::MAX` are clamped (days the
//! `time` crate cannot represent, past year 9999, count as closed).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Calendar, Span, Weekday};

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// How far [`Calendar::next_change`] looks ahead.
pub const SEARCH_HORIZON_DAYS: i64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A weekday with working hours.
    Workday,
    /// A day without working hours (the weekend).
    RestDay,
    /// A public holiday: closed even on a weekday.
    Holiday,
    /// A make-up workday (调休): open even on a weekend.
    MakeUpWorkday,
}

/// An open stretch `[start, end)` in unix milliseconds.
type Interval = (i64, i64);

impl Calendar {
    /// What kind of day it is locally at `now_ms`.
    pub fn day_kind(&self, now_ms: u64) -> DayKind {
        date_of_day(self.local_day(clamp(now_ms)))
            .map_or(DayKind::RestDay, |date| self.kind_of(date))
    }

    pub fn is_open(&self, now_ms: u64) -> bool {
        let now = clamp(now_ms);
        let day = self.local_day(now);
        self.day_intervals(day)
            .any(|(start, end)| start <= now && now < end)
    }

    /// The next instant after `now_ms` at which the calendar opens or
    /// closes, if one falls within [`SEARCH_HORIZON_DAYS`].
    pub fn next_change(&self, now_ms: u64) -> Option<u64> {
        let now = clamp(now_ms);
        let first_day = self.local_day(now);
        let last_day = first_day.saturating_add(SEARCH_HORIZON_DAYS);
        let horizon_end = self.day_start(last_day.saturating_add(1));
        let (start, end) = self
            .open_intervals(first_day, last_day)
            .find(|(_, end)| *end > now)?;
        let boundary = if start <= now { end } else { start };
        // An interval cut by the horizon has no known end.
        (boundary < horizon_end).then(|| to_unix_ms(boundary))
    }

    /// Working milliseconds in `[a_ms, b_ms)`; 0 when `b_ms <= a_ms`.
    pub fn working_ms_between(&self, a_ms: u64, b_ms: u64) -> u64 {
        let (a, b) = (clamp(a_ms), clamp(b_ms));
        if b <= a {
            return 0;
        }
        let last_day = self.local_day(b).min(self.last_open_day());
        self.open_intervals(self.local_day(a), last_day)
            .take_while(|(start, _)| *start < b)
            .map(|(start, end)| end.min(b) - start.max(a))
            .filter(|overlap| *overlap > 0)
            .map(to_unix_ms)
            .sum()
    }

    /// The first instant at which `working_ms` of open time have passed
    /// since `start_ms` (an SLA deadline); `None` when the calendar never
    /// has that much open time again.
    pub fn add_working_ms(&self, start_ms: u64, working_ms: u64) -> Option<u64> {
        if working_ms == 0 {
            return Some(start_ms);
        }
        let start = clamp(start_ms);
        let mut remaining = clamp(working_ms);
        let last_day = self.last_open_day();
        for (open, close) in self.open_intervals(self.local_day(start), last_day) {
            if close <= start {
                continue;
            }
            let from = open.max(start);
            let length = close - from;
            if remaining <= length {
                return Some(to_unix_ms(from + remaining));
            }
            remaining -= length;
        }
        None
    }

    fn kind_of(&self, date: Date) -> DayKind {
        if self.holidays.contains(&date) {
            DayKind::Holiday
        } else if self.workdays.contains(&date) {
            DayKind::MakeUpWorkday
        } else if self.weekday_spans(date.weekday().into()).is_empty() {
            DayKind::RestDay
        } else {
            DayKind::Workday
        }
    }

    fn weekday_spans(&self, day: Weekday) -> &[Span] {
        self.weekly.get(&day).map_or(&[], Vec::as_slice)
    }

    fn spans_of(&self, date: Date) -> &[Span] {
        match self.kind_of(date) {
            DayKind::Holiday => &[],
            DayKind::MakeUpWorkday => self.makeup_spans(),
            DayKind::Workday | DayKind::RestDay => self.weekday_spans(date.weekday().into()),
        }
    }

    fn offset_ms(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * MS_PER_MINUTE
    }

    /// Local day number (0 = 1970-01-01 local) of an instant.
    fn local_day(&self, ms: i64) -> i64 {
        ms.saturating_add(self.offset_ms()).div_euclid(MS_PER_DAY)
    }

    /// The instant local day `day` begins.
    fn day_start(&self, day: i64) -> i64 {
        day.saturating_mul(MS_PER_DAY)
            .saturating_sub(self.offset_ms())
    }

    fn day_intervals(&self, day: i64) -> impl Iterator<Item = Interval> + '_ {
        let day_start = self.day_start(day);
        date_of_day(day)
            .map_or(&[][..], |date| self.spans_of(date))
            .iter()
            .map(move |span| {
                (
                    day_start + i64::from(span.start_minute()) * MS_PER_MINUTE,
                    day_start + i64::from(span.end_minute()) * MS_PER_MINUTE,
                )
            })
    }

    /// The last local day that can have open hours: a weekly schedule repeats
    /// forever, otherwise only the listed make-up workdays are open.
    fn last_open_day(&self) -> i64 {
        let max_day = i64::from(Date::MAX.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY;
        if self.weekly.values().any(|spans| !spans.is_empty()) {
            max_day
        } else if self.makeup_spans().is_empty() {
            i64::MIN
        } else {
            self.workdays
                .iter()
                .map(|date| i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY)
                .max()
                .unwrap_or(i64::MIN)
        }
    }

    /// Merged open intervals of local days `first_day..=last_day`, in order.
    fn open_intervals(&self, first_day: i64, last_day: i64) -> OpenIntervals<'_> {
        OpenIntervals {
            calendar: self,
            next_day: first_day,
            last_day,
            pending: std::collections::VecDeque::new(),
        }
    }
}

struct OpenIntervals<'a> {
    calendar: &'a Calendar,
    next_day: i64,
    last_day: i64,
    pending: std::collections::VecDeque<Interval>,
}

impl OpenIntervals<'_> {
    /// The next unmerged interval, reading further days as needed.
    fn peek_raw(&mut self) -> Option<Interval> {
        while self.pending.is_empty() && self.next_day <= self.last_day {
            self.pending
                .extend(self.calendar.day_intervals(self.next_day));
            self.next_day += 1;
        }
        self.pending.front().copied()
    }
}

impl Iterator for OpenIntervals<'_> {
    type Item = Interval;

    fn next(&mut self) -> Option<Interval> {
        let (start, mut end) = self.peek_raw()?;
        self.pending.pop_front();
        while let Some((next_start, next_end)) = self.peek_raw() {
            if next_start != end {
                break;
            }
            end = next_end;
            self.pending.pop_front();
        }
        Some((start, end))
    }
}

fn date_of_day(day: i64) -> Option<Date> {
    let julian = i32::try_from(day.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()?;
    Date::from_julian_day(julian).ok()
}

fn clamp(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn to_unix_ms(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0)
}
