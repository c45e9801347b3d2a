//! Where the switch tells what happens to calls, agents and queues
//! (MISSION X4): a port the binary backs with the API's event bus. Call
//! tasks and the ACD task publish without waiting; the sink must not block.

use sb_core::cti::{CallSubject, CtiEvent};

use crate::live_calls::LiveCall;

pub trait EventSink: Send + Sync + std::fmt::Debug + 'static {
    fn publish(&self, event: CtiEvent);
}

/// For a switch nobody listens to (tools, tests of other parts).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn publish(&self, _event: CtiEvent) {}
}

/// The `call.ended` event of a finished call.
pub(crate) fn ended(call: CallSubject, summary: &sb_call::CallSummary) -> CtiEvent {
    CtiEvent::CallEnded {
        call,
        disposition: summary.disposition.code().to_owned(),
        cause: summary.cause.clone(),
        hangup_side: summary.side.code().to_owned(),
    }
}

/// The event subject of a live call, with the agent side if known.
pub(crate) fn subject(
    call: &LiveCall,
    queue: Option<&str>,
    agent: Option<&str>,
    extension: Option<&str>,
) -> CallSubject {
    CallSubject {
        id: call.id,
        call_id: call.call_id.clone(),
        direction: call.direction.to_owned(),
        caller: call.caller.clone(),
        callee: call.callee.clone(),
        queue: queue.map(str::to_owned),
        agent: agent.map(str::to_owned),
        extension: extension.map(str::to_owned),
    }
}
