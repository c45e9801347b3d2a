use sb_store::StoreError;
use thiserror::Error;

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
