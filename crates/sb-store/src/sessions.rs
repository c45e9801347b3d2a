//! Console sessions: the cookie carries a random id; only its SHA-256 is
//! stored, so a leaked database does not hand out live sessions.

use sb_core::StaffId;
use sqlx::Row;
use time::OffsetDateTime;

use crate::db::Store;
use crate::error::Result;
use crate::millis::{from_millis, to_millis};
use crate::staff::{CREDENTIAL_COLUMNS, Credentials, credentials_from_row};

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub staff_id: StaffId,
    /// The session's owner as of this read (one query with the session).
    pub staff: Credentials,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub staff_id: StaffId,
    pub csrf_token: &'a str,
    pub expires_at: OffsetDateTime,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

impl Store {
    pub async fn create_session(&self, now: OffsetDateTime, session: NewSession<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(session.id_hash)
        .bind(session.staff_id.0)
        .bind(session.csrf_token)
        .bind(to_millis(now))
        .bind(to_millis(session.expires_at))
        .bind(session.ip)
        .bind(session.user_agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this id hash; an expired one is deleted and
    /// reported as absent.
    pub async fn session(
        &self,
        now: OffsetDateTime,
        id_hash: &str,
    ) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(&format!(
            "SELECT se.staff_id, se.csrf_token, se.created_at, se.expires_at, {CREDENTIAL_COLUMNS} \
             FROM sessions se JOIN staff s ON s.id = se.staff_id WHERE se.id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let record = SessionRecord {
            staff_id: StaffId(row.try_get("staff_id")?),
            staff: credentials_from_row(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: from_millis(row.try_get("created_at")?)?,
            expires_at: from_millis(row.try_get("expires_at")?)?,
        };
        if record.expires_at <= now {
            self.delete_session(id_hash).await?;
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// Slides the idle expiry forward; the caller caps it at the absolute limit.
    pub async fn touch_session(
        &self,
        now: OffsetDateTime,
        id_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(to_millis(now))
            .bind(to_millis(expires_at))
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(to_millis(now))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
