//! SIP address bans (MISSION T6): addresses the switch ignores for a while,
//! set by the switch when an address keeps failing authentication or by an
//! admin by hand. An address has at most one active ban: banning it again
//! extends the one it has.

use std::net::IpAddr;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SipBan {
    pub id: i64,
    #[schema(value_type = String, example = "203.0.113.7")]
    pub address: IpAddr,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub lifted_at: Option<OffsetDateTime>,
    /// Employee ID of who lifted it, or the part of the system that did.
    pub lifted_by: Option<String>,
}

impl SipBan {
    /// In force at `now`: not lifted and not yet expired.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.lifted_at.is_none() && self.expires_at > now
    }
}

#[derive(Debug, Clone)]
pub struct NewSipBan {
    pub address: IpAddr,
    pub reason: String,
    pub expires_at: OffsetDateTime,
}

const SELECT: &str =
    "SELECT id, address, reason, created_at, expires_at, lifted_at, lifted_by FROM sip_bans";

fn from_row(row: &AnyRow) -> Result<SipBan> {
    let address: String = row.try_get("address")?;
    Ok(SipBan {
        id: row.try_get("id")?,
        address: address
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("ban address `{address}`")))?,
        reason: row.try_get("reason")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        expires_at: from_millis(row.try_get("expires_at")?)?,
        lifted_at: from_millis_opt(row.try_get("lifted_at")?)?,
        lifted_by: row.try_get("lifted_by")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<SipBan> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("ban", id))?;
    from_row(&row)
}

/// The stored text of an address: IPv4 seen through IPv6 is kept as IPv4.
fn address_text(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

impl Store {
    /// Bans an address until `ban.expires_at`, or extends (and re-explains)
    /// its active ban. Audited as `sip_ban.create` or `sip_ban.extend`.
    pub async fn insert_ban(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        ban: NewSipBan,
    ) -> Result<SipBan> {
        let address = address_text(ban.address);
        let mut tx = self.begin_write().await?;
        let active = sqlx::query(&format!(
            "{SELECT} WHERE address = $1 AND lifted_at IS NULL AND expires_at > $2 \
             ORDER BY expires_at DESC LIMIT 1"
        ))
        .bind(&address)
        .bind(to_millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        let (id, action, before) = match active {
            Some(row) => {
                let current = from_row(&row)?;
                let until = current.expires_at.max(ban.expires_at);
                sqlx::query("UPDATE sip_bans SET expires_at = $1, reason = $2 WHERE id = $3")
                    .bind(to_millis(until))
                    .bind(&ban.reason)
                    .bind(current.id)
                    .execute(&mut *tx)
                    .await?;
                (current.id, "sip_ban.extend", snapshot(&current))
            }
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO sip_bans (address, reason, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&address)
                .bind(&ban.reason)
                .bind(to_millis(now))
                .bind(to_millis(ban.expires_at))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                (id, "sip_ban.create", None)
            }
        };
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action,
            entity: "sip_ban",
            entity_id: id.to_string(),
            before,
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The bans in force at `now`, for the switch to load at start.
    pub async fn active_bans(&self, now: OffsetDateTime) -> Result<Vec<SipBan>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE lifted_at IS NULL AND expires_at > $1 ORDER BY expires_at"
        ))
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Newest first; without `include_expired` only the bans in force at `now`.
    pub async fn list_bans(
        &self,
        now: OffsetDateTime,
        page: PageRequest,
        include_expired: bool,
    ) -> Result<Page<SipBan>> {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if !include_expired {
            cond.push(" AND lifted_at IS NULL AND expires_at > ")
                .bind(Arg::Int(to_millis(now)));
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM sip_bans",
            &cond,
            "created_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn sip_ban(&self, id: i64) -> Result<SipBan> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Ends a ban now. A ban that is no longer in force is a conflict
    /// (`ban_not_active`).
    pub async fn lift_ban(&self, now: OffsetDateTime, id: i64, actor: &Actor) -> Result<SipBan> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if !before.is_active(now) {
            return Err(StoreError::Conflict {
                code: "ban_not_active",
                message: format!("the ban of {} is no longer in force", before.address),
            });
        }
        let by = if actor.employee_id.is_empty() {
            actor.name.clone()
        } else {
            actor.employee_id.clone()
        };
        sqlx::query("UPDATE sip_bans SET lifted_at = $1, lifted_by = $2 WHERE id = $3")
            .bind(to_millis(now))
            .bind(by)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "sip_ban.lift",
            entity: "sip_ban",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }
}
