//! Keeps the switch registered with every carrier whose trunk asks for it,
//! re-registering at 80% of the granted expiry and retrying failures every
//! reconciliation pass; trunks removed or disabled are unregistered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sb_sip::{CarrierRegistration, TrunkCredentials};
use tracing::{info, warn};

use crate::directory::Trunk;
use crate::shared::{Shared, unix_millis};

const PASS: Duration = Duration::from_secs(15);

/// What the console shows per registering trunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierStatus {
    pub trunk_id: i64,
    pub trunk_name: String,
    pub registered: bool,
    /// The carrier's last final answer (200, 403...), 0 if none arrived.
    pub last_status: u16,
    pub expires_at_millis: u64,
    pub updated_at_millis: u64,
}

pub(crate) type CarrierTable = Arc<Mutex<HashMap<i64, CarrierStatus>>>;

struct Active {
    registration: CarrierRegistration,
    renew_at: u64,
    fingerprint: String,
}

pub(crate) async fn keep_registered(shared: Arc<Shared>, table: CarrierTable) {
    let mut active: HashMap<i64, Active> = HashMap::new();
    loop {
        let trunks: Vec<Trunk> = shared
            .directory
            .trunks()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.register)
            .collect();
        let wanted: Vec<i64> = trunks.iter().map(|t| t.id).collect();
        for (id, mut gone) in active.extract_if(|id, _| !wanted.contains(id)) {
            let _ = gone.registration.register(0).await;
            if let Ok(mut table) = table.lock() {
                table.remove(&id);
            }
        }
        for trunk in trunks {
            let now = unix_millis();
            let fingerprint = format!(
                "{}:{}:{}:{}",
                trunk.host, trunk.port, trunk.username, trunk.password
            );
            let due = active
                .get(&trunk.id)
                .is_none_or(|a| a.renew_at <= now || a.fingerprint != fingerprint);
            if !due {
                continue;
            }
            let status = register_once(&shared, &trunk, &mut active, fingerprint).await;
            if let Ok(mut table) = table.lock() {
                table.insert(trunk.id, status);
            }
        }
        tokio::select! {
            () = tokio::time::sleep(PASS) => {}
            () = shared.carriers_changed.notified() => {}
        }
    }
}

async fn register_once(
    shared: &Shared,
    trunk: &Trunk,
    active: &mut HashMap<i64, Active>,
    fingerprint: String,
) -> CarrierStatus {
    let now = unix_millis();
    let mut status = CarrierStatus {
        trunk_id: trunk.id,
        trunk_name: trunk.name.clone(),
        registered: false,
        last_status: 0,
        expires_at_millis: 0,
        updated_at_millis: now,
    };
    let Some(registrar) = crate::routing::resolve(&trunk.host, trunk.port).await else {
        warn!(trunk = %trunk.name, "cannot resolve the carrier's host");
        return status;
    };
    if active
        .get(&trunk.id)
        .is_none_or(|a| a.fingerprint != fingerprint)
    {
        let credentials = TrunkCredentials {
            username: trunk.username.clone(),
            password: trunk.password.clone(),
        };
        match CarrierRegistration::new(&shared.stack, registrar, &credentials) {
            Ok(registration) => {
                active.insert(
                    trunk.id,
                    Active {
                        registration,
                        renew_at: 0,
                        fingerprint,
                    },
                );
            }
            Err(error) => {
                warn!(%error, trunk = %trunk.name, "bad carrier registrar address");
                return status;
            }
        }
    }
    let Some(entry) = active.get_mut(&trunk.id) else {
        return status;
    };
    match entry
        .registration
        .register(trunk.register_expires.max(60))
        .await
    {
        Ok((code, granted)) if (200..300).contains(&code) => {
            let granted_ms = u64::from(granted.max(30)) * 1000;
            entry.renew_at = now + granted_ms * 8 / 10;
            status.registered = true;
            status.last_status = code;
            status.expires_at_millis = now + granted_ms;
            info!(trunk = %trunk.name, granted, "registered with the carrier");
        }
        Ok((code, _)) => {
            entry.renew_at = 0;
            status.last_status = code;
            warn!(trunk = %trunk.name, status = code, "carrier refused the registration");
        }
        Err(error) => {
            entry.renew_at = 0;
            warn!(%error, trunk = %trunk.name, "carrier registration failed");
        }
    }
    status
}
