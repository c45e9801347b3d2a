//! Staff (MISSION M1, M6): the people who sign in, with department, work group,
//! mobile, extension and roles. Credentials live here too, hashed by the caller.

use std::collections::BTreeMap;

use sb_core::StaffId;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Arg, Backend, Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest};
use crate::roles::ADMIN_ROLE_CODE;
use crate::snapshot;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Staff {
    pub id: i64,
    pub employee_id: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub work_group: String,
    pub mobile: String,
    pub email: String,
    pub extension: Option<String>,
    pub enabled: bool,
    pub locale: String,
    pub has_password: bool,
    /// An agent PIN is set: the person can sign in by phone (MISSION G10).
    pub has_agent_pin: bool,
    /// Whether calls to the extension and queue offers ring the mobile too
    /// (MISSION G8): `off`, `no_answer` or `always`.
    #[schema(value_type = String, example = "no_answer")]
    pub follow_me_mode: sb_core::FollowMeMode,
    /// With `no_answer`: seconds before the mobile rings too (0..=120).
    pub follow_me_delay_s: u32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    pub roles: Vec<RoleRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What an admin sets on a member of staff; validated by the caller.
#[derive(Debug, Clone)]
pub struct StaffInput {
    pub employee_id: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub work_group: String,
    pub mobile: String,
    pub email: String,
    pub extension: Option<String>,
    pub enabled: bool,
    pub role_ids: Vec<i64>,
}

/// What a user may change about themselves.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub name: String,
    pub mobile: String,
    pub email: String,
    pub locale: String,
}

/// Filters for the staff list. `department_ids: None` means any department
/// (including none); `Some` restricts to those ids.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub q: Option<String>,
    pub department_ids: Option<Vec<i64>>,
    pub role_id: Option<i64>,
    pub only_id: Option<i64>,
}

/// The staff columns `credentials_from_row` reads, for joins (`s` = staff).
pub(crate) const CREDENTIAL_COLUMNS: &str = "s.id, s.employee_id, s.name, s.department_id, s.password_hash, \
     s.enabled, s.failed_logins, s.locked_until";

/// What sign-in needs to know, never serialised.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: StaffId,
    pub employee_id: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub password_hash: Option<String>,
    pub enabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT s.id, s.employee_id, s.name, s.department_id, d.name AS department_name, \
     s.work_group, s.mobile, s.email, s.extension, s.enabled, s.locale, \
     CASE WHEN s.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
     CASE WHEN s.agent_pin_hash IS NULL THEN 0 ELSE 1 END AS has_agent_pin, \
     s.follow_me_mode, s.follow_me_delay_s, s.locked_until, s.created_at, s.updated_at \
     FROM staff s LEFT JOIN departments d ON d.id = s.department_id";

/// The lower-cased text a staff search matches against.
fn search_text(
    employee_id: &str,
    name: &str,
    mobile: &str,
    extension: Option<&str>,
    email: &str,
) -> String {
    [employee_id, name, mobile, extension.unwrap_or(""), email]
        .join(" ")
        .to_lowercase()
}

impl StaffInput {
    fn search_text(&self) -> String {
        search_text(
            &self.employee_id,
            &self.name,
            &self.mobile,
            self.extension.as_deref(),
            &self.email,
        )
    }
}

fn from_row(row: &AnyRow, roles: &mut BTreeMap<i64, Vec<RoleRef>>) -> Result<Staff> {
    let id: i64 = row.try_get("id")?;
    let enabled: i64 = row.try_get("enabled")?;
    let has_password: i64 = row.try_get("has_password")?;
    let has_agent_pin: i64 = row.try_get("has_agent_pin")?;
    Ok(Staff {
        id,
        employee_id: row.try_get("employee_id")?,
        name: row.try_get("name")?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        work_group: row.try_get("work_group")?,
        mobile: row.try_get("mobile")?,
        email: row.try_get("email")?,
        extension: row.try_get("extension")?,
        enabled: enabled != 0,
        locale: row.try_get("locale")?,
        has_password: has_password != 0,
        has_agent_pin: has_agent_pin != 0,
        follow_me_mode: crate::follow_me::mode_from_row(row)?,
        follow_me_delay_s: crate::follow_me::delay_from_row(row)?,
        locked_until: from_millis_opt(row.try_get("locked_until")?)?,
        roles: roles.remove(&id).unwrap_or_default(),
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn roles_of(
    conn: &mut AnyConnection,
    staff_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<RoleRef>>> {
    let mut sql = Sql::new(
        "SELECT sr.staff_id, r.id, r.code, r.name FROM staff_roles sr JOIN roles r ON r.id = sr.role_id \
         WHERE sr.staff_id IN ",
    );
    sql.bind_list(staff_ids).push(" ORDER BY r.code");
    let mut map: BTreeMap<i64, Vec<RoleRef>> = BTreeMap::new();
    for row in sql.query().fetch_all(conn).await? {
        map.entry(row.try_get(0)?).or_default().push(RoleRef {
            id: row.try_get(1)?,
            code: row.try_get(2)?,
            name: row.try_get(3)?,
        });
    }
    Ok(map)
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Staff> {
    let row = sqlx::query(&format!("{SELECT} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("staff", id))?;
    let mut roles = roles_of(conn, &[id]).await?;
    from_row(&row, &mut roles)
}

fn unique_fields(input: &StaffInput) -> [(&'static str, &'static str, &str); 2] {
    [
        ("employee_id", "employee_id", input.employee_id.as_str()),
        (
            "extension",
            "extension",
            input.extension.as_deref().unwrap_or(""),
        ),
    ]
}

/// Checks the references a staff row makes, so a bad id is reported by field
/// rather than as a foreign-key failure.
async fn check_references(conn: &mut AnyConnection, input: &StaffInput) -> Result<()> {
    if let Some(dept) = input.department_id {
        let found = sqlx::query("SELECT 1 FROM departments WHERE id = $1")
            .bind(dept)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "department_id",
                format!("department {dept} does not exist"),
            ));
        }
    }
    for role in &input.role_ids {
        let found = sqlx::query("SELECT 1 FROM roles WHERE id = $1")
            .bind(*role)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "role_ids",
                format!("role {role} does not exist"),
            ));
        }
    }
    Ok(())
}

async fn write_roles(conn: &mut AnyConnection, id: i64, role_ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM staff_roles WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut unique = role_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for role in unique {
        sqlx::query("INSERT INTO staff_roles (staff_id, role_id) VALUES ($1, $2)")
            .bind(id)
            .bind(role)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether this member of staff is an enabled administrator.
fn is_enabled_admin(staff: &Staff) -> bool {
    staff.enabled && staff.roles.iter().any(|r| r.code == ADMIN_ROLE_CODE)
}

/// An installation must keep at least one enabled administrator; checked at
/// the end of a transaction that changed or removed one.
async fn ensure_an_admin_remains(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        // Serialises concurrent admin removals: under READ COMMITTED the count
        // below then sees every removal that committed first.
        sqlx::query("SELECT id FROM roles WHERE code = $1 FOR UPDATE")
            .bind(ADMIN_ROLE_CODE)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let admins: i64 = sqlx::query(
        "SELECT COUNT(*) FROM staff s JOIN staff_roles sr ON sr.staff_id = s.id \
         JOIN roles r ON r.id = sr.role_id WHERE r.code = $1 AND s.enabled = 1",
    )
    .bind(ADMIN_ROLE_CODE)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    if admins == 0 {
        return Err(StoreError::Conflict {
            code: "last_admin",
            message: "this would leave no enabled administrator".into(),
        });
    }
    Ok(())
}

pub(crate) async fn insert_staff(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &StaffInput,
    password_hash: Option<&str>,
) -> Result<i64> {
    check_references(conn, input).await?;
    let row = sqlx::query(
        "INSERT INTO staff (employee_id, name, department_id, work_group, mobile, email, extension, \
         enabled, search_text, password_hash, password_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(&input.employee_id)
    .bind(&input.name)
    .bind(input.department_id)
    .bind(&input.work_group)
    .bind(&input.mobile)
    .bind(&input.email)
    .bind(input.extension.as_deref())
    .bind(i64::from(input.enabled))
    .bind(input.search_text())
    .bind(password_hash)
    .bind(password_hash.map(|_| to_millis(now)))
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| map_unique(e, &unique_fields(input)))?;
    let id: i64 = row.try_get(0)?;
    write_roles(conn, id, &input.role_ids).await?;
    Ok(id)
}

impl Store {
    pub async fn list_staff(&self, filter: &StaffFilter, page: PageRequest) -> Result<Page<Staff>> {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // search_text is stored lower-cased, so a plain substring test
            // suffices; it is several times cheaper than LIKE '%q%' in SQLite.
            let find = match self.backend() {
                Backend::Sqlite => " AND instr(s.search_text, ",
                Backend::Postgres => " AND strpos(s.search_text, ",
            };
            cond.push(find)
                .bind(Arg::Text(q.to_lowercase()))
                .push(") > 0");
        }
        if let Some(ids) = &filter.department_ids {
            cond.push(" AND s.department_id IN ").bind_list(ids);
        }
        if let Some(role) = filter.role_id {
            cond.push(" AND s.id IN (SELECT staff_id FROM staff_roles WHERE role_id = ")
                .bind(Arg::Int(role))
                .push(")");
        }
        if let Some(id) = filter.only_id {
            cond.push(" AND s.id = ").bind(Arg::Int(id));
        }
        let mut conn = self.pool.acquire().await?;
        // Page over the bare table (a covering-index walk), then join only
        // the rows of the page, in one statement.
        let mut list = Sql::new(SELECT);
        list.push(" WHERE s.id IN (SELECT s.id FROM staff s");
        list.push(&cond.text);
        list.args = cond.args.clone();
        list.push(" ORDER BY s.employee_id LIMIT ")
            .bind(Arg::Int(page.limit()))
            .push(" OFFSET ")
            .bind(Arg::Int(page.offset()))
            .push(") ORDER BY s.employee_id");
        let rows = list.query().fetch_all(&mut *conn).await?;
        let total = match page.total_if_last(rows.len()) {
            Some(total) => total,
            None => {
                let mut count = Sql::new("SELECT COUNT(*) FROM staff s");
                count.push(&cond.text);
                count.args = cond.args;
                count.query().fetch_one(&mut *conn).await?.try_get(0)?
            }
        };
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut roles = roles_of(&mut conn, &ids).await?;
        let items = rows
            .iter()
            .map(|r| from_row(r, &mut roles))
            .collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn staff(&self, id: i64) -> Result<Staff> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn staff_by_employee_id(&self, employee_id: &str) -> Result<Staff> {
        let row = sqlx::query("SELECT id FROM staff WHERE employee_id = $1")
            .bind(employee_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("staff", employee_id))?;
        self.staff(row.try_get(0)?).await
    }

    /// `password_hash` is already hashed (argon2) by the caller; `None` makes
    /// a member of staff who cannot sign in until a password is set.
    pub async fn create_staff(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: StaffInput,
        password_hash: Option<String>,
    ) -> Result<Staff> {
        self.create_staff_with_follow_me(now, actor, input, password_hash, None)
            .await
    }

    /// `create_staff`, also setting the follow-me (MISSION G8) when given.
    pub async fn create_staff_with_follow_me(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: StaffInput,
        password_hash: Option<String>,
        follow_me: Option<crate::FollowMe>,
    ) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let id = insert_staff(&mut tx, now, &input, password_hash.as_deref()).await?;
        if let Some(follow_me) = follow_me {
            crate::follow_me::write(&mut tx, now, id, follow_me).await?;
        }
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "staff.create",
            entity: "staff",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_staff(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: StaffInput,
    ) -> Result<Staff> {
        self.update_staff_with_follow_me(now, actor, id, input, None)
            .await
    }

    /// `update_staff`, also setting the follow-me (MISSION G8) when given,
    /// in the same transaction and audit row.
    pub async fn update_staff_with_follow_me(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: StaffInput,
        follow_me: Option<crate::FollowMe>,
    ) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        check_references(&mut tx, &input).await?;
        sqlx::query(
            "UPDATE staff SET employee_id = $1, name = $2, department_id = $3, work_group = $4, \
             mobile = $5, email = $6, extension = $7, enabled = $8, search_text = $9, updated_at = $10 \
             WHERE id = $11",
        )
        .bind(&input.employee_id)
        .bind(&input.name)
        .bind(input.department_id)
        .bind(&input.work_group)
        .bind(&input.mobile)
        .bind(&input.email)
        .bind(input.extension.as_deref())
        .bind(i64::from(input.enabled))
        .bind(input.search_text())
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &unique_fields(&input)))?;
        write_roles(&mut tx, id, &input.role_ids).await?;
        if let Some(follow_me) = follow_me {
            crate::follow_me::write(&mut tx, now, id, follow_me).await?;
        }
        if is_enabled_admin(&before) {
            ensure_an_admin_remains(&mut tx, self.backend()).await?;
        }
        if !input.enabled {
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "staff.update",
            entity: "staff",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_staff(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("UPDATE announcements SET created_by = NULL WHERE created_by = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM staff WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if is_enabled_admin(&before) {
            ensure_an_admin_remains(&mut tx, self.backend()).await?;
        }
        let change = Change {
            action: "staff.delete",
            entity: "staff",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_profile(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: StaffId,
        input: ProfileInput,
    ) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id.0).await?;
        sqlx::query(
            "UPDATE staff SET name = $1, mobile = $2, email = $3, locale = $4, search_text = $5, \
             updated_at = $6 WHERE id = $7",
        )
        .bind(&input.name)
        .bind(&input.mobile)
        .bind(&input.email)
        .bind(&input.locale)
        .bind(search_text(
            &before.employee_id,
            &input.name,
            &input.mobile,
            before.extension.as_deref(),
            &input.email,
        ))
        .bind(to_millis(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id.0).await?;
        let change = Change {
            action: "profile.update",
            entity: "staff",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new password hash, clears any lockout and ends the user's other
    /// sessions (`keep_session` is the id hash of the one to keep, if any).
    pub async fn set_password(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: StaffId,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let staff = fetch(&mut tx, id.0).await?;
        sqlx::query(
            "UPDATE staff SET password_hash = $1, password_changed_at = $2, failed_logins = 0, \
             locked_until = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(to_millis(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND id_hash <> $2")
            .bind(id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "staff.password",
            entity: "staff",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "employee_id": staff.employee_id, "password": "changed" }),
            ),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unlock_staff(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "staff.unlock",
            entity: "staff",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn credentials(&self, employee_id: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT id, employee_id, name, department_id, password_hash, enabled, failed_logins, locked_until \
             FROM staff WHERE employee_id = $1",
        )
        .bind(employee_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(credentials_from_row(&row)?))
    }

    pub async fn credentials_by_id(&self, id: StaffId) -> Result<Credentials> {
        let row = sqlx::query(
            "SELECT id, employee_id, name, department_id, password_hash, enabled, failed_logins, locked_until \
             FROM staff WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("staff", id))?;
        credentials_from_row(&row)
    }

    /// Claims one sign-in attempt before the password is checked, so that
    /// guesses sent concurrently cannot all slip in before the lock: the
    /// counter goes up atomically, and once it passes `max_failures` the
    /// account locks until `now + lock_for`. A locked account gets no attempt,
    /// even with the right password.
    pub async fn claim_login_attempt(
        &self,
        now: OffsetDateTime,
        id: StaffId,
        max_failures: i64,
        lock_for: time::Duration,
    ) -> Result<LoginAttempt> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE staff SET failed_logins = failed_logins + 1 \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins",
        )
        .bind(id.0)
        .bind(to_millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match claimed {
            None => {
                let until: Option<i64> =
                    sqlx::query("SELECT locked_until FROM staff WHERE id = $1")
                        .bind(id.0)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get(0)?;
                LoginAttempt::Locked(from_millis_opt(until)?.unwrap_or(now))
            }
            Some(row) if row.try_get::<i64, _>(0)? > max_failures => {
                let until = now + lock_for;
                lock(&mut tx, id, until).await?;
                LoginAttempt::Locked(until)
            }
            Some(_) => LoginAttempt::Allowed,
        };
        tx.commit().await?;
        Ok(attempt)
    }

    /// After a wrong password: locks the account when the claimed attempts
    /// reached `max_failures`. Returns the lock's end when it locked.
    pub async fn record_login_failure(
        &self,
        now: OffsetDateTime,
        id: StaffId,
        max_failures: i64,
        lock_for: time::Duration,
    ) -> Result<Option<OffsetDateTime>> {
        let mut tx = self.begin_write().await?;
        let failures: i64 = sqlx::query("SELECT failed_logins FROM staff WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let mut locked = None;
        if failures >= max_failures {
            let until = now + lock_for;
            lock(&mut tx, id, until).await?;
            locked = Some(until);
        }
        tx.commit().await?;
        Ok(locked)
    }

    pub async fn record_login_success(&self, id: StaffId) -> Result<()> {
        sqlx::query("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn count_staff(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

async fn lock(conn: &mut AnyConnection, id: StaffId, until: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE staff SET locked_until = $1, failed_logins = 0 WHERE id = $2")
        .bind(to_millis(until))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a sign-in may check the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    Allowed,
    Locked(OffsetDateTime),
}

pub(crate) fn credentials_from_row(row: &AnyRow) -> Result<Credentials> {
    let enabled: i64 = row.try_get("enabled")?;
    Ok(Credentials {
        id: StaffId(row.try_get("id")?),
        employee_id: row.try_get("employee_id")?,
        name: row.try_get("name")?,
        department_id: row.try_get("department_id")?,
        password_hash: row.try_get("password_hash")?,
        enabled: enabled != 0,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: from_millis_opt(row.try_get("locked_until")?)?,
    })
}
