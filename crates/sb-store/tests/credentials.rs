//! Sign-in state (lockout, sessions, API tokens), each on SQLite and PostgreSQL.

mod support;

use sb_core::StaffId;
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, person};
use time::Duration;

async fn login_lockout_and_sessions(store: Store) {
    let a = actor();
    let s = store
        .create_staff(t0(), &a, person("6001", None, None), Some("h1".into()))
        .await
        .expect("staff");
    let id = StaffId(s.id);
    let lock_for = Duration::minutes(15);
    for _ in 0..4 {
        assert_eq!(
            store
                .claim_login_attempt(t0(), id, 5, lock_for)
                .await
                .expect("claim"),
            LoginAttempt::Allowed
        );
        assert_eq!(
            store
                .record_login_failure(t0(), id, 5, lock_for)
                .await
                .expect("fail"),
            None
        );
    }
    assert_eq!(
        store
            .claim_login_attempt(t0(), id, 5, lock_for)
            .await
            .expect("claim 5"),
        LoginAttempt::Allowed
    );
    let locked = store
        .record_login_failure(t0(), id, 5, lock_for)
        .await
        .expect("fail 5");
    assert_eq!(locked, Some(t0() + lock_for));
    assert_eq!(
        store
            .credentials("6001")
            .await
            .expect("creds")
            .expect("some")
            .locked_until,
        locked
    );
    assert_eq!(
        store
            .claim_login_attempt(t0(), id, 5, lock_for)
            .await
            .expect("claim while locked"),
        LoginAttempt::Locked(t0() + lock_for),
        "no attempt while locked, whatever the password"
    );

    // Concurrent guesses: claims beyond the limit lock before any password is checked.
    let other = store
        .create_staff(t0(), &a, person("6002", None, None), Some("h".into()))
        .await
        .expect("staff");
    let other = StaffId(other.id);
    let mut outcomes = Vec::new();
    for _ in 0..8 {
        outcomes.push(
            store
                .claim_login_attempt(t0(), other, 5, lock_for)
                .await
                .expect("claim"),
        );
    }
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == LoginAttempt::Allowed)
            .count(),
        5
    );
    let later = t0() + Duration::minutes(16);
    assert_eq!(
        store
            .claim_login_attempt(later, other, 5, lock_for)
            .await
            .expect("claim later"),
        LoginAttempt::Allowed
    );
    store.record_login_success(other).await.expect("success");

    store.unlock_staff(t0(), &a, s.id).await.expect("unlock");
    assert_eq!(
        store
            .credentials("6001")
            .await
            .expect("creds")
            .expect("some")
            .locked_until,
        None
    );

    let session = NewSession {
        id_hash: "abc",
        staff_id: id,
        csrf_token: "csrf",
        expires_at: t0() + Duration::hours(1),
        ip: "127.0.0.1",
        user_agent: "test",
    };
    store
        .create_session(t0(), session.clone())
        .await
        .expect("session");
    store
        .create_session(
            t0(),
            NewSession {
                id_hash: "other",
                ..session
            },
        )
        .await
        .expect("session 2");
    assert!(store.session(t0(), "abc").await.expect("get").is_some());
    assert!(
        store
            .session(t0() + Duration::hours(2), "abc")
            .await
            .expect("get")
            .is_none(),
        "expired"
    );
    assert!(
        store.session(t0(), "abc").await.expect("get").is_none(),
        "expired session was deleted"
    );
    store
        .set_password(t0(), &a, id, "h2", Some("other"))
        .await
        .expect("passwd");
    assert!(
        store.session(t0(), "other").await.expect("get").is_some(),
        "the caller's session is kept"
    );

    let token = store
        .create_api_token(
            t0(),
            &a,
            NewApiToken {
                staff_id: id,
                name: "erp",
                prefix: "sbt_abcd",
                token_hash: "th",
                expires_at: None,
            },
        )
        .await
        .expect("token");
    assert_eq!(
        store
            .api_token_owner(t0(), "th")
            .await
            .expect("owner")
            .map(|c| c.id),
        Some(id)
    );
    assert_eq!(
        store
            .api_token_owner(t0(), "nope")
            .await
            .expect("owner")
            .map(|c| c.id),
        None
    );
    store
        .revoke_api_token(t0(), &a, token.id)
        .await
        .expect("revoke");
    assert_eq!(
        store
            .api_token_owner(t0(), "th")
            .await
            .expect("owner")
            .map(|c| c.id),
        None
    );
}
both_backends!(credentials, login_lockout_and_sessions);

async fn agent_pin_set_read_and_cleared(store: Store) {
    let a = actor();
    let s = store
        .create_staff(t0(), &a, person("6101", None, None), Some("h".into()))
        .await
        .expect("staff");
    let id = StaffId(s.id);
    assert!(!s.has_agent_pin);
    let none = store.agent_pin("6101").await.expect("read").expect("found");
    assert_eq!(none.pin_hash, None);
    store
        .set_agent_pin(t0(), &a, id, Some("$argon2id$pin"))
        .await
        .expect("set");
    let set = store.agent_pin("6101").await.expect("read").expect("found");
    assert_eq!(set.pin_hash.as_deref(), Some("$argon2id$pin"));
    assert!(set.enabled);
    assert!(store.staff(s.id).await.expect("staff").has_agent_pin);
    let audit = store
        .search_audit(
            &AuditFilter {
                action: Some("staff.agent_pin".into()),
                ..AuditFilter::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    assert_eq!(audit.items.len(), 1);
    let row = serde_json::to_string(&audit.items[0]).expect("json");
    assert!(
        !row.contains("argon2"),
        "the hash stays out of the audit log"
    );
    store
        .set_agent_pin(t0(), &a, id, None)
        .await
        .expect("clear");
    assert!(!store.staff(s.id).await.expect("staff").has_agent_pin);
    assert!(store.agent_pin("nobody").await.expect("read").is_none());
    let missing = store.set_agent_pin(t0(), &a, StaffId(999_999), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}
both_backends!(agent_pin, agent_pin_set_read_and_cleared);
