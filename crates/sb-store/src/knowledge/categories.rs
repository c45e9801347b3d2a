//! The category tree. A category with children or articles cannot be
//! removed: its contents would be orphaned.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbCategory {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub position: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct KbCategoryInput {
    pub parent_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub position: i64,
}

const SELECT: &str = "SELECT id, parent_id, name, position, updated_at FROM kb_categories";

fn from_row(row: &AnyRow) -> Result<KbCategory> {
    Ok(KbCategory {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
        position: row.try_get("position")?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn insert_category(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    input: &KbCategoryInput,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO kb_categories (parent_id, name, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(input.parent_id)
    .bind(&input.name)
    .bind(input.position)
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?)
}

impl Store {
    /// Every category, parents before children's siblings order by position.
    pub async fn kb_categories(&self) -> Result<Vec<KbCategory>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY position, name, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn kb_category(&self, id: i64) -> Result<KbCategory> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("category", id))?;
        from_row(&row)
    }

    /// `id` and every category below it.
    pub async fn kb_category_and_below(&self, id: i64) -> Result<Vec<i64>> {
        let all = self.kb_categories().await?;
        if !all.iter().any(|c| c.id == id) {
            return Err(StoreError::not_found("category", id));
        }
        let mut found = vec![id];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            found.extend(
                all.iter()
                    .filter(|c| c.parent_id == Some(parent))
                    .map(|c| c.id),
            );
            i += 1;
        }
        Ok(found)
    }

    async fn check_parent(&self, id: Option<i64>, parent: Option<i64>) -> Result<()> {
        let Some(parent) = parent else {
            return Ok(());
        };
        let all = self.kb_categories().await?;
        if !all.iter().any(|c| c.id == parent) {
            return Err(StoreError::invalid(
                "parent_id",
                format!("category {parent} does not exist"),
            ));
        }
        // Walk up from the new parent: meeting `id` would make a loop.
        let mut at = Some(parent);
        while let Some(current) = at {
            if Some(current) == id {
                return Err(StoreError::invalid(
                    "parent_id",
                    "a category cannot be placed below itself",
                ));
            }
            at = all
                .iter()
                .find(|c| c.id == current)
                .and_then(|c| c.parent_id);
        }
        Ok(())
    }

    pub async fn create_kb_category(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: &KbCategoryInput,
    ) -> Result<KbCategory> {
        self.check_parent(None, input.parent_id).await?;
        let mut tx = self.begin_write().await?;
        let id = insert_category(&mut tx, now, input).await?;
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let created = from_row(&row)?;
        let change = Change {
            action: "knowledge.category_create",
            entity: "kb_category",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_kb_category(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: &KbCategoryInput,
    ) -> Result<KbCategory> {
        let before = self.kb_category(id).await?;
        self.check_parent(Some(id), input.parent_id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE kb_categories SET parent_id = $1, name = $2, position = $3, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(input.parent_id)
        .bind(&input.name)
        .bind(input.position)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let after = from_row(&row)?;
        let change = Change {
            action: "knowledge.category_update",
            entity: "kb_category",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Refused with a conflict while the category holds categories or articles.
    pub async fn delete_kb_category(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let before = self.kb_category(id).await?;
        let mut tx = self.begin_write().await?;
        let children: i64 = sqlx::query("SELECT COUNT(*) FROM kb_categories WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let articles: i64 = sqlx::query("SELECT COUNT(*) FROM kb_articles WHERE category_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if children > 0 || articles > 0 {
            return Err(StoreError::Conflict {
                code: "category_in_use",
                message: format!(
                    "category {} holds {children} categories and {articles} articles; move or remove them first",
                    before.name
                ),
            });
        }
        sqlx::query("DELETE FROM kb_categories WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "knowledge.category_delete",
            entity: "kb_category",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
