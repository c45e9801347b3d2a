//! Read-only views: the caller's place in the queue (announcements), the
//! queue's figures (wallboard) and the agents.

use crate::acd::Acd;
use crate::agent::{AgentRecord, AgentState};
use crate::call::CallStatus;
use crate::config::QueueConfig;
use crate::ids::{AgentId, CallRef, QueueId};
use crate::stats::{AgentCounts, QueuePosition, QueueStats};

impl Acd {
    /// Where a waiting call stands among the waiting calls of its queue
    /// (in the order they would be offered, sticky calls included); `None`
    /// for a call that is not waiting. Costs O(position).
    pub fn position(&self, call: CallRef) -> Option<QueuePosition> {
        let record = self.state.calls.get(&call)?;
        if record.status != CallStatus::Waiting {
            return None;
        }
        let queue = self.state.queues.get(&record.queue)?;
        let queue_index = self.index.queues.get(&record.queue)?;
        let key = record.wait_key(call, &queue.config);
        let ahead: usize = [
            &queue_index.normal,
            &queue_index.widened,
            &queue_index.sticky,
        ]
        .iter()
        .map(|waiting| waiting.range(..key).count())
        .sum();
        let position = ahead + 1;
        let agents = queue_index.members.len() as u64;
        let expected_wait_ms = queue
            .counters
            .average_handle_ms()
            .zip((agents > 0).then_some(agents))
            .map(|(handle_ms, agents)| (position as u64).saturating_mul(handle_ms) / agents);
        Some(QueuePosition {
            position,
            waiting: queue_index.waiting(),
            expected_wait_ms,
        })
    }

    /// One queue's figures at `now_ms`; `None` for an unknown queue. Costs
    /// O(waiting calls + agents of the queue).
    pub fn queue_stats(&self, queue: &QueueId, now_ms: u64) -> Option<QueueStats> {
        let record = self.state.queues.get(queue)?;
        let queue_index = self.index.queues.get(queue)?;
        let longest_wait_ms = queue_index
            .waiting_calls()
            .filter_map(|key| self.state.calls.get(&key.call))
            .map(|call| now_ms.saturating_sub(call.enqueued_at_ms))
            .max()
            .unwrap_or(0);
        let mut agents = AgentCounts::default();
        for agent in queue_index
            .members
            .iter()
            .filter_map(|agent| self.state.agents.get(agent))
        {
            agents.logged_in += 1;
            match agent.state {
                AgentState::Ready => agents.ready += 1,
                AgentState::NotReady { .. } => agents.not_ready += 1,
                AgentState::Reserved { .. } => agents.reserved += 1,
                AgentState::OnCall { .. } => agents.on_call += 1,
                AgentState::WrapUp { .. } => agents.wrap_up += 1,
                AgentState::LoggedOut => {}
            }
        }
        Some(QueueStats {
            waiting: queue_index.waiting(),
            longest_wait_ms,
            agents,
            counters: record.counters.clone(),
            service_level_percent: record.counters.service_level_percent(),
            average_handle_ms: record.counters.average_handle_ms(),
        })
    }

    /// Every agent ever logged in, by id.
    pub fn agents(&self) -> impl Iterator<Item = (&AgentId, &AgentRecord)> {
        self.state.agents.iter()
    }

    /// The queues as configured now.
    pub fn queues(&self) -> impl Iterator<Item = (&QueueId, &QueueConfig)> {
        self.state
            .queues
            .iter()
            .map(|(queue, record)| (queue, &record.config))
    }
}
