//! SIP extensions (MISSION T1): the phones that register with the switch.
//! A phone's SIP password is never stored: only its digest HA1s (MD5 and
//! SHA-256), bound to the realm they were derived for.

use sb_core::{CallClass, SipSecret};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, escape_like, like_pattern, record_change};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::page::{Page, PageRequest, fetch_page};
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SipExtension {
    pub id: i64,
    pub extension: String,
    pub display_name: String,
    /// The digest realm the stored secret was derived for.
    pub realm: String,
    /// What the extension may dial: internal, local, national or international.
    #[schema(value_type = String, example = "national")]
    pub call_class: CallClass,
    /// How many phones may register on this extension at once.
    pub max_contacts: i64,
    pub enabled: bool,
    /// The SIP password is still the published demo one: change it.
    pub password_is_demo: bool,
    /// Record every call of this extension.
    pub record_calls: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What an admin sets on an extension (the password travels separately, as a
/// derived `SipSecret`); validated by the caller.
#[derive(Debug, Clone)]
pub struct SipExtensionInput {
    pub extension: String,
    pub display_name: String,
    pub call_class: CallClass,
    pub max_contacts: i64,
    pub enabled: bool,
    pub record_calls: bool,
}

/// What the registrar needs to check a REGISTER or INVITE. Never serialised;
/// `Debug` leaves the HA1s out.
#[derive(Clone, PartialEq, Eq)]
pub struct SipAccount {
    pub id: i64,
    pub extension: String,
    pub display_name: String,
    pub realm: String,
    pub ha1_md5: String,
    pub ha1_sha256: String,
    pub call_class: CallClass,
    pub max_contacts: u32,
    pub enabled: bool,
    /// Record every call of this extension.
    pub record_calls: bool,
}

impl std::fmt::Debug for SipAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipAccount")
            .field("id", &self.id)
            .field("extension", &self.extension)
            .field("realm", &self.realm)
            .field("call_class", &self.call_class)
            .field("max_contacts", &self.max_contacts)
            .field("enabled", &self.enabled)
            .field("record_calls", &self.record_calls)
            .finish_non_exhaustive()
    }
}

const SELECT: &str = "SELECT id, extension, display_name, realm, call_class, max_contacts, enabled, \
     password_is_demo, record_calls, created_at, updated_at FROM sip_extensions";

fn call_class(row: &AnyRow) -> Result<CallClass> {
    let code: String = row.try_get("call_class")?;
    code.parse()
        .map_err(|e: sb_core::CoreError| StoreError::Corrupt(e.to_string()))
}

fn from_row(row: &AnyRow) -> Result<SipExtension> {
    Ok(SipExtension {
        id: row.try_get("id")?,
        extension: row.try_get("extension")?,
        display_name: row.try_get("display_name")?,
        realm: row.try_get("realm")?,
        call_class: call_class(row)?,
        max_contacts: row.try_get("max_contacts")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        password_is_demo: row.try_get::<i64, _>("password_is_demo")? != 0,
        record_calls: row.try_get::<i64, _>("record_calls")? != 0,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<SipExtension> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("extension", id))?;
    from_row(&row)
}

fn duplicate(err: sqlx::Error, input: &SipExtensionInput) -> StoreError {
    map_unique(err, &[("extension", "extension", input.extension.as_str())])
}

/// Inbound routes that ring `extension`; it cannot go while they do.
async fn routes_to(conn: &mut AnyConnection, extension: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT did FROM sip_inbound_routes WHERE target_kind = 'extension' AND target = $1 ORDER BY did",
    )
    .bind(extension)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(Into::into))
        .collect()
}

async fn ensure_not_routed(conn: &mut AnyConnection, extension: &str) -> Result<()> {
    let dids = routes_to(conn, extension).await?;
    if dids.is_empty() {
        return Ok(());
    }
    Err(StoreError::Conflict {
        code: "extension_in_use",
        message: format!(
            "inbound routes ring extension {extension} (DID {}); change or delete them first",
            dids.join(", ")
        ),
    })
}

pub(crate) async fn insert_sip_extension(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &SipExtensionInput,
    secret: &SipSecret,
    password_is_demo: bool,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO sip_extensions (extension, display_name, realm, ha1_md5, ha1_sha256, \
         password_is_demo, call_class, max_contacts, enabled, record_calls, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&input.extension)
    .bind(&input.display_name)
    .bind(&secret.realm)
    .bind(&secret.ha1_md5)
    .bind(&secret.ha1_sha256)
    .bind(i64::from(password_is_demo))
    .bind(input.call_class.code())
    .bind(input.max_contacts)
    .bind(i64::from(input.enabled))
    .bind(i64::from(input.record_calls))
    .bind(to_millis(now))
    .fetch_one(conn)
    .await
    .map_err(|e| duplicate(e, input))?
    .try_get(0)?)
}

impl Store {
    /// Extensions in number order (shorter numbers first); `q` matches the
    /// number or the display name.
    pub async fn list_sip_extensions(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<SipExtension>> {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            cond.push(" AND (extension LIKE ")
                .bind(Arg::Text(format!("%{}%", escape_like(q))))
                .push(" ESCAPE '\\' OR LOWER(display_name) LIKE ")
                .bind(Arg::Text(like_pattern(q)))
                .push(" ESCAPE '\\')");
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM sip_extensions",
            &cond,
            "LENGTH(extension), extension",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn sip_extension(&self, id: i64) -> Result<SipExtension> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// `secret` is derived by the caller from the new password; a created
    /// extension's password is never the demo one.
    pub async fn create_sip_extension(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: SipExtensionInput,
        secret: &SipSecret,
    ) -> Result<SipExtension> {
        let mut tx = self.begin_write().await?;
        let id = insert_sip_extension(&mut tx, now, &input, secret, false).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "extension.create",
            entity: "extension",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces the record. `secret: Some` sets a new password (and clears the
    /// demo flag); a new extension number needs one, since HA1 is bound to
    /// the number.
    pub async fn update_sip_extension(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: SipExtensionInput,
        secret: Option<&SipSecret>,
    ) -> Result<SipExtension> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if input.extension != before.extension {
            if secret.is_none() {
                return Err(StoreError::invalid(
                    "password",
                    "a new extension number needs a new SIP password: the stored secret is bound to the number",
                ));
            }
            ensure_not_routed(&mut tx, &before.extension).await?;
        }
        sqlx::query(
            "UPDATE sip_extensions SET extension = $1, display_name = $2, call_class = $3, \
             max_contacts = $4, enabled = $5, record_calls = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&input.extension)
        .bind(&input.display_name)
        .bind(input.call_class.code())
        .bind(input.max_contacts)
        .bind(i64::from(input.enabled))
        .bind(i64::from(input.record_calls))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate(e, &input))?;
        if let Some(secret) = secret {
            set_secret(&mut tx, id, secret).await?;
        }
        let after = fetch(&mut tx, id).await?;
        let mut after_json = snapshot(&after);
        if let (Some(serde_json::Value::Object(map)), Some(_)) = (after_json.as_mut(), secret) {
            map.insert("password".into(), "changed".into());
        }
        let change = Change {
            action: "extension.update",
            entity: "extension",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: after_json,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new SIP password (as its derived secret) and clears the demo flag.
    pub async fn set_sip_password(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        secret: &SipSecret,
    ) -> Result<SipExtension> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        set_secret(&mut tx, id, secret).await?;
        sqlx::query("UPDATE sip_extensions SET updated_at = $1 WHERE id = $2")
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "extension.password",
            entity: "extension",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "extension": before.extension,
                "password": "changed",
                "was_demo": before.password_is_demo,
            })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_sip_extension(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<SipExtension> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        ensure_not_routed(&mut tx, &before.extension).await?;
        sqlx::query("DELETE FROM sip_extensions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "extension.delete",
            entity: "extension",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// The registrar's lookup by extension number (the SIP user name).
    pub async fn sip_account(&self, extension: &str) -> Result<Option<SipAccount>> {
        let row = sqlx::query(
            "SELECT id, extension, display_name, realm, ha1_md5, ha1_sha256, call_class, \
             max_contacts, enabled, record_calls FROM sip_extensions WHERE extension = $1",
        )
        .bind(extension)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let max_contacts: i64 = row.try_get("max_contacts")?;
        Ok(Some(SipAccount {
            id: row.try_get("id")?,
            extension: row.try_get("extension")?,
            display_name: row.try_get("display_name")?,
            realm: row.try_get("realm")?,
            ha1_md5: row.try_get("ha1_md5")?,
            ha1_sha256: row.try_get("ha1_sha256")?,
            call_class: call_class(&row)?,
            max_contacts: u32::try_from(max_contacts.max(1)).unwrap_or(u32::MAX),
            enabled: row.try_get::<i64, _>("enabled")? != 0,
            record_calls: row.try_get::<i64, _>("record_calls")? != 0,
        }))
    }

    /// Extensions whose SIP password is still the published demo one.
    pub async fn demo_password_extensions(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT extension FROM sip_extensions WHERE password_is_demo = 1 \
             ORDER BY LENGTH(extension), extension",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(Into::into))
            .collect()
    }
}

async fn set_secret(conn: &mut AnyConnection, id: i64, secret: &SipSecret) -> Result<()> {
    sqlx::query(
        "UPDATE sip_extensions SET realm = $1, ha1_md5 = $2, ha1_sha256 = $3, password_is_demo = 0 \
         WHERE id = $4",
    )
    .bind(&secret.realm)
    .bind(&secret.ha1_md5)
    .bind(&secret.ha1_sha256)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
