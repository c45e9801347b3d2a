//! System announcements with a display window (MISSION M5), shown to every
//! signed-in user as a scrolling notice while the window is open.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Announcement {
    pub id: i64,
    pub title: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub created_by_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct AnnouncementInput {
    pub title: String,
    pub body: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

const SELECT: &str = "SELECT a.id, a.title, a.body, a.starts_at, a.ends_at, s.name AS created_by_name, a.created_at \
     FROM announcements a LEFT JOIN staff s ON s.id = a.created_by";

fn from_row(row: &AnyRow) -> Result<Announcement> {
    Ok(Announcement {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        starts_at: from_millis(row.try_get("starts_at")?)?,
        ends_at: from_millis(row.try_get("ends_at")?)?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Announcement> {
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("announcement", id))?;
    from_row(&row)
}

impl Store {
    pub async fn list_announcements(&self) -> Result<Vec<Announcement>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY a.starts_at DESC, a.id DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Announcements whose window contains `now`, newest first.
    pub async fn active_announcements(&self, now: OffsetDateTime) -> Result<Vec<Announcement>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.starts_at <= $1 AND a.ends_at > $1 ORDER BY a.starts_at DESC, a.id DESC"
        ))
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_announcement(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: AnnouncementInput,
    ) -> Result<Announcement> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO announcements (title, body, starts_at, ends_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&input.title)
        .bind(&input.body)
        .bind(to_millis(input.starts_at))
        .bind(to_millis(input.ends_at))
        .bind(actor.id.map(|id| id.0))
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "announcement.create",
            entity: "announcement",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_announcement(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: AnnouncementInput,
    ) -> Result<Announcement> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE announcements SET title = $1, body = $2, starts_at = $3, ends_at = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&input.title)
        .bind(&input.body)
        .bind(to_millis(input.starts_at))
        .bind(to_millis(input.ends_at))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "announcement.update",
            entity: "announcement",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_announcement(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM announcements WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "announcement.delete",
            entity: "announcement",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
