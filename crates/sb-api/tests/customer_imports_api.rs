//! Customer import and export over the API: real .xlsx files made by
//! rust_xlsxwriter and hand-made CSV in UTF-8 and GBK; the mapping
//! suggested from the headers, the preview's cell problems, the background
//! job with its counts, a bad row reported while the good rows land,
//! duplicates merged or skipped, every kind of bad file refused with a 4xx,
//! the template, and the filtered export; on SQLite and PostgreSQL.

mod common;

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{Auth, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::{Value, json};

const CSV: (&str, &str) = ("content-type", "text/csv");

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in (0u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(row.iter()) {
            // Numbers typed as numbers, the way clerks enter phone numbers.
            match cell.parse::<f64>() {
                Ok(n) if !cell.starts_with('0') && cell.len() < 15 => {
                    sheet.write_number(r, c, n).expect("number")
                }
                _ => sheet.write_string(r, c, *cell).expect("string"),
            };
        }
    }
    book.save_to_buffer().expect("xlsx")
}

fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let range = book.worksheet_range_at(0).expect("sheet").expect("range");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn upload(app: &TestApp, auth: &Auth, name: &str, bytes: Vec<u8>) -> common::RawReply {
    app.send_bytes(
        Method::POST,
        &format!("/api/v1/customer-imports?file_name={}", urlencode(name)),
        bytes,
        &[CSV],
        auth,
    )
    .await
}

async fn uploaded(app: &TestApp, auth: &Auth, name: &str, bytes: Vec<u8>) -> Value {
    let reply = upload(app, auth, name, bytes).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    reply.json()
}

/// Starts job `id` and waits for it to end.
async fn run(app: &TestApp, auth: &Auth, id: i64) -> Value {
    let started = app
        .post(
            &format!("/api/v1/customer-imports/{id}/start"),
            json!({}),
            auth,
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    for _ in 0..400 {
        let job = app
            .get(&format!("/api/v1/customer-imports/{id}"), auth)
            .await;
        if !["pending", "running"].contains(&job.body["status"].as_str().unwrap_or("")) {
            return job.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("import {id} did not finish");
}

fn counts(job: &Value) -> [i64; 5] {
    ["processed_rows", "inserted", "merged", "skipped", "failed"]
        .map(|k| job[k].as_i64().unwrap_or(-1))
}

async fn find(app: &TestApp, auth: &Auth, q: &str) -> Value {
    let found = app
        .get(&format!("/api/v1/customers?q={}", urlencode(q)), auth)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    found.body
}

async fn xlsx_rows_land_and_a_bad_row_is_reported(app: TestApp) {
    let admin = app.admin().await;
    let field = app
        .post(
            "/api/v1/customer-fields",
            json!({"key": "member_no", "label": "会员号", "kind": "text"}),
            &admin,
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{:?}", field.body);
    let file = xlsx(&[
        &["客户姓名", "手机号码", "身份证号码", "会员号", "微信"],
        &["张三", "13512345678", "11010519491231002x", "M-001", "zs"],
        &["李四", "12ab", "", "M-002", ""],
        &["王五", "0571-88888888; 13711112222", "", "", "ww"],
    ]);
    let draft = uploaded(&app, &admin, "客户.xlsx", file).await;
    assert_eq!(draft["file_kind"], "xlsx");
    assert_eq!(draft["total_rows"], 3);
    assert_eq!(
        draft["settings"]["mapping"],
        json!(["name", "phone", "id_card", "custom.member_no", null]),
        "suggested from the headers, the custom field by its label"
    );
    assert_eq!(draft["missing_fields"], json!([]));
    let preview = &draft["preview"];
    assert_eq!(preview[0]["problems"], json!([]));
    assert_eq!(preview[1]["row"], 3);
    assert_eq!(preview[1]["problems"][0]["column"], 1, "{preview}");
    assert_eq!(preview[1]["problems"][0]["column_name"], "手机号码 (B)");
    let id = draft["job"]["id"].as_i64().expect("id");

    let job = run(&app, &admin, id).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(counts(&job), [3, 2, 0, 0, 1]);
    assert_eq!(job["has_error_report"], true);

    let zhang = find(&app, &admin, "13512345678").await;
    assert_eq!(zhang["items"][0]["name"], "张三");
    assert_eq!(zhang["items"][0]["custom_fields"]["member_no"], "M-001");
    assert_eq!(zhang["items"][0]["gender"], "female", "from the ID card");
    let wang = find(&app, &admin, "057188888888").await;
    assert_eq!(
        wang["items"][0]["phones"].as_array().map(Vec::len),
        Some(2),
        "two numbers in one cell"
    );
    assert_eq!(find(&app, &admin, "李四").await["total"], 0);

    let report = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/customer-imports/{id}/errors?format=csv"),
            Vec::new(),
            &[],
            &admin,
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.header("content-type").starts_with("text/csv"));
    let text = String::from_utf8_lossy(&report.body).into_owned();
    assert!(text.contains("row,column,value,message"), "{text}");
    assert!(
        text.contains("3,手机号码 (B),12ab,phones[0].number"),
        "{text}"
    );
    let report = app
        .send_bytes(
            Method::GET,
            &format!("/api/v1/customer-imports/{id}/errors"),
            Vec::new(),
            &[],
            &admin,
        )
        .await;
    let rows = read_xlsx(&report.body);
    assert_eq!(rows[0], ["row", "column", "value", "message"]);
    assert_eq!(rows[1][0], "3");
    assert_eq!(rows[1][2], "12ab");

    let jobs = app.get("/api/v1/customer-imports", &admin).await;
    assert_eq!(jobs.body["items"][0]["id"], id);
    app.finish().await;
}
both_apps!(xlsx_import, xlsx_rows_land_and_a_bad_row_is_reported);

async fn csv_in_utf8_and_gbk_with_duplicates(app: TestApp) {
    let admin = app.admin().await;
    let existing = app
        .post(
            "/api/v1/customers",
            json!({"name": "张三", "phones": [{"number": "13822223333"}], "notes": "老客户"}),
            &admin,
        )
        .await;
    assert_eq!(existing.status, StatusCode::CREATED, "{:?}", existing.body);
    let zhang_id = existing.body["id"].as_i64().expect("id");

    // GBK, as Excel on Chinese Windows saves CSV.
    let text = "姓名,电话,级别\r\n张三丰,138 2222 3333,VIP\r\n李四,13933334444,\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let draft = uploaded(&app, &admin, "list.csv", gbk.to_vec()).await;
    assert_eq!(draft["encoding_used"], "gbk");
    assert_eq!(draft["columns"], json!(["姓名", "电话", "级别"]));
    let id = draft["job"]["id"].as_i64().expect("id");
    let skip = app
        .put(
            &format!("/api/v1/customer-imports/{id}/settings"),
            json!({"duplicates": "skip"}),
            &admin,
        )
        .await;
    assert_eq!(skip.status, StatusCode::OK, "{:?}", skip.body);
    assert_eq!(skip.body["settings"]["duplicates"], "skip");
    let job = run(&app, &admin, id).await;
    assert_eq!(counts(&job), [2, 1, 0, 1, 0], "{job}");
    let zhang = app
        .get(&format!("/api/v1/customers/{zhang_id}"), &admin)
        .await;
    assert_eq!(zhang.body["name"], "张三", "skipped: left as it was");

    // The same rows in UTF-8 with a BOM, merged this time; the file also
    // repeats a new number, which merges into the row before it.
    let text = "\u{feff}姓名,电话,级别,邮箱\n张三丰,+86 138-2222-3333,VIP,zsf@example.com\n\
                赵六,13600136000,,\n赵六,13600136000,,zl@example.com\n";
    let draft = uploaded(&app, &admin, "list.csv", text.as_bytes().to_vec()).await;
    assert_eq!(draft["encoding_used"], "utf-8");
    let id = draft["job"]["id"].as_i64().expect("id");
    let job = run(&app, &admin, id).await;
    assert_eq!(counts(&job), [3, 1, 2, 0, 0], "{job}");
    let zhang = app
        .get(&format!("/api/v1/customers/{zhang_id}"), &admin)
        .await;
    assert_eq!(zhang.body["name"], "张三丰", "merged");
    assert_eq!(zhang.body["level"], "vip");
    assert_eq!(zhang.body["notes"], "老客户", "what the row lacks stays");
    assert_eq!(zhang.body["emails"][0]["email"], "zsf@example.com");
    assert_eq!(zhang.body["phones"].as_array().map(Vec::len), Some(1));
    let zhao = find(&app, &admin, "13600136000").await;
    assert_eq!(zhao["total"], 1);
    assert_eq!(zhao["items"][0]["emails"][0]["email"], "zl@example.com");

    // A GBK file read as UTF-8 on request is refused; auto reads it again.
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名,电话\n钱七,13500135000\n");
    let forced = app
        .send_bytes(
            Method::POST,
            "/api/v1/customer-imports?file_name=x.csv&encoding=utf8",
            gbk.to_vec(),
            &[CSV],
            &admin,
        )
        .await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        forced.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not valid UTF-8")
    );
    let draft = uploaded(&app, &admin, "x.csv", gbk.to_vec()).await;
    let id = draft["job"]["id"].as_i64().expect("id");
    let as_utf8 = app
        .put(
            &format!("/api/v1/customer-imports/{id}/settings"),
            json!({"encoding": "utf8"}),
            &admin,
        )
        .await;
    assert_eq!(as_utf8.status, StatusCode::UNPROCESSABLE_ENTITY);
    let as_gbk = app
        .put(
            &format!("/api/v1/customer-imports/{id}/settings"),
            json!({"encoding": "gbk"}),
            &admin,
        )
        .await;
    assert_eq!(as_gbk.status, StatusCode::OK, "{:?}", as_gbk.body);
    assert_eq!(as_gbk.body["preview"][0]["cells"][0], "钱七");
    app.finish().await;
}
both_apps!(csv_import, csv_in_utf8_and_gbk_with_duplicates);

async fn bad_files_and_bad_steps_get_a_clear_4xx(app: TestApp) {
    let admin = app.admin().await;
    let field = |reply: &common::RawReply| {
        reply.json()["error"]["field"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let message = |reply: &common::RawReply| {
        reply.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let empty = upload(&app, &admin, "a.csv", Vec::new()).await;
    assert_eq!(
        (empty.status, field(&empty)),
        (StatusCode::UNPROCESSABLE_ENTITY, "file".into())
    );
    let picture = upload(&app, &admin, "a.png", b"\x89PNG\r\n\x1a\n\0\0".to_vec()).await;
    assert_eq!(picture.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&picture).contains("not a spreadsheet"));
    let fake = upload(&app, &admin, "a.xlsx", b"name\nx\n".to_vec()).await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    let broken = upload(&app, &admin, "a.xlsx", b"PK\x03\x04broken".to_vec()).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let header_only = upload(&app, &admin, "a.xlsx", xlsx(&[&["姓名", "电话"]])).await;
    assert_eq!(header_only.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&header_only).contains("no data rows"));
    let latin = upload(&app, &admin, "a.csv", b"name\n\xff\xfe\xff\n".to_vec()).await;
    assert_eq!(latin.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = upload(&app, &admin, "a.csv", vec![b'a'; 20 * 1024 * 1024 + 1]).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&huge).contains("20 MB"), "{}", message(&huge));
    let no_name = app
        .send_bytes(
            Method::POST,
            "/api/v1/customer-imports",
            b"a\n1\n".to_vec(),
            &[CSV],
            &admin,
        )
        .await;
    assert_eq!(
        no_name.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        no_name.json()
    );
    let listed = app.get("/api/v1/customer-imports", &admin).await;
    assert_eq!(listed.body["total"], 0, "no job for a refused file");

    // Unknown columns are skipped; a mapping naming no field is refused.
    let draft = uploaded(
        &app,
        &admin,
        "b.csv",
        "颜色,尺码\n红,L\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(draft["settings"]["mapping"], json!([null, null]));
    assert_eq!(draft["missing_fields"], json!(["name"]));
    let id = draft["job"]["id"].as_i64().expect("id");
    let path = format!("/api/v1/customer-imports/{id}/settings");
    let unknown = app
        .put(&path, json!({"mapping": ["name", "colour"]}), &admin)
        .await;
    assert_eq!(
        (unknown.status, unknown.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "mapping[1]")
    );
    let short = app.put(&path, json!({"mapping": ["name"]}), &admin).await;
    assert_eq!(short.field(), "mapping");
    let twice = app
        .put(&path, json!({"mapping": ["name", "name"]}), &admin)
        .await;
    assert_eq!(twice.field(), "mapping[1]");
    let start = format!("/api/v1/customer-imports/{id}/start");
    let unmapped = app.post(&start, json!({}), &admin).await;
    assert_eq!(
        (unmapped.status, unmapped.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "mapping")
    );
    let mapped = app
        .put(&path, json!({"mapping": ["name", null]}), &admin)
        .await;
    assert_eq!(mapped.status, StatusCode::OK);
    assert_eq!(mapped.body["missing_fields"], json!([]));
    let job = run(&app, &admin, id).await;
    assert_eq!(counts(&job), [1, 1, 0, 0, 0]);
    let again = app.post(&start, json!({}), &admin).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already done")
    );
    let late = app.put(&path, json!({"duplicates": "skip"}), &admin).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let cancel = format!("/api/v1/customer-imports/{id}/cancel");
    assert_eq!(
        app.post(&cancel, json!({}), &admin).await.status,
        StatusCode::CONFLICT
    );

    // A job not started can be cancelled, and then not started.
    let draft = uploaded(&app, &admin, "c.csv", "姓名\n孙八\n".as_bytes().to_vec()).await;
    let id = draft["job"]["id"].as_i64().expect("id");
    let cancelled = app
        .post(
            &format!("/api/v1/customer-imports/{id}/cancel"),
            json!({}),
            &admin,
        )
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let start = app
        .post(
            &format!("/api/v1/customer-imports/{id}/start"),
            json!({}),
            &admin,
        )
        .await;
    assert_eq!(start.status, StatusCode::CONFLICT);

    // Without customer.import nothing of it; others' jobs are not found.
    let agent = app
        .user_with(
            "A1",
            &[Permission::CustomerRead, Permission::CustomerImport],
            DataScope::Own,
            None,
        )
        .await;
    let agent = app.token_for(agent).await;
    let hidden = app
        .get(&format!("/api/v1/customer-imports/{id}"), &agent)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let reader = app
        .user_with("R1", &[Permission::CustomerRead], DataScope::All, None)
        .await;
    let reader = app.token_for(reader).await;
    let refused = upload(&app, &reader, "c.csv", "姓名\n孙八\n".as_bytes().to_vec()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
both_apps!(bad_files, bad_files_and_bad_steps_get_a_clear_4xx);

async fn export_follows_the_search_filters(app: TestApp) {
    let admin = app.admin().await;
    for (name, level, phone) in [
        ("甲", "vip", "13100131000"),
        ("乙", "normal", "13200132000"),
        ("丙", "vip", "13300133000"),
    ] {
        let created = app
            .post(
                "/api/v1/customers",
                json!({"name": name, "level": level, "phones": [{"number": phone}]}),
                &admin,
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    }
    let get = |path: String| {
        let app = &app;
        let admin = &admin;
        async move {
            app.send_bytes(Method::GET, &path, Vec::new(), &[], admin)
                .await
        }
    };
    let csv = get("/api/v1/customers/export?format=csv&level=vip".into()).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-disposition")
            .contains("attachment; filename=\"customers-")
    );
    let text = String::from_utf8_lossy(&csv.body).into_owned();
    assert!(
        text.starts_with("\u{feff}编号 ID,姓名 Name,电话 Phone"),
        "{text}"
    );
    let vip = app.get("/api/v1/customers?level=vip", &admin).await;
    let vips = vip.body["total"].as_u64().expect("total") as usize;
    assert!(vips >= 2);
    assert_eq!(text.lines().count(), vips + 1, "{text}");
    assert!(text.contains("13100131000") && !text.contains("乙"));
    let book = get("/api/v1/customers/export?level=vip".into()).await;
    assert!(book.header("content-type").contains("spreadsheetml"));
    let rows = read_xlsx(&book.body);
    assert_eq!(rows.len(), vips + 1);
    assert_eq!(rows[0][1], "姓名 Name");
    let bad = get("/api/v1/customers/export?format=pdf".into()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An export imports back: every row merges by its number.
    let draft = uploaded(&app, &admin, "back.xlsx", book.body.clone()).await;
    let id = draft["job"]["id"].as_i64().expect("id");
    let job = run(&app, &admin, id).await;
    let n = vips as i64;
    assert_eq!(counts(&job), [n, 0, n, 0, 0], "{job}");

    let template = get("/api/v1/customer-imports/template".into()).await;
    assert_eq!(template.status, StatusCode::OK);
    let rows = read_xlsx(&template.body);
    assert_eq!(rows[0][0], "姓名 Name");
    assert_eq!(rows[1][0], "张三");

    let reader = app
        .user_with("R2", &[Permission::CustomerRead], DataScope::All, None)
        .await;
    let reader = app.token_for(reader).await;
    let refused = app
        .send_bytes(
            Method::GET,
            "/api/v1/customers/export",
            Vec::new(),
            &[],
            &reader,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
both_apps!(export, export_follows_the_search_filters);

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
