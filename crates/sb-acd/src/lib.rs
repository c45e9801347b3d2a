//! Automatic call distribution (MISSION A1-A10): queues, agents, skills,
//! strategies, overflow and wrap-up as one state machine with a replayable
//! event log, sans-IO on a virtual clock.
//!
//! Depends only on sb-core. Nothing here reads a clock or does IO; `now_ms`
//! is always a parameter. The driving loop, as for `sb-call`:
//!
//! ```text
//! acd.handle(now, Command::Enqueue { .. })?;   // agents, callers, phones
//! acd.handle_timeout(now)?;                    // when poll_timeout() is due
//! while let Some(decision) = acd.poll_output() { /* ring, cancel, overflow, wallboard */ }
//! store.append(acd.take_events());             // the log Acd::replay rebuilds from
//! ```
//!
//! Layout: `ids` (AgentId, QueueId, CallRef), `config` (queues and
//! strategies), `agent` and `call` (their states and records), `command`
//! (inputs and the event log), `decision` (outputs), `strategy` (which agent
//! gets the next call), `acd` (the state machine), `snapshot` (comparable
//! state), `error`.
//!
//! Built in this slice: login to several queues with a skill 1-10 each;
//! Ready / NotReady / Reserved / OnCall / WrapUp; LongestIdle, RoundRobin,
//! FewestCalls and HighestSkill; priority with optional aging, FIFO within a
//! rank; ring timeout and no-answer (the call goes back to the head of its
//! priority, the agent NotReady after N misses in a row); wrap-up; overflow
//! on max wait, max length and no agents logged in; abandon while waiting or
//! ringing; the event log and deterministic replay.
//!
//! Later, with the rest of the ACD/IVR issue: RingAll and Random strategies,
//! sticky agent, skill widening over time, overflowing waiting calls when the
//! last agent logs out, reconciliation with the live calls of the switch
//! after a restart, persistence of the event log in the store, forgetting
//! finished calls, and queue position announcements.

mod acd;
mod agent;
mod call;
mod command;
mod config;
mod decision;
mod error;
mod ids;
mod snapshot;
mod strategy;

pub use acd::Acd;
pub use agent::{AgentRecord, AgentState, NO_ANSWER_REASON};
pub use call::{CallRecord, CallStatus, OverflowReason};
pub use command::{Command, Event};
pub use config::{AcdConfig, PRIORITY_WEIGHT, QueueConfig, Strategy};
pub use decision::Decision;
pub use error::AcdError;
pub use ids::{AgentId, CallRef, QueueId};
pub use snapshot::AcdSnapshot;
