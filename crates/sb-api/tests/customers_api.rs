//! Customers over the API: profiles checked field by field, numbers found
//! however they are written (screen pop's one / none / several), the
//! region of a number, assets, notes and calls on the timeline, custom
//! fields, and the data scope; on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Auth, TestApp};
use sb_core::{DataScope, Permission};
use sb_store::testing::t0;
use sb_store::{Direction, Disposition, HangupSide, NewCdr};
use serde_json::{Value, json};
use time::Duration;

fn assert_field(reply: &common::Reply, status: StatusCode, field: &str) {
    assert_eq!(
        (reply.status, reply.field()),
        (status, field),
        "{:?}",
        reply.body
    );
}

async fn create(app: &TestApp, auth: &Auth, body: Value) -> Value {
    let reply = app.post("/api/v1/customers", body, auth).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body
}

async fn profiles_are_checked_and_found_by_number(app: TestApp) {
    let admin = app.admin().await;
    let field = app
        .post(
            "/api/v1/customer-fields",
            json!({"key": "member_no", "label": "会员号", "kind": "text"}),
            &admin,
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{:?}", field.body);

    let zhang = create(
        &app,
        &admin,
        json!({
            "name": "张三",
            "phones": [{"number": "135 1234 5678"}, {"number": "(0571) 8888-8888", "label": "home"}],
            "emails": [{"email": "Zhang.San@Example.com"}],
            "id_card": "11010519491231002x",
            "level": "VIP",
            "custom_fields": {"member_no": "M-001"}
        }),
    )
    .await;
    assert_eq!(zhang["phones"][0]["e164"], "+8613512345678");
    assert_eq!(zhang["phones"][1]["e164"], "+8657188888888");
    assert_eq!(zhang["emails"][0]["email"], "zhang.san@example.com");
    assert_eq!(zhang["level"], "vip", "matched by label");
    assert_eq!(zhang["birth_date"], "1949-12-31", "from the ID card");
    assert_eq!(zhang["gender"], "female", "from the ID card");
    assert!(
        !zhang["province"].as_str().unwrap_or("").is_empty(),
        "region from the mobile"
    );
    assert_eq!(zhang["custom_fields"]["member_no"], "M-001");
    let zhang_id = zhang["id"].as_i64().expect("id");

    // Screen pop finds her however the caller's number is written.
    for written in ["+86 135-1234-5678", "0086 13512345678", "13512345678"] {
        let found = app
            .get(
                &format!("/api/v1/customers/lookup?number={}", urlencode(written)),
                &admin,
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
        assert_eq!(found.body["outcome"], "one", "{written}");
        assert_eq!(found.body["customers"][0]["id"], zhang_id);
    }
    let landline = app
        .get("/api/v1/customers/lookup?number=057188888888", &admin)
        .await;
    assert_eq!(landline.body["outcome"], "one");
    assert_eq!(landline.body["region"]["city"], "杭州市");

    // A shared family number gives several to choose from.
    create(
        &app,
        &admin,
        json!({"name": "张小三", "phones": [{"number": "0571-88888888"}]}),
    )
    .await;
    let shared = app
        .get("/api/v1/customers/lookup?number=%2B8657188888888", &admin)
        .await;
    assert_eq!(shared.body["outcome"], "several");
    assert_eq!(shared.body["customers"].as_array().map(Vec::len), Some(2));
    let nobody = app
        .get("/api/v1/customers/lookup?number=010-66666666", &admin)
        .await;
    assert_eq!(nobody.body["outcome"], "none");
    assert_eq!(nobody.body["region"]["province"], "北京市");
    let region = app
        .get("/api/v1/phone-region?number=020-87654321", &admin)
        .await;
    assert_eq!(region.body["city"], "广州市", "{:?}", region.body);

    // Bad input names the field.
    for (body, field) in [
        (json!({"name": "", "phones": []}), "name"),
        (
            json!({"name": "x", "phones": [{"number": "12ab"}]}),
            "phones[0].number",
        ),
        (
            json!({"name": "x", "phones": [{"number": "88888888"}]}),
            "phones[0].number",
        ),
        (
            json!({"name": "x", "id_card": "110105194912310021"}),
            "id_card",
        ),
        (json!({"name": "x", "level": "platinum"}), "level"),
        (
            json!({"name": "x", "birth_date": "1990-02-30"}),
            "birth_date",
        ),
        (
            json!({"name": "x", "custom_fields": {"shoe_size": 42}}),
            "custom_fields.shoe_size",
        ),
    ] {
        let reply = app.post("/api/v1/customers", body, &admin).await;
        assert_field(&reply, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let duplicate = app
        .post(
            "/api/v1/customers",
            json!({"name": "冒名", "id_card": "11010519491231002X"}),
            &admin,
        )
        .await;
    assert_field(&duplicate, StatusCode::CONFLICT, "id_card");
    let unknown = app
        .post(
            "/api/v1/customers",
            json!({"name": "x", "colour": 1}),
            &admin,
        )
        .await;
    assert!(unknown.status.is_client_error(), "{:?}", unknown.body);

    // Search: a name's beginning, any form of a number, an ID card, a level.
    let names = |reply: &common::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The demo's 张伟 starts with 张 too.
    let by_name = app.get("/api/v1/customers?q=%E5%BC%A0", &admin).await;
    let mut found = names(&by_name);
    found.sort();
    assert_eq!(found, ["张三", "张伟", "张小三"], "{:?}", by_name.body);
    let by_phone = app
        .get("/api/v1/customers?q=%2B86%20135%201234%205678", &admin)
        .await;
    assert_eq!(by_phone.body["items"][0]["id"], zhang_id);
    assert_eq!(by_phone.body["total"], 1);
    let by_card = app
        .get("/api/v1/customers?q=11010519491231002X", &admin)
        .await;
    assert_eq!(by_card.body["items"][0]["id"], zhang_id);
    let vips = app
        .get("/api/v1/customers?level=vip&q=%E5%BC%A0", &admin)
        .await;
    let mut found = names(&vips);
    found.sort();
    assert_eq!(found, ["张三", "张伟"], "level and name combine");
    let idle = app
        .get(
            "/api/v1/customers?idle_days=90&q=%E5%BC%A0%E4%B8%89",
            &admin,
        )
        .await;
    assert_eq!(names(&idle), ["张三"], "never contacted counts as idle");
    let bad_sort = app.get("/api/v1/customers?sort=age", &admin).await;
    assert_field(&bad_sort, StatusCode::UNPROCESSABLE_ENTITY, "sort");

    // Assets: a VIN is checked, a plate finds the owner.
    let bad_vin = app
        .post(
            &format!("/api/v1/customers/{zhang_id}/assets"),
            json!({"kind": "vehicle", "serial": "LSV123"}),
            &admin,
        )
        .await;
    assert_field(&bad_vin, StatusCode::UNPROCESSABLE_ENTITY, "serial");
    let car = app
        .post(
            &format!("/api/v1/customers/{zhang_id}/assets"),
            json!({"kind": "车辆", "model": "大众 朗逸", "serial": "lsvaa4180e2123456",
                   "plate": "浙A 12345", "bought_on": "2021-05-01"}),
            &admin,
        )
        .await;
    assert_eq!(car.status, StatusCode::CREATED, "{:?}", car.body);
    assert_eq!(car.body["serial"], "LSVAA4180E2123456");
    let by_plate = app
        .get("/api/v1/customers?asset=%E6%B5%99A12345", &admin)
        .await;
    assert_eq!(
        by_plate.body["items"][0]["id"], zhang_id,
        "{:?}",
        by_plate.body
    );

    // The timeline: a note, and her call from the CDRs.
    let note = app
        .post(
            &format!("/api/v1/customers/{zhang_id}/notes"),
            json!({"text": "客户要求周末回访"}),
            &admin,
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let started = t0() - Duration::hours(1);
    app.store()
        .insert_cdrs(&[NewCdr {
            call_id: "call-1".into(),
            direction: Direction::Inbound,
            caller: "013512345678".into(),
            callee: "4000".into(),
            caller_extension: None,
            callee_extension: Some("1001".into()),
            trunk_id: None,
            trunk_name: String::new(),
            did: "4000".into(),
            started_at: started,
            answered_at: Some(started + Duration::seconds(5)),
            ended_at: started + Duration::seconds(65),
            ring_ms: 5000,
            talk_ms: 60_000,
            disposition: Disposition::Answered,
            hangup_cause: "BYE".into(),
            hangup_side: HangupSide::Caller,
        }])
        .await
        .expect("cdr");
    let timeline = app
        .get(&format!("/api/v1/customers/{zhang_id}/timeline"), &admin)
        .await;
    let kinds: Vec<&str> = timeline
        .body
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"note") && kinds.contains(&"call"),
        "{kinds:?}"
    );
    let call = timeline
        .body
        .as_array()
        .and_then(|l| l.iter().find(|e| e["kind"] == "call"))
        .expect("the call");
    assert_eq!(call["call"]["talk_ms"], 60_000);
    assert_eq!(call["staff"], "1001");
    assert!(call["call"]["recording_id"].is_null(), "not recorded yet");
    let recording = sb_store::recordings::insert(
        app.store(),
        &sb_store::recordings::NewRecording {
            call_id: "call-1".into(),
            direction: Direction::Inbound,
            caller: "013512345678".into(),
            callee: "4000".into(),
            agent_extension: Some("1001".into()),
            trunk_id: None,
            trunk_name: String::new(),
            started_at: started + Duration::seconds(5),
            ended_at: started + Duration::seconds(65),
            duration_ms: 60_000,
            layout: "stereo".into(),
            file: "2026/11/24/call-1.wav".into(),
            size_bytes: 960_044,
            sha256: "0".repeat(64),
        },
    )
    .await
    .expect("recording");
    let timeline = app
        .get(&format!("/api/v1/customers/{zhang_id}/timeline"), &admin)
        .await;
    let call = timeline
        .body
        .as_array()
        .and_then(|l| l.iter().find(|e| e["kind"] == "call"))
        .expect("the call");
    assert_eq!(
        call["call"]["recording_id"], recording,
        "the recording is on the timeline"
    );
    let contacted = app
        .get(&format!("/api/v1/customers/{zhang_id}"), &admin)
        .await;
    assert!(
        contacted.body["last_contact_at"].is_string(),
        "the note is a contact"
    );

    // Update replaces the lists; delete removes.
    let updated = app
        .put(
            &format!("/api/v1/customers/{zhang_id}"),
            json!({"name": "张三", "phones": [{"number": "13900139000"}], "lifecycle": "流失",
                   "id_card": "11010519491231002X"}),
            &admin,
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.body["lifecycle"], "lost");
    assert_eq!(updated.body["phones"].as_array().map(Vec::len), Some(1));
    let deleted = app
        .delete(&format!("/api/v1/customers/{zhang_id}"), &admin)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app
        .get(&format!("/api/v1/customers/{zhang_id}"), &admin)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
both_apps!(profiles, profiles_are_checked_and_found_by_number);

async fn each_reads_within_their_data_scope(app: TestApp) {
    let inbound = app.department_id("001-01-01").await;
    let outbound = app.department_id("001-01-02").await;
    let working = [
        Permission::CustomerRead,
        Permission::CustomerCreate,
        Permission::CustomerUpdate,
    ];
    let a = app
        .user_with("A1", &working, DataScope::Department, Some(inbound))
        .await;
    let b = app
        .user_with("B1", &working, DataScope::Department, Some(outbound))
        .await;
    let own = app
        .user_with("O1", &working, DataScope::Own, Some(inbound))
        .await;
    let reader = app
        .user_with(
            "R1",
            &[Permission::StaffRead],
            DataScope::All,
            Some(inbound),
        )
        .await;
    let (a, b, own, reader) = (
        app.token_for(a).await,
        app.token_for(b).await,
        app.token_for(own).await,
        app.token_for(reader).await,
    );

    let ours = create(
        &app,
        &a,
        json!({"name": "王五", "phones": [{"number": "13700137000"}]}),
    )
    .await;
    assert_eq!(ours["department_id"], inbound, "the creator's department");
    let ours_id = ours["id"].as_i64().expect("id");
    let theirs = create(&app, &b, json!({"name": "赵六"})).await;

    let seen_by_b = app.get(&format!("/api/v1/customers/{ours_id}"), &b).await;
    assert_eq!(seen_by_b.status, StatusCode::FORBIDDEN);
    let list_b = app.get("/api/v1/customers", &b).await;
    assert_eq!(list_b.body["total"], 1);
    assert_eq!(list_b.body["items"][0]["id"], theirs["id"]);
    let lookup_b = app
        .get("/api/v1/customers/lookup?number=13700137000", &b)
        .await;
    assert_eq!(lookup_b.body["outcome"], "none", "outside B's scope");
    let moved = app
        .put(
            &format!("/api/v1/customers/{}", theirs["id"]),
            json!({"name": "赵六", "department_id": inbound}),
            &b,
        )
        .await;
    assert_field(&moved, StatusCode::FORBIDDEN, "department_id");

    // Own scope: only the customers one looks after.
    let list_own = app.get("/api/v1/customers", &own).await;
    assert_eq!(list_own.body["total"], 0, "{:?}", list_own.body);
    create(&app, &own, json!({"name": "钱七"})).await;
    let list_own = app.get("/api/v1/customers", &own).await;
    assert_eq!(list_own.body["total"], 1);

    let refused = app.get("/api/v1/customers", &reader).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = app
        .post("/api/v1/customers", json!({"name": "x"}), &reader)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_manage = app
        .post(
            "/api/v1/customer-fields",
            json!({"key": "k", "label": "K", "kind": "text"}),
            &a,
        )
        .await;
    assert_eq!(no_manage.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
both_apps!(scope, each_reads_within_their_data_scope);

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
