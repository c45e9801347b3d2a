//! State every request handler and call task of one switch shares. Each
//! piece has its own lock, held only for in-memory work (never across an
//! await), so signalling never waits on a slow neighbour.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use sb_sip::digest::NonceStore;
use sb_sip::{BanList, Location, SipStack};
use tokio::sync::{mpsc, watch};
use tracing::warn;

use crate::admission::Admission;
use crate::config::SwitchConfig;
use crate::directory::{CallRecord, Directory};
use crate::ports::PortPool;
use crate::security::{BanReason, FailureTracker};

pub(crate) struct Shared {
    pub config: SwitchConfig,
    pub stack: SipStack,
    pub directory: Arc<dyn Directory>,
    pub location: Mutex<Location>,
    pub nonces: Mutex<NonceStore>,
    pub failures: Mutex<FailureTracker>,
    pub bans: BanList,
    pub ports: Arc<PortPool>,
    pub admission: Admission,
    pub records: mpsc::Sender<CallRecord>,
    pub media_ip: IpAddr,
    /// Flips to true when live calls must be ended (shutdown deadline).
    pub terminate: watch::Receiver<bool>,
    /// Every call's RTP sockets and media sessions.
    pub media: crate::media::MediaEngine,
    pub live_calls: crate::live_calls::LiveCalls,
    pub acd: crate::acd_task::AcdService,
    /// CTI events for desktops, wallboards and webhooks.
    pub events: Arc<dyn crate::cti::EventSink>,
    pub prompts: Arc<crate::prompt_library::PromptLibrary>,
    pub lookups: crate::ivr_lookup::LookupClient,
    pub flows: crate::service_flow::FlowCache,
    pub calls_started: std::sync::atomic::AtomicU64,
    pub calls_refused: std::sync::atomic::AtomicU64,
    /// Wakes the carrier registration loop after a trunk edit.
    pub carriers_changed: tokio::sync::Notify,
}

pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

pub(crate) fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: fall back to the clock so nonces still differ;
        // they stay single-use and short-lived either way.
        bytes[..8].copy_from_slice(&unix_millis().to_le_bytes());
    }
    bytes
}

impl Shared {
    /// Publishes an event about live call `live_id` as it stands now.
    pub fn call_event(
        &self,
        live_id: u64,
        event: impl FnOnce(sb_core::cti::CallSubject) -> sb_core::cti::CtiEvent,
    ) {
        if let Some(subject) = self.live_calls.subject(live_id) {
            self.events.publish(event(subject));
        }
    }

    pub fn issue_nonce(&self) -> String {
        let now = unix_millis();
        match self.nonces.lock() {
            Ok(mut nonces) => nonces.issue(now, random_bytes()),
            Err(_) => String::new(),
        }
    }

    /// Records a failed authentication and bans the source when it crossed
    /// the policy; the ban is enforced at the socket at once and stored.
    pub fn auth_failed(&self, address: IpAddr, user: &str) {
        let now = unix_millis();
        let verdict = self
            .failures
            .lock()
            .ok()
            .and_then(|mut f| f.failure(now, address, user).map(|r| (r, f.ban_ms())));
        if let Some((reason, ban_ms)) = verdict {
            self.ban(address, reason, now + ban_ms);
        }
    }

    /// Bans a known scanner tool at its first request.
    pub fn scanner_seen(&self, address: IpAddr, agent: &str) {
        let ban_ms = self
            .failures
            .lock()
            .map(|f| f.ban_ms())
            .unwrap_or(15 * 60_000);
        self.ban(
            address,
            BanReason::ScannerAgent(agent.chars().take(64).collect()),
            unix_millis() + ban_ms,
        );
    }

    pub fn auth_succeeded(&self, address: IpAddr) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.success(address);
        }
    }

    /// Bans `address` unless a trunk trusts it (a carrier is never locked
    /// out by one bad REGISTER); enforced at the socket, then stored.
    pub fn ban(&self, address: IpAddr, reason: BanReason, until: u64) {
        let directory = self.directory.clone();
        let bans = self.bans.clone();
        tokio::spawn(async move {
            let trunks = directory.trunks().await.unwrap_or_default();
            if crate::routing::trunk_for_source(&trunks, address).is_some() {
                warn!(%address, %reason, "not banning a trusted trunk address");
                return;
            }
            warn!(%address, %reason, "banning SIP source");
            bans.ban(address, until);
            if let Err(error) = directory
                .record_ban(address, reason.to_string(), until)
                .await
            {
                warn!(%error, %address, "could not store the ban");
            }
        });
    }
}
