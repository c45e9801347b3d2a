//! Business calendars (MISSION I2): working hours, holidays and make-up
//! workdays as a JSON document, named so flows can test "is it work time".
//! The API validates documents with sb-calendar; the store keeps the text.

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Calendar {
    pub id: i64,
    /// The code flows refer to.
    pub name: String,
    pub description: String,
    /// The calendar document (JSON text).
    pub document: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Employee ID of who changed it last.
    pub updated_by: String,
}

/// A calendar as an admin sets it; validated by the caller.
#[derive(Debug, Clone)]
pub struct CalendarInput {
    pub name: String,
    pub description: String,
    pub document: String,
}

const SELECT: &str = "SELECT id, name, description, document, created_at, updated_at, updated_by \
     FROM calendars";

fn from_row(row: &AnyRow) -> Result<Calendar> {
    Ok(Calendar {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        document: row.try_get("document")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        updated_by: row.try_get("updated_by")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Calendar> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("calendar", id))?;
    from_row(&row)
}

/// The audit form: the document as JSON when it parses.
fn audit_form(calendar: &Calendar) -> Option<serde_json::Value> {
    let mut value = snapshot(calendar)?;
    if let Ok(document) = serde_json::from_str::<serde_json::Value>(&calendar.document) {
        value["document"] = document;
    }
    Some(value)
}

pub(crate) async fn insert_calendar(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    input: &CalendarInput,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO calendars (name, description, document, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
    )
    .bind(&input.name)
    .bind(&input.description)
    .bind(&input.document)
    .bind(to_millis(now))
    .bind(&actor.employee_id)
    .fetch_one(conn)
    .await
    .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?
    .try_get(0)?)
}

impl Store {
    /// Every calendar, by name.
    pub async fn list_calendars(&self) -> Result<Vec<Calendar>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn calendar(&self, id: i64) -> Result<Calendar> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn calendar_by_name(&self, name: &str) -> Result<Calendar> {
        let row = sqlx::query(&format!("{SELECT} WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar", name))?;
        from_row(&row)
    }

    /// (name, document) of every calendar, for the switch's flows.
    pub async fn calendar_documents(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT name, document FROM calendars ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub async fn create_calendar(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: CalendarInput,
    ) -> Result<Calendar> {
        let mut tx = self.begin_write().await?;
        let id = insert_calendar(&mut tx, now, actor, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "calendar.create",
            entity: "calendar",
            entity_id: id.to_string(),
            before: None,
            after: audit_form(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_calendar(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: CalendarInput,
    ) -> Result<Calendar> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE calendars SET name = $1, description = $2, document = $3, updated_at = $4, \
             updated_by = $5 WHERE id = $6",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(&input.document)
        .bind(to_millis(now))
        .bind(&actor.employee_id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "calendar.update",
            entity: "calendar",
            entity_id: id.to_string(),
            before: audit_form(&before),
            after: audit_form(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_calendar(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM calendars WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "calendar.delete",
            entity: "calendar",
            entity_id: id.to_string(),
            before: audit_form(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
