//! The SLA clock on a virtual clock: deadlines across a weekend, a public
//! holiday and a make-up workday, pauses, and which notices fall due.

use sb_calendar::Calendar;
use sb_desk::tickets::sla::{Deadline, NoticeKind, deadlines, moved_deadline, notices_due};
use sb_store::{SlaCandidate, TicketState};
use time::OffsetDateTime;
use time::macros::datetime;

/// UTC+8, 09:00-12:00 and 13:00-18:00 on weekdays (8 working hours); the
/// National Day week: Thu 2026-10-01 and Fri 10-02 are holidays, Sat
/// 2026-10-10 is a make-up workday.
fn office() -> Calendar {
    Calendar::parse(
        r#"{
          "utc_offset_minutes": 480,
          "weekly": {
            "mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-12:00", "13:00-18:00"],
            "wed": ["09:00-12:00", "13:00-18:00"], "thu": ["09:00-12:00", "13:00-18:00"],
            "fri": ["09:00-12:00", "13:00-18:00"]
          },
          "holidays": ["2026-10-01", "2026-10-02"],
          "workdays": ["2026-10-10"]
        }"#,
    )
    .expect("calendar")
}

fn ms(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).expect("after 1970")
}

fn at(ms: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("time")
}

#[test]
fn a_friday_afternoon_ticket_is_due_on_monday() {
    // Fri 2026-11-27 17:00 +08: one hour left that day, the weekend closed.
    let opened = datetime!(2026-11-27 17:00 +8);
    let (response, resolve) = deadlines(&office(), ms(opened), 120, 8 * 60);
    assert_eq!(at(response.expect("due")), datetime!(2026-11-30 10:00 +8));
    // 1 h on Friday + 7 h on Monday (3 before lunch, 4 after).
    assert_eq!(at(resolve.expect("due")), datetime!(2026-11-30 17:00 +8));
}

#[test]
fn holidays_are_skipped_and_a_make_up_saturday_counts() {
    // Wed 2026-09-30 16:00 +08: 2 h left; Thu/Fri holidays; Sat 10-03 and
    // Sun 10-04 weekend; Mon 10-05 counts again.
    let opened = datetime!(2026-09-30 16:00 +8);
    let (_, resolve) = deadlines(&office(), ms(opened), 60, 16 * 60);
    // 2 h Wed, 8 h Mon 10-05, 6 h Tue 10-06 -> 16:00 Tue.
    assert_eq!(at(resolve.expect("due")), datetime!(2026-10-06 16:00 +8));

    // Fri 2026-10-09 17:00: 1 h that day, then the make-up Saturday.
    let opened = datetime!(2026-10-09 17:00 +8);
    let (_, resolve) = deadlines(&office(), ms(opened), 60, 4 * 60);
    assert_eq!(at(resolve.expect("due")), datetime!(2026-10-10 12:00 +8));
}

#[test]
fn a_pause_moves_the_deadline_by_the_working_time_it_took() {
    let cal = office();
    let due = ms(datetime!(2026-11-30 17:00 +8));
    // Waiting on the customer from Mon 10:00 to 11:30: 90 working minutes.
    let moved = moved_deadline(
        &cal,
        due,
        ms(datetime!(2026-11-30 10:00 +8)),
        ms(datetime!(2026-11-30 11:30 +8)),
    );
    // 17:00 + 90 min: 1 h to 18:00, then 30 min on Tuesday morning.
    assert_eq!(at(moved.expect("due")), datetime!(2026-12-01 09:30 +8));
    // A pause over the weekend costs nothing.
    let moved = moved_deadline(
        &cal,
        due,
        ms(datetime!(2026-11-28 10:00 +8)),
        ms(datetime!(2026-11-29 20:00 +8)),
    );
    assert_eq!(moved, Some(due));
    // A pause across the holidays counts only the working Wednesday hours.
    let moved = moved_deadline(
        &cal,
        ms(datetime!(2026-10-06 16:00 +8)),
        ms(datetime!(2026-09-30 17:00 +8)),
        ms(datetime!(2026-10-03 12:00 +8)),
    );
    assert_eq!(at(moved.expect("due")), datetime!(2026-10-06 17:00 +8));
}

fn candidate(response: Option<i64>, resolve: Option<i64>) -> SlaCandidate {
    SlaCandidate {
        id: 1,
        serial: "20261130-000001".into(),
        subject: "x".into(),
        state: TicketState::InProgress,
        department_id: Some(1),
        assignee_id: Some(2),
        taker_id: Some(3),
        reminder_minutes: 30,
        response_due_ms: response,
        resolve_due_ms: resolve,
        responded: false,
        resolved: false,
    }
}

#[test]
fn reminders_come_before_a_deadline_and_escalations_after() {
    let due = 10_000_000_i64;
    let c = candidate(None, Some(due));
    assert!(notices_due(&c, due - 30 * 60_000 - 1).is_empty());
    let near = notices_due(&c, due - 30 * 60_000);
    assert_eq!(near.len(), 1);
    assert_eq!(
        (near[0].kind, near[0].deadline),
        (NoticeKind::Reminder, Deadline::Resolution)
    );
    let late = notices_due(&c, due);
    assert_eq!(
        late.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [NoticeKind::Reminder, NoticeKind::Escalation]
    );
    let mut met = c.clone();
    met.resolved = true;
    assert!(
        notices_due(&met, due + 1).is_empty(),
        "a met deadline tells nobody"
    );
    let both = candidate(Some(due - 1000), Some(due));
    assert_eq!(notices_due(&both, due).len(), 4);
}
