//! Recordings over the API: search filters, data scope, permission to
//! listen, Range requests, the archive fallback, audit rows for listening,
//! downloading and exporting, the zip export, and the storage card.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use sb_store::recordings::{self, NewRecording};
use sb_store::testing::t0;
use sb_store::{
    Actor, AuditFilter, AuditKind, DepartmentInput, Direction, PageRequest, StaffInput,
};
use serde_json::json;
use time::Duration;

/// A recording file's bytes: distinct per recording, long enough to range over.
fn audio(seed: u8) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend((0..996u32).map(|i| (i as u8).wrapping_mul(seed)));
    bytes
}

/// Writes recording `minute` (agent `agent`) to disk and the store.
async fn recorded(app: &TestApp, minute: i64, caller: &str, callee: &str, agent: &str) -> i64 {
    let started = t0() + Duration::minutes(minute);
    let file = format!("2026/11/24/call-{minute}.wav");
    let path = app.media.recordings.join(&file);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let bytes = audio(minute as u8);
    std::fs::write(&path, &bytes).expect("write");
    let external = caller.len() > 4 || callee.len() > 4;
    let recording = NewRecording {
        call_id: format!("call-{minute}"),
        direction: if caller.len() > 4 {
            Direction::Inbound
        } else if callee.len() > 4 {
            Direction::Outbound
        } else {
            Direction::Internal
        },
        caller: caller.into(),
        callee: callee.into(),
        agent_extension: Some(agent.into()),
        trunk_id: external.then_some(1),
        trunk_name: if external {
            "carrier".into()
        } else {
            String::new()
        },
        started_at: started,
        ended_at: started + Duration::seconds(minute * 10),
        duration_ms: minute * 10_000,
        layout: "stereo".into(),
        file,
        size_bytes: bytes.len() as i64,
        sha256: "0".repeat(64),
    };
    recordings::insert(app.store(), &recording)
        .await
        .expect("insert")
}

/// Two teams with one agent each: R1 (extension 2001) and R2 (2002).
async fn teams(app: &TestApp) -> (i64, i64) {
    let actor = Actor::system("test");
    let mut ids = Vec::new();
    for (number, ext) in [("R1", "2001"), ("R2", "2002")] {
        let dept = app
            .store()
            .create_department(
                t0(),
                &actor,
                DepartmentInput {
                    number: number.into(),
                    name: format!("Team {number}"),
                    parent_id: None,
                    sort_order: 0,
                },
            )
            .await
            .expect("department");
        app.store()
            .create_staff(
                t0(),
                &actor,
                StaffInput {
                    employee_id: format!("agent{ext}"),
                    name: format!("Agent {ext}"),
                    department_id: Some(dept.id),
                    work_group: String::new(),
                    mobile: String::new(),
                    email: String::new(),
                    extension: Some(ext.into()),
                    enabled: true,
                    role_ids: vec![],
                },
                None,
            )
            .await
            .expect("agent");
        ids.push(dept.id);
    }
    (ids[0], ids[1])
}

async fn access_rows(app: &TestApp, action: &str) -> Vec<sb_store::AuditEntry> {
    app.store()
        .search_audit(
            &AuditFilter {
                kind: Some(AuditKind::Access),
                action: Some(action.into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit")
        .items
}

async fn search_filters_and_scope(app: TestApp) {
    let (team1, _) = teams(&app).await;
    let a1 = recorded(&app, 1, "13800138000", "4008001000", "2001").await;
    let a2 = recorded(&app, 2, "2001", "01058881234", "2001").await;
    let b1 = recorded(&app, 3, "13900139000", "4008001000", "2002").await;
    let b2 = recorded(&app, 4, "2002", "2001", "2002").await;
    let admin = app.admin().await;

    let all = app.get("/api/v1/recordings", &admin).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(all.body["total"], 4);
    let newest = &all.body["items"][0];
    assert_eq!(newest["id"], b2, "newest first");
    assert_eq!(newest["available"], true);
    assert_eq!(newest["layout"], "stereo");
    assert!(newest.get("file").is_none(), "paths stay on the server");

    for (query, ids) in [
        ("number=1380013", vec![a1]),
        ("number=4008", vec![b1, a1]),
        ("number=2001", vec![b2, a2]),
        ("agent=2002", vec![b2, b1]),
        ("direction=outbound", vec![a2]),
        ("trunk_id=1", vec![b1, a2, a1]),
        ("min_duration_s=20&max_duration_s=30", vec![b1, a2]),
        (
            "from=2026-11-24T09:02:00Z&to=2026-11-24T09:04:00Z",
            vec![b1, a2],
        ),
        ("agent=2001&direction=inbound&number=138", vec![a1]),
        ("agent=2002&number=2001&min_duration_s=40", vec![b2]),
    ] {
        let r = app
            .get(&format!("/api/v1/recordings?{query}"), &admin)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
        let got: Vec<i64> = r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(got, ids, "{query}");
    }
    let paged = app
        .get("/api/v1/recordings?per_page=3&page=2", &admin)
        .await;
    assert_eq!(paged.body["total"], 4);
    assert_eq!(paged.body["items"][0]["id"], a1);
    for (query, field) in [
        ("direction=sideways", "direction"),
        ("number=13%25", "number"),
        ("min_duration_s=-1", "min_duration_s"),
        ("from=yesterday", "from"),
    ] {
        let r = app
            .get(&format!("/api/v1/recordings?{query}"), &admin)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {:?}", r.body);
        assert_eq!(r.field(), field, "{query}");
    }

    // A supervisor of team 1 sees team 1's recordings only.
    app.user_with(
        "sup1",
        &[Permission::RecordingRead, Permission::RecordingListen],
        DataScope::Department,
        Some(team1),
    )
    .await;
    let sup = app.login("sup1", PASSWORD).await;
    let mine = app.get("/api/v1/recordings", &sup).await;
    assert_eq!(mine.body["total"], 2, "{:?}", mine.body);
    let theirs = app.get(&format!("/api/v1/recordings/{b1}"), &sup).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let audio = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/recordings/{b1}/audio"),
            vec![],
            &[],
            &sup,
        )
        .await;
    assert_eq!(audio.status, StatusCode::FORBIDDEN);
    let ok = app.get(&format!("/api/v1/recordings/{a1}"), &sup).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["caller"], "13800138000");
    let denied = app
        .store()
        .search_audit(
            &AuditFilter {
                kind: Some(AuditKind::Denied),
                actor: Some("sup1".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    assert_eq!(denied.total, 2, "both refusals are audited");
    let missing = app.get("/api/v1/recordings/999999", &admin).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
both_apps!(search, search_filters_and_scope);

async fn listening_needs_permission_seeks_and_is_audited(app: TestApp) {
    teams(&app).await;
    let id = recorded(&app, 5, "13800138000", "4008001000", "2001").await;
    let bytes = audio(5);
    let reader = app
        .user_with("reader", &[Permission::RecordingRead], DataScope::All, None)
        .await;
    let reader = app.token_for(reader).await;
    let audio_path = format!("/api/v1/recordings/{id}/audio");
    let refused = app
        .send_bytes(Method::GET, &audio_path, vec![], &[], &reader)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "read is not listen");
    assert_eq!(refused.json()["error"]["code"], "forbidden");
    let details = app.get(&format!("/api/v1/recordings/{id}"), &reader).await;
    assert_eq!(details.status, StatusCode::OK, "but it may see the row");

    let listener = app
        .user_with(
            "listener",
            &[Permission::RecordingRead, Permission::RecordingListen],
            DataScope::All,
            None,
        )
        .await;
    let listener = app.token_for(listener).await;
    let whole = app
        .send_bytes(Method::GET, &audio_path, vec![], &[], &listener)
        .await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("content-type"), "audio/wav");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert_eq!(whole.body, bytes);

    let part = app
        .send_bytes(
            Method::GET,
            &audio_path,
            vec![],
            &[("range", "bytes=100-199")],
            &listener,
        )
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.header("content-range"), "bytes 100-199/1000");
    assert_eq!(part.header("content-length"), "100");
    assert_eq!(part.body, bytes[100..200]);
    let tail = app
        .send_bytes(
            Method::GET,
            &audio_path,
            vec![],
            &[("range", "bytes=-10")],
            &listener,
        )
        .await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.body, bytes[990..]);
    let from_start = app
        .send_bytes(
            Method::GET,
            &audio_path,
            vec![],
            &[("range", "bytes=0-")],
            &listener,
        )
        .await;
    assert_eq!(from_start.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(from_start.body, bytes);
    let beyond = app
        .send_bytes(
            Method::GET,
            &audio_path,
            vec![],
            &[("range", "bytes=5000-")],
            &listener,
        )
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.header("content-range"), "bytes */1000");
    let listens = access_rows(&app, "recording.listen").await;
    assert_eq!(
        listens.len(),
        2,
        "the whole file and the play from byte 0; seeks are not audited"
    );
    assert_eq!(listens[0].entity_id, id.to_string());
    assert_eq!(listens[0].actor_employee_id, "listener");

    let download = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/recordings/{id}/download"),
            vec![],
            &[],
            &listener,
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.header("content-disposition"),
        "attachment; filename=\"20261124-090500_13800138000_to_4008001000.wav\""
    );
    assert_eq!(download.body, bytes);
    assert_eq!(access_rows(&app, "recording.download").await.len(), 1);

    // Retention removed the local file: the archive copy plays.
    let stored = recordings::get(app.store(), id).await.expect("get");
    let local = app.media.recordings.join(&stored.file);
    let archived = app
        .media
        .archive
        .as_ref()
        .expect("archive")
        .join(&stored.file);
    std::fs::create_dir_all(archived.parent().expect("dir")).expect("mkdir");
    std::fs::rename(&local, &archived).expect("move");
    recordings::mark_deleted(app.store(), id, t0())
        .await
        .expect("deleted");
    let from_archive = app
        .send_bytes(Method::GET, &audio_path, vec![], &[], &listener)
        .await;
    assert_eq!(from_archive.status, StatusCode::OK);
    assert_eq!(from_archive.body, bytes);
    std::fs::remove_file(&archived).expect("remove");
    let gone = app
        .send_bytes(Method::GET, &audio_path, vec![], &[], &listener)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let message = gone.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("retention"), "{message}");
    let row = app
        .get(&format!("/api/v1/recordings/{id}"), &listener)
        .await;
    assert_eq!(row.body["available"], false);
    assert_eq!(row.body["deleted_at"], "2026-11-24T09:00:00Z");
    app.finish().await;
}
both_apps!(listening, listening_needs_permission_seeks_and_is_audited);

/// Polls an export until it leaves `running`.
async fn finished(app: &TestApp, id: i64, auth: &Auth) -> serde_json::Value {
    for _ in 0..500 {
        let r = app
            .get(&format!("/api/v1/recordings/exports/{id}"), auth)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        if r.body["status"] != "running" {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("export {id} did not finish");
}

async fn exports_zip_the_selection(app: TestApp) {
    let (team1, _) = teams(&app).await;
    let a = recorded(&app, 6, "13800138000", "4008001000", "2001").await;
    let b = recorded(&app, 7, "2001", "2002", "2001").await;
    let other_team = recorded(&app, 8, "2002", "2001", "2002").await;
    let lost = recorded(&app, 9, "2001", "1999", "2001").await;
    let stored = recordings::get(app.store(), lost).await.expect("get");
    std::fs::remove_file(app.media.recordings.join(&stored.file)).expect("remove");

    app.user_with(
        "exporter",
        &[Permission::RecordingRead, Permission::RecordingListen],
        DataScope::Department,
        Some(team1),
    )
    .await;
    let exporter = app.login("exporter", PASSWORD).await;
    let outside = app
        .post(
            "/api/v1/recordings/exports",
            json!({"ids": [a, other_team]}),
            &exporter,
        )
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN, "{:?}", outside.body);
    assert_eq!(outside.field(), "ids[1]");
    for (ids, field) in [
        (json!([]), "ids"),
        (json!([a, 999_999]), "ids[1]"),
        (json!((1..=1001).collect::<Vec<i64>>()), "ids"),
    ] {
        let r = app
            .post(
                "/api/v1/recordings/exports",
                json!({ "ids": ids }),
                &exporter,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.field(), field);
    }

    let started = app
        .post(
            "/api/v1/recordings/exports",
            json!({"ids": [a, b, lost, a]}),
            &exporter,
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    assert_eq!(started.body["total"], 3, "duplicates are dropped");
    let job = started.body["id"].as_i64().expect("job id");
    let done = finished(&app, job, &exporter).await;
    assert_eq!(done["status"], "done", "{done:?}");
    assert_eq!(done["done"], 3);
    assert_eq!(done["missing"], json!([lost]));

    let exports = access_rows(&app, "recording.export").await;
    assert_eq!(exports.len(), 1);
    assert!(
        exports[0].detail.contains(&format!("{a},{b},{lost}")),
        "{}",
        exports[0].detail
    );

    let admin = app.admin().await;
    let not_theirs = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/recordings/exports/{job}/file"),
            vec![],
            &[],
            &admin,
        )
        .await;
    assert_eq!(
        not_theirs.status,
        StatusCode::NOT_FOUND,
        "only who started it"
    );
    let zip = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/recordings/exports/{job}/file"),
            vec![],
            &[],
            &exporter,
        )
        .await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip.header("content-type"), "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).expect("a zip");
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "20261124-090600_13800138000_to_4008001000.wav",
            "20261124-090700_2001_to_2002.wav"
        ]
    );
    let mut first = Vec::new();
    std::io::Read::read_to_end(
        &mut archive
            .by_name("20261124-090700_2001_to_2002.wav")
            .expect("entry"),
        &mut first,
    )
    .expect("read");
    assert_eq!(first, audio(7));

    // An hour later the export is gone, its file too.
    let file_count = || {
        std::fs::read_dir(&app.media.tmp)
            .expect("tmp")
            .filter(|e| {
                e.as_ref()
                    .map(|e| e.file_name().to_string_lossy().starts_with("export-"))
                    .unwrap_or(false)
            })
            .count()
    };
    assert_eq!(file_count(), 1);
    app.clock.advance(Duration::minutes(61));
    let expired = app
        .get(&format!("/api/v1/recordings/exports/{job}"), &exporter)
        .await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    assert_eq!(file_count(), 0);
    app.finish().await;
}
both_apps!(exports, exports_zip_the_selection);

async fn storage_card_and_low_space_warning(app: TestApp) {
    teams(&app).await;
    recorded(&app, 1, "2001", "2002", "2001").await;
    let admin = app.admin().await;
    let storage = app.get("/api/v1/recordings/storage", &admin).await;
    assert_eq!(storage.status, StatusCode::OK, "{:?}", storage.body);
    assert_eq!(storage.body["used_bytes"], 1000);
    assert_eq!(storage.body["min_free_bytes"], 1024 * 1024 * 1024);
    assert_eq!(storage.body["retention_days"], 0);
    assert_eq!(storage.body["archive_pending"], 1);
    assert_eq!(storage.body["archive_failed"], 0);
    assert!(storage.body["free_bytes"].as_u64().is_some());
    assert!(
        storage.body["archive_dir"]
            .as_str()
            .is_some_and(|d| d.ends_with("archive"))
    );
    let reader = app
        .user_with(
            "reader2",
            &[Permission::RecordingRead],
            DataScope::All,
            None,
        )
        .await;
    let reader = app.token_for(reader).await;
    let refused = app.get("/api/v1/recordings/storage", &reader).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let quiet = app.get("/api/v1/system/warnings", &reader).await;
    assert!(
        quiet
            .body
            .as_array()
            .expect("list")
            .iter()
            .all(|w| w["code"] != "recordings_low_space")
    );
    app.state.storage_alarm().update(Some(sb_api::LowSpace {
        free_bytes: 10,
        min_free_bytes: 100,
    }));
    let warned = app.get("/api/v1/system/warnings", &admin).await;
    let low = warned
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|w| w["code"] == "recordings_low_space")
        .cloned()
        .expect("warning");
    assert_eq!(low["free_bytes"], 10);
    assert_eq!(low["min_free_bytes"], 100);
    let others = app.get("/api/v1/system/warnings", &reader).await;
    let seen = others
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|w| w["code"] == "recordings_low_space")
        .cloned()
        .expect("everyone sees it");
    assert!(
        seen.get("free_bytes").is_none(),
        "figures for recording.manage only"
    );
    app.finish().await;
}
both_apps!(storage, storage_card_and_low_space_warning);
