//! A mainland China calendar (UTC+8, Mon-Fri 09:00-12:00 and 13:00-18:00)
//! with the 2025 Spring Festival and Dragon Boat holidays and make-up days.

use sb_calendar::{Calendar, CalendarError, DayKind};
use time::OffsetDateTime;
use time::macros::datetime;

const HOUR_MS: u64 = 3_600_000;

fn china() -> Calendar {
    Calendar::parse(
        r#"{
          "utc_offset_minutes": 480,
          "weekly": {
            "mon": ["09:00-12:00", "13:00-18:00"],
            "tue": ["09:00-12:00", "13:00-18:00"],
            "wed": ["09:00-12:00", "13:00-18:00"],
            "thu": ["09:00-12:00", "13:00-18:00"],
            "fri": ["09:00-12:00", "13:00-18:00"]
          },
          "holidays": ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                       "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04",
                       "2025-05-31", "2025-06-01", "2025-06-02"],
          "workdays": ["2025-01-26", "2025-02-08"]
        }"#,
    )
    .expect("valid")
}

fn ms(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos() / 1_000_000).expect("after 1970")
}

#[test]
fn open_and_closed_at_the_boundaries_and_over_lunch() {
    let calendar = china();
    // Monday 2025-06-09.
    let monday_nine = ms(datetime!(2025-06-09 09:00 +8));
    assert!(!calendar.is_open(monday_nine - 1));
    assert!(calendar.is_open(monday_nine));
    let noon = ms(datetime!(2025-06-09 12:00 +8));
    assert!(calendar.is_open(noon - 1));
    assert!(!calendar.is_open(noon), "lunch starts at 12:00");
    assert!(!calendar.is_open(ms(datetime!(2025-06-09 12:59:59 +8))));
    assert!(calendar.is_open(ms(datetime!(2025-06-09 13:00 +8))));
    let six = ms(datetime!(2025-06-09 18:00 +8));
    assert!(calendar.is_open(six - 1));
    assert!(!calendar.is_open(six));
    assert!(
        !calendar.is_open(ms(datetime!(2025-06-07 10:00 +8))),
        "Saturday"
    );
}

#[test]
fn local_time_follows_the_utc_offset() {
    let calendar = china();
    // 01:30 UTC is 09:30 in Beijing; 23:30 UTC on Sunday is Monday 07:30.
    assert!(calendar.is_open(ms(datetime!(2025-06-09 01:30 UTC))));
    assert!(!calendar.is_open(ms(datetime!(2025-06-08 23:30 UTC))));
    assert_eq!(
        calendar.day_kind(ms(datetime!(2025-06-08 23:30 UTC))),
        DayKind::Workday
    );
}

#[test]
fn day_kinds_holiday_thursday_and_make_up_sunday() {
    let calendar = china();
    let holiday_thursday = ms(datetime!(2025-01-30 10:00 +8));
    assert_eq!(calendar.day_kind(holiday_thursday), DayKind::Holiday);
    assert!(!calendar.is_open(holiday_thursday));

    let make_up_sunday = ms(datetime!(2025-01-26 10:00 +8));
    assert_eq!(calendar.day_kind(make_up_sunday), DayKind::MakeUpWorkday);
    assert!(calendar.is_open(make_up_sunday), "Monday's hours apply");
    assert!(!calendar.is_open(ms(datetime!(2025-01-26 12:30 +8))));

    assert_eq!(
        calendar.day_kind(ms(datetime!(2025-06-07 10:00 +8))),
        DayKind::RestDay
    );
    assert_eq!(
        calendar.day_kind(ms(datetime!(2025-06-09 20:00 +8))),
        DayKind::Workday
    );
}

#[test]
fn make_up_hours_override_mondays_hours() {
    let calendar = Calendar::parse(
        r#"{"utc_offset_minutes": 480, "weekly": {"mon": ["09:00-18:00"]},
            "workdays": ["2025-01-26"], "makeup_hours": ["10:00-16:00"]}"#,
    )
    .expect("valid");
    assert!(!calendar.is_open(ms(datetime!(2025-01-26 09:30 +8))));
    assert!(calendar.is_open(ms(datetime!(2025-01-26 10:00 +8))));
    assert!(!calendar.is_open(ms(datetime!(2025-01-26 16:00 +8))));
}

#[test]
fn next_change_finds_the_next_boundary() {
    let calendar = china();
    let cases = [
        (
            datetime!(2025-06-09 08:00 +8),
            datetime!(2025-06-09 09:00 +8),
        ),
        (
            datetime!(2025-06-09 09:00 +8),
            datetime!(2025-06-09 12:00 +8),
        ),
        (
            datetime!(2025-06-09 12:00 +8),
            datetime!(2025-06-09 13:00 +8),
        ),
        (
            datetime!(2025-06-09 17:00 +8),
            datetime!(2025-06-09 18:00 +8),
        ),
        // Friday evening to Monday morning.
        (
            datetime!(2025-06-13 18:00 +8),
            datetime!(2025-06-16 09:00 +8),
        ),
        // Across the Spring Festival to the Wednesday after.
        (
            datetime!(2025-01-27 18:00 +8),
            datetime!(2025-02-05 09:00 +8),
        ),
        // Friday evening to the make-up Sunday.
        (
            datetime!(2025-01-24 18:00 +8),
            datetime!(2025-01-26 09:00 +8),
        ),
    ];
    for (now, expected) in cases {
        assert_eq!(
            calendar.next_change(ms(now)),
            Some(ms(expected)),
            "from {now}"
        );
    }
}

#[test]
fn next_change_merges_touching_spans_and_midnight() {
    let calendar = Calendar::parse(
        r#"{"utc_offset_minutes": 0,
            "weekly": {"fri": ["09:00-12:00", "12:00-24:00"], "sat": ["00:00-06:00"]}}"#,
    )
    .expect("valid");
    assert_eq!(
        calendar.next_change(ms(datetime!(2025-06-13 10:00 UTC))),
        Some(ms(datetime!(2025-06-14 06:00 UTC)))
    );
}

#[test]
fn next_change_is_none_without_a_boundary() {
    let never = Calendar::parse(r#"{"utc_offset_minutes": 480}"#).expect("valid");
    assert_eq!(never.next_change(ms(datetime!(2025-06-09 10:00 +8))), None);
    assert_eq!(never.add_working_ms(0, 1), None);
    let always = Calendar::parse(
        r#"{"utc_offset_minutes": 0, "weekly": {
            "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"],
            "thu": ["00:00-24:00"], "fri": ["00:00-24:00"], "sat": ["00:00-24:00"],
            "sun": ["00:00-24:00"]}}"#,
    )
    .expect("valid");
    assert_eq!(
        always.next_change(ms(datetime!(2025-06-09 10:00 UTC))),
        None
    );
    assert!(always.is_open(ms(datetime!(2025-06-09 00:00 UTC))));
}

#[test]
fn an_sla_of_eight_working_hours_crosses_a_weekend_and_a_holiday() {
    let calendar = china();
    // Friday 16:00 before the Dragon Boat Festival (Sat-Mon off): 2 hours on
    // Friday, then Tuesday 09:00-12:00 and 13:00-16:00.
    let start = ms(datetime!(2025-05-30 16:00 +8));
    let deadline = calendar.add_working_ms(start, 8 * HOUR_MS);
    assert_eq!(deadline, Some(ms(datetime!(2025-06-03 16:00 +8))));
    assert_eq!(
        calendar.working_ms_between(start, ms(datetime!(2025-06-03 16:00 +8))),
        8 * HOUR_MS
    );
}

#[test]
fn working_time_skips_lunch_and_nights() {
    let calendar = china();
    let between = |a, b| calendar.working_ms_between(ms(a), ms(b));
    assert_eq!(
        between(
            datetime!(2025-06-09 11:00 +8),
            datetime!(2025-06-09 14:00 +8)
        ),
        2 * HOUR_MS
    );
    assert_eq!(
        between(
            datetime!(2025-06-09 17:00 +8),
            datetime!(2025-06-10 10:00 +8)
        ),
        2 * HOUR_MS
    );
    assert_eq!(
        between(
            datetime!(2025-06-10 10:00 +8),
            datetime!(2025-06-09 17:00 +8)
        ),
        0
    );
    // A deadline that ends exactly at closing time is that instant.
    assert_eq!(
        calendar.add_working_ms(ms(datetime!(2025-06-09 17:00 +8)), HOUR_MS),
        Some(ms(datetime!(2025-06-09 18:00 +8)))
    );
    // Started during lunch: the clock runs from 13:00.
    assert_eq!(
        calendar.add_working_ms(ms(datetime!(2025-06-09 12:10 +8)), HOUR_MS),
        Some(ms(datetime!(2025-06-09 14:00 +8)))
    );
}

#[test]
fn refusals_say_which_day_and_span() {
    let error = |json: &str| Calendar::parse(json).expect_err("refused");
    assert_eq!(
        error(r#"{"utc_offset_minutes":480,"weekly":{"tue":["09:00-12:00","11:30-13:00"]}}"#),
        CalendarError::OverlappingSpans {
            at: "tue".into(),
            first: "09:00-12:00".into(),
            second: "11:30-13:00".into()
        }
    );
    assert_eq!(
        error(r#"{"utc_offset_minutes":480,"weekly":{"wed":["18:00-09:00"]}}"#).to_string(),
        "wed: span \"18:00-09:00\" does not end after it starts"
    );
    assert_eq!(
        error(r#"{"utc_offset_minutes":480,"weekly":{"funday":[]}}"#),
        CalendarError::UnknownWeekday("funday".into())
    );
    assert_eq!(
        error(r#"{"utc_offset_minutes":480,"holidays":["2025-02-30"]}"#),
        CalendarError::InvalidDate {
            list: "holidays",
            value: "2025-02-30".into()
        }
    );
    assert_eq!(
        error(
            r#"{"utc_offset_minutes":480,"weekly":{"mon":["09:00-18:00"]},
                "holidays":["2025-01-26"],"workdays":["2025-01-26"]}"#
        ),
        CalendarError::HolidayAndWorkday("2025-01-26".into())
    );
    assert_eq!(
        error(r#"{"utc_offset_minutes":480,"workdays":["2025-01-26"]}"#),
        CalendarError::NoMakeupHours
    );
    assert_eq!(
        error(r#"{"utc_offset_minutes":900}"#),
        CalendarError::InvalidUtcOffset(900)
    );
    assert!(matches!(
        error(r#"{"utc_offset_minutes":480,"holiday":["2025-01-01"]}"#),
        CalendarError::Json(_)
    ));
    assert!(matches!(error(r#"{"weekly":{}}"#), CalendarError::Json(_)));
}

#[test]
fn extreme_instants_do_not_panic() {
    let calendar = china();
    for now in [0, 1, u64::MAX / 2, u64::MAX] {
        calendar.is_open(now);
        calendar.day_kind(now);
        calendar.next_change(now);
    }
    assert_eq!(calendar.working_ms_between(u64::MAX, 0), 0);
    assert_eq!(calendar.add_working_ms(u64::MAX, 1), None);
}
