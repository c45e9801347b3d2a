//! Call detail records (MISSION T5): one row per call, written by the switch
//! in batches (one transaction per batch, no audit rows: CDRs are facts, not
//! changes) and searched by time, number, direction, outcome and duration.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::escape_like;
use crate::codes::{Direction, Disposition, HangupSide};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

/// A finished call as the switch reports it.
#[derive(Debug, Clone)]
pub struct NewCdr {
    /// The SIP Call-ID of the caller's leg.
    pub call_id: String,
    pub direction: Direction,
    /// Calling number (an extension, or the outside number).
    pub caller: String,
    /// Called number as dialled.
    pub callee: String,
    pub caller_extension: Option<String>,
    pub callee_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    pub did: String,
    pub started_at: OffsetDateTime,
    pub answered_at: Option<OffsetDateTime>,
    pub ended_at: OffsetDateTime,
    pub ring_ms: i64,
    pub talk_ms: i64,
    pub disposition: Disposition,
    /// E.g. `486 Busy Here` or `BYE`.
    pub hangup_cause: String,
    pub hangup_side: HangupSide,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cdr {
    pub id: i64,
    pub call_id: String,
    pub direction: Direction,
    pub caller: String,
    pub callee: String,
    pub caller_extension: Option<String>,
    pub callee_extension: Option<String>,
    /// The trunk's id when the call was made (the trunk may since be gone).
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    pub did: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    pub ring_ms: i64,
    pub talk_ms: i64,
    pub disposition: Disposition,
    pub hangup_cause: String,
    pub hangup_side: HangupSide,
}

/// Which records a reader reaches: all, or those whose caller or callee
/// extension belongs to a member of staff in these departments, or to this
/// one member of staff (matched on `staff.extension`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CdrScope {
    #[default]
    All,
    Departments(Vec<i64>),
    Staff(i64),
}

#[derive(Debug, Clone, Default)]
pub struct CdrFilter {
    /// `started_at >= from`.
    pub from: Option<OffsetDateTime>,
    /// `started_at < to`.
    pub to: Option<OffsetDateTime>,
    /// Part of the caller or callee number.
    pub number: Option<String>,
    pub direction: Option<Direction>,
    pub disposition: Option<Disposition>,
    pub trunk_id: Option<i64>,
    pub min_talk_ms: Option<i64>,
    pub max_talk_ms: Option<i64>,
    pub scope: CdrScope,
}

const COLUMNS: &str = "call_id, direction, caller, callee, caller_extension, callee_extension, \
     trunk_id, trunk_name, did, started_at, answered_at, ended_at, ring_ms, talk_ms, disposition, \
     hangup_cause, hangup_side";
const COLUMN_COUNT: usize = 17;
/// Rows per INSERT statement: 17 values each stays far below both engines'
/// limit on bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

fn from_row(row: &AnyRow) -> Result<Cdr> {
    let direction: String = row.try_get("direction")?;
    let disposition: String = row.try_get("disposition")?;
    let side: String = row.try_get("hangup_side")?;
    Ok(Cdr {
        id: row.try_get("id")?,
        call_id: row.try_get("call_id")?,
        direction: Direction::stored(&direction)?,
        caller: row.try_get("caller")?,
        callee: row.try_get("callee")?,
        caller_extension: row.try_get("caller_extension")?,
        callee_extension: row.try_get("callee_extension")?,
        trunk_id: row.try_get("trunk_id")?,
        trunk_name: row.try_get("trunk_name")?,
        did: row.try_get("did")?,
        started_at: from_millis(row.try_get("started_at")?)?,
        answered_at: from_millis_opt(row.try_get("answered_at")?)?,
        ended_at: from_millis(row.try_get("ended_at")?)?,
        ring_ms: row.try_get("ring_ms")?,
        talk_ms: row.try_get("talk_ms")?,
        disposition: Disposition::stored(&disposition)?,
        hangup_cause: row.try_get("hangup_cause")?,
        hangup_side: HangupSide::stored(&side)?,
    })
}

/// `INSERT ... VALUES ($1, ...), ($18, ...)` for `rows` records.
fn insert_sql(rows: usize) -> String {
    let mut text = format!("INSERT INTO cdrs ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for c in 0..COLUMN_COUNT {
            if c > 0 {
                text.push_str(", ");
            }
            text.push('$');
            text.push_str(&(r * COLUMN_COUNT + c + 1).to_string());
        }
        text.push(')');
    }
    text
}

/// Appends the data-scope condition.
fn push_scope(cond: &mut Sql, scope: &CdrScope) {
    let staff = |cond: &mut Sql| match scope {
        CdrScope::All => {}
        CdrScope::Departments(ids) => {
            cond.push("(SELECT extension FROM staff WHERE department_id IN ")
                .bind_list(ids)
                .push(")");
        }
        CdrScope::Staff(id) => {
            cond.push("(SELECT extension FROM staff WHERE id = ")
                .bind(Arg::Int(*id))
                .push(")");
        }
    };
    if *scope == CdrScope::All {
        return;
    }
    cond.push(" AND (caller_extension IN ");
    staff(cond);
    cond.push(" OR callee_extension IN ");
    staff(cond);
    cond.push(")");
}

fn conditions(filter: &CdrFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(from) = filter.from {
        cond.push(" AND started_at >= ")
            .bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.to {
        cond.push(" AND started_at < ")
            .bind(Arg::Int(to_millis(to)));
    }
    if let Some(number) = filter
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let pattern = format!("%{}%", escape_like(number));
        cond.push(" AND (caller LIKE ")
            .bind(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR callee LIKE ")
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\')");
    }
    if let Some(direction) = filter.direction {
        cond.push(" AND direction = ")
            .bind(Arg::Text(direction.code().to_owned()));
    }
    if let Some(disposition) = filter.disposition {
        cond.push(" AND disposition = ")
            .bind(Arg::Text(disposition.code().to_owned()));
    }
    if let Some(trunk) = filter.trunk_id {
        cond.push(" AND trunk_id = ").bind(Arg::Int(trunk));
    }
    if let Some(min) = filter.min_talk_ms {
        cond.push(" AND talk_ms >= ").bind(Arg::Int(min));
    }
    if let Some(max) = filter.max_talk_ms {
        cond.push(" AND talk_ms <= ").bind(Arg::Int(max));
    }
    push_scope(&mut cond, &filter.scope);
    cond
}

impl Store {
    /// Writes a batch of records in one transaction (all or none).
    pub async fn insert_cdrs(&self, cdrs: &[NewCdr]) -> Result<()> {
        if cdrs.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for chunk in cdrs.chunks(ROWS_PER_STATEMENT) {
            let text = insert_sql(chunk.len());
            let mut query = sqlx::query(&text);
            for c in chunk {
                query = query
                    .bind(c.call_id.as_str())
                    .bind(c.direction.code())
                    .bind(c.caller.as_str())
                    .bind(c.callee.as_str())
                    .bind(c.caller_extension.as_deref())
                    .bind(c.callee_extension.as_deref())
                    .bind(c.trunk_id)
                    .bind(c.trunk_name.as_str())
                    .bind(c.did.as_str())
                    .bind(to_millis(c.started_at))
                    .bind(c.answered_at.map(to_millis))
                    .bind(to_millis(c.ended_at))
                    .bind(c.ring_ms)
                    .bind(c.talk_ms)
                    .bind(c.disposition.code())
                    .bind(c.hangup_cause.as_str())
                    .bind(c.hangup_side.code());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records matching `filter`, newest first.
    pub async fn list_cdrs(&self, filter: &CdrFilter, page: PageRequest) -> Result<Page<Cdr>> {
        let cond = conditions(filter);
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            &format!("SELECT id, {COLUMNS} FROM cdrs"),
            "SELECT COUNT(*) FROM cdrs",
            &cond,
            "started_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn get_cdr(&self, id: i64) -> Result<Cdr> {
        let row = sqlx::query(&format!("SELECT id, {COLUMNS} FROM cdrs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("call record", id))?;
        from_row(&row)
    }

    /// The agent (employee ID) who last answered a call from `caller` since
    /// `since`: the staff member whose extension took it. The ACD offers
    /// the caller's next call to them first (sticky agent, MISSION A6).
    pub async fn last_agent_for_caller(
        &self,
        caller: &str,
        since: OffsetDateTime,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT s.employee_id FROM cdrs c JOIN staff s ON s.extension = c.callee_extension \
             WHERE c.caller = $1 AND c.started_at >= $2 AND c.answered_at IS NOT NULL \
             ORDER BY c.started_at DESC LIMIT 1",
        )
        .bind(caller)
        .bind(to_millis(since))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    /// Whether record `id` is within `scope`.
    pub async fn cdr_in_scope(&self, id: i64, scope: &CdrScope) -> Result<bool> {
        let mut sql = Sql::new("SELECT 1 FROM cdrs WHERE id = ");
        sql.bind(Arg::Int(id));
        push_scope(&mut sql, scope);
        Ok(sql.query().fetch_optional(&self.pool).await?.is_some())
    }
}
