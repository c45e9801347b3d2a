//! Callback tasks (MISSION O3): the pacing rules as pure functions
//! (`pacing`: which result closes a task, when the next call is due, the
//! attempt limit; `now` passed in) and the service that records an attempt
//! onto the version of the task it was decided on (`service`); `demo` is the
//! first start's demo list and campaign.

pub mod demo;
pub mod pacing;
pub mod service;

pub use pacing::{AttemptReport, Pacing, decide_attempt, timeline_line};
pub use service::CallbackDesk;
