//! Notifications: what the SLA sweep tells a person (a reminder before a
//! deadline, an escalation after it), once per person, kind, ticket and
//! deadline; read and marked read by their owner. Also the sweep's work
//! list and the people an escalation goes to.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::codes::TicketState;
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// `sla_reminder` or `sla_escalation`.
    pub kind: String,
    pub ticket_id: Option<i64>,
    pub ticket_serial: Option<String>,
    /// The deadline it is about.
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline_at: Option<OffsetDateTime>,
    pub body: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub staff_id: i64,
    pub kind: &'static str,
    pub ticket_id: i64,
    /// Unix milliseconds of the deadline; part of what makes it unique.
    pub deadline_ms: i64,
    pub body: String,
}

/// An open ticket whose reminder point has passed for a deadline it has
/// not met, as the sweep reads it (times in Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaCandidate {
    pub id: i64,
    pub serial: String,
    pub subject: String,
    pub state: TicketState,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub taker_id: Option<i64>,
    pub reminder_minutes: i64,
    pub response_due_ms: Option<i64>,
    pub resolve_due_ms: Option<i64>,
    pub responded: bool,
    pub resolved: bool,
}

const SELECT: &str = "SELECT n.id, n.kind, n.ticket_id, t.serial AS ticket_serial, n.deadline_at, \
     n.body, n.read_at, n.created_at FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id";

fn from_row(row: &AnyRow) -> Result<Notification> {
    let deadline: i64 = row.try_get("deadline_at")?;
    Ok(Notification {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        ticket_id: row.try_get("ticket_id")?,
        ticket_serial: row.try_get("ticket_serial")?,
        deadline_at: from_millis_opt((deadline != 0).then_some(deadline))?,
        body: row.try_get("body")?,
        read_at: from_millis_opt(row.try_get("read_at")?)?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

fn candidate_from_row(row: &AnyRow) -> Result<SlaCandidate> {
    Ok(SlaCandidate {
        id: row.try_get("id")?,
        serial: row.try_get("serial")?,
        subject: row.try_get("subject")?,
        state: TicketState::stored(&row.try_get::<String, _>("state")?)?,
        department_id: row.try_get("department_id")?,
        assignee_id: row.try_get("assignee_id")?,
        taker_id: row.try_get("taker_id")?,
        reminder_minutes: row.try_get("reminder_minutes")?,
        response_due_ms: row.try_get("response_due_at")?,
        resolve_due_ms: row.try_get("resolve_due_at")?,
        responded: row.try_get::<Option<i64>, _>("responded_at")?.is_some(),
        resolved: row.try_get::<Option<i64>, _>("resolved_at")?.is_some(),
    })
}

async fn parent_department(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT parent_id FROM departments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(row) => row.try_get(0)?,
        None => None,
    })
}

impl Store {
    /// Writes the notifications not written before; returns how many were new.
    pub async fn insert_notifications(
        &self,
        now: OffsetDateTime,
        notes: &[NewNotification],
    ) -> Result<u64> {
        if notes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for note in notes {
            added += sqlx::query(
                "INSERT INTO notifications (staff_id, kind, ticket_id, deadline_at, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (staff_id, kind, ticket_id, deadline_at) DO NOTHING",
            )
            .bind(note.staff_id)
            .bind(note.kind)
            .bind(note.ticket_id)
            .bind(note.deadline_ms)
            .bind(&note.body)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// A person's notifications, newest first.
    pub async fn notifications_of(
        &self,
        staff_id: i64,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>> {
        let mut cond = Sql::new(" WHERE n.staff_id = ");
        cond.bind(Arg::Int(staff_id));
        if unread_only {
            cond.push(" AND n.read_at IS NULL");
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM notifications n",
            &cond,
            "n.id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn unread_notification_count(&self, staff_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM notifications WHERE staff_id = $1 AND read_at IS NULL",
        )
        .bind(staff_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    /// Marks one of the person's notifications read; someone else's is not found.
    pub async fn mark_notification_read(
        &self,
        now: OffsetDateTime,
        staff_id: i64,
        id: i64,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND staff_id = $3",
        )
        .bind(to_millis(now))
        .bind(id)
        .bind(staff_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("notification", id));
        }
        Ok(())
    }

    pub async fn mark_all_notifications_read(
        &self,
        now: OffsetDateTime,
        staff_id: i64,
    ) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE staff_id = $2 AND read_at IS NULL",
        )
        .bind(to_millis(now))
        .bind(staff_id)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Open tickets with a running clock whose reminder point has passed for
    /// a deadline they have not met, and whose escalation for it is not yet
    /// written.
    pub async fn tickets_due_for_sla(&self, now: OffsetDateTime) -> Result<Vec<SlaCandidate>> {
        let rows = sqlx::query(
            "SELECT t.id, t.serial, t.subject, t.state, t.department_id, t.assignee_id, t.taker_id, \
             t.reminder_minutes, t.response_due_at, t.resolve_due_at, t.responded_at, t.resolved_at \
             FROM tickets t WHERE t.state IN ('new', 'assigned', 'in_progress') AND (\
             (t.responded_at IS NULL AND t.response_due_at - t.reminder_minutes * 60000 <= $1 \
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ticket_id = t.id \
              AND n.kind = 'sla_escalation' AND n.deadline_at = t.response_due_at)) \
             OR (t.resolved_at IS NULL AND t.resolve_due_at - t.reminder_minutes * 60000 <= $1 \
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ticket_id = t.id \
              AND n.kind = 'sla_escalation' AND n.deadline_at = t.resolve_due_at))) \
             ORDER BY t.id LIMIT 500",
        )
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(candidate_from_row).collect()
    }

    /// The heads of a department for escalation: its enabled staff who hold
    /// `permission` (`ticket.dispatch`); when it has none, those of the
    /// nearest department above that has some.
    pub async fn department_heads(&self, department_id: i64, permission: &str) -> Result<Vec<i64>> {
        let mut conn = self.pool.acquire().await?;
        let mut current = Some(department_id);
        let mut seen = Vec::new();
        while let Some(dept) = current {
            if seen.contains(&dept) {
                break;
            }
            seen.push(dept);
            let rows = sqlx::query(
                "SELECT DISTINCT s.id FROM staff s JOIN staff_roles sr ON sr.staff_id = s.id \
                 JOIN role_permissions rp ON rp.role_id = sr.role_id \
                 WHERE s.department_id = $1 AND rp.permission = $2 AND s.enabled = 1 ORDER BY s.id",
            )
            .bind(dept)
            .bind(permission)
            .fetch_all(&mut *conn)
            .await?;
            if !rows.is_empty() {
                return rows
                    .iter()
                    .map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from))
                    .collect();
            }
            current = parent_department(&mut conn, dept).await?;
        }
        Ok(Vec::new())
    }
}
