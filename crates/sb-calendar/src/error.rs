//! The crate's one error type: why a calendar document was refused. Each
//! variant says where (which weekday, which span, which date list).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the calendar is not valid JSON: {0}")]
    Json(String),
    #[error("utc_offset_minutes {0} is outside -840..=840 (UTC-14 to UTC+14)")]
    InvalidUtcOffset(i32),
    #[error("weekly: unknown day \"{0}\" (use mon, tue, wed, thu, fri, sat, sun)")]
    UnknownWeekday(String),
    #[error("{at}: span \"{span}\" {reason}")]
    InvalidSpan {
        at: String,
        span: String,
        reason: String,
    },
    #[error("{at}: spans \"{first}\" and \"{second}\" overlap")]
    OverlappingSpans {
        at: String,
        first: String,
        second: String,
    },
    #[error("{list}: \"{value}\" is not a date written YYYY-MM-DD")]
    InvalidDate { list: &'static str, value: String },
    #[error("{0} is listed both as a holiday and as a make-up workday")]
    HolidayAndWorkday(String),
    #[error(
        "workdays are listed but there are no hours for them: set makeup_hours or Monday's hours"
    )]
    NoMakeupHours,
}
