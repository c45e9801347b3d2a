//! Indexes over the state, so that a decision touches only the queues and
//! agents concerned (the MISSION's 10,000 agents, 1,000 queues and 5,000
//! waiting calls) instead of scanning them all.
//!
//! Everything here is derived from [`AcdSnapshot`]: [`Indexes::build`]
//! recomputes it from scratch, and the state machine keeps it up to date by
//! removing a record's contributions before changing the record and adding
//! them back after (`unindex_*` / `index_*`). The property tests compare the
//! two after every step.

use std::collections::{BTreeMap, BTreeSet};

use crate::agent::{AgentRecord, AgentState};
use crate::call::{CallRecord, CallStatus, WaitKey};
use crate::config::{MAX_SKILL, MIN_SKILL, QueueConfig};
use crate::ids::{AgentId, CallRef, QueueId};
use crate::snapshot::{AcdSnapshot, QueueRecord};

/// The Ready agents of one queue at one skill level, in the three orders
/// the strategies need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReadyAgents {
    /// (idle since, agent): LongestIdle, HighestSkill.
    pub(crate) by_idle: BTreeSet<(u64, AgentId)>,
    /// (answered, idle since, agent): FewestCalls.
    pub(crate) by_answered: BTreeSet<(u64, u64, AgentId)>,
    /// RoundRobin, Random, RingAll.
    pub(crate) by_id: BTreeSet<AgentId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueueIndex {
    /// Waiting calls in their normal phase, best first.
    pub(crate) normal: BTreeSet<WaitKey>,
    /// Waiting calls that have been widened.
    pub(crate) widened: BTreeSet<WaitKey>,
    /// Waiting calls held for their sticky agent.
    pub(crate) sticky: BTreeSet<WaitKey>,
    /// Logged-in agents with a skill in this queue (any state).
    pub(crate) members: BTreeSet<AgentId>,
    /// Ready members by skill: `ready[skill - 1]`.
    pub(crate) ready: [ReadyAgents; MAX_SKILL as usize],
}

impl QueueIndex {
    pub(crate) fn waiting(&self) -> usize {
        self.normal.len() + self.widened.len() + self.sticky.len()
    }

    pub(crate) fn waiting_calls(&self) -> impl Iterator<Item = &WaitKey> {
        self.normal.iter().chain(&self.widened).chain(&self.sticky)
    }

    /// The Ready agents with at least `min_skill`, highest skill first.
    pub(crate) fn ready_from(&self, min_skill: u8) -> impl Iterator<Item = (u8, &ReadyAgents)> {
        let lowest = min_skill.max(MIN_SKILL);
        (lowest..=MAX_SKILL)
            .rev()
            .map(|skill| (skill, &self.ready[usize::from(skill - 1)]))
    }

    fn waiting_set(&mut self, record: &CallRecord) -> &mut BTreeSet<WaitKey> {
        if record.sticky_agent.is_some() {
            &mut self.sticky
        } else if record.widened {
            &mut self.widened
        } else {
            &mut self.normal
        }
    }

    fn ready_level(&mut self, skill: u8) -> &mut ReadyAgents {
        let level = skill.clamp(MIN_SKILL, MAX_SKILL);
        &mut self.ready[usize::from(level - 1)]
    }
}

/// The timers, one set per kind, each ordered by deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Timers {
    pub(crate) ring: BTreeSet<(u64, CallRef)>,
    pub(crate) wrap_up: BTreeSet<(u64, AgentId)>,
    pub(crate) sticky: BTreeSet<(u64, CallRef)>,
    pub(crate) widen: BTreeSet<(u64, CallRef)>,
    pub(crate) max_wait: BTreeSet<(u64, CallRef)>,
}

impl Timers {
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        [
            self.ring.first().map(|(at, _)| *at),
            self.wrap_up.first().map(|(at, _)| *at),
            self.sticky.first().map(|(at, _)| *at),
            self.widen.first().map(|(at, _)| *at),
            self.max_wait.first().map(|(at, _)| *at),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// What is due at `now_ms` in one timer set, in deadline order.
pub(crate) fn due<T: Clone>(timers: &BTreeSet<(u64, T)>, now_ms: u64) -> Vec<T> {
    timers
        .iter()
        .take_while(|(at, _)| *at <= now_ms)
        .map(|(_, item)| item.clone())
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Indexes {
    pub(crate) queues: BTreeMap<QueueId, QueueIndex>,
    /// Waiting sticky calls by the agent they wait for.
    pub(crate) sticky_by_agent: BTreeMap<AgentId, BTreeSet<CallRef>>,
    /// For each queue, the queues whose widened calls its agents may take.
    pub(crate) widened_from: BTreeMap<QueueId, BTreeSet<QueueId>>,
    pub(crate) timers: Timers,
    /// `AcdSnapshot::recently_finished` by call.
    pub(crate) finished: BTreeMap<CallRef, CallStatus>,
}

impl Indexes {
    /// The indexes of `state`, from scratch.
    pub(crate) fn build(state: &AcdSnapshot) -> Self {
        let mut index = Indexes::default();
        for (queue, record) in &state.queues {
            index.add_queue(queue, &record.config);
        }
        for (agent, record) in &state.agents {
            index.index_agent(agent, record);
        }
        for (call, record) in &state.calls {
            index.index_call(*call, record, &state.queues);
        }
        index.finished = state.recently_finished.iter().cloned().collect();
        index
    }

    pub(crate) fn add_queue(&mut self, queue: &QueueId, config: &QueueConfig) {
        self.queues.entry(queue.clone()).or_default();
        self.link_widening(queue, config);
    }

    pub(crate) fn remove_queue(&mut self, queue: &QueueId, config: &QueueConfig) {
        self.queues.remove(queue);
        self.unlink_widening(queue, config);
    }

    pub(crate) fn link_widening(&mut self, queue: &QueueId, config: &QueueConfig) {
        if let Some(target) = &config.widen_to_queue {
            self.widened_from
                .entry(target.clone())
                .or_default()
                .insert(queue.clone());
        }
    }

    pub(crate) fn unlink_widening(&mut self, queue: &QueueId, config: &QueueConfig) {
        if let Some(target) = &config.widen_to_queue
            && let Some(sources) = self.widened_from.get_mut(target)
        {
            sources.remove(queue);
            if sources.is_empty() {
                self.widened_from.remove(target);
            }
        }
    }

    /// Adds what `record` contributes: membership while logged in, the
    /// Ready sets while Ready, the wrap-up timer while in wrap-up.
    pub(crate) fn index_agent(&mut self, agent: &AgentId, record: &AgentRecord) {
        self.membership(agent, record, true);
        self.state_contributions(agent, record, true);
    }

    pub(crate) fn unindex_agent(&mut self, agent: &AgentId, record: &AgentRecord) {
        self.membership(agent, record, false);
        self.state_contributions(agent, record, false);
    }

    /// Only what depends on the agent's state (Ready sets, wrap-up timer):
    /// enough when neither the skills nor being logged in change, which is
    /// most updates.
    pub(crate) fn index_agent_state(&mut self, agent: &AgentId, record: &AgentRecord) {
        self.state_contributions(agent, record, true);
    }

    pub(crate) fn unindex_agent_state(&mut self, agent: &AgentId, record: &AgentRecord) {
        self.state_contributions(agent, record, false);
    }

    fn membership(&mut self, agent: &AgentId, record: &AgentRecord, add: bool) {
        if !record.is_logged_in() {
            return;
        }
        for queue in record.skills.keys() {
            if let Some(queue_index) = self.queues.get_mut(queue) {
                toggle(&mut queue_index.members, agent.clone(), add);
            }
        }
    }

    fn state_contributions(&mut self, agent: &AgentId, record: &AgentRecord, add: bool) {
        match record.state {
            AgentState::WrapUp { until_ms } => {
                toggle(&mut self.timers.wrap_up, (until_ms, agent.clone()), add);
            }
            AgentState::Ready => {
                for (queue, skill) in &record.skills {
                    let Some(queue_index) = self.queues.get_mut(queue) else {
                        continue;
                    };
                    let level = queue_index.ready_level(*skill);
                    toggle(
                        &mut level.by_idle,
                        (record.idle_since_ms, agent.clone()),
                        add,
                    );
                    toggle(
                        &mut level.by_answered,
                        (record.answered, record.idle_since_ms, agent.clone()),
                        add,
                    );
                    toggle(&mut level.by_id, agent.clone(), add);
                }
            }
            _ => {}
        }
    }

    /// Adds what `record` contributes: its place in the waiting sets and its
    /// wait timers while waiting, its ring timer while ringing. Nothing for
    /// an answered call, or a call whose queue is gone.
    pub(crate) fn index_call(
        &mut self,
        call: CallRef,
        record: &CallRecord,
        queues: &BTreeMap<QueueId, QueueRecord>,
    ) {
        self.call_contributions(call, record, queues, true);
    }

    pub(crate) fn unindex_call(
        &mut self,
        call: CallRef,
        record: &CallRecord,
        queues: &BTreeMap<QueueId, QueueRecord>,
    ) {
        self.call_contributions(call, record, queues, false);
    }

    fn call_contributions(
        &mut self,
        call: CallRef,
        record: &CallRecord,
        queues: &BTreeMap<QueueId, QueueRecord>,
        add: bool,
    ) {
        let Some(config) = queues.get(&record.queue).map(|queue| &queue.config) else {
            return;
        };
        let waiting = record.status == CallStatus::Waiting;
        if let Some(ring_deadline_ms) = record.status.ring_deadline_ms() {
            toggle(&mut self.timers.ring, (ring_deadline_ms, call), add);
        } else if !waiting {
            return;
        }
        // Waiting or ringing: the phase timers run.
        if let Some(agent) = &record.sticky_agent {
            let until_ms = record
                .enqueued_at_ms
                .saturating_add(config.sticky_wait_ms.unwrap_or(0));
            toggle(&mut self.timers.sticky, (until_ms, call), add);
            if waiting {
                let calls = self.sticky_by_agent.entry(agent.clone()).or_default();
                toggle(calls, call, add);
                if calls.is_empty() {
                    self.sticky_by_agent.remove(agent);
                }
            }
        }
        if !record.widened
            && let Some(widen_after_ms) = config.widen_after_ms
        {
            let at_ms = record.enqueued_at_ms.saturating_add(widen_after_ms);
            toggle(&mut self.timers.widen, (at_ms, call), add);
        }
        if !waiting {
            return;
        }
        if let Some(max_wait_ms) = config.max_wait_ms {
            let at_ms = record.enqueued_at_ms.saturating_add(max_wait_ms);
            toggle(&mut self.timers.max_wait, (at_ms, call), add);
        }
        if let Some(queue_index) = self.queues.get_mut(&record.queue) {
            let key = record.wait_key(call, config);
            toggle(queue_index.waiting_set(record), key, add);
        }
    }
}

fn toggle<T: Ord>(set: &mut BTreeSet<T>, item: T, add: bool) {
    if add {
        set.insert(item);
    } else {
        set.remove(&item);
    }
}
