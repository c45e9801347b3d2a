//! Voice flows (MISSION I1, N5): a named flow with an optional access number
//! and a history of JSON documents. Publishing adds a version and makes it
//! current; older versions stay readable (a call keeps the version it started
//! with, and an admin can restore one by publishing it again).
//!
//! The store keeps documents as text and never parses them: the API validates
//! them with sb-ivr before they get here.

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
pub struct IvrFlow {
    pub id: i64,
    /// The code inbound routes, queues and other flows use.
    pub name: String,
    /// The access number dialled from extensions, if any.
    pub number: Option<String>,
    pub description: String,
    pub enabled: bool,
    /// The version new calls run.
    pub current_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Employee ID of who changed it last.
    pub updated_by: String,
}

/// A flow's metadata as an admin sets it; validated by the caller.
#[derive(Debug, Clone)]
pub struct IvrFlowInput {
    pub name: String,
    pub number: Option<String>,
    pub description: String,
    pub enabled: bool,
}

/// One entry of a flow's history, without its document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IvrFlowVersionSummary {
    pub version: i64,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

/// One version with its document (JSON text).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IvrFlowVersion {
    pub flow_id: i64,
    pub version: i64,
    pub document: String,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

const SELECT: &str = "SELECT id, name, number, description, enabled, current_version, \
     created_at, updated_at, updated_by FROM ivr_flows";

fn from_row(row: &AnyRow) -> Result<IvrFlow> {
    Ok(IvrFlow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        number: row.try_get("number")?,
        description: row.try_get("description")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        current_version: row.try_get("current_version")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        updated_by: row.try_get("updated_by")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<IvrFlow> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("flow", id))?;
    from_row(&row)
}

fn duplicate(err: sqlx::Error, input: &IvrFlowInput) -> StoreError {
    map_unique(
        err,
        &[
            ("number", "number", input.number.as_deref().unwrap_or("")),
            ("name", "name", input.name.as_str()),
        ],
    )
}

/// A flow's access number is dialled like an extension, so it must not be one.
async fn check_number(conn: &mut AnyConnection, input: &IvrFlowInput) -> Result<()> {
    let Some(number) = input.number.as_deref() else {
        return Ok(());
    };
    let taken = sqlx::query("SELECT 1 FROM sip_extensions WHERE extension = $1")
        .bind(number)
        .fetch_optional(conn)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Duplicate {
            field: "number",
            value: number.to_owned(),
        });
    }
    Ok(())
}

/// What refers to flow `name` by name: inbound routes and queues sending
/// calls to it. Flow documents naming it as a sub-flow are the API's to check.
async fn users_of(conn: &mut AnyConnection, name: &str) -> Result<Vec<String>> {
    let mut users = Vec::new();
    let routes = sqlx::query(
        "SELECT did FROM sip_inbound_routes WHERE target_kind = 'flow' AND target = $1 ORDER BY did",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    for row in routes {
        users.push(format!("inbound route {}", row.try_get::<String, _>(0)?));
    }
    let queues = sqlx::query(
        "SELECT name FROM acd_queues WHERE (overflow_action = 'flow' AND overflow_target = $1) \
         OR (no_agent_action = 'flow' AND no_agent_target = $1) ORDER BY name",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    for row in queues {
        users.push(format!("queue {}", row.try_get::<String, _>(0)?));
    }
    Ok(users)
}

fn in_use(name: &str, users: &[String]) -> StoreError {
    StoreError::Conflict {
        code: "flow_in_use",
        message: format!("flow {name} is used by {}", users.join(", ")),
    }
}

/// The audit form of a document: the JSON itself when it parses, so the
/// audit log shows structure rather than an escaped string.
fn document_value(document: &str) -> serde_json::Value {
    serde_json::from_str(document).unwrap_or_else(|_| serde_json::Value::from(document))
}

async fn insert_version(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    flow_id: i64,
    version: i64,
    document: &str,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ivr_flow_versions (flow_id, version, document, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(flow_id)
    .bind(version)
    .bind(document)
    .bind(note)
    .bind(to_millis(now))
    .bind(&actor.employee_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn insert_ivr_flow(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    input: &IvrFlowInput,
    document: &str,
) -> Result<i64> {
    check_number(conn, input).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO ivr_flows (name, number, description, enabled, current_version, created_at, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, 1, $5, $5, $6) RETURNING id",
    )
    .bind(&input.name)
    .bind(input.number.as_deref())
    .bind(&input.description)
    .bind(i64::from(input.enabled))
    .bind(to_millis(now))
    .bind(&actor.employee_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| duplicate(e, input))?
    .try_get(0)?;
    insert_version(conn, now, actor, id, 1, document, "").await?;
    Ok(id)
}

impl Store {
    /// Every flow, by name.
    pub async fn list_ivr_flows(&self) -> Result<Vec<IvrFlow>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn ivr_flow(&self, id: i64) -> Result<IvrFlow> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn ivr_flow_by_name(&self, name: &str) -> Result<IvrFlow> {
        let row = sqlx::query(&format!("{SELECT} WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("flow", name))?;
        from_row(&row)
    }

    /// The flow an extension reaches by dialling `number`, enabled or not
    /// (the caller decides what a disabled flow means).
    pub async fn ivr_flow_by_number(&self, number: &str) -> Result<Option<IvrFlow>> {
        let row = sqlx::query(&format!("{SELECT} WHERE number = $1"))
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Creates a flow with `document` as version 1.
    pub async fn create_ivr_flow(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: IvrFlowInput,
        document: &str,
    ) -> Result<IvrFlow> {
        let mut tx = self.begin_write().await?;
        let id = insert_ivr_flow(&mut tx, now, actor, &input, document).await?;
        let created = fetch(&mut tx, id).await?;
        let mut after = snapshot(&created);
        if let Some(after) = after.as_mut() {
            after["document"] = document_value(document);
        }
        let change = Change {
            action: "ivr_flow.create",
            entity: "ivr_flow",
            entity_id: id.to_string(),
            before: None,
            after,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a flow's name, number, description or enabled flag; its
    /// documents stay. A flow that routes or queues send calls to keeps its
    /// name (they refer to it by name).
    pub async fn update_ivr_flow(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: IvrFlowInput,
    ) -> Result<IvrFlow> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.name != input.name {
            let users = users_of(&mut tx, &before.name).await?;
            if !users.is_empty() {
                return Err(in_use(&before.name, &users));
            }
        }
        check_number(&mut tx, &input).await?;
        sqlx::query(
            "UPDATE ivr_flows SET name = $1, number = $2, description = $3, enabled = $4, \
             updated_at = $5, updated_by = $6 WHERE id = $7",
        )
        .bind(&input.name)
        .bind(input.number.as_deref())
        .bind(&input.description)
        .bind(i64::from(input.enabled))
        .bind(to_millis(now))
        .bind(&actor.employee_id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate(e, &input))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "ivr_flow.update",
            entity: "ivr_flow",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds `document` as the flow's next version and makes it current for
    /// new calls; returns the version number.
    pub async fn publish_ivr_flow_version(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        document: &str,
        note: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        // Bumping the counter first locks the flow's row on PostgreSQL, so two
        // concurrent publishes get consecutive versions instead of one failing.
        let version: i64 = sqlx::query(
            "UPDATE ivr_flows SET current_version = current_version + 1, updated_at = $1, \
             updated_by = $2 WHERE id = $3 RETURNING current_version",
        )
        .bind(to_millis(now))
        .bind(&actor.employee_id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        insert_version(&mut tx, now, actor, id, version, document, note).await?;
        let change = Change {
            action: "ivr_flow.publish",
            entity: "ivr_flow",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({
                "name": before.name,
                "version": before.current_version,
            })),
            after: Some(serde_json::json!({
                "name": before.name,
                "version": version,
                "note": note,
                "document": document_value(document),
            })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A flow's history, newest first.
    pub async fn ivr_flow_versions(&self, id: i64) -> Result<Vec<IvrFlowVersionSummary>> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await?;
        let rows = sqlx::query(
            "SELECT version, note, created_at, created_by FROM ivr_flow_versions \
             WHERE flow_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(IvrFlowVersionSummary {
                    version: row.try_get("version")?,
                    note: row.try_get("note")?,
                    created_at: from_millis(row.try_get("created_at")?)?,
                    created_by: row.try_get("created_by")?,
                })
            })
            .collect()
    }

    pub async fn ivr_flow_version(&self, id: i64, version: i64) -> Result<IvrFlowVersion> {
        let row = sqlx::query(
            "SELECT flow_id, version, document, note, created_at, created_by \
             FROM ivr_flow_versions WHERE flow_id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("flow version", format!("{id}/{version}")))?;
        Ok(IvrFlowVersion {
            flow_id: row.try_get("flow_id")?,
            version: row.try_get("version")?,
            document: row.try_get("document")?,
            note: row.try_get("note")?,
            created_at: from_millis(row.try_get("created_at")?)?,
            created_by: row.try_get("created_by")?,
        })
    }

    /// What a new call to flow `name` runs: (version, document). `None` when
    /// there is no such flow or it is disabled (it takes no new calls).
    pub async fn current_ivr_flow_document(&self, name: &str) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT v.version, v.document FROM ivr_flows f \
             JOIN ivr_flow_versions v ON v.flow_id = f.id AND v.version = f.current_version \
             WHERE f.name = $1 AND f.enabled = 1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .transpose()
    }

    /// Removes a flow and its history, unless routes or queues send calls to it.
    pub async fn delete_ivr_flow(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        let users = users_of(&mut tx, &before.name).await?;
        if !users.is_empty() {
            return Err(in_use(&before.name, &users));
        }
        sqlx::query("DELETE FROM ivr_flow_versions WHERE flow_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM ivr_flows WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "ivr_flow.delete",
            entity: "ivr_flow",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
