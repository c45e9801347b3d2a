//! CTI events (MISSION X3, X4): what happened to calls, agents and queues,
//! as agent desktops, wallboards and third parties (WebSocket stream,
//! webhooks) receive it. The switch produces them, the API numbers and
//! delivers them; the vocabulary lives here so both agree on it.
//!
//! On the wire every event is a JSON object whose `type` names it
//! (`call.answered`, `agent.state`, `queue.changed`...).

use serde::{Deserialize, Serialize};

/// The call an event is about, as far as the switch knows it then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSubject {
    /// The live call's id: what `/api/v1/calls/{id}/...` commands take.
    pub id: u64,
    /// The caller leg's SIP Call-ID (the CDR and the recording carry it).
    pub call_id: String,
    /// `inbound`, `outbound` or `internal`.
    pub direction: String,
    pub caller: String,
    pub callee: String,
    /// The queue the call came through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Employee id of the agent on (or offered) the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The extension ringing or talking for the agent side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// An agent as the ACD sees them after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSubject {
    pub employee_id: String,
    /// `logged_out`, `ready`, `not_ready`, `reserved`, `on_call` or `wrap_up`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// In wrap-up: when it ends (Unix milliseconds), for a countdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up_until_ms: Option<u64>,
}

/// A queue's figures after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSubject {
    pub name: String,
    pub waiting: usize,
    pub longest_wait_ms: u64,
    pub agents_logged_in: usize,
    pub agents_ready: usize,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Answered within the queue's threshold, in percent of settled calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level_percent: Option<f64>,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CtiEvent {
    /// A call entered the switch.
    #[serde(rename = "call.created")]
    CallCreated { call: CallSubject },
    /// The ACD offered a waiting call to an agent (screen pop time).
    #[serde(rename = "call.offered")]
    CallOffered { call: CallSubject, waited_ms: u64 },
    /// The agent's (or callee's) phone rings.
    #[serde(rename = "call.ringing")]
    CallRinging { call: CallSubject },
    #[serde(rename = "call.answered")]
    CallAnswered { call: CallSubject },
    /// `party` (`caller` or `callee`) was put on hold.
    #[serde(rename = "call.held")]
    CallHeld { call: CallSubject, party: String },
    #[serde(rename = "call.retrieved")]
    CallRetrieved { call: CallSubject },
    /// The caller was handed on: `kind` is `blind` or `consult`; `target`
    /// says where (an extension, agent, queue, flow or number).
    #[serde(rename = "call.transferred")]
    CallTransferred {
        call: CallSubject,
        kind: String,
        target: String,
    },
    /// A party joined the call: `role` is `conference`, `listen`,
    /// `whisper`, `barge` or `intercept`.
    #[serde(rename = "call.joined")]
    CallJoined {
        call: CallSubject,
        extension: String,
        role: String,
    },
    /// A joined party left the call.
    #[serde(rename = "call.left")]
    CallLeft {
        call: CallSubject,
        extension: String,
    },
    #[serde(rename = "call.ended")]
    CallEnded {
        call: CallSubject,
        /// `answered`, `no_answer`, `busy`, `cancelled`, `failed`...
        disposition: String,
        cause: String,
        /// Who hung up: `caller`, `callee` or `system`.
        hangup_side: String,
    },
    #[serde(rename = "agent.state")]
    AgentState { agent: AgentSubject },
    #[serde(rename = "queue.changed")]
    QueueChanged { queue: QueueSubject },
}

impl CtiEvent {
    /// The event's `type` on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            CtiEvent::CallCreated { .. } => "call.created",
            CtiEvent::CallOffered { .. } => "call.offered",
            CtiEvent::CallRinging { .. } => "call.ringing",
            CtiEvent::CallAnswered { .. } => "call.answered",
            CtiEvent::CallHeld { .. } => "call.held",
            CtiEvent::CallRetrieved { .. } => "call.retrieved",
            CtiEvent::CallTransferred { .. } => "call.transferred",
            CtiEvent::CallJoined { .. } => "call.joined",
            CtiEvent::CallLeft { .. } => "call.left",
            CtiEvent::CallEnded { .. } => "call.ended",
            CtiEvent::AgentState { .. } => "agent.state",
            CtiEvent::QueueChanged { .. } => "queue.changed",
        }
    }

    /// Every event type, for subscription filters and documentation.
    pub const KINDS: [&'static str; 12] = [
        "call.created",
        "call.offered",
        "call.ringing",
        "call.answered",
        "call.held",
        "call.retrieved",
        "call.transferred",
        "call.joined",
        "call.left",
        "call.ended",
        "agent.state",
        "queue.changed",
    ];

    pub fn call(&self) -> Option<&CallSubject> {
        match self {
            CtiEvent::CallCreated { call }
            | CtiEvent::CallOffered { call, .. }
            | CtiEvent::CallRinging { call }
            | CtiEvent::CallAnswered { call }
            | CtiEvent::CallHeld { call, .. }
            | CtiEvent::CallRetrieved { call }
            | CtiEvent::CallTransferred { call, .. }
            | CtiEvent::CallJoined { call, .. }
            | CtiEvent::CallLeft { call, .. }
            | CtiEvent::CallEnded { call, .. } => Some(call),
            CtiEvent::AgentState { .. } | CtiEvent::QueueChanged { .. } => None,
        }
    }

    /// Whether the event concerns the agent `employee_id` taking calls at
    /// `extension`: their state, or a call they are offered, take part in,
    /// or that rings or comes from their extension. Queue figures concern
    /// nobody in particular.
    pub fn concerns(&self, employee_id: &str, extension: Option<&str>) -> bool {
        if let CtiEvent::AgentState { agent } = self {
            return agent.employee_id == employee_id;
        }
        let Some(call) = self.call() else {
            return false;
        };
        if call.agent.as_deref() == Some(employee_id) {
            return true;
        }
        let Some(extension) = extension else {
            return false;
        };
        let joined = matches!(self, CtiEvent::CallJoined { extension: e, .. } | CtiEvent::CallLeft { extension: e, .. } if e == extension);
        joined
            || call.extension.as_deref() == Some(extension)
            || call.caller == extension
            || call.callee == extension
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> CallSubject {
        CallSubject {
            id: 7,
            call_id: "abc@host".into(),
            direction: "inbound".into(),
            caller: "13800138000".into(),
            callee: "4000".into(),
            queue: Some("sales".into()),
            agent: Some("1003".into()),
            extension: Some("1003".into()),
        }
    }

    #[test]
    fn events_carry_their_type_on_the_wire() {
        let event = CtiEvent::CallHeld {
            call: call(),
            party: "caller".into(),
        };
        let json = serde_json::to_value(&event).expect("serialises");
        assert_eq!(json["type"], "call.held");
        assert_eq!(json["call"]["queue"], "sales");
        assert_eq!(json["party"], "caller");
        let back: CtiEvent = serde_json::from_value(json).expect("parses");
        assert_eq!(back, event);
        assert!(CtiEvent::KINDS.contains(&event.kind()));
    }

    #[test]
    fn an_agent_sees_their_calls_and_state_only() {
        let offered = CtiEvent::CallOffered {
            call: call(),
            waited_ms: 1200,
        };
        assert!(offered.concerns("1003", None));
        assert!(!offered.concerns("1002", Some("1002")));
        let internal = CtiEvent::CallRinging {
            call: CallSubject {
                caller: "1001".into(),
                callee: "1002".into(),
                ..CallSubject::default()
            },
        };
        assert!(internal.concerns("8001", Some("1002")));
        assert!(!internal.concerns("8001", None));
        let state = CtiEvent::AgentState {
            agent: AgentSubject {
                employee_id: "1003".into(),
                state: "ready".into(),
                reason: None,
                extension: Some("1003".into()),
                wrap_up_until_ms: None,
            },
        };
        assert!(state.concerns("1003", None));
        assert!(!state.concerns("1002", Some("1003")));
    }
}
