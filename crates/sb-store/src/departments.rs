//! The department tree (MISSION M1): number, name, parent.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::to_millis;
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Department {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub sort_order: i64,
    /// Staff directly in this department (not below it).
    pub staff_count: i64,
}

/// What an admin sets on a department; validated by the caller.
#[derive(Debug, Clone)]
pub struct DepartmentInput {
    pub number: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub sort_order: i64,
}

const SELECT: &str = "SELECT d.id, d.number, d.name, d.parent_id, d.sort_order, \
     (SELECT COUNT(*) FROM staff s WHERE s.department_id = d.id) AS staff_count \
     FROM departments d";

fn from_row(row: &AnyRow) -> Result<Department> {
    Ok(Department {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        name: row.try_get("name")?,
        parent_id: row.try_get("parent_id")?,
        sort_order: row.try_get("sort_order")?,
        staff_count: row.try_get("staff_count")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Department> {
    let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("department", id))?;
    from_row(&row)
}

/// The ids of `root` and every department below it.
pub(crate) async fn subtree(conn: &mut AnyConnection, root: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM departments WHERE id = $1 \
         UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) \
         SELECT id FROM sub",
    )
    .bind(root)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from))
        .collect()
}

fn unique_fields(input: &DepartmentInput) -> [(&'static str, &'static str, &str); 1] {
    [("number", "number", input.number.as_str())]
}

async fn check_parent(conn: &mut AnyConnection, parent_id: Option<i64>) -> Result<()> {
    if let Some(parent) = parent_id {
        let exists = sqlx::query("SELECT 1 FROM departments WHERE id = $1")
            .bind(parent)
            .fetch_optional(conn)
            .await?;
        if exists.is_none() {
            return Err(StoreError::invalid(
                "parent_id",
                format!("department {parent} does not exist"),
            ));
        }
    }
    Ok(())
}

impl Store {
    /// Every department, ordered for display (parents before children is up
    /// to the caller: the console builds the tree from `parent_id`).
    pub async fn list_departments(&self) -> Result<Vec<Department>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY d.sort_order, d.number"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn department(&self, id: i64) -> Result<Department> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// `root` and the ids of every department below it.
    pub async fn department_subtree(&self, root: i64) -> Result<Vec<i64>> {
        let mut conn = self.pool.acquire().await?;
        subtree(&mut conn, root).await
    }

    pub async fn create_department(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: DepartmentInput,
    ) -> Result<Department> {
        let mut tx = self.begin_write().await?;
        check_parent(&mut tx, input.parent_id).await?;
        let row = sqlx::query(
            "INSERT INTO departments (number, name, parent_id, sort_order, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(&input.number)
        .bind(&input.name)
        .bind(input.parent_id)
        .bind(input.sort_order)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &unique_fields(&input)))?;
        let id: i64 = row.try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "department.create",
            entity: "department",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_department(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: DepartmentInput,
    ) -> Result<Department> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        check_parent(&mut tx, input.parent_id).await?;
        if let Some(parent) = input.parent_id
            && subtree(&mut tx, id).await?.contains(&parent)
        {
            return Err(StoreError::invalid(
                "parent_id",
                "a department cannot be moved under itself or one of its sub-departments",
            ));
        }
        sqlx::query(
            "UPDATE departments SET number = $1, name = $2, parent_id = $3, sort_order = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&input.number)
        .bind(&input.name)
        .bind(input.parent_id)
        .bind(input.sort_order)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &unique_fields(&input)))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "department.update",
            entity: "department",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Refuses while staff or sub-departments remain, so nobody is orphaned.
    pub async fn delete_department(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.staff_count > 0 {
            return Err(StoreError::Conflict {
                code: "department_has_staff",
                message: format!(
                    "department {} still has {} staff; move them first",
                    before.name, before.staff_count
                ),
            });
        }
        let children: i64 = sqlx::query("SELECT COUNT(*) FROM departments WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if children > 0 {
            return Err(StoreError::Conflict {
                code: "department_has_children",
                message: format!(
                    "department {} still has {children} sub-departments",
                    before.name
                ),
            });
        }
        sqlx::query("DELETE FROM departments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "department.delete",
            entity: "department",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
