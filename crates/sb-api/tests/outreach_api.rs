//! Callbacks and campaigns over HTTP on both backends: fields named on bad
//! input, each route's permission and data scope, attempts paced by the
//! desk with 409 naming the state once a task is closed, the customer's
//! timeline, a campaign's saved filter with its count preview, results,
//! rates, stages that refuse with 409, and the Excel exports.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, Reply, TestApp};
use sb_core::{DataScope, Permission, StaffId};
use serde_json::{Value, json};

struct People {
    boss: Auth,
    li: Auth,
    li_id: StaffId,
    han: Auth,
    han_id: StaffId,
    outsider: Auth,
    inbound: i64,
}

async fn people(app: &TestApp) -> People {
    let inbound = app.department_id("001-01-01").await;
    let outbound = app.department_id("001-01-02").await;
    app.user_with(
        "boss",
        &[
            Permission::CallbackManage,
            Permission::CallbackWork,
            Permission::CampaignRead,
            Permission::CampaignManage,
        ],
        DataScope::Department,
        Some(inbound),
    )
    .await;
    let work = [
        Permission::CallbackWork,
        Permission::CampaignRead,
        Permission::CampaignWork,
    ];
    let li_id = app
        .user_with("li", &work, DataScope::Department, Some(inbound))
        .await;
    let han_id = app
        .user_with("han", &work, DataScope::Department, Some(inbound))
        .await;
    app.user_with(
        "out",
        &[
            Permission::CallbackManage,
            Permission::CampaignRead,
            Permission::CampaignManage,
        ],
        DataScope::Department,
        Some(outbound),
    )
    .await;
    People {
        boss: app.login("boss", PASSWORD).await,
        li: app.login("li", PASSWORD).await,
        li_id,
        han: app.login("han", PASSWORD).await,
        han_id,
        outsider: app.login("out", PASSWORD).await,
        inbound,
    }
}

fn assert_field(reply: &Reply, status: StatusCode, field: &str) {
    assert_eq!(
        (reply.status, reply.field()),
        (status, field),
        "{:?}",
        reply.body
    );
}

fn assert_conflict(reply: &Reply, says: &str) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
    let message = reply.body["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains(says), "{message}");
}

async fn customer_id(app: &TestApp, name: &str) -> i64 {
    let admin = app.admin().await;
    let found = app
        .get(&format!("/api/v1/customers?q={}", urlencode(name)), &admin)
        .await;
    found.body["items"][0]["id"].as_i64().expect("customer")
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn id(reply: &Reply) -> i64 {
    reply.body["id"].as_i64().expect("id")
}

async fn xlsx(app: &TestApp, path: &str, auth: &Auth) {
    let reply = app.send_bytes(Method::GET, path, vec![], &[], auth).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.starts_with(b"PK"), "an .xlsx is a zip");
    assert!(reply.header("content-disposition").contains(".xlsx"));
}

async fn callbacks_over_http(app: TestApp) {
    let p = people(&app).await;
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x", "max_attempts": 0}), "max_attempts"),
        (json!({"name": "x", "retry_minutes": 0}), "retry_minutes"),
        (
            json!({"name": "x", "department_id": 999_999}),
            "department_id",
        ),
        (json!({"name": "x", "colour": "red"}), "colour"),
    ] {
        let r = app.post("/api/v1/callback-lists", body, &p.boss).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let r = app
        .post("/api/v1/callback-lists", json!({"name": "x"}), &p.li)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = app
        .post(
            "/api/v1/callback-lists",
            json!({"name": "After-sales visits", "max_attempts": 2}),
            &p.boss,
        )
        .await;
    assert_eq!(list.status, StatusCode::CREATED, "{:?}", list.body);
    assert_eq!(list.body["department_id"], p.inbound);
    let list_id = id(&list);
    let tasks_path = format!("/api/v1/callback-lists/{list_id}/tasks");
    let r = app
        .get(&format!("/api/v1/callback-lists/{list_id}"), &p.outsider)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another department's list");

    let li_na = customer_id(&app, "李娜").await;
    let good = || {
        json!([
            {"phone": "138 0013 8000", "assignee_id": p.li_id.0},
            {"name": "New person", "phone": "13912345678", "department_id": p.inbound},
            {"customer_id": li_na, "notes": "asked about the warranty"},
        ])
    };
    for (index, patch, field) in [
        (1, json!({"phone": "abc"}), "tasks[1].phone"),
        (2, json!({"customer_id": 999_999}), "tasks[2].customer_id"),
        (0, json!({"assignee_id": 999_999}), "tasks[0].assignee_id"),
        (1, json!({"phone": null}), "tasks[1].phone"),
    ] {
        let mut tasks = good();
        for (k, v) in patch.as_object().expect("patch") {
            tasks[index][k] = v.clone();
        }
        let r = app
            .post(&tasks_path, json!({"tasks": tasks}), &p.boss)
            .await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let r = app
        .post(
            &tasks_path,
            json!({"from_filter": {"lifecycle": "bogus"}}),
            &p.boss,
        )
        .await;
    assert_field(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "from_filter.lifecycle",
    );
    let added = app
        .post(&tasks_path, json!({"tasks": good()}), &p.boss)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    assert_eq!(added.body["added"], 3);
    let from_filter = app
        .post(
            &tasks_path,
            json!({"from_filter": {"level": "vip"}, "notes": "VIP care"}),
            &p.boss,
        )
        .await;
    assert_eq!(from_filter.body["added"], 1, "{:?}", from_filter.body);
    let all = app.get(&tasks_path, &p.boss).await;
    assert_eq!(all.body["total"], 4);
    let items = all.body["items"].as_array().expect("items").clone();
    let zhang_task = items[0]["id"].as_i64().expect("id");
    assert_eq!(items[0]["customer_name"], "张伟", "matched by the number");
    let shared_task = items[1]["id"].as_i64().expect("id");
    assert_eq!(items[2]["customer_name"], "李娜");
    assert_eq!(items[2]["phone"], "139-0013-9000");

    // Work lists: Li has his own and the department's shared task.
    let li_list = app.get("/api/v1/callback-tasks", &p.li).await;
    assert_eq!(li_list.body["total"], 2, "{:?}", li_list.body);
    let han_list = app.get("/api/v1/callback-tasks", &p.han).await;
    assert_eq!(han_list.body["total"], 1);
    let r = app.get("/api/v1/callback-tasks?state=lost", &p.li).await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "state");

    let attempts = format!("/api/v1/callback-tasks/{zhang_task}/attempts");
    for (body, field) in [
        (json!({"call_status": "ringing"}), "call_status"),
        (json!({"call_status": "busy", "success": true}), "success"),
        (
            json!({"call_status": "busy", "next_attempt_at": "2000-01-01T00:00:00Z"}),
            "next_attempt_at",
        ),
        (
            json!({"call_status": "busy", "next_attempt_at": "tomorrow"}),
            "next_attempt_at",
        ),
    ] {
        let r = app.post(&attempts, body, &p.li).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let r = app
        .post(&attempts, json!({"call_status": "busy"}), &p.han)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "Li's task, not Han's");
    let busy = app
        .post(&attempts, json!({"call_status": "busy"}), &p.li)
        .await;
    assert_eq!(busy.status, StatusCode::CREATED, "{:?}", busy.body);
    assert_eq!(busy.body["state"], "pending");
    assert_eq!(busy.body["attempts"], 1);
    let done = app
        .post(
            &attempts,
            json!({"call_status": "connected", "success": true, "issues": "wants a brochure"}),
            &p.li,
        )
        .await;
    assert_eq!(done.body["state"], "done", "{:?}", done.body);
    let again = app
        .post(&attempts, json!({"call_status": "busy"}), &p.li)
        .await;
    assert_conflict(&again, "callback task is done");
    let detail = app
        .get(&format!("/api/v1/callback-tasks/{zhang_task}"), &p.li)
        .await;
    assert_eq!(detail.body["attempts"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        detail.body["customer_history"][0]["issues"],
        "wants a brochure"
    );
    let zhang = customer_id(&app, "张伟").await;
    let timeline = app
        .get(
            &format!("/api/v1/customers/{zhang}/timeline"),
            &app.admin().await,
        )
        .await;
    assert!(
        timeline
            .body
            .as_array()
            .expect("timeline")
            .iter()
            .any(|e| e["kind"] == "callback"
                && e["summary"]
                    .as_str()
                    .unwrap_or("")
                    .contains("wants a brochure")),
        "{:?}",
        timeline.body
    );

    // Click-to-call hands the number over; a closed task is not dialled.
    let dial = app
        .post(
            &format!("/api/v1/callback-tasks/{shared_task}/dial"),
            json!({}),
            &p.han,
        )
        .await;
    assert_eq!(dial.status, StatusCode::ACCEPTED, "{:?}", dial.body);
    assert_eq!(dial.body["number"], "13912345678");
    let r = app
        .post(
            &format!("/api/v1/callback-tasks/{zhang_task}/dial"),
            json!({}),
            &p.li,
        )
        .await;
    assert_conflict(&r, "callback task is done");

    // Assignment: to Han; closed tasks stay; unknown people are named.
    let assign = format!("/api/v1/callback-lists/{list_id}/assign");
    let every: Vec<i64> = items.iter().filter_map(|t| t["id"].as_i64()).collect();
    let r = app
        .post(
            &assign,
            json!({"task_ids": every, "assignee_id": 999_999}),
            &p.boss,
        )
        .await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "assignee_id");
    let r = app.post(&assign, json!({"task_ids": []}), &p.boss).await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "task_ids");
    let r = app
        .post(
            &assign,
            json!({"task_ids": every, "assignee_id": p.han_id.0}),
            &p.boss,
        )
        .await;
    assert_eq!(r.body["changed"], 3, "{:?}", r.body);
    assert_eq!(
        app.get("/api/v1/callback-tasks", &p.han).await.body["total"],
        3
    );
    let progress = app
        .get(&format!("/api/v1/callback-lists/{list_id}"), &p.boss)
        .await;
    assert_eq!(progress.body["progress"]["done"], 1);
    assert_eq!(progress.body["progress"]["pending"], 3);

    let cancel = format!("/api/v1/callback-tasks/{shared_task}/cancel");
    let r = app.post(&cancel, json!({}), &p.li).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "needs callback.manage");
    let r = app.post(&cancel, json!({}), &p.boss).await;
    assert_eq!(r.body["state"], "cancelled", "{:?}", r.body);
    let r = app.post(&cancel, json!({}), &p.boss).await;
    assert_conflict(&r, "callback task is cancelled");

    xlsx(
        &app,
        &format!("/api/v1/callback-lists/{list_id}/export"),
        &p.boss,
    )
    .await;
    let r = app
        .delete(&format!("/api/v1/callback-lists/{list_id}"), &p.boss)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.finish().await;
}
both_apps!(callbacks, callbacks_over_http);

fn campaign_body() -> Value {
    json!({
        "theme": "Winter check-up",
        "held_on": "2026-12-12",
        "kind": "on_site",
        "location": "Store 1",
        "filter": {"city": "杭州市"},
    })
}

async fn campaigns_over_http(app: TestApp) {
    let p = people(&app).await;
    for (patch, field) in [
        (json!({"theme": ""}), "theme"),
        (json!({"held_on": "12/12/2026"}), "held_on"),
        (json!({"kind": "moon"}), "kind"),
        (
            json!({"filter": {"lifecycle": "bogus"}}),
            "filter.lifecycle",
        ),
        (json!({"filter": {"idle_days": 99_999}}), "filter.idle_days"),
        (json!({"department_id": 999_999}), "department_id"),
    ] {
        let mut body = campaign_body();
        for (k, v) in patch.as_object().expect("patch") {
            body[k] = v.clone();
        }
        let r = app.post("/api/v1/campaigns", body, &p.boss).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let r = app.post("/api/v1/campaigns", campaign_body(), &p.li).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let preview = app
        .post(
            "/api/v1/campaigns/preview",
            json!({"filter": {"city": "杭州市"}}),
            &p.boss,
        )
        .await;
    assert_eq!(preview.body["count"], 2, "{:?}", preview.body);
    let none = app
        .post(
            "/api/v1/campaigns/preview",
            json!({"filter": {"city": "杭州市"}}),
            &p.outsider,
        )
        .await;
    assert_eq!(none.body["count"], 0, "outside their customers");

    let created = app
        .post("/api/v1/campaigns", campaign_body(), &p.boss)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["state"], "planning");
    let cid = id(&created);
    let path = |tail: &str| format!("/api/v1/campaigns/{cid}{tail}");
    let r = app.get(&path(""), &p.outsider).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post(&path("/start"), json!({}), &p.boss).await;
    assert_conflict(&r, "no targets");
    let li_na = customer_id(&app, "李娜").await;
    let li_jianguo = customer_id(&app, "李建国").await;
    let zhang = customer_id(&app, "张伟").await;
    let results = path("/results");
    let result = |body: Value| app.put(&results, body, &p.li);
    let r = result(json!({"customer_id": li_na, "invited": true})).await;
    assert_conflict(&r, "campaign is planning");

    let picked = app.post(&path("/targets"), json!({}), &p.boss).await;
    assert_eq!(picked.body["counts"]["targets"], 2, "{:?}", picked.body);
    let started = app.post(&path("/start"), json!({}), &p.boss).await;
    assert_eq!(started.body["state"], "running", "{:?}", started.body);
    let r = app.post(&path("/targets"), json!({}), &p.boss).await;
    assert_conflict(&r, "pick targets: campaign is running");
    let mut changed = campaign_body();
    changed["filter"] = json!({"level": "vip"});
    let r = app.put(&path(""), changed, &p.boss).await;
    assert_conflict(&r, "campaign is running");

    let came = result(
        json!({"customer_id": li_na, "invited": true, "attended": true,
        "gift_taken": true, "satisfaction": 4}),
    )
    .await;
    assert_eq!(came.status, StatusCode::OK, "{:?}", came.body);
    assert_eq!(came.body["attended"], true);
    let declined = result(json!({"customer_id": li_jianguo, "invited": false,
        "refusal_reason": "out of town"}))
    .await;
    assert_eq!(declined.status, StatusCode::OK, "{:?}", declined.body);
    for (body, field) in [
        (
            json!({"customer_id": zhang, "invited": true}),
            "customer_id",
        ),
        (
            json!({"customer_id": li_na, "invited": false, "attended": true}),
            "attended",
        ),
        (
            json!({"customer_id": li_na, "invited": true, "attended": true, "satisfaction": 9}),
            "satisfaction",
        ),
        (json!({"customer_id": li_na, "happy": true}), "happy"),
    ] {
        let r = result(body).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let r = app
        .put(
            &path("/results"),
            json!({"customer_id": li_na, "invited": true}),
            &p.boss,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "needs campaign.work");

    let view = app.get(&path(""), &p.li).await;
    assert_eq!(
        view.body["rates"]["invitation_rate"], 0.5,
        "{:?}",
        view.body
    );
    assert_eq!(view.body["rates"]["attendance_rate"], 1.0);
    assert_eq!(view.body["rates"]["satisfaction_rate"], 1.0);
    assert_eq!(view.body["counts"]["refused"], 1);
    let refused = app.get(&path("/targets?outcome=refused"), &p.li).await;
    assert_eq!(refused.body["total"], 1);
    assert_eq!(refused.body["items"][0]["refusal_reason"], "out of town");
    let r = app.get(&path("/targets?outcome=maybe"), &p.li).await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "outcome");
    let timeline = app
        .get(
            &format!("/api/v1/customers/{li_na}/timeline"),
            &app.admin().await,
        )
        .await;
    assert!(
        timeline
            .body
            .as_array()
            .expect("timeline")
            .iter()
            .any(|e| e["kind"] == "campaign"),
        "{:?}",
        timeline.body
    );
    xlsx(&app, &path("/export"), &p.li).await;
    let list = app.get("/api/v1/campaigns", &p.li).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.get("/api/v1/campaigns", &p.outsider)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    let finished = app.post(&path("/finish"), json!({}), &p.boss).await;
    assert_eq!(finished.body["state"], "finished", "{:?}", finished.body);
    let r = result(json!({"customer_id": li_na, "invited": true})).await;
    assert_conflict(&r, "campaign is finished");
    let r = app.post(&path("/finish"), json!({}), &p.boss).await;
    assert_conflict(&r, "finish: campaign is finished");
    app.finish().await;
}
both_apps!(campaigns, campaigns_over_http);

async fn upload(
    app: &TestApp,
    list: i64,
    name: &str,
    text: &str,
    auth: &Auth,
) -> (StatusCode, Value) {
    let reply = app
        .send_bytes(
            Method::POST,
            &format!("/api/v1/callback-lists/{list}/import?file_name={name}"),
            text.as_bytes().to_vec(),
            &[("content-type", "application/octet-stream")],
            auth,
        )
        .await;
    let body = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, body)
}

async fn tasks_from_a_spreadsheet(app: TestApp) {
    let p = people(&app).await;
    let list = app
        .post(
            "/api/v1/callback-lists",
            json!({"name": "Imported"}),
            &p.boss,
        )
        .await;
    let list_id = id(&list);
    let (status, body) = upload(&app, list_id, "x.csv", "姓名,备注\n张三,hi\n", &p.boss).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
    assert_eq!(body["error"]["field"], "file", "no phone column");
    let (status, _) = upload(&app, list_id, "x.csv", "电话\n13800138000\n", &p.li).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "needs callback.manage");
    let csv = "姓名,手机号,回访人,备注,回访时间\n\
               ,138 0013 8000,li,保养到期,2026-12-01 10:00\n\
               新客户,13912345678,,,\n\
               坏号码,abc,,,\n\
               无此人,13700000001,nobody,,\n\
               错时间,13700000002,,,someday\n";
    let (status, job) = upload(&app, list_id, "tasks.csv", csv, &p.boss).await;
    assert_eq!(status, StatusCode::OK, "{job:?}");
    assert_eq!(job["status"], "done", "{job:?}");
    assert_eq!(
        (job["inserted"].as_i64(), job["failed"].as_i64()),
        (Some(2), Some(3))
    );
    let tasks = app
        .get(&format!("/api/v1/callback-lists/{list_id}/tasks"), &p.boss)
        .await;
    assert_eq!(tasks.body["total"], 2);
    let items = tasks.body["items"].as_array().expect("items");
    let first = items
        .iter()
        .find(|t| t["phone"] == "138 0013 8000")
        .expect("the task of 138 0013 8000");
    assert_eq!(first["customer_name"], "张伟", "matched by the number");
    assert_eq!(first["name"], "张伟");
    assert_eq!(first["assignee_id"], p.li_id.0);
    assert_eq!(first["due_at"], "2026-12-01T02:00:00Z", "China time");
    assert_eq!(first["notes"], "保养到期");
    let report = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/callback-imports/{}/errors?format=csv", job["id"]),
            Vec::new(),
            &[],
            &p.boss,
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&report.body);
    assert!(
        text.contains("abc") && text.contains("nobody") && text.contains("someday"),
        "{text}"
    );
    let r = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/callback-imports/{}/errors", job["id"]),
            Vec::new(),
            &[],
            &p.outsider,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another department's list");
    app.finish().await;
}
both_apps!(imports, tasks_from_a_spreadsheet);
