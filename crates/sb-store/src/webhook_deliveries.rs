//! The webhook delivery log, which is also the outgoing queue: a row is
//! written before its event is sent, so a restart loses nothing; a row
//! being sent is leased by moving `next_attempt_at` past the request's
//! timeout, so a crash mid-send makes it due again rather than lost.
//! Rows are facts, not changes (no audit), except a manual retry.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};
use crate::snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt of the retry schedule failed.
    Failed,
}

impl DeliveryState {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<DeliveryState> {
        match code {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: i64,
    /// The event's number on the bus; 0 for a test ping.
    pub event_seq: i64,
    pub event_type: String,
    /// The JSON body as sent.
    pub payload: String,
    pub attempts: i64,
    pub state: DeliveryState,
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// The receiver's HTTP status at the last attempt, if it answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed ('' when it did not).
    pub last_error: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

/// An event to be delivered to one webhook.
#[derive(Debug, Clone)]
pub struct NewWebhookDelivery {
    pub webhook_id: i64,
    pub event_seq: i64,
    pub event_type: String,
    pub payload: String,
    pub next_attempt_at: OffsetDateTime,
}

/// A claimed row with what sending it needs.
#[derive(Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    pub event_type: String,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("webhook_id", &self.webhook_id)
            .field("url", &self.url)
            .field("event_type", &self.event_type)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// How many requests the sender may start: `total` now, and no webhook
/// past `per_webhook` counting the ones it has in flight (`busy`).
#[derive(Debug, Clone, Default)]
pub struct SendRoom {
    pub total: u32,
    pub per_webhook: u32,
    pub busy: HashMap<i64, u32>,
}

/// What a claim took.
#[derive(Debug, Default)]
pub struct Claimed {
    pub due: Vec<DueDelivery>,
    /// Due rows were left for webhooks at their share: claim again when
    /// room frees up.
    pub held_back: bool,
}

/// How an attempt went and what follows.
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// The receiver's status, when it answered at all.
    pub status: Option<u16>,
    pub error: String,
    pub next: NextStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    RetryAt(OffsetDateTime),
    GiveUp,
}

const SELECT: &str = "SELECT id, webhook_id, event_seq, event_type, payload, attempts, state, \
     next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at \
     FROM webhook_deliveries";

fn from_row(row: &AnyRow) -> Result<WebhookDelivery> {
    let state: String = row.try_get("state")?;
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        webhook_id: row.try_get("webhook_id")?,
        event_seq: row.try_get("event_seq")?,
        event_type: row.try_get("event_type")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery state `{state}`")))?,
        next_attempt_at: from_millis(row.try_get("next_attempt_at")?)?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        delivered_at: from_millis_opt(row.try_get("delivered_at")?)?,
    })
}

async fn fetch(conn: &mut sqlx::AnyConnection, id: i64) -> Result<WebhookDelivery> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
    from_row(&row)
}

impl Store {
    /// Writes one pending row per delivery in one transaction; their ids in order.
    pub async fn insert_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        deliveries: &[NewWebhookDelivery],
    ) -> Result<Vec<i64>> {
        let mut ids = Vec::with_capacity(deliveries.len());
        if deliveries.is_empty() {
            return Ok(ids);
        }
        let mut tx = self.begin_write().await?;
        for d in deliveries {
            let id: i64 = sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event_seq, event_type, payload, \
                 next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(d.webhook_id)
            .bind(d.event_seq)
            .bind(&d.event_type)
            .bind(&d.payload)
            .bind(to_millis(d.next_attempt_at))
            .bind(to_millis(now))
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Takes the pending rows due at `now` whose webhook is enabled, oldest
    /// due first, as far as `room` allows, and leases them until
    /// `lease_until`. Webhooks already at their share are skipped in the
    /// query, so one receiver that hangs cannot hold every slot while
    /// others' events wait.
    pub async fn claim_due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        room: &SendRoom,
    ) -> Result<Claimed> {
        let mut claimed = Claimed::default();
        if room.total == 0 {
            return Ok(claimed);
        }
        // Read first, outside a write transaction: the sender asks every few
        // seconds and mostly finds nothing, which must not take SQLite's
        // write lock. The lease below is a compare-and-set, so when several
        // servers share the database each due row goes to one of them.
        let mut query = Sql::new(
            "SELECT d.id, d.webhook_id, w.url, w.secret, d.event_type, d.payload, d.attempts \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.state = 'pending' AND d.next_attempt_at <= ",
        );
        query.bind(Arg::Int(to_millis(now)));
        query.push(" AND w.enabled = 1");
        let full: Vec<i64> = room
            .busy
            .iter()
            .filter(|(_, n)| **n >= room.per_webhook)
            .map(|(id, _)| *id)
            .collect();
        if !full.is_empty() {
            query.push(" AND d.webhook_id NOT IN ").bind_list(&full);
        }
        query
            .push(" ORDER BY d.next_attempt_at, d.id LIMIT ")
            .bind(Arg::Int(i64::from(room.total)));
        let rows = query.query().fetch_all(&self.pool).await?;
        let mut taken: HashMap<i64, u32> = HashMap::new();
        for row in &rows {
            let webhook_id: i64 = row.try_get("webhook_id")?;
            let used = room.busy.get(&webhook_id).copied().unwrap_or(0)
                + taken.get(&webhook_id).copied().unwrap_or(0);
            if used >= room.per_webhook {
                claimed.held_back = true;
                continue;
            }
            *taken.entry(webhook_id).or_default() += 1;
            claimed.due.push(DueDelivery {
                id: row.try_get("id")?,
                webhook_id,
                url: row.try_get("url")?,
                secret: row.try_get("secret")?,
                event_type: row.try_get("event_type")?,
                payload: row.try_get("payload")?,
                attempts: row.try_get("attempts")?,
            });
        }
        if !claimed.due.is_empty() {
            // Only rows still pending and due are leased: another server that
            // leased one since the read moved its next attempt past `now`
            // (PostgreSQL re-checks the condition after the row lock).
            let mut lease = Sql::new("UPDATE webhook_deliveries SET next_attempt_at = ");
            lease.bind(Arg::Int(to_millis(lease_until)));
            lease.push(" WHERE id IN ");
            let ids: Vec<i64> = claimed.due.iter().map(|d| d.id).collect();
            lease.bind_list(&ids);
            lease
                .push(" AND state = 'pending' AND next_attempt_at <= ")
                .bind(Arg::Int(to_millis(now)))
                .push(" RETURNING id");
            let won: Vec<i64> = lease
                .query()
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| row.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()?;
            claimed.due.retain(|d| won.contains(&d.id));
        }
        Ok(claimed)
    }

    /// Records one attempt: counts it, keeps the status and error, and
    /// settles the row or schedules the next attempt.
    pub async fn record_webhook_attempt(
        &self,
        now: OffsetDateTime,
        id: i64,
        attempt: &DeliveryAttempt,
    ) -> Result<WebhookDelivery> {
        let now_ms = to_millis(now);
        let (state, next_at, delivered_at) = match attempt.next {
            NextStep::Delivered => (DeliveryState::Delivered, now_ms, Some(now_ms)),
            NextStep::RetryAt(at) => (DeliveryState::Pending, to_millis(at), None),
            NextStep::GiveUp => (DeliveryState::Failed, now_ms, None),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, state = $1, next_attempt_at = $2, \
             last_status = $3, last_error = $4, updated_at = $5, \
             delivered_at = COALESCE($6, delivered_at) WHERE id = $7",
        )
        .bind(state.code())
        .bind(next_at)
        .bind(attempt.status.map(i64::from))
        .bind(&attempt.error)
        .bind(now_ms)
        .bind(delivered_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A webhook's log, newest first, optionally in one state.
    pub async fn webhook_deliveries(
        &self,
        webhook_id: i64,
        state: Option<DeliveryState>,
        page: PageRequest,
    ) -> Result<Page<WebhookDelivery>> {
        let mut cond = Sql::new(" WHERE webhook_id = ");
        cond.bind(Arg::Int(webhook_id));
        if let Some(state) = state {
            cond.push(" AND state = ")
                .bind(Arg::Text(state.code().to_owned()));
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM webhook_deliveries",
            &cond,
            "id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn webhook_delivery(&self, id: i64) -> Result<WebhookDelivery> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Makes a row due now whatever its state: one more attempt for a
    /// failed row, a resend for a delivered one, no more waiting for a
    /// pending one. Audited, since an operator chose it.
    pub async fn retry_webhook_delivery(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<WebhookDelivery> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $1, updated_at = $1 \
             WHERE id = $2",
        )
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "webhook_delivery.retry",
            entity: "webhook_delivery",
            entity_id: id.to_string(),
            before: snapshot(&Settled::from(&before)),
            after: snapshot(&Settled::from(&after)),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes settled rows last touched before `before`; pending rows stay.
    pub async fn purge_webhook_deliveries(&self, before: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND updated_at < $1",
        )
        .bind(to_millis(before))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

/// What the audit row keeps of a delivery: its standing, not the payload.
#[derive(Serialize)]
struct Settled {
    webhook_id: i64,
    event_seq: i64,
    event_type: String,
    state: DeliveryState,
    attempts: i64,
}

impl From<&WebhookDelivery> for Settled {
    fn from(d: &WebhookDelivery) -> Settled {
        Settled {
            webhook_id: d.webhook_id,
            event_seq: d.event_seq,
            event_type: d.event_type.clone(),
            state: d.state,
            attempts: d.attempts,
        }
    }
}
