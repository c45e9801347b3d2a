//! SIPp runs: one scenario from tests/sip/scenarios, one call (`-m 1`), a
//! global timeout, and its errors and messages traced into the switch's temp
//! dir so that a failure shows what went over the wire.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use super::{SCENARIOS, free_media_ports, free_udp_port, poll};

/// A SIPp process; killed if still running when dropped.
#[derive(Debug)]
pub struct Sipp {
    child: Child,
    name: String,
    dir: PathBuf,
    pub port: u16,
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What to run: a scenario, as client of the switch or as a server.
#[derive(Debug)]
pub struct Run<'a> {
    pub name: &'a str,
    pub scenario: &'a str,
    pub csv: &'a Path,
    /// Client runs send to the switch; server runs (UAS) wait for it.
    pub client_of: Option<SocketAddr>,
    /// The local SIP port; a free one when None.
    pub port: Option<u16>,
    pub keys: Vec<(&'a str, String)>,
    /// SIP over TCP (one connection) instead of UDP.
    pub tcp: bool,
}

impl Run<'_> {
    pub fn spawn(self, dir: &Path) -> Sipp {
        self.spawn_from(dir, "127.0.0.1", &[])
    }

    /// Like `spawn`, bound to `local_ip` (any of 127/8 is on loopback, so a
    /// test can play a carrier or an attacker from an address of its own),
    /// with `extra` SIPp arguments after the usual ones (a later `-m`,
    /// `-timeout` or `-d` overrides).
    pub fn spawn_from(self, dir: &Path, local_ip: &str, extra: &[&str]) -> Sipp {
        let port = self.port.unwrap_or_else(free_udp_port);
        // Canonical, so the command line carries no `crates/switchboard/..`
        // for someone's `pkill -f switchboard` to match.
        let scenario = Path::new(SCENARIOS)
            .join(self.scenario)
            .canonicalize()
            .unwrap_or_else(|e| panic!("scenario {}: {e}", self.scenario));
        let mut command = Command::new("sipp");
        if let Some(remote) = self.client_of {
            command.arg(remote.to_string());
        }
        command
            .arg("-sf")
            .arg(&scenario)
            .arg("-inf")
            .arg(self.csv)
            .args(["-t", if self.tcp { "t1" } else { "u1" }])
            .args(["-i", local_ip, "-p", &port.to_string()])
            .args(["-mp", &free_media_ports().to_string()])
            .args([
                "-m",
                "1",
                "-timeout",
                "40s",
                "-timeout_error",
                "-nostdin",
                "-aa",
            ])
            .arg("-trace_err")
            .arg("-error_file")
            .arg(dir.join(format!("{}.errors.log", self.name)))
            .arg("-trace_msg")
            .arg("-message_file")
            .arg(dir.join(format!("{}.messages.log", self.name)));
        for (key, value) in &self.keys {
            command.args(["-key", key, value]);
        }
        command.args(extra);
        let out = std::fs::File::create(dir.join(format!("{}.out", self.name))).expect("out file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("clone"))
            .stderr(out)
            .spawn()
            .expect("spawn sipp");
        Sipp {
            child,
            name: self.name.to_owned(),
            dir: dir.to_owned(),
            port,
        }
    }
}

impl Sipp {
    /// Waits for SIPp to exit (at most `within`): its exit status.
    pub fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        poll(within, || self.child.try_wait().ok().flatten())
    }

    /// What SIPp traced: unexpected messages, then the whole exchange.
    pub fn trace(&self) -> String {
        let read = |suffix: &str| {
            std::fs::read_to_string(self.dir.join(format!("{}.{suffix}", self.name)))
                .unwrap_or_default()
        };
        let out = read("out");
        let out_tail: Vec<&str> = out.lines().rev().take(15).collect();
        format!(
            "--- {0} errors ---\n{1}\n--- {0} messages ---\n{2}\n--- {0} output (tail) ---\n{3}",
            self.name,
            read("errors.log"),
            read("messages.log"),
            out_tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    /// The status of the last final response SIPp received to an INVITE
    /// (from its message trace).
    pub fn final_invite_status(&self) -> Option<u16> {
        let log =
            std::fs::read_to_string(self.dir.join(format!("{}.messages.log", self.name))).ok()?;
        log.split("message received")
            .skip(1)
            .filter_map(|block| {
                let message = block.split_once(":\n\n")?.1;
                let status: u16 = message.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()?;
                let is_invite = message
                    .lines()
                    .any(|l| l.starts_with("CSeq:") && l.ends_with(" INVITE"));
                (is_invite && status >= 200).then_some(status)
            })
            .last()
    }

    /// The SIP messages SIPp traced so far (the trace is written as they go).
    pub fn messages(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.messages.log", self.name)))
            .unwrap_or_default()
    }

    /// The messages SIPp received so far, each from its start line.
    pub fn received(&self) -> Vec<String> {
        self.messages()
            .split("message received")
            .skip(1)
            .filter_map(|block| Some(block.split_once(":\n\n")?.1.trim_start().to_owned()))
            .collect()
    }

    /// The messages SIPp sent so far, each from its start line.
    pub fn sent(&self) -> Vec<String> {
        self.messages()
            .split("message sent")
            .skip(1)
            .filter_map(|block| Some(block.split_once(":\n\n")?.1.trim_start().to_owned()))
            .collect()
    }

    /// Whether SIPp has exited already.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_some()
    }

    /// Successful calls in SIPp's final statistics screen.
    fn successful_calls(&self) -> Option<u64> {
        let out = std::fs::read_to_string(self.dir.join(format!("{}.out", self.name))).ok()?;
        let line = out
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with("Successful call"))?;
        line.rsplit('|').next()?.trim().parse().ok()
    }

    /// Asserts that the call succeeded within 45 s: exit code 0 and one
    /// successful call (SIPp also exits 0 when SIGTERM stops it mid-call).
    pub fn assert_success(&mut self, switch_log: impl FnOnce() -> String) {
        let status = self.wait(Duration::from_secs(45));
        let successes = self.successful_calls();
        if status.is_some_and(|s| s.code() == Some(0)) && successes.is_some_and(|n| n >= 1) {
            return;
        }
        panic!(
            "sipp {} ended with {status:?} and {successes:?} successful calls (want 0 and 1)\n{}\n--- switch ---\n{}",
            self.name,
            self.trace(),
            switch_log()
        );
    }
}
