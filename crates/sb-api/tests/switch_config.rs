//! Switch configuration over the API: extensions (passwords in, never out;
//! the demo-password warning; live registrations), trunks and routes, with
//! input errors named by field and the switch told of every change.

mod common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp};
use sb_api::RegistrationView;
use sb_core::{DataScope, Permission, SipSecret};
use serde_json::{Value, json};

fn assert_field(reply: &common::Reply, status: StatusCode, field: &str) {
    assert_eq!(
        (reply.status, reply.field()),
        (status, field),
        "{:?}",
        reply.body
    );
}

async fn extensions_take_passwords_and_never_give_them_back(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let body = |ext: &str, password: Option<&str>| {
        let mut b = json!({"extension": ext, "display_name": "前台", "call_class": "local", "max_contacts": 2});
        if let Some(p) = password {
            b["password"] = json!(p);
        }
        b
    };
    let created = app
        .post(
            "/api/v1/extensions",
            body("2001", Some("Front-desk-1")),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let text = created.body.to_string();
    assert!(
        !text.contains("Front-desk-1") && !text.contains("ha1"),
        "{text}"
    );
    assert_eq!(created.body["call_class"], "local");
    assert_eq!(created.body["password_is_demo"], false);
    let id = created.body["id"].as_i64().expect("id");

    for (bad, field) in [
        (body("2002", None), "password"),
        (body("2002", Some("short1")), "password"),
        (body("2002", Some("demo2002")), "password"),
        (body("2002", Some("no digits at all")), "password"),
        (body("20a2", Some("Front-desk-1")), "extension"),
        (
            json!({"extension": "2002", "password": "Front-desk-1", "max_contacts": 11}),
            "max_contacts",
        ),
        (
            json!({"extension": "2002", "password": "Front-desk-1", "call_class": "galaxy"}),
            "call_class",
        ),
        (
            json!({"extension": "2002", "password": "Front-desk-1", "pin": "1"}),
            "pin",
        ),
    ] {
        let r = app.post("/api/v1/extensions", bad, &admin).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let dup = app
        .post(
            "/api/v1/extensions",
            body("2001", Some("Other-pass-2")),
            &admin,
        )
        .await;
    assert_field(&dup, StatusCode::CONFLICT, "extension");

    let renumber = app
        .put(
            &format!("/api/v1/extensions/{id}"),
            body("2009", None),
            &admin,
        )
        .await;
    assert_field(&renumber, StatusCode::UNPROCESSABLE_ENTITY, "password");
    let kept = app
        .put(
            &format!("/api/v1/extensions/{id}"),
            body("2001", None),
            &admin,
        )
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    let account = app
        .store()
        .sip_account("2001")
        .await
        .expect("lookup")
        .expect("2001");
    assert_eq!(
        account.ha1_md5,
        SipSecret::derive("2001", "switchboard", "Front-desk-1").ha1_md5,
        "derived with the configured realm; an update without password keeps it"
    );

    let list = app.get("/api/v1/extensions?q=2001", &admin).await;
    assert_eq!(list.body["total"], 1, "{:?}", list.body);
    let page = app
        .get("/api/v1/extensions?per_page=2&page=2", &admin)
        .await;
    assert_eq!(
        (
            page.body["total"].as_i64(),
            page.body["items"].as_array().map(Vec::len)
        ),
        (Some(5), Some(2))
    );

    // The demo passwords are a warning until each is changed.
    let warnings = app.get("/api/v1/system/warnings", &admin).await;
    assert_eq!(
        warnings.body,
        json!([{"code": "demo_sip_passwords", "extensions": ["1001", "1002", "1003", "1004"]}])
    );
    app.user_with("agent9", &[], DataScope::Own, None).await;
    let agent = app.login("agent9", PASSWORD).await;
    let theirs = app.get("/api/v1/system/warnings", &agent).await;
    assert_eq!(
        theirs.body,
        json!([{"code": "demo_sip_passwords", "extensions": []}])
    );
    assert_eq!(
        app.get("/api/v1/system/warnings", &Auth::None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let demo = app.get("/api/v1/extensions?q=100", &admin).await;
    for ext in demo.body["items"].as_array().expect("items") {
        let path = format!("/api/v1/extensions/{}/password", ext["id"]);
        let weak = app
            .post(
                &path,
                json!({"password": format!("demo{}", ext["extension"].as_str().unwrap_or(""))}),
                &admin,
            )
            .await;
        assert_field(&weak, StatusCode::UNPROCESSABLE_ENTITY, "password");
        let set = app
            .post(&path, json!({"password": "Changed-pass-7"}), &admin)
            .await;
        assert_eq!(set.body["password_is_demo"], false, "{:?}", set.body);
    }
    assert_eq!(
        app.get("/api/v1/system/warnings", &admin).await.body,
        json!([])
    );

    let routed = app.get("/api/v1/extensions?q=1001", &admin).await;
    let routed_id = routed.body["items"][0]["id"].as_i64().expect("1001");
    let in_use = app
        .delete(&format!("/api/v1/extensions/{routed_id}"), &admin)
        .await;
    assert_eq!(
        (in_use.status, in_use.code()),
        (StatusCode::CONFLICT, "extension_in_use")
    );
    assert_eq!(
        app.delete(&format!("/api/v1/extensions/{id}"), &admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let events = switch.events();
    assert!(
        events.contains(&"Extension { extension: \"2001\" }".to_owned()),
        "{events:?}"
    );
    assert!(
        events.iter().filter(|e| e.contains("\"100")).count() >= 4,
        "{events:?}"
    );
    let audit = app
        .get("/api/v1/audit?entity=extension&per_page=100", &admin)
        .await;
    let text = audit.body.to_string();
    assert!(text.contains("extension.password") && text.contains("extension.create"));
    assert!(
        !text.contains("Front-desk-1") && !text.contains("Changed-pass-7"),
        "no password in the audit log"
    );
    app.finish().await;
}
both_apps!(
    extensions,
    extensions_take_passwords_and_never_give_them_back
);

fn registration(extension: &str, contact: &str) -> RegistrationView {
    RegistrationView {
        extension: extension.into(),
        contact: contact.into(),
        source: "192.0.2.10:5062".into(),
        transport: "udp".into(),
        user_agent: "Yealink T54W".into(),
        expires_at: sb_store::testing::t0() + time::Duration::minutes(5),
    }
}

#[tokio::test]
async fn registrations_come_from_the_running_switch() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let none = app.get("/api/v1/registrations", &admin).await;
    assert_eq!(none.body["total"], 0, "no switch, nobody registered");
    app.fake_switch(vec![
        registration("1002", "sip:1002@192.0.2.11:5060"),
        registration("1001", "sip:1001@192.0.2.10:5062"),
    ]);
    let all = app.get("/api/v1/registrations", &admin).await;
    assert_eq!(all.body["items"][0]["extension"], "1001", "{:?}", all.body);
    assert_eq!(all.body["items"][0]["expires_at"], "2026-11-24T09:05:00Z");
    let one = app.get("/api/v1/registrations?q=1002", &admin).await;
    assert_eq!(one.body["total"], 1);
    let reader = app
        .user_with("reader", &[Permission::ExtensionRead], DataScope::Own, None)
        .await;
    let token = app.token_for(reader).await;
    assert_eq!(
        app.get("/api/v1/registrations", &token).await.status,
        StatusCode::OK
    );
    let write = app
        .post(
            "/api/v1/extensions",
            json!({"extension": "2001", "password": "Front-desk-1"}),
            &token,
        )
        .await;
    assert_eq!(
        write.status,
        StatusCode::FORBIDDEN,
        "extension.read cannot create"
    );
    app.finish().await;
}

fn trunk(name: &str) -> Value {
    json!({
        "name": name, "host": "sip.carrier.example", "port": 5060, "transport": "udp",
        "inbound_addresses": ["203.0.113.0/24", "198.51.100.7"], "caller_id": "4008009000",
    })
}

async fn trunks_and_routes_check_their_input(app: TestApp) {
    let switch = app.fake_switch(vec![]);
    let admin = app.admin().await;
    let mut broken = trunk("x");
    broken["inbound_addresses"] = json!(["10.0.0.0/8", "10.0.0.1/8"]);
    for (bad, field) in [
        (json!({"name": "x", "host": "-bad-"}), "host"),
        (
            json!({"name": "x", "host": "10.0.0.1", "port": 70000}),
            "port",
        ),
        (
            json!({"name": "x", "host": "10.0.0.1", "transport": "tls"}),
            "transport",
        ),
        (
            json!({"name": "x", "host": "10.0.0.1", "register_expires": 10}),
            "register_expires",
        ),
        (
            json!({"name": "x", "host": "10.0.0.1", "caller_id": "call me"}),
            "caller_id",
        ),
        (
            json!({"name": "x", "host": "10.0.0.1", "register": true}),
            "username",
        ),
        (
            json!({"name": "x", "host": "10.0.0.1", "register": true, "username": "acct"}),
            "password",
        ),
        (broken, "inbound_addresses[1]"),
    ] {
        let r = app.post("/api/v1/trunks", bad, &admin).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let mut registering = trunk("carrier");
    registering["register"] = json!(true);
    registering["username"] = json!("acct-1");
    registering["password"] = json!("Carrier-secret-1");
    let created = app
        .post("/api/v1/trunks", registering.clone(), &admin)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["has_password"], true);
    assert!(!created.body.to_string().contains("Carrier-secret-1"));
    let trunk_id = created.body["id"].as_i64().expect("id");
    registering
        .as_object_mut()
        .expect("object")
        .remove("password");
    registering["max_channels"] = json!(20);
    let kept = app
        .put(&format!("/api/v1/trunks/{trunk_id}"), registering, &admin)
        .await;
    assert_eq!(
        (
            kept.body["has_password"].clone(),
            kept.body["max_channels"].clone()
        ),
        (json!(true), json!(20))
    );
    let dup = app.post("/api/v1/trunks", trunk("carrier"), &admin).await;
    assert_field(&dup, StatusCode::CONFLICT, "name");
    assert_eq!(
        app.get("/api/v1/trunks?q=carrier", &admin).await.body["total"],
        2,
        "with the demo carrier"
    );

    let route = |did: &str, trunk: Value, target: &str| json!({"did": did, "trunk_id": trunk, "target": target});
    for (bad, status, field) in [
        (
            route("40x", json!(null), "1001"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "did",
        ),
        (
            route("4001", json!(null), "2999"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "target",
        ),
        (
            route("4001", json!(999), "1001"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "trunk_id",
        ),
        (
            route("4008001000", json!(null), "1002"),
            StatusCode::CONFLICT,
            "did",
        ),
    ] {
        let r = app.post("/api/v1/inbound-routes", bad, &admin).await;
        assert_field(&r, status, field);
    }
    let own = app
        .post(
            "/api/v1/inbound-routes",
            route("4008001000", json!(trunk_id), "1002"),
            &admin,
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    assert_eq!(own.body["trunk_name"], "carrier");
    let target = app
        .store()
        .inbound_route(trunk_id, "4008001000")
        .await
        .expect("lookup");
    assert_eq!(target.map(|r| r.target).as_deref(), Some("1002"));

    let out =
        |name: &str, pattern: &str| json!({"name": name, "pattern": pattern, "trunk_id": trunk_id});
    let mut fixed = out("fixed", "9.");
    fixed["caller_id_mode"] = json!("fixed");
    let mut stripped = out("strip", "9X");
    stripped["strip"] = json!(3);
    let mut internal = out("int", "9.");
    internal["call_class"] = json!("internal");
    for (bad, field) in [
        (out("bad", "9Q."), "pattern"),
        (out("bad", ""), "pattern"),
        (stripped, "strip"),
        (internal, "call_class"),
        (fixed, "caller_id"),
        (
            json!({"name": "x", "pattern": "9.", "trunk_id": 999}),
            "trunk_id",
        ),
        (json!({"name": "x", "pattern": "9."}), "trunk_id"),
    ] {
        let r = app.post("/api/v1/outbound-routes", bad, &admin).await;
        assert_field(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let pattern_error = app
        .post("/api/v1/outbound-routes", out("bad", "1.2"), &admin)
        .await;
    assert!(
        pattern_error.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("position")
    );
    let mut mobile = out("mobile", "1[3-9]XXXXXXXXX");
    mobile["priority"] = json!(10);
    mobile["call_class"] = json!("national");
    let mobile = app.post("/api/v1/outbound-routes", mobile, &admin).await;
    assert_eq!(mobile.status, StatusCode::CREATED, "{:?}", mobile.body);
    let order = app.get("/api/v1/outbound-routes", &admin).await;
    let names: Vec<&str> = order.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["mobile", "demo-national"], "by priority");

    let in_use = app
        .delete(&format!("/api/v1/trunks/{trunk_id}"), &admin)
        .await;
    assert_eq!(
        (in_use.status, in_use.code()),
        (StatusCode::CONFLICT, "trunk_in_use")
    );
    let events = switch.events();
    for kind in ["Trunks", "InboundRoutes", "OutboundRoutes"] {
        assert!(events.iter().any(|e| e == kind), "{kind} in {events:?}");
    }
    let audit = app.get("/api/v1/audit?entity=trunk", &admin).await;
    assert!(!audit.body.to_string().contains("Carrier-secret-1"));
    app.finish().await;
}
both_apps!(trunks_and_routes, trunks_and_routes_check_their_input);

async fn recording_is_switched_on_per_extension_and_trunk(app: TestApp) {
    let admin = app.admin().await;
    let demo = app.get("/api/v1/extensions?q=1001", &admin).await;
    assert_eq!(
        demo.body["items"][0]["record_calls"], true,
        "the demo supervisor is recorded"
    );
    let created = app
        .post(
            "/api/v1/extensions",
            json!({"extension": "3101", "password": "Rec0rd-pass", "record_calls": true}),
            &admin,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["record_calls"], true);
    let id = created.body["id"].as_i64().expect("id");
    let read = app.get(&format!("/api/v1/extensions/{id}"), &admin).await;
    assert_eq!(read.body["record_calls"], true);
    let off = app
        .put(
            &format!("/api/v1/extensions/{id}"),
            json!({"extension": "3101", "record_calls": false}),
            &admin,
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(off.body["record_calls"], false);
    let bad = app
        .post(
            "/api/v1/extensions",
            json!({"extension": "3102", "password": "Rec0rd-pass", "record_calls": "yes"}),
            &admin,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field(), "record_calls");

    let trunk = app
        .post(
            "/api/v1/trunks",
            json!({"name": "recorded-carrier", "host": "sip.example.net", "record_calls": true}),
            &admin,
        )
        .await;
    assert_eq!(trunk.status, StatusCode::CREATED, "{:?}", trunk.body);
    assert_eq!(trunk.body["record_calls"], true);
    let trunk_id = trunk.body["id"].as_i64().expect("id");
    let read = app.get(&format!("/api/v1/trunks/{trunk_id}"), &admin).await;
    assert_eq!(read.body["record_calls"], true);
    let off = app
        .put(
            &format!("/api/v1/trunks/{trunk_id}"),
            json!({"name": "recorded-carrier", "host": "sip.example.net"}),
            &admin,
        )
        .await;
    assert_eq!(off.body["record_calls"], false, "absent means off");
    app.finish().await;
}
both_apps!(
    record_calls,
    recording_is_switched_on_per_extension_and_trunk
);
