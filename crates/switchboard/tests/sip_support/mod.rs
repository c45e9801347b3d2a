//! Shared harness for the real-peer SIP tests: the real `switchboard serve`
//! on free ports, SIPp and baresip runs in a temp dir, RTP peers, and the API
//! read back through a signed-in session. Every child process is killed when
//! its owner is dropped, and every wait has a deadline.
#![allow(dead_code)] // each test file uses a different part

pub mod agents;
pub mod api;
pub mod events;
pub mod peers;
pub mod rtp;
pub mod sipp;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
pub const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/sip/scenarios");
pub const TORTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/sip/torture");

/// Whether `tool` can run. A missing tool skips the test loudly, unless
/// SWITCHBOARD_REQUIRE_SIP_PEERS is set (CI), where it is a failure.
pub fn peers_available(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return true;
    }
    if std::env::var_os("SWITCHBOARD_REQUIRE_SIP_PEERS").is_some_and(|v| !v.is_empty() && v != "0")
    {
        panic!("{tool} is required (SWITCHBOARD_REQUIRE_SIP_PEERS is set) but not installed");
    }
    eprintln!("SKIPPED: {tool} not installed (scripts/install-test-deps installs it)");
    false
}

/// A UDP port nobody uses now on 127.0.0.1 (the OS picks it).
pub fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
    socket.local_addr().expect("local addr").port()
}

/// The first of four consecutive free UDP ports, for a SIPp's media
/// (`-mp`: audio RTP/RTCP and video RTP/RTCP), below the ephemeral range.
pub fn free_media_ports() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = 10_000 + (std::process::id() % 1000) as u16 * 8;
    for _ in 0..200 {
        let base = 10_000 + (start - 10_000 + NEXT.fetch_add(4, Ordering::Relaxed)) % 9_996;
        let free = (base..base + 4).all(|p| UdpSocket::bind(("127.0.0.1", p)).is_ok());
        if free {
            return base;
        }
    }
    panic!("no four consecutive free UDP ports for SIPp media");
}

/// A port free for both UDP and TCP, for the switch's SIP listener.
fn free_sip_port() -> u16 {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
        let port = udp.local_addr().expect("local addr").port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// A relay port range of its own for each switch, below the OS's ephemeral
/// ports so that the peers' sockets never take it.
fn rtp_range() -> String {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let slot =
        (std::process::id() as u16 % 97).wrapping_mul(7) + NEXT.fetch_add(1, Ordering::Relaxed);
    let first = 20_000 + (slot % 200) * 50;
    format!("{first}-{}", first + 49)
}

/// Polls `check` until it yields a value or `within` has passed.
pub fn poll<T>(within: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `switchboard serve` with its own data directory.
#[derive(Debug)]
pub struct Switch {
    child: Child,
    pub dir: tempfile::TempDir,
    pub sip: SocketAddr,
    pub http: String,
    pub admin_password: String,
    session: std::sync::Mutex<Option<api::Session>>,
}

impl Drop for Switch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // SWITCHBOARD_KEEP_TEST_DIRS=1 keeps a failed test's logs and traces.
        if std::thread::panicking() && std::env::var_os("SWITCHBOARD_KEEP_TEST_DIRS").is_some() {
            let kept = std::env::temp_dir().join(format!("switchboard-failed-{}", free_udp_port()));
            let copied = Command::new("cp")
                .arg("-a")
                .arg(self.dir.path())
                .arg(&kept)
                .status();
            eprintln!("kept the test's files in {} ({copied:?})", kept.display());
        }
    }
}

impl Switch {
    /// Starts the switch (ring timeout 2 s) and waits until SIP and HTTP listen.
    pub fn start() -> Switch {
        Switch::start_with(&[])
    }

    /// Starts the switch with extra `serve` arguments.
    pub fn start_with(extra: &[&str]) -> Switch {
        let dir = tempfile::tempdir().expect("temp dir");
        Switch::start_in(dir, extra, String::new())
    }

    /// Stops this switch (SIGKILL: nothing is saved on the way out) and
    /// starts a new one on the same data directory, as after a crash.
    pub fn restart(mut self, extra: &[&str]) -> Switch {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let password = std::mem::take(&mut self.admin_password);
        let dir = tempfile::tempdir().expect("placeholder dir");
        let dir = std::mem::replace(&mut self.dir, dir);
        drop(self);
        Switch::start_in(dir, extra, password)
    }

    /// `admin_password` is empty on a first start (the switch prints it).
    fn start_in(dir: tempfile::TempDir, extra: &[&str], admin_password: String) -> Switch {
        let sip_port = free_sip_port();
        // A restarted switch logs after its predecessor.
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("switch.log"))
            .expect("log file");
        let child = Command::new(BIN)
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["--http", "127.0.0.1:0"])
            .args(["--sip", &format!("127.0.0.1:{sip_port}")])
            .args(["--rtp-ports", &rtp_range()])
            // 2 s unless the test sets its own.
            .args(if extra.contains(&"--ring-timeout") {
                &[][..]
            } else {
                &["--ring-timeout", "2"][..]
            })
            .args(["--log", "info,sb_switch=debug,sb_sip=debug"])
            .args(extra)
            .env_remove("SWITCHBOARD_DATABASE_URL")
            .env_remove("SWITCHBOARD_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn switchboard serve");
        let mut switch = Switch {
            child,
            dir,
            sip: SocketAddr::from(([127, 0, 0, 1], sip_port)),
            http: String::new(),
            admin_password,
            session: std::sync::Mutex::new(None),
        };
        let stdout = switch.child.stdout.take().expect("stdout");
        let (lines, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut sip_listening = false;
        while !sip_listening || switch.http.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = incoming.recv_timeout(left) else {
                panic!("the switch did not start:\n{}", switch.log());
            };
            if let Some(rest) = line.split_once("with password ").map(|(_, r)| r) {
                switch.admin_password = rest.split(' ').next().unwrap_or_default().to_owned();
            } else if let Some((_, addr)) = line.split_once("SIP is listening on udp+tcp ") {
                assert_eq!(addr.trim(), switch.sip.to_string(), "SIP bound where asked");
                sip_listening = true;
            } else if let Some((_, url)) = line.split_once("console at ") {
                let url = url
                    .trim()
                    .trim_start_matches("http://")
                    .trim_end_matches('/');
                switch.http = url.to_owned();
            }
        }
        assert!(
            !switch.admin_password.is_empty(),
            "first start prints the admin password"
        );
        switch
    }

    /// The switch's log so far (stderr), for failure messages.
    pub fn log(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("switch.log")).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(60).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Sends SIGTERM: the graceful shutdown (new INVITEs 503, live calls may
    /// finish).
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM the switch");
    }

    /// Waits (at most `within`) for the switch to exit: its exit status.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        poll(within, || self.child.try_wait().ok().flatten())
    }

    /// A fresh scratch directory inside this switch's temp dir.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).expect("scratch dir");
        path
    }
}

/// Writes a SIPp injection CSV for one extension of the demo data
/// (password `demo<ext>`), or with the password given.
pub fn users_csv(dir: &Path, extension: &str, password: &str) -> PathBuf {
    let path = dir.join(format!("user-{extension}-{password}.csv"));
    let text = format!(
        "SEQUENTIAL\n{extension};{password};[authentication username={extension} password={password}]\n"
    );
    // Written whole and renamed into place: two SIPp started back to back
    // with the same user may read the file while the second writes it.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = dir.join(format!("user-{extension}-{password}.csv.{n}.tmp"));
    std::fs::write(&partial, text).expect("write csv");
    std::fs::rename(&partial, &path).expect("rename csv");
    path
}
