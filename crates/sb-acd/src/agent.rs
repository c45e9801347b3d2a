//! Agents: who can take calls, in which queues, and how they are doing.

use std::collections::BTreeMap;

use crate::ids::{CallRef, QueueId};

/// What an agent is doing, as shown on the wallboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentState {
    LoggedOut,
    Ready,
    NotReady {
        reason: String,
    },
    /// Being offered `call` (the phone is ringing).
    Reserved {
        call: CallRef,
    },
    OnCall {
        call: CallRef,
    },
    /// After-call work until `until_ms`, then Ready.
    WrapUp {
        until_ms: u64,
    },
}

/// Why an agent went NotReady after missing offers.
pub const NO_ANSWER_REASON: &str = "no answer";

/// Everything the ACD knows about one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRecord {
    pub state: AgentState,
    /// Skill 1..=10 per queue logged in to.
    pub skills: BTreeMap<QueueId, u8>,
    /// When the agent last became Ready (LongestIdle and tie-breaks).
    pub idle_since_ms: u64,
    /// Offers missed in a row; reset by an answer or by going NotReady.
    pub missed_in_a_row: u32,
    /// Calls answered since login (FewestCalls).
    pub answered: u64,
}

impl AgentRecord {
    pub(crate) fn is_logged_in(&self) -> bool {
        self.state != AgentState::LoggedOut
    }

    pub(crate) fn is_busy(&self) -> bool {
        matches!(
            self.state,
            AgentState::Reserved { .. } | AgentState::OnCall { .. }
        )
    }
}
