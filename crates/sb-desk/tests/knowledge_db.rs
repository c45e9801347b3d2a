//! The knowledge base through the desk on SQLite and PostgreSQL: the
//! demo's Chinese article found by one of its words, an English search,
//! drafts invisible to agents, the review journey with its 409s, the index
//! kept in step with publish and unpublish, versions, the search log and
//! study progress.

use std::sync::Arc;

use sb_core::StaffId;
use sb_desk::DeskError;
use sb_desk::knowledge::{
    KbActor, KbCommand, KbStepRequest, KnowledgeDesk, KnowledgeIndex, SearchRequest,
};
use sb_store::testing::t0;
use sb_store::{Actor, KbContent, Store, StoreError, both_backends};
use time::Duration;

struct People {
    author: (Actor, KbActor),
    reviewer: (Actor, KbActor),
}

async fn people(store: &Store) -> People {
    store
        .seed_first_start(t0(), "not-a-real-hash", sb_store::DEFAULT_SIP_REALM, true)
        .await
        .expect("seed");
    let who = |employee_id: &'static str, may_review: bool| async move {
        let staff = store
            .staff_by_employee_id(employee_id)
            .await
            .expect("demo staff");
        (
            Actor {
                id: Some(StaffId(staff.id)),
                employee_id: employee_id.into(),
                name: staff.name.clone(),
                ip: String::new(),
            },
            KbActor {
                staff_id: staff.id,
                may_review,
            },
        )
    };
    People {
        author: who("1002", false).await,
        reviewer: who("1001", true).await,
    }
}

fn search_for(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        category_ids: None,
        offset: 0,
        limit: 10,
    }
}

async fn desk_for(store: &Store) -> KnowledgeDesk {
    let desk = KnowledgeDesk::new(
        store.clone(),
        Arc::new(KnowledgeIndex::in_memory().expect("index")),
    );
    desk.rebuild().await.expect("rebuild");
    desk
}

async fn the_demo_is_searchable(store: Store) {
    people(&store).await;
    let desk = desk_for(&store).await;
    let found = desk
        .search(t0(), None, search_for("保养"))
        .await
        .expect("search");
    let titles: Vec<&str> = found.hits.iter().map(|h| h.title.as_str()).collect();
    assert!(titles.contains(&"发动机保养指南"), "{titles:?}");
    assert!(
        found.hits[0].snippet_html.contains("<b>保养</b>"),
        "{:?}",
        found.hits[0]
    );
    let found = desk
        .search(t0(), None, search_for("password"))
        .await
        .expect("search");
    assert_eq!(found.hits.len(), 1);
    assert_eq!(
        found.hits[0].title,
        "Resetting a customer's account password"
    );
    // A category filter takes the categories below it too.
    let products = store
        .kb_categories()
        .await
        .expect("categories")
        .into_iter()
        .find(|c| c.name.starts_with("产品知识"))
        .expect("products");
    let below = store
        .kb_category_and_below(products.id)
        .await
        .expect("below");
    let mut request = search_for("保养");
    request.category_ids = Some(below);
    assert!(
        desk.search(t0(), None, request)
            .await
            .expect("search")
            .total
            >= 1
    );
    let mut request = search_for("password");
    request.category_ids = Some(vec![products.id]);
    assert_eq!(
        desk.search(t0(), None, request)
            .await
            .expect("search")
            .total,
        0
    );
}
both_backends!(the_demo_is_searchable_test, the_demo_is_searchable);

async fn write_review_publish_unpublish(store: Store) {
    let p = people(&store).await;
    let desk = desk_for(&store).await;
    let category = store.kb_categories().await.expect("categories")[0].id;
    let content = |title: &str, body: &str| KbContent {
        category_id: category,
        kind: "article".into(),
        title: title.into(),
        body: body.into(),
        position: 0,
    };
    let (author, author_kb) = &p.author;
    let (reviewer, reviewer_kb) = &p.reviewer;
    let draft = desk
        .create(
            t0(),
            author,
            content(
                "变速箱油更换",
                "<p>变速箱油每 6 万公里更换<script>x()</script></p>",
            ),
        )
        .await
        .expect("create");
    assert_eq!(draft.state, "draft");
    assert!(!draft.body.contains("script"));
    // Drafts are invisible to agents: not in search, not readable.
    let search = |q: &str| desk.search(t0(), None, search_for(q));
    assert_eq!(search("变速箱").await.expect("search").total, 0);
    assert!(matches!(
        store.kb_published(draft.id).await,
        Err(StoreError::NotFound { .. })
    ));
    // Publishing a draft that was never submitted is refused, naming the state.
    let refused = desk
        .step(
            t0(),
            reviewer,
            *reviewer_kb,
            draft.id,
            KbStepRequest::bare(KbCommand::Publish),
        )
        .await;
    match refused {
        Err(DeskError::Illegal(e)) => assert!(e.to_string().contains("draft"), "{e}"),
        other => panic!("expected an illegal transition, got {other:?}"),
    }
    let step = |actor: &Actor, kb: KbActor, command: KbCommand, note: Option<&str>| {
        let actor = actor.clone();
        let note = note.map(str::to_owned);
        let desk = desk.clone();
        let id = draft.id;
        async move {
            desk.step(
                t0(),
                &actor,
                kb,
                id,
                KbStepRequest {
                    command,
                    content: None,
                    note,
                },
            )
            .await
        }
    };
    step(author, *author_kb, KbCommand::Submit, None)
        .await
        .expect("submit");
    let back = step(
        reviewer,
        *reviewer_kb,
        KbCommand::SendBack,
        Some("写清楚车型"),
    )
    .await
    .expect("send back");
    assert_eq!(
        (back.state.as_str(), back.review_note.as_str()),
        ("draft", "写清楚车型")
    );
    let edited = desk
        .step(
            t0(),
            author,
            *author_kb,
            draft.id,
            KbStepRequest {
                command: KbCommand::Edit,
                content: Some(content(
                    "变速箱油更换（自动挡）",
                    "<p>自动变速箱油每 6 万公里更换</p>",
                )),
                note: None,
            },
        )
        .await
        .expect("edit");
    assert_eq!(edited.version, 2);
    step(author, *author_kb, KbCommand::Submit, None)
        .await
        .expect("submit again");
    let published = step(reviewer, *reviewer_kb, KbCommand::Publish, None)
        .await
        .expect("publish");
    assert_eq!(
        (published.state.as_str(), published.published_version),
        ("published", Some(2))
    );
    assert_eq!(published.review_note, "");
    let found = search("变速箱").await.expect("search");
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].article_id, draft.id);
    // A new draft of a published article leaves the published text readable.
    desk.step(
        t0(),
        author,
        *author_kb,
        draft.id,
        KbStepRequest {
            command: KbCommand::Edit,
            content: Some(content("变速箱油更换 v3", "<p>草稿</p>")),
            note: None,
        },
    )
    .await
    .expect("edit published");
    let readable = store.kb_published(draft.id).await.expect("published");
    assert_eq!(readable.title, "变速箱油更换（自动挡）");
    assert_eq!(search("变速箱").await.expect("search").total, 1);
    // Unpublishing removes it from search and from agents.
    step(reviewer, *reviewer_kb, KbCommand::Unpublish, None)
        .await
        .expect("unpublish");
    assert_eq!(search("变速箱").await.expect("search").total, 0);
    assert!(store.kb_published(draft.id).await.is_err());
    let history: Vec<String> = store
        .kb_article_steps(draft.id)
        .await
        .expect("steps")
        .into_iter()
        .map(|s| s.step)
        .collect();
    assert_eq!(
        history,
        [
            "create",
            "submit",
            "send_back",
            "edit",
            "submit",
            "publish",
            "edit",
            "unpublish"
        ]
    );
    // The search log keeps what found nothing.
    let missed = store
        .kb_missed_searches(t0() - Duration::days(1), 10)
        .await
        .expect("missed");
    assert_eq!(missed[0].query, "变速箱");
    let stats = store
        .kb_stats(t0() - Duration::days(1))
        .await
        .expect("stats");
    assert!(
        stats
            .authors
            .iter()
            .any(|a| a.author_name == author.name && a.submitted == 2)
    );
}
both_backends!(
    write_review_publish_unpublish_test,
    write_review_publish_unpublish
);

async fn a_step_on_a_stale_article_is_refused(store: Store) {
    let p = people(&store).await;
    let (author, _) = &p.author;
    let category = store.kb_categories().await.expect("categories")[0].id;
    let draft = store
        .create_kb_article(
            t0(),
            author,
            &KbContent {
                category_id: category,
                kind: "faq".into(),
                title: "Q".into(),
                body: "A".into(),
                position: 0,
            },
        )
        .await
        .expect("create");
    let stale = sb_store::KbStep {
        article_id: draft.id,
        step: "submit",
        from_state: "draft".into(),
        expected_version: draft.version + 1,
        to_state: "in_review".into(),
        content: None,
        publishing: sb_store::KbPublishing::Keep,
        note: String::new(),
        review_note: None,
    };
    assert!(matches!(
        store.apply_kb_step(t0(), author, &stale).await,
        Err(StoreError::Conflict { .. })
    ));
}
both_backends!(stale_step_test, a_step_on_a_stale_article_is_refused);

async fn study_progress_is_per_person(store: Store) {
    let p = people(&store).await;
    let categories = store.kb_categories().await.expect("categories");
    let car_care = categories
        .iter()
        .find(|c| c.name.starts_with("汽车保养"))
        .expect("car care");
    let (author, _) = &p.author;
    let (reviewer, _) = &p.reviewer;
    let author_id = author.id.expect("id").0;
    let list = store
        .kb_study(author_id, &[car_care.id])
        .await
        .expect("study");
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].title, "发动机保养指南");
    assert!(list.iter().all(|i| i.read_at.is_none()));
    store
        .mark_kb_read(t0(), author_id, list[0].article_id)
        .await
        .expect("read");
    store
        .mark_kb_read(t0(), author_id, list[0].article_id)
        .await
        .expect("read twice");
    let list = store
        .kb_study(author_id, &[car_care.id])
        .await
        .expect("study");
    assert_eq!(list.iter().filter(|i| i.read_at.is_some()).count(), 1);
    let theirs = store
        .kb_study(reviewer.id.expect("id").0, &[car_care.id])
        .await
        .expect("study");
    assert!(theirs.iter().all(|i| i.read_at.is_none()));
}
both_backends!(study_progress_test, study_progress_is_per_person);
