//! Outbound routes (MISSION T3): which trunk a dialled number leaves by. The
//! switch tries the enabled routes in priority order (lower first) and takes
//! the first whose pattern matches and whose call class the caller holds.

use sb_core::{CallClass, CoreError, DialPattern};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::CallerIdMode;
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboundRoute {
    pub id: i64,
    pub name: String,
    /// Lower numbers are tried first.
    pub priority: i64,
    /// Dial pattern: digits, X (0-9), Z (1-9), N (2-9), [1-5], a trailing `.`.
    pub pattern: String,
    /// Digits removed from the front of the dialled number.
    pub strip: i64,
    /// Digits put in front after stripping.
    pub prepend: String,
    pub trunk_id: i64,
    pub trunk_name: String,
    /// The class a caller needs to use the route: local, national or international.
    #[schema(value_type = String, example = "national")]
    pub call_class: CallClass,
    pub caller_id_mode: CallerIdMode,
    /// The caller number for `fixed`.
    pub caller_id: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl OutboundRoute {
    /// The route's pattern, parsed (it was checked when saved).
    pub fn dial_pattern(&self) -> Result<DialPattern, CoreError> {
        DialPattern::parse(&self.pattern)
    }

    /// The number to send to the carrier: `strip` characters removed from
    /// the front, then `prepend` added.
    pub fn translate(&self, dialled: &str) -> String {
        let strip = usize::try_from(self.strip).unwrap_or(0);
        let rest: String = dialled.chars().skip(strip).collect();
        format!("{}{rest}", self.prepend)
    }
}

/// What an admin sets on an outbound route; validated by the caller (the
/// pattern parses, `strip` fits it, `fixed` has a caller ID).
#[derive(Debug, Clone)]
pub struct OutboundRouteInput {
    pub name: String,
    pub priority: i64,
    pub pattern: String,
    pub strip: i64,
    pub prepend: String,
    pub trunk_id: i64,
    pub call_class: CallClass,
    pub caller_id_mode: CallerIdMode,
    pub caller_id: String,
    pub enabled: bool,
}

const SELECT: &str = "SELECT r.id, r.name, r.priority, r.pattern, r.strip, r.prepend, r.trunk_id, \
     t.name AS trunk_name, r.call_class, r.caller_id_mode, r.caller_id, r.enabled, r.created_at, \
     r.updated_at FROM sip_outbound_routes r JOIN sip_trunks t ON t.id = r.trunk_id";

const ORDER: &str = " ORDER BY r.priority, r.id";

fn from_row(row: &AnyRow) -> Result<OutboundRoute> {
    let class: String = row.try_get("call_class")?;
    let mode: String = row.try_get("caller_id_mode")?;
    Ok(OutboundRoute {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        priority: row.try_get("priority")?,
        pattern: row.try_get("pattern")?,
        strip: row.try_get("strip")?,
        prepend: row.try_get("prepend")?,
        trunk_id: row.try_get("trunk_id")?,
        trunk_name: row.try_get("trunk_name")?,
        call_class: class
            .parse()
            .map_err(|e: CoreError| StoreError::Corrupt(e.to_string()))?,
        caller_id_mode: CallerIdMode::stored(&mode)?,
        caller_id: row.try_get("caller_id")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<OutboundRoute> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("outbound route", id))?;
    from_row(&row)
}

async fn check_trunk(conn: &mut AnyConnection, trunk: i64) -> Result<()> {
    let found = sqlx::query("SELECT 1 FROM sip_trunks WHERE id = $1")
        .bind(trunk)
        .fetch_optional(conn)
        .await?;
    if found.is_none() {
        return Err(StoreError::invalid(
            "trunk_id",
            format!("trunk {trunk} does not exist"),
        ));
    }
    Ok(())
}

fn duplicate(err: sqlx::Error, input: &OutboundRouteInput) -> StoreError {
    map_unique(err, &[("name", "name", input.name.as_str())])
}

pub(crate) async fn insert_outbound_route(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &OutboundRouteInput,
) -> Result<i64> {
    check_trunk(conn, input.trunk_id).await?;
    Ok(sqlx::query(
        "INSERT INTO sip_outbound_routes (name, priority, pattern, strip, prepend, trunk_id, call_class, \
         caller_id_mode, caller_id, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&input.name)
    .bind(input.priority)
    .bind(&input.pattern)
    .bind(input.strip)
    .bind(&input.prepend)
    .bind(input.trunk_id)
    .bind(input.call_class.code())
    .bind(input.caller_id_mode.code())
    .bind(&input.caller_id)
    .bind(i64::from(input.enabled))
    .bind(to_millis(now))
    .fetch_one(conn)
    .await
    .map_err(|e| duplicate(e, input))?
    .try_get(0)?)
}

impl Store {
    /// Every outbound route in the order the switch tries them.
    pub async fn list_outbound_routes(&self) -> Result<Vec<OutboundRoute>> {
        let rows = sqlx::query(&format!("{SELECT}{ORDER}"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The enabled routes, by priority then id, for the switch.
    pub async fn enabled_outbound_routes(&self) -> Result<Vec<OutboundRoute>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE r.enabled = 1{ORDER}"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn outbound_route(&self, id: i64) -> Result<OutboundRoute> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn create_outbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: OutboundRouteInput,
    ) -> Result<OutboundRoute> {
        let mut tx = self.begin_write().await?;
        let id = insert_outbound_route(&mut tx, now, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "outbound_route.create",
            entity: "outbound_route",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_outbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: OutboundRouteInput,
    ) -> Result<OutboundRoute> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        check_trunk(&mut tx, input.trunk_id).await?;
        sqlx::query(
            "UPDATE sip_outbound_routes SET name = $1, priority = $2, pattern = $3, strip = $4, \
             prepend = $5, trunk_id = $6, call_class = $7, caller_id_mode = $8, caller_id = $9, \
             enabled = $10, updated_at = $11 WHERE id = $12",
        )
        .bind(&input.name)
        .bind(input.priority)
        .bind(&input.pattern)
        .bind(input.strip)
        .bind(&input.prepend)
        .bind(input.trunk_id)
        .bind(input.call_class.code())
        .bind(input.caller_id_mode.code())
        .bind(&input.caller_id)
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate(e, &input))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "outbound_route.update",
            entity: "outbound_route",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_outbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM sip_outbound_routes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "outbound_route.delete",
            entity: "outbound_route",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
