//! Agent PINs (MISSION G10): set by an admin and by the agent themselves,
//! 4-8 digits, stored hashed, audited; on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::json;

async fn pins_are_set_checked_and_audited(app: TestApp) {
    let admin = app.admin().await;
    let agent = app
        .user_with("3101", &[Permission::AgentWork], DataScope::Own, None)
        .await;
    let path = format!("/api/v1/staff/{}/agent-pin", agent.0);
    for bad in ["123", "123456789", "12a4"] {
        let refused = app.put(&path, json!({"pin": bad}), &admin).await;
        assert_eq!(
            (refused.status, refused.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, "pin"),
            "{bad}"
        );
    }
    let set = app.put(&path, json!({"pin": "4321"}), &admin).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{:?}", set.body);
    let stored = app
        .store()
        .agent_pin("3101")
        .await
        .expect("read")
        .expect("found");
    let hash = stored.pin_hash.expect("hash");
    assert!(hash.starts_with("$argon2id$"));
    assert!(sb_api::auth::password::verify_password("4321", &hash));
    let shown = app.get(&format!("/api/v1/staff/{}", agent.0), &admin).await;
    assert_eq!(shown.body["has_agent_pin"], true);
    assert!(!shown.body.to_string().contains("argon2"));
    let audit = app
        .get("/api/v1/audit?action=staff.agent_pin", &admin)
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{:?}", audit.body);
    assert_eq!(audit.body["total"], 1);
    assert!(!audit.body.to_string().contains("4321"));

    let me = app.login("3101", PASSWORD).await;
    let wrong = app
        .put(
            "/api/v1/agents/me/pin",
            json!({"pin": "5678", "current_password": "not-mine-1"}),
            &me,
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "current_password")
    );
    let short = app
        .put(
            "/api/v1/agents/me/pin",
            json!({"pin": "56", "current_password": PASSWORD}),
            &me,
        )
        .await;
    assert_eq!(short.field(), "pin");
    let mine = app
        .put(
            "/api/v1/agents/me/pin",
            json!({"pin": "56789012", "current_password": PASSWORD}),
            &me,
        )
        .await;
    assert_eq!(mine.status, StatusCode::NO_CONTENT, "{:?}", mine.body);
    let hash = app
        .store()
        .agent_pin("3101")
        .await
        .expect("read")
        .and_then(|p| p.pin_hash)
        .expect("hash");
    assert!(sb_api::auth::password::verify_password("56789012", &hash));
    // Staff.update is the admin's door; an agent cannot set someone else's.
    let other = app.put(&path, json!({"pin": "1111"}), &me).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let cleared = app.put(&path, json!({"pin": null}), &admin).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    let gone = app
        .store()
        .agent_pin("3101")
        .await
        .expect("read")
        .expect("found");
    assert!(gone.pin_hash.is_none());
    app.finish().await;
}

#[tokio::test]
async fn agent_pins_sqlite() {
    pins_are_set_checked_and_audited(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn agent_pins_postgres() {
    if let Some(app) = TestApp::postgres().await {
        pins_are_set_checked_and_audited(app).await;
    }
}
