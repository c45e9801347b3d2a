//! The crate's one error type: why a command was refused. A refused command
//! changes nothing and is not recorded in the event log.

use crate::ids::{AgentId, CallRef, QueueId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcdError {
    #[error("time went backwards: got {now_ms} ms after {last_ms} ms")]
    ClockWentBackwards { now_ms: u64, last_ms: u64 },
    #[error("unknown queue {0}")]
    UnknownQueue(QueueId),
    #[error("unknown agent {0} (never logged in)")]
    UnknownAgent(AgentId),
    #[error("unknown call {0}")]
    UnknownCall(CallRef),
    #[error("call {0} was already enqueued once; call refs must be unique")]
    DuplicateCall(CallRef),
    #[error("agent {0} is already logged in")]
    AlreadyLoggedIn(AgentId),
    #[error("agent {0} is logged out")]
    NotLoggedIn(AgentId),
    #[error("agent {0} must log in to at least one queue")]
    NoQueues(AgentId),
    #[error("agent {agent}: skill {skill} in queue {queue} is outside 1..=10")]
    InvalidSkill {
        agent: AgentId,
        queue: QueueId,
        skill: u8,
    },
    #[error("agent {0} is ringing or on a call; finish the call first")]
    AgentBusy(AgentId),
    #[error("call {call} is not being offered to agent {agent}")]
    NotOfferedTo { call: CallRef, agent: AgentId },
    #[error("call {0} is not on a call with an agent")]
    NotOnCall(CallRef),
    #[error("call {0} was answered; end it with CallEnded, not Abandon")]
    AlreadyAnswered(CallRef),
    #[error("call {0} is not ringing any agent")]
    NotRinging(CallRef),
    #[error("call {0} has already left the ACD")]
    CallFinished(CallRef),
    #[error("queue {queue}: skill {skill} is outside 1..=10")]
    InvalidQueueSkill { queue: QueueId, skill: u8 },
}
