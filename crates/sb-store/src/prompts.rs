//! Voice prompts: announcements the IVR and queues play, uploaded in the
//! console. The audio lives in `<data>/prompts/<file>` (the API writes it);
//! this table names it. Changes are audited like any other.

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
pub struct VoicePrompt {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// File name in the prompts folder (`<id>.wav`).
    pub file: String,
    pub duration_ms: i64,
    pub size_bytes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Employee ID of who uploaded it.
    pub created_by: String,
}

/// A converted upload, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewVoicePrompt {
    pub name: String,
    pub description: String,
    pub duration_ms: i64,
    pub size_bytes: i64,
}

const SELECT: &str = "SELECT id, name, description, file, duration_ms, size_bytes, created_at, \
     created_by FROM prompts";

fn from_row(row: &AnyRow) -> Result<VoicePrompt> {
    Ok(VoicePrompt {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        file: row.try_get("file")?,
        duration_ms: row.try_get("duration_ms")?,
        size_bytes: row.try_get("size_bytes")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        created_by: row.try_get("created_by")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<VoicePrompt> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("prompt", id))?;
    from_row(&row)
}

/// The file a prompt's audio is kept in, named after its id so an upload's
/// name never reaches the file system.
fn file_name(id: i64) -> String {
    format!("{id}.wav")
}

impl Store {
    /// Every prompt, by name.
    pub async fn list_prompts(&self) -> Result<Vec<VoicePrompt>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn prompt(&self, id: i64) -> Result<VoicePrompt> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Records a prompt; the caller then writes its audio to `file`.
    pub async fn create_prompt(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: NewVoicePrompt,
    ) -> Result<VoicePrompt> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO prompts (name, description, file, duration_ms, size_bytes, created_at, created_by) \
             VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.duration_ms)
        .bind(input.size_bytes)
        .bind(to_millis(now))
        .bind(&actor.employee_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?
        .try_get(0)?;
        sqlx::query("UPDATE prompts SET file = $1 WHERE id = $2")
            .bind(file_name(id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "prompt.create",
            entity: "prompt",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Renames or re-describes a prompt (the audio stays).
    pub async fn update_prompt(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        name: &str,
        description: &str,
    ) -> Result<VoicePrompt> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("UPDATE prompts SET name = $1, description = $2 WHERE id = $3")
            .bind(name)
            .bind(description)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_unique(e, &[("name", "name", name)]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "prompt.update",
            entity: "prompt",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes the row and returns it, so the caller can remove the file.
    pub async fn delete_prompt(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<VoicePrompt> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM prompts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "prompt.delete",
            entity: "prompt",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(before)
    }
}
