//! Callback tasks: who to call on which number, who calls, and when the
//! next call is due. The work list is an agent's own tasks plus the
//! unclaimed ones of their department, due first.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::{CallStatus, CallbackState};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallbackTask {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    /// The list's owning department (for the data scope).
    pub list_department_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The person's name as given (the customer's when picked from the customers).
    pub name: String,
    /// The number to dial, as written.
    pub phone: String,
    pub notes: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub state: CallbackState,
    pub attempts: i64,
    /// The list's limit.
    pub max_attempts: i64,
    /// The list's wait after a missed call, in minutes.
    pub retry_minutes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub last_status: Option<CallStatus>,
    /// Whether the last call achieved its purpose (absent before the first call).
    pub success: Option<bool>,
    /// Bumped by every attempt.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A task to add; references checked by the caller.
#[derive(Debug, Clone)]
pub struct NewCallbackTask {
    pub customer_id: Option<i64>,
    pub name: String,
    pub phone: String,
    pub notes: String,
    pub assignee_id: Option<i64>,
    pub department_id: Option<i64>,
    pub due_at: OffsetDateTime,
}

/// Filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct CallbackTaskFilter {
    pub list_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub states: Vec<CallbackState>,
    pub assignee_id: Option<i64>,
    /// An agent's work list: assigned to this person, or to one of these
    /// departments without a person.
    pub worker: Option<(i64, Vec<i64>)>,
    /// Only tasks of lists owned by these departments (data scope).
    pub list_departments: Option<Vec<i64>>,
    /// Due at or before.
    pub due_before: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT t.id, t.list_id, l.name AS list_name, \
     l.department_id AS list_department_id, t.customer_id, c.name AS customer_name, t.name, \
     t.phone, t.notes, t.assignee_id, a.name AS assignee_name, t.department_id, \
     d.name AS department_name, t.state, t.attempts, l.max_attempts, l.retry_minutes, t.due_at, \
     t.last_status, t.success, t.version, t.created_at, t.updated_at \
     FROM callback_tasks t JOIN callback_lists l ON l.id = t.list_id \
     LEFT JOIN customers c ON c.id = t.customer_id \
     LEFT JOIN staff a ON a.id = t.assignee_id \
     LEFT JOIN departments d ON d.id = t.department_id";

const COUNT: &str =
    "SELECT COUNT(*) FROM callback_tasks t JOIN callback_lists l ON l.id = t.list_id";

pub(crate) fn from_row(row: &AnyRow) -> Result<CallbackTask> {
    let last_status: String = row.try_get("last_status")?;
    let success: Option<i64> = row.try_get("success")?;
    Ok(CallbackTask {
        id: row.try_get("id")?,
        list_id: row.try_get("list_id")?,
        list_name: row.try_get("list_name")?,
        list_department_id: row.try_get("list_department_id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        notes: row.try_get("notes")?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        state: CallbackState::stored(&row.try_get::<String, _>("state")?)?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        retry_minutes: row.try_get("retry_minutes")?,
        due_at: from_millis(row.try_get("due_at")?)?,
        last_status: if last_status.is_empty() {
            None
        } else {
            Some(CallStatus::stored(&last_status)?)
        },
        success: success.map(|s| s != 0),
        version: row.try_get("version")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<CallbackTask> {
    let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("callback task", id))?;
    from_row(&row)
}

fn conditions(filter: &CallbackTaskFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(list) = filter.list_id {
        cond.push(" AND t.list_id = ").bind(Arg::Int(list));
    }
    if let Some(customer) = filter.customer_id {
        cond.push(" AND t.customer_id = ").bind(Arg::Int(customer));
    }
    if !filter.states.is_empty() {
        cond.push(" AND t.state IN (");
        for (i, state) in filter.states.iter().enumerate() {
            if i > 0 {
                cond.push(", ");
            }
            cond.bind(Arg::Text(state.code().to_owned()));
        }
        cond.push(")");
    }
    if let Some(assignee) = filter.assignee_id {
        cond.push(" AND t.assignee_id = ").bind(Arg::Int(assignee));
    }
    if let Some((staff, departments)) = &filter.worker {
        cond.push(" AND (t.assignee_id = ").bind(Arg::Int(*staff));
        if !departments.is_empty() {
            cond.push(" OR (t.assignee_id IS NULL AND t.department_id IN ")
                .bind_list(departments)
                .push(")");
        }
        cond.push(")");
    }
    if let Some(ids) = &filter.list_departments {
        cond.push(" AND l.department_id IN ").bind_list(ids);
    }
    if let Some(due) = filter.due_before {
        cond.push(" AND t.due_at <= ")
            .bind(Arg::Int(to_millis(due)));
    }
    cond
}

fn reference_fk(e: sqlx::Error) -> StoreError {
    if e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
    {
        StoreError::invalid(
            "tasks",
            "a customer, person or department of the tasks no longer exists",
        )
    } else {
        e.into()
    }
}

/// The states and due bound a work list asks for, as a condition on the
/// bare table (no joins), for the index-ordered branches below.
fn worker_extra(filter: &CallbackTaskFilter, sql: &mut Sql) {
    if !filter.states.is_empty() {
        sql.push(" AND state IN (");
        for (i, state) in filter.states.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text(state.code().to_owned()));
        }
        sql.push(")");
    }
    if let Some(due) = filter.due_before {
        sql.push(" AND due_at <= ").bind(Arg::Int(to_millis(due)));
    }
}

/// Whether `filter` is an agent's work list and nothing else, which has its
/// own plan: their tasks and their departments' unclaimed ones are two index
/// ranges in due order, merged, instead of one OR that sorts every match.
fn is_work_list(filter: &CallbackTaskFilter) -> bool {
    filter.worker.is_some()
        && filter.list_id.is_none()
        && filter.customer_id.is_none()
        && filter.assignee_id.is_none()
        && filter.list_departments.is_none()
}

impl Store {
    /// Tasks due first (then oldest first).
    pub async fn search_callback_tasks(
        &self,
        filter: &CallbackTaskFilter,
        page: PageRequest,
    ) -> Result<Page<CallbackTask>> {
        let mut conn = self.pool.acquire().await?;
        if let (true, Some((staff, departments))) = (is_work_list(filter), &filter.worker) {
            return work_list(&mut conn, filter, *staff, departments, page).await;
        }
        let cond = conditions(filter);
        let (rows, total) =
            fetch_page(&mut conn, SELECT, COUNT, &cond, "t.due_at, t.id", page).await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn callback_task(&self, id: i64) -> Result<CallbackTask> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Adds tasks to a list in one transaction (all or none); returns their ids.
    pub async fn add_callback_tasks(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        list_id: i64,
        tasks: &[NewCallbackTask],
    ) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        super::lists::fetch(&mut tx, list_id).await?;
        let at = to_millis(now);
        let mut ids = Vec::with_capacity(tasks.len());
        for task in tasks {
            let id: i64 = sqlx::query(
                "INSERT INTO callback_tasks (list_id, customer_id, name, phone, notes, \
                 assignee_id, department_id, due_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(list_id)
            .bind(task.customer_id)
            .bind(&task.name)
            .bind(&task.phone)
            .bind(&task.notes)
            .bind(task.assignee_id)
            .bind(task.department_id)
            .bind(to_millis(task.due_at))
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(reference_fk)?
            .try_get(0)?;
            ids.push(id);
        }
        let change = Change {
            action: "callback_list.add_tasks",
            entity: "callback_list",
            entity_id: list_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "added": ids.len() })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Gives the still pending tasks among `ids` of list `list_id` to a
    /// person or a department (both `None`: back to unassigned); returns how
    /// many changed. Closed tasks keep who worked them.
    pub async fn assign_callback_tasks(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        list_id: i64,
        ids: &[i64],
        assignee_id: Option<i64>,
        department_id: Option<i64>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        super::lists::fetch(&mut tx, list_id).await?;
        let mut sql = Sql::new("UPDATE callback_tasks SET assignee_id = ");
        match assignee_id {
            Some(id) => sql.bind(Arg::Int(id)),
            None => sql.push("NULL"),
        };
        sql.push(", department_id = ");
        match department_id {
            Some(id) => sql.bind(Arg::Int(id)),
            None => sql.push("NULL"),
        };
        sql.push(", version = version + 1, updated_at = ")
            .bind(Arg::Int(to_millis(now)))
            .push(" WHERE list_id = ")
            .bind(Arg::Int(list_id))
            .push(" AND state = 'pending' AND id IN ")
            .bind_list(ids);
        let changed = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(reference_fk)?
            .rows_affected();
        let change = Change {
            action: "callback_list.assign",
            entity: "callback_list",
            entity_id: list_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "tasks": ids, "assignee_id": assignee_id,
                "department_id": department_id, "changed": changed
            })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Cancels a pending task (no more calls); `None` when it was no longer
    /// at `version`.
    pub async fn cancel_callback_task(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<Option<CallbackTask>> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE callback_tasks SET state = 'cancelled', version = version + 1, \
             updated_at = $1 WHERE id = $2 AND version = $3",
        )
        .bind(to_millis(now))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "callback_task.cancel",
            entity: "callback_task",
            entity_id: id.to_string(),
            before: None,
            after: crate::snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(Some(after))
    }
}

/// One page of an agent's work list: the first `offset + limit` of each
/// branch by (due, id) from its index, merged; then the page's rows with
/// their names; the total from two index counts unless the page shows it.
async fn work_list(
    conn: &mut AnyConnection,
    filter: &CallbackTaskFilter,
    staff: i64,
    departments: &[i64],
    page: PageRequest,
) -> Result<Page<CallbackTask>> {
    let wanted = page.offset() + page.limit();
    let mut own = Sql::new("SELECT id, due_at FROM callback_tasks WHERE assignee_id = ");
    own.bind(Arg::Int(staff));
    worker_extra(filter, &mut own);
    let mut pool = Sql::new(
        "SELECT id, due_at FROM callback_tasks WHERE assignee_id IS NULL AND department_id IN ",
    );
    pool.bind_list(departments);
    worker_extra(filter, &mut pool);
    let mut keys: Vec<(i64, i64)> = Vec::new();
    for branch in [&mut own, &mut pool] {
        branch
            .push(" ORDER BY due_at, id LIMIT ")
            .bind(Arg::Int(wanted));
        for row in branch.query().fetch_all(&mut *conn).await? {
            keys.push((row.try_get("due_at")?, row.try_get("id")?));
        }
    }
    keys.sort_unstable();
    let ids: Vec<i64> = keys
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit()).unwrap_or(0))
        .map(|(_, id)| id)
        .collect();
    let mut items = Vec::with_capacity(ids.len());
    if !ids.is_empty() {
        let mut rows = Sql::new(SELECT);
        rows.push(" WHERE t.id IN ")
            .bind_list(&ids)
            .push(" ORDER BY t.due_at, t.id");
        for row in rows.query().fetch_all(&mut *conn).await? {
            items.push(from_row(&row)?);
        }
    }
    let total = match page.total_if_last(items.len()) {
        Some(total) => total,
        None => {
            let mut total = 0;
            for (head, scope) in [
                (
                    "SELECT COUNT(*) FROM callback_tasks WHERE assignee_id = ",
                    None,
                ),
                (
                    "SELECT COUNT(*) FROM callback_tasks WHERE assignee_id IS NULL \
                     AND department_id IN ",
                    Some(departments),
                ),
            ] {
                let mut count = Sql::new(head);
                match scope {
                    None => count.bind(Arg::Int(staff)),
                    Some(ids) => count.bind_list(ids),
                };
                worker_extra(filter, &mut count);
                let n: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
                total += n;
            }
            total
        }
    };
    Ok(Page::new(items, total, page))
}
