//! Voice flows (MISSION I1-I9): JSON flow documents, their validation and
//! their interpreter, one per call; sans-IO.
//!
//! The store versions documents and the API validates them with
//! [`FlowDocument::parse`] (errors name the node and field) and checks that
//! what they name exists ([`FlowDocument::subflows`], `calendars`, `queues`,
//! `stored_prompts`).
//!
//! Layout: `document` (reading a flow, node by node), `node` (the node
//! types), `prompt`, `condition`, `target` and `language` (what nodes hold),
//! `template` (`{variable}` expansion), `validate` (what is refused),
//! `error`.

mod condition;
mod document;
mod error;
mod language;
mod node;
mod prompt;
mod target;
pub mod template;
mod validate;

pub use condition::{Rule, Test};
pub use document::FlowDocument;
pub use error::FlowError;
pub use language::Language;
pub use node::{
    Branch, CollectNode, ConditionNode, HangupNode, LookupNode, MenuNode, Node, PlayNode,
    QueueNode, ReturnNode, SetVariableNode, SubflowNode, SurveyNode, TransferNode,
    VerifyMemberNode, VoicemailNode,
};
pub use prompt::PromptRef;
pub use target::{Mailbox, TransferTarget};
pub use validate::{CALL_VARIABLES, MAX_DIGITS};
