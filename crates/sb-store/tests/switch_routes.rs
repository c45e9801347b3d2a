//! Inbound and outbound routes and the demo telephony of the first start,
//! each on SQLite and PostgreSQL.

mod support;

use sb_core::SipSecret;
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, audit_actions, ext, inbound, outbound, secret, trunk};

async fn routes_resolve_by_trunk_did_and_priority(store: Store) {
    let a = actor();
    let t1 = store
        .create_trunk(t0(), &a, trunk("one"))
        .await
        .expect("t1");
    let t2 = store
        .create_trunk(t0(), &a, trunk("two"))
        .await
        .expect("t2");
    for n in ["2001", "2002"] {
        store
            .create_sip_extension(t0(), &a, ext(n), &secret(n, "pass-word-1"))
            .await
            .expect("ext");
    }
    let missing = store
        .create_inbound_route(t0(), &a, inbound("4001", None, "2999"))
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
    let bad_trunk = store
        .create_inbound_route(t0(), &a, inbound("4001", Some(999), "2001"))
        .await;
    assert!(
        matches!(
            bad_trunk,
            Err(StoreError::Invalid {
                field: "trunk_id",
                ..
            })
        ),
        "{bad_trunk:?}"
    );
    store
        .create_inbound_route(t0(), &a, inbound("4001", None, "2001"))
        .await
        .expect("any trunk");
    let specific = store
        .create_inbound_route(t0(), &a, inbound("4001", Some(t2.id), "2002"))
        .await
        .expect("trunk two");
    for dup in [
        inbound("4001", None, "2002"),
        inbound("4001", Some(t2.id), "2001"),
    ] {
        let result = store.create_inbound_route(t0(), &a, dup).await;
        assert!(
            matches!(result, Err(StoreError::Duplicate { field: "did", .. })),
            "{result:?}"
        );
    }
    let via = |trunk: i64| {
        let store = store.clone();
        async move {
            store
                .inbound_route(trunk, "4001")
                .await
                .expect("lookup")
                .map(|r| r.target)
        }
    };
    assert_eq!(
        via(t2.id).await.as_deref(),
        Some("2002"),
        "the trunk's own route wins"
    );
    assert_eq!(
        via(t1.id).await.as_deref(),
        Some("2001"),
        "any-trunk fallback"
    );
    assert!(
        store
            .inbound_route(t1.id, "4999")
            .await
            .expect("lookup")
            .is_none()
    );
    let mut off = inbound("4001", Some(t2.id), "2002");
    off.enabled = false;
    store
        .update_inbound_route(t0(), &a, specific.id, off)
        .await
        .expect("disable");
    assert_eq!(
        via(t2.id).await.as_deref(),
        Some("2001"),
        "disabled routes are skipped"
    );

    let ext_2001 = store
        .list_sip_extensions(Some("2001"), PageRequest::all())
        .await
        .expect("find")
        .items
        .remove(0);
    let routed = store.delete_sip_extension(t0(), &a, ext_2001.id).await;
    assert!(
        matches!(
            routed,
            Err(StoreError::Conflict {
                code: "extension_in_use",
                ..
            })
        ),
        "{routed:?}"
    );

    let wide = store
        .create_outbound_route(t0(), &a, outbound("all-national", 50, "0.", t1.id))
        .await
        .expect("wide");
    let mut mobile = outbound("mobile", 10, "1[3-9]XXXXXXXXX", t2.id);
    mobile.strip = 1;
    mobile.prepend = "+861".into();
    store
        .create_outbound_route(t0(), &a, mobile)
        .await
        .expect("mobile");
    let mut off = outbound("off", 1, "X.", t1.id);
    off.enabled = false;
    store
        .create_outbound_route(t0(), &a, off)
        .await
        .expect("off");
    let dup = store
        .create_outbound_route(t0(), &a, outbound("mobile", 5, "9.", t1.id))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );
    let bad = store
        .create_outbound_route(t0(), &a, outbound("x", 5, "9.", 999))
        .await;
    assert!(
        matches!(
            bad,
            Err(StoreError::Invalid {
                field: "trunk_id",
                ..
            })
        ),
        "{bad:?}"
    );
    let routes = store.enabled_outbound_routes().await.expect("routes");
    let names: Vec<_> = routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["mobile", "all-national"],
        "by priority, enabled only"
    );
    assert_eq!(routes[0].trunk_name, "two");
    assert_eq!(routes[0].translate("13800138000"), "+8613800138000");
    assert!(
        routes[0]
            .dial_pattern()
            .expect("pattern")
            .matches("13800138000")
    );
    assert_eq!(store.list_outbound_routes().await.expect("all").len(), 3);
    store
        .delete_outbound_route(t0(), &a, wide.id)
        .await
        .expect("delete");
    assert_eq!(
        audit_actions(&store, "outbound_route").await[0],
        "outbound_route.delete"
    );
}
both_backends!(routes, routes_resolve_by_trunk_did_and_priority);

async fn first_start_brings_demo_telephony_or_only_the_admin(store: Store) {
    assert!(
        store
            .seed_first_start(t0(), "hash", "demo-realm", true)
            .await
            .expect("seed")
    );
    assert_eq!(
        store.demo_password_extensions().await.expect("demo"),
        ["1001", "1002", "1003", "1004"]
    );
    let account = store
        .sip_account("1001")
        .await
        .expect("lookup")
        .expect("1001");
    assert_eq!(account.realm, "demo-realm");
    assert_eq!(
        account.ha1_md5,
        SipSecret::derive("1001", "demo-realm", "demo1001").ha1_md5
    );
    let wang = store.staff_by_employee_id("1001").await.expect("staff");
    assert_eq!(
        wang.extension.as_deref(),
        Some("1001"),
        "staff and phones agree"
    );
    let trunks = store.list_trunks().await.expect("trunks");
    assert_eq!(trunks.len(), 1);
    assert_eq!(
        (trunks[0].name.as_str(), trunks[0].port, trunks[0].enabled),
        ("demo-carrier", 5080, false)
    );
    let route = store
        .inbound_route(trunks[0].id, "4008001000")
        .await
        .expect("lookup")
        .expect("demo DID");
    assert_eq!(route.target, "1001");
    let outbound = store.enabled_outbound_routes().await.expect("outbound");
    assert_eq!(outbound.len(), 1);
    assert_eq!((outbound[0].pattern.as_str(), outbound[0].strip), ("0.", 0));

    // A new password clears the demo flag.
    let id = store
        .list_sip_extensions(Some("1002"), PageRequest::all())
        .await
        .expect("find")
        .items[0]
        .id;
    store
        .set_sip_password(
            t0(),
            &actor(),
            id,
            &SipSecret::derive("1002", "demo-realm", "better-pass-2"),
        )
        .await
        .expect("password");
    assert_eq!(
        store.demo_password_extensions().await.expect("demo"),
        ["1001", "1003", "1004"]
    );
}
both_backends!(
    demo_telephony,
    first_start_brings_demo_telephony_or_only_the_admin
);

async fn first_start_without_demo_creates_only_the_admin(store: Store) {
    assert!(
        store
            .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, false)
            .await
            .expect("seed")
    );
    assert_eq!(store.count_staff().await.expect("count"), 1);
    let admin = store
        .staff_by_employee_id(FIRST_ADMIN_EMPLOYEE_ID)
        .await
        .expect("admin");
    assert!(admin.has_password && admin.department_id.is_none());
    assert!(
        store
            .list_departments()
            .await
            .expect("departments")
            .is_empty()
    );
    assert!(
        store
            .demo_password_extensions()
            .await
            .expect("demo")
            .is_empty()
    );
    assert!(store.list_trunks().await.expect("trunks").is_empty());
    assert!(
        !store
            .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, true)
            .await
            .expect("later start"),
        "a later start never seeds"
    );
}
both_backends!(no_demo, first_start_without_demo_creates_only_the_admin);
