//! Bearer tokens for integrations (MISSION X3): created and revoked by admins,
//! stored as SHA-256 of the secret, acting as the staff member they belong to.

use sb_core::StaffId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::snapshot;
use crate::staff::{CREDENTIAL_COLUMNS, Credentials, credentials_from_row};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub staff_id: i64,
    pub employee_id: String,
    pub staff_name: String,
    /// The owner's department, for data scope.
    pub department_id: Option<i64>,
    pub name: String,
    /// The first characters of the secret, to recognise a token in a config file.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub staff_id: StaffId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub expires_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT t.id, t.staff_id, s.employee_id, s.name AS staff_name, s.department_id, t.name, t.prefix, \
     t.created_at, t.last_used_at, t.expires_at, t.revoked_at FROM api_tokens t JOIN staff s ON s.id = t.staff_id";

fn from_row(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        staff_id: row.try_get("staff_id")?,
        employee_id: row.try_get("employee_id")?,
        staff_name: row.try_get("staff_name")?,
        department_id: row.try_get("department_id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        last_used_at: from_millis_opt(row.try_get("last_used_at")?)?,
        expires_at: from_millis_opt(row.try_get("expires_at")?)?,
        revoked_at: from_millis_opt(row.try_get("revoked_at")?)?,
    })
}

impl Store {
    pub async fn create_api_token(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        token: NewApiToken<'_>,
    ) -> Result<ApiToken> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (staff_id, name, prefix, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token.staff_id.0)
        .bind(token.name)
        .bind(token.prefix)
        .bind(token.token_hash)
        .bind(to_millis(now))
        .bind(token.expires_at.map(to_millis))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let created = from_row(&row)?;
        let change = Change {
            action: "api_token.create",
            entity: "api_token",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY t.created_at DESC, t.id DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn api_token(&self, id: i64) -> Result<ApiToken> {
        let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("api token", id))?;
        from_row(&row)
    }

    pub async fn revoke_api_token(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("api token", id))?;
        let before = from_row(&row)?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "api_token.revoke",
            entity: "api_token",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The staff member a live (unrevoked, unexpired) token acts as, read in
    /// the same query. `last_used_at` is refreshed at most once a minute to
    /// keep reads cheap.
    pub async fn api_token_owner(
        &self,
        now: OffsetDateTime,
        token_hash: &str,
    ) -> Result<Option<Credentials>> {
        let row = sqlx::query(&format!(
            "SELECT t.id AS token_id, t.expires_at, t.revoked_at, t.last_used_at, {CREDENTIAL_COLUMNS} \
             FROM api_tokens t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        let expires: Option<i64> = row.try_get("expires_at")?;
        let now_ms = to_millis(now);
        if revoked.is_some() || expires.is_some_and(|e| e <= now_ms) {
            return Ok(None);
        }
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|t| now_ms - t > 60_000) {
            let id: i64 = row.try_get("token_id")?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(credentials_from_row(&row)?))
    }
}
