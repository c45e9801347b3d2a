//! Follow-me to the agent's own mobile (MISSION G8), on SQLite and PostgreSQL.

mod support;

use sb_core::{FollowMeMode, StaffId};
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, audit_actions, person};

async fn follow_me_set_read_audited_and_found_by_the_switch(store: Store) {
    let a = actor();
    let mut input = person("6201", None, Some("2201"));
    input.mobile = String::new();
    let s = store
        .create_staff(t0(), &a, input.clone(), None)
        .await
        .expect("staff");
    let id = StaffId(s.id);
    // New staff: off, 15 s.
    assert_eq!(s.follow_me_mode, FollowMeMode::Off);
    assert_eq!(s.follow_me_delay_s, 15);
    let on = FollowMe {
        mode: FollowMeMode::NoAnswer,
        delay_s: 5,
    };
    // No mobile: refused, naming the field.
    let refused = store.set_follow_me(t0(), &a, id, on).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Invalid {
                field: "follow_me_mode",
                ..
            })
        ),
        "{refused:?}"
    );
    input.mobile = "13800138000".into();
    store
        .update_staff(t0(), &a, s.id, input.clone())
        .await
        .expect("mobile");
    let too_long = store
        .set_follow_me(
            t0(),
            &a,
            id,
            FollowMe {
                mode: FollowMeMode::Always,
                delay_s: 121,
            },
        )
        .await;
    assert!(matches!(
        too_long,
        Err(StoreError::Invalid {
            field: "follow_me_delay_s",
            ..
        })
    ));
    let after = store.set_follow_me(t0(), &a, id, on).await.expect("set");
    assert_eq!(after.follow_me_mode, FollowMeMode::NoAnswer);
    assert_eq!(after.follow_me_delay_s, 5);
    assert_eq!(store.follow_me(id).await.expect("read"), on);
    assert!(
        audit_actions(&store, "staff")
            .await
            .contains(&"staff.follow_me".to_owned())
    );
    // The switch finds it by extension and by agent.
    let target = store
        .follow_me_for_extension("2201")
        .await
        .expect("by extension")
        .expect("found");
    assert_eq!(
        target,
        FollowMeTarget {
            employee_id: "6201".into(),
            mobile: "13800138000".into(),
            mode: FollowMeMode::NoAnswer,
            delay_s: 5,
        }
    );
    assert_eq!(
        store.follow_me_for_agent("6201").await.expect("by agent"),
        Some(target)
    );
    assert_eq!(
        store.follow_me_for_extension("2299").await.expect("none"),
        None
    );
    // An admin sets it with the record, in one change.
    let admin_set = store
        .update_staff_with_follow_me(
            t0(),
            &a,
            s.id,
            input.clone(),
            Some(FollowMe {
                mode: FollowMeMode::Always,
                delay_s: 0,
            }),
        )
        .await
        .expect("admin");
    assert_eq!(admin_set.follow_me_mode, FollowMeMode::Always);
    assert_eq!(admin_set.follow_me_delay_s, 0);
    // Disabled staff (or mode off) are not followed.
    input.enabled = false;
    store
        .update_staff(t0(), &a, s.id, input.clone())
        .await
        .expect("disable");
    assert_eq!(store.follow_me_for_agent("6201").await.expect("read"), None);
    input.enabled = true;
    store
        .update_staff_with_follow_me(
            t0(),
            &a,
            s.id,
            input,
            Some(FollowMe {
                mode: FollowMeMode::Off,
                delay_s: 15,
            }),
        )
        .await
        .expect("off");
    assert_eq!(
        store.follow_me_for_extension("2201").await.expect("read"),
        None
    );
    let missing = store.set_follow_me(t0(), &a, StaffId(999_999), on).await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}
both_backends!(
    follow_me,
    follow_me_set_read_audited_and_found_by_the_switch
);
