//! Extension groups (MISSION M3): named sets of extensions, used later for
//! ring groups, pickup groups and wallboard filters.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::to_millis;
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExtensionGroup {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub extensions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ExtensionGroupInput {
    pub name: String,
    pub description: String,
    pub extensions: Vec<String>,
}

async fn members(conn: &mut AnyConnection, ids: &[i64]) -> Result<BTreeMap<i64, Vec<String>>> {
    let mut sql =
        Sql::new("SELECT group_id, extension FROM extension_group_members WHERE group_id IN ");
    sql.bind_list(ids).push(" ORDER BY extension");
    let mut map: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for row in sql.query().fetch_all(conn).await? {
        map.entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    Ok(map)
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<ExtensionGroup> {
    let row = sqlx::query("SELECT id, name, description FROM extension_groups WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("extension group", id))?;
    let mut m = members(conn, &[id]).await?;
    Ok(ExtensionGroup {
        id,
        name: row.try_get(1)?,
        description: row.try_get(2)?,
        extensions: m.remove(&id).unwrap_or_default(),
    })
}

async fn write_members(conn: &mut AnyConnection, id: i64, extensions: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM extension_group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut unique = extensions.to_vec();
    unique.sort();
    unique.dedup();
    for ext in unique {
        sqlx::query("INSERT INTO extension_group_members (group_id, extension) VALUES ($1, $2)")
            .bind(id)
            .bind(ext)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// The extensions that share an extension group with `extension`, in
    /// number order: who may pick up its ringing calls and whose it may
    /// pick up (MISSION G7).
    pub async fn extension_group_peers(&self, extension: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT other.extension FROM extension_group_members mine \
             JOIN extension_group_members other ON other.group_id = mine.group_id \
             WHERE mine.extension = $1 AND other.extension <> $1 ORDER BY other.extension",
        )
        .bind(extension)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    pub async fn list_extension_groups(&self) -> Result<Vec<ExtensionGroup>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query("SELECT id, name, description FROM extension_groups ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut m = members(&mut conn, &ids).await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                Ok(ExtensionGroup {
                    id,
                    name: r.try_get(1)?,
                    description: r.try_get(2)?,
                    extensions: m.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    pub async fn extension_group(&self, id: i64) -> Result<ExtensionGroup> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn create_extension_group(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: ExtensionGroupInput,
    ) -> Result<ExtensionGroup> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO extension_groups (name, description, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?
        .try_get(0)?;
        write_members(&mut tx, id, &input.extensions).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "extension_group.create",
            entity: "extension_group",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_extension_group(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: ExtensionGroupInput,
    ) -> Result<ExtensionGroup> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("UPDATE extension_groups SET name = $1, description = $2, updated_at = $3 WHERE id = $4")
            .bind(&input.name)
            .bind(&input.description)
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?;
        write_members(&mut tx, id, &input.extensions).await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "extension_group.update",
            entity: "extension_group",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_extension_group(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM extension_groups WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "extension_group.delete",
            entity: "extension_group",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
