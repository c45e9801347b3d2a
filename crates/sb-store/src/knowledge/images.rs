//! Images inserted into article bodies. The bytes live under the data
//! directory's knowledge folder (sb-api writes and serves them).

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbImage {
    pub id: i64,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub stored_path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewKbImage {
    pub content_type: String,
    pub size_bytes: i64,
    pub stored_path: String,
}

fn from_row(row: &AnyRow) -> Result<KbImage> {
    Ok(KbImage {
        id: row.try_get("id")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        stored_path: row.try_get("stored_path")?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

impl Store {
    pub async fn add_kb_image(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: NewKbImage,
    ) -> Result<KbImage> {
        let row = sqlx::query(
            "INSERT INTO kb_images (content_type, size_bytes, stored_path, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, content_type, size_bytes, stored_path, created_at",
        )
        .bind(&input.content_type)
        .bind(input.size_bytes)
        .bind(&input.stored_path)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        from_row(&row)
    }

    pub async fn kb_image(&self, id: i64) -> Result<KbImage> {
        let row = sqlx::query(
            "SELECT id, content_type, size_bytes, stored_path, created_at FROM kb_images \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("image", id))?;
        from_row(&row)
    }
}
