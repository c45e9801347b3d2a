//! Webhooks end to end over loopback: the routes (422s naming the field,
//! the secret shown once, audit), and the dispatcher POSTing real events to
//! a receiver in the test that checks every signature, answers 500 then
//! 200 to prove the retry, and sees rows written before a restart.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{Auth, TestApp};
use sb_api::webhooks::{DeliveryConfig, RetrySchedule, sign};
use sb_core::cti::{AgentSubject, CtiEvent, QueueSubject};
use sb_core::{DataScope, Permission};
use sb_store::testing::t0;
use sb_store::{AuditFilter, NewWebhookDelivery, PageRequest};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// One request as the receiver saw it.
#[derive(Debug)]
struct Received {
    event: String,
    delivery: String,
    signature: String,
    body: String,
}

#[derive(Clone)]
struct Receiver {
    /// Statuses to answer in turn; 200 once spent.
    answers: Arc<Mutex<VecDeque<u16>>>,
    seen: mpsc::UnboundedSender<Received>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let _ = receiver.seen.send(Received {
        event: header("x-switchboard-event"),
        delivery: header("x-switchboard-delivery"),
        signature: header("x-switchboard-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = receiver
        .answers
        .lock()
        .expect("answers")
        .pop_front()
        .unwrap_or(200);
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

/// A loopback receiver answering `answers` in turn: its URL and what it saw.
async fn receiver(answers: &[u16]) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (seen, rx) = mpsc::unbounded_channel();
    let state = Receiver {
        answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
        seen,
    };
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a request within 10 s")
        .expect("receiver open")
}

/// Holds `received` to the signature scheme with `secret`.
fn assert_signed(received: &Received, secret: &str) {
    let t: i64 = received
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("signature header {:?}", received.signature));
    assert_eq!(
        received.signature,
        sign(secret, t, received.body.as_bytes())
    );
    assert_eq!(t, t0().unix_timestamp(), "signed at the server's clock");
}

/// Retries at once, so the test does not wait the real schedule.
fn quick(retries: usize) -> DeliveryConfig {
    DeliveryConfig {
        schedule: RetrySchedule::new(vec![Duration::ZERO; retries]),
        timeout: Duration::from_secs(5),
        max_in_flight: 4,
        poll_every: Duration::from_millis(50),
        ..DeliveryConfig::default()
    }
}

/// Polls the log until `done` holds for the newest page (or 10 s pass).
async fn wait_for_log(app: &TestApp, auth: &Auth, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let log = app
            .get(&format!("/api/v1/webhooks/{id}/deliveries"), auth)
            .await;
        assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
        if done(&log.body) {
            return log.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery log never settled");
}

fn agent_ready(id: &str) -> CtiEvent {
    CtiEvent::AgentState {
        agent: AgentSubject {
            employee_id: id.into(),
            state: "ready".into(),
            reason: None,
            extension: Some("1001".into()),
            wrap_up_until_ms: None,
        },
    }
}

async fn webhooks_are_managed_with_a_secret_shown_once(app: TestApp) {
    let admin = app.admin().await;
    let url = "http://crm.example:8080/hooks";
    for (body, field) in [
        (
            json!({"name": "crm", "url": "https://crm.example/hooks"}),
            "url",
        ),
        (
            json!({"name": "crm", "url": "ftp://crm.example/hooks"}),
            "url",
        ),
        (json!({"name": "crm", "url": "http:///hooks"}), "url"),
        (json!({"name": "", "url": url}), "name"),
        (
            json!({"name": "crm", "url": url, "event_types": ["call.answered", "call.exploded"]}),
            "event_types[1]",
        ),
        (
            json!({"name": "crm", "url": url, "secret": "mine"}),
            "secret",
        ),
    ] {
        let reply = app.post("/api/v1/webhooks", body.clone(), &admin).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            reply.body
        );
        assert_eq!(reply.field(), field, "{body}");
    }

    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": url, "event_types": ["call.answered", "call.answered", "agent.state"]}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    let hook = &created.body["webhook"];
    let id = hook["id"].as_i64().expect("id");
    assert_eq!(hook["event_types"], json!(["call.answered", "agent.state"]));
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["secret_hint"], format!("{}…", &secret[..10]));

    let dup = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": url}),
            &admin,
        )
        .await;
    assert_eq!(
        (dup.status, dup.field()),
        (StatusCode::CONFLICT, "name"),
        "{:?}",
        dup.body
    );

    let listed = app.get("/api/v1/webhooks", &admin).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is masked"
    );
    let one = app.get(&format!("/api/v1/webhooks/{id}"), &admin).await;
    assert!(one.body.get("secret").is_none());

    let updated = app
        .put(
            &format!("/api/v1/webhooks/{id}"),
            json!({"name": "crm2", "url": url, "enabled": false}),
            &admin,
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(
        (
            updated.body["enabled"].clone(),
            updated.body["event_types"].clone()
        ),
        (json!(false), json!([]))
    );
    let bad = app
        .put(
            &format!("/api/v1/webhooks/{id}"),
            json!({"name": "crm2", "url": "https://x/"}),
            &admin,
        )
        .await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "url")
    );

    let rotated = app
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            json!({}),
            &admin,
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().expect("secret");
    assert_ne!(new_secret, secret);
    assert_eq!(
        app.store().webhook(id).await.expect("hook").secret,
        new_secret
    );

    let bad_state = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?state=lost"),
            &admin,
        )
        .await;
    assert_eq!(
        (bad_state.status, bad_state.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "state")
    );
    let missing = app.get("/api/v1/webhooks/999/deliveries", &admin).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Permission: an agent cannot see webhooks; a holder of webhook.manage can.
    app.user_with("8101", &[Permission::AgentWork], DataScope::Own, None)
        .await;
    let agent = app.login("8101", common::PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/webhooks", &agent).await.status,
        StatusCode::FORBIDDEN
    );
    let integrator = app
        .user_with("8102", &[Permission::WebhookManage], DataScope::Own, None)
        .await;
    let token = app.token_for(integrator).await;
    assert_eq!(
        app.get("/api/v1/webhooks", &token).await.status,
        StatusCode::OK
    );

    let deleted = app.delete(&format!("/api/v1/webhooks/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/webhooks/{id}"), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let audit = app
        .store()
        .search_audit(
            &AuditFilter {
                entity: Some("webhook".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "webhook.delete",
            "webhook.rotate_secret",
            "webhook.update",
            "webhook.create"
        ]
    );
    assert!(
        !serde_json::to_string(&audit.items)
            .expect("json")
            .contains(&secret),
        "no secret in the audit log"
    );
    app.finish().await;
}
both_apps!(managed, webhooks_are_managed_with_a_secret_shown_once);

async fn events_are_signed_retried_and_logged(app: TestApp) {
    let admin = app.admin().await;
    let (url, mut seen) = receiver(&[500]).await;
    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": url, "event_types": ["agent.state"]}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["webhook"]["id"].as_i64().expect("id");
    let secret = created.body["secret"].as_str().expect("secret").to_owned();

    // A row written before a restart, still pending: picked up at start.
    let left_over = app
        .store()
        .insert_webhook_deliveries(
            t0(),
            &[NewWebhookDelivery {
                webhook_id: id,
                event_seq: 99,
                event_type: "agent.state".into(),
                payload: r#"{"seq":99,"type":"agent.state"}"#.into(),
                next_attempt_at: t0(),
            }],
        )
        .await
        .expect("left over")[0];
    let dispatcher = sb_api::webhooks::spawn(app.state.clone(), quick(2));
    let first = next(&mut seen).await;
    assert_eq!(first.delivery, left_over.to_string());
    assert_signed(&first, &secret);
    // The receiver answered 500: the same delivery comes again.
    let again = next(&mut seen).await;
    assert_eq!(
        (again.delivery.as_str(), again.body.as_str()),
        (first.delivery.as_str(), first.body.as_str())
    );
    assert_signed(&again, &secret);

    app.state.events().publish(CtiEvent::QueueChanged {
        queue: QueueSubject {
            name: "sales".into(),
            waiting: 1,
            longest_wait_ms: 0,
            agents_logged_in: 1,
            agents_ready: 1,
            offered: 1,
            answered: 0,
            abandoned: 0,
            service_level_percent: None,
        },
    });
    app.state.events().publish(agent_ready("1001"));
    let event = next(&mut seen).await;
    assert_eq!(
        event.event, "agent.state",
        "queue.changed is not subscribed"
    );
    assert_signed(&event, &secret);
    let body: Value = serde_json::from_str(&event.body).expect("json body");
    assert_eq!(
        (body["type"].as_str(), body["seq"].as_i64()),
        (Some("agent.state"), Some(2))
    );
    assert_eq!(body["agent"]["employee_id"], "1001");

    let log = wait_for_log(&app, &admin, id, |log| {
        log["items"].as_array().is_some_and(|items| {
            items.len() == 2 && items.iter().all(|d| d["state"] == "delivered")
        })
    })
    .await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(items[0]["id"].to_string(), event.delivery);
    assert_eq!(
        (
            items[0]["attempts"].as_i64(),
            items[0]["last_status"].as_i64()
        ),
        (Some(1), Some(200))
    );
    assert_eq!(items[0]["event_seq"], 2);
    assert_eq!(items[1]["id"].as_i64(), Some(left_over));
    assert_eq!(items[1]["attempts"], 2, "500 then 200");
    let delivered = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?state=pending"),
            &admin,
        )
        .await;
    assert_eq!(delivered.body["total"], 0);
    dispatcher.abort();
    app.finish().await;
}
both_apps!(delivered, events_are_signed_retried_and_logged);

async fn failures_give_up_and_can_be_retried_by_hand(app: TestApp) {
    let admin = app.admin().await;
    let (url, mut seen) = receiver(&[503, 503]).await;
    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": url}),
            &admin,
        )
        .await;
    let id = created.body["webhook"]["id"].as_i64().expect("id");
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    let dispatcher = sb_api::webhooks::spawn(app.state.clone(), quick(1));
    app.state.events().publish(agent_ready("1002"));
    next(&mut seen).await;
    next(&mut seen).await;
    let log = wait_for_log(&app, &admin, id, |log| log["items"][0]["state"] == "failed").await;
    let failed = &log["items"][0];
    assert_eq!(
        (failed["attempts"].as_i64(), failed["last_status"].as_i64()),
        (Some(2), Some(503))
    );
    assert_eq!(failed["last_error"], "the receiver answered HTTP 503");
    let delivery = failed["id"].as_i64().expect("id");

    let retried = app
        .post(
            &format!("/api/v1/webhook-deliveries/{delivery}/retry"),
            json!({}),
            &admin,
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{:?}", retried.body);
    assert_eq!(retried.body["state"], "pending");
    let third = next(&mut seen).await;
    assert_eq!(third.delivery, delivery.to_string());
    assert_signed(&third, &secret);
    wait_for_log(&app, &admin, id, |log| {
        log["items"][0]["state"] == "delivered"
    })
    .await;
    assert_eq!(
        app.post("/api/v1/webhook-deliveries/424242/retry", json!({}), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The test ping: sent now, answered with the receiver's status, logged.
    let ping = app
        .post(&format!("/api/v1/webhooks/{id}/test"), json!({}), &admin)
        .await;
    assert_eq!(ping.status, StatusCode::OK, "{:?}", ping.body);
    assert_eq!(
        (ping.body["delivered"].clone(), ping.body["status"].clone()),
        (json!(true), json!(200))
    );
    let received = next(&mut seen).await;
    assert_eq!(received.event, "ping");
    assert_eq!(received.delivery, ping.body["delivery"]["id"].to_string());
    assert_signed(&received, &secret);
    let pings = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?state=delivered"),
            &admin,
        )
        .await;
    assert_eq!(pings.body["items"][0]["event_type"], "ping");
    dispatcher.abort();

    // A dead receiver: the ping says why, at once.
    let dead = app
        .put(
            &format!("/api/v1/webhooks/{id}"),
            json!({"name": "crm", "url": "http://127.0.0.1:9/hook"}),
            &admin,
        )
        .await;
    assert_eq!(dead.status, StatusCode::OK);
    let ping = app
        .post(&format!("/api/v1/webhooks/{id}/test"), json!({}), &admin)
        .await;
    assert_eq!(
        (ping.body["delivered"].clone(), ping.body["status"].clone()),
        (json!(false), Value::Null)
    );
    assert_eq!(ping.body["delivery"]["state"], "failed");
    assert!(!ping.body["error"].as_str().unwrap_or("").is_empty());
    app.finish().await;
}
both_apps!(retried, failures_give_up_and_can_be_retried_by_hand);

/// A receiver that takes every request and never answers: how many came.
async fn hanging_receiver() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let arrived = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = arrived.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::future::pending::<StatusCode>().await
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), arrived)
}

async fn a_hanging_receiver_gets_n_requests_at_a_time_and_times_out(app: TestApp) {
    let admin = app.admin().await;
    let (url, arrived) = hanging_receiver().await;
    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "slow", "url": url}),
            &admin,
        )
        .await;
    let id = created.body["webhook"]["id"].as_i64().expect("id");
    let config = DeliveryConfig {
        schedule: RetrySchedule::new(Vec::new()),
        timeout: Duration::from_millis(500),
        max_in_flight: 2,
        poll_every: Duration::from_millis(20),
        ..DeliveryConfig::default()
    };
    let dispatcher = sb_api::webhooks::spawn(app.state.clone(), config);
    let started = std::time::Instant::now();
    for n in 0..8 {
        app.state.events().publish(agent_ready(&n.to_string()));
    }
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "publishing never waits for receivers"
    );
    let count = || arrived.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..100 {
        if count() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count(), 2, "two in flight, the rest wait");
    // Every event has its row at once, whatever the receiver does.
    let log = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body["total"], 8);
    let log = wait_for_log(&app, &admin, id, |log| {
        log["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|d| d["state"] == "failed"))
    })
    .await;
    assert_eq!(log["items"][0]["last_error"], "no answer within 500 ms");
    assert_eq!(count(), 8);
    dispatcher.abort();
    app.finish().await;
}
both_apps!(
    slow,
    a_hanging_receiver_gets_n_requests_at_a_time_and_times_out
);

async fn a_hanging_receiver_keeps_to_its_share(app: TestApp) {
    let admin = app.admin().await;
    let (stuck_url, stuck) = hanging_receiver().await;
    app.post(
        "/api/v1/webhooks",
        json!({"name": "stuck", "url": stuck_url}),
        &admin,
    )
    .await;
    let config = DeliveryConfig {
        schedule: RetrySchedule::new(Vec::new()),
        timeout: Duration::from_secs(5),
        max_in_flight: 4,
        max_in_flight_per_webhook: 2,
        poll_every: Duration::from_millis(20),
        ..DeliveryConfig::default()
    };
    let dispatcher = sb_api::webhooks::spawn(app.state.clone(), config);
    // A backlog for the hanging receiver first...
    for n in 0..6 {
        app.state.events().publish(agent_ready(&n.to_string()));
    }
    let stuck_count = || stuck.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..100 {
        if stuck_count() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // ...then a healthy receiver's events go at once, not after its timeouts.
    let (healthy_url, mut seen) = receiver(&[]).await;
    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "healthy", "url": healthy_url}),
            &admin,
        )
        .await;
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    for n in 10..13 {
        app.state.events().publish(agent_ready(&n.to_string()));
    }
    for _ in 0..3 {
        let received = tokio::time::timeout(Duration::from_secs(2), seen.recv())
            .await
            .expect("the healthy receiver is not held up by the hanging one")
            .expect("open");
        assert_signed(&received, &secret);
    }
    assert_eq!(
        stuck_count(),
        2,
        "the hanging receiver holds two slots, no more"
    );
    dispatcher.abort();
    app.finish().await;
}
both_apps!(fair, a_hanging_receiver_keeps_to_its_share);

/// The bus never waits for the dispatcher: events published faster than
/// it takes them are missed (and logged as such), the rest delivered.
#[tokio::test]
async fn a_lagging_intake_misses_events_without_blocking_the_bus() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "dead", "url": "http://127.0.0.1:9/hook"}),
            &admin,
        )
        .await;
    let id = created.body["webhook"]["id"].as_i64().expect("id");
    let dispatcher = sb_api::webhooks::spawn(app.state.clone(), quick(0));
    // One test thread: the intake cannot run until this loop yields, so
    // the bus's 8,192-event buffer overflows.
    let published = 8192 + 100;
    for n in 0..published {
        app.state.events().publish(agent_ready(&n.to_string()));
    }
    let mut total = 0;
    for _ in 0..600 {
        let page = app
            .store()
            .webhook_deliveries(id, None, PageRequest::new(1, 1))
            .await
            .expect("log");
        total = page.total;
        if total == 8192 {
            assert_eq!(
                page.items[0].event_seq, published,
                "the newest event is kept"
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(total, 8192, "the 100 oldest were missed, the rest queued");
    dispatcher.abort();
    app.finish().await;
}
