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

/// Everything the desk can fail with.
#[derive(Debug, Error)]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// Others kept changing the ticket while this step was being decided.
    #[error("ticket {0} kept changing; try again")]
    Contended(i64),
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}
