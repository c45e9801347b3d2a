//! Webhooks (MISSION X3): the URLs CTI events are POSTed to, each with the
//! secret its deliveries are signed with and the event types it wants.
//! The secret is kept in clear (it signs every delivery) and never
//! serialised, so it reaches neither an API body nor the audit log.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The event types delivered; empty means every type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Employee ID of who created it.
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(skip)]
    pub secret: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// Whether events of type `kind` go to this webhook.
    pub fn wants(&self, kind: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == kind)
    }
}

/// What an administrator sets; the secret is the server's to make.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
}

const SELECT: &str = "SELECT id, name, url, secret, event_types, enabled, created_by, created_at, \
     updated_at FROM webhooks";

fn from_row(row: &AnyRow) -> Result<Webhook> {
    let types: String = row.try_get("event_types")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        event_types: types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_by: row.try_get("created_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        secret: row.try_get("secret")?,
    })
}

async fn fetch(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Webhook> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("webhook", id))?;
    from_row(&row)
}

impl Store {
    pub async fn create_webhook(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: WebhookInput,
        secret: &str,
    ) -> Result<Webhook> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO webhooks (name, url, secret, event_types, enabled, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.url)
        .bind(secret)
        .bind(input.event_types.join(","))
        .bind(i64::from(input.enabled))
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "webhook.create",
            entity: "webhook",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_webhook(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: WebhookInput,
    ) -> Result<Webhook> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE webhooks SET name = $1, url = $2, event_types = $3, enabled = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(&input.name)
        .bind(&input.url)
        .bind(input.event_types.join(","))
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "webhook.update",
            entity: "webhook",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces the signing secret; the audit row says it happened, not what it is.
    pub async fn rotate_webhook_secret(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        secret: &str,
    ) -> Result<Webhook> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("UPDATE webhooks SET secret = $1, updated_at = $2 WHERE id = $3")
            .bind(secret)
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "webhook.rotate_secret",
            entity: "webhook",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes the webhook and its delivery log (pending rows included).
    pub async fn delete_webhook(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        // Explicit rather than trusting ON DELETE CASCADE: SQLite enforces
        // it only with foreign keys switched on.
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "webhook.delete",
            entity: "webhook",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY name, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The webhooks events are delivered to now.
    pub async fn enabled_webhooks(&self) -> Result<Vec<Webhook>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE enabled = 1 ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn webhook(&self, id: i64) -> Result<Webhook> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }
}
