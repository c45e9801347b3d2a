//! The phone sign-in's PIN check (MISSION G10) for the switch's directory:
//! Argon2id on the blocking pool, the same time spent whether or not the
//! employee exists or has a PIN (a dummy hash stands in), and one audit row
//! per attempt (kind `auth`, action `agent.pin_sign_in`, no PIN).

use std::sync::OnceLock;

use sb_api::auth::password::{hash_password, verify_password_blocking};
use sb_store::{Actor, AuditEvent, AuditKind, Store};
use sb_switch::{PinAttempt, SwitchError};
use time::OffsetDateTime;

/// Stands in for a missing PIN so an unknown employee costs the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("switchboard pin equaliser 0").unwrap_or_default())
}

pub(crate) async fn check(store: &Store, attempt: PinAttempt) -> Result<bool, SwitchError> {
    let failed = |e: sb_store::StoreError| SwitchError::Directory(e.to_string());
    let agent = store
        .agent_pin(&attempt.employee_id)
        .await
        .map_err(failed)?;
    let stored = agent
        .as_ref()
        .filter(|a| a.enabled)
        .and_then(|a| a.pin_hash.clone());
    let has_pin = stored.is_some();
    let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
    let right = verify_password_blocking(attempt.pin, hash).await && has_pin;
    let actor = Actor {
        id: agent.as_ref().map(|a| a.id),
        employee_id: attempt.employee_id.clone(),
        name: agent.map(|a| a.name).unwrap_or_default(),
        ip: attempt.source.to_string(),
    };
    let detail = if right {
        format!("signed in by phone at extension {}", attempt.extension)
    } else {
        format!(
            "wrong agent PIN dialled from extension {}",
            attempt.extension
        )
    };
    let event = AuditEvent {
        kind: AuditKind::Auth,
        outcome: if right { "ok" } else { "failed" },
        action: "agent.pin_sign_in",
        entity: "agent",
        entity_id: &attempt.employee_id,
        detail: &detail,
    };
    if let Err(error) = store
        .record_audit(OffsetDateTime::now_utc(), &actor, event)
        .await
    {
        tracing::error!(%error, "could not audit an agent PIN attempt");
    }
    Ok(right)
}
