//! The ACD's accepted inputs as rows of the store's event log: a kind,
//! the agent, queue and call they concern (indexed, to explain a decision
//! afterwards), and the whole input as JSON.

use sb_acd::{Command, Event, OverflowReason};
use serde_json::json;

use crate::directory::AcdLogEntry;

pub(crate) fn overflow_code(reason: OverflowReason) -> &'static str {
    match reason {
        OverflowReason::MaxWait => "max_wait",
        OverflowReason::MaxLength => "max_length",
        OverflowReason::NoAgentsLoggedIn => "no_agents",
        OverflowReason::QueueRemoved => "queue_removed",
    }
}

/// `seat` tells where a signing-in agent takes calls and whether that
/// phone auto-answers, which the log keeps so a restart can sign the agent
/// in again the same way.
pub(crate) fn entry(event: &Event, seat: impl Fn(&str) -> Option<(String, bool)>) -> AcdLogEntry {
    let (at_ms, command) = match event {
        Event::Timeout { now_ms } => {
            return AcdLogEntry {
                at_ms: *now_ms,
                kind: "timeout",
                agent: None,
                queue: None,
                call_ref: None,
                body: "{}".into(),
            };
        }
        Event::Command { now_ms, command } => (*now_ms, command),
    };
    let mut entry = AcdLogEntry {
        at_ms,
        kind: "",
        agent: None,
        queue: None,
        call_ref: None,
        body: String::new(),
    };
    let body = match command {
        Command::Login { agent, queues } => {
            entry.kind = "login";
            entry.agent = Some(agent.0.clone());
            let queues: Vec<_> = queues
                .iter()
                .map(|(queue, skill)| json!({ "queue": queue.0, "skill": skill }))
                .collect();
            let (extension, auto_answer) = seat(&agent.0).unzip();
            json!({ "queues": queues, "extension": extension, "auto_answer": auto_answer.unwrap_or(false) })
        }
        Command::Logout { agent } => {
            entry.kind = "logout";
            entry.agent = Some(agent.0.clone());
            json!({})
        }
        Command::SetReady { agent } => {
            entry.kind = "ready";
            entry.agent = Some(agent.0.clone());
            json!({})
        }
        Command::SetNotReady { agent, reason } => {
            entry.kind = "not_ready";
            entry.agent = Some(agent.0.clone());
            json!({ "reason": reason })
        }
        Command::Enqueue {
            call,
            queue,
            priority,
            ..
        } => {
            entry.kind = "enqueue";
            entry.call_ref = Some(call.0);
            entry.queue = Some(queue.0.clone());
            json!({ "priority": priority })
        }
        Command::Abandon { call } => {
            entry.kind = "abandon";
            entry.call_ref = Some(call.0);
            json!({})
        }
        Command::Answered { call, agent } => {
            entry.kind = "answered";
            entry.call_ref = Some(call.0);
            entry.agent = Some(agent.0.clone());
            json!({})
        }
        Command::NoAnswer { call, agent } => {
            entry.kind = "no_answer";
            entry.call_ref = Some(call.0);
            entry.agent = Some(agent.0.clone());
            json!({})
        }
        Command::PickedUp { call } => {
            entry.kind = "picked_up";
            entry.call_ref = Some(call.0);
            json!({})
        }
        Command::CallEnded { call } => {
            entry.kind = "call_ended";
            entry.call_ref = Some(call.0);
            json!({})
        }
        Command::SetQueue { queue, config } => {
            entry.kind = "set_queue";
            entry.queue = Some(queue.0.clone());
            json!({ "config": format!("{config:?}") })
        }
        Command::RemoveQueue { queue } => {
            entry.kind = "remove_queue";
            entry.queue = Some(queue.0.clone());
            json!({})
        }
    };
    entry.body = body.to_string();
    entry
}
