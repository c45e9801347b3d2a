//! Admin-defined roles (MISSION M2, C7): function permissions plus a data scope.

use std::collections::{BTreeMap, BTreeSet};

use sb_core::{DataScope, Permission, StaffId};
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

/// The code of the role that holds every permission and can never be weakened,
/// so an installation always keeps one way in.
pub const ADMIN_ROLE_CODE: &str = "admin";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Role {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    #[schema(value_type = String, example = "department_and_below")]
    pub data_scope: DataScope,
    #[schema(value_type = Vec<String>, example = json!(["staff.read"]))]
    pub permissions: Vec<Permission>,
    pub builtin: bool,
    pub staff_count: i64,
}

#[derive(Debug, Clone)]
pub struct RoleInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub data_scope: DataScope,
    pub permissions: BTreeSet<Permission>,
}

/// What a user may do: each permission any of their roles grants, with the
/// widest data scope among the roles that grant *that* permission. A scope
/// belongs to the role, so a broad role for one task does not widen another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grants {
    permissions: BTreeMap<Permission, DataScope>,
}

impl Grants {
    pub fn allows(&self, permission: Permission) -> bool {
        self.permissions.contains_key(&permission)
    }

    /// The data scope this permission reaches, if held.
    pub fn scope_of(&self, permission: Permission) -> Option<DataScope> {
        self.permissions.get(&permission).copied()
    }

    /// Whether `permission` is held with at least `scope`.
    pub fn covers(&self, permission: Permission, scope: DataScope) -> bool {
        self.scope_of(permission).is_some_and(|held| held >= scope)
    }

    /// The widest scope of any permission (`own` when none is held).
    pub fn widest(&self) -> DataScope {
        self.permissions
            .values()
            .copied()
            .max()
            .unwrap_or(DataScope::Own)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Permission, DataScope)> + '_ {
        self.permissions.iter().map(|(p, s)| (*p, *s))
    }

    pub fn len(&self) -> usize {
        self.permissions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.permissions.is_empty()
    }

    fn grant(&mut self, permission: Permission, scope: DataScope) {
        let entry = self.permissions.entry(permission).or_insert(scope);
        *entry = (*entry).max(scope);
    }
}

const SELECT: &str = "SELECT r.id, r.code, r.name, r.description, r.data_scope, r.builtin, \
     (SELECT COUNT(*) FROM staff_roles sr WHERE sr.role_id = r.id) AS staff_count FROM roles r";

fn parse_scope(s: &str) -> Result<DataScope> {
    s.parse()
        .map_err(|e: sb_core::CoreError| StoreError::Corrupt(e.to_string()))
}

/// Codes no longer in the catalogue are skipped: a permission removed from the
/// product simply stops being granted.
fn parse_permissions(codes: &[String]) -> Vec<Permission> {
    codes.iter().filter_map(|c| c.parse().ok()).collect()
}

async fn permissions_of(
    conn: &mut AnyConnection,
    role_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<String>>> {
    let mut sql =
        crate::db::Sql::new("SELECT role_id, permission FROM role_permissions WHERE role_id IN ");
    sql.bind_list(role_ids).push(" ORDER BY permission");
    let mut map: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for row in sql.query().fetch_all(conn).await? {
        map.entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    Ok(map)
}

fn from_row(row: &AnyRow, perms: &BTreeMap<i64, Vec<String>>) -> Result<Role> {
    let id: i64 = row.try_get("id")?;
    let scope: String = row.try_get("data_scope")?;
    let builtin: i64 = row.try_get("builtin")?;
    Ok(Role {
        id,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        data_scope: parse_scope(&scope)?,
        permissions: perms
            .get(&id)
            .map(|c| parse_permissions(c))
            .unwrap_or_default(),
        builtin: builtin != 0,
        staff_count: row.try_get("staff_count")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Role> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("role", id))?;
    let perms = permissions_of(conn, &[id]).await?;
    from_row(&row, &perms)
}

async fn write_permissions(
    conn: &mut AnyConnection,
    id: i64,
    perms: &BTreeSet<Permission>,
) -> Result<()> {
    sqlx::query("DELETE FROM role_permissions WHERE role_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for p in perms {
        sqlx::query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
            .bind(id)
            .bind(p.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_role(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &RoleInput,
    builtin: bool,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO roles (code, name, description, data_scope, builtin, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.data_scope.code())
    .bind(i64::from(builtin))
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?;
    let id: i64 = row.try_get(0)?;
    write_permissions(conn, id, &input.permissions).await?;
    Ok(id)
}

fn builtin_refusal(role: &Role) -> StoreError {
    StoreError::Conflict {
        code: "builtin_role",
        message: format!(
            "role {} is built in and cannot be changed or deleted",
            role.code
        ),
    }
}

impl Store {
    pub async fn list_roles(&self) -> Result<Vec<Role>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(&format!("{SELECT} ORDER BY r.builtin DESC, r.code"))
            .fetch_all(&mut *conn)
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let perms = permissions_of(&mut conn, &ids).await?;
        rows.iter().map(|r| from_row(r, &perms)).collect()
    }

    pub async fn role(&self, id: i64) -> Result<Role> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn role_by_code(&self, code: &str) -> Result<Role> {
        let row = sqlx::query("SELECT id FROM roles WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("role", code))?;
        self.role(row.try_get(0)?).await
    }

    pub async fn create_role(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: RoleInput,
    ) -> Result<Role> {
        let mut tx = self.begin_write().await?;
        let id = insert_role(&mut tx, now, &input, false).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "role.create",
            entity: "role",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_role(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: RoleInput,
    ) -> Result<Role> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.builtin {
            return Err(builtin_refusal(&before));
        }
        sqlx::query(
            "UPDATE roles SET code = $1, name = $2, description = $3, data_scope = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(&input.code)
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.data_scope.code())
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("code", "code", input.code.as_str())]))?;
        write_permissions(&mut tx, id, &input.permissions).await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "role.update",
            entity: "role",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_role(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.builtin {
            return Err(builtin_refusal(&before));
        }
        if before.staff_count > 0 {
            return Err(StoreError::Conflict {
                code: "role_in_use",
                message: format!(
                    "role {} is still held by {} staff",
                    before.code, before.staff_count
                ),
            });
        }
        sqlx::query("DELETE FROM roles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "role.delete",
            entity: "role",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The effective grants of one member of staff. No roles: nothing granted.
    pub async fn grants(&self, staff: StaffId) -> Result<Grants> {
        let rows = sqlx::query(
            "SELECT r.data_scope, rp.permission FROM staff_roles sr \
             JOIN roles r ON r.id = sr.role_id \
             JOIN role_permissions rp ON rp.role_id = r.id \
             WHERE sr.staff_id = $1",
        )
        .bind(staff.0)
        .fetch_all(&self.pool)
        .await?;
        let mut grants = Grants::default();
        for row in rows {
            let scope: String = row.try_get(0)?;
            let code: String = row.try_get(1)?;
            if let Ok(permission) = code.parse() {
                grants.grant(permission, parse_scope(&scope)?);
            }
        }
        Ok(grants)
    }
}
