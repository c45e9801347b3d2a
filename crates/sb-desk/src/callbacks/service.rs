//! Recording a callback attempt: read the task, decide with the pacing
//! rules, write onto the version decided on, and decide again when another
//! agent got there first.

use sb_store::{Actor, CallbackTask, NewCallbackAttempt, Store};
use time::{Duration, OffsetDateTime};

use super::pacing::{AttemptReport, Pacing, decide_attempt, timeline_line};
use crate::DeskError;

/// How often an attempt is decided again after losing a race.
const ATTEMPT_RETRIES: usize = 5;

#[derive(Debug, Clone)]
pub struct CallbackDesk {
    store: Store,
}

/// The pacing of the list a task is in.
pub fn pacing_of(task: &CallbackTask) -> Pacing {
    Pacing {
        max_attempts: task.max_attempts,
        retry_after: Duration::minutes(task.retry_minutes),
    }
}

impl CallbackDesk {
    pub fn new(store: Store) -> CallbackDesk {
        CallbackDesk { store }
    }

    /// Records one call for task `id` and returns the task as it now is.
    pub async fn record_attempt(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        attempt: NewCallbackAttempt,
    ) -> Result<CallbackTask, DeskError> {
        let report = AttemptReport {
            status: attempt.call_status,
            success: attempt.success,
            next_attempt_at: attempt.next_attempt_at,
        };
        for _ in 0..ATTEMPT_RETRIES {
            let task = self.store.callback_task(id).await?;
            let outcome =
                decide_attempt(task.state, task.attempts, pacing_of(&task), &report, now)?;
            let line = timeline_line(&task.list_name, &report, &attempt.issues, &attempt.notes);
            if let Some(done) = self
                .store
                .record_callback_attempt(now, actor, &task, &attempt, outcome, &line)
                .await?
            {
                tracing::debug!(task = id, state = %done.state, "callback attempt recorded");
                return Ok(done);
            }
        }
        Err(DeskError::TaskContended(id))
    }
}
