//! Automatic call distribution (MISSION A1-A10): queues, agents, skills,
//! strategies, overflow and wrap-up as one state machine with a replayable
//! event log, sans-IO on a virtual clock.
//!
//! Depends only on sb-core. Nothing here reads a clock or does IO; `now_ms`
//! is always a parameter. The driving loop, as for `sb-call`:
//!
//! ```text
//! acd.handle(now, Command::Enqueue { .. })?;   // agents, callers, phones, admins
//! acd.handle_timeout(now)?;                    // when poll_timeout() is due
//! while let Some(decision) = acd.poll_output() { /* ring, cancel, overflow, wallboard */ }
//! store.append(acd.take_events());             // the log Acd::replay rebuilds from
//! ```
//!
//! Layout: `ids` (AgentId, QueueId, CallRef), `config` (queues, strategies,
//! the rank formula), `agent` and `call` (their states and records),
//! `command` (inputs and the event log), `decision` (outputs), `acd` (the
//! public surface and the timers), `commands` and `queues` (the command
//! handlers), `update` (the bookkeeping every change goes through),
//! `dispatch` (pairing calls with agents), `strategy` (which agents get a
//! call), `index` (what keeps decisions from scanning everything), `views`
//! and `stats` (position, queue figures), `snapshot` (comparable state),
//! `check` (the debug consistency check), `error`.
//!
//! Built: login to several queues with a skill 1-10 each; Ready / NotReady
//! / Reserved / OnCall / WrapUp; LongestIdle, RoundRobin, FewestCalls,
//! HighestSkill, RingAll and Random (seeded, replayable); priority with
//! continuous aging, FIFO within a rank; sticky agent; skill widening over
//! time, also into another queue; ring timeout and no-answer (the call goes
//! back to the head of its priority, the agent NotReady after N misses in a
//! row); wrap-up; overflow on max wait, max length, no agents logged in (at
//! arrival or when the last one logs out) and queue removal; queues added,
//! changed and removed live; abandon while waiting or ringing; finished
//! calls forgotten (per-queue counters kept); queue position with expected
//! wait, queue figures; the event log and deterministic replay. Decisions
//! cost O(log n) in agents and calls through the indexes (see
//! `benches/decision.rs`).
//!
//! Later: reconciliation with the live calls of the switch after a restart,
//! persistence of the event log in the store (both on the switch side).

mod acd;
mod agent;
mod call;
mod check;
mod command;
mod commands;
mod config;
mod decision;
mod dispatch;
mod error;
mod ids;
mod index;
mod queues;
mod snapshot;
mod stats;
mod strategy;
mod update;
mod views;

pub use acd::Acd;
pub use agent::{AgentRecord, AgentState, NO_ANSWER_REASON};
pub use call::{CallRecord, CallStatus, OverflowReason};
pub use command::{Command, Event};
pub use config::{AcdConfig, MAX_SKILL, MIN_SKILL, PRIORITY_WEIGHT, QueueConfig, Strategy};
pub use decision::Decision;
pub use error::AcdError;
pub use ids::{AgentId, CallRef, QueueId};
pub use snapshot::{AcdSnapshot, QueueRecord, RECENTLY_FINISHED};
pub use stats::{AgentCounts, QueueCounters, QueuePosition, QueueStats};
