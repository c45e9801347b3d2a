//! Periodic upkeep: expired bindings, nonces and failure records are swept,
//! and registered contacts get OPTIONS keep-alives (two misses in a row
//! unregister a contact, so calls do not ring a phone that left).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tracing::info;

use crate::shared::{Shared, unix_millis};

/// Expiry sweeps and OPTIONS keep-alives.
pub(crate) async fn run(shared: Arc<Shared>) {
    let period = Duration::from_secs(shared.config.keepalive_secs.max(5));
    let mut misses: HashMap<(String, String), u8> = HashMap::new();
    loop {
        tokio::time::sleep(period).await;
        let now = unix_millis();
        if let Ok(mut location) = shared.location.lock() {
            location.sweep(now);
        }
        if let Ok(mut nonces) = shared.nonces.lock() {
            nonces.sweep(now);
        }
        if let Ok(mut failures) = shared.failures.lock() {
            failures.sweep(now);
        }
        if shared.config.keepalive_secs == 0 {
            continue;
        }
        let bindings = shared
            .location
            .lock()
            .map(|l| l.all(now))
            .unwrap_or_default();
        for (extension, binding) in bindings {
            let key = (extension.clone(), binding.contact.clone());
            let answered = shared
                .stack
                .ping(
                    &binding.contact,
                    binding.reach,
                    binding.transport,
                    Duration::from_secs(4),
                )
                .await
                .is_some();
            if answered {
                misses.remove(&key);
                continue;
            }
            let count = misses.entry(key.clone()).or_insert(0);
            *count += 1;
            if *count >= 2 {
                info!(%extension, contact = %binding.contact, "contact stopped answering keep-alives: unregistered");
                if let Ok(mut location) = shared.location.lock() {
                    location.remove(&extension, &binding.contact);
                }
                misses.remove(&key);
            }
        }
    }
}
