//! Callback lists: a name, the owning department and the pacing, with the
//! progress of their tasks counted on read.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::CallbackState;
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
     l.updated_at FROM callback_lists l LEFT JOIN departments d ON d.id = l.department_id";

/// The progress of each list in `ids`, counted in one pass over their tasks
/// (grouped by what the counts tell apart).
async fn progress_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, CallbackProgress>> {
    let mut sql = Sql::new(
        "SELECT list_id, state, \
         CAST(CASE WHEN assignee_id IS NULL AND department_id IS NULL THEN 1 ELSE 0 END AS BIGINT) \
           AS unassigned, \
         COALESCE(success, 0) AS succeeded, COUNT(*) AS n FROM callback_tasks WHERE list_id IN ",
    );
    sql.bind_list(ids).push(" GROUP BY 1, 2, 3, 4");
    let mut out: HashMap<i64, CallbackProgress> = HashMap::new();
    for row in sql.query().fetch_all(&mut *conn).await? {
        let n: i64 = row.try_get("n")?;
        let state: String = row.try_get("state")?;
        let p = out.entry(row.try_get("list_id")?).or_default();
        p.total += n;
        match CallbackState::stored(&state)? {
            CallbackState::Pending => {
                p.pending += n;
                if row.try_get::<i64, _>("unassigned")? != 0 {
                    p.unassigned += n;
                }
            }
            CallbackState::Done => p.done += n,
            CallbackState::Failed => p.failed += n,
            CallbackState::Cancelled => p.cancelled += n,
        }
        if row.try_get::<i64, _>("succeeded")? != 0 {
            p.succeeded += n;
        }
    }
    Ok(out)
}

async fn with_progress(
    conn: &mut AnyConnection,
    mut lists: Vec<CallbackList>,
) -> Result<Vec<CallbackList>> {
    let ids: Vec<i64> = lists.iter().map(|l| l.id).collect();
    if ids.is_empty() {
        return Ok(lists);
    }
    let progress = progress_of(conn, &ids).await?;
    for list in &mut lists {
        list.progress = progress.get(&list.id).copied().unwrap_or_default();
    }
    Ok(lists)
}

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
        progress: CallbackProgress::default(),
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<CallbackList> {
    let row = sqlx::query(&format!("{SELECT} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("callback list", id))?;
    let list = from_row(&row)?;
    Ok(with_progress(conn, vec![list]).await?.remove(0))
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
        let mut conn = self.pool.acquire().await?;
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let lists = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        with_progress(&mut conn, lists).await
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
