//! ACD and IVR persistence: versioned flows, calendars, queues and members,
//! the ACD event log, the blacklist, trails, voicemail, surveys, routes to
//! flows and queues, and the demo set-up; each on SQLite and PostgreSQL.

mod support;

use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, audit_actions, ext, inbound, person, secret};
use time::Duration;

const DOC_V1: &str = r#"{"start":"bye","nodes":{"bye":{"type":"hangup"}}}"#;
const DOC_V2: &str = r#"{"start":"hi","nodes":{"hi":{"type":"play","prompts":[{"builtin":"welcome"}],"next":"bye"},"bye":{"type":"hangup"}}}"#;

fn flow(name: &str, number: Option<&str>) -> IvrFlowInput {
    IvrFlowInput {
        name: name.into(),
        number: number.map(Into::into),
        description: format!("flow {name}"),
        enabled: true,
    }
}

async fn flows_keep_every_version(store: Store) {
    let a = actor();
    let created = store
        .create_ivr_flow(t0(), &a, flow("hotline", Some("4000")), DOC_V1)
        .await
        .expect("create");
    assert_eq!(created.current_version, 1);
    assert_eq!(created.updated_by, "tester");

    let later = t0() + Duration::minutes(5);
    let v2 = store
        .publish_ivr_flow_version(later, &a, created.id, DOC_V2, "greet first")
        .await
        .expect("publish");
    assert_eq!(v2, 2);
    assert_eq!(
        store
            .current_ivr_flow_document("hotline")
            .await
            .expect("current"),
        Some((2, DOC_V2.to_owned()))
    );
    let v1 = store.ivr_flow_version(created.id, 1).await.expect("v1");
    assert_eq!(v1.document, DOC_V1, "the old version stays readable");
    let history = store.ivr_flow_versions(created.id).await.expect("history");
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.note.as_str()))
            .collect::<Vec<_>>(),
        [(2, "greet first"), (1, "")]
    );
    assert!(matches!(
        store.ivr_flow_version(created.id, 3).await,
        Err(StoreError::NotFound { .. })
    ));

    // Restoring an old version publishes it again as the newest.
    let v3 = store
        .publish_ivr_flow_version(later, &a, created.id, &v1.document, "restore v1")
        .await
        .expect("restore");
    assert_eq!(v3, 3);
    assert_eq!(
        store
            .ivr_flow(created.id)
            .await
            .expect("flow")
            .current_version,
        3
    );

    let by_number = store
        .ivr_flow_by_number("4000")
        .await
        .expect("lookup")
        .expect("4000");
    assert_eq!(by_number.name, "hotline");
    assert!(
        store
            .ivr_flow_by_number("4001")
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(
        store.ivr_flow_by_name("hotline").await.expect("name").id,
        created.id
    );

    // Names and numbers are unique; a number may not be an extension's.
    let dup_name = store
        .create_ivr_flow(t0(), &a, flow("hotline", None), DOC_V1)
        .await;
    assert!(
        matches!(dup_name, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup_name:?}"
    );
    let dup_number = store
        .create_ivr_flow(t0(), &a, flow("other", Some("4000")), DOC_V1)
        .await;
    assert!(
        matches!(
            dup_number,
            Err(StoreError::Duplicate {
                field: "number",
                ..
            })
        ),
        "{dup_number:?}"
    );
    store
        .create_sip_extension(t0(), &a, ext("2001"), &secret("2001", "pass-word-1"))
        .await
        .expect("extension");
    let on_extension = store
        .create_ivr_flow(t0(), &a, flow("other", Some("2001")), DOC_V1)
        .await;
    assert!(
        matches!(
            on_extension,
            Err(StoreError::Duplicate {
                field: "number",
                ..
            })
        ),
        "{on_extension:?}"
    );
    // Two flows without a number are fine (NULLs are distinct).
    store
        .create_ivr_flow(t0(), &a, flow("no-number-1", None), DOC_V1)
        .await
        .expect("first without number");
    store
        .create_ivr_flow(t0(), &a, flow("no-number-2", None), DOC_V1)
        .await
        .expect("second without number");

    // Metadata changes keep the documents; a disabled flow takes no calls.
    let updated = store
        .update_ivr_flow(
            later,
            &a,
            created.id,
            IvrFlowInput {
                enabled: false,
                number: None,
                ..flow("hotline", None)
            },
        )
        .await
        .expect("update");
    assert_eq!((updated.current_version, updated.number), (3, None));
    assert_eq!(
        store
            .current_ivr_flow_document("hotline")
            .await
            .expect("current"),
        None
    );
    assert_eq!(
        store
            .list_ivr_flows()
            .await
            .expect("list")
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["hotline", "no-number-1", "no-number-2"]
    );

    store
        .delete_ivr_flow(later, &a, created.id)
        .await
        .expect("delete");
    assert!(matches!(
        store.ivr_flow(created.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.ivr_flow_version(created.id, 1).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        audit_actions(&store, "ivr_flow").await,
        [
            "ivr_flow.delete",
            "ivr_flow.update",
            "ivr_flow.publish",
            "ivr_flow.publish",
            "ivr_flow.create",
            "ivr_flow.create",
            "ivr_flow.create",
        ]
    );
}
both_backends!(flow_versions, flows_keep_every_version);

async fn inbound_routes_reach_flows_and_queues(store: Store) {
    let a = actor();
    let missing = store
        .create_inbound_route(
            t0(),
            &a,
            InboundRouteInput {
                target_kind: TargetKind::Flow,
                ..inbound("4000", None, "hotline")
            },
        )
        .await;
    assert!(
        matches!(
            missing,
            Err(StoreError::Invalid {
                field: "target",
                ..
            })
        ),
        "{missing:?}"
    );
    let hotline = store
        .create_ivr_flow(t0(), &a, flow("hotline", None), DOC_V1)
        .await
        .expect("flow");
    let sales = store
        .create_acd_queue(t0(), &a, AcdQueueInput::new("sales", "Sales"))
        .await
        .expect("queue");
    let to_flow = store
        .create_inbound_route(
            t0(),
            &a,
            InboundRouteInput {
                target_kind: TargetKind::Flow,
                ..inbound("4000", None, "hotline")
            },
        )
        .await
        .expect("route to flow");
    store
        .create_inbound_route(
            t0(),
            &a,
            InboundRouteInput {
                target_kind: TargetKind::Queue,
                ..inbound("4001", None, "sales")
            },
        )
        .await
        .expect("route to queue");
    let found = store
        .inbound_route(1, "4000")
        .await
        .expect("lookup")
        .expect("route");
    assert_eq!(
        (found.target_kind, found.target.as_str()),
        (TargetKind::Flow, "hotline")
    );

    // What a route uses can be neither deleted nor renamed.
    let delete = store.delete_ivr_flow(t0(), &a, hotline.id).await;
    assert!(
        matches!(
            delete,
            Err(StoreError::Conflict {
                code: "flow_in_use",
                ..
            })
        ),
        "{delete:?}"
    );
    let rename = store
        .update_ivr_flow(t0(), &a, hotline.id, flow("hotline-2", None))
        .await;
    assert!(
        matches!(
            rename,
            Err(StoreError::Conflict {
                code: "flow_in_use",
                ..
            })
        ),
        "{rename:?}"
    );
    let delete = store.delete_acd_queue(t0(), &a, sales.id).await;
    assert!(
        matches!(
            delete,
            Err(StoreError::Conflict {
                code: "queue_in_use",
                ..
            })
        ),
        "{delete:?}"
    );
    store
        .delete_inbound_route(t0(), &a, to_flow.id)
        .await
        .expect("drop route");
    store
        .delete_ivr_flow(t0(), &a, hotline.id)
        .await
        .expect("unused flow goes");
}
both_backends!(routes_to_flows, inbound_routes_reach_flows_and_queues);

async fn queues_with_members_feed_the_switch(store: Store) {
    let a = actor();
    let mut ids = Vec::new();
    for (id, ext) in [("E1", Some("1001")), ("E2", Some("1002")), ("E3", None)] {
        let staff = store
            .create_staff(t0(), &a, person(id, None, ext), None)
            .await
            .expect("staff");
        ids.push(staff.id);
    }
    let service = store
        .create_acd_queue(t0(), &a, AcdQueueInput::new("service", "Service"))
        .await
        .expect("service");
    let sales_input = AcdQueueInput {
        strategy: QueueStrategy::HighestSkill,
        ring_timeout_s: 15,
        wrap_up_s: 5,
        max_wait_s: Some(120),
        max_length: Some(10),
        overflow_action: QueueAction::Queue,
        overflow_target: "service".into(),
        no_agent_action: QueueAction::Voicemail,
        announce_position: true,
        announce_agent_number: true,
        sticky_agent_wait_s: Some(10),
        widen_after_s: Some(30),
        widen_to_skill: Some(3),
        widen_to_queue: Some("service".into()),
        ..AcdQueueInput::new("sales", "销售 Sales")
    };
    let sales = store
        .create_acd_queue(t0(), &a, sales_input.clone())
        .await
        .expect("sales");
    assert_eq!(sales.strategy, QueueStrategy::HighestSkill);
    assert_eq!(sales.max_wait_s, Some(120));
    assert_eq!(sales.widen_to_queue.as_deref(), Some("service"));
    assert!(sales.announce_position && sales.announce_agent_number);
    assert_eq!(store.acd_queue(sales.id).await.expect("read"), sales);

    // References are checked by field.
    for (input, field) in [
        (
            AcdQueueInput {
                overflow_action: QueueAction::Queue,
                overflow_target: "nowhere".into(),
                ..AcdQueueInput::new("x", "X")
            },
            "overflow_target",
        ),
        (
            AcdQueueInput {
                overflow_action: QueueAction::Queue,
                overflow_target: "x".into(),
                ..AcdQueueInput::new("x", "X")
            },
            "overflow_target",
        ),
        (
            AcdQueueInput {
                no_agent_action: QueueAction::Flow,
                no_agent_target: "no-flow".into(),
                ..AcdQueueInput::new("x", "X")
            },
            "no_agent_target",
        ),
        (
            AcdQueueInput {
                overflow_target: "stray".into(),
                ..AcdQueueInput::new("x", "X")
            },
            "overflow_target",
        ),
        (
            AcdQueueInput {
                widen_to_queue: Some("nowhere".into()),
                ..AcdQueueInput::new("x", "X")
            },
            "widen_to_queue",
        ),
    ] {
        let result = store.create_acd_queue(t0(), &a, input).await;
        assert!(
            matches!(&result, Err(StoreError::Invalid { field: f, .. }) if *f == field),
            "{field}: {result:?}"
        );
    }
    let dup = store
        .create_acd_queue(t0(), &a, AcdQueueInput::new("sales", "again"))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );

    // Members: replaced as a whole, skills 1..10, known staff only, once each.
    let members = store
        .set_queue_members(t0(), &a, sales.id, vec![(ids[0], 5), (ids[1], 8)])
        .await
        .expect("members");
    assert_eq!(
        members
            .iter()
            .map(|m| (m.employee_id.as_str(), m.extension.as_deref(), m.skill))
            .collect::<Vec<_>>(),
        [("E2", Some("1002"), 8), ("E1", Some("1001"), 5)]
    );
    for (bad, field) in [
        (vec![(ids[0], 0)], "skill"),
        (vec![(ids[0], 11)], "skill"),
        (vec![(9999, 5)], "staff_id"),
        (vec![(ids[0], 5), (ids[0], 6)], "staff_id"),
    ] {
        let result = store.set_queue_members(t0(), &a, sales.id, bad).await;
        assert!(
            matches!(&result, Err(StoreError::Invalid { field: f, .. }) if *f == field),
            "{field}: {result:?}"
        );
    }
    assert_eq!(
        store.queue_members(sales.id).await.expect("kept"),
        members,
        "a refused change leaves the members as they were"
    );
    store
        .set_queue_members(t0(), &a, service.id, vec![(ids[2], 2), (ids[0], 3)])
        .await
        .expect("service members");

    // Updating keeps what is not changed; a used queue keeps its name.
    let updated = store
        .update_acd_queue(
            t0(),
            &a,
            sales.id,
            AcdQueueInput {
                ring_timeout_s: 25,
                ..sales_input.clone()
            },
        )
        .await
        .expect("update");
    assert_eq!((updated.ring_timeout_s, updated.wrap_up_s), (25, 5));
    let rename = store
        .update_acd_queue(
            t0(),
            &a,
            service.id,
            AcdQueueInput::new("service-2", "Service"),
        )
        .await;
    assert!(
        matches!(
            rename,
            Err(StoreError::Conflict {
                code: "queue_in_use",
                ..
            })
        ),
        "sales overflows to service: {rename:?}"
    );

    // The switch's view: enabled queues, enabled members.
    let disabled = store
        .create_acd_queue(
            t0(),
            &a,
            AcdQueueInput {
                enabled: false,
                ..AcdQueueInput::new("closed", "Closed")
            },
        )
        .await
        .expect("disabled queue");
    store
        .set_queue_members(t0(), &a, disabled.id, vec![(ids[0], 1)])
        .await
        .expect("members of disabled");
    let (queues, memberships) = store.acd_configuration().await.expect("configuration");
    assert_eq!(
        queues.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
        ["sales", "service"]
    );
    assert_eq!(
        memberships,
        [
            QueueMembership {
                queue_name: "sales".into(),
                employee_id: "E1".into(),
                extension: Some("1001".into()),
                skill: 5,
            },
            QueueMembership {
                queue_name: "sales".into(),
                employee_id: "E2".into(),
                extension: Some("1002".into()),
                skill: 8,
            },
            QueueMembership {
                queue_name: "service".into(),
                employee_id: "E1".into(),
                extension: Some("1001".into()),
                skill: 3,
            },
            QueueMembership {
                queue_name: "service".into(),
                employee_id: "E3".into(),
                extension: None,
                skill: 2,
            },
        ]
    );

    store
        .delete_acd_queue(t0(), &a, sales.id)
        .await
        .expect("delete sales");
    store
        .delete_acd_queue(t0(), &a, service.id)
        .await
        .expect("service is free once sales is gone");
    assert_eq!(
        audit_actions(&store, "acd_queue").await[..3],
        ["acd_queue.delete", "acd_queue.delete", "acd_queue.members"]
    );
}
both_backends!(queues, queues_with_members_feed_the_switch);

fn event(at_ms: i64, kind: &str, agent: Option<&str>, call: Option<i64>) -> NewAcdEvent {
    NewAcdEvent {
        at_ms,
        kind: kind.into(),
        agent: agent.map(Into::into),
        queue: Some("sales".into()),
        call_ref: call,
        body: serde_json::json!({ "kind": kind, "at": at_ms }),
    }
}

async fn the_event_log_reads_back_in_order(store: Store) {
    let base = 1_800_000_000_000;
    // More than one INSERT statement's worth, so batching is exercised.
    let mut events: Vec<NewAcdEvent> = (0..450)
        .map(|i| event(base + i, "tick", None, None))
        .collect();
    events.push(event(base + 500, "call_queued", None, Some(7)));
    events.push(event(base + 501, "offered", Some("E1"), Some(7)));
    events.push(event(base + 600, "answered", Some("E1"), Some(7)));
    events.push(event(base + 700, "offered", Some("E2"), Some(8)));
    store.append_acd_events(&events).await.expect("append");
    store
        .append_acd_events(&[])
        .await
        .expect("nothing to append");

    let first = store.acd_events_since(0, 100).await.expect("since");
    assert_eq!(first.len(), 100);
    assert!(first.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(first[0].at_ms, base);
    let rest = store
        .acd_events_since(first[99].seq, 1000)
        .await
        .expect("rest");
    assert_eq!(rest.len(), 354);
    assert_eq!(rest.last().expect("last").kind, "offered");

    let call = store.acd_events_for_call(7).await.expect("call");
    assert_eq!(
        call.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["call_queued", "offered", "answered"]
    );
    assert_eq!(call[1].agent.as_deref(), Some("E1"));
    assert_eq!(
        call[1].body,
        serde_json::json!({ "kind": "offered", "at": base + 501 })
    );

    let by_agent = store
        .search_acd_events(
            &AcdEventFilter {
                agent: Some("E1".into()),
                ..Default::default()
            },
            PageRequest::new(1, 1),
        )
        .await
        .expect("agent");
    assert_eq!(by_agent.total, 2);
    assert_eq!(by_agent.items[0].kind, "answered", "newest first");
    let window = store
        .search_acd_events(
            &AcdEventFilter {
                from: Some(sb_store_time(base + 500)),
                to: Some(sb_store_time(base + 700)),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("window");
    assert_eq!(window.total, 3);
    let offers = store
        .search_acd_events(
            &AcdEventFilter {
                kind: Some("offered".into()),
                queue: Some("sales".into()),
                call_ref: Some(8),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("kind");
    assert_eq!(offers.items.len(), 1);
    assert_eq!(offers.items[0].agent.as_deref(), Some("E2"));

    let removed = store.prune_acd_events(base + 500).await.expect("prune");
    assert_eq!(removed, 450);
    let left = store.acd_events_since(0, 1000).await.expect("left");
    assert_eq!(left.len(), 4);
    assert_eq!(left[0].kind, "call_queued");
}
both_backends!(acd_events, the_event_log_reads_back_in_order);

fn sb_store_time(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("time")
}

fn blacklisted(number: &str, action: BlacklistAction) -> BlacklistInput {
    BlacklistInput {
        number: number.into(),
        action,
        prompt_name: String::new(),
        reason: format!("blocks {number}"),
        expires_at: None,
    }
}

async fn the_blacklist_prefers_exact_then_longest_prefix(store: Store) {
    let a = actor();
    let now = t0();
    let now_ms = now.unix_timestamp() * 1000;
    let exact = store
        .create_blacklist_entry(now, &a, blacklisted("13900001111", BlacklistAction::Hangup))
        .await
        .expect("exact");
    let long = store
        .create_blacklist_entry(now, &a, blacklisted("1390000*", BlacklistAction::Busy))
        .await
        .expect("long prefix");
    store
        .create_blacklist_entry(now, &a, blacklisted("139*", BlacklistAction::Busy))
        .await
        .expect("short prefix");
    let expired = store
        .create_blacklist_entry(
            now,
            &a,
            BlacklistInput {
                expires_at: Some(now - Duration::minutes(1)),
                ..blacklisted("1880000*", BlacklistAction::Busy)
            },
        )
        .await
        .expect("expired");
    let lookup = |number: &'static str, at: i64| {
        let store = store.clone();
        async move {
            store
                .blocked_caller(number, at)
                .await
                .expect("lookup")
                .map(|e| e.number)
        }
    };
    assert_eq!(
        lookup("13900001111", now_ms).await.as_deref(),
        Some("13900001111")
    );
    assert_eq!(
        lookup("13900002222", now_ms).await.as_deref(),
        Some("1390000*")
    );
    assert_eq!(lookup("13911112222", now_ms).await.as_deref(), Some("139*"));
    assert_eq!(lookup("13800001111", now_ms).await, None);
    assert_eq!(lookup("18800001111", now_ms).await, None, "expired");
    assert_eq!(
        lookup("18800001111", now_ms - 120_000).await.as_deref(),
        Some("1880000*"),
        "in force before it expired"
    );
    assert_eq!(
        lookup("139", now_ms).await.as_deref(),
        Some("139*"),
        "a prefix covers the bare prefix too"
    );

    // Prompt entries need a prompt; a star only ends the number; numbers are unique.
    let no_prompt = store
        .create_blacklist_entry(now, &a, blacklisted("1", BlacklistAction::Prompt))
        .await;
    assert!(
        matches!(
            no_prompt,
            Err(StoreError::Invalid {
                field: "prompt_name",
                ..
            })
        ),
        "{no_prompt:?}"
    );
    let star = store
        .create_blacklist_entry(now, &a, blacklisted("1*2", BlacklistAction::Busy))
        .await;
    assert!(
        matches!(
            star,
            Err(StoreError::Invalid {
                field: "number",
                ..
            })
        ),
        "{star:?}"
    );
    let dup = store
        .create_blacklist_entry(now, &a, blacklisted("139*", BlacklistAction::Hangup))
        .await;
    assert!(
        matches!(
            dup,
            Err(StoreError::Duplicate {
                field: "number",
                ..
            })
        ),
        "{dup:?}"
    );

    let page = store
        .search_blacklist(
            &BlacklistFilter {
                number: Some("1390".into()),
                active_at: None,
            },
            PageRequest::all(),
        )
        .await
        .expect("search");
    assert_eq!(page.total, 2);
    let active = store
        .search_blacklist(
            &BlacklistFilter {
                number: None,
                active_at: Some(now),
            },
            PageRequest::all(),
        )
        .await
        .expect("active");
    assert_eq!(active.total, 3);
    assert!(active.items.iter().all(|e| e.id != expired.id));

    let updated = store
        .update_blacklist_entry(
            now,
            &a,
            long.id,
            BlacklistInput {
                prompt_name: "go-away".into(),
                ..blacklisted("1390000*", BlacklistAction::Prompt)
            },
        )
        .await
        .expect("update");
    assert_eq!(
        (
            updated.action,
            updated.prompt_name.as_str(),
            updated.created_by.as_str()
        ),
        (BlacklistAction::Prompt, "go-away", "tester")
    );
    store
        .delete_blacklist_entry(now, &a, exact.id)
        .await
        .expect("delete");
    assert_eq!(
        lookup("13900001111", now_ms).await.as_deref(),
        Some("1390000*")
    );
    assert_eq!(
        audit_actions(&store, "blacklist").await[..2],
        ["blacklist.delete", "blacklist.update"]
    );
}
both_backends!(blacklist, the_blacklist_prefers_exact_then_longest_prefix);

async fn trails_round_trip(store: Store) {
    assert_eq!(store.call_trail("abc@host").await.expect("none"), None);
    let steps = serde_json::json!([
        { "node": "greeting", "type": "play", "at_ms": 1, "detail": "" },
        { "node": "menu", "type": "menu", "at_ms": 2, "detail": "pressed 2" },
    ]);
    store
        .save_call_trail(t0(), "abc@host", "hotline", 3, &steps)
        .await
        .expect("save");
    let trail = store
        .call_trail("abc@host")
        .await
        .expect("read")
        .expect("trail");
    assert_eq!(
        (trail.flow_name.as_str(), trail.flow_version, &trail.steps),
        ("hotline", 3, &steps)
    );
    let again = serde_json::json!([{ "node": "bye", "type": "hangup", "at_ms": 9, "detail": "" }]);
    store
        .save_call_trail(t0(), "abc@host", "hotline", 4, &again)
        .await
        .expect("save again");
    let trail = store
        .call_trail("abc@host")
        .await
        .expect("read")
        .expect("trail");
    assert_eq!((trail.flow_version, trail.steps), (4, again));
}
both_backends!(trails, trails_round_trip);

fn message(kind: MailboxKind, mailbox: &str, caller: &str, minutes: i64) -> NewVoicemail {
    NewVoicemail {
        mailbox_kind: kind,
        mailbox: mailbox.into(),
        call_id: format!("call-{caller}-{minutes}"),
        caller: caller.into(),
        file: format!("voicemail/2026/11/24/{caller}-{minutes}.wav"),
        duration_ms: 12_000,
        size_bytes: 192_044,
        sha256: "ab".repeat(32),
        created_at: t0() + Duration::minutes(minutes),
    }
}

async fn voicemail_is_searched_and_handled(store: Store) {
    let a = actor();
    let first = store
        .insert_voicemail(&message(MailboxKind::Queue, "sales", "13900001111", 1))
        .await
        .expect("first");
    store
        .insert_voicemail(&message(MailboxKind::Queue, "sales", "13800002222", 2))
        .await
        .expect("second");
    store
        .insert_voicemail(&message(MailboxKind::Agent, "E1", "13900003333", 3))
        .await
        .expect("third");
    let outside = store
        .insert_voicemail(&NewVoicemail {
            file: "../escape.wav".into(),
            ..message(MailboxKind::Queue, "sales", "1", 4)
        })
        .await;
    assert!(
        matches!(outside, Err(StoreError::Invalid { field: "file", .. })),
        "{outside:?}"
    );
    let same_file = store
        .insert_voicemail(&message(MailboxKind::Queue, "sales", "13900001111", 1))
        .await;
    assert!(
        matches!(same_file, Err(StoreError::Duplicate { field: "file", .. })),
        "{same_file:?}"
    );

    let search = |filter: VoicemailFilter| {
        let store = store.clone();
        async move {
            store
                .search_voicemails(&filter, PageRequest::all())
                .await
                .expect("search")
                .items
                .into_iter()
                .map(|v| v.caller)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search(VoicemailFilter {
            mailbox_kind: Some(MailboxKind::Queue),
            mailbox: Some("sales".into()),
            ..Default::default()
        })
        .await,
        ["13800002222", "13900001111"],
        "newest first"
    );
    assert_eq!(
        search(VoicemailFilter {
            caller: Some("139".into()),
            ..Default::default()
        })
        .await,
        ["13900003333", "13900001111"]
    );
    assert_eq!(
        search(VoicemailFilter {
            from: Some(t0() + Duration::minutes(2)),
            to: Some(t0() + Duration::minutes(3)),
            ..Default::default()
        })
        .await,
        ["13800002222"]
    );

    let later = t0() + Duration::hours(1);
    let handled = store
        .mark_voicemail_handled(later, &a, first, "called back")
        .await
        .expect("handled");
    assert_eq!(handled.handled_at, Some(later));
    assert_eq!(
        (handled.handled_by.as_deref(), handled.note.as_str()),
        (Some("tester"), "called back")
    );
    assert_eq!(
        search(VoicemailFilter {
            handled: Some(false),
            ..Default::default()
        })
        .await,
        ["13900003333", "13800002222"]
    );
    assert_eq!(
        search(VoicemailFilter {
            handled: Some(true),
            ..Default::default()
        })
        .await,
        ["13900001111"]
    );
    assert_eq!(store.voicemail(first).await.expect("get"), handled);
    assert_eq!(
        audit_actions(&store, "voicemail").await,
        ["voicemail.handled"]
    );
    assert!(matches!(
        store.mark_voicemail_handled(later, &a, 9999, "").await,
        Err(StoreError::NotFound { .. })
    ));
}
both_backends!(voicemail, voicemail_is_searched_and_handled);

fn answer(agent: Option<&str>, digit: &str, minutes: i64) -> NewSurveyResult {
    NewSurveyResult {
        call_id: format!("call-{minutes}"),
        question: "satisfaction".into(),
        digit: digit.into(),
        agent: agent.map(Into::into),
        queue: Some("sales".into()),
        created_at: t0() + Duration::minutes(minutes),
    }
}

async fn surveys_summarise_per_agent(store: Store) {
    let a = actor();
    store
        .create_staff(t0(), &a, person("E1", None, None), None)
        .await
        .expect("staff");
    for result in [
        answer(Some("E1"), "5", 1),
        answer(Some("E1"), "4", 2),
        answer(Some("E1"), "5", 3),
        answer(Some("E1"), "#", 4),
        answer(Some("E2"), "1", 5),
        answer(None, "3", 6),
        // Outside the summary's window.
        answer(Some("E1"), "1", 120),
    ] {
        store.insert_survey_result(&result).await.expect("insert");
    }
    let bad = store
        .insert_survey_result(&answer(Some("E1"), "12", 7))
        .await;
    assert!(
        matches!(bad, Err(StoreError::Invalid { field: "digit", .. })),
        "{bad:?}"
    );

    let summary = store
        .survey_summary(t0(), t0() + Duration::hours(1))
        .await
        .expect("summary");
    assert_eq!(summary.len(), 3);
    let e1 = &summary[0];
    assert_eq!(
        (e1.agent.as_deref(), e1.agent_name.as_deref(), e1.count),
        (Some("E1"), Some("Person E1"), 4)
    );
    assert_eq!(e1.average, Some(14.0 / 3.0), "`#` is not a score");
    assert_eq!(
        e1.distribution,
        [
            ("#".to_owned(), 1),
            ("4".to_owned(), 1),
            ("5".to_owned(), 2)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        (
            summary[1].agent.as_deref(),
            summary[1].agent_name.as_deref(),
            summary[1].average
        ),
        (Some("E2"), None, Some(1.0))
    );
    assert_eq!((summary[2].agent.as_deref(), summary[2].count), (None, 1));

    let page = store
        .search_survey_results(
            &SurveyFilter {
                agent: Some("E1".into()),
                ..Default::default()
            },
            PageRequest::new(1, 2),
        )
        .await
        .expect("search");
    assert_eq!(page.total, 5);
    assert_eq!(page.items[0].digit, "1", "newest first");
    let early = store
        .search_survey_results(
            &SurveyFilter {
                to: Some(t0() + Duration::minutes(3)),
                queue: Some("sales".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("window");
    assert_eq!(early.total, 2);
}
both_backends!(surveys, surveys_summarise_per_agent);

async fn calendars_and_reasons(store: Store) {
    let a = actor();
    let doc = r#"{"utc_offset_minutes":480,"weekly":{"mon":["09:00-18:00"]}}"#;
    let created = store
        .create_calendar(
            t0(),
            &a,
            CalendarInput {
                name: "office".into(),
                description: "Office hours".into(),
                document: doc.into(),
            },
        )
        .await
        .expect("create");
    let dup = store
        .create_calendar(
            t0(),
            &a,
            CalendarInput {
                name: "office".into(),
                description: String::new(),
                document: doc.into(),
            },
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );
    let updated = store
        .update_calendar(
            t0(),
            &a,
            created.id,
            CalendarInput {
                name: "office".into(),
                description: "Changed".into(),
                document: "{}".into(),
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.document, "{}");
    assert_eq!(
        store.calendar_by_name("office").await.expect("by name").id,
        created.id
    );
    assert_eq!(
        store.calendar_documents().await.expect("documents"),
        [("office".to_owned(), "{}".to_owned())]
    );
    store
        .delete_calendar(t0(), &a, created.id)
        .await
        .expect("delete");
    assert!(store.list_calendars().await.expect("list").is_empty());
    assert_eq!(
        audit_actions(&store, "calendar").await,
        ["calendar.delete", "calendar.update", "calendar.create"]
    );

    // Every installation has the not-ready reasons, demo or not.
    assert_eq!(
        store
            .not_ready_reasons()
            .await
            .expect("reasons")
            .iter()
            .map(|(code, _)| code.as_str())
            .collect::<Vec<_>>(),
        ["break", "meal", "training", "meeting"]
    );
}
both_backends!(calendars, calendars_and_reasons);

async fn demo_brings_a_working_hotline(store: Store) {
    assert!(
        store
            .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, true)
            .await
            .expect("seed")
    );
    let calendars = store.calendar_documents().await.expect("calendars");
    assert_eq!(
        calendars
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["demo-always-open", "standard"]
    );
    let parsed: Vec<sb_calendar::Calendar> = calendars
        .iter()
        .map(|(name, document)| sb_calendar::Calendar::parse(document).expect(name))
        .collect();
    // Sunday 2026-11-29 03:00 in UTC+8: only the demo calendar is open.
    let small_hours = 1_795_892_400_000;
    assert!(parsed[0].is_open(small_hours), "demo-always-open");
    assert!(!parsed[1].is_open(small_hours), "standard");
    // Tuesday 2026-11-24 10:00 in UTC+8: both are.
    let tuesday_morning = 1_795_485_600_000;
    assert!(parsed.iter().all(|c| c.is_open(tuesday_morning)));

    let (queues, members) = store.acd_configuration().await.expect("acd");
    assert_eq!(
        queues
            .iter()
            .map(|q| (q.name.as_str(), q.ring_timeout_s, q.wrap_up_s))
            .collect::<Vec<_>>(),
        [("sales", 15, 5), ("service", 15, 5)]
    );
    let members: Vec<_> = members
        .iter()
        .map(|m| (m.queue_name.as_str(), m.extension.as_deref(), m.skill))
        .collect();
    assert_eq!(
        members,
        [
            ("sales", Some("1003"), 5),
            ("service", Some("1003"), 2),
            ("service", Some("1004"), 5),
        ]
    );

    let hotline = store
        .ivr_flow_by_number("4000")
        .await
        .expect("lookup")
        .expect("the demo hotline");
    assert_eq!(hotline.name, "demo-hotline");
    let (version, document) = store
        .current_ivr_flow_document("demo-hotline")
        .await
        .expect("document")
        .expect("enabled");
    assert_eq!(version, 1);
    let flow = sb_ivr::FlowDocument::parse(&document).expect("the demo flow is valid");
    let (_, survey) = store
        .current_ivr_flow_document("survey")
        .await
        .expect("document")
        .expect("the demo survey flow");
    let survey = sb_ivr::FlowDocument::parse(&survey).expect("the demo survey is valid");
    assert!(survey.queues().is_empty() && survey.stored_prompts().is_empty());
    assert_eq!(flow.calendars(), ["demo-always-open"]);
    assert_eq!(flow.queues(), ["sales", "service"]);
    assert!(flow.stored_prompts().is_empty(), "built-in prompts only");
    let document: serde_json::Value = serde_json::from_str(&document).expect("json");
    let nodes = document["nodes"].as_object().expect("nodes");
    let uses_always_open = nodes.values().any(|node| {
        node["rules"].as_array().is_some_and(|rules| {
            rules
                .iter()
                .any(|r| r["when"]["work_time"] == "demo-always-open")
        })
    });
    assert!(uses_always_open, "the demo answers at any hour: {document}");
    for queue in ["sales", "service"] {
        assert!(
            nodes
                .values()
                .any(|node| node["type"] == "queue" && node["queue"] == queue),
            "a node queues to {queue}"
        );
    }

    let trunk = store.list_trunks().await.expect("trunks")[0].id;
    let route = store
        .inbound_route(trunk, "4000")
        .await
        .expect("lookup")
        .expect("DID 4000");
    assert_eq!(
        (route.target_kind, route.target.as_str(), route.trunk_id),
        (TargetKind::Flow, "demo-hotline", Some(trunk))
    );

    // The demo agents can work as agents.
    for agent in ["1001", "1002", "1003", "1004"] {
        let person = store.staff_by_employee_id(agent).await.expect("agent");
        let grants = store
            .grants(sb_core::StaffId(person.id))
            .await
            .expect("grants");
        assert!(
            grants.allows(sb_core::Permission::AgentWork),
            "{agent} may work as an agent"
        );
    }
}
both_backends!(demo, demo_brings_a_working_hotline);
