//! Callback lists: a name, the owning department and the pacing, with the
//! progress of their tasks counted on read.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

/// How far a list's tasks have come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallbackProgress {
    pub total: i64,
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// Pending tasks nobody has been given yet (neither a person nor a department).
    pub unassigned: i64,
    /// Tasks whose last call reached the person and achieved its purpose.
    pub succeeded: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallbackList {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// The department that owns the list (its data scope).
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// Calls per task before it is given up.
    pub max_attempts: i64,
    /// Minutes to wait after a missed call before the next one is due.
    pub retry_minutes: i64,
    /// Employee ID of who made it.
    pub created_by: String,
    pub progress: CallbackProgress,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A list as a manager sets it; validated by the caller.
#[derive(Debug, Clone)]
pub struct CallbackListInput {
    pub name: String,
    pub description: String,
    pub department_id: Option<i64>,
    pub max_attempts: i64,
    pub retry_minutes: i64,
}

const SELECT: &str = "SELECT l.id, l.name, l.description, l.department_id, \
     d.name AS department_name, l.max_attempts, l.retry_minutes, l.created_by, l.created_at, \
     l.updated_at, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id) AS total, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.state = 'pending') AS pending, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.state = 'done') AS done, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.state = 'failed') AS failed, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.state = 'cancelled') AS cancelled, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.state = 'pending' \
        AND t.assignee_id IS NULL AND t.department_id IS NULL) AS unassigned, \
     (SELECT COUNT(*) FROM callback_tasks t WHERE t.list_id = l.id AND t.success = 1) AS succeeded \
     FROM callback_lists l LEFT JOIN departments d ON d.id = l.department_id";

fn from_row(row: &AnyRow) -> Result<CallbackList> {
    Ok(CallbackList {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        max_attempts: row.try_get("max_attempts")?,
        retry_minutes: row.try_get("retry_minutes")?,
        created_by: row.try_get("created_by")?,
        progress: CallbackProgress {
            total: row.try_get("total")?,
            pending: row.try_get("pending")?,
            done: row.try_get("done")?,
            failed: row.try_get("failed")?,
            cancelled: row.try_get("cancelled")?,
            unassigned: row.try_get("unassigned")?,
            succeeded: row.try_get("succeeded")?,
        },
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<CallbackList> {
    let row = sqlx::query(&format!("{SELECT} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("callback list", id))?;
    from_row(&row)
}

/// A department reference the database refused, named by field.
fn department_fk(e: sqlx::Error, department_id: Option<i64>) -> StoreError {
    if e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
    {
        StoreError::invalid(
            "department_id",
            format!("there is no department {}", department_id.unwrap_or(0)),
        )
    } else {
        e.into()
    }
}

impl Store {
    /// Lists newest first; `department_ids` limits them to those departments
    /// (the caller's data scope), `None` is every list.
    pub async fn list_callback_lists(
        &self,
        department_ids: Option<&[i64]>,
    ) -> Result<Vec<CallbackList>> {
        let mut sql = Sql::new(SELECT);
        if let Some(ids) = department_ids {
            sql.push(" WHERE l.department_id IN ").bind_list(ids);
        }
        sql.push(" ORDER BY l.id DESC");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn callback_list(&self, id: i64) -> Result<CallbackList> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn create_callback_list(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: CallbackListInput,
    ) -> Result<CallbackList> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO callback_lists (name, description, department_id, max_attempts, \
             retry_minutes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.department_id)
        .bind(input.max_attempts)
        .bind(input.retry_minutes)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| department_fk(e, input.department_id))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "callback_list.create",
            entity: "callback_list",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_callback_list(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: CallbackListInput,
    ) -> Result<CallbackList> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE callback_lists SET name = $1, description = $2, department_id = $3, \
             max_attempts = $4, retry_minutes = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.department_id)
        .bind(input.max_attempts)
        .bind(input.retry_minutes)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| department_fk(e, input.department_id))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "callback_list.update",
            entity: "callback_list",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes the list with its tasks and their attempts; the customers'
    /// timelines keep the touches.
    pub async fn delete_callback_list(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM callback_lists WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "callback_list.delete",
            entity: "callback_list",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
