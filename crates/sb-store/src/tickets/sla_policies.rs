//! SLA policies (W5): response and resolution targets per ticket type and
//! priority, in working minutes of a named business calendar. An empty type
//! or priority matches any; the most specific policy wins.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TicketSlaPolicy {
    pub id: i64,
    pub name: String,
    /// A ticket_type code, or '' for any type.
    pub type_code: String,
    /// A priority, or '' for any.
    pub priority: String,
    pub calendar_name: String,
    pub response_minutes: i64,
    pub resolve_minutes: i64,
    pub reminder_minutes: i64,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A policy as an admin sets it; validated by the caller.
#[derive(Debug, Clone)]
pub struct TicketSlaPolicyInput {
    pub name: String,
    pub type_code: String,
    pub priority: String,
    pub calendar_name: String,
    pub response_minutes: i64,
    pub resolve_minutes: i64,
    pub reminder_minutes: i64,
    pub enabled: bool,
}

const SELECT: &str = "SELECT id, name, type_code, priority, calendar_name, response_minutes, \
     resolve_minutes, reminder_minutes, enabled, created_at, updated_at FROM ticket_sla_policies";

fn from_row(row: &AnyRow) -> Result<TicketSlaPolicy> {
    Ok(TicketSlaPolicy {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        type_code: row.try_get("type_code")?,
        priority: row.try_get("priority")?,
        calendar_name: row.try_get("calendar_name")?,
        response_minutes: row.try_get("response_minutes")?,
        resolve_minutes: row.try_get("resolve_minutes")?,
        reminder_minutes: row.try_get("reminder_minutes")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<TicketSlaPolicy> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("SLA policy", id))?;
    from_row(&row)
}

fn unique(input: &TicketSlaPolicyInput) -> [(&'static str, &'static str, String); 1] {
    [(
        "ticket_sla_policies",
        "priority",
        format!("{}/{}", input.type_code, input.priority),
    )]
}

fn map_scope_unique(e: sqlx::Error, input: &TicketSlaPolicyInput) -> StoreError {
    let [(fragment, field, value)] = unique(input);
    map_unique(e, &[(fragment, field, value.as_str())])
}

impl Store {
    pub async fn list_ticket_sla_policies(&self) -> Result<Vec<TicketSlaPolicy>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY type_code, priority, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn ticket_sla_policy(&self, id: i64) -> Result<TicketSlaPolicy> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// The enabled policy for a ticket of `type_code` and `priority`: an
    /// exact match beats a type-only one, which beats a priority-only one,
    /// which beats the catch-all.
    pub async fn ticket_sla_policy_for(
        &self,
        type_code: &str,
        priority: &str,
    ) -> Result<Option<TicketSlaPolicy>> {
        let row = sqlx::query(&format!(
            "{SELECT} WHERE enabled = 1 AND type_code IN ($1, '') AND priority IN ($2, '') \
             ORDER BY CASE WHEN type_code = '' THEN 1 ELSE 0 END, \
             CASE WHEN priority = '' THEN 1 ELSE 0 END LIMIT 1"
        ))
        .bind(type_code)
        .bind(priority)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn create_ticket_sla_policy(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: TicketSlaPolicyInput,
    ) -> Result<TicketSlaPolicy> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO ticket_sla_policies (name, type_code, priority, calendar_name, \
             response_minutes, resolve_minutes, reminder_minutes, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.type_code)
        .bind(&input.priority)
        .bind(&input.calendar_name)
        .bind(input.response_minutes)
        .bind(input.resolve_minutes)
        .bind(input.reminder_minutes)
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_scope_unique(e, &input))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket_sla_policy.create",
            entity: "ticket_sla_policy",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_ticket_sla_policy(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: TicketSlaPolicyInput,
    ) -> Result<TicketSlaPolicy> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE ticket_sla_policies SET name = $1, type_code = $2, priority = $3, \
             calendar_name = $4, response_minutes = $5, resolve_minutes = $6, \
             reminder_minutes = $7, enabled = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&input.name)
        .bind(&input.type_code)
        .bind(&input.priority)
        .bind(&input.calendar_name)
        .bind(input.response_minutes)
        .bind(input.resolve_minutes)
        .bind(input.reminder_minutes)
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_scope_unique(e, &input))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket_sla_policy.update",
            entity: "ticket_sla_policy",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_ticket_sla_policy(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM ticket_sla_policies WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "ticket_sla_policy.delete",
            entity: "ticket_sla_policy",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
