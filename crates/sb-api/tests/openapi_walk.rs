//! Walks every operation of the OpenAPI document and holds the route to the
//! permission its security requirement declares: refused (403) without it,
//! admitted with only it. Public routes must answer anonymous callers.

mod common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp};
use sb_core::{DataScope, Permission};

struct Operation {
    method: Method,
    path: String,
    /// None: public. Some(None): any signed-in user. Some(Some(p)): needs p.
    needs: Option<Option<Permission>>,
}

fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(sb_api::openapi()).expect("doc");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let needs = op["security"]
                .as_array()
                .filter(|s| !s.is_empty())
                .map(|reqs| {
                    let scopes: Vec<&str> = reqs
                        .iter()
                        .flat_map(|r| r.as_object().into_iter().flat_map(|o| o.values()))
                        .flat_map(|v| v.as_array().into_iter().flatten())
                        .filter_map(|s| s.as_str())
                        .collect();
                    let first = scopes.first().map(|code| {
                        code.parse::<Permission>()
                            .expect("declared scope is a real permission")
                    });
                    assert!(
                        scopes
                            .iter()
                            .all(|s| Some(*s) == first.map(Permission::code)),
                        "{path}: one permission per route"
                    );
                    first
                });
            ops.push(Operation {
                method,
                path: path.replace("{id}", "999999"),
                needs,
            });
        }
    }
    ops
}

async fn walk(app: TestApp) {
    let ops = operations();
    assert!(
        ops.len() >= 40,
        "expected the whole API in the document, found {} operations",
        ops.len()
    );
    let nobody = app.user_with("nobody", &[], DataScope::Own, None).await;
    let nobody_session = app.login("nobody", common::PASSWORD).await;
    let nobody_token = app.token_for(nobody).await;
    let mut checked_permissions = std::collections::BTreeSet::new();
    let mut holders = std::collections::BTreeMap::new();

    for op in &ops {
        let body = matches!(op.method, Method::POST | Method::PUT).then(|| serde_json::json!({}));
        let what = format!("{} {}", op.method, op.path);
        match op.needs {
            Some(Some(permission)) => {
                checked_permissions.insert(permission);
                for auth in [&nobody_session, &nobody_token] {
                    let r = app
                        .send(op.method.clone(), &op.path, body.clone(), auth)
                        .await;
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{what} must refuse a user without {permission}: {:?}",
                        r.body
                    );
                    assert_eq!(r.code(), "forbidden");
                }
                let anonymous = app
                    .send(op.method.clone(), &op.path, body.clone(), &Auth::None)
                    .await;
                assert_eq!(
                    anonymous.status,
                    StatusCode::UNAUTHORIZED,
                    "{what} anonymous"
                );

                if let std::collections::btree_map::Entry::Vacant(slot) = holders.entry(permission)
                {
                    let holder = format!("holder-{}", permission.code().replace(['.', '_'], "-"));
                    let id = app
                        .user_with(&holder, &[permission], DataScope::All, None)
                        .await;
                    slot.insert(app.token_for(id).await);
                }
                let token = &holders[&permission];
                let r = app
                    .send(op.method.clone(), &op.path, body.clone(), token)
                    .await;
                assert!(
                    r.status != StatusCode::FORBIDDEN
                        && r.status != StatusCode::UNAUTHORIZED
                        && r.status.as_u16() < 500,
                    "{what} must admit a holder of {permission}, got {} {:?}",
                    r.status,
                    r.body
                );
            }
            Some(None) => {
                let anonymous = app
                    .send(op.method.clone(), &op.path, body.clone(), &Auth::None)
                    .await;
                assert_eq!(
                    anonymous.status,
                    StatusCode::UNAUTHORIZED,
                    "{what} anonymous"
                );
            }
            None => {
                let r = app
                    .send(op.method.clone(), &op.path, body.clone(), &Auth::None)
                    .await;
                assert!(
                    r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
                    "{what} is public: {:?}",
                    r.body
                );
            }
        }
    }
    let missing: Vec<_> = Permission::ALL
        .iter()
        .filter(|p| !checked_permissions.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "permissions no route checks: {missing:?}"
    );

    let denied = app
        .store()
        .search_audit(
            &sb_store::AuditFilter {
                kind: Some(sb_store::AuditKind::Denied),
                actor: Some("nobody".into()),
                ..Default::default()
            },
            sb_store::PageRequest::all(),
        )
        .await
        .expect("audit");
    assert!(
        denied.total
            >= 2 * ops
                .iter()
                .filter(|o| matches!(o.needs, Some(Some(_))))
                .count() as i64,
        "every refusal is audited"
    );
    app.finish().await;
}

#[tokio::test]
async fn every_route_checks_its_permission_sqlite() {
    walk(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn every_route_checks_its_permission_postgres() {
    if let Some(app) = TestApp::postgres().await {
        walk(app).await;
    }
}
