//! What the driver tells the ACD, and the log of what it accepted.

use crate::config::QueueConfig;
use crate::ids::{AgentId, CallRef, QueueId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Log in (to Ready) with a skill 1..=10 in each queue.
    Login {
        agent: AgentId,
        queues: Vec<(QueueId, u8)>,
    },
    /// From any state but ringing or on a call. The queues this leaves
    /// without any logged-in agent overflow their waiting calls.
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
    /// A caller arrives; higher `priority` is served first. With a
    /// `preferred_agent` (the caller's previous agent) and a queue with
    /// `sticky_wait_ms`, the call first waits for that agent alone.
    Enqueue {
        call: CallRef,
        queue: QueueId,
        priority: i32,
        preferred_agent: Option<AgentId>,
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
    /// Someone the call was not offered to picked it up while it rang
    /// (call pickup, MISSION G7): it leaves the queue answered, and the
    /// agents it rang are ready again without counting a miss.
    PickedUp {
        call: CallRef,
    },
    /// The answered call is over (either side hung up).
    CallEnded {
        call: CallRef,
    },
    /// Adds a queue or replaces its configuration; its calls, agents and
    /// counters stay.
    SetQueue {
        queue: QueueId,
        config: QueueConfig,
    },
    /// Its waiting and ringing calls overflow with `QueueRemoved` (ringing
    /// agents are cancelled), answered calls go on, and its agents lose the
    /// skill.
    RemoveQueue {
        queue: QueueId,
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
