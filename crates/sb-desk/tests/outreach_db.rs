//! Callbacks and campaigns through the desk on SQLite and PostgreSQL: the
//! work list, attempts paced and written onto the version decided on (two
//! agents at once both count, a closed task takes no more), the customer's
//! timeline, and a campaign from its saved filter through results, rates
//! and the stages that refuse what they do not allow.

use sb_core::StaffId;
use sb_desk::DeskError;
use sb_desk::callbacks::CallbackDesk;
use sb_desk::campaigns::{CampaignCommand, CampaignDesk, rates};
use sb_store::testing::t0;
use sb_store::{
    Actor, CallStatus, CallbackListInput, CallbackState, CallbackTaskFilter, CampaignInput,
    CampaignKind, CampaignResult, CampaignState, CampaignTargetFilter, CustomerFilter,
    DepartmentInput, InteractionKind, NewCallbackAttempt, NewCallbackTask, PageRequest, Store,
    StoreError, both_backends,
};
use time::Duration;

struct Org {
    support: i64,
    admin: Actor,
    li: Actor,
    vip: Vec<i64>,
    plain: i64,
}

async fn org(store: &Store) -> Org {
    let admin = Actor::system("test");
    let support = store
        .create_department(
            t0(),
            &admin,
            DepartmentInput {
                number: "01".into(),
                name: "Support".into(),
                parent_id: None,
                sort_order: 0,
            },
        )
        .await
        .expect("department");
    store
        .execute_script(&format!(
            "INSERT INTO staff (employee_id, name, department_id, password_hash, created_at, updated_at) \
             VALUES ('s1', 'Li Lei', {d}, '', 0, 0);
             INSERT INTO customers (name, level, department_id, created_at, updated_at) VALUES
               ('Zhao Min', 'vip', {d}, 0, 0), ('Qian Wei', 'vip', {d}, 0, 0),
               ('Sun Li', 'normal', {d}, 0, 0);
             INSERT INTO customer_phones (customer_id, number, e164)
               SELECT id, '1380013800' || id, '+861380013800' || id FROM customers;",
            d = support.id
        ))
        .await
        .expect("people");
    let li = store.staff_by_employee_id("s1").await.expect("li");
    let ids = store
        .customer_ids(&CustomerFilter::default(), 10)
        .await
        .expect("ids");
    Org {
        support: support.id,
        admin,
        li: Actor {
            id: Some(StaffId(li.id)),
            employee_id: "s1".into(),
            name: "Li Lei".into(),
            ip: String::new(),
        },
        vip: ids[..2].to_vec(),
        plain: ids[2],
    }
}

fn attempt(status: CallStatus, success: bool) -> NewCallbackAttempt {
    NewCallbackAttempt {
        call_status: status,
        success,
        issues: String::new(),
        notes: String::new(),
        next_attempt_at: None,
    }
}

async fn callbacks_are_paced_and_counted_once_each(store: Store) {
    let org = org(&store).await;
    let list = store
        .create_callback_list(
            t0(),
            &org.admin,
            CallbackListInput {
                name: "After-sales visits".into(),
                description: String::new(),
                department_id: Some(org.support),
                max_attempts: 2,
                retry_minutes: 60,
            },
        )
        .await
        .expect("list");
    let task = |customer: i64, assignee: Option<i64>, department: Option<i64>| NewCallbackTask {
        customer_id: Some(customer),
        name: String::new(),
        phone: "13800138000".into(),
        notes: String::new(),
        assignee_id: assignee,
        department_id: department,
        due_at: t0(),
    };
    let li_id = org.li.id.map(|id| id.0);
    let ids = store
        .add_callback_tasks(
            t0(),
            &org.admin,
            list.id,
            &[
                task(org.vip[0], li_id, None),
                task(org.vip[1], None, Some(org.support)),
                task(org.plain, None, None),
            ],
        )
        .await
        .expect("tasks");
    // Li's work list: his own task and his department's unclaimed one.
    let mine = store
        .search_callback_tasks(
            &CallbackTaskFilter {
                worker: Some((li_id.unwrap_or(0), vec![org.support])),
                states: vec![CallbackState::Pending],
                ..CallbackTaskFilter::default()
            },
            PageRequest::new(1, 50),
        )
        .await
        .expect("work list");
    assert_eq!(
        mine.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let progress = store.callback_list(list.id).await.expect("list").progress;
    assert_eq!((progress.total, progress.unassigned), (3, 1));

    let desk = CallbackDesk::new(store.clone());
    let now = t0() + Duration::hours(1);
    let busy = desk
        .record_attempt(now, &org.li, ids[0], attempt(CallStatus::Busy, false))
        .await
        .expect("busy");
    assert_eq!(
        (busy.state, busy.attempts, busy.due_at - now),
        (CallbackState::Pending, 1, Duration::minutes(15))
    );
    let done = desk
        .record_attempt(now, &org.li, ids[0], attempt(CallStatus::Connected, true))
        .await
        .expect("connected");
    assert_eq!(
        (done.state, done.success),
        (CallbackState::Done, Some(true))
    );
    let closed = desk
        .record_attempt(now, &org.li, ids[0], attempt(CallStatus::Busy, false))
        .await
        .expect_err("closed");
    assert!(
        matches!(&closed, DeskError::Illegal(i) if i.reason == "callback task is done"),
        "{closed}"
    );
    let calls = store.callback_attempts(ids[0]).await.expect("attempts");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].staff_name, "Li Lei");
    let timeline = store
        .customer_timeline(org.vip[0], None, 50)
        .await
        .expect("timeline");
    let lines: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == InteractionKind::Callback)
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().any(|e| e.summary.contains("成功 success")));

    // Two agents record at once on a task with two attempts allowed: both
    // count, the second decided on the first's result, and it is failed.
    let (a, b) = tokio::join!(
        desk.record_attempt(now, &org.li, ids[1], attempt(CallStatus::NoAnswer, false)),
        desk.record_attempt(
            now,
            &org.admin,
            ids[1],
            attempt(CallStatus::NoAnswer, false)
        ),
    );
    let mut states = [a.expect("a").state, b.expect("b").state];
    states.sort_by_key(|s| s.code());
    assert_eq!(states, [CallbackState::Failed, CallbackState::Pending]);
    let after = store.callback_task(ids[1]).await.expect("task");
    assert_eq!((after.attempts, after.state), (2, CallbackState::Failed));
    let history = store
        .customer_callback_attempts(org.vip[1], 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 2);

    // Assigning leaves closed tasks alone.
    let changed = store
        .assign_callback_tasks(now, &org.admin, list.id, &ids, li_id, None)
        .await
        .expect("assign");
    assert_eq!(changed, 1);
    let progress = store.callback_list(list.id).await.expect("list").progress;
    assert_eq!(
        (
            progress.pending,
            progress.done,
            progress.failed,
            progress.succeeded
        ),
        (1, 1, 1, 1)
    );
}
both_backends!(callbacks, callbacks_are_paced_and_counted_once_each);

async fn a_campaign_from_filter_to_rates(store: Store) {
    let org = org(&store).await;
    let campaigns = CampaignDesk::new(store.clone());
    let campaign = store
        .create_campaign(
            t0(),
            &org.admin,
            CampaignInput {
                theme: "Winter check-up".into(),
                held_on: "2026-12-12".into(),
                kind: CampaignKind::OnSite,
                location: "Store 1".into(),
                description: String::new(),
                filter: serde_json::json!({"level": "vip"}),
                department_id: Some(org.support),
            },
        )
        .await
        .expect("campaign");
    let vip = CustomerFilter {
        levels: vec!["vip".into()],
        ..CustomerFilter::default()
    };
    assert_eq!(store.count_customers(&vip).await.expect("count"), 2);
    let start = campaigns
        .advance(t0(), &org.admin, campaign.id, CampaignCommand::Start)
        .await
        .expect_err("no targets");
    assert!(start.to_string().contains("no targets"), "{start}");
    let picked = campaigns
        .pick_targets(t0(), &org.admin, campaign.id, &vip)
        .await
        .expect("pick");
    assert_eq!(picked.counts.targets, 2);
    // Picking again replaces the picks.
    let picked = campaigns
        .pick_targets(t0(), &org.admin, campaign.id, &vip)
        .await
        .expect("pick again");
    assert_eq!(picked.counts.targets, 2);
    let early = campaigns
        .record_result(
            t0(),
            &org.li,
            campaign.id,
            org.vip[0],
            CampaignResult::default(),
        )
        .await
        .expect_err("planning");
    assert_eq!(early.to_string(), "record a result: campaign is planning");
    let running = campaigns
        .advance(t0(), &org.admin, campaign.id, CampaignCommand::Start)
        .await
        .expect("start");
    assert_eq!(running.state, CampaignState::Running);
    let came = CampaignResult {
        invited: Some(true),
        attended: Some(true),
        gift_taken: Some(true),
        satisfaction: Some(5),
        ..CampaignResult::default()
    };
    campaigns
        .record_result(t0(), &org.li, campaign.id, org.vip[0], came)
        .await
        .expect("came");
    let declined = CampaignResult {
        invited: Some(false),
        refusal_reason: "away".into(),
        ..CampaignResult::default()
    };
    let target = campaigns
        .record_result(t0(), &org.li, campaign.id, org.vip[1], declined)
        .await
        .expect("declined");
    assert_eq!(target.updated_by, "s1");
    let outsider = campaigns
        .record_result(
            t0(),
            &org.li,
            campaign.id,
            org.plain,
            CampaignResult::default(),
        )
        .await
        .expect_err("not a target");
    assert!(matches!(
        outsider,
        DeskError::Store(StoreError::NotFound { .. })
    ));
    let now = store.campaign(campaign.id).await.expect("campaign");
    let r = rates(&now.counts);
    assert_eq!(
        (
            r.invitation_rate,
            r.attendance_rate,
            r.satisfaction_rate,
            r.gift_rate
        ),
        (Some(0.5), Some(1.0), Some(1.0), Some(1.0))
    );
    let refused = store
        .campaign_targets(
            campaign.id,
            CampaignTargetFilter::Refused,
            PageRequest::new(1, 10),
        )
        .await
        .expect("refused");
    assert_eq!(refused.total, 1);
    assert_eq!(refused.items[0].result.refusal_reason, "away");
    let timeline = store
        .customer_timeline(org.vip[0], None, 10)
        .await
        .expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == InteractionKind::Campaign && e.summary.contains("Winter check-up"))
    );

    let pick = campaigns
        .pick_targets(t0(), &org.admin, campaign.id, &vip)
        .await
        .expect_err("running");
    assert_eq!(pick.to_string(), "pick targets: campaign is running");
    campaigns
        .advance(t0(), &org.admin, campaign.id, CampaignCommand::Finish)
        .await
        .expect("finish");
    // The store checks the stage itself: a write decided before the finish fails.
    let late = store
        .record_campaign_result(
            t0(),
            &org.li,
            campaign.id,
            org.vip[0],
            &CampaignResult::default(),
            "",
        )
        .await
        .expect_err("finished");
    assert!(
        matches!(&late, StoreError::Conflict { message, .. } if message.contains("finished")),
        "{late}"
    );
}
both_backends!(campaigns, a_campaign_from_filter_to_rates);
