//! Voice flows (MISSION I1-I9): JSON flow documents, their validation and
//! their interpreter, one per call; sans-IO (no clock reads, no IO: time is
//! always a `now_ms` parameter, HTTP lookups and playback are outputs).
//!
//! The store versions documents and the API validates them with
//! [`FlowDocument::parse`] (errors name the node and field) and checks that
//! what they name exists ([`FlowDocument::subflows`], `calendars`, `queues`,
//! `stored_prompts`).
//!
//! The switch runs one [`Interpreter`] per call, on its own task:
//!
//! ```text
//! let mut ivr = Interpreter::start(now, flows, facts, calendars);
//! loop {
//!     while let Some(output) = ivr.poll_output() { /* play, look up, queue, hang up */ }
//!     if ivr.is_finished() { break }
//!     select! {
//!         event = media_or_sip => ivr.handle(now, Input::Digit(..) /* or PlaybackFinished.. */),
//!         _ = sleep_until(ivr.poll_timeout()) => ivr.handle_timeout(now),
//!     }
//! }
//! store.save_trail(ivr.trail());
//! ```
//!
//! Layout: `document` (reading a flow, node by node), `node` (the node
//! types), `prompt`, `condition`, `target` and `language` (what nodes hold),
//! `template` (`{variable}` expansion), `validate` (what is refused),
//! `error`; then the interpreter: `flow_set` (the flows of one call), `io`
//! (Input and Output), `speech` (prompts with templates filled in), `trail`,
//! `interpreter` (entering nodes, waits, lookups, subflows), `keys` (menus,
//! collects, surveys, member verification) and `tests` (condition tests).

mod condition;
mod document;
mod error;
mod flow_set;
mod interpreter;
mod io;
mod keys;
mod language;
mod node;
mod prompt;
mod speech;
mod target;
pub mod template;
mod tests;
mod trail;
mod validate;

pub use condition::{Rule, Test};
pub use document::FlowDocument;
pub use error::FlowError;
pub use flow_set::{CallFacts, FlowSet};
pub use interpreter::{Interpreter, MAX_STEPS_WITHOUT_WAITING, MAX_SUBFLOW_DEPTH};
pub use io::{Input, Output};
pub use keys::{VERIFY_FIRST_DIGIT_MS, VERIFY_INTER_DIGIT_MS, VERIFY_LOOKUP_TIMEOUT_MS};
pub use language::Language;
pub use node::{
    Branch, CollectNode, ConditionNode, HangupNode, LookupNode, MenuNode, Node, PlayNode,
    QueueNode, ReturnNode, SetVariableNode, SubflowNode, SurveyNode, TransferNode,
    VerifyMemberNode, VoicemailNode,
};
pub use prompt::PromptRef;
pub use speech::Speech;
pub use target::{Mailbox, TransferTarget};
pub use trail::TrailStep;
pub use validate::{CALL_VARIABLES, MAX_DIGITS};
