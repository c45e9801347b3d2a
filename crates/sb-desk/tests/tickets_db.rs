//! Tickets through the desk on SQLite and PostgreSQL: serial numbers,
//! concurrent claims, history, repeat detection, list filters, the SLA
//! sweep and the customer's timeline.

use std::collections::BTreeSet;

use sb_core::{DataScope, Permission, StaffId};
use sb_desk::tickets::{Command, DeskActor, OpenTicket, StepRequest, TicketDesk};
use sb_desk::{DeskError, IllegalTransition};
use sb_store::testing::t0;
use sb_store::{
    Actor, CalendarInput, DepartmentInput, PageRequest, RoleInput, StaffInput, Store, TicketFilter,
    TicketKind, TicketPriority, TicketScope, TicketSlaPolicyInput, TicketSort, TicketState,
    both_backends,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const OFFICE: &str = r#"{"utc_offset_minutes": 480,
  "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-12:00", "13:00-18:00"],
             "wed": ["09:00-12:00", "13:00-18:00"], "thu": ["09:00-12:00", "13:00-18:00"],
             "fri": ["09:00-12:00", "13:00-18:00"]}}"#;

struct Org {
    support: i64,
    billing: i64,
    head: Actor,
    li: Actor,
    han: Actor,
    customer: i64,
}

fn actor_of(id: i64, employee_id: &str, name: &str) -> Actor {
    Actor {
        id: Some(StaffId(id)),
        employee_id: employee_id.into(),
        name: name.into(),
        ip: String::new(),
    }
}

async fn org(store: &Store) -> Org {
    let admin = Actor::system("test");
    let dept = |number: &str, name: &str, parent: Option<i64>| DepartmentInput {
        number: number.into(),
        name: name.into(),
        parent_id: parent,
        sort_order: 0,
    };
    let center = store
        .create_department(t0(), &admin, dept("01", "Center", None))
        .await
        .expect("center");
    let support = store
        .create_department(t0(), &admin, dept("01-01", "Support", Some(center.id)))
        .await
        .expect("support");
    let billing = store
        .create_department(t0(), &admin, dept("01-02", "Billing", Some(center.id)))
        .await
        .expect("billing");
    let role = |code: &str, perms: &[Permission]| RoleInput {
        code: code.into(),
        name: code.into(),
        description: String::new(),
        data_scope: DataScope::Department,
        permissions: perms.iter().copied().collect::<BTreeSet<_>>(),
    };
    let lead = store
        .create_role(t0(), &admin, role("lead", &[Permission::TicketDispatch]))
        .await
        .expect("lead role");
    let worker = store
        .create_role(t0(), &admin, role("worker", &[Permission::TicketWork]))
        .await
        .expect("worker role");
    let person = |id: &str, name: &str, department: i64, role: i64| StaffInput {
        employee_id: id.into(),
        name: name.into(),
        department_id: Some(department),
        work_group: String::new(),
        mobile: String::new(),
        email: String::new(),
        extension: None,
        enabled: true,
        role_ids: vec![role],
    };
    let head = store
        .create_staff(
            t0(),
            &admin,
            person("h1", "Wang Fang", center.id, lead.id),
            None,
        )
        .await
        .expect("head");
    let li = store
        .create_staff(
            t0(),
            &admin,
            person("s1", "Li Lei", support.id, worker.id),
            None,
        )
        .await
        .expect("li");
    let han = store
        .create_staff(
            t0(),
            &admin,
            person("s2", "Han Meimei", support.id, worker.id),
            None,
        )
        .await
        .expect("han");
    store
        .execute_script(
            "INSERT INTO customers (name, created_at, updated_at) VALUES ('Zhao Min', 0, 0);",
        )
        .await
        .expect("customer");
    let customer = store
        .ticket_customer_options("zhao", 10)
        .await
        .expect("options")[0]
        .id;
    store
        .create_calendar(
            t0(),
            &admin,
            CalendarInput {
                name: "office".into(),
                description: String::new(),
                document: OFFICE.into(),
            },
        )
        .await
        .expect("calendar");
    Org {
        support: support.id,
        billing: billing.id,
        head: actor_of(head.id, "h1", "Wang Fang"),
        li: actor_of(li.id, "s1", "Li Lei"),
        han: actor_of(han.id, "s2", "Han Meimei"),
        customer,
    }
}

fn desk_actor(actor: &Actor, department: i64, may_dispatch: bool) -> DeskActor {
    DeskActor {
        staff_id: actor.id.map_or(0, |id| id.0),
        department_id: Some(department),
        may_dispatch,
    }
}

fn request(subject: &str, customer: Option<i64>, department: Option<i64>) -> OpenTicket {
    OpenTicket {
        kind: TicketKind::Request,
        channel: "phone".into(),
        type_code: "repair".into(),
        subtype_code: "repair_onsite".into(),
        priority: TicketPriority::High,
        urgency: TicketPriority::Normal,
        subject: subject.into(),
        content: "the boiler is cold".into(),
        customer_id: customer,
        call_id: String::new(),
        custom_fields: serde_json::json!({}),
        department_id: department,
        assignee_id: None,
        note: String::new(),
    }
}

fn step(command: Command) -> StepRequest {
    StepRequest {
        command,
        note: String::new(),
    }
}

async fn serials_count_per_business_day(store: Store) {
    let o = org(&store).await;
    let desk = TicketDesk::new(store.clone());
    // 23:30 in China on the 24th, then 00:10 on the 25th.
    let late = datetime!(2026-11-24 15:30 UTC);
    let a = desk
        .open(late, &o.head, request("a", None, None))
        .await
        .expect("a");
    let b = desk
        .open(late, &o.head, request("b", None, None))
        .await
        .expect("b");
    let c = desk
        .open(
            late + Duration::minutes(40),
            &o.head,
            request("c", None, None),
        )
        .await
        .expect("c");
    assert_eq!(a.serial, "20261124-000001");
    assert_eq!(b.serial, "20261124-000002");
    assert_eq!(c.serial, "20261125-000001");
    assert_eq!(a.taker_id, o.head.id.map(|i| i.0));
    assert_eq!(a.state, TicketState::New);

    // Many at once: every serial distinct and gap-free.
    let mut tasks = Vec::new();
    for i in 0..12 {
        let desk = desk.clone();
        let head = o.head.clone();
        tasks.push(tokio::spawn(async move {
            desk.open(late, &head, request(&format!("p{i}"), None, None))
                .await
                .map(|t| t.serial)
        }));
    }
    let mut serials = BTreeSet::new();
    for task in tasks {
        serials.insert(task.await.expect("join").expect("open"));
    }
    let expected: BTreeSet<String> = (3..15).map(|n| format!("20261124-{n:06}")).collect();
    assert_eq!(serials, expected);
}
both_backends!(
    serials_count_per_business_day_test,
    serials_count_per_business_day
);

async fn two_claims_one_winner(store: Store) {
    let o = org(&store).await;
    let desk = TicketDesk::new(store.clone());
    let t = desk
        .open(
            t0(),
            &o.head,
            request("leak", Some(o.customer), Some(o.support)),
        )
        .await
        .expect("open");
    let claim = |who: Actor| {
        let desk = desk.clone();
        let dept = o.support;
        async move {
            let da = desk_actor(&who, dept, false);
            desk.step(t0(), &who, &da, t.id, step(Command::Claim)).await
        }
    };
    let (first, second) = tokio::join!(claim(o.li.clone()), claim(o.han.clone()));
    let (winner, loser) = match (first, second) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("expected one winner: {other:?}"),
    };
    let DeskError::Illegal(IllegalTransition { command, reason }) = loser else {
        panic!("loser got {loser:?}");
    };
    assert_eq!(command, "claim");
    let name = winner.assignee_name.clone().expect("assignee");
    assert_eq!(reason, format!("ticket is assigned to {name}, not queued"));
    assert_eq!(winner.state, TicketState::Assigned);
    let history = store.ticket_history(t.id).await.expect("history");
    assert_eq!(
        history.iter().map(|h| h.step.as_str()).collect::<Vec<_>>(),
        ["create", "claim"],
        "the losing claim left no trace"
    );
}
both_backends!(two_claims_one_winner_test, two_claims_one_winner);

async fn the_whole_journey_is_in_the_history(store: Store) {
    let o = org(&store).await;
    let desk = TicketDesk::new(store.clone());
    let head = desk_actor(&o.head, o.support, true);
    let li = desk_actor(&o.li, o.support, false);
    let t = desk
        .open(t0(), &o.head, request("noisy fan", Some(o.customer), None))
        .await
        .expect("open");
    let go = |minutes: i64| t0() + Duration::minutes(minutes);
    desk.step(
        go(1),
        &o.head,
        &head,
        t.id,
        step(Command::Dispatch {
            department_id: o.billing,
        }),
    )
    .await
    .expect("dispatch");
    let handover = StepRequest {
        command: Command::HandOver {
            department_id: o.support,
        },
        note: String::new(),
    };
    assert!(matches!(
        desk.step(go(2), &o.head, &head, t.id, handover).await,
        Err(DeskError::Invalid { ref field, .. }) if field == "note"
    ));
    let handover = StepRequest {
        command: Command::HandOver {
            department_id: o.support,
        },
        note: "it is a support matter".into(),
    };
    desk.step(go(3), &o.head, &head, t.id, handover)
        .await
        .expect("hand over");
    desk.step(go(4), &o.li, &li, t.id, step(Command::Claim))
        .await
        .expect("claim");
    let started = desk
        .step(go(5), &o.li, &li, t.id, step(Command::Start))
        .await
        .expect("start");
    assert_eq!(started.sla.responded_at, Some(go(5)));
    desk.step(go(6), &o.li, &li, t.id, step(Command::Resolve))
        .await
        .expect("resolve");
    let follow = Command::FollowUp {
        satisfaction: 5,
        feedback: "great".into(),
    };
    let followed = desk
        .step(go(7), &o.head, &head, t.id, step(follow))
        .await
        .expect("follow up");
    assert_eq!(
        (followed.satisfaction, followed.feedback.as_str()),
        (Some(5), "great")
    );
    let closed = desk
        .step(go(8), &o.head, &head, t.id, step(Command::Close))
        .await
        .expect("close");
    assert_eq!(closed.state, TicketState::Closed);
    assert_eq!(closed.closed_at, Some(go(8)));

    let history = store.ticket_history(t.id).await.expect("history");
    let steps: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|h| (h.step.as_str(), h.from_state.as_str(), h.to_state.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "", "new"),
            ("dispatch", "new", "new"),
            ("hand_over", "new", "new"),
            ("claim", "new", "assigned"),
            ("start", "assigned", "in_progress"),
            ("resolve", "in_progress", "resolved"),
            ("follow_up", "resolved", "follow_up"),
            ("close", "follow_up", "closed"),
        ]
    );
    assert_eq!(history[2].note, "it is a support matter");
    assert_eq!(history[2].department_name.as_deref(), Some("Support"));
    assert_eq!(history[3].actor_name, "Li Lei");
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));

    let timeline = store
        .ticket_timeline_lines(&t.serial)
        .await
        .expect("timeline");
    assert_eq!(timeline.len(), 3, "created, resolved, closed: {timeline:?}");
    assert!(timeline[0].contains("opened") && timeline[1].contains("resolved"));
    assert!(timeline[2].contains("closed"));
}
both_backends!(journey_test, the_whole_journey_is_in_the_history);

async fn repeats_are_flagged_within_the_window(store: Store) {
    let o = org(&store).await;
    let desk = TicketDesk::new(store.clone());
    let first = desk
        .open(t0(), &o.head, request("first", Some(o.customer), None))
        .await
        .expect("first");
    assert!(!first.is_repeat());
    let again = desk
        .open(
            t0() + Duration::days(6),
            &o.head,
            request("again", Some(o.customer), None),
        )
        .await
        .expect("again");
    assert_eq!(again.repeat_of_id, Some(first.id));
    assert_eq!(
        again.repeat_of_serial.as_deref(),
        Some(first.serial.as_str())
    );
    let mut other_type = request("other", Some(o.customer), None);
    other_type.type_code = "inquiry".into();
    assert!(
        !desk
            .open(t0() + Duration::days(6), &o.head, other_type)
            .await
            .expect("other")
            .is_repeat()
    );
    // Eight days after "again" and a 7-day window: not a repeat.
    let later = desk
        .open(
            t0() + Duration::days(14),
            &o.head,
            request("later", Some(o.customer), None),
        )
        .await
        .expect("later");
    assert!(!later.is_repeat());
    store
        .set_ticket_repeat_window_days(t0(), &o.head, 30)
        .await
        .expect("window");
    let within = desk
        .open(
            t0() + Duration::days(20),
            &o.head,
            request("within", Some(o.customer), None),
        )
        .await
        .expect("within");
    assert_eq!(within.repeat_of_id, Some(later.id));
    let repeats = store
        .search_tickets(
            &TicketFilter {
                repeat: Some(true),
                ..TicketFilter::default()
            },
            &TicketScope::everything(),
            TicketSort::OldestFirst,
            PageRequest::all(),
        )
        .await
        .expect("repeats");
    assert_eq!(
        repeats
            .items
            .iter()
            .map(|t| t.subject.as_str())
            .collect::<Vec<_>>(),
        ["again", "within"]
    );
}
both_backends!(repeat_test, repeats_are_flagged_within_the_window);

async fn filters_and_scope(store: Store) {
    let o = org(&store).await;
    let desk = TicketDesk::new(store.clone());
    let a = desk
        .open(
            t0(),
            &o.head,
            request("Boiler cold", Some(o.customer), Some(o.support)),
        )
        .await
        .expect("a");
    let mut b_req = request("Invoice wrong", None, Some(o.billing));
    b_req.type_code = "complaint".into();
    b_req.priority = TicketPriority::Urgent;
    let b = desk
        .open(t0() + Duration::hours(1), &o.head, b_req)
        .await
        .expect("b");
    let mut c_req = request("Fan noisy", None, None);
    c_req.assignee_id = o.li.id.map(|i| i.0);
    let c = desk
        .open(t0() + Duration::hours(2), &o.han, c_req)
        .await
        .expect("c");

    let find = |filter: TicketFilter, scope: TicketScope| {
        let store = store.clone();
        async move {
            store
                .search_tickets(&filter, &scope, TicketSort::OldestFirst, PageRequest::all())
                .await
                .expect("search")
                .items
                .into_iter()
                .map(|t| t.id)
                .collect::<Vec<_>>()
        }
    };
    let all = TicketScope::everything();
    let f = TicketFilter::default;
    assert_eq!(find(f(), all.clone()).await, [a.id, b.id, c.id]);
    assert_eq!(
        find(
            TicketFilter {
                states: vec![TicketState::Assigned],
                ..f()
            },
            all.clone()
        )
        .await,
        [c.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                type_code: Some("complaint".into()),
                ..f()
            },
            all.clone()
        )
        .await,
        [b.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                priority: Some(TicketPriority::Urgent),
                ..f()
            },
            all.clone()
        )
        .await,
        [b.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                department_id: Some(o.support),
                ..f()
            },
            all.clone()
        )
        .await,
        [a.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                assignee_id: o.li.id.map(|i| i.0),
                ..f()
            },
            all.clone()
        )
        .await,
        [c.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                customer_id: Some(o.customer),
                ..f()
            },
            all.clone()
        )
        .await,
        [a.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                serial: Some(b.serial.clone()),
                ..f()
            },
            all.clone()
        )
        .await,
        [b.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                text: Some("zhao".into()),
                ..f()
            },
            all.clone()
        )
        .await,
        [a.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                text: Some("INVOICE".into()),
                ..f()
            },
            all.clone()
        )
        .await,
        [b.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                created_from: Some(t0() + Duration::minutes(30)),
                created_to: Some(t0() + Duration::minutes(90)),
                ..f()
            },
            all.clone()
        )
        .await,
        [b.id]
    );
    assert_eq!(
        find(
            TicketFilter {
                queued_in: Some(vec![o.support, o.billing]),
                ..f()
            },
            all.clone()
        )
        .await,
        [a.id, b.id]
    );
    // Li in Support with a department scope: Support's ticket and his own.
    let li_scope = TicketScope {
        everything: false,
        department_ids: vec![o.support],
        staff_id: o.li.id.map_or(0, |i| i.0),
    };
    assert_eq!(find(f(), li_scope).await, [a.id, c.id]);
    // Han with an own scope: the one she took down.
    let han_scope = TicketScope {
        everything: false,
        department_ids: vec![],
        staff_id: o.han.id.map_or(0, |i| i.0),
    };
    assert_eq!(find(f(), han_scope).await, [c.id]);
}
both_backends!(filters_test, filters_and_scope);

async fn the_sweep_reminds_and_escalates_once(store: Store) {
    let o = org(&store).await;
    store
        .create_ticket_sla_policy(
            t0(),
            &o.head,
            TicketSlaPolicyInput {
                name: "repairs".into(),
                type_code: "repair".into(),
                priority: String::new(),
                calendar_name: "office".into(),
                response_minutes: 60,
                resolve_minutes: 240,
                reminder_minutes: 30,
                enabled: true,
            },
        )
        .await
        .expect("policy");
    let desk = TicketDesk::new(store.clone());
    // Tue 2026-11-24 10:00 in China.
    let opened: OffsetDateTime = datetime!(2026-11-24 10:00 +8).to_offset(time::UtcOffset::UTC);
    let mut req = request("sweep me", None, Some(o.support));
    req.assignee_id = o.li.id.map(|i| i.0);
    let t = desk.open(opened, &o.head, req).await.expect("open");
    assert_eq!(t.sla.response_due_at, Some(datetime!(2026-11-24 11:00 +8)));
    // 2 h before lunch, 2 h after: 15:00.
    assert_eq!(t.sla.resolve_due_at, Some(datetime!(2026-11-24 15:00 +8)));

    let li = o.li.id.map_or(0, |i| i.0);
    let head = o.head.id.map_or(0, |i| i.0);
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 10:29 +8))
            .await
            .expect("sweep")
            .notifications,
        0
    );
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 10:30 +8))
            .await
            .expect("sweep")
            .notifications,
        1
    );
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 10:31 +8))
            .await
            .expect("sweep")
            .notifications,
        0,
        "once"
    );
    assert_eq!(store.unread_notification_count(li).await.expect("count"), 1);
    // Past the response deadline: the head of Support (found up the tree) hears.
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 11:00 +8))
            .await
            .expect("sweep")
            .notifications,
        1
    );
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 11:05 +8))
            .await
            .expect("sweep")
            .notifications,
        0
    );
    let heads = store
        .notifications_of(head, true, PageRequest::all())
        .await
        .expect("head");
    assert_eq!(heads.items.len(), 1);
    assert_eq!(heads.items[0].kind, "sla_escalation");
    assert!(heads.items[0].body.contains(&t.serial));

    // Waiting on the customer from 11:10 to 14:10 (2 working hours) moves
    // the resolution deadline from 15:00 to 17:00.
    let li_actor = desk_actor(&o.li, o.support, false);
    desk.step(
        datetime!(2026-11-24 11:05 +8),
        &o.li,
        &li_actor,
        t.id,
        step(Command::Start),
    )
    .await
    .expect("start");
    desk.step(
        datetime!(2026-11-24 11:10 +8),
        &o.li,
        &li_actor,
        t.id,
        step(Command::WaitForCustomer),
    )
    .await
    .expect("wait");
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 16:00 +8))
            .await
            .expect("sweep")
            .notifications,
        0,
        "paused"
    );
    let back = desk
        .step(
            datetime!(2026-11-24 14:10 +8),
            &o.li,
            &li_actor,
            t.id,
            step(Command::CustomerReplied),
        )
        .await
        .expect("replied");
    assert_eq!(
        back.sla.resolve_due_at,
        Some(datetime!(2026-11-24 17:00 +8))
    );
    assert_eq!(back.sla.paused_at, None);
    assert_eq!(
        desk.sweep(datetime!(2026-11-24 16:30 +8))
            .await
            .expect("sweep")
            .notifications,
        1
    );
    let overdue = store
        .search_tickets(
            &TicketFilter {
                overdue_at: Some(datetime!(2026-11-24 17:01 +8)),
                ..TicketFilter::default()
            },
            &TicketScope::everything(),
            TicketSort::Deadline,
            PageRequest::all(),
        )
        .await
        .expect("overdue");
    assert_eq!(overdue.items.len(), 1);
    store
        .mark_all_notifications_read(t0(), li)
        .await
        .expect("read");
    assert_eq!(store.unread_notification_count(li).await.expect("count"), 0);
}
both_backends!(sweep_test, the_sweep_reminds_and_escalates_once);
