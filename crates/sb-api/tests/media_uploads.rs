//! Voice prompts and music on hold over the API: a WAV in any common format
//! is converted to 8 kHz mono, bad uploads are refused naming the problem,
//! names cannot reach outside the media folders, and the switch is told.

mod common;

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use common::{Auth, RawReply, TestApp};
use serde_json::json;

/// One second of a 440 Hz tone as a 16 kHz stereo 16-bit WAV.
fn wav_16k_stereo(seconds: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).expect("writer");
        for i in 0..16_000 * seconds {
            let t = i as f32 / 16_000.0;
            let sample = ((t * 440.0 * std::f32::consts::TAU).sin() * 8000.0) as i16;
            writer.write_sample(sample).expect("left");
            writer.write_sample(sample).expect("right");
        }
        writer.finalize().expect("finalize");
    }
    out.into_inner()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";

async fn upload(
    app: &TestApp,
    path: &str,
    body: Vec<u8>,
    content_type: &str,
    auth: &Auth,
) -> RawReply {
    app.send_bytes(
        Method::POST,
        path,
        body,
        &[("content-type", content_type)],
        auth,
    )
    .await
}

fn error_of(reply: &RawReply) -> (String, String) {
    let json = reply.json();
    (
        json["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Reads a stored WAV's format and length.
fn stored_format(bytes: &[u8]) -> (u16, u32, u32) {
    let reader = hound::WavReader::new(Cursor::new(bytes)).expect("a WAV");
    let spec = reader.spec();
    (spec.channels, spec.sample_rate, reader.duration())
}

async fn prompts_are_converted_and_bad_files_named(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let created = upload(
        &app,
        "/api/v1/prompts?name=welcome&description=Greeting",
        wav_16k_stereo(1),
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json());
    let prompt = created.json();
    assert_eq!(prompt["name"], "welcome");
    assert_eq!(prompt["description"], "Greeting");
    assert_eq!(prompt["duration_ms"], 1000);
    assert_eq!(prompt["created_by"], "admin");
    let id = prompt["id"].as_i64().expect("id");
    let stored = std::fs::read(app.media.prompts.join(format!("{id}.wav"))).expect("stored");
    assert_eq!(
        stored_format(&stored),
        (1, 8000, 8000),
        "8 kHz mono, one second"
    );
    assert_eq!(prompt["size_bytes"], stored.len());

    // Past axum's default 2 MB body limit, within ours.
    let long = upload(
        &app,
        "/api/v1/prompts?name=long",
        wav_16k_stereo(40),
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(long.status, StatusCode::CREATED, "{:?}", long.json());
    assert_eq!(long.json()["duration_ms"], 40_000);
    let long_id = long.json()["id"].as_i64().expect("id");
    let gone = app
        .delete(&format!("/api/v1/prompts/{long_id}"), &admin)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    let listed = app.get("/api/v1/prompts", &admin).await;
    assert_eq!(listed.body["total"], 1);
    let played = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/prompts/{id}/audio"),
            vec![],
            &[],
            &admin,
        )
        .await;
    assert_eq!(played.status, StatusCode::OK);
    assert_eq!(played.header("content-type"), "audio/wav");
    assert_eq!(played.body, stored);

    let again = upload(
        &app,
        "/api/v1/prompts?name=welcome",
        wav_16k_stereo(1),
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(error_of(&again).0, "name");

    let png = upload(
        &app,
        "/api/v1/prompts?name=picture",
        PNG.to_vec(),
        "application/octet-stream",
        &admin,
    )
    .await;
    assert_eq!(png.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (field, message) = error_of(&png);
    assert_eq!(field, "file");
    assert!(
        message.contains("not a WAV") && message.contains("PNG"),
        "{message}"
    );
    let mut truncated = wav_16k_stereo(1);
    truncated.truncate(30);
    let cut = upload(
        &app,
        "/api/v1/prompts?name=cut",
        truncated,
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(
        cut.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        cut.json()
    );
    assert_eq!(error_of(&cut).0, "file");
    let empty = upload(
        &app,
        "/api/v1/prompts?name=empty",
        vec![],
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = upload(
        &app,
        "/api/v1/prompts?name=json",
        b"{}".to_vec(),
        "application/json",
        &admin,
    )
    .await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = app
        .send_bytes(
            Method::POST,
            "/api/v1/prompts?name=huge",
            b"RIFF".to_vec(),
            &[
                ("content-type", "audio/wav"),
                ("content-length", "60000000"),
            ],
            &admin,
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let nameless = upload(
        &app,
        "/api/v1/prompts",
        wav_16k_stereo(1),
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&nameless).0, "name");
    assert_eq!(
        app.get("/api/v1/prompts", &admin).await.body["total"],
        1,
        "nothing stored from the refused uploads"
    );

    let renamed = app
        .put(
            &format!("/api/v1/prompts/{id}"),
            json!({"name": "greeting", "description": "Hello"}),
            &admin,
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "greeting");
    let deleted = app.delete(&format!("/api/v1/prompts/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(!app.media.prompts.join(format!("{id}.wav")).exists());
    assert_eq!(
        switch.events(),
        ["Prompts", "Prompts", "Prompts", "Prompts", "Prompts"],
        "told after each upload, rename and delete"
    );
    app.finish().await;
}
both_apps!(prompts, prompts_are_converted_and_bad_files_named);

async fn music_classes_are_folders_with_safe_names(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let empty = app.get("/api/v1/music-classes", &admin).await;
    assert_eq!(empty.status, StatusCode::OK, "{:?}", empty.body);
    assert_eq!(
        empty.body,
        json!([{"name": "default", "files": []}]),
        "default is always there"
    );

    let added = upload(
        &app,
        "/api/v1/music-classes/jazz/files?name=take-five.wav",
        wav_16k_stereo(2),
        "audio/x-wav",
        &admin,
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.json());
    assert_eq!(added.json()["name"], "take-five");
    assert_eq!(added.json()["duration_ms"], 2000);
    let on_disk = app.media.moh.join("jazz/take-five.wav");
    assert_eq!(
        stored_format(&std::fs::read(&on_disk).expect("file")),
        (1, 8000, 16_000)
    );
    let listed = app.get("/api/v1/music-classes", &admin).await;
    assert_eq!(listed.body[0]["name"], "default");
    assert_eq!(listed.body[1]["name"], "jazz");
    assert_eq!(listed.body[1]["files"][0]["name"], "take-five");
    assert_eq!(listed.body[1]["files"][0]["duration_ms"], 2000);
    let played = app
        .send_bytes(
            Method::GET,
            "/api/v1/music-classes/jazz/files/take-five/audio",
            vec![],
            &[("range", "bytes=0-43")],
            &admin,
        )
        .await;
    assert_eq!(played.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&played.body[..4], b"RIFF");

    let twice = upload(
        &app,
        "/api/v1/music-classes/jazz/files?name=take-five",
        wav_16k_stereo(1),
        "audio/wav",
        &admin,
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    for (path, field) in [
        ("/api/v1/music-classes/..%2F..%2Fetc/files?name=x", "class"),
        ("/api/v1/music-classes/jazz/files?name=..%2Fescape", "name"),
        ("/api/v1/music-classes/jazz/files?name=a.b", "name"),
        ("/api/v1/music-classes/a%20b/files?name=x", "class"),
        ("/api/v1/music-classes/jazz/files?name=", "name"),
    ] {
        let r = upload(&app, path, wav_16k_stereo(1), "audio/wav", &admin).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.json()
        );
        assert_eq!(error_of(&r).0, field, "{path}");
    }
    let sneaky = app
        .send_bytes(
            Method::GET,
            "/api/v1/music-classes/jazz/files/..%2F..%2Fprompts%2Fx/audio",
            vec![],
            &[],
            &admin,
        )
        .await;
    assert_eq!(sneaky.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = upload(
        &app,
        "/api/v1/music-classes/jazz/files?name=photo",
        PNG.to_vec(),
        "application/octet-stream",
        &admin,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&bad).1.contains("PNG"));

    let removed = app
        .delete("/api/v1/music-classes/jazz/files/take-five", &admin)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert!(!on_disk.exists());
    let after = app.get("/api/v1/music-classes", &admin).await;
    assert_eq!(
        after.body,
        json!([{"name": "default", "files": []}]),
        "a class goes with its last file"
    );
    let again = app
        .delete("/api/v1/music-classes/jazz/files/take-five", &admin)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(switch.events(), ["Music", "Music"]);
    let audit = app
        .store()
        .search_audit(
            &sb_store::AuditFilter {
                entity: Some("music_class".into()),
                ..Default::default()
            },
            sb_store::PageRequest::all(),
        )
        .await
        .expect("audit");
    let actions: Vec<_> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["music.delete", "music.upload"]);
    app.finish().await;
}
both_apps!(music, music_classes_are_folders_with_safe_names);
