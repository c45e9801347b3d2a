//! SIP trunks (MISSION T2): the carriers calls go out through and come in
//! from. The trunk password is kept in plain text because it has to be sent
//! to the carrier; it is never serialised (the API shows `has_password`).

use std::net::IpAddr;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::Transport;
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;
use sb_core::AddressRange;

#[derive(Clone, Serialize, ToSchema)]
pub struct Trunk {
    pub id: i64,
    pub name: String,
    /// IP address or DNS name of the carrier's SIP server.
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    /// IPs and CIDR blocks whose calls are taken without authentication.
    pub inbound_addresses: Vec<String>,
    /// Whether the switch registers with the carrier.
    pub register: bool,
    pub username: String,
    /// For the switch only; never serialised.
    #[serde(skip)]
    pub password: String,
    pub has_password: bool,
    /// Seconds a registration with the carrier lasts.
    pub register_expires: i64,
    /// Concurrent calls allowed through the trunk; 0 means no limit.
    pub max_channels: i64,
    /// Default caller number presented to the carrier (may be empty).
    pub caller_id: String,
    pub enabled: bool,
    /// Record every call through this trunk.
    pub record_calls: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for Trunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trunk")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("transport", &self.transport)
            .field("inbound_addresses", &self.inbound_addresses)
            .field("register", &self.register)
            .field("username", &self.username)
            .field("has_password", &self.has_password)
            .field("enabled", &self.enabled)
            .field("record_calls", &self.record_calls)
            .finish_non_exhaustive()
    }
}

impl Trunk {
    /// The inbound list as address ranges (entries that no longer parse are skipped).
    pub fn inbound_ranges(&self) -> Vec<AddressRange> {
        self.inbound_addresses
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    }

    /// Whether calls from `ip` are taken from this trunk without authentication.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.inbound_ranges().iter().any(|r| r.contains(ip))
    }
}

/// What an admin sets on a trunk; validated by the caller. `password: None`
/// keeps the stored one (none on create); `Some("")` removes it.
#[derive(Clone)]
pub struct TrunkInput {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub inbound_addresses: Vec<String>,
    pub register: bool,
    pub username: String,
    pub password: Option<String>,
    pub register_expires: i64,
    pub max_channels: i64,
    pub caller_id: String,
    pub enabled: bool,
    pub record_calls: bool,
}

impl std::fmt::Debug for TrunkInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkInput")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("password_given", &self.password.is_some())
            .finish_non_exhaustive()
    }
}

const SELECT: &str = "SELECT id, name, host, port, transport, inbound_addresses, register, username, \
     password, register_expires, max_channels, caller_id, enabled, record_calls, created_at, updated_at FROM sip_trunks";

fn from_row(row: &AnyRow) -> Result<Trunk> {
    let port: i64 = row.try_get("port")?;
    let transport: String = row.try_get("transport")?;
    let addresses: String = row.try_get("inbound_addresses")?;
    let password: String = row.try_get("password")?;
    Ok(Trunk {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        host: row.try_get("host")?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("trunk port {port}")))?,
        transport: Transport::stored(&transport)?,
        inbound_addresses: addresses
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        register: row.try_get::<i64, _>("register")? != 0,
        username: row.try_get("username")?,
        has_password: !password.is_empty(),
        password,
        register_expires: row.try_get("register_expires")?,
        max_channels: row.try_get("max_channels")?,
        caller_id: row.try_get("caller_id")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        record_calls: row.try_get::<i64, _>("record_calls")? != 0,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Trunk> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("trunk", id))?;
    from_row(&row)
}

/// Registering with a carrier needs a user name and a password.
fn check_registration(input: &TrunkInput, password: &str) -> Result<()> {
    if input.register && input.username.is_empty() {
        return Err(StoreError::invalid(
            "username",
            "registering with the carrier needs a user name",
        ));
    }
    if input.register && password.is_empty() {
        return Err(StoreError::invalid(
            "password",
            "registering with the carrier needs a password",
        ));
    }
    Ok(())
}

fn duplicate(err: sqlx::Error, input: &TrunkInput) -> StoreError {
    map_unique(err, &[("name", "name", input.name.as_str())])
}

/// The audit snapshot, noting a password change without the password.
fn audited(trunk: &Trunk, password_set: bool) -> Option<serde_json::Value> {
    let mut json = snapshot(trunk);
    if let (Some(serde_json::Value::Object(map)), true) = (json.as_mut(), password_set) {
        map.insert("password".into(), "changed".into());
    }
    json
}

pub(crate) async fn insert_trunk(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &TrunkInput,
) -> Result<i64> {
    let password = input.password.as_deref().unwrap_or("");
    check_registration(input, password)?;
    Ok(sqlx::query(
        "INSERT INTO sip_trunks (name, host, port, transport, inbound_addresses, register, username, \
         password, register_expires, max_channels, caller_id, enabled, record_calls, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&input.name)
    .bind(&input.host)
    .bind(i64::from(input.port))
    .bind(input.transport.code())
    .bind(input.inbound_addresses.join(","))
    .bind(i64::from(input.register))
    .bind(&input.username)
    .bind(password)
    .bind(input.register_expires)
    .bind(input.max_channels)
    .bind(&input.caller_id)
    .bind(i64::from(input.enabled))
    .bind(i64::from(input.record_calls))
    .bind(to_millis(now))
    .fetch_one(conn)
    .await
    .map_err(|e| duplicate(e, input))?
    .try_get(0)?)
}

/// A trunk that routes still use cannot be deleted.
async fn ensure_unused(conn: &mut AnyConnection, trunk: &Trunk) -> Result<()> {
    let count = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE trunk_id = $1");
    let inbound: i64 = sqlx::query(&count("sip_inbound_routes"))
        .bind(trunk.id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let outbound: i64 = sqlx::query(&count("sip_outbound_routes"))
        .bind(trunk.id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if inbound + outbound > 0 {
        return Err(StoreError::Conflict {
            code: "trunk_in_use",
            message: format!(
                "trunk {} is used by {inbound} inbound and {outbound} outbound routes; change or delete them first",
                trunk.name
            ),
        });
    }
    Ok(())
}

impl Store {
    /// Every trunk, by name.
    pub async fn list_trunks(&self) -> Result<Vec<Trunk>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The enabled trunks, with their passwords, for the switch.
    pub async fn enabled_trunks(&self) -> Result<Vec<Trunk>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE enabled = 1 ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn trunk(&self, id: i64) -> Result<Trunk> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn create_trunk(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: TrunkInput,
    ) -> Result<Trunk> {
        let mut tx = self.begin_write().await?;
        let id = insert_trunk(&mut tx, now, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "trunk.create",
            entity: "trunk",
            entity_id: id.to_string(),
            before: None,
            after: audited(&created, false),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_trunk(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: TrunkInput,
    ) -> Result<Trunk> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        let password = input
            .password
            .clone()
            .unwrap_or_else(|| before.password.clone());
        check_registration(&input, &password)?;
        sqlx::query(
            "UPDATE sip_trunks SET name = $1, host = $2, port = $3, transport = $4, inbound_addresses = $5, \
             register = $6, username = $7, password = $8, register_expires = $9, max_channels = $10, \
             caller_id = $11, enabled = $12, record_calls = $13, updated_at = $14 WHERE id = $15",
        )
        .bind(&input.name)
        .bind(&input.host)
        .bind(i64::from(input.port))
        .bind(input.transport.code())
        .bind(input.inbound_addresses.join(","))
        .bind(i64::from(input.register))
        .bind(&input.username)
        .bind(&password)
        .bind(input.register_expires)
        .bind(input.max_channels)
        .bind(&input.caller_id)
        .bind(i64::from(input.enabled))
        .bind(i64::from(input.record_calls))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate(e, &input))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "trunk.update",
            entity: "trunk",
            entity_id: id.to_string(),
            before: audited(&before, false),
            after: audited(&after, input.password.is_some()),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_trunk(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        ensure_unused(&mut tx, &before).await?;
        sqlx::query("DELETE FROM sip_trunks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "trunk.delete",
            entity: "trunk",
            entity_id: id.to_string(),
            before: audited(&before, false),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
