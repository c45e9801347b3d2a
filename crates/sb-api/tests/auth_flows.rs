//! Sign-in, sessions, CSRF, lockout, expiry, tokens, password change.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::json;
use time::Duration;

fn without_csrf(auth: &Auth) -> Auth {
    match auth {
        Auth::Session { cookie, .. } => Auth::Session {
            cookie: cookie.clone(),
            csrf: String::new(),
        },
        other => other.clone(),
    }
}

#[tokio::test]
async fn session_cookie_is_http_only_and_changes_need_the_csrf_token() {
    let app = TestApp::sqlite().await;
    let reply = app
        .post(
            "/api/v1/auth/login",
            json!({"employee_id": "admin", "password": PASSWORD}),
            &Auth::None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let cookie = reply.headers["set-cookie"].to_str().expect("ascii");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        reply.body["user"]["permissions"]
            .as_array()
            .expect("perms")
            .len()
            == Permission::ALL.len()
    );

    let admin = app.admin().await;
    let body = json!({"number": "900", "name": "CSRF test"});
    let refused = app
        .post("/api/v1/departments", body.clone(), &without_csrf(&admin))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "csrf")
    );
    assert_eq!(
        app.get("/api/v1/departments", &without_csrf(&admin))
            .await
            .status,
        StatusCode::OK,
        "reads need no token"
    );
    assert_eq!(
        app.post("/api/v1/departments", body, &admin).await.status,
        StatusCode::CREATED
    );

    assert_eq!(
        app.send(Method::POST, "/api/v1/auth/logout", None, &admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let after = app.get("/api/v1/auth/me", &admin).await;
    assert_eq!(
        (after.status, after.code()),
        (StatusCode::UNAUTHORIZED, "session_expired")
    );
    app.finish().await;
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_are_audited() {
    let app = TestApp::sqlite().await;
    app.user_with("2001", &[], DataScope::Own, None).await;
    let wrong = json!({"employee_id": "2001", "password": "not-it-123"});
    for _ in 0..4 {
        let r = app
            .post("/api/v1/auth/login", wrong.clone(), &Auth::None)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    let fifth = app
        .post("/api/v1/auth/login", wrong.clone(), &Auth::None)
        .await;
    assert_eq!(
        (fifth.status, fifth.code()),
        (StatusCode::LOCKED, "account_locked")
    );
    let right = json!({"employee_id": "2001", "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", right.clone(), &Auth::None)
            .await
            .status,
        StatusCode::LOCKED,
        "even the right password"
    );
    let unknown = app
        .post(
            "/api/v1/auth/login",
            json!({"employee_id": "nobody-here", "password": "x"}),
            &Auth::None,
        )
        .await;
    assert_eq!(
        unknown.code(),
        "invalid_credentials",
        "unknown IDs look the same as wrong passwords"
    );

    let admin = app.admin().await;
    let log = app.get("/api/v1/audit?kind=auth&actor=2001", &admin).await;
    let outcomes: Vec<&str> = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["outcome"].as_str())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "failed").count(), 4);
    assert_eq!(outcomes.iter().filter(|o| **o == "locked").count(), 2);

    app.clock.advance(Duration::minutes(16));
    app.login("2001", PASSWORD).await;
    app.finish().await;
}

#[tokio::test]
async fn admin_can_unlock_and_sessions_expire_when_idle_or_old() {
    let app = TestApp::sqlite().await;
    let id = app.user_with("2002", &[], DataScope::Own, None).await;
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/login",
            json!({"employee_id": "2002", "password": "wrong-pass-1"}),
            &Auth::None,
        )
        .await;
    }
    let admin = app.admin().await;
    assert_eq!(
        app.send(
            Method::POST,
            &format!("/api/v1/staff/{}/unlock", id.0),
            None,
            &admin
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let user = app.login("2002", PASSWORD).await;

    app.clock.advance(Duration::minutes(90));
    assert_eq!(
        app.get("/api/v1/auth/me", &user).await.status,
        StatusCode::OK,
        "activity keeps the session"
    );
    app.clock.advance(Duration::minutes(121));
    let idle = app.get("/api/v1/auth/me", &user).await;
    assert_eq!(
        (idle.status, idle.code()),
        (StatusCode::UNAUTHORIZED, "session_expired")
    );

    let busy = app.login("2002", PASSWORD).await;
    for _ in 0..13 {
        app.clock.advance(Duration::minutes(59));
        app.get("/api/v1/auth/me", &busy).await;
    }
    assert_eq!(
        app.get("/api/v1/auth/me", &busy).await.status,
        StatusCode::UNAUTHORIZED,
        "12 hours is the hard limit"
    );
    app.finish().await;
}

#[tokio::test]
async fn password_change_checks_the_old_one_and_ends_other_sessions() {
    let app = TestApp::sqlite().await;
    app.user_with("2003", &[], DataScope::Own, None).await;
    let here = app.login("2003", PASSWORD).await;
    let elsewhere = app.login("2003", PASSWORD).await;
    let wrong = app
        .post(
            "/api/v1/auth/password",
            json!({"current_password": "nope-1234", "new_password": "brand-new-9"}),
            &here,
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "current_password")
    );
    let weak = app
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
            &here,
        )
        .await;
    assert_eq!(weak.field(), "new_password");
    let ok = app
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "brand-new-9"}),
            &here,
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/auth/me", &here).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &elsewhere).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.login("2003", "brand-new-9").await;

    let profile = app
        .put(
            "/api/v1/auth/me",
            json!({"name": "新名字", "mobile": "13800138000", "locale": "en"}),
            &here,
        )
        .await;
    assert_eq!(profile.status, StatusCode::OK, "{:?}", profile.body);
    assert_eq!(
        (
            profile.body["name"].as_str(),
            profile.body["locale"].as_str()
        ),
        (Some("新名字"), Some("en"))
    );
    let bad_locale = app
        .put(
            "/api/v1/auth/me",
            json!({"name": "x", "locale": "fr"}),
            &here,
        )
        .await;
    assert_eq!(bad_locale.field(), "locale");
    app.finish().await;
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_until_revoked() {
    let app = TestApp::sqlite().await;
    app.user_with("erp", &[Permission::StaffRead], DataScope::All, None)
        .await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "erp", "name": "ERP sync"}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("sbt_"));
    let token = Auth::Bearer(secret);
    assert_eq!(
        app.get("/api/v1/staff", &token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/roles", &token).await.status,
        StatusCode::FORBIDDEN,
        "only the owner's permissions"
    );
    let listed = app.get("/api/v1/api-tokens", &admin).await;
    assert!(
        listed.body.to_string().find("sbt_").is_some(),
        "the prefix is listed"
    );
    assert!(
        !listed
            .body
            .to_string()
            .contains(created.body["secret"].as_str().expect("s")),
        "the secret is not"
    );

    let id = created.body["token"]["id"].as_i64().expect("id");
    assert_eq!(
        app.delete(&format!("/api/v1/api-tokens/{id}"), &admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let revoked = app.get("/api/v1/staff", &token).await;
    assert_eq!(
        (revoked.status, revoked.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let unknown = app
        .post(
            "/api/v1/api-tokens",
            json!({"employee_id": "ghost", "name": "x"}),
            &admin,
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "employee_id")
    );
    app.finish().await;
}

#[tokio::test]
async fn disabled_accounts_cannot_sign_in_or_keep_sessions() {
    let app = TestApp::sqlite().await;
    let id = app.user_with("2004", &[], DataScope::Own, None).await;
    let session = app.login("2004", PASSWORD).await;
    let admin = app.admin().await;
    let current = app
        .get(&format!("/api/v1/staff/{}", id.0), &admin)
        .await
        .body;
    let mut body =
        json!({"employee_id": "2004", "name": current["name"], "enabled": false, "role_ids": []});
    body["department_id"] = current["department_id"].clone();
    assert_eq!(
        app.put(&format!("/api/v1/staff/{}", id.0), body, &admin)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &session).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .post(
            "/api/v1/auth/login",
            json!({"employee_id": "2004", "password": PASSWORD}),
            &Auth::None,
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
    app.finish().await;
}
