//! What the switch needs from the system of record, as a port: the binary
//! plugs sb-store in, tests plug in a map. Keeping the switch off sqlx keeps
//! its tests fast and the dependency arrows pointing one way.

use std::net::IpAddr;

use sb_core::dial_pattern::DialPattern;
use sb_core::{AddressRange, CallClass, SipSecret};

use crate::error::SwitchError;

#[derive(Debug, Clone)]
pub struct Account {
    pub extension: String,
    pub display_name: String,
    pub secret: SipSecret,
    pub call_class: CallClass,
    pub max_contacts: u32,
    pub enabled: bool,
    /// Record the calls this extension makes and takes (MISSION R1).
    pub record_calls: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrunkTransport {
    Udp,
    Tcp,
}

#[derive(Clone)]
pub struct Trunk {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: TrunkTransport,
    /// Addresses and CIDR blocks (`203.0.113.0/24`) trusted without auth.
    pub trusted: Vec<AddressRange>,
    pub username: String,
    pub password: String,
    /// Whether the switch registers with the carrier.
    pub register: bool,
    /// Seconds a registration with the carrier is asked to last.
    pub register_expires: u32,
    /// 0 = unlimited.
    pub max_channels: u32,
    pub caller_id: String,
    /// Record the calls this trunk carries (MISSION R1).
    pub record_calls: bool,
}

impl std::fmt::Debug for Trunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trunk")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerIdMode {
    /// Present the extension's own number.
    Keep,
    /// Present the trunk's caller ID.
    Trunk,
    /// Present the route's fixed number.
    Fixed,
}

#[derive(Debug, Clone)]
pub struct OutboundRoute {
    pub id: i64,
    pub name: String,
    pub pattern: DialPattern,
    pub strip: usize,
    pub prepend: String,
    pub trunk_id: i64,
    pub call_class: CallClass,
    pub caller_id_mode: CallerIdMode,
    pub caller_id: String,
}

/// One finished call attempt, for the CDR table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub call_id: String,
    pub direction: &'static str,
    pub caller: String,
    pub callee: String,
    pub caller_extension: Option<String>,
    pub callee_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    pub did: String,
    pub started_at: u64,
    pub answered_at: Option<u64>,
    pub ended_at: u64,
    pub ring_ms: u64,
    pub talk_ms: u64,
    pub disposition: &'static str,
    pub hangup_cause: String,
    pub hangup_side: &'static str,
}

/// A finished recording of a call, for the recordings table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRecord {
    pub call_id: String,
    pub direction: &'static str,
    pub caller: String,
    pub callee: String,
    /// The extension on the switch's side of the call (the agent's).
    pub agent_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    pub started_at: u64,
    pub ended_at: u64,
    pub duration_ms: u64,
    /// `stereo` (caller left, agent right) or `mono`.
    pub layout: &'static str,
    /// Relative to the recordings folder.
    pub file: String,
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the whole file.
    pub sha256: String,
}

#[async_trait::async_trait]
pub trait Directory: Send + Sync + 'static {
    async fn account(&self, extension: &str) -> Result<Option<Account>, SwitchError>;
    async fn trunks(&self) -> Result<Vec<Trunk>, SwitchError>;
    /// The extension a DID rings, preferring the trunk's own route.
    async fn inbound_target(&self, trunk_id: i64, did: &str)
    -> Result<Option<String>, SwitchError>;
    /// Enabled routes, in the order they are tried.
    async fn outbound_routes(&self) -> Result<Vec<OutboundRoute>, SwitchError>;
    async fn write_call_records(&self, records: Vec<CallRecord>) -> Result<(), SwitchError>;
    async fn write_recording(&self, recording: RecordingRecord) -> Result<(), SwitchError>;
    async fn record_ban(
        &self,
        address: IpAddr,
        reason: String,
        until_millis: u64,
    ) -> Result<(), SwitchError>;
}
