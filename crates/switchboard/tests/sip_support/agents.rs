//! Agents as the SIP tests play them: a phone registered at an extension
//! that answers with a SIPp scenario, signing in through the API, the
//! agent's ACD state, a known console password, and the hotline's CDR.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::api::{field, items};
use super::rtp::{RtpPeer, relay_address};
use super::sipp::Sipp;
use super::{Switch, peers, poll};

/// Where an agent phone's scenario writes the switch's media address.
pub fn relay_file(switch: &Switch, extension: &str) -> PathBuf {
    switch
        .scratch("agents")
        .join(format!("agent-relay-{extension}"))
}

/// `extension` registers and answers with `scenario`, its RTP on `rtp`.
pub fn agent_phone(switch: &Switch, extension: &str, scenario: &str, rtp: &RtpPeer) -> Sipp {
    let port = peers::register(switch, extension);
    peers::answering(
        switch,
        &format!("agent-{extension}"),
        scenario,
        extension,
        ("127.0.0.1", port),
        vec![
            ("rtp_port", rtp.port.to_string()),
            (
                "relay_file",
                relay_file(switch, extension).display().to_string(),
            ),
        ],
        &[],
    )
}

/// Where the switch takes `extension`'s RTP, once its phone answered.
pub fn phone_relay(switch: &Switch, extension: &str) -> SocketAddr {
    relay_address(&relay_file(switch, extension))
        .unwrap_or_else(|| panic!("{extension} never answered"))
}

/// Signs the agent in at their own extension (as the administrator);
/// returns the agent's state as the API answered it.
pub fn sign_in(switch: &Switch, employee_id: &str) -> String {
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/agents/{employee_id}/state"),
        r#"{"state":"signed_in"}"#,
    );
    assert_eq!(
        status,
        200,
        "sign-in of {employee_id}: {body}\n{}",
        switch.log()
    );
    body
}

/// The agent's ACD state (`ready`, `on_call`...), if they are an agent.
pub fn agent_state(switch: &Switch, employee_id: &str) -> Option<String> {
    let (_, body) = switch.api_get("/api/v1/acd/state");
    let start = body.find(&format!(r#""employee_id":"{employee_id}""#))?;
    field(&body[start..], "state")
}

/// Gives a demo person a console password the test knows.
pub fn set_password(switch: &Switch, employee_id: &str, password: &str) {
    let (_, page) = switch.api_get(&format!("/api/v1/staff?q={employee_id}"));
    let id = items(&page)
        .into_iter()
        .find(|s| field(s, "employee_id").as_deref() == Some(employee_id))
        .and_then(|s| field(&s, "id"))
        .unwrap_or_else(|| panic!("no staff {employee_id}: {page}"));
    let (status, body) = switch.api_send(
        "POST",
        &format!("/api/v1/staff/{id}/password"),
        &format!(r#"{{"password":"{password}"}}"#),
    );
    assert_eq!(status, 204, "{body}");
}

/// The CDR of the (first) call to the demo hotline, once written.
pub fn hotline_cdr(switch: &Switch) -> String {
    poll(Duration::from_secs(20), || {
        switch
            .cdrs()
            .into_iter()
            .find(|c| field(c, "callee").as_deref() == Some("4000"))
    })
    .unwrap_or_else(|| panic!("no CDR for the hotline call\n{}", switch.log()))
}
