//! API test harness: the real router over a real database (SQLite, or a
//! PostgreSQL schema), driven with `oneshot` and a manual clock.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use sb_api::{ApiConfig, AppState, Clock, ManualClock, MediaDirs};
use sb_core::{DataScope, Permission, StaffId};
use sb_store::testing::{TestDb, t0};
use sb_store::{Actor, RoleInput, StaffInput, Store};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "s3cret-pass";

/// One Argon2 hash for every test user: hashing per user would dominate run time.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| sb_api::auth::password::hash_password(PASSWORD).expect("hash"))
}

pub struct TestApp {
    pub db: TestDb,
    pub app: Router,
    pub clock: ManualClock,
    pub state: AppState,
    /// Recordings, archive, prompts, music and scratch folders of this app.
    pub media: MediaDirs,
    _media_root: tempfile::TempDir,
}

/// How a request proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(String),
    Session { cookie: String, csrf: String },
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: HeaderMap,
}

/// An answer whose body is not JSON (audio, zip).
#[derive(Debug)]
pub struct RawReply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body as the API's JSON error, for failed requests.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::on(TestDb::sqlite().await).await
    }

    pub async fn postgres() -> Option<TestApp> {
        Some(TestApp::on(TestDb::postgres().await?).await)
    }

    async fn on(db: TestDb) -> TestApp {
        let clock = ManualClock::new(t0());
        db.store
            .seed_first_start(t0(), password_hash(), sb_store::DEFAULT_SIP_REALM, true)
            .await
            .expect("seed");
        let media_root = tempfile::tempdir().expect("media dir");
        let mut media = MediaDirs::under(media_root.path());
        media.archive = Some(media_root.path().join("archive"));
        media.create_all().expect("media folders");
        let config = ApiConfig {
            media_dirs: media.clone(),
            ..ApiConfig::default()
        };
        let state =
            AppState::new(db.store.clone(), Arc::new(clock.clone()), config).expect("state");
        let app = sb_api::app(state.clone());
        TestApp {
            db,
            app,
            clock,
            state,
            media,
            _media_root: media_root,
        }
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub async fn finish(self) {
        self.db.finish().await;
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: &Auth,
    ) -> Reply {
        let raw = body.map(|b| b.to_string());
        self.send_raw(method, path, raw.as_deref(), auth).await
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        auth: &Auth,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => req = req.header("authorization", format!("Bearer {token}")),
            Auth::Session { cookie, csrf } => {
                req = req
                    .header("cookie", format!("sb_session={cookie}"))
                    .header("x-csrf-token", csrf.as_str());
            }
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_owned())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let response = self.app.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply {
            status,
            body,
            headers,
        }
    }

    /// A request with a raw body and extra headers; the answer's body as bytes.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
        auth: &Auth,
    ) -> RawReply {
        let mut req = Request::builder().method(method).uri(path);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => req = req.header("authorization", format!("Bearer {token}")),
            Auth::Session { cookie, csrf } => {
                req = req
                    .header("cookie", format!("sb_session={cookie}"))
                    .header("x-csrf-token", csrf.as_str());
            }
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(Body::from(body)).expect("request");
        let response = self.app.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        RawReply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.send(Method::GET, path, None, auth).await
    }

    pub async fn post(&self, path: &str, body: Value, auth: &Auth) -> Reply {
        self.send(Method::POST, path, Some(body), auth).await
    }

    pub async fn put(&self, path: &str, body: Value, auth: &Auth) -> Reply {
        self.send(Method::PUT, path, Some(body), auth).await
    }

    pub async fn delete(&self, path: &str, auth: &Auth) -> Reply {
        self.send(Method::DELETE, path, None, auth).await
    }

    /// Signs in over the API and returns the session.
    pub async fn login(&self, employee_id: &str, password: &str) -> Auth {
        let reply = self
            .post(
                "/api/v1/auth/login",
                serde_json::json!({"employee_id": employee_id, "password": password}),
                &Auth::None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login of {employee_id}: {:?}",
            reply.body
        );
        let set_cookie = reply
            .headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("set-cookie");
        let cookie = set_cookie
            .split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .map(|(_, v)| v.to_owned())
            .expect("cookie");
        let csrf = reply.body["csrf_token"].as_str().expect("csrf").to_owned();
        Auth::Session { cookie, csrf }
    }

    pub async fn admin(&self) -> Auth {
        self.login("admin", PASSWORD).await
    }

    /// A user (with password) holding a role of exactly `permissions` and `scope`.
    pub async fn user_with(
        &self,
        employee_id: &str,
        permissions: &[Permission],
        scope: DataScope,
        department: Option<i64>,
    ) -> StaffId {
        let actor = Actor::system("test");
        let mut role_ids = Vec::new();
        if !permissions.is_empty() || scope != DataScope::Own {
            let role = self
                .store()
                .create_role(
                    t0(),
                    &actor,
                    RoleInput {
                        code: format!("role-{}", employee_id.to_lowercase()),
                        name: format!("Role of {employee_id}"),
                        description: String::new(),
                        data_scope: scope,
                        permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
                    },
                )
                .await
                .expect("role");
            role_ids.push(role.id);
        }
        let input = StaffInput {
            employee_id: employee_id.into(),
            name: format!("User {employee_id}"),
            department_id: department,
            work_group: String::new(),
            mobile: String::new(),
            email: String::new(),
            extension: None,
            enabled: true,
            role_ids,
        };
        let staff = self
            .store()
            .create_staff(t0(), &actor, input, Some(password_hash().to_owned()))
            .await
            .expect("staff");
        StaffId(staff.id)
    }

    /// A bearer token for `staff`.
    pub async fn token_for(&self, staff: StaffId) -> Auth {
        let created = sb_api::routes::api_tokens::issue(
            self.store(),
            self.clock.now(),
            &Actor::system("test"),
            staff,
            "test",
            None,
        )
        .await
        .expect("token");
        Auth::Bearer(created.secret().to_owned())
    }

    pub async fn department_id(&self, number: &str) -> i64 {
        self.store()
            .list_departments()
            .await
            .expect("departments")
            .into_iter()
            .find(|d| d.number == number)
            .expect("department")
            .id
    }
}

/// Generates `<name>::sqlite` and `<name>::postgres` from one
/// `async fn(TestApp)`; the PostgreSQL one passes (loudly) when the server
/// is unreachable, like the repository tests.
#[macro_export]
macro_rules! both_apps {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$body(super::common::TestApp::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(app) = super::common::TestApp::postgres().await {
                    super::$body(app).await;
                }
            }
        }
    };
}

/// A stand-in for the running switch that remembers what it was told.
#[derive(Debug, Default)]
pub struct FakeSwitch {
    pub events: std::sync::Mutex<Vec<String>>,
    pub registered: Vec<sb_api::RegistrationView>,
}

impl FakeSwitch {
    pub fn events(&self) -> Vec<String> {
        self.events.lock().expect("events").clone()
    }

    fn note(&self, event: String) {
        self.events.lock().expect("events").push(event);
    }
}

impl sb_api::SwitchControl for FakeSwitch {
    fn ban_lifted(&self, address: std::net::IpAddr) {
        self.note(format!("lifted {address}"));
    }
    fn ban_added(&self, address: std::net::IpAddr, until_millis: i64) {
        self.note(format!("banned {address} until {until_millis}"));
    }
    fn registrations(&self) -> Vec<sb_api::RegistrationView> {
        self.registered.clone()
    }
    fn config_changed(&self, change: sb_api::ConfigChange) {
        self.note(format!("{change:?}"));
    }
}

impl TestApp {
    /// Installs a fake switch and returns it for inspection.
    pub fn fake_switch(&self, registered: Vec<sb_api::RegistrationView>) -> Arc<FakeSwitch> {
        let fake = Arc::new(FakeSwitch {
            registered,
            ..FakeSwitch::default()
        });
        self.state.set_switch(fake.clone());
        fake
    }
}
