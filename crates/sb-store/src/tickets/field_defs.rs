//! Fields admins add to tickets (W1): the keys of `tickets.custom_fields`.

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
pub struct TicketFieldDef {
    pub id: i64,
    pub field_key: String,
    pub label: String,
    /// `text`, `number`, `date` or `choice`.
    pub kind: String,
    /// For `choice`: the dictionary list whose item codes are the values.
    pub dictionary_type: String,
    pub required: bool,
    pub sort_order: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A field as an admin defines it; validated by the caller.
#[derive(Debug, Clone)]
pub struct TicketFieldDefInput {
    pub field_key: String,
    pub label: String,
    pub kind: String,
    pub dictionary_type: String,
    pub required: bool,
    pub sort_order: i64,
}

const SELECT: &str = "SELECT id, field_key, label, kind, dictionary_type, required, sort_order, \
     created_at, updated_at FROM ticket_field_defs";

fn from_row(row: &AnyRow) -> Result<TicketFieldDef> {
    Ok(TicketFieldDef {
        id: row.try_get("id")?,
        field_key: row.try_get("field_key")?,
        label: row.try_get("label")?,
        kind: row.try_get("kind")?,
        dictionary_type: row.try_get("dictionary_type")?,
        required: row.try_get::<i64, _>("required")? != 0,
        sort_order: row.try_get("sort_order")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<TicketFieldDef> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("ticket field", id))?;
    from_row(&row)
}

impl Store {
    pub async fn list_ticket_field_defs(&self) -> Result<Vec<TicketFieldDef>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY sort_order, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_ticket_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: TicketFieldDefInput,
    ) -> Result<TicketFieldDef> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO ticket_field_defs (field_key, label, kind, dictionary_type, required, \
             sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&input.field_key)
        .bind(&input.label)
        .bind(&input.kind)
        .bind(&input.dictionary_type)
        .bind(i64::from(input.required))
        .bind(input.sort_order)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("field_key", "field_key", input.field_key.as_str())]))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket_field.create",
            entity: "ticket_field",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_ticket_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: TicketFieldDefInput,
    ) -> Result<TicketFieldDef> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE ticket_field_defs SET field_key = $1, label = $2, kind = $3, \
             dictionary_type = $4, required = $5, sort_order = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&input.field_key)
        .bind(&input.label)
        .bind(&input.kind)
        .bind(&input.dictionary_type)
        .bind(i64::from(input.required))
        .bind(input.sort_order)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("field_key", "field_key", input.field_key.as_str())]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ticket_field.update",
            entity: "ticket_field",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_ticket_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM ticket_field_defs WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "ticket_field.delete",
            entity: "ticket_field",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
