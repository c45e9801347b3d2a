//! What a new installation starts with: the built-in administrator role, kept
//! in step with the permission catalogue, and on first start a demo
//! organisation so the console has something to show.

use std::collections::BTreeSet;

use sb_core::{DataScope, Permission};
use sqlx::{AnyConnection, Row};
use time::{Duration, OffsetDateTime};

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::Result;
use crate::millis::to_millis;
use crate::roles::{ADMIN_ROLE_CODE, RoleInput, insert_role};
use crate::staff::{StaffInput, insert_staff};

/// The employee ID of the administrator created on first start.
pub const FIRST_ADMIN_EMPLOYEE_ID: &str = "admin";

const SEEDED_KEY: &str = "demo_seeded_at";

async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

async fn insert_department(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    number: &str,
    name: &str,
    parent: Option<i64>,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO departments (number, name, parent_id, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, $4, $4) RETURNING id",
    )
    .bind(number)
    .bind(name)
    .bind(parent)
    .bind(to_millis(now))
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

async fn insert_dictionary(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    code: &str,
    name: &str,
    items: &[(&str, &str, Option<&str>)],
) -> Result<()> {
    let type_id: i64 = sqlx::query(
        "INSERT INTO dictionary_types (code, name, description, created_at, updated_at) VALUES ($1, $2, '', $3, $3) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let mut ids: Vec<(&str, i64)> = Vec::new();
    for (order, (item_code, label, parent)) in items.iter().enumerate() {
        let parent_id = parent.and_then(|p| ids.iter().find(|(c, _)| *c == p).map(|(_, id)| *id));
        let id: i64 = sqlx::query(
            "INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled) \
             VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
        )
        .bind(type_id)
        .bind(*item_code)
        .bind(*label)
        .bind(parent_id)
        .bind(i64::try_from(order).unwrap_or(0))
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        ids.push((item_code, id));
    }
    Ok(())
}

fn staff(
    employee_id: &str,
    name: &str,
    department: i64,
    group: &str,
    ext: &str,
    role: i64,
) -> StaffInput {
    StaffInput {
        employee_id: employee_id.into(),
        name: name.into(),
        department_id: Some(department),
        work_group: group.into(),
        mobile: String::new(),
        email: String::new(),
        extension: Some(ext.into()),
        enabled: true,
        role_ids: vec![role],
    }
}

impl Store {
    /// Creates the administrator role if missing and grants it every
    /// permission in the catalogue (new releases add permissions).
    pub async fn ensure_admin_role(&self, now: OffsetDateTime) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id FROM roles WHERE code = $1")
            .bind(ADMIN_ROLE_CODE)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(row) => row.try_get(0)?,
            None => {
                let input = RoleInput {
                    code: ADMIN_ROLE_CODE.into(),
                    name: "系统管理员 Administrator".into(),
                    description: "Every permission; built in".into(),
                    data_scope: DataScope::All,
                    permissions: BTreeSet::new(),
                };
                insert_role(&mut tx, now, &input, true).await?
            }
        };
        let mut added = Vec::new();
        for p in Permission::ALL {
            let held = sqlx::query(
                "SELECT 1 FROM role_permissions WHERE role_id = $1 AND permission = $2",
            )
            .bind(id)
            .bind(p.code())
            .fetch_optional(&mut *tx)
            .await?;
            if held.is_none() {
                sqlx::query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
                    .bind(id)
                    .bind(p.code())
                    .execute(&mut *tx)
                    .await?;
                added.push(p.code());
            }
        }
        if !added.is_empty() {
            let change = Change {
                action: "role.sync_builtin",
                entity: "role",
                entity_id: id.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "code": ADMIN_ROLE_CODE, "permissions_added": added }),
                ),
            };
            record_change(&mut tx, now, &Actor::system("start-up"), change).await?;
        }
        sqlx::query("UPDATE roles SET data_scope = $1 WHERE id = $2")
            .bind(DataScope::All.code())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// On the very first start (no staff, never seeded) creates a demo
    /// organisation and the first administrator with `admin_password_hash`.
    /// Returns false, changing nothing, on any later start.
    pub async fn seed_first_start(
        &self,
        now: OffsetDateTime,
        admin_password_hash: &str,
    ) -> Result<bool> {
        let admin_role = self.ensure_admin_role(now).await?;
        let mut tx = self.begin_write().await?;
        let staff_count: i64 = sqlx::query("SELECT COUNT(*) FROM staff")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if staff_count > 0 || setting(&mut tx, SEEDED_KEY).await?.is_some() {
            return Ok(false);
        }
        let hq = insert_department(&mut tx, now, "001", "总部 Head office", None).await?;
        let center =
            insert_department(&mut tx, now, "001-01", "客服中心 Service center", Some(hq)).await?;
        let inbound = insert_department(
            &mut tx,
            now,
            "001-01-01",
            "呼入组 Inbound team",
            Some(center),
        )
        .await?;
        let outbound = insert_department(
            &mut tx,
            now,
            "001-01-02",
            "外呼组 Outbound team",
            Some(center),
        )
        .await?;
        let _tech = insert_department(
            &mut tx,
            now,
            "001-02",
            "技术支持部 Technical support",
            Some(hq),
        )
        .await?;

        let supervisor = RoleInput {
            code: "supervisor".into(),
            name: "班长 Supervisor".into(),
            description: "Runs a team: sees and edits staff of their department and below".into(),
            data_scope: DataScope::DepartmentAndBelow,
            permissions: [
                Permission::DepartmentRead,
                Permission::StaffRead,
                Permission::StaffUpdate,
                Permission::StaffResetPassword,
                Permission::ExtensionGroupRead,
                Permission::AnnouncementManage,
            ]
            .into_iter()
            .collect(),
        };
        let supervisor = insert_role(&mut tx, now, &supervisor, false).await?;
        let agent = RoleInput {
            code: "agent".into(),
            name: "坐席 Agent".into(),
            description: "Answers calls; sees colleagues of their own department".into(),
            data_scope: DataScope::Department,
            permissions: [Permission::StaffRead].into_iter().collect(),
        };
        let agent = insert_role(&mut tx, now, &agent, false).await?;

        let mut admin = staff(
            FIRST_ADMIN_EMPLOYEE_ID,
            "系统管理员",
            hq,
            "",
            "8000",
            admin_role,
        );
        admin.extension = None;
        insert_staff(&mut tx, now, &admin, Some(admin_password_hash)).await?;
        insert_staff(
            &mut tx,
            now,
            &staff("1001", "王芳", center, "班长", "8001", supervisor),
            None,
        )
        .await?;
        insert_staff(
            &mut tx,
            now,
            &staff("1002", "李娜", inbound, "呼入一组", "8002", agent),
            None,
        )
        .await?;
        insert_staff(
            &mut tx,
            now,
            &staff("1003", "张伟", inbound, "呼入一组", "8003", agent),
            None,
        )
        .await?;
        insert_staff(
            &mut tx,
            now,
            &staff("1004", "刘洋", outbound, "外呼组", "8004", agent),
            None,
        )
        .await?;

        insert_dictionary(
            &mut tx,
            now,
            "ticket_type",
            "工单类型 Ticket type",
            &[
                ("inquiry", "咨询 Inquiry", None),
                ("complaint", "投诉 Complaint", None),
                (
                    "complaint_service",
                    "服务投诉 Service complaint",
                    Some("complaint"),
                ),
                (
                    "complaint_product",
                    "产品投诉 Product complaint",
                    Some("complaint"),
                ),
                ("suggestion", "建议 Suggestion", None),
                ("repair", "报修 Repair", None),
            ],
        )
        .await?;
        insert_dictionary(
            &mut tx,
            now,
            "customer_type",
            "客户类型 Customer type",
            &[
                ("individual", "个人 Individual", None),
                ("company", "企业 Company", None),
                ("dealer", "经销商 Dealer", None),
            ],
        )
        .await?;
        insert_dictionary(
            &mut tx,
            now,
            "customer_level",
            "客户等级 Customer level",
            &[("vip", "VIP", None), ("normal", "普通 Normal", None)],
        )
        .await?;
        sqlx::query(
            "INSERT INTO announcements (title, body, starts_at, ends_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, $3, $3)",
        )
        .bind("欢迎使用 Switchboard / Welcome to Switchboard")
        .bind("这是演示数据，可在“公告”页修改。 This is demo data; edit it on the Announcements page.")
        .bind(to_millis(now))
        .bind(to_millis(now + Duration::days(30)))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(SEEDED_KEY)
            .bind(to_millis(now).to_string())
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "system.first_start",
            entity: "system",
            entity_id: String::new(),
            before: None,
            after: Some(
                serde_json::json!({ "demo_data": true, "administrator": FIRST_ADMIN_EMPLOYEE_ID }),
            ),
        };
        record_change(&mut tx, now, &Actor::system("first start"), change).await?;
        tx.commit().await?;
        Ok(true)
    }
}
