//! Data scope on every kind of record, and the limits on handing out power.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::json;

#[tokio::test]
async fn a_role_scope_does_not_widen_another_roles_permission() {
    let app = TestApp::sqlite().await;
    let inbound = app.department_id("001-01-01").await;
    let reader = app
        .user_with(
            "mixed",
            &[Permission::StaffRead],
            DataScope::Department,
            Some(inbound),
        )
        .await;
    // A second role: reset passwords, own scope only.
    let admin = app.admin().await;
    let role = app
        .post("/api/v1/roles", json!({"code": "reset-own", "name": "Reset own", "data_scope": "own", "permissions": ["staff.reset_password", "staff.read"]}), &admin)
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{:?}", role.body);
    let first_role = app
        .store()
        .role_by_code("role-mixed")
        .await
        .expect("role")
        .id;
    let body = json!({"employee_id": "mixed", "name": "Mixed", "department_id": inbound, "role_ids": [first_role, role.body["id"]]});
    assert_eq!(
        app.put(&format!("/api/v1/staff/{}", reader.0), body, &admin)
            .await
            .status,
        StatusCode::OK
    );

    let mixed = app.login("mixed", PASSWORD).await;
    let colleague = app
        .store()
        .staff_by_employee_id("1003")
        .await
        .expect("colleague")
        .id;
    assert_eq!(
        app.get(&format!("/api/v1/staff/{colleague}"), &mixed)
            .await
            .status,
        StatusCode::OK,
        "reading reaches the department"
    );
    let reset = app
        .post(
            &format!("/api/v1/staff/{colleague}/password"),
            json!({"password": "taken-over-1"}),
            &mixed,
        )
        .await;
    assert_eq!(
        reset.status,
        StatusCode::FORBIDDEN,
        "resetting reaches only the person themselves"
    );
    app.finish().await;
}

#[tokio::test]
async fn department_writes_stay_inside_the_scope() {
    let app = TestApp::sqlite().await;
    let center = app.department_id("001-01").await;
    let tech = app.department_id("001-02").await;
    let perms = [
        Permission::DepartmentRead,
        Permission::DepartmentCreate,
        Permission::DepartmentUpdate,
        Permission::DepartmentDelete,
    ];
    app.user_with(
        "branch",
        &perms,
        DataScope::DepartmentAndBelow,
        Some(center),
    )
    .await;
    let branch = app.login("branch", PASSWORD).await;

    let steal = app
        .put(
            &format!("/api/v1/departments/{tech}"),
            json!({"number": "001-02", "name": "Tech", "parent_id": center}),
            &branch,
        )
        .await;
    assert_eq!(
        (steal.status, steal.field()),
        (StatusCode::FORBIDDEN, "id"),
        "a department outside the tree cannot be pulled in"
    );
    let top = app
        .post(
            "/api/v1/departments",
            json!({"number": "002", "name": "New top"}),
            &branch,
        )
        .await;
    assert_eq!(
        (top.status, top.field()),
        (StatusCode::FORBIDDEN, "parent_id")
    );
    let inside = app
        .post(
            "/api/v1/departments",
            json!({"number": "001-01-09", "name": "夜班", "parent_id": center}),
            &branch,
        )
        .await;
    assert_eq!(inside.status, StatusCode::CREATED);
    let id = inside.body["id"].as_i64().expect("id");
    let rename = app
        .put(
            &format!("/api/v1/departments/{id}"),
            json!({"number": "001-01-09", "name": "夜班组", "parent_id": center}),
            &branch,
        )
        .await;
    assert_eq!(rename.status, StatusCode::OK);
    let away = app
        .put(
            &format!("/api/v1/departments/{id}"),
            json!({"number": "001-01-09", "name": "x", "parent_id": tech}),
            &branch,
        )
        .await;
    assert_eq!(
        (away.status, away.field()),
        (StatusCode::FORBIDDEN, "parent_id")
    );
    assert_eq!(
        app.delete(&format!("/api/v1/departments/{tech}"), &branch)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/v1/departments/{id}"), &branch)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.finish().await;
}

#[tokio::test]
async fn tokens_can_only_be_managed_for_people_in_scope_and_not_stronger() {
    let app = TestApp::sqlite().await;
    let center = app.department_id("001-01").await;
    let tech = app.department_id("001-02").await;
    app.user_with(
        "tokens",
        &[Permission::ApiTokenManage, Permission::StaffRead],
        DataScope::DepartmentAndBelow,
        Some(center),
    )
    .await;
    app.user_with(
        "tech-1",
        &[Permission::StaffRead],
        DataScope::Department,
        Some(tech),
    )
    .await;
    app.user_with(
        "center-1",
        &[Permission::StaffRead],
        DataScope::Department,
        Some(center),
    )
    .await;
    let manager = app.login("tokens", PASSWORD).await;
    let admin = app.admin().await;
    let outside = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "tech-1", "name": "x"}),
            &manager,
        )
        .await;
    assert_eq!(
        (outside.status, outside.field()),
        (StatusCode::FORBIDDEN, "employee_id")
    );
    let stronger = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "admin", "name": "x"}),
            &manager,
        )
        .await;
    assert_eq!(stronger.status, StatusCode::FORBIDDEN);
    let inside = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "center-1", "name": "crm"}),
            &manager,
        )
        .await;
    assert_eq!(inside.status, StatusCode::CREATED, "{:?}", inside.body);
    let admins = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "admin", "name": "erp"}),
            &admin,
        )
        .await;
    let admin_token = admins.body["token"]["id"].as_i64().expect("id");

    let listed = app.get("/api/v1/api-tokens", &manager).await;
    let owners: Vec<&str> = listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["employee_id"].as_str())
        .collect();
    assert_eq!(
        owners,
        ["center-1"],
        "only tokens of people in scope are listed"
    );
    assert_eq!(
        app.delete(&format!("/api/v1/api-tokens/{admin_token}"), &manager)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let far = app.post("/api/v1/api-tokens", json!({"employee_id": "center-1", "name": "x", "expires_at": "9999-12-31T23:59:59-12:00"}), &manager).await;
    assert_eq!(
        (far.status, far.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "expires_at")
    );
    app.finish().await;
}

#[tokio::test]
async fn a_scoped_audit_reader_sees_what_people_in_scope_did() {
    let app = TestApp::sqlite().await;
    let inbound = app.department_id("001-01-01").await;
    app.user_with(
        "auditor",
        &[Permission::AuditRead],
        DataScope::Department,
        Some(inbound),
    )
    .await;
    let auditor = app.login("auditor", PASSWORD).await;
    let admin = app.admin().await;
    app.post(
        "/api/v1/departments",
        json!({"number": "777", "name": "Admin's change"}),
        &admin,
    )
    .await;
    let seen = app.get("/api/v1/audit?per_page=1000", &auditor).await;
    let actors: std::collections::BTreeSet<&str> = seen.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["actor_employee_id"].as_str())
        .collect();
    assert!(actors.contains("auditor"), "{actors:?}");
    assert!(
        !actors.contains("admin"),
        "the administrator is outside the auditor's department: {actors:?}"
    );
    app.finish().await;
}

#[tokio::test]
async fn roles_held_outside_the_scope_cannot_be_reshaped() {
    let app = TestApp::sqlite().await;
    let inbound = app.department_id("001-01-01").await;
    let perms = [
        Permission::RoleRead,
        Permission::RoleUpdate,
        Permission::StaffRead,
        Permission::StaffDelete,
    ];
    app.user_with("shaper", &perms, DataScope::Department, Some(inbound))
        .await;
    let shaper = app.login("shaper", PASSWORD).await;
    let agent = app.store().role_by_code("agent").await.expect("agent");
    let spread = app
        .put(&format!("/api/v1/roles/{}", agent.id), json!({"code": "agent", "name": "坐席", "data_scope": "department", "permissions": ["staff.read", "staff.delete"]}), &shaper)
        .await;
    assert_eq!(
        spread.status,
        StatusCode::FORBIDDEN,
        "agents outside the shaper's department hold this role"
    );
    let supervisor = app
        .store()
        .role_by_code("supervisor")
        .await
        .expect("supervisor");
    let strip = app
        .put(
            &format!("/api/v1/roles/{}", supervisor.id),
            json!({"code": "supervisor", "name": "x", "data_scope": "own", "permissions": []}),
            &shaper,
        )
        .await;
    assert_eq!(
        strip.status,
        StatusCode::FORBIDDEN,
        "a stronger role cannot be reshaped"
    );
    app.finish().await;
}

#[tokio::test]
async fn unlocking_and_self_reset_have_limits() {
    let app = TestApp::sqlite().await;
    app.user_with(
        "helpdesk",
        &[
            Permission::StaffRead,
            Permission::StaffUpdate,
            Permission::StaffResetPassword,
        ],
        DataScope::All,
        None,
    )
    .await;
    let helpdesk = app.login("helpdesk", PASSWORD).await;
    let admin_id = app
        .store()
        .staff_by_employee_id("admin")
        .await
        .expect("admin")
        .id;
    let unlock = app
        .send(
            Method::POST,
            &format!("/api/v1/staff/{admin_id}/unlock"),
            None,
            &helpdesk,
        )
        .await;
    assert_eq!(
        unlock.status,
        StatusCode::FORBIDDEN,
        "a weaker account cannot unlock a stronger one"
    );
    let me = app
        .store()
        .staff_by_employee_id("helpdesk")
        .await
        .expect("me")
        .id;
    let own = app
        .post(
            &format!("/api/v1/staff/{me}/password"),
            json!({"password": "no-old-needed-1"}),
            &helpdesk,
        )
        .await;
    assert_eq!(
        (own.status, own.code()),
        (StatusCode::CONFLICT, "own_password")
    );
    app.finish().await;
}

#[tokio::test]
async fn concurrent_guesses_get_no_more_than_the_limit_and_raise_an_alarm() {
    let app = TestApp::sqlite().await;
    app.user_with("target", &[], DataScope::Own, None).await;
    let mut guesses = Vec::new();
    for i in 0..12 {
        let body = json!({"employee_id": "target", "password": format!("guess-{i}-pass")});
        guesses.push(app.post("/api/v1/auth/login", body, &Auth::None));
    }
    let replies = futures_join(guesses).await;
    let checked = replies
        .iter()
        .filter(|r| r.code() == "invalid_credentials")
        .count();
    assert!(
        checked <= 5,
        "{checked} guesses were checked against the password"
    );
    let right = app
        .post(
            "/api/v1/auth/login",
            json!({"employee_id": "target", "password": PASSWORD}),
            &Auth::None,
        )
        .await;
    assert_eq!(right.status, StatusCode::LOCKED);
    let admin = app.admin().await;
    let alarms = app.get("/api/v1/audit?kind=alarm", &admin).await;
    assert_eq!(alarms.body["total"], 1, "{:?}", alarms.body);
    app.finish().await;
}

async fn futures_join<F: std::future::Future<Output = common::Reply>>(
    futures: Vec<F>,
) -> Vec<common::Reply> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<common::Reply>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => results[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("every future finished"))
        .collect()
}
