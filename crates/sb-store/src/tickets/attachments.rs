//! Files attached to a ticket. The bytes live under the data directory's
//! `attachments` folder (sb-api writes and serves them); rows say what they are.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TicketAttachment {
    pub id: i64,
    pub ticket_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub stored_path: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewTicketAttachment {
    pub ticket_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub stored_path: String,
}

const SELECT: &str = "SELECT id, ticket_id, file_name, content_type, size_bytes, stored_path, \
     uploaded_by, created_at FROM ticket_attachments";

fn from_row(row: &AnyRow) -> Result<TicketAttachment> {
    Ok(TicketAttachment {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        stored_path: row.try_get("stored_path")?,
        uploaded_by: row.try_get("uploaded_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

impl Store {
    pub async fn ticket_attachments(&self, ticket_id: i64) -> Result<Vec<TicketAttachment>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE ticket_id = $1 ORDER BY id"))
            .bind(ticket_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn ticket_attachment(&self, id: i64) -> Result<TicketAttachment> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("attachment", id))?;
        from_row(&row)
    }

    pub async fn add_ticket_attachment(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: NewTicketAttachment,
    ) -> Result<TicketAttachment> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO ticket_attachments (ticket_id, file_name, content_type, size_bytes, \
             stored_path, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(input.ticket_id)
        .bind(&input.file_name)
        .bind(&input.content_type)
        .bind(input.size_bytes)
        .bind(&input.stored_path)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let created = from_row(&row)?;
        let change = Change {
            action: "ticket.attach",
            entity: "ticket",
            entity_id: input.ticket_id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Removes the row; returns it so the caller can delete the file.
    pub async fn delete_ticket_attachment(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<TicketAttachment> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("attachment", id))?;
        let before = from_row(&row)?;
        sqlx::query("DELETE FROM ticket_attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "ticket.detach",
            entity: "ticket",
            entity_id: before.ticket_id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(before)
    }
}
