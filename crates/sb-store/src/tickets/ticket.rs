//! The ticket itself: creation (serial, repeat link, first history row,
//! the customer's timeline), reading, the steps of its workflow, deletion,
//! the repeat window setting and the customer picker.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::serial::next_serial;
use crate::audit::{Actor, Change, escape_like, record_change};
use crate::codes::{InteractionKind, TicketKind, TicketPriority, TicketState};
use crate::customers::{NewInteraction, insert_interaction};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::snapshot;

/// The settings key of the repeat window (W4), in days.
pub const REPEAT_WINDOW_SETTING: &str = "ticket.repeat_window_days";
const DEFAULT_REPEAT_WINDOW_DAYS: i64 = 7;

/// The service level a ticket was opened with and where its clocks stand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct TicketSla {
    pub policy_id: Option<i64>,
    /// The business calendar the targets count in ('' when no policy applies).
    pub calendar: String,
    pub reminder_minutes: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub response_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolve_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub responded_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// Set while waiting on the customer: the clock stopped then.
    #[serde(with = "time::serde::rfc3339::option")]
    pub paused_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    /// `YYYYMMDD-NNNNNN`.
    pub serial: String,
    pub kind: TicketKind,
    pub channel: String,
    pub type_code: String,
    pub subtype_code: String,
    pub priority: TicketPriority,
    pub urgency: TicketPriority,
    pub subject: String,
    pub content: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub call_id: String,
    #[schema(value_type = Object)]
    pub custom_fields: Value,
    pub state: TicketState,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// Who took it down.
    pub taker_id: Option<i64>,
    pub taker_name: Option<String>,
    /// The earlier ticket this one repeats (same customer and type within the window).
    pub repeat_of_id: Option<i64>,
    pub repeat_of_serial: Option<String>,
    pub sla: TicketSla,
    /// 1-5, from the follow-up call.
    pub satisfaction: Option<i64>,
    pub feedback: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Bumped by every step.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Ticket {
    pub fn is_repeat(&self) -> bool {
        self.repeat_of_id.is_some()
    }
}

/// A ticket as the desk opens it; fields validated by the caller.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub channel: String,
    pub type_code: String,
    pub subtype_code: String,
    pub priority: TicketPriority,
    pub urgency: TicketPriority,
    pub subject: String,
    pub content: String,
    pub customer_id: Option<i64>,
    pub call_id: String,
    pub custom_fields: Value,
    pub state: TicketState,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub sla: TicketSla,
    /// What the first history row says.
    pub note: String,
}

/// One step of the workflow as the desk decided it: the ticket's new
/// workflow fields and the history row.
#[derive(Debug, Clone)]
pub struct TicketStep {
    pub step: &'static str,
    pub note: String,
    pub state: TicketState,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub sla: TicketSla,
    pub satisfaction: Option<i64>,
    pub feedback: String,
    pub closed_at: Option<OffsetDateTime>,
    /// A line for the customer's timeline, when the step is one they see.
    pub interaction: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketHistoryEntry {
    pub id: i64,
    pub step: String,
    /// '' for the creation.
    pub from_state: String,
    pub to_state: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub note: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A customer for the create form's picker.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerOption {
    pub id: i64,
    pub name: String,
    /// The first phone number, as written.
    pub phone: Option<String>,
}

pub(crate) const SELECT: &str = "SELECT t.id, t.serial, t.kind, t.channel, t.type_code, \
     t.subtype_code, t.priority, t.urgency, t.subject, t.content, t.customer_id, \
     c.name AS customer_name, t.call_id, t.custom_fields, t.state, t.department_id, \
     d.name AS department_name, t.assignee_id, a.name AS assignee_name, t.taker_id, \
     k.name AS taker_name, t.repeat_of_id, r.serial AS repeat_of_serial, t.sla_policy_id, \
     t.sla_calendar, t.reminder_minutes, t.response_due_at, t.resolve_due_at, t.responded_at, \
     t.resolved_at, t.paused_at, t.satisfaction, t.feedback, t.closed_at, t.version, \
     t.created_at, t.updated_at \
     FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id \
     LEFT JOIN departments d ON d.id = t.department_id \
     LEFT JOIN staff a ON a.id = t.assignee_id \
     LEFT JOIN staff k ON k.id = t.taker_id \
     LEFT JOIN tickets r ON r.id = t.repeat_of_id";

pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM tickets t \
     LEFT JOIN customers c ON c.id = t.customer_id";

pub(crate) fn from_row(row: &AnyRow) -> Result<Ticket> {
    let custom: String = row.try_get("custom_fields")?;
    Ok(Ticket {
        id: row.try_get("id")?,
        serial: row.try_get("serial")?,
        kind: TicketKind::stored(&row.try_get::<String, _>("kind")?)?,
        channel: row.try_get("channel")?,
        type_code: row.try_get("type_code")?,
        subtype_code: row.try_get("subtype_code")?,
        priority: TicketPriority::stored(&row.try_get::<String, _>("priority")?)?,
        urgency: TicketPriority::stored(&row.try_get::<String, _>("urgency")?)?,
        subject: row.try_get("subject")?,
        content: row.try_get("content")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        call_id: row.try_get("call_id")?,
        custom_fields: serde_json::from_str(&custom)
            .map_err(|e| StoreError::Corrupt(format!("ticket custom fields: {e}")))?,
        state: TicketState::stored(&row.try_get::<String, _>("state")?)?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        taker_id: row.try_get("taker_id")?,
        taker_name: row.try_get("taker_name")?,
        repeat_of_id: row.try_get("repeat_of_id")?,
        repeat_of_serial: row.try_get("repeat_of_serial")?,
        sla: TicketSla {
            policy_id: row.try_get("sla_policy_id")?,
            calendar: row.try_get("sla_calendar")?,
            reminder_minutes: row.try_get("reminder_minutes")?,
            response_due_at: from_millis_opt(row.try_get("response_due_at")?)?,
            resolve_due_at: from_millis_opt(row.try_get("resolve_due_at")?)?,
            responded_at: from_millis_opt(row.try_get("responded_at")?)?,
            resolved_at: from_millis_opt(row.try_get("resolved_at")?)?,
            paused_at: from_millis_opt(row.try_get("paused_at")?)?,
        },
        satisfaction: row.try_get("satisfaction")?,
        feedback: row.try_get("feedback")?,
        closed_at: from_millis_opt(row.try_get("closed_at")?)?,
        version: row.try_get("version")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Ticket> {
    let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("ticket", id))?;
    from_row(&row)
}

fn history_from_row(row: &AnyRow) -> Result<TicketHistoryEntry> {
    Ok(TicketHistoryEntry {
        id: row.try_get("id")?,
        step: row.try_get("step")?,
        from_state: row.try_get("from_state")?,
        to_state: row.try_get("to_state")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: row.try_get("actor_name")?,
        note: row.try_get("note")?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        at: from_millis(row.try_get("at")?)?,
    })
}

struct HistoryRow<'a> {
    ticket_id: i64,
    step: &'a str,
    from_state: &'a str,
    to_state: TicketState,
    note: &'a str,
    department_id: Option<i64>,
    assignee_id: Option<i64>,
}

async fn insert_history(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    row: HistoryRow<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_history (ticket_id, step, from_state, to_state, actor_id, actor_name, \
         note, department_id, assignee_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(row.ticket_id)
    .bind(row.step)
    .bind(row.from_state)
    .bind(row.to_state.code())
    .bind(actor.id.map(|id| id.0))
    .bind(&actor.name)
    .bind(row.note)
    .bind(row.department_id)
    .bind(row.assignee_id)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A line on the customer's contact timeline, written with the ticket's change.
async fn touch_customer(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    customer_id: i64,
    serial: &str,
    summary: &str,
) -> Result<()> {
    let entry = NewInteraction {
        customer_id,
        kind: InteractionKind::Ticket,
        ref_id: serial.to_owned(),
        summary: summary.to_owned(),
        staff: actor.employee_id.clone(),
        occurred_at: now,
    };
    insert_interaction(conn, &entry).await.map(drop)
}

async fn repeat_window_days(conn: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(REPEAT_WINDOW_SETTING)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(row) => row
            .try_get::<String, _>(0)?
            .parse()
            .unwrap_or(DEFAULT_REPEAT_WINDOW_DAYS),
        None => DEFAULT_REPEAT_WINDOW_DAYS,
    })
}

/// The latest ticket of the same customer and type opened within the
/// window before `now` (W4).
async fn earlier_ticket(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    customer_id: i64,
    type_code: &str,
) -> Result<Option<i64>> {
    let days = repeat_window_days(&mut *conn).await?;
    if days <= 0 {
        return Ok(None);
    }
    let since = to_millis(now - Duration::days(days));
    let row = sqlx::query(
        "SELECT id FROM tickets WHERE customer_id = $1 AND type_code = $2 AND created_at >= $3 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(customer_id)
    .bind(type_code)
    .bind(since)
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
}

async fn check_customer(conn: &mut AnyConnection, customer_id: Option<i64>) -> Result<()> {
    if let Some(id) = customer_id {
        let found = sqlx::query("SELECT 1 FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "customer_id",
                format!("customer {id} does not exist"),
            ));
        }
    }
    Ok(())
}

fn ms(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(to_millis)
}

impl Store {
    pub async fn ticket(&self, id: i64) -> Result<Ticket> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn ticket_by_serial(&self, serial: &str) -> Result<Ticket> {
        let row = sqlx::query(&format!("{SELECT} WHERE t.serial = $1"))
            .bind(serial)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("ticket", serial))?;
        from_row(&row)
    }

    /// Opens a ticket: its serial, the repeat link, the first history row,
    /// the customer's timeline and the audit row, in one transaction.
    pub async fn create_ticket(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: NewTicket,
    ) -> Result<Ticket> {
        let mut tx = self.begin_write().await?;
        check_customer(&mut tx, input.customer_id).await?;
        let serial = next_serial(&mut tx, now).await?;
        let repeat_of = match input.customer_id {
            Some(customer) => earlier_ticket(&mut tx, now, customer, &input.type_code).await?,
            None => None,
        };
        let custom = input.custom_fields.to_string();
        let at = to_millis(now);
        let id: i64 = sqlx::query(
            "INSERT INTO tickets (serial, kind, channel, type_code, subtype_code, priority, urgency, \
             subject, content, customer_id, call_id, custom_fields, state, department_id, \
             assignee_id, taker_id, repeat_of_id, sla_policy_id, sla_calendar, reminder_minutes, \
             response_due_at, resolve_due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
             $23) RETURNING id",
        )
        .bind(&serial)
        .bind(input.kind.code())
        .bind(&input.channel)
        .bind(&input.type_code)
        .bind(&input.subtype_code)
        .bind(input.priority.code())
        .bind(input.urgency.code())
        .bind(&input.subject)
        .bind(&input.content)
        .bind(input.customer_id)
        .bind(&input.call_id)
        .bind(&custom)
        .bind(input.state.code())
        .bind(input.department_id)
        .bind(input.assignee_id)
        .bind(actor.id.map(|id| id.0))
        .bind(repeat_of)
        .bind(input.sla.policy_id)
        .bind(&input.sla.calendar)
        .bind(input.sla.reminder_minutes)
        .bind(ms(input.sla.response_due_at))
        .bind(ms(input.sla.resolve_due_at))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let history = HistoryRow {
            ticket_id: id,
            step: "create",
            from_state: "",
            to_state: input.state,
            note: &input.note,
            department_id: input.department_id,
            assignee_id: input.assignee_id,
        };
        insert_history(&mut tx, now, actor, history).await?;
        if let Some(customer) = input.customer_id {
            let summary = format!("工单已创建 Ticket opened: {}", input.subject);
            touch_customer(&mut tx, now, actor, customer, &serial, &summary).await?;
        }
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket.create",
            entity: "ticket",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Writes a step onto the ticket if it is still at `expected_version`;
    /// `None` when someone else changed it first (the desk decides again on
    /// the fresh ticket).
    pub async fn apply_ticket_step(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        step: TicketStep,
    ) -> Result<Option<Ticket>> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.version != expected_version {
            return Ok(None);
        }
        let updated = sqlx::query(
            "UPDATE tickets SET state = $1, department_id = $2, assignee_id = $3, \
             response_due_at = $4, resolve_due_at = $5, responded_at = $6, resolved_at = $7, \
             paused_at = $8, satisfaction = $9, feedback = $10, closed_at = $11, \
             version = version + 1, updated_at = $12 WHERE id = $13 AND version = $14",
        )
        .bind(step.state.code())
        .bind(step.department_id)
        .bind(step.assignee_id)
        .bind(ms(step.sla.response_due_at))
        .bind(ms(step.sla.resolve_due_at))
        .bind(ms(step.sla.responded_at))
        .bind(ms(step.sla.resolved_at))
        .bind(ms(step.sla.paused_at))
        .bind(step.satisfaction)
        .bind(&step.feedback)
        .bind(ms(step.closed_at))
        .bind(to_millis(now))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        let history = HistoryRow {
            ticket_id: id,
            step: step.step,
            from_state: before.state.code(),
            to_state: step.state,
            note: &step.note,
            department_id: step.department_id,
            assignee_id: step.assignee_id,
        };
        insert_history(&mut tx, now, actor, history).await?;
        if let (Some(customer), Some(summary)) = (before.customer_id, &step.interaction) {
            touch_customer(&mut tx, now, actor, customer, &before.serial, summary).await?;
        }
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket.step",
            entity: "ticket",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&serde_json::json!({ "step": step.step, "ticket": after })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Every step of a ticket, oldest first.
    pub async fn ticket_history(&self, id: i64) -> Result<Vec<TicketHistoryEntry>> {
        let rows = sqlx::query(
            "SELECT h.id, h.step, h.from_state, h.to_state, h.actor_id, h.actor_name, h.note, \
             h.department_id, d.name AS department_name, h.assignee_id, s.name AS assignee_name, \
             h.at FROM ticket_history h LEFT JOIN departments d ON d.id = h.department_id \
             LEFT JOIN staff s ON s.id = h.assignee_id WHERE h.ticket_id = $1 ORDER BY h.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(history_from_row).collect()
    }

    /// Deletes a ticket with its history; returns its attachments' stored
    /// paths for the caller to remove from disk.
    pub async fn delete_ticket(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        let files = sqlx::query("SELECT stored_path FROM ticket_attachments WHERE ticket_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?;
        sqlx::query("UPDATE tickets SET repeat_of_id = NULL WHERE repeat_of_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tickets WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "ticket.delete",
            entity: "ticket",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(files)
    }

    pub async fn ticket_repeat_window_days(&self) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        repeat_window_days(&mut conn).await
    }

    pub async fn set_ticket_repeat_window_days(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        days: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = repeat_window_days(&mut tx).await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(REPEAT_WINDOW_SETTING)
        .bind(days.to_string())
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "ticket.settings",
            entity: "setting",
            entity_id: REPEAT_WINDOW_SETTING.to_owned(),
            before: Some(serde_json::json!({ "repeat_window_days": before })),
            after: Some(serde_json::json!({ "repeat_window_days": days })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The lines a ticket wrote on its customer's timeline, oldest first.
    pub async fn ticket_timeline_lines(&self, serial: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT summary FROM customer_interactions WHERE kind = 'ticket' AND ref_id = $1 \
             ORDER BY occurred_at, id",
        )
        .bind(serial)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    /// Customers whose name or phone number contains `q`, for the picker.
    pub async fn ticket_customer_options(
        &self,
        q: &str,
        limit: i64,
    ) -> Result<Vec<CustomerOption>> {
        let pattern = format!("%{}%", escape_like(&q.trim().to_lowercase()));
        let rows = sqlx::query(
            "SELECT c.id, c.name, (SELECT p.number FROM customer_phones p WHERE p.customer_id = c.id \
             ORDER BY p.sort_order, p.id LIMIT 1) AS phone FROM customers c \
             WHERE LOWER(c.name) LIKE $1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM customer_phones p \
             WHERE p.customer_id = c.id AND (p.number LIKE $1 ESCAPE '\\' OR p.e164 LIKE $1 ESCAPE '\\')) \
             ORDER BY c.name, c.id LIMIT $2",
        )
        .bind(&pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CustomerOption {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    phone: r.try_get("phone")?,
                })
            })
            .collect()
    }
}
