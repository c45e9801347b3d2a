//! Live queue configuration: admins add, change and remove queues while
//! calls wait. Both commands are logged, so replay rebuilds the queues.

use crate::acd::Acd;
use crate::call::{CallStatus, OverflowReason};
use crate::config::QueueConfig;
use crate::error::AcdError;
use crate::ids::{AgentId, CallRef, QueueId};
use crate::snapshot::QueueRecord;

impl Acd {
    /// Adds a queue or replaces its configuration. Its calls keep their
    /// arrival and phase; their rank, timers and eligible agents follow the
    /// new configuration (a deadline already past fires at the next
    /// `handle_timeout`).
    pub(crate) fn set_queue(
        &mut self,
        queue: &QueueId,
        config: &QueueConfig,
    ) -> Result<(), AcdError> {
        config.validate(queue)?;
        let Some(old) = self
            .state
            .queues
            .get(queue)
            .map(|record| record.config.clone())
        else {
            self.state.queues.insert(
                queue.clone(),
                QueueRecord {
                    config: config.clone(),
                    counters: Default::default(),
                },
            );
            self.index.add_queue(queue, config);
            return Ok(());
        };
        let calls = self.live_calls_of(queue);
        for call in &calls {
            if let Some(record) = self.state.calls.get(call) {
                self.index.unindex_call(*call, record, &self.state.queues);
            }
        }
        self.index.unlink_widening(queue, &old);
        if let Some(record) = self.state.queues.get_mut(queue) {
            record.config = config.clone();
        }
        self.index.link_widening(queue, config);
        for call in &calls {
            if let Some(record) = self.state.calls.get(call) {
                self.index.index_call(*call, record, &self.state.queues);
                if record.status == CallStatus::Waiting {
                    self.dirty_calls.push(*call);
                }
            }
        }
        Ok(())
    }

    /// Waiting and ringing calls overflow with `QueueRemoved` (ringing
    /// agents are cancelled and keep their place), answered calls go on
    /// without wrap-up, and the agents lose the skill (an agent left with no
    /// queue stays logged in, taking no calls).
    pub(crate) fn remove_queue(&mut self, queue: &QueueId) -> Result<(), AcdError> {
        let config = self.queue_config(queue)?.clone();
        for call in self.live_calls_of(queue) {
            let Some(record) = self.state.calls.get(&call) else {
                continue;
            };
            if matches!(record.status, CallStatus::OnCall { .. }) {
                continue;
            }
            let ringing: Vec<AgentId> = record
                .status
                .ringing_agents()
                .into_iter()
                .cloned()
                .collect();
            self.overflow(call, OverflowReason::QueueRemoved);
            for agent in &ringing {
                self.release(call, agent);
            }
        }
        let members: Vec<AgentId> = self
            .index
            .queues
            .get(queue)
            .map(|queue| queue.members.iter().cloned().collect())
            .unwrap_or_default();
        for agent in &members {
            self.update_agent_membership(agent, |record| {
                record.skills.remove(queue);
            });
        }
        self.state.round_robin_last.remove(queue);
        self.index.remove_queue(queue, &config);
        self.state.queues.remove(queue);
        Ok(())
    }

    /// Every call of `queue` still in the state. A scan: only queue changes
    /// need it.
    fn live_calls_of(&self, queue: &QueueId) -> Vec<CallRef> {
        self.state
            .calls
            .iter()
            .filter(|(_, record)| &record.queue == queue)
            .map(|(call, _)| *call)
            .collect()
    }
}
