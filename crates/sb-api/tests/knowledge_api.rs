//! The knowledge base over HTTP on both backends: Chinese and English
//! search with highlights, drafts invisible to agents, the review journey
//! with 409s naming the state, unpublish removing from search, fields named
//! on bad input, images sniffed by their bytes, study progress and the
//! statistics.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp};
use sb_core::{DataScope, Permission};
use serde_json::{Value, json};

struct People {
    agent: Auth,
    writer: Auth,
    other_writer: Auth,
    reviewer: Auth,
    manager: Auth,
}

async fn people(app: &TestApp) -> People {
    let dept = Some(app.department_id("001-01-01").await);
    let read = Permission::KnowledgeRead;
    let write = Permission::KnowledgeWrite;
    app.user_with("agent", &[read], DataScope::Department, dept)
        .await;
    app.user_with("writer", &[read, write], DataScope::Department, dept)
        .await;
    app.user_with("writer2", &[read, write], DataScope::Department, dept)
        .await;
    app.user_with(
        "reviewer",
        &[read, write, Permission::KnowledgeReview],
        DataScope::All,
        dept,
    )
    .await;
    app.user_with(
        "manager",
        &[read, Permission::KnowledgeManage],
        DataScope::All,
        dept,
    )
    .await;
    People {
        agent: app.login("agent", PASSWORD).await,
        writer: app.login("writer", PASSWORD).await,
        other_writer: app.login("writer2", PASSWORD).await,
        reviewer: app.login("reviewer", PASSWORD).await,
        manager: app.login("manager", PASSWORD).await,
    }
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn search(app: &TestApp, who: &Auth, q: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/knowledge/search?q={}", encode(q)), who)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn first_category(app: &TestApp, who: &Auth) -> i64 {
    let r = app.get("/api/v1/knowledge/categories", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body[0]["id"].as_i64().expect("category")
}

async fn search_and_read(app: TestApp) {
    let p = people(&app).await;
    let found = search(&app, &p.agent, "保养").await;
    assert!(found["total"].as_u64().expect("total") >= 1, "{found:?}");
    assert_eq!(found["hits"][0]["title"], "发动机保养指南");
    assert!(
        found["hits"][0]["snippet_html"]
            .as_str()
            .expect("snippet")
            .contains("<b>保养</b>"),
        "{found:?}"
    );
    let found = search(&app, &p.agent, "password").await;
    assert_eq!(found["total"], 1);
    let id = found["hits"][0]["article_id"].as_i64().expect("id");
    let article = app
        .get(&format!("/api/v1/knowledge/articles/{id}"), &p.agent)
        .await;
    assert_eq!(article.status, StatusCode::OK);
    assert_eq!(article.body["view_count"], 1);
    // Searching needs knowledge.read; bad input names the field.
    let r = app.get("/api/v1/knowledge/search?q=x", &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/knowledge/search", &p.agent).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "q")
    );
    let r = app
        .get("/api/v1/knowledge/search?q=x&category_id=99999", &p.agent)
        .await;
    assert_eq!(r.field(), "category_id");
    // A search that finds nothing is there for editors to see.
    search(&app, &p.agent, "蓄电池").await;
    let stats = app.get("/api/v1/knowledge/stats", &p.reviewer).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    assert_eq!(stats.body["missed_searches"][0]["query"], "蓄电池");
    let r = app.get("/api/v1/knowledge/stats", &p.agent).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
both_apps!(search_and_read_test, search_and_read);

async fn write_review_publish(app: TestApp) {
    let p = people(&app).await;
    let category = first_category(&app, &p.writer).await;
    // Fields are named.
    let r = app
        .post("/api/v1/knowledge/drafts", json!({"title": "x"}), &p.writer)
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "category_id"),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            "/api/v1/knowledge/drafts",
            json!({"category_id": category, "title": "  "}),
            &p.writer,
        )
        .await;
    assert_eq!(r.field(), "title", "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/knowledge/drafts",
            json!({"category_id": category, "title": "t", "kind": "memo"}),
            &p.writer,
        )
        .await;
    assert_eq!(r.field(), "kind", "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/knowledge/drafts",
            json!({"category_id": 99999, "title": "t"}),
            &p.writer,
        )
        .await;
    assert_eq!(r.field(), "category_id", "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/knowledge/drafts",
            json!({"category_id": category, "title": "Brake fluid", "kind": "article",
                   "body": "<p onclick='x()'>Replace brake fluid every two years.</p>"}),
            &p.agent,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let created = app
        .post(
            "/api/v1/knowledge/drafts",
            json!({"category_id": category, "title": "Brake fluid", "kind": "article",
                   "body": "<p onclick='x()'>Replace brake fluid every two years.</p>"}),
            &p.writer,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert!(
        !created.body["body"]
            .as_str()
            .expect("body")
            .contains("onclick")
    );
    let id = created.body["id"].as_i64().expect("id");
    let path = format!("/api/v1/knowledge/drafts/{id}");
    // Drafts: invisible to agents and to other writers, seen by reviewers.
    assert_eq!(search(&app, &p.agent, "brake").await["total"], 0);
    let r = app
        .get(&format!("/api/v1/knowledge/articles/{id}"), &p.agent)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&path, &p.other_writer).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = app.get("/api/v1/knowledge/drafts", &p.other_writer).await;
    assert_eq!(mine.body["total"], 0);
    let r = app.get(&path, &p.reviewer).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["actions"], json!(["edit", "submit"]));
    // Review steps the state does not allow are 409 naming the state.
    let review = |action: &str, note: Option<&str>| json!({"action": action, "note": note});
    let r = app
        .post(
            &format!("{path}/review"),
            review("publish", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("draft")
    );
    let r = app
        .post(
            &format!("{path}/review"),
            review("approve", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.field(), "action");
    let r = app
        .post(&format!("{path}/submit"), json!({}), &p.writer)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["article"]["state"], "in_review");
    let r = app
        .put(
            &path,
            json!({"category_id": category, "title": "Brake fluid!"}),
            &p.writer,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("in_review")
    );
    let r = app
        .post(
            &format!("{path}/review"),
            review("publish", None),
            &p.writer,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("{path}/review"),
            review("send_back", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "note"),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            &format!("{path}/review"),
            review("send_back", Some("Say which models")),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.body["article"]["review_note"], "Say which models");
    let r = app
        .put(
            &path,
            json!({"category_id": category, "title": "Brake fluid (all models)",
                   "body": "<p>Replace brake fluid every two years on all models.</p>"}),
            &p.writer,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["article"]["version"], 2);
    app.post(&format!("{path}/submit"), json!({}), &p.writer)
        .await;
    let r = app
        .post(
            &format!("{path}/review"),
            review("publish", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["article"]["published_version"], 2);
    let found = search(&app, &p.agent, "brake fluid").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["article_id"], id);
    // Unpublish removes it from search; a second unpublish is 409.
    let r = app
        .post(
            &format!("{path}/review"),
            review("unpublish", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(search(&app, &p.agent, "brake").await["total"], 0);
    let r = app
        .post(
            &format!("{path}/review"),
            review("unpublish", None),
            &p.reviewer,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let history = app.get(&path, &p.writer).await;
    assert_eq!(
        history.body["history"].as_array().expect("history").len(),
        7
    );
    app.finish().await;
}
both_apps!(write_review_publish_test, write_review_publish);

async fn categories_images_and_study(app: TestApp) {
    let p = people(&app).await;
    let r = app
        .post(
            "/api/v1/knowledge/categories",
            json!({"name": ""}),
            &p.manager,
        )
        .await;
    assert_eq!(r.field(), "name");
    let r = app
        .post(
            "/api/v1/knowledge/categories",
            json!({"name": "x"}),
            &p.writer,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let parent = app
        .post(
            "/api/v1/knowledge/categories",
            json!({"name": "新人培训"}),
            &p.manager,
        )
        .await;
    assert_eq!(parent.status, StatusCode::CREATED, "{:?}", parent.body);
    let parent_id = parent.body["id"].as_i64().expect("id");
    let child = app
        .post(
            "/api/v1/knowledge/categories",
            json!({"name": "第一周", "parent_id": parent_id}),
            &p.manager,
        )
        .await;
    let child_id = child.body["id"].as_i64().expect("id");
    let r = app
        .put(
            &format!("/api/v1/knowledge/categories/{parent_id}"),
            json!({"name": "新人培训", "parent_id": child_id}),
            &p.manager,
        )
        .await;
    assert_eq!(r.field(), "parent_id", "{:?}", r.body);
    let r = app
        .delete(
            &format!("/api/v1/knowledge/categories/{parent_id}"),
            &p.manager,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Images: the bytes decide the type.
    let png = b"\x89PNG\r\n\x1a\nrest-of-a-png".to_vec();
    let up = app
        .send_bytes(
            Method::POST,
            "/api/v1/knowledge/images",
            png.clone(),
            &[("content-type", "application/octet-stream")],
            &p.writer,
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.json());
    let url = up.json()["url"].as_str().expect("url").to_owned();
    let down = app
        .send_bytes(Method::GET, &url, vec![], &[], &p.agent)
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(down.header("content-type"), "image/png");
    assert_eq!(down.body, png);
    let bad = app
        .send_bytes(
            Method::POST,
            "/api/v1/knowledge/images",
            b"<svg onload=x>".to_vec(),
            &[("content-type", "image/png")],
            &p.writer,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "file");
    // Study: a category and those below it, in order, read per person.
    let categories = app.get("/api/v1/knowledge/categories", &p.agent).await;
    let products = categories
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|c| {
            c["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("产品知识"))
        })
        .expect("products")["id"]
        .as_i64()
        .expect("id");
    let study = app
        .get(
            &format!("/api/v1/knowledge/study?category_id={products}"),
            &p.agent,
        )
        .await;
    assert_eq!(study.status, StatusCode::OK, "{:?}", study.body);
    assert_eq!(
        (study.body["total"].as_u64(), study.body["read"].as_u64()),
        (Some(3), Some(0))
    );
    let first = study.body["items"][0]["article_id"].as_i64().expect("id");
    let r = app
        .post(
            &format!("/api/v1/knowledge/study/{first}/read"),
            json!({}),
            &p.agent,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let study = app
        .get(
            &format!("/api/v1/knowledge/study?category_id={products}"),
            &p.agent,
        )
        .await;
    assert_eq!(study.body["read"], 1);
    let r = app.get("/api/v1/knowledge/study", &p.agent).await;
    assert_eq!(r.field(), "category_id");
    app.finish().await;
}
both_apps!(
    categories_images_and_study_test,
    categories_images_and_study
);
