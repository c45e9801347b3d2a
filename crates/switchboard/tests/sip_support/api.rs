//! The HTTP API, read as the administrator: sign-in, GET, and the few JSON
//! fields the SIP tests look at (read by hand: this crate has no JSON
//! library, and the objects are flat).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::{Switch, poll};

#[derive(Debug, Clone)]
pub struct Session {
    cookie: String,
    /// Sent as X-CSRF-Token on changes.
    csrf: String,
}

/// One HTTP/1.1 request: (status, headers, body).
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    http_bytes(base, method, path, headers, body.as_bytes())
}

fn http_bytes(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(base).expect("connect to the API");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head.to_owned(), body.to_owned())
}

impl Switch {
    fn session(&self) -> Session {
        let mut guard = self.session.lock().expect("session lock");
        if let Some(session) = guard.as_ref() {
            return session.clone();
        }
        let session = self.sign_in("admin", &self.admin_password);
        *guard = Some(session.clone());
        session
    }

    /// POST, PUT or DELETE a JSON body as `employee_id` (signed in afresh
    /// with `password`): (status, body).
    pub fn api_send_as(
        &self,
        (employee_id, password): (&str, &str),
        method: &str,
        path: &str,
        json: &str,
    ) -> (u16, String) {
        let session = self.sign_in(employee_id, password);
        let headers = [
            ("Cookie", session.cookie.as_str()),
            ("Content-Type", "application/json"),
            ("X-CSRF-Token", session.csrf.as_str()),
        ];
        let (status, _, body) = http(&self.http, method, path, &headers, json);
        (status, body)
    }

    fn sign_in(&self, employee_id: &str, password: &str) -> Session {
        let login = format!(r#"{{"employee_id":"{employee_id}","password":"{password}"}}"#);
        let (status, head, body) = http(
            &self.http,
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            &login,
        );
        assert_eq!(status, 200, "{employee_id} sign-in: {body}");
        let cookie = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("set-cookie: ")
                    .or_else(|| l.strip_prefix("Set-Cookie: "))
            })
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned();
        let csrf = field(&body, "csrf_token").unwrap_or_default();
        Session { cookie, csrf }
    }

    /// The administrator's session cookie (`sb_session=...`).
    pub fn session_cookie(&self) -> String {
        self.session().cookie
    }

    /// GET as the administrator: (status, body).
    pub fn api_get(&self, path: &str) -> (u16, String) {
        let session = self.session();
        let (status, _, body) = http(&self.http, "GET", path, &[("Cookie", &session.cookie)], "");
        (status, body)
    }

    /// POST, PUT or DELETE a JSON body as the administrator: (status, body).
    pub fn api_send(&self, method: &str, path: &str, json: &str) -> (u16, String) {
        let session = self.session();
        let headers = [
            ("Cookie", session.cookie.as_str()),
            ("Content-Type", "application/json"),
            ("X-CSRF-Token", session.csrf.as_str()),
        ];
        let (status, _, body) = http(&self.http, method, path, &headers, json);
        (status, body)
    }

    /// POSTs a file's bytes (e.g. a WAV) to `path` as the administrator.
    pub fn api_upload(&self, path: &str, bytes: &[u8]) -> (u16, String) {
        let session = self.session();
        let headers = [
            ("Cookie", session.cookie.as_str()),
            ("Content-Type", "audio/wav"),
            ("X-CSRF-Token", session.csrf.as_str()),
        ];
        let (status, _, body) = http_bytes(&self.http, "POST", path, &headers, bytes);
        (status, body)
    }

    /// POSTs `json` to `path`, which must answer 201: the created object's id.
    pub fn api_create(&self, path: &str, json: &str) -> i64 {
        let (status, body) = self.api_send("POST", path, json);
        assert_eq!(status, 201, "POST {path} {json}: {body}");
        field(&body, "id")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no id in {body}"))
    }

    /// A counter or gauge from /metrics (no sign-in needed).
    pub fn metric(&self, name: &str) -> Option<u64> {
        let (status, _, body) = http(&self.http, "GET", "/metrics", &[], "");
        assert_eq!(status, 200, "GET /metrics");
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// The CDRs as flat JSON objects, newest first.
    pub fn cdrs(&self) -> Vec<String> {
        let (status, body) = self.api_get("/api/v1/cdrs?per_page=100");
        assert_eq!(status, 200, "GET /api/v1/cdrs: {body}");
        items(&body)
    }

    /// Waits (CDRs are written in batches) until `count` CDRs exist.
    pub fn wait_for_cdrs(&self, count: usize) -> Vec<String> {
        poll(Duration::from_secs(15), || {
            let cdrs = self.cdrs();
            (cdrs.len() >= count).then_some(cdrs)
        })
        .unwrap_or_else(|| {
            panic!(
                "expected {count} CDRs, have {:?}\n{}",
                self.cdrs(),
                self.log()
            )
        })
    }

    /// The extensions registered now (GET /api/v1/registrations).
    pub fn registered(&self) -> Vec<String> {
        let (status, body) = self.api_get("/api/v1/registrations?per_page=100");
        assert_eq!(status, 200, "GET /api/v1/registrations: {body}");
        items(&body)
            .iter()
            .filter_map(|r| field(r, "extension"))
            .collect()
    }
}

/// The objects of a page's `items` array, each as its JSON text.
pub fn items(page: &str) -> Vec<String> {
    let Some(start) = page.find("\"items\":[") else {
        panic!("not a page: {page}");
    };
    let mut objects = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut begin) = (0usize, false, false, 0usize);
    for (i, c) in page[start + 9..].char_indices() {
        let at = start + 9 + i;
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => {
                if depth == 0 {
                    begin = at;
                }
                depth += 1;
            }
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    objects.push(page[begin..=at].to_owned());
                }
            }
            ']' if !in_string && depth == 0 => break,
            _ => {}
        }
    }
    objects
}

/// A top-level string or number field of a flat JSON object.
pub fn field(object: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\":");
    let rest = object[object.find(&key)? + key.len()..].trim_start();
    if let Some(text) = rest.strip_prefix('"') {
        return Some(text[..text.find('"')?].to_owned());
    }
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().to_owned())
}

/// The CDR (JSON text) for the call from `caller` to `callee`.
pub fn cdr_for<'a>(cdrs: &'a [String], caller: &str, callee: &str) -> &'a str {
    cdrs.iter()
        .find(|c| {
            field(c, "caller").is_some_and(|v| v.contains(caller))
                && field(c, "callee").is_some_and(|v| v.contains(callee))
        })
        .unwrap_or_else(|| panic!("no CDR for {caller} -> {callee} in {cdrs:?}"))
}
