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

/// Where a dialled number leads when it is not an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundTarget {
    Extension(String),
    /// A voice flow, by name.
    Flow(String),
    /// Straight into a queue, by name.
    Queue(String),
}

/// The current version of a voice flow, as stored (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowVersion {
    pub name: String,
    pub version: i64,
    pub document: String,
}

/// What the switch does with a blacklisted caller (MISSION A7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockAction {
    /// 486 Busy Here.
    Busy,
    /// 603 Decline.
    Hangup,
    /// Answer, play the named voice prompt, hang up.
    Prompt(String),
}

/// Where calls go that a queue cannot serve (MISSION A5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverflowTarget {
    /// The flow's own overflow branch decides (or the call ends).
    Flow,
    Queue(String),
    /// The queue's voicemail box.
    Voicemail,
    /// Another voice flow, by name.
    OtherFlow(String),
    /// An outside or extension number.
    Number(String),
}

/// One queue as the switch runs it: the ACD's rules and the caller's
/// experience while waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSetup {
    pub name: String,
    pub acd: sb_acd::QueueConfig,
    pub music_class: String,
    /// Announce the caller's position and expected wait (MISSION A4).
    pub announce_position: bool,
    pub announce_interval_ms: u64,
    /// Tell the caller the agent's employee number before connecting (A8).
    pub announce_agent_number: bool,
    pub on_overflow: OverflowTarget,
    pub on_no_agent: OverflowTarget,
}

/// A person who may sign in as an agent, and the queues they serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    pub employee_id: String,
    pub name: String,
    /// Their own extension (an agent may sign in at another).
    pub extension: Option<String>,
    /// Queue name and skill 1..=10.
    pub queues: Vec<(String, u8)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcdSetup {
    pub queues: Vec<QueueSetup>,
    pub agents: Vec<AgentProfile>,
}

/// One entry of the ACD's event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcdLogEntry {
    pub at_ms: u64,
    pub kind: &'static str,
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub call_ref: Option<u64>,
    /// JSON.
    pub body: String,
}

/// The nodes a caller passed and the keys they pressed (MISSION I9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTrailRecord {
    pub call_id: String,
    pub flow_name: String,
    pub flow_version: i64,
    /// JSON array of steps.
    pub steps: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailRecord {
    /// `queue` or `agent`.
    pub mailbox_kind: &'static str,
    pub mailbox: String,
    pub call_id: String,
    pub caller: String,
    /// Relative to the recordings folder.
    pub file: String,
    pub duration_ms: u64,
    pub size_bytes: u64,
    pub sha256: String,
    pub created_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    pub call_id: String,
    pub question: String,
    pub digit: char,
    /// Employee id of the agent who served the call.
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub at: u64,
}

/// An agent signed in when the switch stopped, as its event log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSession {
    pub employee_id: String,
    pub extension: Option<String>,
    /// The seat's phone answered offers by itself.
    pub auto_answer: bool,
    /// `None` = ready; otherwise the not-ready reason.
    pub not_ready: Option<String>,
}

/// An agent signing in by phone (`*11<employee id>*<PIN>`, MISSION G10).
#[derive(Clone)]
pub struct PinAttempt {
    pub employee_id: String,
    pub pin: String,
    /// The extension dialling the code, where the agent would take calls.
    pub extension: String,
    pub source: IpAddr,
}

/// Never prints the PIN.
impl std::fmt::Debug for PinAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinAttempt")
            .field("employee_id", &self.employee_id)
            .field("extension", &self.extension)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Follow-me to a person's own mobile (MISSION G8): only for enabled staff
/// with a mobile and a mode other than off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowMe {
    pub employee_id: String,
    pub mobile: String,
    pub mode: sb_core::FollowMeMode,
    pub delay_s: u32,
}

#[async_trait::async_trait]
pub trait Directory: Send + Sync + 'static {
    async fn account(&self, extension: &str) -> Result<Option<Account>, SwitchError>;
    async fn trunks(&self) -> Result<Vec<Trunk>, SwitchError>;
    /// Where a DID leads, preferring the trunk's own route.
    async fn inbound_target(
        &self,
        trunk_id: i64,
        did: &str,
    ) -> Result<Option<InboundTarget>, SwitchError>;
    /// The voice flow whose access number an extension dialled.
    async fn flow_for_number(&self, number: &str) -> Result<Option<String>, SwitchError>;
    /// A flow's current version; a call keeps the version it started with.
    async fn flow(&self, name: &str) -> Result<Option<FlowVersion>, SwitchError>;
    /// Business calendars by name, as JSON documents.
    async fn calendars(&self) -> Result<Vec<(String, String)>, SwitchError>;
    async fn blocked_caller(&self, number: &str) -> Result<Option<BlockAction>, SwitchError>;
    /// Uploaded voice prompts by name, with their files relative to the
    /// prompts folder.
    async fn stored_prompts(&self) -> Result<Vec<(String, String)>, SwitchError>;
    async fn acd_setup(&self) -> Result<AcdSetup, SwitchError>;
    /// The agent (employee id) who last served `caller`, for a queue with a
    /// sticky agent (MISSION A6).
    async fn last_agent(&self, caller: &str) -> Result<Option<String>, SwitchError>;
    async fn write_acd_events(&self, events: Vec<AcdLogEntry>) -> Result<(), SwitchError>;
    /// Agents whose last sign-in since `since_ms` was not followed by a
    /// sign-out, with their last state command.
    async fn agent_sessions(&self, since_ms: u64) -> Result<Vec<AgentSession>, SwitchError>;
    async fn write_call_trail(&self, trail: CallTrailRecord) -> Result<(), SwitchError>;
    async fn write_voicemail(&self, voicemail: VoicemailRecord) -> Result<(), SwitchError>;
    async fn write_survey(&self, survey: SurveyRecord) -> Result<(), SwitchError>;
    /// Enabled routes, in the order they are tried.
    async fn outbound_routes(&self) -> Result<Vec<OutboundRoute>, SwitchError>;
    async fn write_call_records(&self, records: Vec<CallRecord>) -> Result<(), SwitchError>;
    async fn write_recording(&self, recording: RecordingRecord) -> Result<(), SwitchError>;
    /// Whether the PIN is the agent's (an unknown or disabled employee, or
    /// one without a PIN, is a wrong PIN); the attempt is audited either way.
    async fn check_agent_pin(&self, attempt: PinAttempt) -> Result<bool, SwitchError>;
    /// The not-ready reason codes, in the list's order (the first is the
    /// default of `*14`).
    /// Extensions sharing an extension group with `extension` (its call
    /// pickup group, G7).
    async fn pickup_peers(&self, extension: &str) -> Result<Vec<String>, SwitchError>;
    async fn not_ready_reasons(&self) -> Result<Vec<String>, SwitchError>;
    /// The follow-me of the person whose own extension this is (MISSION
    /// G8), if they have one.
    async fn follow_me(&self, extension: &str) -> Result<Option<FollowMe>, SwitchError>;
    /// The follow-me of the agent with this employee id, wherever they are
    /// signed in.
    async fn agent_follow_me(&self, employee_id: &str) -> Result<Option<FollowMe>, SwitchError>;
    async fn record_ban(
        &self,
        address: IpAddr,
        reason: String,
        until_millis: u64,
    ) -> Result<(), SwitchError>;
}
