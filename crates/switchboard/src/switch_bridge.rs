//! Connects the API's `SwitchControl` hook to the running switch.

use std::net::IpAddr;

use sb_api::{ConfigChange, RegistrationView, SwitchControl};
use sb_switch::SwitchHandle;
use time::OffsetDateTime;

#[derive(Debug)]
pub struct SwitchBridge(pub SwitchHandle);

impl SwitchControl for SwitchBridge {
    fn ban_lifted(&self, address: IpAddr) {
        self.0.lift_ban(address);
    }

    fn ban_added(&self, address: IpAddr, until_millis: i64) {
        self.0
            .ban(address, u64::try_from(until_millis).unwrap_or(0));
    }

    fn registrations(&self) -> Vec<RegistrationView> {
        self.0
            .registrations()
            .into_iter()
            .map(|r| RegistrationView {
                extension: r.extension,
                contact: r.contact,
                source: r.source.to_string(),
                transport: r.transport.code().to_owned(),
                user_agent: r.user_agent,
                expires_at: OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(r.expires_at_millis) * 1_000_000,
                )
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            })
            .collect()
    }

    fn config_changed(&self, change: ConfigChange) {
        match change {
            ConfigChange::Extension { extension } => self.0.extension_changed(extension),
            ConfigChange::Trunks => self.0.trunks_changed(),
            // Routes are read per call: nothing cached to refresh.
            ConfigChange::InboundRoutes | ConfigChange::OutboundRoutes => {}
        }
    }
}
