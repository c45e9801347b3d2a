//! Call records and SIP bans over the API: filters, data scope, bad input
//! named by field, and the running switch told of bans.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use sb_store::testing::t0;
use sb_store::{Direction, Disposition, HangupSide, NewCdr};
use serde_json::json;
use time::Duration;

fn cdr(minute: i64, caller: &str, callee: &str, talk_seconds: i64) -> NewCdr {
    let started = t0() + Duration::minutes(minute);
    let external = callee.len() > 4;
    NewCdr {
        call_id: format!("c{minute}"),
        direction: if external {
            Direction::Outbound
        } else {
            Direction::Internal
        },
        caller: caller.into(),
        callee: callee.into(),
        caller_extension: Some(caller.into()),
        callee_extension: (!external).then(|| callee.to_owned()),
        trunk_id: external.then_some(1),
        trunk_name: if external {
            "demo-carrier".into()
        } else {
            String::new()
        },
        did: String::new(),
        started_at: started,
        answered_at: (talk_seconds > 0).then(|| started + Duration::seconds(3)),
        ended_at: started + Duration::seconds(3 + talk_seconds),
        ring_ms: 3000,
        talk_ms: talk_seconds * 1000,
        disposition: if talk_seconds > 0 {
            Disposition::Answered
        } else {
            Disposition::Busy
        },
        hangup_cause: if talk_seconds > 0 {
            "BYE".into()
        } else {
            "486 Busy Here".into()
        },
        hangup_side: HangupSide::Callee,
    }
}

async fn cdrs_filter_and_respect_the_data_scope(app: TestApp) {
    app.store()
        .insert_cdrs(&[
            cdr(1, "1002", "1003", 60),
            cdr(2, "1003", "1002", 0),
            cdr(3, "1001", "01058881234", 300),
            cdr(4, "1004", "1001", 5),
        ])
        .await
        .expect("cdrs");
    let admin = app.admin().await;
    let all = app.get("/api/v1/cdrs", &admin).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(all.body["total"], 4);
    assert_eq!(all.body["items"][0]["call_id"], "c4", "newest first");
    assert_eq!(all.body["items"][1]["answered_at"], "2026-11-24T09:03:03Z");
    let query = |q: &str| format!("/api/v1/cdrs?{q}");
    for (q, total) in [
        ("number=5888", 1),
        ("direction=outbound", 1),
        ("disposition=busy", 1),
        ("min_talk_seconds=30&max_talk_seconds=100", 1),
        ("from=2026-11-24T09:02:00Z&to=2026-11-24T09:04:00Z", 2),
        ("trunk_id=1", 1),
    ] {
        let r = app.get(&query(q), &admin).await;
        assert_eq!(r.body["total"], total, "{q}: {:?}", r.body);
    }
    for (q, field) in [
        ("direction=sideways", "direction"),
        ("disposition=lost", "disposition"),
        ("from=yesterday", "from"),
        ("min_talk_seconds=-1", "min_talk_seconds"),
        ("trunk_id=abc", "trunk_id"),
    ] {
        let r = app.get(&query(q), &admin).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::BAD_REQUEST, field),
            "{q}: {:?}",
            r.body
        );
    }
    let id = all.body["items"][0]["id"].as_i64().expect("id");
    assert_eq!(
        app.get(&format!("/api/v1/cdrs/{id}"), &admin).await.body["callee"],
        "1001"
    );
    assert_eq!(
        app.get("/api/v1/cdrs/999999", &admin).await.status,
        StatusCode::NOT_FOUND
    );

    // cdr.read for the inbound team (1002, 1003) only.
    let inbound = app.department_id("001-01-01").await;
    app.user_with(
        "lead",
        &[Permission::CdrRead],
        DataScope::Department,
        Some(inbound),
    )
    .await;
    let lead = app.login("lead", PASSWORD).await;
    let theirs = app.get("/api/v1/cdrs", &lead).await;
    let ids: Vec<&str> = theirs.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["call_id"].as_str())
        .collect();
    assert_eq!(ids, ["c2", "c1"], "{:?}", theirs.body);
    let outside = app.get(&format!("/api/v1/cdrs/{id}"), &lead).await;
    assert_eq!(
        (outside.status, outside.field()),
        (StatusCode::FORBIDDEN, "id")
    );
    let denied = app
        .get("/api/v1/audit?kind=denied&actor=lead", &admin)
        .await;
    assert_eq!(denied.body["total"], 1, "the refusal is audited");

    // Own scope: the calls of the user's own extension.
    let me = app
        .user_with("solo", &[Permission::CdrRead], DataScope::Own, None)
        .await;
    let staff = app.store().staff(me.0).await.expect("staff");
    let input = sb_store::StaffInput {
        employee_id: staff.employee_id,
        name: staff.name,
        department_id: None,
        work_group: String::new(),
        mobile: String::new(),
        email: String::new(),
        extension: Some("1005".into()),
        enabled: true,
        role_ids: staff.roles.iter().map(|r| r.id).collect(),
    };
    let actor = sb_store::Actor::system("test");
    app.store()
        .update_staff(t0(), &actor, me.0, input)
        .await
        .expect("extension");
    app.store()
        .insert_cdrs(&[cdr(5, "1005", "1001", 10)])
        .await
        .expect("cdr");
    let own = app.token_for(me).await;
    let mine = app.get("/api/v1/cdrs", &own).await;
    assert_eq!(mine.body["total"], 1, "{:?}", mine.body);
    assert_eq!(mine.body["items"][0]["call_id"], "c5");
    app.finish().await;
}
both_apps!(cdrs, cdrs_filter_and_respect_the_data_scope);

async fn bans_reach_the_switch_and_are_audited(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    for (bad, field) in [
        (
            json!({"address": "203.0.113.0/24", "duration_minutes": 60}),
            "address",
        ),
        (
            json!({"address": "0.0.0.0", "duration_minutes": 60}),
            "address",
        ),
        (
            json!({"address": "203.0.113.7", "duration_minutes": 0}),
            "duration_minutes",
        ),
        (json!({"address": "203.0.113.7"}), "duration_minutes"),
        (
            json!({"address": "203.0.113.7", "duration_minutes": 60, "reason": "x".repeat(201)}),
            "reason",
        ),
    ] {
        let r = app.post("/api/v1/sip-bans", bad, &admin).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{:?}",
            r.body
        );
    }
    let ban = app
        .post(
            "/api/v1/sip-bans",
            json!({"address": "203.0.113.7", "duration_minutes": 60, "reason": "toll fraud probe"}),
            &admin,
        )
        .await;
    assert_eq!(ban.status, StatusCode::CREATED, "{:?}", ban.body);
    assert_eq!(ban.body["expires_at"], "2026-11-24T10:00:00Z");
    let until = (t0() + Duration::hours(1)).unix_timestamp() * 1000;
    assert_eq!(
        switch.events(),
        [format!("banned 203.0.113.7 until {until}")]
    );
    let id = ban.body["id"].as_i64().expect("id");

    let active = app.get("/api/v1/sip-bans", &admin).await;
    assert_eq!(active.body["total"], 1);
    let lifted = app
        .post(&format!("/api/v1/sip-bans/{id}/lift"), json!({}), &admin)
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{:?}", lifted.body);
    assert_eq!(lifted.body["lifted_by"], "admin");
    assert_eq!(
        switch.events().last().map(String::as_str),
        Some("lifted 203.0.113.7")
    );
    let again = app
        .post(&format!("/api/v1/sip-bans/{id}/lift"), json!({}), &admin)
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "ban_not_active")
    );
    assert_eq!(
        app.post("/api/v1/sip-bans/999999/lift", json!({}), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/sip-bans", &admin).await.body["total"], 0);
    let history = app
        .get("/api/v1/sip-bans?include_expired=true", &admin)
        .await;
    assert_eq!(history.body["total"], 1);
    let bad = app
        .get("/api/v1/sip-bans?include_expired=maybe", &admin)
        .await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::BAD_REQUEST, "include_expired")
    );
    let audit = app.get("/api/v1/audit?entity=sip_ban", &admin).await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["sip_ban.lift", "sip_ban.create"]);
    app.finish().await;
}
both_apps!(sip_bans, bans_reach_the_switch_and_are_audited);
