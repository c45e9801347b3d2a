//! Interop with a real softphone: two headless baresip instances (Debian's
//! baresip-core; no sound card: audio from the `ausine` generator, played
//! nowhere) register as 1001 and 1002; 1001 dials 1002 through its `ctrl_tcp`
//! control socket, 1002 answers automatically, audio flows through the relay,
//! 1001 hangs up, and the CDR says answered. Skipped (loudly) without baresip
//! unless SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sip_support::api::{cdr_for, field};
use sip_support::{Switch, free_media_ports, peers_available, poll};

/// A baresip process with its own config directory; killed when dropped.
#[derive(Debug)]
struct Baresip {
    child: Child,
    dir: PathBuf,
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Baresip {
    /// Starts `extension` (demo password) against the switch; `control` is
    /// the ctrl_tcp port, if the test drives this phone.
    fn start(switch: &Switch, extension: &str, answer: bool, control: Option<u16>) -> Baresip {
        let dir = switch.scratch(&format!("baresip-{extension}"));
        let sip = free_media_ports(); // baresip takes this port and the next (TLS)
        let rtp = free_media_ports();
        let mut config = format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{sip}\nrtp_ports {rtp}-{}\n\
             audio_source ausine,440\naudio_alert aufile,/dev/null\n\
             ausrc_srate 48000\nausrc_channels 2\nauplay_srate 48000\nauplay_channels 1\n\
             module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule ausine.so\n\
             module aufile.so\nmodule_app account.so\nmodule_app menu.so\n",
            rtp + 3
        );
        if let Some(port) = control {
            config.push_str(&format!(
                "module_app ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{port}\n"
            ));
        }
        std::fs::write(dir.join("config"), config).expect("config");
        let mut account = format!(
            "<sip:{extension}@{}>;auth_pass=demo{extension};regint=60",
            switch.sip
        );
        if answer {
            account.push_str(";answermode=auto");
        }
        std::fs::write(dir.join("accounts"), account + "\n").expect("accounts");
        let log = std::fs::File::create(dir.join("baresip.log")).expect("log");
        let child = Command::new("baresip")
            .arg("-f")
            .arg(&dir)
            .args(["-t", "60"]) // quits by itself even if the test is gone
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn baresip");
        Baresip { child, dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("baresip.log")).unwrap_or_default()
    }
}

/// baresip's ctrl_tcp: JSON commands and events, each a netstring.
struct Control {
    stream: TcpStream,
    pending: Vec<u8>,
}

impl Control {
    fn connect(port: u16) -> Control {
        let stream = poll(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .expect("baresip's ctrl_tcp socket");
        Control {
            stream,
            pending: Vec::new(),
        }
    }

    fn command(&mut self, command: &str, params: &str) {
        let json = format!(r#"{{"command":"{command}","params":"{params}","token":"t"}}"#);
        let netstring = format!("{}:{json},", json.len());
        self.stream
            .write_all(netstring.as_bytes())
            .expect("ctrl_tcp write");
    }

    /// Reads messages until one contains `needle`, within `within`.
    fn wait_for(&mut self, needle: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(message) = self.next_message() {
                if message.contains(needle) {
                    return Some(message);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn next_message(&mut self) -> Option<String> {
        let colon = self.pending.iter().position(|b| *b == b':')?;
        let len: usize = std::str::from_utf8(&self.pending[..colon])
            .ok()?
            .parse()
            .ok()?;
        let end = colon + 1 + len;
        if self.pending.len() <= end {
            return None;
        }
        let message = String::from_utf8_lossy(&self.pending[colon + 1..end]).into_owned();
        self.pending.drain(..=end);
        Some(message)
    }
}

fn free_tcp_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn relayed(switch: &Switch) -> (u64, u64) {
    let metric = |name: &str| {
        switch
            .metric(&format!("switchboard_rtp_packets_{name}_total"))
            .unwrap_or(0)
    };
    (metric("caller_to_callee"), metric("callee_to_caller"))
}

#[test]
fn two_baresip_phones_register_and_call_each_other() {
    if !peers_available("baresip") {
        return;
    }
    let switch = Switch::start();
    let callee = Baresip::start(&switch, "1002", true, None);
    let control_port = free_tcp_port();
    let caller = Baresip::start(&switch, "1001", false, Some(control_port));
    let context = |what: &str| {
        format!(
            "{what}\n--- 1001 ---\n{}\n--- 1002 ---\n{}\n--- switch ---\n{}",
            caller.log(),
            callee.log(),
            switch.log()
        )
    };

    let registered = poll(Duration::from_secs(15), || {
        let now = switch.registered();
        (now.iter().any(|e| e == "1001") && now.iter().any(|e| e == "1002")).then_some(now)
    });
    assert!(registered.is_some(), "{}", context("both phones register"));

    let mut control = Control::connect(control_port);
    control.command("dial", "1002");
    let established = control.wait_for("CALL_ESTABLISHED", Duration::from_secs(15));
    assert!(
        established.is_some(),
        "{}",
        context("the call is established")
    );

    // Audio both ways through the switch's relay (each phone sends 50 packets a second).
    let flowing = poll(Duration::from_secs(5), || {
        let (to_callee, to_caller) = relayed(&switch);
        (to_callee >= 25 && to_caller >= 25).then_some(())
    });
    assert!(
        flowing.is_some(),
        "{}",
        context(&format!("RTP relayed both ways: {:?}", relayed(&switch)))
    );

    control.command("hangup", "");
    let closed = control.wait_for("CALL_CLOSED", Duration::from_secs(10));
    assert!(closed.is_some(), "{}", context("the call ends"));

    let cdrs = switch.wait_for_cdrs(1);
    let cdr = cdr_for(&cdrs, "1001", "1002");
    assert_eq!(
        field(cdr, "disposition").as_deref(),
        Some("answered"),
        "{cdr}"
    );
    assert_eq!(
        field(cdr, "hangup_side").as_deref(),
        Some("caller"),
        "{cdr}"
    );
}
