//! Shared steps for the scenario tests: every command asserted accepted.

#![allow(dead_code)]

use sb_acd::{Acd, AcdConfig, AgentId, CallRef, Command, Decision, QueueConfig, QueueId};

pub fn agent(name: &str) -> AgentId {
    AgentId::new(name)
}

pub fn queue(name: &str) -> QueueId {
    QueueId::new(name)
}

/// An ACD with the named queues.
pub fn acd(queues: &[(&str, QueueConfig)]) -> Acd {
    let config = queues
        .iter()
        .fold(AcdConfig::default(), |config, (name, queue_config)| {
            config.with_queue(queue(name), queue_config.clone())
        });
    Acd::new(config)
}

pub fn accept(acd: &mut Acd, now_ms: u64, command: Command) {
    let shown = format!("{command:?}");
    assert_eq!(acd.handle(now_ms, command), Ok(()), "{shown}");
}

pub fn login(acd: &mut Acd, now_ms: u64, name: &str, queues: &[(&str, u8)]) {
    let queues = queues
        .iter()
        .map(|(name, skill)| (queue(name), *skill))
        .collect();
    accept(
        acd,
        now_ms,
        Command::Login {
            agent: agent(name),
            queues,
        },
    );
}

pub fn not_ready(acd: &mut Acd, now_ms: u64, name: &str) {
    let command = Command::SetNotReady {
        agent: agent(name),
        reason: "pause".to_owned(),
    };
    accept(acd, now_ms, command);
}

pub fn ready(acd: &mut Acd, now_ms: u64, name: &str) {
    accept(acd, now_ms, Command::SetReady { agent: agent(name) });
}

pub fn enqueue(acd: &mut Acd, now_ms: u64, call: u64, queue_name: &str, priority: i32) {
    enqueue_for(acd, now_ms, call, queue_name, priority, None);
}

pub fn enqueue_for(
    acd: &mut Acd,
    now_ms: u64,
    call: u64,
    queue_name: &str,
    priority: i32,
    preferred: Option<&str>,
) {
    let command = Command::Enqueue {
        call: CallRef(call),
        queue: queue(queue_name),
        priority,
        preferred_agent: preferred.map(agent),
    };
    accept(acd, now_ms, command);
}

pub fn answer(acd: &mut Acd, now_ms: u64, call: u64, name: &str) {
    let command = Command::Answered {
        call: CallRef(call),
        agent: agent(name),
    };
    accept(acd, now_ms, command);
}

pub fn end(acd: &mut Acd, now_ms: u64, call: u64) {
    accept(
        acd,
        now_ms,
        Command::CallEnded {
            call: CallRef(call),
        },
    );
}

pub fn drain(acd: &mut Acd) -> Vec<Decision> {
    std::iter::from_fn(|| acd.poll_output()).collect()
}

/// The (call, agent) offers among the pending decisions.
pub fn offers(acd: &mut Acd) -> Vec<(u64, String)> {
    drain(acd)
        .into_iter()
        .filter_map(|decision| match decision {
            Decision::Offer { call, agent, .. } => Some((call.0, agent.0)),
            _ => None,
        })
        .collect()
}

pub fn offer(call: u64, name: &str) -> (u64, String) {
    (call, name.to_owned())
}

/// The consistency check every scenario ends with.
pub fn consistent(acd: &Acd) {
    assert_eq!(acd.check_consistency(), Ok(()));
}
