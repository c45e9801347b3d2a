//! Phones and carriers played by SIPp from any loopback address: a phone
//! registers from 127.0.0.1, a carrier or an attacker sends from an address
//! of its own (127.0.0.2-127.0.0.5; Linux routes all of 127/8 to lo), so the
//! switch tells them apart by source address as it would on a network.

use std::net::UdpSocket;
use std::time::Duration;

use super::sipp::{Run, Sipp};
use super::{Switch, free_udp_port, poll, users_csv};

/// Registers `extension` (demo password) from a fresh port on 127.0.0.1;
/// returns the port, where its answering scenario must then run.
pub fn register(switch: &Switch, extension: &str) -> u16 {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, extension, &format!("demo{extension}"));
    let mut sipp = Run {
        name: &format!("register-{extension}"),
        scenario: "register.xml",
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys: Vec::new(),
        tcp: false,
    }
    .spawn(&dir);
    sipp.assert_success(|| switch.log());
    sipp.port
}

/// A SIPp server (`scenario`) on `ip:port` playing `user`, once it listens.
pub fn answering(
    switch: &Switch,
    name: &str,
    scenario: &str,
    user: &str,
    (ip, port): (&str, u16),
    keys: Vec<(&str, String)>,
    extra: &[&str],
) -> Sipp {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, user, &format!("demo{user}"));
    let mut sipp = Run {
        name,
        scenario,
        csv: &csv,
        client_of: None,
        port: Some(port),
        keys,
        tcp: false,
    }
    .spawn_from(&dir, ip, extra);
    let bound = poll(Duration::from_secs(10), || {
        (sipp.exited() || UdpSocket::bind((ip, port)).is_err()).then_some(())
    });
    assert!(
        bound.is_some() && !sipp.exited(),
        "SIPp {name} did not start on {ip}:{port}:\n{}",
        sipp.trace()
    );
    sipp
}

/// A SIPp client (`scenario`) from `ip` calling `number` at the switch as
/// `user` (whose demo password answers a 407). `keys` get `callee` and, if
/// not given, a free `rtp_port`.
pub fn dial(
    switch: &Switch,
    name: &str,
    scenario: &str,
    (user, ip): (&str, &str),
    number: &str,
    mut keys: Vec<(&str, String)>,
    extra: &[&str],
) -> Sipp {
    let dir = switch.scratch("sipp");
    let csv = users_csv(&dir, user, &format!("demo{user}"));
    keys.push(("callee", number.to_owned()));
    if !keys.iter().any(|(k, _)| *k == "rtp_port") {
        keys.push(("rtp_port", free_udp_port().to_string()));
    }
    Run {
        name,
        scenario,
        csv: &csv,
        client_of: Some(switch.sip),
        port: None,
        keys,
        tcp: false,
    }
    .spawn_from(&dir, ip, extra)
}

/// A call from `user` at `ip` to `number` that the switch must refuse
/// (uac_refused.xml): the final status, with the SIPp run for its trace.
pub fn refused(switch: &Switch, name: &str, (user, ip): (&str, &str), number: &str) -> (u16, Sipp) {
    let mut sipp = dial(
        switch,
        name,
        "uac_refused.xml",
        (user, ip),
        number,
        Vec::new(),
        &[],
    );
    sipp.assert_success(|| switch.log());
    let status = sipp
        .final_invite_status()
        .unwrap_or_else(|| panic!("{name}: no final response to INVITE\n{}", sipp.trace()));
    (status, sipp)
}

/// Waits until `sipp`'s INVITE was answered with 200 (at most 15 s).
pub fn wait_answered(switch: &Switch, sipp: &mut Sipp) {
    let answered = poll(Duration::from_secs(15), || {
        (sipp.exited() || sipp.final_invite_status() == Some(200)).then_some(())
    });
    assert!(
        answered.is_some() && sipp.final_invite_status() == Some(200),
        "the call was not answered\n{}\n--- switch ---\n{}",
        sipp.trace(),
        switch.log()
    );
}

/// The value of `header` in the first received message starting with
/// `start` (e.g. "SIP/2.0 503").
pub fn received_header(sipp: &Sipp, start: &str, header: &str) -> Option<String> {
    let message = sipp.received().into_iter().find(|m| m.starts_with(start))?;
    let prefix = format!("{}:", header.to_ascii_lowercase());
    message.lines().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        lower
            .starts_with(&prefix)
            .then(|| line[prefix.len()..].trim().to_owned())
    })
}

/// Whether `sipp` has sent a request with `method` yet.
pub fn has_sent(sipp: &Sipp, method: &str) -> bool {
    sipp.sent()
        .iter()
        .any(|m| m.starts_with(&format!("{method} ")))
}
