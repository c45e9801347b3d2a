//! The running SIP switch as the API sees it: a hook the binary installs on
//! [`AppState`](crate::AppState) once the switch is up. The API tells it when
//! an admin bans or unbans an address and asks it who is registered. Without
//! a switch (tests, `migrate`) the no-op [`NoSwitch`] stands in.

use std::net::IpAddr;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// One live registration (a phone's contact on an extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegistrationView {
    pub extension: String,
    /// The Contact URI the phone registered.
    pub contact: String,
    /// Where the REGISTER came from, `ip:port`.
    pub source: String,
    /// `udp` or `tcp`.
    pub transport: String,
    pub user_agent: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The switch's registration with a carrier, for a trunk that registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CarrierRegistrationView {
    pub trunk_id: i64,
    pub trunk_name: String,
    pub registered: bool,
    /// The carrier's last final answer to REGISTER (200, 403...); 0 if none came.
    pub last_status: u16,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What changed in the switch configuration, so the switch can refresh what
/// it caches (drop the registrations of a disabled extension, re-register
/// with a changed trunk, reload routes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// An extension was created, changed (including its password) or deleted.
    Extension {
        extension: String,
    },
    Trunks,
    InboundRoutes,
    OutboundRoutes,
    /// A music-on-hold file was added or removed: rescan the music folders.
    Music,
    /// A voice prompt was added, renamed or removed.
    Prompts,
    /// A voice flow was created, changed, published or deleted.
    Flows,
    /// A business calendar was created, changed or deleted.
    Calendars,
    /// A queue or its members changed.
    Queues,
    /// The caller blacklist changed.
    Blacklist,
}

/// One figure of the switch for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchFigure {
    /// Without the `switchboard_` prefix; counters without `_total`.
    pub name: &'static str,
    pub help: &'static str,
    pub counter: bool,
    pub value: u64,
}

/// A call in progress (MISSION X4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LiveCallView {
    pub id: u64,
    /// The caller leg's SIP Call-ID (the CDR and the recording carry it too).
    pub call_id: String,
    pub direction: String,
    pub caller: String,
    pub callee: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    pub held: bool,
    pub recording: bool,
    pub recording_paused: bool,
    /// Keys the caller pressed during the call (the last 64).
    pub caller_digits: String,
    pub callee_digits: String,
    /// The queue the caller came through.
    pub queue: Option<String>,
    /// The agent offered or talking (employee id).
    pub agent: Option<String>,
    /// The extension ringing or talking for the agent side.
    pub agent_extension: Option<String>,
    /// Extensions whose phones ring for the call now (call pickup, G7).
    pub ringing: Vec<String>,
}

/// Which party of a two-party call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallParty {
    Caller,
    Callee,
}

/// A command on a live call.
#[derive(Debug, Clone)]
pub enum CallCommand {
    /// `party` is held: it hears music of `music_class`, the other hears nothing.
    Hold {
        party: CallParty,
        music_class: Option<String>,
    },
    Resume,
    StartRecording,
    StopRecording,
    PauseRecording,
    ResumeRecording,
    /// Plays prompts to `party` over what it hears; a key it presses stops
    /// them if `barge_in`.
    Play {
        party: CallParty,
        prompts: Vec<sb_media::prompt::Prompt>,
        barge_in: bool,
    },
    /// Dials `extension` into the call as a conference member (G6).
    AddParty {
        extension: String,
    },
    /// Dials a supervisor's `extension` into the call (S2-S4).
    Monitor {
        extension: String,
        mode: MonitorMode,
    },
    /// Ends the whole call; `cause` goes to the CDR.
    Hangup {
        cause: String,
    },
    /// Blind transfer (G5): the agent drops, the caller goes to `target`.
    Transfer {
        target: CallTarget,
    },
    /// The caller holds with music while the agent talks with `target`.
    Consult {
        target: CallTarget,
    },
    /// The consulted party takes the caller; the agent drops.
    CompleteConsult,
    /// The consulted party drops; the agent takes the caller back.
    CancelConsult,
    /// Caller, agent and consulted party in one conference (G6).
    ConferenceConsult,
    /// A supervisor's `extension` rings and takes the agent's place (S5).
    Intercept {
        extension: String,
    },
    /// `extension`'s phone rings instead of those ringing for the call,
    /// and takes it (call pickup, G7).
    PickUp {
        extension: String,
    },
}

/// What a transfer or consultation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallTargetKind {
    Extension,
    /// An agent by employee id, at the extension they signed in with.
    Agent,
    /// Back into the ACD (blind transfer only).
    Queue,
    /// A voice flow by name (blind transfer only).
    Flow,
    /// A number through the outbound routes, within the call class of
    /// the transferring agent's extension.
    Number,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallTarget {
    pub kind: CallTargetKind,
    pub value: String,
}

/// How a supervisor joins a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Hears both parties; nobody hears the supervisor.
    Listen,
    /// Hears both; only the agent (the callee) hears the supervisor.
    Whisper,
    /// Everyone hears everyone.
    Barge,
}

/// Why a command on a live call was not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallControlError {
    NoSuchCall,
    /// Illegal in the call's state; the text says why ("resume: the call is not held").
    NotNow(String),
    NoSwitch,
}

pub type CallControlFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), CallControlError>> + Send>>;

/// An agent's state command (MISSION G1, G2), by the agent or a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentStateCommand {
    /// Sign in to the agent's queues, taking calls at `extension` (their own
    /// extension when `None`).
    SignIn {
        extension: Option<String>,
        /// Offers ring the phone with auto-answer hints (a headset seat).
        auto_answer: bool,
    },
    SignOut,
    Ready,
    NotReady {
        reason: String,
    },
}

/// A queue an agent serves, with their skill there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgentQueueView {
    pub queue: String,
    /// 1 (lowest) to 10.
    pub skill: u8,
}

/// An agent as the ACD sees them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgentStateView {
    pub employee_id: String,
    pub name: String,
    /// `logged_out`, `ready`, `not_ready`, `reserved` (ringing), `on_call` or `wrap_up`.
    pub state: String,
    /// Why the agent is not ready.
    pub reason: Option<String>,
    /// The extension the agent takes calls at while signed in.
    pub extension: Option<String>,
    /// Offers ring that phone with auto-answer hints (chosen at sign-in).
    pub auto_answer: bool,
    /// The agent's phone reaches the switch from outside the site's
    /// private networks (a remote agent).
    pub remote: bool,
    /// Milliseconds in the current state.
    pub in_state_ms: u64,
    /// Milliseconds of after-call work left (wrap-up only), for a countdown.
    pub wrap_up_left_ms: Option<u64>,
    pub queues: Vec<AgentQueueView>,
}

/// A queue as the ACD sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueStateView {
    pub name: String,
    pub waiting: usize,
    pub longest_wait_ms: u64,
    pub agents_logged_in: usize,
    pub agents_ready: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct AcdStateView {
    pub agents: Vec<AgentStateView>,
    pub queues: Vec<QueueStateView>,
}

/// Why an agent command was not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentCommandError {
    /// The person is no agent (no queue membership).
    UnknownAgent(String),
    /// Illegal in the agent's state, or missing what it needs; the text says why.
    Refused(String),
    NoSwitch,
}

/// A call the switch placed for an agent (click-to-call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MadeCall {
    /// The live call's id (`GET /api/v1/calls`).
    pub id: u64,
    /// Its SIP Call-ID, as the CDR will show it.
    pub call_id: String,
}

/// Why the switch did not place a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MakeCallError {
    /// The calling extension does not exist or is disabled.
    NoExtension(String),
    /// The agent's phone is not registered.
    NotRegistered(String),
    /// The extension may not dial the number (call class, no route); the
    /// SIP status a phone would have got and why.
    Refused {
        status: u16,
        cause: String,
    },
    /// Overload, no media ports, shutting down.
    Unavailable(String),
    NoSwitch,
}

pub type MakeCallFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<MadeCall, MakeCallError>> + Send>>;

pub type AgentCommandFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<AgentStateView, AgentCommandError>> + Send>,
>;
pub type AcdStateFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<AcdStateView>> + Send>>;

/// Implemented by the switch. Calls are made after the database change has
/// committed and must not block (hand work to a task if it takes time).
pub trait SwitchControl: Send + Sync + std::fmt::Debug + 'static {
    /// An admin lifted the ban of `address`: accept its traffic again.
    fn ban_lifted(&self, address: IpAddr);
    /// An admin banned `address` until `until_millis` (Unix milliseconds).
    fn ban_added(&self, address: IpAddr, until_millis: i64);
    /// The registrations in force now.
    fn registrations(&self) -> Vec<RegistrationView>;
    /// The configuration changed; the default does nothing.
    fn config_changed(&self, _change: ConfigChange) {}
    /// Registration state of the trunks that register with their carrier.
    fn carrier_registrations(&self) -> Vec<CarrierRegistrationView> {
        Vec::new()
    }
    /// Calls holding a channel of trunk `trunk_id` now.
    fn trunk_channels_in_use(&self, _trunk_id: i64) -> u32 {
        0
    }
    /// Figures for `/metrics` (calls, datagrams, relayed packets).
    fn figures(&self) -> Vec<SwitchFigure> {
        Vec::new()
    }
    /// The calls in progress.
    fn live_calls(&self) -> Vec<LiveCallView> {
        Vec::new()
    }
    /// Carries out `command` on live call `id`.
    fn control_call(&self, _id: u64, _command: CallCommand) -> CallControlFuture {
        Box::pin(async { Err(CallControlError::NoSwitch) })
    }
    /// Carries out an agent's state command.
    fn agent_command(
        &self,
        _employee_id: String,
        _command: AgentStateCommand,
    ) -> AgentCommandFuture {
        Box::pin(async { Err(AgentCommandError::NoSwitch) })
    }
    /// Rings `from_extension`, then dials `to` from it (click-to-call).
    fn make_call(&self, _from_extension: String, _to: String) -> MakeCallFuture {
        Box::pin(async { Err(MakeCallError::NoSwitch) })
    }
    /// Agents and queues now; `None` without a switch.
    fn acd_state(&self) -> AcdStateFuture {
        Box::pin(async { None })
    }
}

/// Stands in when no switch runs: nothing to tell, nobody registered.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoSwitch;

impl SwitchControl for NoSwitch {
    fn ban_lifted(&self, _address: IpAddr) {}
    fn ban_added(&self, _address: IpAddr, _until_millis: i64) {}
    fn registrations(&self) -> Vec<RegistrationView> {
        Vec::new()
    }
}
