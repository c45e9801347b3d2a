//! The calls made for a task: each with its status, whether it achieved
//! its purpose, what was raised, and when to call again.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::codes::{CallStatus, CallbackState, InteractionKind};
use crate::customers::{NewInteraction, insert_interaction};
use crate::db::Store;
use crate::error::Result;
use crate::millis::{from_millis, from_millis_opt, to_millis};

use super::tasks::{CallbackTask, fetch};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallbackAttempt {
    pub id: i64,
    pub task_id: i64,
    /// The list the task is in.
    pub list_name: String,
    pub staff_id: Option<i64>,
    pub staff_name: String,
    pub call_status: CallStatus,
    pub success: bool,
    /// What the person raised (complaints, requests).
    pub issues: String,
    pub notes: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One call's result as the agent reports it; checked by the desk.
#[derive(Debug, Clone)]
pub struct NewCallbackAttempt {
    pub call_status: CallStatus,
    pub success: bool,
    pub issues: String,
    pub notes: String,
    /// The time the agent asked for the next call, if any.
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// What the desk's pacing made of an attempt: the task's new state and
/// when its next call is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackOutcome {
    pub state: CallbackState,
    pub due_at: OffsetDateTime,
}

const SELECT: &str = "SELECT a.id, a.task_id, l.name AS list_name, a.staff_id, a.staff_name, \
     a.call_status, a.success, a.issues, a.notes, a.next_attempt_at, a.at \
     FROM callback_attempts a JOIN callback_tasks t ON t.id = a.task_id \
     JOIN callback_lists l ON l.id = t.list_id";

fn from_row(row: &AnyRow) -> Result<CallbackAttempt> {
    Ok(CallbackAttempt {
        id: row.try_get("id")?,
        task_id: row.try_get("task_id")?,
        list_name: row.try_get("list_name")?,
        staff_id: row.try_get("staff_id")?,
        staff_name: row.try_get("staff_name")?,
        call_status: CallStatus::stored(&row.try_get::<String, _>("call_status")?)?,
        success: row.try_get::<i64, _>("success")? != 0,
        issues: row.try_get("issues")?,
        notes: row.try_get("notes")?,
        next_attempt_at: from_millis_opt(row.try_get("next_attempt_at")?)?,
        at: from_millis(row.try_get("at")?)?,
    })
}

impl Store {
    /// Writes an attempt and the task's new state onto the version it was
    /// decided on, with a line on the customer's timeline; `None` when the
    /// task changed in between (decide again).
    pub async fn record_callback_attempt(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        task: &CallbackTask,
        attempt: &NewCallbackAttempt,
        outcome: CallbackOutcome,
        timeline: &str,
    ) -> Result<Option<CallbackTask>> {
        let mut tx = self.begin_write().await?;
        let at = to_millis(now);
        let changed = sqlx::query(
            "UPDATE callback_tasks SET state = $1, attempts = attempts + 1, due_at = $2, \
             last_status = $3, success = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(outcome.state.code())
        .bind(to_millis(outcome.due_at))
        .bind(attempt.call_status.code())
        .bind(i64::from(attempt.success))
        .bind(at)
        .bind(task.id)
        .bind(task.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO callback_attempts (task_id, staff_id, staff_name, call_status, success, \
             issues, notes, next_attempt_at, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(task.id)
        .bind(actor.id.map(|id| id.0))
        .bind(&actor.name)
        .bind(attempt.call_status.code())
        .bind(i64::from(attempt.success))
        .bind(&attempt.issues)
        .bind(&attempt.notes)
        .bind(attempt.next_attempt_at.map(to_millis))
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if let Some(customer_id) = task.customer_id {
            let entry = NewInteraction {
                customer_id,
                kind: InteractionKind::Callback,
                ref_id: task.id.to_string(),
                summary: timeline.to_owned(),
                staff: actor.employee_id.clone(),
                occurred_at: now,
            };
            insert_interaction(&mut tx, &entry).await?;
        }
        let after = fetch(&mut tx, task.id).await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// A task's calls, oldest first.
    pub async fn callback_attempts(&self, task_id: i64) -> Result<Vec<CallbackAttempt>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE a.task_id = $1 ORDER BY a.id"))
            .bind(task_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every callback call to a customer across lists, newest first (the
    /// history an agent sees before calling).
    pub async fn customer_callback_attempts(
        &self,
        customer_id: i64,
        limit: i64,
    ) -> Result<Vec<CallbackAttempt>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE t.customer_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2"
        ))
        .bind(customer_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
