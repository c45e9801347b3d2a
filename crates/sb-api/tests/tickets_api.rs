//! Tickets over HTTP on both backends: fields named on bad input, each
//! route's permission, the 409 of an illegal step naming the state, a
//! claim race, data scope, attachments, export, and the SLA sweep's
//! notifications on the test's clock.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_api::Clock;
use sb_core::{DataScope, Permission, StaffId};
use sb_desk::tickets::TicketDesk;
use serde_json::{Value, json};
use time::Duration;

struct People {
    taker: Auth,
    li: Auth,
    li_id: StaffId,
    han: Auth,
    outsider: Auth,
    closer: Auth,
    inbound: i64,
}

async fn people(app: &TestApp) -> People {
    let inbound = app.department_id("001-01-01").await;
    let outbound = app.department_id("001-01-02").await;
    let work = [
        Permission::TicketRead,
        Permission::TicketWork,
        Permission::TicketCreate,
    ];
    app.user_with(
        "taker",
        &[
            Permission::TicketRead,
            Permission::TicketCreate,
            Permission::TicketDispatch,
        ],
        DataScope::All,
        Some(inbound),
    )
    .await;
    let li_id = app
        .user_with("li", &work, DataScope::Department, Some(inbound))
        .await;
    app.user_with("han", &work, DataScope::Department, Some(inbound))
        .await;
    app.user_with("out", &work, DataScope::Department, Some(outbound))
        .await;
    app.user_with(
        "closer",
        &[Permission::TicketRead, Permission::TicketClose],
        DataScope::All,
        Some(inbound),
    )
    .await;
    People {
        taker: app.login("taker", PASSWORD).await,
        li: app.login("li", PASSWORD).await,
        li_id,
        han: app.login("han", PASSWORD).await,
        outsider: app.login("out", PASSWORD).await,
        closer: app.login("closer", PASSWORD).await,
        inbound,
    }
}

fn ticket_body(department: i64) -> Value {
    json!({
        "channel": "phone",
        "type_code": "repair",
        "subtype_code": "repair_onsite",
        "priority": "high",
        "subject": "Boiler is cold",
        "content": "since this morning",
        "department_id": department,
    })
}

async fn open(app: &TestApp, p: &People) -> i64 {
    let r = app
        .post("/api/v1/tickets", ticket_body(p.inbound), &p.taker)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().expect("id")
}

async fn bad_input_names_the_field(app: TestApp) {
    let p = people(&app).await;
    let cases = [
        (json!({"channel": "pigeon"}), "channel"),
        (json!({"type_code": "nonsense"}), "type_code"),
        (json!({"subtype_code": "complaint_service"}), "subtype_code"),
        (json!({"subject": ""}), "subject"),
        (json!({"department_id": 999999}), "department_id"),
        (json!({"customer_id": 999999}), "customer_id"),
        (
            json!({"custom_fields": {"plate": "X"}}),
            "custom_fields.plate",
        ),
    ];
    for (patch, field) in cases {
        let mut body = ticket_body(p.inbound);
        for (k, v) in patch.as_object().expect("patch") {
            body[k] = v.clone();
        }
        let r = app.post("/api/v1/tickets", body, &p.taker).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            r.body
        );
        assert_eq!(r.field(), field, "{:?}", r.body);
    }
    // Giving a ticket to someone needs ticket.dispatch.
    let mut body = ticket_body(p.inbound);
    body["assignee_id"] = json!(p.li_id.0);
    let r = app.post("/api/v1/tickets", body, &p.li).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.field(), "assignee_id");
    // A required admin-defined field.
    let admin = app.admin().await;
    let f = app
        .post(
            "/api/v1/ticket-fields",
            json!({"field_key": "plate", "label": "Plate", "kind": "text", "required": true}),
            &admin,
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
    let r = app
        .post("/api/v1/tickets", ticket_body(p.inbound), &p.taker)
        .await;
    assert_eq!(r.field(), "custom_fields.plate");
    let mut body = ticket_body(p.inbound);
    body["custom_fields"] = json!({"plate": "粤B12345"});
    let r = app.post("/api/v1/tickets", body, &p.taker).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["custom_fields"]["plate"], "粤B12345");
    // A choice field offers its dictionary list's items in the form options.
    let f = app
        .post(
            "/api/v1/ticket-fields",
            json!({"field_key": "contact_by", "label": "Contact by", "kind": "choice",
                   "dictionary_type": "ticket_channel"}),
            &admin,
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
    let options = app.get("/api/v1/tickets/options", &p.li).await;
    let choices = options.body["field_choices"]["ticket_channel"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        choices.iter().any(|c| c["code"] == "phone"),
        "{:?}",
        options.body
    );
    let wrong = app
        .post(
            &format!("/api/v1/tickets/{}/work", r.body["id"]),
            json!({"action": "fly"}),
            &p.li,
        )
        .await;
    assert_eq!(wrong.field(), "action");
    app.finish().await;
}
both_apps!(bad_input, bad_input_names_the_field);

async fn claim_resolve_close_with_409s(app: TestApp) {
    let p = people(&app).await;
    let id = open(&app, &p).await;
    let work = |action: &str| json!({ "action": action });
    let path = format!("/api/v1/tickets/{id}/work");

    // Resolving a queued ticket is refused, naming the state.
    let r = app.post(&path, work("resolve"), &p.li).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "illegal_transition");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("queued")
    );

    // Two claims at once: exactly one wins.
    let (a, b) = tokio::join!(
        app.post(&path, work("claim"), &p.li),
        app.post(&path, work("claim"), &p.han)
    );
    let (won, lost) = if a.status == StatusCode::OK {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(won.status, StatusCode::OK, "{:?}", won.body);
    assert_eq!(lost.status, StatusCode::CONFLICT, "{:?}", lost.body);
    let winner_name = won.body["ticket"]["assignee_name"]
        .as_str()
        .expect("assignee")
        .to_owned();
    assert_eq!(
        lost.body["error"]["message"],
        format!("claim: ticket is assigned to {winner_name}, not queued")
    );
    let winner = if winner_name.ends_with("li") {
        &p.li
    } else {
        &p.han
    };
    let loser = if winner_name.ends_with("li") {
        &p.han
    } else {
        &p.li
    };
    assert_eq!(
        won.body["actions"],
        json!(["release", "start", "resolve", "note"])
    );

    let r = app.post(&path, work("start"), loser).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "only the assignee works it");
    assert_eq!(
        app.post(&path, work("start"), winner).await.status,
        StatusCode::OK
    );
    let r = app.post(&path, work("resolve"), winner).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["ticket"]["state"], "resolved");
    let r = app
        .post(
            &path,
            json!({"action": "follow_up", "satisfaction": 9}),
            winner,
        )
        .await;
    assert_eq!(r.field(), "satisfaction");
    let r = app
        .post(
            &path,
            json!({"action": "follow_up", "satisfaction": 4, "feedback": "ok"}),
            winner,
        )
        .await;
    assert_eq!(r.body["ticket"]["state"], "follow_up");

    // Closing needs ticket.close.
    let close = format!("/api/v1/tickets/{id}/close");
    assert_eq!(
        app.post(&close, json!({}), winner).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.post(&close, json!({"note": "done"}), &p.closer).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["ticket"]["state"], "closed");
    assert_eq!(r.body["actions"], json!([]));
    let r = app.post(&close, json!({}), &p.closer).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.body["error"]["message"],
        "close: ticket is closed, not resolved"
    );

    let steps: Vec<String> = r.body["error"]
        .as_object()
        .map(|_| Vec::new())
        .unwrap_or_default();
    assert!(steps.is_empty());
    let detail = app.get(&format!("/api/v1/tickets/{id}"), &p.closer).await;
    let steps: Vec<&str> = detail.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["create", "claim", "start", "resolve", "follow_up", "close"]
    );
    app.finish().await;
}
both_apps!(workflow, claim_resolve_close_with_409s);

async fn scope_and_views(app: TestApp) {
    let p = people(&app).await;
    let id = open(&app, &p).await;
    // Outbound's agent neither sees nor claims Inbound's ticket.
    let r = app.get(&format!("/api/v1/tickets/{id}"), &p.outsider).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/work"),
            json!({"action": "claim"}),
            &p.outsider,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/tickets", &p.outsider).await.body["total"],
        0
    );
    // Inbound's queue shows it to Li; "mine" is empty until he claims.
    let queue = app.get("/api/v1/tickets?view=queue", &p.li).await;
    assert_eq!(queue.body["total"], 1);
    assert_eq!(
        app.get("/api/v1/tickets?view=mine", &p.li).await.body["total"],
        0
    );
    app.post(
        &format!("/api/v1/tickets/{id}/work"),
        json!({"action": "claim"}),
        &p.li,
    )
    .await;
    assert_eq!(
        app.get("/api/v1/tickets?view=mine", &p.li).await.body["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/tickets?view=queue", &p.li).await.body["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/tickets?view=created", &p.taker).await.body["total"],
        1
    );
    let r = app.get("/api/v1/tickets?view=everything", &p.li).await;
    assert_eq!(r.field(), "view");
    let r = app.get("/api/v1/tickets?state=open", &p.li).await;
    assert_eq!(r.field(), "state");
    // Hand-over to Outbound needs a note, then Outbound sees it.
    let dispatch = format!("/api/v1/tickets/{id}/dispatch");
    let outbound = app.department_id("001-01-02").await;
    let r = app
        .post(
            &dispatch,
            json!({"action": "hand_over", "department_id": outbound}),
            &p.taker,
        )
        .await;
    assert_eq!(r.field(), "note");
    let r = app
        .post(
            &dispatch,
            json!({"action": "hand_over", "department_id": outbound, "note": "a sales matter"}),
            &p.taker,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{id}"), &p.outsider)
            .await
            .status,
        StatusCode::OK
    );
    // Statistics see it too.
    let ranking = app
        .get(
            "/api/v1/tickets/stats/types?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
            &p.taker,
        )
        .await;
    assert_eq!(ranking.body[0]["type_code"], "repair");
    assert_eq!(ranking.body[0]["subtype_code"], "repair_onsite");
    assert_eq!(ranking.body[0]["count"], 1);
    let backlog = app.get("/api/v1/tickets/stats/backlog", &p.taker).await;
    assert_eq!(backlog.body[0]["department_id"], outbound);
    assert_eq!(backlog.body[0]["open"], 1);
    app.finish().await;
}
both_apps!(scope, scope_and_views);

async fn attachments_and_export(app: TestApp) {
    let p = people(&app).await;
    let id = open(&app, &p).await;
    let up = app
        .send_bytes(
            Method::POST,
            &format!("/api/v1/tickets/{id}/attachments?file_name=%E7%85%A7%E7%89%87.jpg"),
            b"\xff\xd8\xff fake jpeg".to_vec(),
            &[("content-type", "image/jpeg")],
            &p.taker,
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.json());
    let attachment = up.json()["id"].as_i64().expect("id");
    let down = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/ticket-attachments/{attachment}"),
            vec![],
            &[],
            &p.li,
        )
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(down.body, b"\xff\xd8\xff fake jpeg");
    assert_eq!(down.header("content-type"), "image/jpeg");
    assert!(
        down.header("content-disposition")
            .contains("UTF-8''%E7%85%A7")
    );
    let denied = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/ticket-attachments/{attachment}"),
            vec![],
            &[],
            &p.outsider,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let big = app
        .send_bytes(
            Method::POST,
            &format!("/api/v1/tickets/{id}/attachments?file_name=big.bin"),
            vec![0; 10 * 1024 * 1024 + 1],
            &[("content-type", "application/octet-stream")],
            &p.taker,
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        big.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("10 MB")
    );

    let xlsx = app
        .send_bytes(
            Method::GET,
            "/api/v1/tickets/export?type_code=repair",
            vec![],
            &[],
            &p.taker,
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "an .xlsx is a zip");
    assert!(xlsx.header("content-disposition").contains(".xlsx"));
    app.finish().await;
}
both_apps!(files, attachments_and_export);

async fn the_sweep_notifies_on_the_test_clock(app: TestApp) {
    let p = people(&app).await;
    let admin = app.admin().await;
    let policy = app
        .post(
            "/api/v1/ticket-sla-policies",
            json!({"name": "fast", "calendar_name": "demo-always-open", "response_minutes": 30,
                   "resolve_minutes": 120, "reminder_minutes": 10}),
            &admin,
        )
        .await;
    assert_eq!(policy.status, StatusCode::CREATED, "{:?}", policy.body);
    let bad = app
        .post(
            "/api/v1/ticket-sla-policies",
            json!({"name": "x", "calendar_name": "nowhere", "response_minutes": 30, "resolve_minutes": 120}),
            &admin,
        )
        .await;
    assert_eq!(bad.field(), "calendar_name");
    let mut body = ticket_body(p.inbound);
    body["assignee_id"] = json!(p.li_id.0);
    let t = app.post("/api/v1/tickets", body, &p.taker).await;
    assert_eq!(t.status, StatusCode::CREATED);
    assert!(t.body["sla"]["response_due_at"].is_string());

    let desk = TicketDesk::new(app.store().clone());
    let sweep = || desk.sweep(app.clock.now());
    sweep().await.expect("sweep");
    assert_eq!(
        app.get("/api/v1/notifications", &p.li).await.body["unread"],
        0
    );
    app.clock.advance(Duration::minutes(21));
    sweep().await.expect("sweep");
    sweep().await.expect("sweep twice");
    let mine = app.get("/api/v1/notifications", &p.li).await;
    assert_eq!(mine.body["unread"], 1, "{:?}", mine.body);
    assert_eq!(mine.body["items"][0]["kind"], "sla_reminder");
    let overdue = app.get("/api/v1/tickets?view=overdue", &p.taker).await;
    assert_eq!(overdue.body["total"], 0);
    app.clock.advance(Duration::minutes(10));
    sweep().await.expect("sweep");
    assert_eq!(
        app.get("/api/v1/tickets?view=overdue", &p.taker).await.body["total"],
        1
    );
    let detail = app
        .get(&format!("/api/v1/tickets/{}", t.body["id"]), &p.li)
        .await;
    assert_eq!(detail.body["overdue"], true);
    // Someone else's notification is not found; one's own is marked read.
    let note = mine.body["items"][0]["id"].as_i64().expect("id");
    let r = app
        .post(
            &format!("/api/v1/notifications/{note}/read"),
            json!({}),
            &p.han,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("/api/v1/notifications/{note}/read"),
            json!({}),
            &p.li,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/notifications", &p.li).await.body["unread"],
        0
    );
    app.finish().await;
}
both_apps!(sweep, the_sweep_notifies_on_the_test_clock);
