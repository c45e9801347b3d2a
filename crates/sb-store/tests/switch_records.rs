//! What the switch records: call detail records (batches, filters, data
//! scope) and SIP address bans, each on SQLite and PostgreSQL.

mod support;

use std::net::IpAddr;

use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, dept, person};
use time::Duration;

fn cdr(i: i64, caller: &str, callee: &str) -> NewCdr {
    let started = t0() + Duration::minutes(i);
    let answered = i % 3 != 0;
    NewCdr {
        call_id: format!("call-{i}@test"),
        direction: if callee.len() > 4 {
            Direction::Outbound
        } else {
            Direction::Internal
        },
        caller: caller.into(),
        callee: callee.into(),
        caller_extension: Some(caller.into()),
        callee_extension: (callee.len() <= 4).then(|| callee.to_owned()),
        trunk_id: (callee.len() > 4).then_some(7),
        trunk_name: if callee.len() > 4 {
            "carrier".into()
        } else {
            String::new()
        },
        did: String::new(),
        started_at: started,
        answered_at: answered.then(|| started + Duration::seconds(5)),
        ended_at: started + Duration::seconds(5 + i),
        ring_ms: 5000,
        talk_ms: if answered { i * 1000 } else { 0 },
        disposition: if answered {
            Disposition::Answered
        } else {
            Disposition::NoAnswer
        },
        hangup_cause: if answered {
            "BYE".into()
        } else {
            "480 Temporarily Unavailable".into()
        },
        hangup_side: HangupSide::Caller,
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

async fn cdrs_are_written_in_batches_and_searched(store: Store) {
    store.insert_cdrs(&[]).await.expect("empty batch");
    // More rows than one INSERT statement holds.
    let mut batch: Vec<NewCdr> = (1..=450).map(|i| cdr(i, "2001", "2002")).collect();
    batch.push(cdr(451, "2003", "01058881234"));
    store.insert_cdrs(&batch).await.expect("batch");

    let all = store
        .list_cdrs(&CdrFilter::default(), PageRequest::new(1, 20))
        .await
        .expect("list");
    assert_eq!(all.total, 451);
    assert_eq!(all.items[0].call_id, "call-451@test", "newest first");
    assert_eq!(all.items[0].trunk_id, Some(7));
    assert_eq!(all.items[0].direction, Direction::Outbound);

    let page = |filter: CdrFilter| {
        let store = store.clone();
        async move {
            store
                .list_cdrs(&filter, PageRequest::all())
                .await
                .expect("list")
        }
    };
    let by_number = page(CdrFilter {
        number: Some("5888".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(by_number.total, 1);
    let window = page(CdrFilter {
        from: Some(t0() + Duration::minutes(10)),
        to: Some(t0() + Duration::minutes(20)),
        ..Default::default()
    })
    .await;
    assert_eq!(window.total, 10, "from inclusive, to exclusive");
    let missed = page(CdrFilter {
        disposition: Some(Disposition::NoAnswer),
        ..Default::default()
    })
    .await;
    assert_eq!(missed.total, 150);
    assert!(missed.items.iter().all(|c| c.answered_at.is_none()));
    let long_calls = page(CdrFilter {
        min_talk_ms: Some(400_000),
        max_talk_ms: Some(420_000),
        direction: Some(Direction::Internal),
        ..Default::default()
    })
    .await;
    assert_eq!(long_calls.total, 14, "talk between 400 and 420 s, answered");
    let by_trunk = page(CdrFilter {
        trunk_id: Some(7),
        ..Default::default()
    })
    .await;
    assert_eq!(by_trunk.total, 1);

    let one = store.get_cdr(all.items[0].id).await.expect("get");
    assert_eq!(one.callee, "01058881234");
    assert!(matches!(
        store.get_cdr(999_999).await,
        Err(StoreError::NotFound { .. })
    ));
}
both_backends!(cdrs, cdrs_are_written_in_batches_and_searched);

async fn cdr_scope_follows_the_staff_extensions(store: Store) {
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
    store
        .insert_cdrs(&[
            cdr(1, "2001", "2003"),
            cdr(2, "2003", "2001"),
            cdr(3, "2002", "2003"),
            cdr(4, "2003", "013800138000"),
        ])
        .await
        .expect("cdrs");
    // Sticky agent: 2003's last answered call was taken at 2001, staff 5001.
    let last = |caller: &'static str, since| {
        let store = store.clone();
        async move {
            store
                .last_agent_for_caller(caller, since)
                .await
                .expect("last agent")
        }
    };
    assert_eq!(last("2003", t0()).await.as_deref(), Some("5001"));
    assert_eq!(
        last("2003", t0() + Duration::minutes(3)).await,
        None,
        "too long ago"
    );
    assert_eq!(last("2002", t0()).await, None, "2003 is nobody's extension");
    let count = |scope: CdrScope| {
        let store = store.clone();
        async move {
            store
                .list_cdrs(
                    &CdrFilter {
                        scope,
                        ..Default::default()
                    },
                    PageRequest::all(),
                )
                .await
                .expect("list")
                .total
        }
    };
    assert_eq!(count(CdrScope::All).await, 4);
    assert_eq!(
        count(CdrScope::Departments(vec![team.id])).await,
        2,
        "caller or callee"
    );
    assert_eq!(count(CdrScope::Departments(vec![other.id])).await, 1);
    assert_eq!(count(CdrScope::Departments(vec![])).await, 0);
    assert_eq!(count(CdrScope::Staff(member.id)).await, 2);
    let outsiders = store
        .list_cdrs(
            &CdrFilter {
                scope: CdrScope::Departments(vec![other.id]),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("list");
    let theirs = outsiders.items[0].id;
    assert!(
        store
            .cdr_in_scope(theirs, &CdrScope::Departments(vec![other.id]))
            .await
            .expect("scope")
    );
    assert!(
        !store
            .cdr_in_scope(theirs, &CdrScope::Staff(member.id))
            .await
            .expect("scope")
    );
    assert!(
        store
            .cdr_in_scope(theirs, &CdrScope::All)
            .await
            .expect("scope")
    );
}
both_backends!(cdr_scope, cdr_scope_follows_the_staff_extensions);

async fn bans_extend_expire_and_lift(store: Store) {
    let switch = Actor::system("sip switch");
    let first = store
        .insert_ban(
            t0(),
            &switch,
            NewSipBan {
                address: ip("203.0.113.9"),
                reason: "10 failed registrations".into(),
                expires_at: t0() + Duration::hours(1),
            },
        )
        .await
        .expect("ban");
    let again = store
        .insert_ban(
            t0() + Duration::minutes(5),
            &switch,
            NewSipBan {
                address: ip("::ffff:203.0.113.9"),
                reason: "still scanning".into(),
                expires_at: t0() + Duration::hours(2),
            },
        )
        .await
        .expect("extend");
    assert_eq!(again.id, first.id, "one active ban per address");
    assert_eq!(again.expires_at, t0() + Duration::hours(2));
    assert_eq!(again.address, ip("203.0.113.9"), "kept as IPv4");
    store
        .insert_ban(
            t0(),
            &switch,
            NewSipBan {
                address: ip("2001:db8::1"),
                reason: "manual".into(),
                expires_at: t0() + Duration::minutes(10),
            },
        )
        .await
        .expect("v6 ban");
    assert_eq!(store.active_bans(t0()).await.expect("active").len(), 2);
    let later = t0() + Duration::minutes(30);
    let active = store.active_bans(later).await.expect("active");
    assert_eq!(active.len(), 1, "the short ban expired");
    assert_eq!(
        store
            .list_bans(later, PageRequest::all(), false)
            .await
            .expect("list")
            .total,
        1
    );
    assert_eq!(
        store
            .list_bans(later, PageRequest::all(), true)
            .await
            .expect("list all")
            .total,
        2
    );

    let admin = actor();
    let lifted = store.lift_ban(later, first.id, &admin).await.expect("lift");
    assert_eq!(lifted.lifted_at, Some(later));
    assert_eq!(lifted.lifted_by.as_deref(), Some("tester"));
    assert!(!lifted.is_active(later));
    let twice = store.lift_ban(later, first.id, &admin).await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Conflict {
                code: "ban_not_active",
                ..
            })
        ),
        "{twice:?}"
    );
    assert!(store.active_bans(later).await.expect("active").is_empty());
    assert!(matches!(
        store.lift_ban(later, 999_999, &admin).await,
        Err(StoreError::NotFound { .. })
    ));
    let audit = store
        .search_audit(
            &AuditFilter {
                entity: Some("sip_ban".into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    let actions: Vec<_> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "sip_ban.lift",
            "sip_ban.extend",
            "sip_ban.create",
            "sip_ban.create"
        ]
    );
}
both_backends!(sip_bans, bans_extend_expire_and_lift);
