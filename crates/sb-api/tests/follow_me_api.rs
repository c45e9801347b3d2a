//! Follow-me to the agent's own mobile (MISSION G8): the agent sets their
//! own, an admin sets it with the staff record; bad input is a 422 naming
//! the field; audited; on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::json;

async fn follow_me_is_set_checked_and_audited(app: TestApp) {
    let admin = app.admin().await;
    let agent = app
        .user_with("3201", &[Permission::AgentWork], DataScope::Own, None)
        .await;
    let me = app.login("3201", PASSWORD).await;
    let path = "/api/v1/agents/me/follow-me";

    let shown = app.get(path, &me).await;
    assert_eq!(shown.status, StatusCode::OK, "{:?}", shown.body);
    assert_eq!(
        shown.body,
        json!({"mode": "off", "delay_s": 15, "mobile": ""})
    );

    // No mobile on record: refused naming `mode`.
    let no_mobile = app
        .put(path, json!({"mode": "no_answer", "delay_s": 5}), &me)
        .await;
    assert_eq!(
        (no_mobile.status, no_mobile.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "mode"),
        "{:?}",
        no_mobile.body
    );
    // Turning it off needs no mobile.
    let off = app.put(path, json!({"mode": "off"}), &me).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);

    // The admin gives the agent a mobile and sets follow-me with the record.
    let staff_path = format!("/api/v1/staff/{}", agent.0);
    let role_ids: Vec<i64> = app.get(&staff_path, &admin).await.body["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    let record = json!({
        "employee_id": "3201", "name": "User 3201", "mobile": "13800138000",
        "extension": "2902", "follow_me_mode": "always", "role_ids": role_ids,
    });
    let updated = app.put(&staff_path, record.clone(), &admin).await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.body["follow_me_mode"], "always");
    assert_eq!(updated.body["follow_me_delay_s"], 15);
    let mut bad = record.clone();
    bad["follow_me_delay_s"] = json!(500);
    let refused = app.put(&staff_path, bad, &admin).await;
    assert_eq!(
        (refused.status, refused.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "follow_me_delay_s")
    );
    let mut bad = record.clone();
    bad["follow_me_mode"] = json!("sometimes");
    let refused = app.put(&staff_path, bad, &admin).await;
    assert_eq!(refused.field(), "follow_me_mode");
    let mut bad = record.clone();
    bad["mobile"] = json!("");
    let refused = app.put(&staff_path, bad, &admin).await;
    assert_eq!(
        refused.field(),
        "follow_me_mode",
        "no mobile, no follow-me: {:?}",
        refused.body
    );
    // A record without the follow-me fields leaves it as it is.
    let mut plain = record.clone();
    plain.as_object_mut().map(|o| o.remove("follow_me_mode"));
    let kept = app.put(&staff_path, plain, &admin).await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    assert_eq!(kept.body["follow_me_mode"], "always");

    // Now the agent sets their own.
    for (body, field) in [
        (json!({"mode": "sometimes", "delay_s": 5}), "mode"),
        (json!({"mode": "no_answer", "delay_s": 121}), "delay_s"),
        (json!({"mode": "no_answer", "delay_s": -1}), "delay_s"),
    ] {
        let refused = app.put(path, body.clone(), &me).await;
        assert_eq!(
            (refused.status, refused.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{body}"
        );
    }
    let set = app
        .put(path, json!({"mode": "no_answer", "delay_s": 1}), &me)
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        set.body,
        json!({"mode": "no_answer", "delay_s": 1, "mobile": "13800138000"})
    );
    let read = app.get(path, &me).await;
    assert_eq!(read.body, set.body);
    let seen = app.get(&staff_path, &admin).await;
    assert_eq!(
        (
            &seen.body["follow_me_mode"],
            &seen.body["follow_me_delay_s"]
        ),
        (&json!("no_answer"), &json!(1))
    );
    let target = app
        .store()
        .follow_me_for_extension("2902")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(target.delay_s, 1);

    let audit = app
        .get("/api/v1/audit?action=staff.follow_me", &admin)
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{:?}", audit.body);
    assert_eq!(audit.body["total"], 2, "off, then no_answer");

    // Without agent.work there is no own follow-me.
    app.user_with("3202", &[], DataScope::Own, None).await;
    let plain_user = app.login("3202", PASSWORD).await;
    let forbidden = app.get(path, &plain_user).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn follow_me_sqlite() {
    follow_me_is_set_checked_and_audited(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn follow_me_postgres() {
    if let Some(app) = TestApp::postgres().await {
        follow_me_is_set_checked_and_audited(app).await;
    }
}
