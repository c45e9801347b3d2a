//! Organisation routes: bad input, conflicts, data scope, anti-escalation,
//! audit and alarms, pagination, and the unauthenticated system routes.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::json;

async fn staff_count(app: &TestApp) -> i64 {
    app.store().count_staff().await.expect("count")
}

#[tokio::test]
async fn bad_input_is_refused_by_field_and_nothing_is_half_written() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let before = staff_count(&app).await;

    let malformed = app
        .send_raw(
            Method::POST,
            "/api/v1/staff",
            Some("{\"employee_id\": "),
            &admin,
        )
        .await;
    assert_eq!(
        (malformed.status, malformed.field()),
        (StatusCode::BAD_REQUEST, "body")
    );
    let missing = app
        .post("/api/v1/staff", json!({"employee_id": "3001"}), &admin)
        .await;
    assert_eq!(
        (missing.status, missing.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "name")
    );
    let typed = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "role_ids": ["x"]}),
            &admin,
        )
        .await;
    assert_eq!(
        (typed.status, typed.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "role_ids[0]")
    );
    let long = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "名".repeat(65)}),
            &admin,
        )
        .await;
    assert_eq!(
        (long.status, long.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "name")
    );
    let unknown_field = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "nmae": "B"}),
            &admin,
        )
        .await;
    assert_eq!(unknown_field.field(), "nmae");
    let bad_ext = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "extension": "80a1"}),
            &admin,
        )
        .await;
    assert_eq!(bad_ext.field(), "extension");
    let bad_dept = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "department_id": 999}),
            &admin,
        )
        .await;
    assert_eq!(
        (bad_dept.status, bad_dept.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "department_id")
    );
    let bad_role = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "role_ids": [999]}),
            &admin,
        )
        .await;
    assert_eq!(bad_role.field(), "role_ids");
    let dup_id = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "1001", "name": "A"}),
            &admin,
        )
        .await;
    assert_eq!(
        (dup_id.status, dup_id.field()),
        (StatusCode::CONFLICT, "employee_id")
    );
    let dup_ext = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "3001", "name": "A", "extension": "1001"}),
            &admin,
        )
        .await;
    assert_eq!(
        (dup_ext.status, dup_ext.field()),
        (StatusCode::CONFLICT, "extension")
    );
    let no_type = app
        .send_raw(Method::POST, "/api/v1/departments", None, &admin)
        .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        staff_count(&app).await,
        before,
        "no refused request wrote anything"
    );

    let bad_id = app.get("/api/v1/staff/abc", &admin).await;
    assert_eq!(
        (bad_id.status, bad_id.field()),
        (StatusCode::BAD_REQUEST, "id")
    );
    assert_eq!(
        app.get("/api/v1/staff/424242", &admin).await.status,
        StatusCode::NOT_FOUND
    );
    let bad_page = app.get("/api/v1/staff?page=abc", &admin).await;
    assert_eq!(
        (bad_page.status, bad_page.field()),
        (StatusCode::BAD_REQUEST, "page")
    );
    let bad_kind = app.get("/api/v1/audit?kind=everything", &admin).await;
    assert_eq!(bad_kind.field(), "kind");
    let bad_time = app.get("/api/v1/audit?from=yesterday", &admin).await;
    assert_eq!(bad_time.field(), "from");
    let bad_scope = app
        .post(
            "/api/v1/roles",
            json!({"code": "x", "name": "X", "data_scope": "galaxy", "permissions": []}),
            &admin,
        )
        .await;
    assert_eq!(bad_scope.field(), "data_scope");
    let bad_perm = app.post("/api/v1/roles", json!({"code": "x", "name": "X", "data_scope": "all", "permissions": ["staff.read", "staff.fly"]}), &admin).await;
    assert_eq!(bad_perm.field(), "permissions[1]");
    let window = app.post("/api/v1/announcements", json!({"title": "t", "body": "b", "starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}), &admin).await;
    assert_eq!(window.field(), "ends_at");
    app.finish().await;
}

#[tokio::test]
async fn departments_with_staff_or_children_cannot_be_deleted() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let center = app.department_id("001-01").await;
    let tech = app.department_id("001-02").await;
    let child = app
        .post(
            "/api/v1/departments",
            json!({"number": "001-02-01", "name": "二线", "parent_id": tech}),
            &admin,
        )
        .await;
    assert_eq!(child.status, StatusCode::CREATED, "{:?}", child.body);
    let has_children = app
        .delete(&format!("/api/v1/departments/{tech}"), &admin)
        .await;
    assert_eq!(
        (has_children.status, has_children.code()),
        (StatusCode::CONFLICT, "department_has_children")
    );
    let inbound = app.department_id("001-01-01").await;
    let has_staff = app
        .delete(&format!("/api/v1/departments/{inbound}"), &admin)
        .await;
    assert_eq!(
        (has_staff.status, has_staff.code()),
        (StatusCode::CONFLICT, "department_has_staff")
    );
    let dup = app
        .post(
            "/api/v1/departments",
            json!({"number": "001-01", "name": "Again"}),
            &admin,
        )
        .await;
    assert_eq!((dup.status, dup.field()), (StatusCode::CONFLICT, "number"));
    let created = app
        .post(
            "/api/v1/departments",
            json!({"number": "001-03", "name": "质检组", "parent_id": center}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_i64().expect("id");
    let cycle = app
        .put(
            &format!("/api/v1/departments/{center}"),
            json!({"number": "001-01", "name": "x", "parent_id": id}),
            &admin,
        )
        .await;
    assert_eq!(cycle.field(), "parent_id");
    assert_eq!(
        app.delete(&format!("/api/v1/departments/{id}"), &admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.finish().await;
}

#[tokio::test]
async fn data_scope_limits_what_a_role_sees_and_touches() {
    let app = TestApp::sqlite().await;
    let center = app.department_id("001-01").await;
    let inbound = app.department_id("001-01-01").await;
    let perms = [Permission::StaffRead, Permission::StaffUpdate];
    app.user_with("lead", &perms, DataScope::DepartmentAndBelow, Some(center))
        .await;
    app.user_with(
        "peer",
        &[Permission::StaffRead],
        DataScope::Department,
        Some(inbound),
    )
    .await;
    app.user_with(
        "self",
        &[Permission::StaffRead],
        DataScope::Own,
        Some(inbound),
    )
    .await;
    let lead = app.login("lead", PASSWORD).await;
    let peer = app.login("peer", PASSWORD).await;
    let own = app.login("self", PASSWORD).await;

    let ids = |r: &common::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|s| s["employee_id"].as_str().map(String::from))
            .collect()
    };
    let lead_sees = ids(&app.get("/api/v1/staff?per_page=100", &lead).await);
    assert!(
        lead_sees.contains(&"1002".to_owned())
            && lead_sees.contains(&"1004".to_owned())
            && lead_sees.contains(&"1001".to_owned())
    );
    assert!(
        !lead_sees.contains(&"admin".to_owned()),
        "head office is above the lead"
    );
    let peer_sees = ids(&app.get("/api/v1/staff?per_page=100", &peer).await);
    assert!(
        peer_sees.contains(&"1003".to_owned()) && !peer_sees.contains(&"1004".to_owned()),
        "{peer_sees:?}"
    );
    assert_eq!(ids(&app.get("/api/v1/staff", &own).await), ["self"]);
    let hq = app.department_id("001").await;
    let narrowed = app
        .get(&format!("/api/v1/staff?department_id={hq}"), &peer)
        .await;
    assert!(
        !ids(&narrowed).contains(&"admin".to_owned()),
        "a filter cannot widen the scope"
    );

    let admin_id = app
        .store()
        .staff_by_employee_id("admin")
        .await
        .expect("admin")
        .id;
    let outside = app.get(&format!("/api/v1/staff/{admin_id}"), &lead).await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn nobody_can_grant_or_act_beyond_their_own_power() {
    let app = TestApp::sqlite().await;
    let perms = [
        Permission::StaffRead,
        Permission::StaffUpdate,
        Permission::StaffCreate,
        Permission::StaffResetPassword,
        Permission::RoleUpdate,
        Permission::RoleCreate,
    ];
    let me = app.user_with("climber", &perms, DataScope::All, None).await;
    let climber = app.login("climber", PASSWORD).await;
    let admin_role = app.store().role_by_code("admin").await.expect("role").id;

    let body = json!({"employee_id": "climber", "name": "C", "role_ids": [admin_role]});
    let grab = app
        .put(&format!("/api/v1/staff/{}", me.0), body, &climber)
        .await;
    assert_eq!(
        (grab.status, grab.field()),
        (StatusCode::FORBIDDEN, "role_ids")
    );
    let mint = app
        .post(
            "/api/v1/staff",
            json!({"employee_id": "alt", "name": "Alt", "role_ids": [admin_role]}),
            &climber,
        )
        .await;
    assert_eq!(mint.status, StatusCode::FORBIDDEN);
    let admin_id = app
        .store()
        .staff_by_employee_id("admin")
        .await
        .expect("admin")
        .id;
    let takeover = app
        .post(
            &format!("/api/v1/staff/{admin_id}/password"),
            json!({"password": "owned-12345"}),
            &climber,
        )
        .await;
    assert_eq!(takeover.status, StatusCode::FORBIDDEN);
    let own_role = app
        .store()
        .role_by_code("role-climber")
        .await
        .expect("role")
        .id;
    let widen = app.put(&format!("/api/v1/roles/{own_role}"), json!({"code": "role-climber", "name": "x", "data_scope": "all", "permissions": ["audit.read"]}), &climber).await;
    assert_eq!(widen.status, StatusCode::FORBIDDEN);
    let builtin = app
        .put(
            &format!("/api/v1/roles/{admin_role}"),
            json!({"code": "admin", "name": "x", "data_scope": "all", "permissions": []}),
            &app.admin().await,
        )
        .await;
    assert_eq!(
        (builtin.status, builtin.code()),
        (StatusCode::CONFLICT, "builtin_role")
    );
    app.login("admin", PASSWORD).await;

    let admin = app.admin().await;
    let alarms = app.get("/api/v1/audit?kind=alarm", &admin).await;
    assert!(
        alarms.body["total"].as_i64().expect("total") == 0,
        "four refusals are not yet an alarm"
    );
    app.put(&format!("/api/v1/roles/{own_role}"), json!({"code": "role-climber", "name": "x", "data_scope": "all", "permissions": ["audit.read"]}), &climber).await;
    let alarms = app.get("/api/v1/audit?kind=alarm", &admin).await;
    assert_eq!(
        alarms.body["total"], 1,
        "the fifth refusal in five minutes raises an alarm"
    );
    assert_eq!(alarms.body["items"][0]["actor_employee_id"], "climber");
    app.finish().await;
}

#[tokio::test]
async fn changes_are_audited_with_before_and_after() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/extension-groups",
            json!({"name": "呼入组", "extensions": ["8002", "8003"]}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_i64().expect("id");
    app.put(
        &format!("/api/v1/extension-groups/{id}"),
        json!({"name": "呼入组", "extensions": ["8002"]}),
        &admin,
    )
    .await;
    let log = app
        .get("/api/v1/audit?action=extension_group.update", &admin)
        .await;
    assert_eq!(log.body["total"], 1);
    let entry = &log.body["items"][0];
    assert_eq!(entry["actor_employee_id"], "admin");
    assert_eq!(entry["before"]["extensions"], json!(["8002", "8003"]));
    assert_eq!(entry["after"]["extensions"], json!(["8002"]));
    let text = app.get("/api/v1/audit?q=%E5%91%BC%E5%85%A5", &admin).await;
    assert!(
        text.body["total"].as_i64().expect("total") >= 2,
        "free text finds Chinese names"
    );
    app.finish().await;
}

#[tokio::test]
async fn lists_page_and_dictionary_serves_every_user() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let page = app.get("/api/v1/staff?per_page=2&page=2", &admin).await;
    assert_eq!(
        (page.body["page"].as_i64(), page.body["per_page"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(page.body["items"].as_array().expect("items").len(), 2);
    assert_eq!(page.body["total"], 5);
    let clamped = app.get("/api/v1/staff?per_page=100000", &admin).await;
    assert_eq!(clamped.body["per_page"], 1000);
    let searched = app.get("/api/v1/staff?q=%E6%9D%8E", &admin).await;
    assert_eq!(searched.body["total"], 1, "search by Chinese name");

    app.user_with("plain", &[], DataScope::Own, None).await;
    let plain = app.login("plain", PASSWORD).await;
    let dict = app.get("/api/v1/dictionary", &plain).await;
    assert_eq!(dict.status, StatusCode::OK);
    let ticket = dict.body["items"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "ticket_type")
        .expect("ticket_type")
        .clone();
    let complaint = ticket["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["code"] == "complaint")
        .expect("complaint")["id"]
        .clone();
    assert!(
        ticket["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["parent_id"] == complaint),
        "sub-types"
    );
    let notice = app.get("/api/v1/announcements/active", &plain).await;
    assert_eq!(notice.body["total"], 1);
    app.finish().await;
}

#[tokio::test]
async fn system_routes_and_console_are_served() {
    let app = TestApp::sqlite().await;
    let health = app.get("/healthz", &Auth::None).await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    app.get("/api/v1/departments", &Auth::None).await;
    let metrics = app.get("/metrics", &Auth::None).await;
    let text = metrics.body.as_str().expect("text");
    assert!(
        text.contains(
            "switchboard_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("switchboard_refused_requests_total{status=\"401\"} 1"));
    let doc = app.get("/api/openapi.json", &Auth::None).await;
    assert_eq!(doc.body["openapi"], "3.1.0");
    let console = app.get("/", &Auth::None).await;
    assert_eq!(console.status, StatusCode::OK);
    let csp = console.headers["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("'sha256-") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(console.headers["x-frame-options"], "DENY");
    let unknown_api = app.get("/api/v1/nothing-here", &Auth::None).await;
    assert_eq!(
        (unknown_api.status, unknown_api.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    app.finish().await;
}
