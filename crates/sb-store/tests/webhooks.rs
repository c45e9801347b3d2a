//! Webhooks and their delivery log (the outgoing queue), on SQLite and
//! PostgreSQL.

mod support;

use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, audit_actions};
use time::Duration;

fn hook(name: &str, types: &[&str]) -> WebhookInput {
    WebhookInput {
        name: name.into(),
        url: format!("http://crm.example/{name}"),
        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
        enabled: true,
    }
}

fn room(total: u32) -> SendRoom {
    SendRoom {
        total,
        per_webhook: total,
        busy: Default::default(),
    }
}

fn event(webhook_id: i64, seq: i64) -> NewWebhookDelivery {
    NewWebhookDelivery {
        webhook_id,
        event_seq: seq,
        event_type: "call.answered".into(),
        payload: format!(r#"{{"seq":{seq},"type":"call.answered"}}"#),
        next_attempt_at: t0(),
    }
}

async fn webhooks_are_kept_with_their_secret_and_audited(store: Store) {
    let crm = store
        .create_webhook(
            t0(),
            &actor(),
            hook("crm", &["call.answered", "call.ended"]),
            "whsec_one",
        )
        .await
        .expect("create");
    assert_eq!(crm.event_types, vec!["call.answered", "call.ended"]);
    assert!(crm.wants("call.ended") && !crm.wants("agent.state"));
    assert_eq!(crm.secret, "whsec_one");
    assert_eq!(crm.created_by, "tester");
    let json = serde_json::to_value(&crm).expect("json");
    assert!(
        json.get("secret").is_none(),
        "the secret is never serialised"
    );

    let dup = store
        .create_webhook(t0(), &actor(), hook("crm", &[]), "whsec_two")
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );

    let all = store
        .create_webhook(t0(), &actor(), hook("all", &[]), "whsec_two")
        .await
        .expect("create");
    assert!(all.wants("queue.changed"), "no types means every type");

    let mut off = hook("crm", &["agent.state"]);
    off.enabled = false;
    let later = t0() + Duration::minutes(1);
    let updated = store
        .update_webhook(later, &actor(), crm.id, off)
        .await
        .expect("update");
    assert!(!updated.enabled);
    assert_eq!(updated.updated_at, later);
    assert_eq!(updated.secret, "whsec_one", "an edit keeps the secret");
    let enabled: Vec<i64> = store
        .enabled_webhooks()
        .await
        .expect("enabled")
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(enabled, vec![all.id]);

    let rotated = store
        .rotate_webhook_secret(later, &actor(), crm.id, "whsec_new")
        .await
        .expect("rotate");
    assert_eq!(rotated.secret, "whsec_new");
    assert_eq!(store.list_webhooks().await.expect("list").len(), 2);

    store
        .insert_webhook_deliveries(t0(), &[event(crm.id, 1)])
        .await
        .expect("insert");
    store
        .delete_webhook(later, &actor(), crm.id)
        .await
        .expect("delete");
    assert!(matches!(
        store.webhook(crm.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let log = store
        .webhook_deliveries(crm.id, None, PageRequest::all())
        .await
        .expect("log");
    assert_eq!(log.total, 0, "the log goes with its webhook");
    assert_eq!(
        audit_actions(&store, "webhook").await,
        vec![
            "webhook.delete",
            "webhook.rotate_secret",
            "webhook.update",
            "webhook.create",
            "webhook.create"
        ]
    );
}
both_backends!(
    webhooks_kept,
    webhooks_are_kept_with_their_secret_and_audited
);

async fn deliveries_queue_lease_retry_and_settle(store: Store) {
    let crm = store
        .create_webhook(t0(), &actor(), hook("crm", &[]), "whsec_one")
        .await
        .expect("create");
    let mut later_row = event(crm.id, 3);
    later_row.next_attempt_at = t0() + Duration::minutes(5);
    let ids = store
        .insert_webhook_deliveries(t0(), &[event(crm.id, 1), event(crm.id, 2), later_row])
        .await
        .expect("insert");
    assert_eq!(ids.len(), 3);

    // Due now: the first two; the lease hides them from the next claim.
    let lease = t0() + Duration::seconds(30);
    let due = store
        .claim_due_webhook_deliveries(t0(), lease, &room(10))
        .await
        .expect("claim")
        .due;
    assert_eq!(
        due.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
    assert_eq!((due[0].secret.as_str(), due[0].attempts), ("whsec_one", 0));
    assert!(
        store
            .claim_due_webhook_deliveries(t0(), lease, &room(10))
            .await
            .expect("claim")
            .due
            .is_empty()
    );

    let delivered = store
        .record_webhook_attempt(
            t0(),
            ids[0],
            &DeliveryAttempt {
                status: Some(204),
                error: String::new(),
                next: NextStep::Delivered,
            },
        )
        .await
        .expect("record");
    assert_eq!(
        (delivered.state, delivered.attempts, delivered.last_status),
        (DeliveryState::Delivered, 1, Some(204))
    );
    assert_eq!(delivered.delivered_at, Some(t0()));
    let retry_at = t0() + Duration::seconds(10);
    let retried = store
        .record_webhook_attempt(
            t0(),
            ids[1],
            &DeliveryAttempt {
                status: Some(500),
                error: "HTTP 500".into(),
                next: NextStep::RetryAt(retry_at),
            },
        )
        .await
        .expect("record");
    assert_eq!(
        (retried.state, retried.next_attempt_at),
        (DeliveryState::Pending, retry_at)
    );

    // A crashed sender's lease runs out and the row is due again.
    let after_lease = t0() + Duration::minutes(6);
    let due = store
        .claim_due_webhook_deliveries(after_lease, after_lease + Duration::seconds(30), &room(1))
        .await
        .expect("claim")
        .due;
    assert_eq!(
        due.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[1]],
        "limit and due order"
    );
    assert_eq!(due[0].attempts, 1);
    let failed = store
        .record_webhook_attempt(
            after_lease,
            ids[1],
            &DeliveryAttempt {
                status: None,
                error: "connection refused".into(),
                next: NextStep::GiveUp,
            },
        )
        .await
        .expect("record");
    assert_eq!(
        (failed.state, failed.attempts, failed.last_status),
        (DeliveryState::Failed, 2, None)
    );

    // A disabled webhook's rows wait.
    let mut off = hook("crm", &[]);
    off.enabled = false;
    store
        .update_webhook(after_lease, &actor(), crm.id, off)
        .await
        .expect("disable");
    assert!(
        store
            .claim_due_webhook_deliveries(after_lease, after_lease, &room(10))
            .await
            .expect("claim")
            .due
            .is_empty()
    );

    let page = store
        .webhook_deliveries(crm.id, Some(DeliveryState::Failed), PageRequest::all())
        .await
        .expect("filter");
    assert_eq!((page.total, page.items[0].id), (1, ids[1]));
    let newest_first = store
        .webhook_deliveries(crm.id, None, PageRequest::new(1, 2))
        .await
        .expect("page");
    assert_eq!(
        newest_first.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    assert_eq!(newest_first.total, 3);

    let again = store
        .retry_webhook_delivery(after_lease, &actor(), ids[1])
        .await
        .expect("retry");
    assert_eq!(
        (again.state, again.next_attempt_at, again.attempts),
        (DeliveryState::Pending, after_lease, 2)
    );
    assert_eq!(
        audit_actions(&store, "webhook_delivery").await,
        vec!["webhook_delivery.retry"]
    );

    let purged = store
        .purge_webhook_deliveries(after_lease + Duration::days(1))
        .await
        .expect("purge");
    assert_eq!(purged, 1, "only the delivered row is settled");
}
both_backends!(deliveries_queue, deliveries_queue_lease_retry_and_settle);

async fn a_busy_webhook_leaves_room_for_the_others(store: Store) {
    let stuck = store
        .create_webhook(t0(), &actor(), hook("stuck", &[]), "whsec_a")
        .await
        .expect("create");
    let healthy = store
        .create_webhook(t0(), &actor(), hook("healthy", &[]), "whsec_b")
        .await
        .expect("create");
    let mut rows: Vec<NewWebhookDelivery> = (1..=5).map(|seq| event(stuck.id, seq)).collect();
    let mut late = event(healthy.id, 6);
    late.next_attempt_at = t0() + Duration::seconds(1);
    rows.push(late);
    store
        .insert_webhook_deliveries(t0(), &rows)
        .await
        .expect("insert");
    let now = t0() + Duration::seconds(2);
    let lease = now + Duration::seconds(30);

    // Its share is two: the rest of its backlog waits, the other webhook's row goes.
    let mut room = SendRoom {
        total: 4,
        per_webhook: 2,
        busy: Default::default(),
    };
    let first = store
        .claim_due_webhook_deliveries(now, lease, &room)
        .await
        .expect("claim");
    let hooks: Vec<i64> = first.due.iter().map(|d| d.webhook_id).collect();
    assert_eq!(
        hooks,
        vec![stuck.id, stuck.id],
        "the first four due rows are all the stuck one's"
    );
    assert!(first.held_back);
    room.busy.insert(stuck.id, 2);
    let second = store
        .claim_due_webhook_deliveries(now, lease, &room)
        .await
        .expect("claim");
    let hooks: Vec<i64> = second.due.iter().map(|d| d.webhook_id).collect();
    assert_eq!(
        hooks,
        vec![healthy.id],
        "a webhook at its share is skipped in the query"
    );
    assert!(!second.held_back);
}
both_backends!(fair_share, a_busy_webhook_leaves_room_for_the_others);

async fn servers_sharing_the_database_never_claim_the_same_delivery(store: Store) {
    let crm = store
        .create_webhook(t0(), &actor(), hook("crm", &[]), "whsec_shared")
        .await
        .expect("create");
    let rows: Vec<_> = (1..=40).map(|seq| event(crm.id, seq)).collect();
    store
        .insert_webhook_deliveries(t0(), &rows)
        .await
        .expect("insert");
    let lease = t0() + Duration::seconds(30);
    // Two senders (two servers on one database) ask at the same moment;
    // each read sees every row due.
    let room = room(40);
    let (first, second) = tokio::join!(
        store.claim_due_webhook_deliveries(t0(), lease, &room),
        store.claim_due_webhook_deliveries(t0(), lease, &room),
    );
    let mut ids: Vec<i64> = first
        .expect("first claim")
        .due
        .into_iter()
        .chain(second.expect("second claim").due)
        .map(|d| d.id)
        .collect();
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "a delivery was claimed twice");
    assert_eq!(claimed, 40, "every due delivery went to one sender");
}
both_backends!(
    shared_claims,
    servers_sharing_the_database_never_claim_the_same_delivery
);
