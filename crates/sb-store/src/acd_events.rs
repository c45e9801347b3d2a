//! The ACD's event log: what the ACD was told and what it decided, appended
//! by the switch in batches, so a decision (which agent got which call, why a
//! call overflowed) can be explained afterwards. Facts, not changes: no audit
//! rows. Old events are pruned by age.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::to_millis;
use crate::page::{Page, PageRequest, fetch_page};

/// One event as the switch reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAcdEvent {
    /// Unix milliseconds, the ACD's clock.
    pub at_ms: i64,
    /// What happened, e.g. `call_queued`, `offered`, `overflowed`.
    pub kind: String,
    /// The agent's employee ID, when one is involved.
    pub agent: Option<String>,
    /// The queue's name, when one is involved.
    pub queue: Option<String>,
    /// The ACD's number for the call, when one is involved.
    pub call_ref: Option<i64>,
    /// The rest of the event.
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AcdEvent {
    /// Position in the log; later events have higher numbers.
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub call_ref: Option<i64>,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// Search filters; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct AcdEventFilter {
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub call_ref: Option<i64>,
    pub kind: Option<String>,
    /// `at_ms >= from`.
    pub from: Option<OffsetDateTime>,
    /// `at_ms < to`.
    pub to: Option<OffsetDateTime>,
}

const COLUMNS: &str = "at_ms, kind, agent, queue, call_ref, body";
const COLUMN_COUNT: usize = 6;
/// Rows per INSERT: 1,200 parameters, well under both engines' limits.
const ROWS_PER_STATEMENT: usize = 200;
/// Rows deleted per transaction when pruning, so the switch's appends never
/// wait long behind a prune.
const PRUNE_BATCH: i64 = 5_000;

fn from_row(row: &AnyRow) -> Result<AcdEvent> {
    let seq: i64 = row.try_get("seq")?;
    let body: String = row.try_get("body")?;
    Ok(AcdEvent {
        seq,
        at_ms: row.try_get("at_ms")?,
        kind: row.try_get("kind")?,
        agent: row.try_get("agent")?,
        queue: row.try_get("queue")?,
        call_ref: row.try_get("call_ref")?,
        body: serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("ACD event {seq} body: {e}")))?,
    })
}

fn insert_sql(rows: usize) -> String {
    let mut text = format!("INSERT INTO acd_events ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            text.push_str(", ");
        }
        let params: Vec<String> = (1..=COLUMN_COUNT)
            .map(|c| format!("${}", r * COLUMN_COUNT + c))
            .collect();
        text.push('(');
        text.push_str(&params.join(", "));
        text.push(')');
    }
    text
}

fn conditions(filter: &AcdEventFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(agent) = text(&filter.agent) {
        cond.push(" AND agent = ").bind(Arg::Text(agent));
    }
    if let Some(queue) = text(&filter.queue) {
        cond.push(" AND queue = ").bind(Arg::Text(queue));
    }
    if let Some(kind) = text(&filter.kind) {
        cond.push(" AND kind = ").bind(Arg::Text(kind));
    }
    if let Some(call) = filter.call_ref {
        cond.push(" AND call_ref = ").bind(Arg::Int(call));
    }
    if let Some(from) = filter.from {
        cond.push(" AND at_ms >= ").bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.to {
        cond.push(" AND at_ms < ").bind(Arg::Int(to_millis(to)));
    }
    cond
}

impl Store {
    /// Appends events in the order given, in one transaction.
    pub async fn append_acd_events(&self, events: &[NewAcdEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let bodies: Vec<String> = events.iter().map(|e| e.body.to_string()).collect();
        let mut tx = self.begin_write().await?;
        for (chunk, chunk_bodies) in events
            .chunks(ROWS_PER_STATEMENT)
            .zip(bodies.chunks(ROWS_PER_STATEMENT))
        {
            let text = insert_sql(chunk.len());
            let mut query = sqlx::query(&text);
            for (event, body) in chunk.iter().zip(chunk_bodies) {
                query = query
                    .bind(event.at_ms)
                    .bind(event.kind.as_str())
                    .bind(event.agent.as_deref())
                    .bind(event.queue.as_deref())
                    .bind(event.call_ref)
                    .bind(body.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` events after `seq`, oldest first: a reader follows the
    /// log by passing the last `seq` it saw.
    pub async fn acd_events_since(&self, seq: i64, limit: i64) -> Result<Vec<AcdEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT seq, {COLUMNS} FROM acd_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every event of one call, oldest first.
    pub async fn acd_events_for_call(&self, call_ref: i64) -> Result<Vec<AcdEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT seq, {COLUMNS} FROM acd_events WHERE call_ref = $1 ORDER BY seq"
        ))
        .bind(call_ref)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Events matching `filter`, newest first.
    pub async fn search_acd_events(
        &self,
        filter: &AcdEventFilter,
        page: PageRequest,
    ) -> Result<Page<AcdEvent>> {
        let cond = conditions(filter);
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            &format!("SELECT seq, {COLUMNS} FROM acd_events"),
            "SELECT COUNT(*) FROM acd_events",
            &cond,
            "at_ms DESC, seq DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    /// Deletes the events older than `before_ms`; returns how many.
    pub async fn prune_acd_events(&self, before_ms: i64) -> Result<u64> {
        let mut removed = 0;
        loop {
            let mut tx = self.begin_write().await?;
            let done = sqlx::query(
                "DELETE FROM acd_events WHERE seq IN \
                 (SELECT seq FROM acd_events WHERE at_ms < $1 ORDER BY at_ms LIMIT $2)",
            )
            .bind(before_ms)
            .bind(PRUNE_BATCH)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            removed += done.rows_affected();
            if done.rows_affected() < u64::try_from(PRUNE_BATCH).unwrap_or(u64::MAX) {
                return Ok(removed);
            }
        }
    }
}
