//! What a new installation starts with: the built-in administrator role, kept
//! in step with the permission catalogue, and on first start the first
//! administrator and (unless turned off) a demo organisation, telephony and
//! contact centre (queues, a voice menu on 4000: `demo_acd_ivr`) so the
//! console has something to show and a phone can register and call in.

use std::collections::BTreeSet;

use sb_core::{CallClass, DataScope, Permission, SipSecret};
use sqlx::{AnyConnection, Row};
use time::{Duration, OffsetDateTime};

use crate::audit::{Actor, Change, record_change};
use crate::codes::{CallerIdMode, TargetKind, Transport};
use crate::db::Store;
use crate::demo_acd_ivr::seed_acd_ivr;
use crate::demo_customers::seed_customers;
use crate::error::Result;
use crate::inbound_routes::{InboundRouteInput, insert_inbound_route};
use crate::knowledge::seed_knowledge;
use crate::millis::to_millis;
use crate::outbound_routes::{OutboundRouteInput, insert_outbound_route};
use crate::roles::{ADMIN_ROLE_CODE, RoleInput, insert_role};
use crate::sip_extensions::{SipExtensionInput, insert_sip_extension};
use crate::staff::{StaffInput, insert_staff};
use crate::trunks::{TrunkInput, insert_trunk};

/// The employee ID of the administrator created on first start.
pub const FIRST_ADMIN_EMPLOYEE_ID: &str = "admin";

/// The SIP digest realm when none is configured.
pub const DEFAULT_SIP_REALM: &str = "switchboard";

/// The demo people, who are also the demo SIP extensions: (employee ID and
/// extension, name, work group). Their SIP password is `demo` + extension.
const DEMO_PEOPLE: [(&str, &str, &str); 4] = [
    ("1001", "王芳", "班长"),
    ("1002", "李娜", "呼入一组"),
    ("1003", "张伟", "呼入一组"),
    ("1004", "刘洋", "外呼组"),
];

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
    // Lists every installation needs arrive with the migrations (0006
    // customer levels, 0007 ticket types); the demo does not add them twice.
    let exists = sqlx::query("SELECT 1 FROM dictionary_types WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
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

fn first_admin(role: i64, department: Option<i64>) -> StaffInput {
    StaffInput {
        department_id: department,
        extension: None,
        ..staff(FIRST_ADMIN_EMPLOYEE_ID, "系统管理员", 0, "", "", role)
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

    /// On the very first start (no staff, never seeded) creates the first
    /// administrator with `admin_password_hash` and, when `demo` is set, a
    /// demo organisation with SIP extensions 1001-1004 (passwords
    /// `demo1001`..., flagged as demo, HA1s for `sip_realm`), a disabled demo
    /// trunk, one inbound and one outbound route, and the demo contact
    /// centre (calendars, queues, the hotline flow on 4000 and its DID
    /// route). Returns false, changing nothing, on any later start.
    pub async fn seed_first_start(
        &self,
        now: OffsetDateTime,
        admin_password_hash: &str,
        sip_realm: &str,
        demo: bool,
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
        if !demo {
            let admin = first_admin(admin_role, None);
            insert_staff(&mut tx, now, &admin, Some(admin_password_hash)).await?;
            return finish_first_start(tx, now, false).await.map(|()| true);
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
                Permission::AgentWork,
                Permission::AgentSupervise,
                Permission::CallRead,
                Permission::CallControl,
                Permission::CallMonitor,
                Permission::QueueRead,
                Permission::VoicemailRead,
                Permission::VoicemailListen,
                Permission::VoicemailManage,
                Permission::SurveyRead,
                Permission::CustomerRead,
                Permission::CustomerCreate,
                Permission::CustomerUpdate,
                Permission::TicketRead,
                Permission::TicketCreate,
                Permission::TicketWork,
                Permission::TicketDispatch,
                Permission::TicketClose,
                Permission::CallbackWork,
                Permission::CallbackManage,
                Permission::CampaignRead,
                Permission::CampaignWork,
                Permission::CampaignManage,
                Permission::CustomerImport,
                Permission::CustomerExport,
                Permission::KnowledgeRead,
                Permission::KnowledgeWrite,
                Permission::KnowledgeReview,
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
            permissions: [
                Permission::StaffRead,
                Permission::AgentWork,
                Permission::CustomerRead,
                Permission::CustomerCreate,
                Permission::CustomerUpdate,
                Permission::TicketRead,
                Permission::TicketCreate,
                Permission::TicketWork,
                Permission::CallbackWork,
                Permission::CampaignRead,
                Permission::CampaignWork,
                Permission::KnowledgeRead,
                Permission::KnowledgeWrite,
            ]
            .into_iter()
            .collect(),
        };
        let agent = insert_role(&mut tx, now, &agent, false).await?;

        let admin = first_admin(admin_role, Some(hq));
        insert_staff(&mut tx, now, &admin, Some(admin_password_hash)).await?;
        let places = [
            (center, supervisor),
            (inbound, agent),
            (inbound, agent),
            (outbound, agent),
        ];
        for ((number, name, group), (department, role)) in DEMO_PEOPLE.into_iter().zip(places) {
            let person = staff(number, name, department, group, number, role);
            insert_staff(&mut tx, now, &person, None).await?;
        }
        let demo_trunk = seed_telephony(&mut tx, now, sip_realm).await?;
        seed_acd_ivr(&mut tx, now, demo_trunk).await?;
        seed_customers(&mut tx, now, inbound).await?;
        seed_knowledge(&mut tx, now).await?;

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
        // The customer levels come with migration 0006, demo or not.
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
        finish_first_start(tx, now, true).await.map(|()| true)
    }
}

/// Marks the database as seeded, records the first start and commits.
async fn finish_first_start(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    now: OffsetDateTime,
    demo: bool,
) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
        .bind(SEEDED_KEY)
        .bind(to_millis(now).to_string())
        .execute(&mut *tx)
        .await?;
    let mut after =
        serde_json::json!({ "demo_data": demo, "administrator": FIRST_ADMIN_EMPLOYEE_ID });
    if demo {
        after["sip_extensions"] = DEMO_PEOPLE.iter().map(|(ext, ..)| *ext).collect();
    }
    let change = Change {
        action: "system.first_start",
        entity: "system",
        entity_id: String::new(),
        before: None,
        after: Some(after),
    };
    record_change(&mut tx, now, &Actor::system("first start"), change).await?;
    tx.commit().await?;
    Ok(())
}

/// Demo SIP extensions for the demo people, a disabled demo carrier, the main
/// number ringing the supervisor, and national numbers (0...) going out.
/// Returns the demo trunk's id.
async fn seed_telephony(conn: &mut AnyConnection, now: OffsetDateTime, realm: &str) -> Result<i64> {
    for (number, name, _) in DEMO_PEOPLE {
        let input = SipExtensionInput {
            extension: number.into(),
            display_name: name.into(),
            call_class: CallClass::National,
            max_contacts: 3,
            enabled: true,
            // The supervisor's calls are recorded, so a first call shows a recording.
            record_calls: number == DEMO_PEOPLE[0].0,
        };
        let secret = SipSecret::derive(number, realm, &format!("demo{number}"));
        insert_sip_extension(conn, now, &input, &secret, true).await?;
    }
    let trunk = TrunkInput {
        name: "demo-carrier".into(),
        host: "127.0.0.1".into(),
        port: 5080,
        transport: Transport::Udp,
        inbound_addresses: vec!["127.0.0.1".into()],
        register: false,
        username: String::new(),
        password: None,
        register_expires: 3600,
        max_channels: 0,
        caller_id: "4008001000".into(),
        enabled: false,
        record_calls: false,
    };
    let trunk_id = insert_trunk(conn, now, &trunk).await?;
    let inbound = InboundRouteInput {
        did: "4008001000".into(),
        trunk_id: None,
        target_kind: TargetKind::Extension,
        target: DEMO_PEOPLE[0].0.into(),
        description: "演示：总机号码转班长 Demo: main number rings the supervisor".into(),
        enabled: true,
    };
    insert_inbound_route(conn, now, &inbound).await?;
    let outbound = OutboundRouteInput {
        name: "demo-national".into(),
        priority: 100,
        // Long-distance numbers (0 + area code) go out as dialled.
        pattern: "0.".into(),
        strip: 0,
        prepend: String::new(),
        trunk_id,
        call_class: CallClass::National,
        caller_id_mode: CallerIdMode::Trunk,
        caller_id: String::new(),
        enabled: true,
    };
    insert_outbound_route(conn, now, &outbound).await?;
    Ok(trunk_id)
}
