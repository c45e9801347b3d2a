//! ACD and IVR configuration over the API: voice flows and their versions
//! (documents checked by sb-ivr, references looked up, the node at fault
//! named), calendars and their preview, queues and members, the blacklist,
//! voicemail (listening audited, Range served), survey results, a call's
//! trail and the ACD's event log; each refused without its permission.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp};
use sb_core::{DataScope, Permission};
use sb_store::testing::t0;
use sb_store::{
    AuditFilter, AuditKind, MailboxKind, NewAcdEvent, NewSurveyResult, NewVoicemail, PageRequest,
};
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

/// A 422 refusing a flow document: field `document`, the node named in the
/// message and in `node`.
fn assert_node(reply: &common::Reply, node: &str, words: &[&str]) {
    assert_field(reply, StatusCode::UNPROCESSABLE_ENTITY, "document");
    assert_eq!(reply.body["error"]["node"], node, "{:?}", reply.body);
    let message = reply.body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(&format!("node \"{node}\"")),
        "{message}"
    );
    for word in words {
        assert!(message.contains(word), "{message} should mention {word}");
    }
}

fn always_open() -> Value {
    let day = json!(["00:00-24:00"]);
    json!({"utc_offset_minutes": 480, "weekly": {
        "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}})
}

/// A hotline: greeting, a work-time test, a menu to the queue `support`.
fn hotline(menu_choice_2: &str) -> Value {
    json!({
        "language": "zh",
        "start": "greeting",
        "nodes": {
            "greeting": {"type": "play", "prompts": [{"builtin": "welcome"}], "next": "hours"},
            "hours": {"type": "condition", "rules": [{"when": {"work_time": "always"}, "next": "menu"}],
                      "otherwise": "bye"},
            "menu": {"type": "menu", "prompts": [{"tts": "请按1或2"}],
                     "choices": {"1": "support", "2": menu_choice_2}, "on_failure": "bye"},
            "support": {"type": "queue", "queue": "support", "on_overflow": "bye"},
            "bye": {"type": "hangup", "prompts": [{"builtin": "goodbye"}]}
        }
    })
}

async fn setup_queue_and_calendar(app: &TestApp, admin: &Auth) -> i64 {
    let queue = app
        .post("/api/v1/queues", json!({"name": "support"}), admin)
        .await;
    assert_eq!(queue.status, StatusCode::CREATED, "{:?}", queue.body);
    let calendar = app
        .post(
            "/api/v1/calendars",
            json!({"name": "always", "document": always_open()}),
            admin,
        )
        .await;
    assert_eq!(calendar.status, StatusCode::CREATED, "{:?}", calendar.body);
    queue.body["id"].as_i64().expect("queue id")
}

async fn flows_are_versioned_and_checked(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let queue_id = setup_queue_and_calendar(&app, &admin).await;

    let created = app
        .post(
            "/api/v1/ivr/flows",
            json!({"name": "hotline", "number": "4100", "description": "主热线", "document": hotline("bye")}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["current_version"], 1);
    assert_eq!(created.body["number"], "4100");
    assert_eq!(
        created.body["document"]["nodes"]["menu"]["choices"]["2"],
        "bye"
    );
    let id = created.body["id"].as_i64().expect("id");
    assert!(switch.events().contains(&"Flows".to_owned()));

    // A dangling branch names the node and the missing target.
    let path = format!("/api/v1/ivr/flows/{id}/versions");
    let dangling = app
        .post(
            &path,
            json!({"document": hotline("salse"), "note": "typo"}),
            &admin,
        )
        .await;
    assert_node(&dangling, "menu", &["choice \"2\"", "salse"]);

    // References that do not exist, each named with its node.
    let mut unknown_queue = hotline("bye");
    unknown_queue["nodes"]["support"]["queue"] = json!("nobody-home");
    let r = app
        .post(&path, json!({"document": unknown_queue}), &admin)
        .await;
    assert_node(&r, "support", &["queue", "nobody-home"]);
    let mut unknown_calendar = hotline("bye");
    unknown_calendar["nodes"]["hours"]["rules"][0]["when"] = json!({"work_time": "lunar"});
    let r = app
        .post(&path, json!({"document": unknown_calendar}), &admin)
        .await;
    assert_node(&r, "hours", &["calendar", "lunar"]);
    let mut unknown_prompt = hotline("bye");
    unknown_prompt["nodes"]["greeting"]["prompts"] = json!([{"prompt": "no-such-recording"}]);
    let r = app
        .post(&path, json!({"document": unknown_prompt}), &admin)
        .await;
    assert_node(&r, "greeting", &["voice prompt", "no-such-recording"]);
    let mut unknown_subflow = hotline("sub");
    unknown_subflow["nodes"]["sub"] = json!({"type": "subflow", "flow": "ghost", "next": "bye"});
    let r = app
        .post(&path, json!({"document": unknown_subflow}), &admin)
        .await;
    assert_node(&r, "sub", &["flow", "ghost"]);
    let mut itself = hotline("sub");
    itself["nodes"]["sub"] = json!({"type": "subflow", "flow": "hotline", "next": "bye"});
    let r = app.post(&path, json!({"document": itself}), &admin).await;
    assert_node(&r, "sub", &["itself"]);
    let mut unknown_type = hotline("bye");
    unknown_type["nodes"]["bye"] = json!({"type": "teleport"});
    let r = app
        .post(&path, json!({"document": unknown_type}), &admin)
        .await;
    assert_node(&r, "bye", &["teleport"]);
    let no_start = app
        .post(&path, json!({"document": {"nodes": {}}}), &admin)
        .await;
    assert_field(&no_start, StatusCode::UNPROCESSABLE_ENTITY, "document");
    assert!(
        no_start.body["error"].get("node").is_none(),
        "{:?}",
        no_start.body
    );
    let not_object = app.post(&path, json!({"document": [1, 2]}), &admin).await;
    assert_field(&not_object, StatusCode::UNPROCESSABLE_ENTITY, "document");
    // None of the refusals made a version.
    let versions = app.get(&path, &admin).await;
    assert_eq!(
        versions.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        versions.body
    );

    // v2 becomes current for new calls; v1 stays readable.
    app.clock.advance(Duration::minutes(5));
    let v2 = app
        .post(
            &path,
            json!({"document": hotline("support"), "note": "2 also to support"}),
            &admin,
        )
        .await;
    assert_eq!(v2.status, StatusCode::CREATED, "{:?}", v2.body);
    assert_eq!(v2.body["version"], 2);
    assert_eq!(v2.body["note"], "2 also to support");
    let flow = app.get(&format!("/api/v1/ivr/flows/{id}"), &admin).await;
    assert_eq!(flow.body["current_version"], 2);
    assert_eq!(
        flow.body["document"]["nodes"]["menu"]["choices"]["2"],
        "support"
    );
    let versions = app.get(&path, &admin).await;
    let numbers: Vec<i64> = versions
        .body
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["version"].as_i64())
        .collect();
    assert_eq!(numbers, [2, 1]);
    let v1 = app.get(&format!("{path}/1"), &admin).await;
    assert_eq!(v1.status, StatusCode::OK, "{:?}", v1.body);
    assert_eq!(v1.body["document"]["nodes"]["menu"]["choices"]["2"], "bye");
    let missing = app.get(&format!("{path}/9"), &admin).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = app.get(&format!("{path}/two"), &admin).await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "version");

    // The access number: digits, not an extension's number, unique.
    let body =
        |number: &str| json!({"name": "other", "number": number, "document": hotline("bye")});
    let r = app.post("/api/v1/ivr/flows", body("1001"), &admin).await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "number");
    let r = app.post("/api/v1/ivr/flows", body("41a0"), &admin).await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "number");
    let r = app.post("/api/v1/ivr/flows", body("4100"), &admin).await;
    assert_field(&r, StatusCode::CONFLICT, "number");
    let r = app
        .post(
            "/api/v1/ivr/flows",
            json!({"name": "bad name", "document": hotline("bye")}),
            &admin,
        )
        .await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "name");
    let r = app
        .post(
            "/api/v1/ivr/flows",
            json!({"name": "other", "document": hotline("salse")}),
            &admin,
        )
        .await;
    assert_node(&r, "menu", &["salse"]);

    // Metadata edits keep the documents.
    let edited = app
        .put(
            &format!("/api/v1/ivr/flows/{id}"),
            json!({"name": "hotline", "number": null, "description": "无号码"}),
            &admin,
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["number"], Value::Null);
    assert_eq!(edited.body["current_version"], 2);

    // What a current version uses cannot go away under it.
    let r = app
        .delete(&format!("/api/v1/queues/{queue_id}"), &admin)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "queue_in_use"),
        "{:?}",
        r.body
    );
    let calendars = app.get("/api/v1/calendars", &admin).await;
    let calendar_id = calendars.body["items"]
        .as_array()
        .expect("calendars")
        .iter()
        .find(|c| c["name"] == "always")
        .and_then(|c| c["id"].as_i64())
        .expect("calendar id");
    let r = app
        .delete(&format!("/api/v1/calendars/{calendar_id}"), &admin)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "calendar_in_use"),
        "{:?}",
        r.body
    );

    let deleted = app.delete(&format!("/api/v1/ivr/flows/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    let gone = app.get(&format!("/api/v1/ivr/flows/{id}"), &admin).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let r = app
        .delete(&format!("/api/v1/queues/{queue_id}"), &admin)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    app.finish().await;
}
both_apps!(flows, flows_are_versioned_and_checked);

async fn calendars_are_checked_and_previewed(app: TestApp) {
    let admin = app.admin().await;
    let office = json!({"utc_offset_minutes": 480,
        "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-18:00"]},
        "holidays": ["2026-12-01"], "workdays": ["2026-12-06"]});
    let created = app
        .post(
            "/api/v1/calendars",
            json!({"name": "office", "description": "办公时间", "document": office}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["document"]["weekly"]["mon"][1], "13:00-18:00");
    let id = created.body["id"].as_i64().expect("id");

    for (document, word) in [
        (
            json!({"utc_offset_minutes": 480, "weekly": {"mon": ["12:00-09:00"]}}),
            "mon",
        ),
        (
            json!({"utc_offset_minutes": 480, "weekly": {"mon": ["09:00-12:00", "11:00-13:00"]}}),
            "overlap",
        ),
        (
            json!({"utc_offset_minutes": 480, "weekly": {"funday": ["09:00-12:00"]}}),
            "funday",
        ),
        (
            json!({"utc_offset_minutes": 480, "holidays": ["2026-13-01"]}),
            "2026-13-01",
        ),
    ] {
        let r = app
            .put(
                &format!("/api/v1/calendars/{id}"),
                json!({"name": "office", "document": document}),
                &admin,
            )
            .await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "document");
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains(word), "{message} should mention {word}");
    }
    let dup = app
        .post(
            "/api/v1/calendars",
            json!({"name": "office", "document": always_open()}),
            &admin,
        )
        .await;
    assert_field(&dup, StatusCode::CONFLICT, "name");

    // 2026-11-30 is a Monday: lunch break, then the holiday, then the make-up Sunday.
    let preview = app
        .get(
            &format!("/api/v1/calendars/{id}/preview?from=2026-11-30&days=7"),
            &admin,
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    let days = preview.body.as_array().expect("days");
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["date"], "2026-11-30");
    assert_eq!(days[0]["weekday"], "mon");
    assert_eq!(days[0]["spans"], json!(["09:00-12:00", "13:00-18:00"]));
    assert_eq!(days[1]["kind"], "holiday");
    assert_eq!(days[1]["spans"], json!([]));
    assert_eq!(days[2]["kind"], "rest_day");
    assert_eq!(days[6]["kind"], "make_up_workday");
    assert_eq!(days[6]["spans"], json!(["09:00-12:00", "13:00-18:00"]));
    let bad = app
        .get(
            &format!("/api/v1/calendars/{id}/preview?from=30.11.2026"),
            &admin,
        )
        .await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "from");
    let bad = app
        .get(&format!("/api/v1/calendars/{id}/preview?days=0"), &admin)
        .await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "days");
    let default_from = app
        .get(&format!("/api/v1/calendars/{id}/preview"), &admin)
        .await;
    assert_eq!(default_from.body.as_array().map(Vec::len), Some(7));

    let deleted = app.delete(&format!("/api/v1/calendars/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.finish().await;
}
both_apps!(calendars, calendars_are_checked_and_previewed);

async fn queues_and_members_are_checked(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let agent = app.user_with("A100", &[], DataScope::Own, None).await;
    let created = app
        .post(
            "/api/v1/queues",
            json!({"name": "billing", "display_name": "账单", "strategy": "highest_skill",
                   "ring_timeout_s": 15, "wrap_up_s": 5, "max_wait_s": 120,
                   "overflow_action": "voicemail", "announce_position": true}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["strategy"], "highest_skill");
    assert_eq!(created.body["member_count"], 0);
    assert_eq!(created.body["no_answer_limit"], 3);
    let id = created.body["id"].as_i64().expect("id");
    assert!(switch.events().contains(&"Queues".to_owned()));

    for (patch, field) in [
        (json!({"ring_timeout_s": 4}), "ring_timeout_s"),
        (json!({"ring_timeout_s": 301}), "ring_timeout_s"),
        (json!({"wrap_up_s": 3601}), "wrap_up_s"),
        (json!({"wrap_up_s": -1}), "wrap_up_s"),
        (json!({"strategy": "telepathy"}), "strategy"),
        (
            json!({"overflow_action": "queue", "overflow_target": "nowhere"}),
            "overflow_target",
        ),
        (json!({"overflow_action": "queue"}), "overflow_target"),
        (
            json!({"overflow_action": "flow", "overflow_target": "ghost-flow"}),
            "overflow_target",
        ),
        (
            json!({"overflow_action": "number", "overflow_target": "12ab"}),
            "overflow_target",
        ),
        (
            json!({"no_agent_action": "queue", "no_agent_target": "billing"}),
            "no_agent_target",
        ),
        (json!({"widen_to_skill": 11}), "widen_to_skill"),
        (json!({"widen_to_queue": "ghost"}), "widen_to_queue"),
        (json!({"name": "两个字"}), "name"),
    ] {
        let mut body = json!({"name": "billing"});
        for (k, v) in patch.as_object().expect("patch") {
            body[k] = v.clone();
        }
        let r = app.put(&format!("/api/v1/queues/{id}"), body, &admin).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let second = app
        .post(
            "/api/v1/queues",
            json!({"name": "billing-vip", "overflow_action": "queue", "overflow_target": "billing"}),
            &admin,
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);

    let members = format!("/api/v1/queues/{id}/members");
    let r = app
        .put(&members, json!([{"staff_id": 999_999, "skill": 5}]), &admin)
        .await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "staff_id");
    let r = app
        .put(
            &members,
            json!([{"staff_id": agent.0, "skill": 11}]),
            &admin,
        )
        .await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "[0].skill");
    let r = app
        .put(&members, json!([{"staff_id": agent.0, "skill": 0}]), &admin)
        .await;
    assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, "[0].skill");
    let saved = app
        .put(&members, json!([{"staff_id": agent.0, "skill": 7}]), &admin)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body[0]["employee_id"], "A100");
    assert_eq!(saved.body[0]["skill"], 7);
    let listed = app.get(&members, &admin).await;
    assert_eq!(listed.body, saved.body);
    let queue = app.get(&format!("/api/v1/queues/{id}"), &admin).await;
    assert_eq!(queue.body["member_count"], 1);
    app.finish().await;
}
both_apps!(queues, queues_and_members_are_checked);

async fn blacklist_entries_are_checked_and_searched(app: TestApp) {
    let admin = app.admin().await;
    let exact = app
        .post(
            "/api/v1/blacklist",
            json!({"number": "13800138000", "reason": "骚扰"}),
            &admin,
        )
        .await;
    assert_eq!(exact.status, StatusCode::CREATED, "{:?}", exact.body);
    assert_eq!(exact.body["action"], "busy");
    assert_eq!(exact.body["created_by"], "admin");
    let expired = app
        .post(
            "/api/v1/blacklist",
            json!({"number": "0755*", "action": "hangup",
                   "expires_at": "2020-01-01T00:00:00Z"}),
            &admin,
        )
        .await;
    assert_eq!(expired.status, StatusCode::CREATED, "{:?}", expired.body);

    for (body, field) in [
        (json!({"number": "13a"}), "number"),
        (json!({"number": "1*3"}), "number"),
        (json!({"number": "*"}), "number"),
        (json!({"number": "139", "action": "prompt"}), "prompt_name"),
        (
            json!({"number": "139", "action": "prompt", "prompt_name": "missing"}),
            "prompt_name",
        ),
        (json!({"number": "139", "action": "shout"}), "action"),
        (
            json!({"number": "139", "expires_at": "tomorrow"}),
            "expires_at",
        ),
    ] {
        let r = app.post("/api/v1/blacklist", body, &admin).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let dup = app
        .post(
            "/api/v1/blacklist",
            json!({"number": "13800138000"}),
            &admin,
        )
        .await;
    assert_field(&dup, StatusCode::CONFLICT, "number");

    let all = app.get("/api/v1/blacklist", &admin).await;
    assert_eq!(all.body["total"], 2, "{:?}", all.body);
    let active = app
        .get("/api/v1/blacklist?include_expired=false", &admin)
        .await;
    assert_eq!(active.body["total"], 1, "{:?}", active.body);
    let by_number = app.get("/api/v1/blacklist?q=0755", &admin).await;
    assert_eq!(by_number.body["items"][0]["number"], "0755*");

    let id = exact.body["id"].as_i64().expect("id");
    let edited = app
        .put(
            &format!("/api/v1/blacklist/{id}"),
            json!({"number": "13800138000", "action": "hangup", "expires_at": "2030-01-01T00:00:00Z"}),
            &admin,
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["expires_at"], "2030-01-01T00:00:00Z");
    let deleted = app.delete(&format!("/api/v1/blacklist/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.finish().await;
}
both_apps!(blacklist, blacklist_entries_are_checked_and_searched);

async fn voicemail_is_listened_to_and_handled(app: TestApp) {
    let admin = app.admin().await;
    let file = "voicemail/2026/11/24/vm-1.wav";
    let path = app.media.recordings.join(file);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let bytes: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    std::fs::write(&path, &bytes).expect("write");
    let id = app
        .store()
        .insert_voicemail(&NewVoicemail {
            mailbox_kind: MailboxKind::Queue,
            mailbox: "sales".into(),
            call_id: "vm-call-1".into(),
            caller: "13900001111".into(),
            file: file.into(),
            duration_ms: 12_000,
            size_bytes: 1000,
            sha256: "00".repeat(32),
            created_at: t0(),
        })
        .await
        .expect("voicemail");

    let list = app
        .get(
            "/api/v1/voicemails?mailbox_kind=queue&mailbox=sales&handled=false",
            &admin,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["caller"], "13900001111");
    assert_eq!(list.body["items"][0]["available"], true);
    assert!(
        list.body["items"][0].get("file").is_none(),
        "the disk path stays inside"
    );
    let bad = app.get("/api/v1/voicemails?mailbox_kind=fax", &admin).await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "mailbox_kind");

    let audio = format!("/api/v1/voicemails/{id}/audio");
    let part = app
        .send_bytes(
            Method::GET,
            &audio,
            Vec::new(),
            &[("range", "bytes=100-199")],
            &admin,
        )
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, bytes[100..200]);
    let whole = app
        .send_bytes(Method::GET, &audio, Vec::new(), &[], &admin)
        .await;
    assert_eq!((whole.status, whole.body.len()), (StatusCode::OK, 1000));
    let listens = app
        .store()
        .search_audit(
            &AuditFilter {
                kind: Some(AuditKind::Access),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    let listened: Vec<_> = listens
        .items
        .iter()
        .filter(|e| e.action == "voicemail.listen")
        .collect();
    assert_eq!(listened.len(), 1, "only the play from the start is audited");

    // voicemail.read alone finds messages but may not hear or handle them.
    let reader = app
        .user_with("reader", &[Permission::VoicemailRead], DataScope::All, None)
        .await;
    let reader = app.token_for(reader).await;
    assert_eq!(
        app.get("/api/v1/voicemails", &reader).await.status,
        StatusCode::OK
    );
    let r = app
        .send_bytes(Method::GET, &audio, Vec::new(), &[], &reader)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/voicemails/{id}/handled"),
            json!({"note": "x"}),
            &reader,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let handled = app
        .post(
            &format!("/api/v1/voicemails/{id}/handled"),
            json!({"note": "已回电"}),
            &admin,
        )
        .await;
    assert_eq!(handled.status, StatusCode::OK, "{:?}", handled.body);
    assert_eq!(handled.body["handled_by"], "admin");
    assert_eq!(handled.body["note"], "已回电");
    let open = app.get("/api/v1/voicemails?handled=false", &admin).await;
    assert_eq!(open.body["total"], 0);

    std::fs::remove_file(&path).expect("rm");
    let gone = app
        .send_bytes(Method::GET, &audio, Vec::new(), &[], &admin)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
both_apps!(voicemail, voicemail_is_listened_to_and_handled);

async fn surveys_trails_and_events_are_read(app: TestApp) {
    let admin = app.admin().await;
    for (minute, digit, agent) in [(1, "5", "1003"), (2, "3", "1003"), (3, "4", "1004")] {
        app.store()
            .insert_survey_result(&NewSurveyResult {
                call_id: format!("survey-{minute}"),
                question: "satisfaction".into(),
                digit: digit.into(),
                agent: Some(agent.into()),
                queue: Some("sales".into()),
                created_at: t0() + Duration::minutes(minute),
            })
            .await
            .expect("survey");
    }
    let list = app.get("/api/v1/surveys?agent=1003", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 2);
    let summary = app
        .get(
            "/api/v1/surveys/summary?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
            &admin,
        )
        .await;
    assert_eq!(summary.status, StatusCode::OK, "{:?}", summary.body);
    let first = summary
        .body
        .as_array()
        .expect("summary")
        .iter()
        .find(|s| s["agent"] == "1003")
        .expect("agent 1003");
    assert_eq!(first["count"], 2);
    assert_eq!(first["average"], 4.0);
    assert_eq!(first["distribution"]["5"], 1);
    let bad = app
        .get(
            "/api/v1/surveys/summary?from=2100-01-01T00:00:00Z&to=2020-01-01T00:00:00Z",
            &admin,
        )
        .await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "from");

    app.store()
        .save_call_trail(
            t0(),
            "trail-call@host",
            "hotline",
            3,
            &json!([{"node": "menu", "node_type": "menu", "at_ms": 1, "detail": "pressed 2"}]),
        )
        .await
        .expect("trail");
    let trail = app.get("/api/v1/calls/trail-call@host/trail", &admin).await;
    assert_eq!(trail.status, StatusCode::OK, "{:?}", trail.body);
    assert_eq!(trail.body["flow_version"], 3);
    assert_eq!(trail.body["steps"][0]["detail"], "pressed 2");
    let none = app.get("/api/v1/calls/never-in-a-flow/trail", &admin).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // A department-limited cdr.read does not reach trails (no scope to test).
    let dept = app.department_id("001-01").await;
    let limited = app
        .user_with(
            "limited",
            &[Permission::CdrRead],
            DataScope::Department,
            Some(dept),
        )
        .await;
    let limited = app.token_for(limited).await;
    let r = app
        .get("/api/v1/calls/trail-call@host/trail", &limited)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let at = t0().unix_timestamp() * 1000;
    let event = |n: i64, kind: &str, queue: &str| NewAcdEvent {
        at_ms: at + n,
        kind: kind.into(),
        agent: Some("1003".into()),
        queue: Some(queue.into()),
        call_ref: Some(7),
        body: json!({"n": n}),
    };
    app.store()
        .append_acd_events(&[
            event(1, "offered", "sales"),
            event(2, "no_answer", "sales"),
            event(3, "offered", "service"),
        ])
        .await
        .expect("events");
    let events = app
        .get("/api/v1/acd/events?queue=sales&call=7", &admin)
        .await;
    assert_eq!(events.status, StatusCode::OK, "{:?}", events.body);
    assert_eq!(events.body["total"], 2);
    assert_eq!(events.body["items"][0]["kind"], "no_answer", "newest first");
    let bad = app.get("/api/v1/acd/events?call=seven", &admin).await;
    assert_field(&bad, StatusCode::BAD_REQUEST, "call");
    app.finish().await;
}
both_apps!(records, surveys_trails_and_events_are_read);

async fn each_route_needs_its_permission(app: TestApp) {
    let admin = app.admin().await;
    setup_queue_and_calendar(&app, &admin).await;
    let created = app
        .post(
            "/api/v1/ivr/flows",
            json!({"name": "hotline", "document": hotline("bye")}),
            &admin,
        )
        .await;
    let id = created.body["id"].as_i64().expect("id");
    let reader = app
        .user_with(
            "ivr-reader",
            &[Permission::IvrRead, Permission::QueueRead],
            DataScope::All,
            None,
        )
        .await;
    let reader = app.token_for(reader).await;
    let nobody = app.user_with("nobody", &[], DataScope::All, None).await;
    let nobody = app.token_for(nobody).await;

    // Readers read ...
    for path in [
        "/api/v1/ivr/flows".to_owned(),
        format!("/api/v1/ivr/flows/{id}/versions/1"),
        "/api/v1/calendars".to_owned(),
        "/api/v1/queues".to_owned(),
        "/api/v1/acd/events".to_owned(),
    ] {
        assert_eq!(
            app.get(&path, &reader).await.status,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, &nobody).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // ... but change nothing.
    let r = app
        .post(
            &format!("/api/v1/ivr/flows/{id}/versions"),
            json!({"document": hotline("support")}),
            &reader,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/v1/calendars",
            json!({"name": "x", "document": always_open()}),
            &reader,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("/api/v1/queues", json!({"name": "x"}), &reader)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for path in [
        "/api/v1/blacklist",
        "/api/v1/voicemails",
        "/api/v1/surveys",
        "/api/v1/surveys/summary",
    ] {
        assert_eq!(
            app.get(path, &reader).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        app.get("/api/v1/calls/x/trail", &reader).await.status,
        StatusCode::FORBIDDEN
    );
    let versions = app
        .get(&format!("/api/v1/ivr/flows/{id}/versions"), &admin)
        .await;
    assert_eq!(
        versions.body.as_array().map(Vec::len),
        Some(1),
        "the refused publish made nothing"
    );
    app.finish().await;
}
both_apps!(permissions, each_route_needs_its_permission);

#[test]
fn the_document_refusal_is_documented() {
    let doc = serde_json::to_value(sb_api::openapi()).expect("doc");
    let publish = &doc["paths"]["/api/v1/ivr/flows/{id}/versions"]["post"];
    let schema = &publish["responses"]["422"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(
        schema, "#/components/schemas/DocumentErrorBody",
        "{publish}"
    );
    let body = &doc["components"]["schemas"]["DocumentErrorDetail"]["properties"];
    assert!(body.get("node").is_some(), "{body}");
}
