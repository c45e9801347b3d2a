//! Recordings (search by every filter and their combinations, paging, data
//! scope, the storage task's work lists), voice prompts, and the
//! record-calls switch on extensions and trunks, on SQLite and PostgreSQL.

mod support;

use sb_store::both_backends;
use sb_store::recordings;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, dept, ext, person, secret, trunk};
use time::Duration;

/// Recording `i` starts `i` minutes after t0 and lasts `i` seconds.
fn recording(i: i64, caller: &str, callee: &str, agent: Option<&str>) -> NewRecording {
    let started = t0() + Duration::minutes(i);
    let external = caller.len() > 4 || callee.len() > 4;
    NewRecording {
        call_id: format!("rec-{i}@test"),
        direction: if caller.len() > 4 {
            Direction::Inbound
        } else if callee.len() > 4 {
            Direction::Outbound
        } else {
            Direction::Internal
        },
        caller: caller.into(),
        callee: callee.into(),
        agent_extension: agent.map(Into::into),
        trunk_id: external.then_some(7),
        trunk_name: if external {
            "carrier".into()
        } else {
            String::new()
        },
        started_at: started,
        ended_at: started + Duration::seconds(i),
        duration_ms: i * 1000,
        layout: "stereo".into(),
        file: format!("2026/11/24/rec-{i}.wav"),
        size_bytes: 1000 + i,
        sha256: format!("{i:064x}"),
    }
}

async fn total(store: &Store, filter: RecordingFilter) -> i64 {
    recordings::search(store, &filter, PageRequest::all())
        .await
        .expect("search")
        .total
}

async fn recordings_are_searched_by_each_filter_and_combined(store: Store) {
    // 1-100: agent 2001 answering 13800138xxx; 101-150: 2002 calling out to
    // 01058881234; 151-160: internal 2001 -> 2002.
    for i in 1..=100 {
        let caller = format!("138001380{:02}", i % 100);
        recordings::insert(&store, &recording(i, &caller, "4008001000", Some("2001")))
            .await
            .expect("insert inbound");
    }
    for i in 101..=150 {
        recordings::insert(&store, &recording(i, "2002", "01058881234", Some("2002")))
            .await
            .expect("insert outbound");
    }
    for i in 151..=160 {
        recordings::insert(&store, &recording(i, "2001", "2002", Some("2001")))
            .await
            .expect("insert internal");
    }

    let first = recordings::search(&store, &RecordingFilter::default(), PageRequest::new(1, 20))
        .await
        .expect("search");
    assert_eq!(first.total, 160);
    assert_eq!(first.items.len(), 20);
    assert_eq!(first.items[0].call_id, "rec-160@test", "newest first");
    let last = recordings::search(&store, &RecordingFilter::default(), PageRequest::new(8, 20))
        .await
        .expect("last page");
    assert_eq!(last.total, 160);
    assert_eq!(last.items.len(), 20);
    assert_eq!(last.items[19].call_id, "rec-1@test");
    let beyond = recordings::search(&store, &RecordingFilter::default(), PageRequest::new(9, 20))
        .await
        .expect("beyond");
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 160, "a page past the end still counts");

    let one = recordings::get(&store, first.items[0].id)
        .await
        .expect("get");
    assert_eq!(one.direction, Direction::Internal);
    assert_eq!(one.layout, "stereo");
    assert_eq!(one.sha256.len(), 64);
    assert!(one.archived_at.is_none() && one.deleted_at.is_none());
    assert!(matches!(
        recordings::get(&store, 999_999).await,
        Err(StoreError::NotFound { .. })
    ));

    let f = RecordingFilter::default;
    // number: a prefix of the caller or of the callee, short (scanned) or long (ranged).
    for (number, expected) in [
        ("1380013800", 10),
        ("13800138001", 1),
        ("138", 100),
        ("0105", 50),
        ("2002", 60),
        ("4008", 100),
        ("8001", 0),
        ("%", 0),
    ] {
        let filter = RecordingFilter {
            number: Some(number.into()),
            ..f()
        };
        assert_eq!(total(&store, filter).await, expected, "number {number}");
    }
    let agent = RecordingFilter {
        agent: Some("2001".into()),
        ..f()
    };
    assert_eq!(total(&store, agent).await, 110);
    let trunk = RecordingFilter {
        trunk_id: Some(7),
        ..f()
    };
    assert_eq!(total(&store, trunk).await, 150);
    let outbound = RecordingFilter {
        direction: Some(Direction::Outbound),
        ..f()
    };
    assert_eq!(total(&store, outbound).await, 50);
    let window = RecordingFilter {
        from: Some(t0() + Duration::minutes(10)),
        to: Some(t0() + Duration::minutes(20)),
        ..f()
    };
    assert_eq!(
        total(&store, window).await,
        10,
        "from inclusive, to exclusive"
    );
    let durations = RecordingFilter {
        min_duration_ms: Some(90_000),
        max_duration_ms: Some(120_000),
        ..f()
    };
    assert_eq!(total(&store, durations).await, 31);

    // Combinations narrow each other.
    let combined = RecordingFilter {
        from: Some(t0() + Duration::minutes(50)),
        to: Some(t0() + Duration::minutes(155)),
        agent: Some("2001".into()),
        number: Some("1380013800".into()),
        direction: Some(Direction::Inbound),
        trunk_id: Some(7),
        min_duration_ms: Some(60_000),
        max_duration_ms: None,
        scope: CdrScope::All,
    };
    assert_eq!(
        total(&store, combined.clone()).await,
        1,
        "prefix ...00 holds 1-9 and 100; only 100 is in the window"
    );
    let combined = RecordingFilter {
        number: Some("138001380".into()),
        ..combined
    };
    assert_eq!(total(&store, combined.clone()).await, 41, "60 to 100");
    let internal_of_2001 = RecordingFilter {
        agent: Some("2001".into()),
        direction: Some(Direction::Internal),
        number: Some("2002".into()),
        ..f()
    };
    assert_eq!(total(&store, internal_of_2001).await, 10);
    let page = recordings::search(&store, &combined, PageRequest::new(2, 10))
        .await
        .expect("page");
    assert_eq!(page.total, 41);
    assert_eq!(page.items[0].call_id, "rec-90@test");
}
both_backends!(search, recordings_are_searched_by_each_filter_and_combined);

async fn recording_scope_follows_the_agents_staff(store: Store) {
    let a = actor();
    let team = store
        .create_department(t0(), &a, dept("T1", "Team", None))
        .await
        .expect("team");
    let other = store
        .create_department(t0(), &a, dept("T2", "Other", None))
        .await
        .expect("other");
    let member = store
        .create_staff(t0(), &a, person("5001", Some(team.id), Some("2001")), None)
        .await
        .expect("member");
    store
        .create_staff(t0(), &a, person("5002", Some(other.id), Some("2002")), None)
        .await
        .expect("outsider");
    let mine = recordings::insert(
        &store,
        &recording(1, "13800138000", "4008001000", Some("2001")),
    )
    .await
    .expect("mine");
    let theirs = recordings::insert(&store, &recording(2, "2002", "01058881234", Some("2002")))
        .await
        .expect("theirs");
    let nobodys = recordings::insert(&store, &recording(3, "13900139000", "4008001000", None))
        .await
        .expect("no agent");
    let count = |scope: CdrScope| {
        let store = store.clone();
        async move {
            let filter = RecordingFilter {
                scope,
                ..Default::default()
            };
            total(&store, filter).await
        }
    };
    assert_eq!(count(CdrScope::All).await, 3);
    assert_eq!(count(CdrScope::Departments(vec![team.id])).await, 1);
    assert_eq!(
        count(CdrScope::Departments(vec![team.id, other.id])).await,
        2
    );
    assert_eq!(count(CdrScope::Departments(vec![])).await, 0);
    assert_eq!(count(CdrScope::Staff(member.id)).await, 1);
    let scope = CdrScope::Staff(member.id);
    assert!(
        recordings::in_scope(&store, mine, &scope)
            .await
            .expect("in")
    );
    assert!(
        !recordings::in_scope(&store, theirs, &scope)
            .await
            .expect("out")
    );
    assert!(
        !recordings::in_scope(&store, nobodys, &scope)
            .await
            .expect("out")
    );
    assert!(
        recordings::in_scope(&store, nobodys, &CdrScope::All)
            .await
            .expect("all")
    );
    let team_scope = CdrScope::Departments(vec![team.id]);
    let inside = recordings::in_scope_ids(&store, &[mine, theirs, nobodys, 999], &team_scope)
        .await
        .expect("ids");
    assert_eq!(inside, vec![mine]);
    let many = recordings::get_many(&store, &[theirs, mine])
        .await
        .expect("many");
    assert_eq!(
        many.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![theirs, mine],
        "in the order asked"
    );
    assert!(matches!(
        recordings::get_many(&store, &[mine, 999_999]).await,
        Err(StoreError::NotFound { id, .. }) if id == "999999"
    ));
}
both_backends!(scope, recording_scope_follows_the_agents_staff);

async fn bad_recordings_are_refused(store: Store) {
    let mut bad = recording(1, "2001", "2002", Some("2001"));
    bad.layout = "quad".into();
    assert!(matches!(
        recordings::insert(&store, &bad).await,
        Err(StoreError::Invalid {
            field: "layout",
            ..
        })
    ));
    let mut escaping = recording(1, "2001", "2002", Some("2001"));
    escaping.file = "../../etc/passwd".into();
    assert!(matches!(
        recordings::insert(&store, &escaping).await,
        Err(StoreError::Invalid { field: "file", .. })
    ));
    let good = recording(1, "2001", "2002", Some("2001"));
    recordings::insert(&store, &good).await.expect("first");
    assert!(matches!(
        recordings::insert(&store, &good).await,
        Err(StoreError::Duplicate { field: "file", .. })
    ));
}
both_backends!(refused, bad_recordings_are_refused);

async fn storage_work_lists_follow_archive_and_retention(store: Store) {
    let mut ids = Vec::new();
    for i in 1..=5 {
        ids.push(
            recordings::insert(&store, &recording(i, "2001", "2002", Some("2001")))
                .await
                .expect("insert"),
        );
    }
    let backlog = recordings::archive_backlog(&store).await.expect("backlog");
    assert_eq!(
        backlog,
        ArchiveBacklog {
            pending: 5,
            failed: 0
        }
    );
    assert_eq!(
        recordings::local_bytes(&store).await.expect("bytes"),
        5 * 1000 + 15
    );
    let todo = recordings::list_unarchived(&store, 0, 3)
        .await
        .expect("todo");
    assert_eq!(
        todo.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids[..3].to_vec(),
        "oldest first, limited"
    );
    let at = t0() + Duration::hours(1);
    recordings::mark_archived(&store, ids[0], at)
        .await
        .expect("archived");
    recordings::mark_archive_failed(&store, ids[1], "checksum mismatch")
        .await
        .expect("failed");
    let backlog = recordings::archive_backlog(&store).await.expect("backlog");
    assert_eq!(
        backlog,
        ArchiveBacklog {
            pending: 3,
            failed: 1
        }
    );
    let failed = recordings::get(&store, ids[1]).await.expect("get");
    assert_eq!(failed.archive_error.as_deref(), Some("checksum mismatch"));
    let todo = recordings::list_unarchived(&store, 0, 10)
        .await
        .expect("todo");
    assert_eq!(todo.len(), 4, "failed ones are tried again");
    let rest = recordings::list_unarchived(&store, ids[2], 10)
        .await
        .expect("rest");
    assert_eq!(rest.len(), 2, "the batch after id 3");
    recordings::mark_archived(&store, ids[1], at)
        .await
        .expect("archived on retry");
    let retried = recordings::get(&store, ids[1]).await.expect("get");
    assert!(retried.archive_error.is_none(), "success clears the error");
    assert_eq!(retried.archived_at, Some(at));

    // Started before t0 + 4 min: recordings 1-3.
    let before = t0() + Duration::minutes(4);
    let expired = recordings::list_expired(&store, before, false, 100)
        .await
        .expect("expired");
    assert_eq!(expired.len(), 3);
    let archived_only = recordings::list_expired(&store, before, true, 100)
        .await
        .expect("expired archived");
    assert_eq!(
        archived_only.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids[..2].to_vec()
    );
    recordings::mark_deleted(&store, ids[0], at)
        .await
        .expect("deleted");
    let expired = recordings::list_expired(&store, before, true, 100)
        .await
        .expect("expired");
    assert_eq!(expired.len(), 1, "a deleted file is not listed again");
    assert_eq!(
        recordings::local_bytes(&store).await.expect("bytes"),
        4 * 1000 + 14,
        "a deleted file takes no room"
    );
    assert_eq!(
        recordings::get(&store, ids[0])
            .await
            .expect("get")
            .deleted_at,
        Some(at)
    );
    assert!(matches!(
        recordings::mark_deleted(&store, 999_999, at).await,
        Err(StoreError::NotFound { .. })
    ));
}
both_backends!(storage, storage_work_lists_follow_archive_and_retention);

async fn prompts_are_named_uniquely_and_audited(store: Store) {
    let a = actor();
    let input = |name: &str| NewVoicePrompt {
        name: name.into(),
        description: "welcome".into(),
        duration_ms: 2500,
        size_bytes: 40_044,
    };
    let welcome = store
        .create_prompt(t0(), &a, input("welcome"))
        .await
        .expect("create");
    assert_eq!(welcome.file, format!("{}.wav", welcome.id));
    assert_eq!(welcome.created_by, "tester");
    assert!(matches!(
        store.create_prompt(t0(), &a, input("welcome")).await,
        Err(StoreError::Duplicate { field: "name", .. })
    ));
    let closed = store
        .create_prompt(t0(), &a, input("closed"))
        .await
        .expect("create");
    let names: Vec<_> = store
        .list_prompts()
        .await
        .expect("list")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["closed", "welcome"]);
    assert!(matches!(
        store
            .update_prompt(t0(), &a, closed.id, "welcome", "")
            .await,
        Err(StoreError::Duplicate { field: "name", .. })
    ));
    let renamed = store
        .update_prompt(t0(), &a, closed.id, "after-hours", "we are closed")
        .await
        .expect("rename");
    assert_eq!(renamed.file, closed.file, "the audio stays");
    let gone = store
        .delete_prompt(t0(), &a, welcome.id)
        .await
        .expect("delete");
    assert_eq!(gone.name, "welcome");
    assert!(matches!(
        store.prompt(welcome.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        support::audit_actions(&store, "prompt").await,
        [
            "prompt.delete",
            "prompt.update",
            "prompt.create",
            "prompt.create"
        ]
    );
}
both_backends!(prompts, prompts_are_named_uniquely_and_audited);

async fn recording_is_switched_on_per_extension_and_trunk(store: Store) {
    let a = actor();
    let mut input = ext("3001");
    input.record_calls = true;
    let created = store
        .create_sip_extension(t0(), &a, input, &secret("3001", "pw-3001-x"))
        .await
        .expect("create");
    assert!(created.record_calls);
    let account = store
        .sip_account("3001")
        .await
        .expect("account")
        .expect("exists");
    assert!(account.record_calls, "the registrar's view carries it");
    let updated = store
        .update_sip_extension(t0(), &a, created.id, ext("3001"), None)
        .await
        .expect("update");
    assert!(!updated.record_calls);

    let mut carrier = trunk("rec-carrier");
    carrier.record_calls = true;
    let t = store.create_trunk(t0(), &a, carrier).await.expect("trunk");
    assert!(t.record_calls);
    assert!(store.enabled_trunks().await.expect("enabled")[0].record_calls);
    let t = store
        .update_trunk(t0(), &a, t.id, trunk("rec-carrier"))
        .await
        .expect("update");
    assert!(!t.record_calls);
}
both_backends!(
    record_calls,
    recording_is_switched_on_per_extension_and_trunk
);

async fn demo_seed_records_the_supervisor(store: Store) {
    store
        .seed_first_start(t0(), "not-a-real-hash", DEFAULT_SIP_REALM, true)
        .await
        .expect("seed");
    let page = store
        .list_sip_extensions(None, PageRequest::all())
        .await
        .expect("list");
    let recorded: Vec<_> = page
        .items
        .iter()
        .filter(|e| e.record_calls)
        .map(|e| e.extension.as_str())
        .collect();
    assert_eq!(recorded, ["1001"]);
}
both_backends!(demo_seed, demo_seed_records_the_supervisor);
