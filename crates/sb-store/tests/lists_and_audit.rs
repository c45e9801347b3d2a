//! Dictionary, extension groups, announcements and the audit log, each on SQLite and PostgreSQL.

mod support;

use sb_core::StaffId;
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::actor;
use time::Duration;

async fn dictionary_and_groups_and_announcements(store: Store) {
    let a = actor();
    let ty = store
        .create_dictionary_type(
            t0(),
            &a,
            DictionaryTypeInput {
                code: "feedback_type".into(),
                name: "Feedback".into(),
                description: String::new(),
            },
        )
        .await
        .expect("type");
    let item = |code: &str, parent: Option<i64>| DictionaryItemInput {
        code: code.into(),
        label: code.to_uppercase(),
        parent_id: parent,
        sort_order: 0,
        enabled: true,
    };
    let complaint = store
        .create_dictionary_item(t0(), &a, ty.id, item("complaint", None))
        .await
        .expect("item");
    let sub = store
        .create_dictionary_item(t0(), &a, ty.id, item("service", Some(complaint.id)))
        .await
        .expect("sub");
    let dup = store
        .create_dictionary_item(t0(), &a, ty.id, item("complaint", None))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "code", .. })),
        "{dup:?}"
    );
    let cycle = store
        .update_dictionary_item(t0(), &a, complaint.id, item("complaint", Some(sub.id)))
        .await;
    assert!(
        matches!(
            cycle,
            Err(StoreError::Invalid {
                field: "parent_id",
                ..
            })
        ),
        "{cycle:?}"
    );
    let busy = store.delete_dictionary_item(t0(), &a, complaint.id).await;
    assert!(matches!(busy, Err(StoreError::Conflict { .. })), "{busy:?}");
    assert_eq!(
        store
            .dictionary_type(ty.id)
            .await
            .expect("type")
            .items
            .len(),
        2
    );
    store
        .delete_dictionary_type(t0(), &a, ty.id)
        .await
        .expect("delete type cascades");
    // Only the built-in lists are left: not-ready reasons (migration 0005),
    // the customer profile's lists (0006) and the tickets' (0007).
    let left = store.list_dictionary().await.expect("list");
    assert_eq!(
        left.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(),
        [
            NOT_READY_REASON_TYPE,
            "customer_asset_kind",
            "customer_education",
            "customer_level",
            "customer_marital_status",
            "ticket_channel",
            "ticket_type"
        ]
    );

    let group = store
        .create_extension_group(
            t0(),
            &a,
            ExtensionGroupInput {
                name: "Inbound".into(),
                description: String::new(),
                extensions: vec!["8002".into(), "8001".into(), "8001".into()],
            },
        )
        .await
        .expect("group");
    assert_eq!(group.extensions, ["8001", "8002"]);
    let dup = store
        .create_extension_group(
            t0(),
            &a,
            ExtensionGroupInput {
                name: "Inbound".into(),
                description: String::new(),
                extensions: vec![],
            },
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );
    store
        .create_extension_group(
            t0(),
            &a,
            ExtensionGroupInput {
                name: "Night".into(),
                description: String::new(),
                extensions: vec!["8003".into(), "8002".into()],
            },
        )
        .await
        .expect("second group");
    assert_eq!(
        store.extension_group_peers("8002").await.expect("peers"),
        ["8001", "8003"],
        "peers come from every group, once each, never the extension itself"
    );
    assert_eq!(
        store.extension_group_peers("8001").await.expect("peers"),
        ["8002"]
    );
    assert!(
        store
            .extension_group_peers("9999")
            .await
            .expect("peers")
            .is_empty()
    );

    let notice = AnnouncementInput {
        title: "Holiday".into(),
        body: "Closed on the 1st".into(),
        starts_at: t0() + Duration::days(1),
        ends_at: t0() + Duration::days(2),
    };
    store
        .create_announcement(t0(), &a, notice)
        .await
        .expect("announcement");
    assert!(
        store
            .active_announcements(t0())
            .await
            .expect("active")
            .is_empty(),
        "not started yet"
    );
    assert_eq!(
        store
            .active_announcements(t0() + Duration::hours(30))
            .await
            .expect("active")
            .len(),
        1
    );
    assert!(
        store
            .active_announcements(t0() + Duration::days(3))
            .await
            .expect("active")
            .is_empty(),
        "expired"
    );
}
both_backends!(lists, dictionary_and_groups_and_announcements);

async fn repeated_denials_raise_one_alarm(store: Store) {
    let who = Actor {
        id: Some(StaffId(77)),
        employee_id: "77".into(),
        name: "Nosy".into(),
        ip: "10.0.0.9".into(),
    };
    let policy = AlarmPolicy::default();
    let mut raised = Vec::new();
    for i in 0..7 {
        raised.push(
            store
                .record_denial(
                    t0() + Duration::seconds(i),
                    &who,
                    "DELETE /api/v1/staff/1",
                    "missing staff.delete",
                    policy,
                )
                .await
                .expect("deny"),
        );
    }
    assert_eq!(raised, [false, false, false, false, true, false, false]);
    let alarms = store
        .search_audit(
            &AuditFilter {
                kind: Some(AuditKind::Alarm),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("alarms");
    assert_eq!(alarms.total, 1);
    assert_eq!(alarms.items[0].actor_name, "Nosy");
    let denied = store
        .search_audit(
            &AuditFilter {
                kind: Some(AuditKind::Denied),
                actor: Some("nos".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("denied");
    assert_eq!(denied.total, 7);
    let window = store
        .search_audit(
            &AuditFilter {
                from: Some(t0() + Duration::seconds(5)),
                q: Some("staff.delete".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("window");
    assert_eq!(window.total, 2);
    let later = store
        .record_denial(t0() + Duration::minutes(20), &who, "x", "y", policy)
        .await
        .expect("later");
    assert!(!later, "one denial after the window is not an alarm");
}
both_backends!(audit, repeated_denials_raise_one_alarm);
