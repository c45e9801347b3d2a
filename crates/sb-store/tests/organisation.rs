//! Organisation repositories (first start, departments, staff, roles), each on SQLite and PostgreSQL.

mod support;

use std::collections::BTreeSet;

use sb_core::{DataScope, Permission, StaffId};
use sb_store::both_backends;
use sb_store::testing::t0;
use sb_store::*;
use support::{actor, dept, person};

async fn migrations_are_idempotent_and_first_start_seeds_once(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    assert!(
        store
            .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, true)
            .await
            .expect("seed")
    );
    assert!(
        !store
            .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, true)
            .await
            .expect("seed again")
    );
    let admin = store
        .staff_by_employee_id(FIRST_ADMIN_EMPLOYEE_ID)
        .await
        .expect("admin exists");
    assert!(admin.has_password);
    let grants = store.grants(StaffId(admin.id)).await.expect("grants");
    assert_eq!(grants.widest(), DataScope::All);
    assert_eq!(grants.len(), Permission::ALL.len());
    assert!(store.list_departments().await.expect("departments").len() >= 4);
    assert!(
        store
            .list_dictionary()
            .await
            .expect("dict")
            .iter()
            .any(|t| t.code == "ticket_type")
    );
    assert_eq!(
        store
            .active_announcements(t0())
            .await
            .expect("active")
            .len(),
        1
    );
}
both_backends!(
    first_start,
    migrations_are_idempotent_and_first_start_seeds_once
);

async fn department_tree_rules(store: Store) {
    let a = actor();
    let root = store
        .create_department(t0(), &a, dept("100", "Root", None))
        .await
        .expect("root");
    let child = store
        .create_department(t0(), &a, dept("110", "Child", Some(root.id)))
        .await
        .expect("child");
    let grandchild = store
        .create_department(t0(), &a, dept("111", "Grandchild", Some(child.id)))
        .await
        .expect("gc");

    let dup = store
        .create_department(t0(), &a, dept("110", "Again", None))
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
    let orphan = store
        .create_department(t0(), &a, dept("120", "Orphan", Some(9999)))
        .await;
    assert!(
        matches!(
            orphan,
            Err(StoreError::Invalid {
                field: "parent_id",
                ..
            })
        ),
        "{orphan:?}"
    );
    let cycle = store
        .update_department(t0(), &a, root.id, dept("100", "Root", Some(grandchild.id)))
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

    let mut subtree = store.department_subtree(root.id).await.expect("subtree");
    subtree.sort_unstable();
    assert_eq!(subtree, vec![root.id, child.id, grandchild.id]);

    store
        .create_staff(t0(), &a, person("7001", Some(grandchild.id), None), None)
        .await
        .expect("staff");
    let busy = store.delete_department(t0(), &a, grandchild.id).await;
    assert!(
        matches!(
            busy,
            Err(StoreError::Conflict {
                code: "department_has_staff",
                ..
            })
        ),
        "{busy:?}"
    );
    let parent = store.delete_department(t0(), &a, child.id).await;
    assert!(
        matches!(
            parent,
            Err(StoreError::Conflict {
                code: "department_has_children",
                ..
            })
        ),
        "{parent:?}"
    );
    assert_eq!(
        store
            .department(grandchild.id)
            .await
            .expect("still there")
            .staff_count,
        1
    );

    let renamed = store
        .update_department(t0(), &a, child.id, dept("110", "Renamed", Some(root.id)))
        .await
        .expect("update");
    assert_eq!(renamed.name, "Renamed");
    let log = store
        .search_audit(
            &AuditFilter {
                action: Some("department.update".into()),
                ..Default::default()
            },
            PageRequest::new(1, 10),
        )
        .await
        .expect("audit");
    assert_eq!(log.total, 1);
    let entry = &log.items[0];
    assert_eq!(
        entry.before.as_ref().and_then(|b| b["name"].as_str()),
        Some("Child")
    );
    assert_eq!(
        entry.after.as_ref().and_then(|b| b["name"].as_str()),
        Some("Renamed")
    );
}
both_backends!(departments, department_tree_rules);

async fn staff_uniqueness_search_and_scope(store: Store) {
    let a = actor();
    let top = store
        .create_department(t0(), &a, dept("200", "Top", None))
        .await
        .expect("top");
    let sub = store
        .create_department(t0(), &a, dept("210", "Sub", Some(top.id)))
        .await
        .expect("sub");
    let other = store
        .create_department(t0(), &a, dept("300", "Other", None))
        .await
        .expect("other");
    let role = store
        .create_role(
            t0(),
            &a,
            RoleInput {
                code: "viewer".into(),
                name: "Viewer".into(),
                description: String::new(),
                data_scope: DataScope::Department,
                permissions: BTreeSet::from([Permission::StaffRead]),
            },
        )
        .await
        .expect("role");
    let mut first = person("5001", Some(top.id), Some("8101"));
    first.role_ids = vec![role.id, role.id];
    let first = store
        .create_staff(t0(), &a, first, Some("h".into()))
        .await
        .expect("first");
    assert_eq!(first.roles.len(), 1, "duplicate role ids collapse");
    store
        .create_staff(t0(), &a, person("5002", Some(sub.id), Some("8102")), None)
        .await
        .expect("second");
    store
        .create_staff(t0(), &a, person("5003", Some(other.id), None), None)
        .await
        .expect("third");

    let dup_id = store
        .create_staff(t0(), &a, person("5001", None, None), None)
        .await;
    assert!(
        matches!(
            dup_id,
            Err(StoreError::Duplicate {
                field: "employee_id",
                ..
            })
        ),
        "{dup_id:?}"
    );
    let dup_ext = store
        .create_staff(t0(), &a, person("5004", None, Some("8101")), None)
        .await;
    assert!(
        matches!(
            dup_ext,
            Err(StoreError::Duplicate {
                field: "extension",
                ..
            })
        ),
        "{dup_ext:?}"
    );
    let mut bad_role = person("5005", None, None);
    bad_role.role_ids = vec![424242];
    let bad_role = store.create_staff(t0(), &a, bad_role, None).await;
    assert!(
        matches!(
            bad_role,
            Err(StoreError::Invalid {
                field: "role_ids",
                ..
            })
        ),
        "{bad_role:?}"
    );
    assert_eq!(
        store.count_staff().await.expect("count"),
        3,
        "nothing half-written"
    );

    let all = PageRequest::all();
    let by_q = store
        .list_staff(
            &StaffFilter {
                q: Some("8102".into()),
                ..Default::default()
            },
            all,
        )
        .await
        .expect("q");
    assert_eq!(
        by_q.items
            .iter()
            .map(|s| s.employee_id.as_str())
            .collect::<Vec<_>>(),
        ["5002"]
    );
    let literal = store
        .list_staff(
            &StaffFilter {
                q: Some("%".into()),
                ..Default::default()
            },
            all,
        )
        .await
        .expect("%");
    assert_eq!(
        literal.total, 0,
        "LIKE wildcards in user text match literally"
    );
    let subtree = store.department_subtree(top.id).await.expect("subtree");
    let scoped = store
        .list_staff(
            &StaffFilter {
                department_ids: Some(subtree),
                ..Default::default()
            },
            all,
        )
        .await
        .expect("scoped");
    assert_eq!(scoped.total, 2);
    let by_role = store
        .list_staff(
            &StaffFilter {
                role_id: Some(role.id),
                ..Default::default()
            },
            all,
        )
        .await
        .expect("role");
    assert_eq!(by_role.total, 1);
    let paged = store
        .list_staff(&StaffFilter::default(), PageRequest::new(2, 2))
        .await
        .expect("paged");
    assert_eq!((paged.total, paged.items.len()), (3, 1));
    assert_eq!(paged.items[0].employee_id, "5003");
    let search = StaffFilter {
        q: Some("PERSON".into()),
        ..Default::default()
    };
    let second = store
        .list_staff(&search, PageRequest::new(2, 2))
        .await
        .expect("search page 2");
    assert_eq!(
        (second.total, second.items.len()),
        (3, 1),
        "search counts and pages case-insensitively"
    );
    let beyond = store
        .list_staff(&search, PageRequest::new(5, 2))
        .await
        .expect("search beyond");
    assert_eq!(
        (beyond.total, beyond.items.len()),
        (3, 0),
        "an empty page still reports the total"
    );

    let grants = store.grants(StaffId(first.id)).await.expect("grants");
    assert!(grants.allows(Permission::StaffRead));
    assert!(!grants.allows(Permission::StaffCreate));
    assert_eq!(
        grants.scope_of(Permission::StaffRead),
        Some(DataScope::Department)
    );
    assert_eq!(grants.scope_of(Permission::StaffCreate), None);

    let reset_own = store
        .create_role(
            t0(),
            &a,
            RoleInput {
                code: "self-service".into(),
                name: "Self service".into(),
                description: String::new(),
                data_scope: DataScope::Own,
                permissions: BTreeSet::from([
                    Permission::StaffResetPassword,
                    Permission::StaffRead,
                ]),
            },
        )
        .await
        .expect("second role");
    let mut both = person("5009", Some(top.id), None);
    both.role_ids = vec![role.id, reset_own.id];
    let both = store
        .create_staff(t0(), &a, both, None)
        .await
        .expect("two roles");
    let grants = store.grants(StaffId(both.id)).await.expect("grants");
    assert_eq!(
        grants.scope_of(Permission::StaffResetPassword),
        Some(DataScope::Own),
        "a scope stays with its role"
    );
    assert_eq!(
        grants.scope_of(Permission::StaffRead),
        Some(DataScope::Department),
        "the widest role wins per permission"
    );
    store
        .delete_staff(t0(), &a, both.id)
        .await
        .expect("cleanup");

    let in_use = store.delete_role(t0(), &a, role.id).await;
    assert!(
        matches!(
            in_use,
            Err(StoreError::Conflict {
                code: "role_in_use",
                ..
            })
        ),
        "{in_use:?}"
    );
}
both_backends!(staff, staff_uniqueness_search_and_scope);

async fn last_admin_and_builtin_role_are_protected(store: Store) {
    let a = actor();
    store
        .seed_first_start(t0(), "hash", DEFAULT_SIP_REALM, true)
        .await
        .expect("seed");
    let admin = store
        .staff_by_employee_id(FIRST_ADMIN_EMPLOYEE_ID)
        .await
        .expect("admin");
    let gone = store.delete_staff(t0(), &a, admin.id).await;
    assert!(
        matches!(
            gone,
            Err(StoreError::Conflict {
                code: "last_admin",
                ..
            })
        ),
        "{gone:?}"
    );
    let admin_role = store
        .role_by_code(ADMIN_ROLE_CODE)
        .await
        .expect("admin role");
    let weaken = store
        .update_role(
            t0(),
            &a,
            admin_role.id,
            RoleInput {
                code: "admin".into(),
                name: "x".into(),
                description: String::new(),
                data_scope: DataScope::Own,
                permissions: BTreeSet::new(),
            },
        )
        .await;
    assert!(
        matches!(
            weaken,
            Err(StoreError::Conflict {
                code: "builtin_role",
                ..
            })
        ),
        "{weaken:?}"
    );
    assert!(store.staff(admin.id).await.is_ok());
}
both_backends!(protections, last_admin_and_builtin_role_are_protected);
