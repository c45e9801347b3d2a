//! The agent's and supervisor's call commands over the API: bodies are
//! checked by field (422) before the switch is asked, and without a
//! running switch there is no call to steer (404).

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

fn assert_field(reply: &common::Reply, field: &str) {
    assert_eq!(
        (reply.status, reply.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, field),
        "{:?}",
        reply.body
    );
}

async fn bodies_are_checked_by_field(app: TestApp) {
    let admin = app.admin().await;
    for path in ["/api/v1/calls/1/transfer", "/api/v1/calls/1/consult"] {
        let r = app.post(path, json!({}), &admin).await;
        assert_field(&r, "target");
        let r = app
            .post(
                path,
                json!({"target": {"kind": "planet", "value": "1"}}),
                &admin,
            )
            .await;
        assert_field(&r, "target.kind");
        let r = app
            .post(
                path,
                json!({"target": {"kind": "extension", "value": "12a"}}),
                &admin,
            )
            .await;
        assert_field(&r, "target.value");
        let r = app
            .post(
                path,
                json!({"target": {"kind": "number", "value": ""}}),
                &admin,
            )
            .await;
        assert_field(&r, "target.value");
        let r = app
            .post(
                path,
                json!({"target": {"kind": "agent", "value": "two words"}}),
                &admin,
            )
            .await;
        assert_field(&r, "target.value");
    }
    let r = app
        .post(
            "/api/v1/calls/1/consult",
            json!({"target": {"kind": "queue", "value": "sales"}}),
            &admin,
        )
        .await;
    assert_field(&r, "target.kind");
    let r = app
        .post(
            "/api/v1/calls/1/force-hangup",
            json!({"reason": " "}),
            &admin,
        )
        .await;
    assert_field(&r, "reason");
    let r = app
        .post(
            "/api/v1/calls/1/intercept",
            json!({"extension": "x"}),
            &admin,
        )
        .await;
    assert_field(&r, "extension");
    for bad in [
        json!({"extension": "12a"}),
        json!({"extension": ""}),
        json!({"phone": "1002"}),
    ] {
        let r = app
            .post("/api/v1/calls/1/pickup", bad.clone(), &admin)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            r.body
        );
    }
    let r = app
        .post("/api/v1/calls/1/pickup", json!({"extension": "x1"}), &admin)
        .await;
    assert_field(&r, "extension");
    // The administrator has no phone of their own to pick up with.
    let r = app.post("/api/v1/calls/1/pickup", json!({}), &admin).await;
    assert_field(&r, "extension");

    // Well-formed, but no switch runs in this test: no such call.
    for (path, body) in [
        ("/api/v1/calls/1/hangup", json!({})),
        (
            "/api/v1/calls/1/force-hangup",
            json!({"reason": "abusive caller"}),
        ),
        (
            "/api/v1/calls/1/transfer",
            json!({"target": {"kind": "queue", "value": "sales"}}),
        ),
        (
            "/api/v1/calls/1/consult",
            json!({"target": {"kind": "number", "value": "+8613800138000"}}),
        ),
        ("/api/v1/calls/1/consult/complete", json!({})),
        ("/api/v1/calls/1/consult/cancel", json!({})),
        ("/api/v1/calls/1/consult/conference", json!({})),
        ("/api/v1/calls/1/intercept", json!({"extension": "1002"})),
        ("/api/v1/calls/1/pickup", json!({"extension": "1002"})),
    ] {
        let r = app.post(path, body, &admin).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {:?}", r.body);
    }
    app.finish().await;
}
both_apps!(bodies, bodies_are_checked_by_field);
