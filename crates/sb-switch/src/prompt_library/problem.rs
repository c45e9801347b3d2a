//! Why an item of a speech list was skipped. Not an error of the render: the
//! rest of the list still plays, and the caller logs or shows these.

use std::fmt;

use thiserror::Error;

use super::Language;

/// An item that could not be rendered and was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptProblem {
    /// The item's index in the list given to `render`.
    pub item: usize,
    pub cause: ProblemCause,
}

impl fmt::Display for PromptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}: {}", self.item, self.cause)
    }
}

/// The cause of a [`PromptProblem`]. Clone because one failed synthesis is
/// reported to every render that waited on it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProblemCause {
    #[error("no stored prompt is named `{0}`")]
    UnknownStored(String),
    #[error("stored prompt `{0}` cannot be played: no stored prompts folder is configured")]
    NoStoredFolder(String),
    #[error("stored prompt `{name}` ({file}): {reason}")]
    StoredUnreadable {
        name: String,
        file: String,
        reason: String,
    },
    #[error("no built-in prompt `{name}` in {language}")]
    UnknownBuiltin { name: String, language: Language },
    #[error("text to speak is empty")]
    EmptyText,
    #[error("text to speak has {chars} characters, more than the {limit} allowed; not spoken")]
    TextTooLong { chars: usize, limit: usize },
    #[error(
        "cannot run {program}: {reason} (install espeak-ng, e.g. with scripts/install-test-deps)"
    )]
    TtsUnavailable { program: String, reason: String },
    #[error("espeak-ng took more than {limit_ms} ms and was stopped")]
    TtsTimedOut { limit_ms: u64 },
    #[error("espeak-ng failed: {0}")]
    TtsFailed(String),
    #[error("`{0}` has no digit to say")]
    NoDigits(String),
    #[error("a silence of {ms} ms is longer than the {limit_ms} ms allowed")]
    SilenceTooLong { ms: u32, limit_ms: u32 },
}
