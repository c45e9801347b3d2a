//! Switch configuration repositories: SIP extensions (secrets only, audited)
//! and trunks (passwords never serialised), each on SQLite and PostgreSQL.

mod support;

use std::net::IpAddr;

use sb_core::CallClass;
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, audit_actions, ext, outbound, secret, trunk};

async fn extensions_keep_only_secrets_and_are_audited(store: Store) {
    let a = actor();
    let created = store
        .create_sip_extension(t0(), &a, ext("2001"), &secret("2001", "pass-2001x"))
        .await
        .expect("create");
    assert!(!created.password_is_demo);
    assert_eq!(created.realm, "test-realm");
    let dup = store
        .create_sip_extension(t0(), &a, ext("2001"), &secret("2001", "other-pass1"))
        .await;
    assert!(
        matches!(
            dup,
            Err(StoreError::Duplicate {
                field: "extension",
                ..
            })
        ),
        "{dup:?}"
    );
    let account = store
        .sip_account("2001")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(account.ha1_md5, secret("2001", "pass-2001x").ha1_md5);
    assert_eq!(account.call_class, CallClass::Local);
    assert_eq!(account.max_contacts, 2);
    assert!(
        !format!("{account:?}").contains(&account.ha1_md5),
        "Debug hides HA1"
    );
    assert!(store.sip_account("2999").await.expect("lookup").is_none());

    // A new number needs a new password: HA1 is bound to the user name.
    let renumber = store
        .update_sip_extension(t0(), &a, created.id, ext("2002"), None)
        .await;
    assert!(
        matches!(
            renumber,
            Err(StoreError::Invalid {
                field: "password",
                ..
            })
        ),
        "{renumber:?}"
    );
    let mut disabled = ext("2001");
    disabled.enabled = false;
    let updated = store
        .update_sip_extension(t0(), &a, created.id, disabled, None)
        .await
        .expect("update without password");
    assert!(!updated.enabled);
    store
        .set_sip_password(t0(), &a, created.id, &secret("2001", "new-pass-99"))
        .await
        .expect("password");
    let account = store
        .sip_account("2001")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(account.ha1_sha256, secret("2001", "new-pass-99").ha1_sha256);

    for n in ["2010", "2003", "300"] {
        store
            .create_sip_extension(t0(), &a, ext(n), &secret(n, "pass-word-1"))
            .await
            .expect("more");
    }
    let page = store
        .list_sip_extensions(None, PageRequest::new(1, 3))
        .await
        .expect("list");
    assert_eq!(page.total, 4);
    let numbers: Vec<_> = page.items.iter().map(|e| e.extension.as_str()).collect();
    assert_eq!(numbers, ["300", "2001", "2003"], "shorter numbers first");
    let found = store
        .list_sip_extensions(Some("phone 201"), PageRequest::all())
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].extension, "2010");

    store
        .delete_sip_extension(t0(), &a, created.id)
        .await
        .expect("delete");
    assert_eq!(
        audit_actions(&store, "extension").await[..4],
        [
            "extension.delete",
            "extension.create",
            "extension.create",
            "extension.create"
        ]
    );
    let audit = store
        .search_audit(&AuditFilter::default(), PageRequest::all())
        .await
        .expect("audit");
    let all_text = serde_json::to_string(&audit.items).expect("json");
    assert!(
        !all_text.contains(&secret("2001", "new-pass-99").ha1_md5)
            && !all_text.contains("new-pass-99"),
        "neither password nor HA1 reaches the audit log"
    );
}
both_backends!(sip_extensions, extensions_keep_only_secrets_and_are_audited);

async fn trunks_hide_passwords_and_guard_their_routes(store: Store) {
    let a = actor();
    let mut input = trunk("carrier-a");
    input.register = true;
    input.username = "acct".into();
    let no_password = store.create_trunk(t0(), &a, input.clone()).await;
    assert!(
        matches!(
            no_password,
            Err(StoreError::Invalid {
                field: "password",
                ..
            })
        ),
        "{no_password:?}"
    );
    input.password = Some("carrier-secret".into());
    let created = store
        .create_trunk(t0(), &a, input.clone())
        .await
        .expect("trunk");
    assert!(created.has_password);
    assert_eq!(created.password, "carrier-secret");
    let json = serde_json::to_string(&created).expect("json");
    assert!(!json.contains("carrier-secret"), "never serialised: {json}");
    assert!(!format!("{created:?}").contains("carrier-secret"));
    assert!(created.trusts("203.0.113.9".parse::<IpAddr>().expect("ip")));
    assert!(!created.trusts("198.51.100.8".parse::<IpAddr>().expect("ip")));

    input.password = None;
    input.max_channels = 30;
    let kept = store
        .update_trunk(t0(), &a, created.id, input.clone())
        .await
        .expect("update keeps password");
    assert_eq!(
        (kept.password.as_str(), kept.max_channels),
        ("carrier-secret", 30)
    );
    let dup = store.create_trunk(t0(), &a, trunk("carrier-a")).await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate { field: "name", .. })),
        "{dup:?}"
    );
    let mut off = trunk("carrier-b");
    off.enabled = false;
    store
        .create_trunk(t0(), &a, off)
        .await
        .expect("disabled trunk");
    let enabled = store.enabled_trunks().await.expect("enabled");
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0].password, "carrier-secret");
    assert_eq!(store.list_trunks().await.expect("all").len(), 2);

    store
        .create_sip_extension(t0(), &a, ext("2001"), &secret("2001", "pass-2001x"))
        .await
        .expect("ext");
    store
        .create_outbound_route(
            t0(),
            &a,
            outbound("mobiles", 10, "1[3-9]XXXXXXXXX", created.id),
        )
        .await
        .expect("route");
    let busy = store.delete_trunk(t0(), &a, created.id).await;
    assert!(
        matches!(
            busy,
            Err(StoreError::Conflict {
                code: "trunk_in_use",
                ..
            })
        ),
        "{busy:?}"
    );
    let audit = store
        .search_audit(&AuditFilter::default(), PageRequest::all())
        .await
        .expect("audit");
    let text = serde_json::to_string(&audit.items).expect("json");
    assert!(
        !text.contains("carrier-secret"),
        "the trunk password is not audited"
    );
    assert!(
        audit_actions(&store, "trunk")
            .await
            .contains(&"trunk.update".to_owned())
    );
}
both_backends!(trunks, trunks_hide_passwords_and_guard_their_routes);
