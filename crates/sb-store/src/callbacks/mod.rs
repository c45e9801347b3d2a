//! Callback task lists (MISSION O3): lists owned by a department with their
//! pacing (`lists`), the tasks in them with who calls and when the next call
//! is due (`tasks`), and every attempt with its result (`attempts`), which
//! also goes onto the customer's contact timeline.
//!
//! The pacing rules (which result closes a task, when the next call is due)
//! live in sb-desk; an attempt is written only onto the version of the task
//! it was decided on, so two agents recording at once cannot both count.

mod attempts;
mod lists;
mod tasks;

pub use attempts::{CallbackAttempt, CallbackOutcome, NewCallbackAttempt};
pub use lists::{CallbackList, CallbackListInput, CallbackProgress};
pub use tasks::{CallbackTask, CallbackTaskFilter, NewCallbackTask};
