//! What the API sees of the ACD and asks of it: agents' states and the
//! commands an agent (or a supervisor for them) gives.

use sb_acd::AgentState;

use crate::directory::AgentProfile;

/// An agent's own state commands (MISSION G1, G2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentCommand {
    /// Sign in to the agent's queues, taking calls at `extension` (their
    /// own extension when `None`).
    SignIn {
        extension: Option<String>,
        /// The seat's phone answers ACD offers by itself (a headset
        /// softphone): offers carry auto-answer hints.
        auto_answer: bool,
    },
    SignOut,
    Ready,
    NotReady {
        reason: String,
    },
}

impl AgentCommand {
    pub fn code(&self) -> &'static str {
        match self {
            AgentCommand::SignIn { .. } => "sign_in",
            AgentCommand::SignOut => "sign_out",
            AgentCommand::Ready => "ready",
            AgentCommand::NotReady { .. } => "not_ready",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    #[error("no agent with employee id {0}: give the person a queue membership first")]
    UnknownAgent(String),
    #[error("no extension to take calls at: give one, or set the person's own extension")]
    NoExtension,
    #[error("the agent belongs to no queue")]
    NoQueues,
    /// The ACD refused it in the agent's current state.
    #[error("{0}")]
    Refused(String),
    #[error("the ACD is not running")]
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    pub employee_id: String,
    pub name: String,
    /// `logged_out`, `ready`, `not_ready`, `reserved` (ringing), `on_call`
    /// or `wrap_up`.
    pub state: &'static str,
    pub reason: Option<String>,
    /// The extension the agent takes calls at while signed in.
    pub extension: Option<String>,
    /// Offers ring that phone with auto-answer hints (chosen at sign-in).
    pub auto_answer: bool,
    /// The seat's phone reaches the switch from outside the site's
    /// networks (a remote agent, MISSION S1/T5).
    pub remote: bool,
    pub in_state_ms: u64,
    /// In wrap-up: when it ends (Unix milliseconds).
    pub wrap_up_until_ms: Option<u64>,
    pub queues: Vec<(String, u8)>,
}

impl AgentView {
    pub(crate) fn new(
        profile: &AgentProfile,
        state: &AgentState,
        extension: Option<String>,
        in_state_ms: u64,
    ) -> AgentView {
        let (code, reason) = state_code(state);
        AgentView {
            employee_id: profile.employee_id.clone(),
            name: profile.name.clone(),
            state: code,
            reason,
            extension: if code == "logged_out" {
                None
            } else {
                extension
            },
            in_state_ms: if code == "logged_out" { 0 } else { in_state_ms },
            auto_answer: false,
            remote: false,
            wrap_up_until_ms: match state {
                AgentState::WrapUp { until_ms } => Some(*until_ms),
                _ => None,
            },
            queues: profile.queues.clone(),
        }
    }
}

/// The state's name on the API and in events, and the not-ready reason.
pub(crate) fn state_code(state: &AgentState) -> (&'static str, Option<String>) {
    match state {
        AgentState::LoggedOut => ("logged_out", None),
        AgentState::Ready => ("ready", None),
        AgentState::NotReady { reason } => ("not_ready", Some(reason.clone())),
        AgentState::Reserved { .. } => ("reserved", None),
        AgentState::OnCall { .. } => ("on_call", None),
        AgentState::WrapUp { .. } => ("wrap_up", None),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueView {
    pub name: String,
    pub waiting: usize,
    pub longest_wait_ms: u64,
    pub agents_logged_in: usize,
    pub agents_ready: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcdView {
    pub agents: Vec<AgentView>,
    pub queues: Vec<QueueView>,
}
