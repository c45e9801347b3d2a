//! The SLA clock (W5), pure: deadlines counted in business hours of a
//! calendar, moved by the working time a ticket spent waiting on the
//! customer, and which reminders and escalations are due at `now`.
//! Every time is Unix milliseconds; nothing here reads a clock.

use sb_calendar::Calendar;
use sb_store::SlaCandidate;

const MINUTE_MS: u64 = 60_000;

/// Response and resolution deadlines for a ticket opened at `opened_ms`;
/// `None` where the calendar never has that much working time again.
pub fn deadlines(
    calendar: &Calendar,
    opened_ms: u64,
    response_minutes: u64,
    resolve_minutes: u64,
) -> (Option<u64>, Option<u64>) {
    (
        calendar.add_working_ms(opened_ms, response_minutes.saturating_mul(MINUTE_MS)),
        calendar.add_working_ms(opened_ms, resolve_minutes.saturating_mul(MINUTE_MS)),
    )
}

/// Where a deadline moves when the clock paused at `paused_ms` starts again
/// at `resumed_ms`: later by the working time of the pause, counted from
/// the old deadline (a pause outside business hours moves nothing).
pub fn moved_deadline(
    calendar: &Calendar,
    due_ms: u64,
    paused_ms: u64,
    resumed_ms: u64,
) -> Option<u64> {
    let paused_working = calendar.working_ms_between(paused_ms, resumed_ms);
    calendar.add_working_ms(due_ms, paused_working)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    Response,
    Resolution,
}

impl Deadline {
    pub fn label(self) -> &'static str {
        match self {
            Deadline::Response => "响应 response",
            Deadline::Resolution => "解决 resolution",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The deadline is near: tell whoever has the ticket.
    Reminder,
    /// The deadline has passed: tell the department head.
    Escalation,
}

impl NoticeKind {
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Reminder => "sla_reminder",
            NoticeKind::Escalation => "sla_escalation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub deadline: Deadline,
    pub kind: NoticeKind,
    pub due_ms: i64,
}

/// The notices a ticket is due at `now_ms`: for each deadline not met, a
/// reminder once `reminder_minutes` before it, and an escalation once past
/// it. Writing them is idempotent, so a notice due on every sweep is
/// written once.
pub fn notices_due(ticket: &SlaCandidate, now_ms: i64) -> Vec<Notice> {
    let lead = ticket.reminder_minutes.max(0).saturating_mul(60_000);
    let mut out = Vec::new();
    for (deadline, due, met) in [
        (Deadline::Response, ticket.response_due_ms, ticket.responded),
        (Deadline::Resolution, ticket.resolve_due_ms, ticket.resolved),
    ] {
        let Some(due_ms) = due else { continue };
        if met {
            continue;
        }
        if now_ms >= due_ms.saturating_sub(lead) {
            out.push(Notice {
                deadline,
                kind: NoticeKind::Reminder,
                due_ms,
            });
        }
        if now_ms >= due_ms {
            out.push(Notice {
                deadline,
                kind: NoticeKind::Escalation,
                due_ms,
            });
        }
    }
    out
}
