//! SLA arithmetic: adding working time and measuring it are inverses.

use proptest::prelude::*;
use sb_calendar::Calendar;

const HOUR_MS: u64 = 3_600_000;
/// 2024-01-01T00:00Z and two years on: the range holidays are listed for.
const FROM_MS: u64 = 1_704_067_200_000;
const TO_MS: u64 = FROM_MS + 2 * 366 * 24 * HOUR_MS;

fn china() -> Calendar {
    Calendar::parse(
        r#"{
          "utc_offset_minutes": 480,
          "weekly": {
            "mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-12:00", "13:00-18:00"],
            "wed": ["09:00-12:00", "13:00-18:00"], "thu": ["09:00-12:00", "13:00-18:00"],
            "fri": ["09:00-12:00", "13:00-18:00"], "sat": ["22:00-24:00"],
            "sun": ["00:00-02:00"]
          },
          "holidays": ["2025-01-28", "2025-01-29", "2025-01-30", "2025-05-31",
                       "2025-06-01", "2025-06-02", "2025-10-01"],
          "workdays": ["2025-01-26", "2025-02-08"]
        }"#,
    )
    .expect("valid")
}

proptest! {
    #[test]
    fn adding_then_measuring_gives_back_the_working_time(
        start in FROM_MS..TO_MS,
        working in 0..400 * HOUR_MS,
    ) {
        let calendar = china();
        let deadline = calendar.add_working_ms(start, working).expect("a weekly calendar always reaches the deadline");
        prop_assert!(deadline >= start);
        prop_assert_eq!(calendar.working_ms_between(start, deadline), working);
        // Nothing earlier would do: one millisecond less is not enough.
        if working > 0 {
            prop_assert_eq!(calendar.working_ms_between(start, deadline - 1), working - 1);
        }
    }

    #[test]
    fn measuring_then_adding_lands_at_or_before_the_end(
        a in FROM_MS..TO_MS,
        length in 0..60 * 24 * HOUR_MS,
    ) {
        let calendar = china();
        let b = a + length;
        let working = calendar.working_ms_between(a, b);
        let reached = calendar.add_working_ms(a, working).expect("reachable");
        prop_assert!(reached <= b);
        prop_assert_eq!(calendar.working_ms_between(a, reached), working);
        prop_assert_eq!(calendar.working_ms_between(reached, b), 0);
    }

    #[test]
    fn next_change_flips_is_open(now in FROM_MS..TO_MS) {
        let calendar = china();
        let change = calendar.next_change(now).expect("a weekly calendar changes within days");
        prop_assert!(change > now);
        prop_assert_eq!(calendar.is_open(change - 1), calendar.is_open(now));
        prop_assert_ne!(calendar.is_open(change), calendar.is_open(now));
    }
}
