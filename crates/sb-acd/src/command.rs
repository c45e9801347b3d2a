//! What the driver tells the ACD, and the log of what it accepted.

use crate::ids::{AgentId, CallRef, QueueId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Log in (to Ready) with a skill 1..=10 in each queue.
    Login {
        agent: AgentId,
        queues: Vec<(QueueId, u8)>,
    },
    Logout {
        agent: AgentId,
    },
    /// From NotReady, or from WrapUp to end after-call work early.
    SetReady {
        agent: AgentId,
    },
    SetNotReady {
        agent: AgentId,
        reason: String,
    },
    /// A caller arrives; higher `priority` is served first.
    Enqueue {
        call: CallRef,
        queue: QueueId,
        priority: i32,
    },
    /// The caller hung up while waiting or ringing.
    Abandon {
        call: CallRef,
    },
    Answered {
        call: CallRef,
        agent: AgentId,
    },
    /// The agent's phone was rejected or busy; same as a ring timeout.
    NoAnswer {
        call: CallRef,
        agent: AgentId,
    },
    /// The answered call is over (either side hung up).
    CallEnded {
        call: CallRef,
    },
}

/// One accepted input. Replaying the events through [`crate::Acd::replay`]
/// rebuilds the same state, since every decision depends only on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Command {
        now_ms: u64,
        command: Command,
    },
    /// A [`crate::Acd::handle_timeout`] call that fired at least one timer.
    Timeout {
        now_ms: u64,
    },
}
