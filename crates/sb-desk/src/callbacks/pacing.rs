//! What an attempt's result does to a callback task, as a pure function.
//!
//! * A connected call that achieved its purpose closes the task as `done`.
//! * A connected call that did not: the customer was reached, so the task
//!   is `done` too, unless the agent set a time to call again (the customer
//!   asked for it), which keeps it pending even past the attempt limit.
//! * An empty number can never be reached: `failed` at once.
//! * A missed call (busy, rejected, no answer, unreachable, powered off)
//!   counts against the list's attempt limit; past it the task is `failed`.
//!   Otherwise the next call is due when the agent said, or after a wait
//!   that depends on why it was missed: a busy line is in use now, so try
//!   again soon (a quarter of the list's wait, at least five minutes); a
//!   phone off or out of reach, or a rejected call, waits twice as long.

use sb_store::{CallStatus, CallbackOutcome, CallbackState};
use time::{Duration, OffsetDateTime};

use crate::{DeskError, IllegalTransition};

/// A list's pacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Calls per task before it is given up.
    pub max_attempts: i64,
    /// The wait after a missed call.
    pub retry_after: Duration,
}

/// One call as the agent reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    pub status: CallStatus,
    pub success: bool,
    pub next_attempt_at: Option<OffsetDateTime>,
}

const MIN_RETRY: Duration = Duration::minutes(5);

/// The wait before calling again after a missed call of `status`.
pub fn retry_delay(status: CallStatus, pacing: Pacing) -> Duration {
    match status {
        CallStatus::Busy => (pacing.retry_after / 4_i32).max(MIN_RETRY),
        CallStatus::PoweredOff | CallStatus::Unreachable | CallStatus::Rejected => {
            pacing.retry_after * 2_i32
        }
        _ => pacing.retry_after,
    }
}

/// The task's state and due time after the call reported, for a task in
/// `state` with `attempts` calls made so far.
pub fn decide_attempt(
    state: CallbackState,
    attempts: i64,
    pacing: Pacing,
    report: &AttemptReport,
    now: OffsetDateTime,
) -> Result<CallbackOutcome, DeskError> {
    if state != CallbackState::Pending {
        return Err(IllegalTransition {
            command: "record an attempt",
            reason: format!("callback task is {}", state.code()),
        }
        .into());
    }
    if report.success && report.status != CallStatus::Connected {
        return Err(DeskError::invalid(
            "success",
            format!(
                "only a connected call can succeed, not one that was {}",
                report.status.code()
            ),
        ));
    }
    if let Some(next) = report.next_attempt_at
        && next <= now
    {
        return Err(DeskError::invalid(
            "next_attempt_at",
            "the next attempt must be in the future",
        ));
    }
    let closed = |state| CallbackOutcome { state, due_at: now };
    let made = attempts.saturating_add(1);
    Ok(match report.status {
        CallStatus::Connected if report.success => closed(CallbackState::Done),
        CallStatus::Connected => match report.next_attempt_at {
            Some(due_at) => CallbackOutcome {
                state: CallbackState::Pending,
                due_at,
            },
            None => closed(CallbackState::Done),
        },
        CallStatus::EmptyNumber => closed(CallbackState::Failed),
        _ if made >= pacing.max_attempts => closed(CallbackState::Failed),
        missed => CallbackOutcome {
            state: CallbackState::Pending,
            due_at: report
                .next_attempt_at
                .unwrap_or(now + retry_delay(missed, pacing)),
        },
    })
}

fn status_label(status: CallStatus) -> &'static str {
    match status {
        CallStatus::Connected => "接通 connected",
        CallStatus::Busy => "占线 busy",
        CallStatus::Rejected => "拒接 rejected",
        CallStatus::NoAnswer => "无人接听 no answer",
        CallStatus::Unreachable => "无法接通 unreachable",
        CallStatus::EmptyNumber => "空号 empty number",
        CallStatus::PoweredOff => "关机 powered off",
    }
}

/// The line an attempt leaves on the customer's timeline.
pub fn timeline_line(list_name: &str, report: &AttemptReport, issues: &str, notes: &str) -> String {
    let mut line = format!(
        "回访 Callback ({list_name}): {}",
        status_label(report.status)
    );
    if report.success {
        line.push_str(", 成功 success");
    }
    for extra in [issues, notes] {
        let extra = extra.trim();
        if !extra.is_empty() {
            line.push_str(" — ");
            line.push_str(extra);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 09:00 UTC);
    const PACING: Pacing = Pacing {
        max_attempts: 3,
        retry_after: Duration::hours(1),
    };

    fn report(status: CallStatus, success: bool) -> AttemptReport {
        AttemptReport {
            status,
            success,
            next_attempt_at: None,
        }
    }

    fn decide(attempts: i64, r: &AttemptReport) -> Result<CallbackOutcome, DeskError> {
        decide_attempt(CallbackState::Pending, attempts, PACING, r, NOW)
    }

    #[test]
    fn a_successful_call_closes_the_task() {
        let out = decide(0, &report(CallStatus::Connected, true)).expect("decide");
        assert_eq!(out.state, CallbackState::Done);
    }

    #[test]
    fn reaching_the_customer_settles_it_unless_they_ask_to_be_called_later() {
        let out = decide(0, &report(CallStatus::Connected, false)).expect("decide");
        assert_eq!(out.state, CallbackState::Done);
        let later = NOW + Duration::days(2);
        let asked = AttemptReport {
            next_attempt_at: Some(later),
            ..report(CallStatus::Connected, false)
        };
        // Even at the limit: the customer asked for it.
        let out = decide(5, &asked).expect("decide");
        assert_eq!(
            out,
            CallbackOutcome {
                state: CallbackState::Pending,
                due_at: later
            }
        );
    }

    #[test]
    fn an_empty_number_fails_at_once() {
        let out = decide(0, &report(CallStatus::EmptyNumber, false)).expect("decide");
        assert_eq!(out.state, CallbackState::Failed);
    }

    #[test]
    fn missed_calls_wait_by_their_cause_then_give_up_at_the_limit() {
        let due = |status| decide(0, &report(status, false)).expect("decide").due_at - NOW;
        assert_eq!(due(CallStatus::Busy), Duration::minutes(15));
        assert_eq!(due(CallStatus::NoAnswer), Duration::hours(1));
        assert_eq!(due(CallStatus::PoweredOff), Duration::hours(2));
        assert_eq!(due(CallStatus::Unreachable), Duration::hours(2));
        assert_eq!(due(CallStatus::Rejected), Duration::hours(2));
        let quick = Pacing {
            max_attempts: 3,
            retry_after: Duration::minutes(8),
        };
        let busy = decide_attempt(
            CallbackState::Pending,
            0,
            quick,
            &report(CallStatus::Busy, false),
            NOW,
        )
        .expect("decide");
        assert_eq!(busy.due_at - NOW, Duration::minutes(5));

        let second = decide(1, &report(CallStatus::NoAnswer, false)).expect("decide");
        assert_eq!(second.state, CallbackState::Pending);
        let third = decide(2, &report(CallStatus::NoAnswer, false)).expect("decide");
        assert_eq!(third.state, CallbackState::Failed);
    }

    #[test]
    fn the_agent_may_set_the_next_call() {
        let at = NOW + Duration::hours(30);
        let r = AttemptReport {
            next_attempt_at: Some(at),
            ..report(CallStatus::Busy, false)
        };
        assert_eq!(decide(0, &r).expect("decide").due_at, at);
        let past = AttemptReport {
            next_attempt_at: Some(NOW - Duration::minutes(1)),
            ..report(CallStatus::Busy, false)
        };
        assert!(matches!(
            decide(0, &past),
            Err(DeskError::Invalid { field, .. }) if field == "next_attempt_at"
        ));
    }

    #[test]
    fn only_connected_calls_succeed_and_closed_tasks_take_no_calls() {
        assert!(matches!(
            decide(0, &report(CallStatus::Busy, true)),
            Err(DeskError::Invalid { field, .. }) if field == "success"
        ));
        for state in [
            CallbackState::Done,
            CallbackState::Failed,
            CallbackState::Cancelled,
        ] {
            let err = decide_attempt(state, 1, PACING, &report(CallStatus::Busy, false), NOW)
                .expect_err("closed");
            assert_eq!(
                err.to_string(),
                format!("record an attempt: callback task is {}", state.code())
            );
        }
    }

    #[test]
    fn the_timeline_line_says_what_happened() {
        let line = timeline_line(
            "Q4 visits",
            &report(CallStatus::Connected, true),
            "wants a brochure",
            "",
        );
        assert_eq!(
            line,
            "回访 Callback (Q4 visits): 接通 connected, 成功 success — wants a brochure"
        );
    }
}
