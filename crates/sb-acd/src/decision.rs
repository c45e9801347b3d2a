//! What the ACD asks the driver to do.

use crate::agent::AgentState;
use crate::call::OverflowReason;
use crate::ids::{AgentId, CallRef, QueueId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Ring `agent` with `call`; report Answered or NoAnswer. With
    /// `Strategy::RingAll` one per agent, all at once.
    Offer {
        call: CallRef,
        agent: AgentId,
        queue: QueueId,
    },
    /// Stop ringing `agent`: the caller hung up, the ring timed out,
    /// another agent answered first (RingAll) or the queue was removed.
    CancelOffer { call: CallRef, agent: AgentId },
    /// The call leaves the queue unserved; route it elsewhere (voicemail,
    /// another queue, a message).
    Overflow {
        call: CallRef,
        queue: QueueId,
        reason: OverflowReason,
    },
    /// An agent changed state (for the wallboard).
    AgentState { agent: AgentId, state: AgentState },
}
