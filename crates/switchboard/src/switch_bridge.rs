//! Connects the API's `SwitchControl` hook to the running switch.

use std::net::IpAddr;

use sb_api::{
    CarrierRegistrationView, ConfigChange, RegistrationView, SwitchControl, SwitchFigure,
};
use sb_switch::SwitchHandle;
use time::OffsetDateTime;

#[derive(Debug)]
pub struct SwitchBridge(pub SwitchHandle);

fn instant(millis: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

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
                expires_at: instant(r.expires_at_millis),
            })
            .collect()
    }

    fn carrier_registrations(&self) -> Vec<CarrierRegistrationView> {
        self.0
            .carrier_registrations()
            .into_iter()
            .map(|c| CarrierRegistrationView {
                trunk_id: c.trunk_id,
                trunk_name: c.trunk_name,
                registered: c.registered,
                last_status: c.last_status,
                expires_at: (c.expires_at_millis > 0).then(|| instant(c.expires_at_millis)),
                updated_at: instant(c.updated_at_millis),
            })
            .collect()
    }

    fn figures(&self) -> Vec<SwitchFigure> {
        let s = self.0.stats();
        let figure = |name, help, counter, value| SwitchFigure {
            name,
            help,
            counter,
            value,
        };
        vec![
            figure(
                "sip_dialogs",
                "SIP dialogs held by the stack.",
                false,
                s.dialogs,
            ),
            figure(
                "sip_transactions",
                "SIP transactions held by the stack.",
                false,
                s.transactions,
            ),
            figure(
                "sip_calls_active",
                "Calls in progress.",
                false,
                s.active_calls,
            ),
            figure(
                "sip_calls_started",
                "Calls admitted since start.",
                true,
                s.calls_started,
            ),
            figure(
                "sip_calls_refused_overload",
                "INVITEs refused with 503 by admission control.",
                true,
                s.calls_refused,
            ),
            figure(
                "sip_registrations",
                "Registered contacts.",
                false,
                s.registrations,
            ),
            figure(
                "sip_datagrams_accepted",
                "SIP datagrams passed to the stack.",
                true,
                s.datagrams_accepted,
            ),
            figure(
                "sip_datagrams_rejected",
                "Malformed SIP requests answered with an error.",
                true,
                s.datagrams_rejected,
            ),
            figure(
                "sip_datagrams_dropped",
                "Malformed SIP datagrams dropped unanswered.",
                true,
                s.datagrams_dropped,
            ),
            figure(
                "sip_datagrams_banned",
                "Datagrams from banned addresses dropped.",
                true,
                s.datagrams_banned,
            ),
            figure(
                "rtp_packets_caller_to_callee",
                "RTP packets relayed from callers to callees.",
                true,
                s.rtp_caller_to_callee,
            ),
            figure(
                "rtp_packets_callee_to_caller",
                "RTP packets relayed from callees to callers.",
                true,
                s.rtp_callee_to_caller,
            ),
            figure(
                "rtp_packets_dropped",
                "RTP packets from unexpected sources dropped.",
                true,
                s.rtp_dropped,
            ),
        ]
    }

    fn config_changed(&self, change: ConfigChange) {
        match change {
            ConfigChange::Extension { extension } => self.0.extension_changed(extension),
            ConfigChange::Trunks => self.0.trunks_changed(),
            // Routes are read per call: nothing cached to refresh.
            ConfigChange::InboundRoutes | ConfigChange::OutboundRoutes => {}
            // Music and prompt files are for the media engine, which reads
            // them itself; nothing here caches them yet.
            ConfigChange::Music | ConfigChange::Prompts => {}
        }
    }
}
