//! Commands sent again with the same Idempotency-Key are answered from the
//! first run, never carried out twice (MISSION X4).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

async fn create_department(
    app: &TestApp,
    key: &str,
    number: &str,
    auth: &common::Auth,
) -> common::RawReply {
    let body = json!({"number": number, "name": "Night shift"}).to_string();
    app.send_bytes(
        Method::POST,
        "/api/v1/departments",
        body.into_bytes(),
        &[
            ("content-type", "application/json"),
            ("idempotency-key", key),
        ],
        auth,
    )
    .await
}

async fn departments_numbered(app: &TestApp, number: &str, auth: &common::Auth) -> usize {
    let list = app.get("/api/v1/departments", auth).await;
    list.body["items"]
        .as_array()
        .map(|items| items.iter().filter(|d| d["number"] == number).count())
        .unwrap_or_else(|| panic!("department list: {:?}", list.body))
}

async fn repeats_are_answered_from_the_first_run(app: TestApp) {
    let admin = app.admin().await;
    let first = create_department(&app, "key-1", "009", &admin).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = create_department(&app, "key-1", "009", &admin).await;
    assert_eq!(again.status, StatusCode::CREATED, "the first answer, again");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, first.body, "byte for byte");
    assert_eq!(departments_numbered(&app, "009", &admin).await, 1);

    let other_body = create_department(&app, "key-1", "010", &admin).await;
    assert_eq!(other_body.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = serde_json::from_slice(&other_body.body).expect("json");
    assert_eq!(error["error"]["field"], "Idempotency-Key");
    assert_eq!(departments_numbered(&app, "010", &admin).await, 0);

    // Keys belong to their sender: another session's key-1 is its own.
    let other_session = app.admin().await;
    let theirs = create_department(&app, "key-1", "011", &other_session).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert!(theirs.headers.get("idempotent-replayed").is_none());

    let bad_key = create_department(&app, "", "012", &admin).await;
    assert_eq!(bad_key.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.finish().await;
}

#[tokio::test]
async fn repeats_are_answered_from_the_first_run_sqlite() {
    repeats_are_answered_from_the_first_run(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn repeats_are_answered_from_the_first_run_postgres() {
    if let Some(app) = TestApp::postgres().await {
        repeats_are_answered_from_the_first_run(app).await;
    }
}
