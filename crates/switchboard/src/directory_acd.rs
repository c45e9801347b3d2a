//! The ACD and IVR half of the switch's `Directory` port: queue rows become
//! the ACD core's rules and the caller's queue experience, and the switch's
//! records (event log, trails, voicemail, survey answers) become rows.

use sb_acd::{QueueConfig, Strategy};
use sb_store::{AcdQueue, QueueAction, QueueStrategy, Store};
use sb_switch::{AcdSetup, AgentProfile, AgentSession, OverflowTarget, QueueSetup, SwitchError};

fn failed(error: sb_store::StoreError) -> SwitchError {
    SwitchError::Directory(error.to_string())
}

fn millis(seconds: i64) -> u64 {
    u64::try_from(seconds).unwrap_or(0).saturating_mul(1000)
}

pub(crate) async fn acd_setup(store: &Store) -> Result<AcdSetup, SwitchError> {
    let (queues, memberships) = store.acd_configuration().await.map_err(failed)?;
    let queues: Vec<QueueSetup> = queues
        .iter()
        .filter(|q| q.enabled)
        .map(queue_setup)
        .collect();
    let mut agents: Vec<AgentProfile> = Vec::new();
    for membership in memberships {
        if !queues.iter().any(|q| q.name == membership.queue_name) {
            continue;
        }
        let skill = u8::try_from(membership.skill.clamp(1, 10)).unwrap_or(1);
        match agents
            .iter_mut()
            .find(|a| a.employee_id == membership.employee_id)
        {
            Some(agent) => agent.queues.push((membership.queue_name, skill)),
            None => {
                let name = store
                    .staff_by_employee_id(&membership.employee_id)
                    .await
                    .map(|s| s.name)
                    .unwrap_or_else(|_| membership.employee_id.clone());
                agents.push(AgentProfile {
                    employee_id: membership.employee_id,
                    name,
                    extension: membership.extension,
                    queues: vec![(membership.queue_name, skill)],
                });
            }
        }
    }
    Ok(AcdSetup { queues, agents })
}

fn queue_setup(queue: &AcdQueue) -> QueueSetup {
    let acd = QueueConfig {
        strategy: match queue.strategy {
            QueueStrategy::LongestIdle => Strategy::LongestIdle,
            QueueStrategy::RoundRobin => Strategy::RoundRobin,
            QueueStrategy::FewestCalls => Strategy::FewestCalls,
            QueueStrategy::HighestSkill => Strategy::HighestSkill,
            QueueStrategy::RingAll => Strategy::RingAll,
            QueueStrategy::Random => Strategy::Random,
        },
        ring_timeout_ms: millis(queue.ring_timeout_s).max(1000),
        wrap_up_ms: millis(queue.wrap_up_s),
        max_wait_ms: queue.max_wait_s.map(millis),
        max_length: queue.max_length.and_then(|n| usize::try_from(n).ok()),
        max_no_answers_before_not_ready: u32::try_from(queue.no_answer_limit).unwrap_or(0),
        aging_per_second: queue.aging_per_second,
        sticky_wait_ms: queue.sticky_agent_wait_s.map(millis),
        widen_after_ms: queue.widen_after_s.map(millis),
        widened_min_skill: queue
            .widen_to_skill
            .and_then(|s| u8::try_from(s.clamp(1, 10)).ok())
            .unwrap_or(1),
        widen_to_queue: queue.widen_to_queue.clone().map(sb_acd::QueueId),
        ..QueueConfig::default()
    };
    QueueSetup {
        name: queue.name.clone(),
        acd,
        music_class: if queue.music_class.is_empty() {
            "default".into()
        } else {
            queue.music_class.clone()
        },
        announce_position: queue.announce_position,
        announce_interval_ms: millis(queue.announce_interval_s),
        announce_agent_number: queue.announce_agent_number,
        on_overflow: target(queue.overflow_action, &queue.overflow_target),
        on_no_agent: target(queue.no_agent_action, &queue.no_agent_target),
    }
}

fn target(action: QueueAction, target: &str) -> OverflowTarget {
    match action {
        QueueAction::None => OverflowTarget::Flow,
        QueueAction::Queue => OverflowTarget::Queue(target.to_owned()),
        QueueAction::Voicemail => OverflowTarget::Voicemail,
        QueueAction::Flow => OverflowTarget::OtherFlow(target.to_owned()),
        QueueAction::Number => OverflowTarget::Number(target.to_owned()),
    }
}

/// Events read back at most per agent, newest first.
const SESSION_EVENTS: u32 = 200;

/// From the ACD's event log, per agent of a queue, newest first: an agent
/// whose latest sign-in / sign-out event is a sign-in is still signed in,
/// at the extension that event names, in the state of their latest ready /
/// not-ready command.
pub(crate) async fn agent_sessions(
    store: &Store,
    since_ms: u64,
) -> Result<Vec<AgentSession>, SwitchError> {
    let from = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(since_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (_, memberships) = store.acd_configuration().await.map_err(failed)?;
    let mut agents: Vec<String> = memberships.into_iter().map(|m| m.employee_id).collect();
    agents.sort();
    agents.dedup();
    let mut sessions = Vec::new();
    for agent in agents {
        let filter = sb_store::AcdEventFilter {
            agent: Some(agent.clone()),
            from: Some(from),
            ..Default::default()
        };
        let page = store
            .search_acd_events(&filter, sb_store::PageRequest::new(1, SESSION_EVENTS))
            .await
            .map_err(failed)?;
        let mut state: Option<Option<String>> = None;
        for event in page.items {
            match event.kind.as_str() {
                "ready" if state.is_none() => state = Some(None),
                "not_ready" if state.is_none() => {
                    let reason = event.body["reason"].as_str().unwrap_or_default().to_owned();
                    state = Some(Some(reason));
                }
                "logout" => break,
                "login" => {
                    sessions.push(AgentSession {
                        employee_id: agent.clone(),
                        extension: event.body["extension"].as_str().map(str::to_owned),
                        auto_answer: event.body["auto_answer"].as_bool().unwrap_or(false),
                        not_ready: state.flatten(),
                    });
                    break;
                }
                _ => {}
            }
        }
    }
    Ok(sessions)
}
