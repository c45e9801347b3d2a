//! Inbound routes (MISSION T3): which extension, voice flow or queue a call
//! from a carrier reaches, by the dialled number (DID) as the carrier sends
//! it. A route may belong to one trunk or to any trunk; the trunk's own route
//! wins.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::TargetKind;
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboundRoute {
    pub id: i64,
    /// The dialled number as the carrier sends it.
    pub did: String,
    /// The trunk the route applies to; `null` means any trunk.
    pub trunk_id: Option<i64>,
    pub trunk_name: Option<String>,
    pub target_kind: TargetKind,
    /// The extension number to ring, or the name of the flow or queue.
    pub target: String,
    pub description: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What an admin sets on an inbound route; validated by the caller.
#[derive(Debug, Clone)]
pub struct InboundRouteInput {
    pub did: String,
    pub trunk_id: Option<i64>,
    pub target_kind: TargetKind,
    pub target: String,
    pub description: String,
    pub enabled: bool,
}

const SELECT: &str = "SELECT r.id, r.did, r.trunk_id, t.name AS trunk_name, r.target_kind, r.target, \
     r.description, r.enabled, r.created_at, r.updated_at \
     FROM sip_inbound_routes r LEFT JOIN sip_trunks t ON t.id = r.trunk_id";

fn from_row(row: &AnyRow) -> Result<InboundRoute> {
    let kind: String = row.try_get("target_kind")?;
    Ok(InboundRoute {
        id: row.try_get("id")?,
        did: row.try_get("did")?,
        trunk_id: row.try_get("trunk_id")?,
        trunk_name: row.try_get("trunk_name")?,
        target_kind: TargetKind::stored(&kind)?,
        target: row.try_get("target")?,
        description: row.try_get("description")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<InboundRoute> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("inbound route", id))?;
    from_row(&row)
}

/// The trunk and the target must exist; reported by field.
async fn check_references(conn: &mut AnyConnection, input: &InboundRouteInput) -> Result<()> {
    if let Some(trunk) = input.trunk_id {
        let found = sqlx::query("SELECT 1 FROM sip_trunks WHERE id = $1")
            .bind(trunk)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "trunk_id",
                format!("trunk {trunk} does not exist"),
            ));
        }
    }
    let (lookup, what) = match input.target_kind {
        TargetKind::Extension => (
            "SELECT 1 FROM sip_extensions WHERE extension = $1",
            "extension",
        ),
        TargetKind::Flow => ("SELECT 1 FROM ivr_flows WHERE name = $1", "flow"),
        TargetKind::Queue => ("SELECT 1 FROM acd_queues WHERE name = $1", "queue"),
    };
    let found = sqlx::query(lookup)
        .bind(&input.target)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(StoreError::invalid(
            "target",
            format!("{what} {} does not exist", input.target),
        ));
    }
    Ok(())
}

fn duplicate(err: sqlx::Error, input: &InboundRouteInput) -> StoreError {
    map_unique(err, &[("did", "did", input.did.as_str())])
}

pub(crate) async fn insert_inbound_route(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &InboundRouteInput,
) -> Result<i64> {
    check_references(conn, input).await?;
    Ok(sqlx::query(
        "INSERT INTO sip_inbound_routes (did, trunk_id, target_kind, target, description, enabled, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&input.did)
    .bind(input.trunk_id)
    .bind(input.target_kind.code())
    .bind(&input.target)
    .bind(&input.description)
    .bind(i64::from(input.enabled))
    .bind(to_millis(now))
    .fetch_one(conn)
    .await
    .map_err(|e| duplicate(e, input))?
    .try_get(0)?)
}

impl Store {
    /// Every inbound route, by DID (any-trunk rows after trunk rows).
    pub async fn list_inbound_routes(&self) -> Result<Vec<InboundRoute>> {
        let rows = sqlx::query(&format!(
            "{SELECT} ORDER BY r.did, CASE WHEN r.trunk_id IS NULL THEN 1 ELSE 0 END, t.name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn inbound_route_by_id(&self, id: i64) -> Result<InboundRoute> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// The switch's lookup: the enabled route for `did` on `trunk_id`,
    /// falling back to the enabled any-trunk route.
    pub async fn inbound_route(&self, trunk_id: i64, did: &str) -> Result<Option<InboundRoute>> {
        let row = sqlx::query(&format!(
            "{SELECT} WHERE r.did = $1 AND r.enabled = 1 AND (r.trunk_id = $2 OR r.trunk_id IS NULL) \
             ORDER BY CASE WHEN r.trunk_id IS NULL THEN 1 ELSE 0 END LIMIT 1"
        ))
        .bind(did)
        .bind(trunk_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn create_inbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: InboundRouteInput,
    ) -> Result<InboundRoute> {
        let mut tx = self.begin_write().await?;
        let id = insert_inbound_route(&mut tx, now, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "inbound_route.create",
            entity: "inbound_route",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_inbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: InboundRouteInput,
    ) -> Result<InboundRoute> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        check_references(&mut tx, &input).await?;
        sqlx::query(
            "UPDATE sip_inbound_routes SET did = $1, trunk_id = $2, target_kind = $3, target = $4, \
             description = $5, enabled = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&input.did)
        .bind(input.trunk_id)
        .bind(input.target_kind.code())
        .bind(&input.target)
        .bind(&input.description)
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate(e, &input))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "inbound_route.update",
            entity: "inbound_route",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_inbound_route(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM sip_inbound_routes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "inbound_route.delete",
            entity: "inbound_route",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
