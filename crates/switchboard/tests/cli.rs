//! The real binary: subcommands, first start, and a served request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

fn switchboard(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

struct Server {
    child: Child,
    base: String,
    first_start: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &std::path::Path) -> Server {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--sip",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data)
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    // Owned by `Server` from here on, so a failed read below still kills it.
    let mut server = Server {
        child,
        base: String::new(),
        first_start: None,
    };
    let stdout = server.child.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if line.starts_with("First start") {
            server.first_start = Some(line);
        } else if let Some((_, url)) = line.split_once("console at ") {
            server.base = url
                .trim()
                .trim_end_matches('/')
                .trim_start_matches("http://")
                .to_owned();
            return server;
        }
    }
    panic!("server exited before serving");
}

/// One HTTP/1.1 request over a plain socket: (status, body).
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(base).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn first_start_prints_the_admin_password_once_and_it_signs_in() {
    let dir = tempfile::tempdir().expect("tmp");
    let password = {
        let server = serve(dir.path());
        let line = server
            .first_start
            .clone()
            .expect("first start announces the administrator");
        let password = line
            .split("with password ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .expect("password")
            .to_owned();
        let (status, _) = http(&server.base, "GET", "/healthz", &[], "");
        assert_eq!(status, 200);
        let login = format!(r#"{{"employee_id":"admin","password":"{password}"}}"#);
        let (status, body) = http(
            &server.base,
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            &login,
        );
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("csrf_token"));
        password
    };
    assert!(dir.path().join("switchboard.db").exists());
    assert!(dir.path().join("recordings").is_dir());
    let again = serve(dir.path());
    assert!(
        again.first_start.is_none(),
        "the password is shown only on the first start"
    );
    let login = format!(r#"{{"employee_id":"admin","password":"{password}"}}"#);
    let (status, _) = http(
        &again.base,
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        &login,
    );
    assert_eq!(status, 200, "the data survived the restart");
}

#[test]
fn operators_manage_users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let migrate = switchboard(dir.path(), &["migrate"], None);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let add = switchboard(
        dir.path(),
        &[
            "user",
            "add",
            "--employee-id",
            "ops",
            "--name",
            "运维",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("ops-pass-123\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let dup = switchboard(
        dir.path(),
        &[
            "user",
            "add",
            "--employee-id",
            "ops",
            "--name",
            "x",
            "--password-stdin",
        ],
        Some("ops-pass-123\n"),
    );
    assert!(!dup.status.success());
    assert!(
        String::from_utf8_lossy(&dup.stderr).contains("employee_id"),
        "{}",
        String::from_utf8_lossy(&dup.stderr)
    );
    let weak = switchboard(
        dir.path(),
        &[
            "user",
            "add",
            "--employee-id",
            "weak",
            "--name",
            "x",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!weak.status.success(), "the password policy applies");
    let no_role = switchboard(
        dir.path(),
        &[
            "user",
            "add",
            "--employee-id",
            "r",
            "--name",
            "x",
            "--role",
            "pilot",
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&no_role.stderr).contains("pilot"));

    let passwd = switchboard(
        dir.path(),
        &["user", "passwd", "--employee-id", "ops", "--password-stdin"],
        Some("new-pass-456\n"),
    );
    assert!(
        passwd.status.success(),
        "{}",
        String::from_utf8_lossy(&passwd.stderr)
    );
    let token = switchboard(
        dir.path(),
        &["token", "create", "--employee-id", "ops"],
        None,
    );
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(token.starts_with("sbt_"), "{token}");

    let server = serve(dir.path());
    assert!(
        server.first_start.is_none(),
        "an installation with users gets no demo data"
    );
    let bearer = format!("Bearer {token}");
    let (status, body) = http(
        &server.base,
        "GET",
        "/api/v1/auth/me",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"employee_id\":\"ops\""));
    let login = r#"{"employee_id":"ops","password":"new-pass-456"}"#;
    let (status, _) = http(
        &server.base,
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        login,
    );
    assert_eq!(status, 200);
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["token", "create", "--help"],
    ] {
        let out = Command::new(BIN).args(&args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("--data-dir") && text.contains("--database-url"),
            "global flags everywhere: {args:?}\n{text}"
        );
    }
}
