//! Phone-only agents (MISSION G10) with real SIP peers: a SIPp phone
//! registered as extension 1002 dials `*11<employee id>*<PIN>`, `*13`,
//! `*14`, `*12`; the switch answers each, confirms and hangs up, and the ACD
//! (read through `GET /api/v1/acd/state`) follows. A wrong PIN leaves the
//! agent signed out and is audited. Skipped (loudly) without SIPp unless
//! SWITCHBOARD_REQUIRE_SIP_PEERS is set.

mod sip_support;

use std::time::Duration;

use sip_support::api::{field, items};
use sip_support::{Switch, free_udp_port, peers, peers_available, poll};

/// The phone the agent sits at, and the demo agent (queue member) who signs in.
const PHONE: &str = "1002";
const AGENT: &str = "1004";
const PIN: &str = "4321";

/// 1002 dials `code`; the switch answers, confirms and sends BYE.
fn dial_code(switch: &Switch, code: &str) {
    let relay_file = switch
        .scratch("codes")
        .join(format!("relay-{}", free_udp_port()));
    let mut phone = peers::dial(
        switch,
        "feature-code",
        "uac_wait_bye.xml",
        (PHONE, "127.0.0.1"),
        code,
        vec![("relay_file", relay_file.display().to_string())],
        &[],
    );
    phone.assert_success(|| switch.log());
}

/// The agent's state and extension in the ACD's view.
fn agent(switch: &Switch) -> (Option<String>, Option<String>, Option<String>) {
    let (status, body) = switch.api_get("/api/v1/acd/state");
    assert_eq!(status, 200, "{body}");
    let start = body
        .find(&format!(r#""employee_id":"{AGENT}""#))
        .unwrap_or_else(|| panic!("{AGENT} is not an agent: {body}"));
    let agent = &body[start..];
    let agent = &agent[..agent.find('}').unwrap_or(agent.len())];
    (
        field(agent, "state"),
        field(agent, "extension"),
        field(agent, "reason"),
    )
}

fn wait_for_state(
    switch: &Switch,
    state: &str,
) -> (Option<String>, Option<String>, Option<String>) {
    poll(Duration::from_secs(5), || {
        let now = agent(switch);
        (now.0.as_deref() == Some(state)).then_some(now)
    })
    .unwrap_or_else(|| {
        panic!(
            "{AGENT} never became {state}: {:?}\n{}",
            agent(switch),
            switch.log()
        )
    })
}

fn set_pin(switch: &Switch) {
    let (_, page) = switch.api_get(&format!("/api/v1/staff?q={AGENT}"));
    let id = items(&page)
        .into_iter()
        .find(|s| field(s, "employee_id").as_deref() == Some(AGENT))
        .and_then(|s| field(&s, "id"))
        .unwrap_or_else(|| panic!("no staff {AGENT}: {page}"));
    let (status, body) = switch.api_send(
        "PUT",
        &format!("/api/v1/staff/{id}/agent-pin"),
        &format!(r#"{{"pin":"{PIN}"}}"#),
    );
    assert_eq!(status, 204, "{body}");
}

#[test]
fn a_phone_only_agent_signs_in_goes_ready_not_ready_and_out_by_feature_codes() {
    if !peers_available("sipp") {
        return;
    }
    let switch = Switch::start();
    set_pin(&switch);
    peers::register(&switch, PHONE);
    assert_eq!(agent(&switch).0.as_deref(), Some("logged_out"));

    // A wrong PIN: answered with the failure prompt, nothing changes.
    dial_code(&switch, &format!("*11{AGENT}*9999"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(agent(&switch).0.as_deref(), Some("logged_out"));
    let failed = poll(Duration::from_secs(5), || {
        let (_, page) = switch.api_get("/api/v1/audit?action=agent.pin_sign_in");
        page.contains(r#""outcome":"failed""#).then_some(page)
    })
    .unwrap_or_else(|| panic!("the wrong PIN was not audited\n{}", switch.log()));
    assert!(
        !failed.contains("9999"),
        "the PIN stays out of the audit log"
    );

    dial_code(&switch, &format!("*11{AGENT}*{PIN}"));
    let (_, extension, _) = wait_for_state(&switch, "ready");
    assert_eq!(
        extension.as_deref(),
        Some(PHONE),
        "signed in at the dialling phone"
    );

    dial_code(&switch, "*14");
    let (_, _, reason) = wait_for_state(&switch, "not_ready");
    assert_eq!(
        reason.as_deref(),
        Some("break"),
        "the first reason of the list"
    );
    dial_code(&switch, "*13");
    wait_for_state(&switch, "ready");
    dial_code(&switch, "*14meal");
    let (_, _, reason) = wait_for_state(&switch, "not_ready");
    assert_eq!(reason.as_deref(), Some("meal"));
    dial_code(&switch, "*12");
    wait_for_state(&switch, "logged_out");

    // The ACD's log tells who did it; the CDRs never hold the PIN.
    let cdrs = switch.wait_for_cdrs(6);
    assert!(
        cdrs.iter().all(|c| !c.contains(PIN) && !c.contains("9999")),
        "{cdrs:?}"
    );
    assert!(
        cdrs.iter()
            .any(|c| field(c, "callee").as_deref() == Some(&format!("*11{AGENT}*****"))),
        "{cdrs:?}"
    );
}
