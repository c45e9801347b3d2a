use sb_store::StoreError;
use thiserror::Error;

/// A workflow command the ticket's state does not allow; the message names
/// the state ("claim: ticket is assigned to Li Lei, not queued").
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{command}: {reason}")]
pub struct IllegalTransition {
    pub command: &'static str,
    pub reason: String,
}

/// Everything the desk can refuse or fail with.
#[derive(Debug, Error)]
pub enum DeskError {
    /// Input that breaks a rule; `field` names it as the client sent it
    /// (`phones[1].number`, `custom_fields.plate_colour`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// An uploaded file the importer cannot use; the message says why.
    #[error("{0}")]
    UnreadableFile(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("spreadsheet export failed: {0}")]
    Export(String),
    /// A ticket workflow command its state does not allow.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// Others kept changing the ticket while this step was being decided.
    #[error("ticket {0} kept changing; try again")]
    Contended(i64),
    /// Others kept recording calls for the callback task meanwhile.
    #[error("callback task {0} kept changing; try again")]
    TaskContended(i64),
    /// The knowledge search index failed (disk, corrupt segment).
    #[error("knowledge search index: {0}")]
    Search(String),
}

impl DeskError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> DeskError {
        DeskError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = DeskError> = std::result::Result<T, E>;
