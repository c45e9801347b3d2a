//! The data dictionary (MISSION M4): admin-defined drop-down lists such as
//! ticket type or customer type, with items that may have a parent item
//! (sub-type) within the same list.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::to_millis;
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DictionaryItem {
    pub id: i64,
    pub type_id: i64,
    pub code: String,
    pub label: String,
    pub parent_id: Option<i64>,
    pub sort_order: i64,
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DictionaryType {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub items: Vec<DictionaryItem>,
}

#[derive(Debug, Clone)]
pub struct DictionaryTypeInput {
    pub code: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct DictionaryItemInput {
    pub code: String,
    pub label: String,
    pub parent_id: Option<i64>,
    pub sort_order: i64,
    pub enabled: bool,
}

fn item_from_row(row: &AnyRow) -> Result<DictionaryItem> {
    let enabled: i64 = row.try_get("enabled")?;
    Ok(DictionaryItem {
        id: row.try_get("id")?,
        type_id: row.try_get("type_id")?,
        code: row.try_get("code")?,
        label: row.try_get("label")?,
        parent_id: row.try_get("parent_id")?,
        sort_order: row.try_get("sort_order")?,
        enabled: enabled != 0,
    })
}

const ITEM_SELECT: &str =
    "SELECT id, type_id, code, label, parent_id, sort_order, enabled FROM dictionary_items";

async fn items_of(
    conn: &mut AnyConnection,
    type_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<DictionaryItem>>> {
    let mut sql = Sql::new(ITEM_SELECT);
    sql.push(" WHERE type_id IN ")
        .bind_list(type_ids)
        .push(" ORDER BY sort_order, code");
    let mut map: BTreeMap<i64, Vec<DictionaryItem>> = BTreeMap::new();
    for row in sql.query().fetch_all(conn).await? {
        let item = item_from_row(&row)?;
        map.entry(item.type_id).or_default().push(item);
    }
    Ok(map)
}

async fn fetch_type(conn: &mut AnyConnection, id: i64) -> Result<DictionaryType> {
    let row = sqlx::query("SELECT id, code, name, description FROM dictionary_types WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("dictionary type", id))?;
    let mut items = items_of(conn, &[id]).await?;
    Ok(DictionaryType {
        id,
        code: row.try_get(1)?,
        name: row.try_get(2)?,
        description: row.try_get(3)?,
        items: items.remove(&id).unwrap_or_default(),
    })
}

async fn fetch_item(conn: &mut AnyConnection, id: i64) -> Result<DictionaryItem> {
    let row = sqlx::query(&format!("{ITEM_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("dictionary item", id))?;
    item_from_row(&row)
}

/// A parent item must belong to the same list and must not be the item itself
/// or one of its descendants.
async fn check_item_parent(
    conn: &mut AnyConnection,
    type_id: i64,
    item_id: Option<i64>,
    parent: Option<i64>,
) -> Result<()> {
    let Some(parent) = parent else { return Ok(()) };
    let mut cursor = Some(parent);
    let mut hops = 0;
    while let Some(current) = cursor {
        let found = fetch_item(conn, current).await.map_err(|e| match e {
            StoreError::NotFound { .. } => {
                StoreError::invalid("parent_id", format!("item {parent} does not exist"))
            }
            other => other,
        })?;
        if found.type_id != type_id {
            return Err(StoreError::invalid(
                "parent_id",
                "the parent item belongs to another list",
            ));
        }
        if Some(found.id) == item_id || hops > 32 {
            return Err(StoreError::invalid(
                "parent_id",
                "an item cannot be placed under itself",
            ));
        }
        cursor = found.parent_id;
        hops += 1;
    }
    Ok(())
}

impl Store {
    pub async fn list_dictionary(&self) -> Result<Vec<DictionaryType>> {
        let mut conn = self.pool.acquire().await?;
        let rows =
            sqlx::query("SELECT id, code, name, description FROM dictionary_types ORDER BY code")
                .fetch_all(&mut *conn)
                .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut items = items_of(&mut conn, &ids).await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                Ok(DictionaryType {
                    id,
                    code: r.try_get(1)?,
                    name: r.try_get(2)?,
                    description: r.try_get(3)?,
                    items: items.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    pub async fn dictionary_type(&self, id: i64) -> Result<DictionaryType> {
        let mut conn = self.pool.acquire().await?;
        fetch_type(&mut conn, id).await
    }

    pub async fn create_dictionary_type(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: DictionaryTypeInput,
    ) -> Result<DictionaryType> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO dictionary_types (code, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(&input.code)
        .bind(&input.name)
        .bind(&input.description)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?
        .try_get(0)?;
        let created = fetch_type(&mut tx, id).await?;
        let change = Change {
            action: "dictionary.create",
            entity: "dictionary_type",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_dictionary_type(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: DictionaryTypeInput,
    ) -> Result<DictionaryType> {
        let mut tx = self.begin_write().await?;
        let before = fetch_type(&mut tx, id).await?;
        sqlx::query("UPDATE dictionary_types SET code = $1, name = $2, description = $3, updated_at = $4 WHERE id = $5")
            .bind(&input.code)
            .bind(&input.name)
            .bind(&input.description)
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?;
        let after = fetch_type(&mut tx, id).await?;
        let change = Change {
            action: "dictionary.update",
            entity: "dictionary_type",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_dictionary_type(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch_type(&mut tx, id).await?;
        // Children first: SQLite enforces the self-reference row by row.
        sqlx::query("DELETE FROM dictionary_items WHERE type_id = $1 AND parent_id IS NOT NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM dictionary_types WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "dictionary.delete",
            entity: "dictionary_type",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_dictionary_item(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        type_id: i64,
        input: DictionaryItemInput,
    ) -> Result<DictionaryItem> {
        let mut tx = self.begin_write().await?;
        fetch_type(&mut tx, type_id).await?;
        check_item_parent(&mut tx, type_id, None, input.parent_id).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(type_id)
        .bind(&input.code)
        .bind(&input.label)
        .bind(input.parent_id)
        .bind(input.sort_order)
        .bind(i64::from(input.enabled))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?
        .try_get(0)?;
        let created = fetch_item(&mut tx, id).await?;
        let change = Change {
            action: "dictionary.item_create",
            entity: "dictionary_item",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_dictionary_item(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: DictionaryItemInput,
    ) -> Result<DictionaryItem> {
        let mut tx = self.begin_write().await?;
        let before = fetch_item(&mut tx, id).await?;
        check_item_parent(&mut tx, before.type_id, Some(id), input.parent_id).await?;
        sqlx::query(
            "UPDATE dictionary_items SET code = $1, label = $2, parent_id = $3, sort_order = $4, enabled = $5 WHERE id = $6",
        )
        .bind(&input.code)
        .bind(&input.label)
        .bind(input.parent_id)
        .bind(input.sort_order)
        .bind(i64::from(input.enabled))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?;
        let after = fetch_item(&mut tx, id).await?;
        let change = Change {
            action: "dictionary.item_update",
            entity: "dictionary_item",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_dictionary_item(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch_item(&mut tx, id).await?;
        let children: i64 =
            sqlx::query("SELECT COUNT(*) FROM dictionary_items WHERE parent_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        if children > 0 {
            return Err(StoreError::Conflict {
                code: "item_has_children",
                message: format!("item {} still has {children} sub-items", before.label),
            });
        }
        sqlx::query("DELETE FROM dictionary_items WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "dictionary.item_delete",
            entity: "dictionary_item",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
