use thiserror::Error;

/// Errors from parsing shared vocabulary out of text.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CoreError {
    #[error("unknown permission code `{0}`")]
    UnknownPermission(String),
    #[error("unknown data scope `{0}`: expected own, department, department_and_below or all")]
    UnknownDataScope(String),
    #[error("unknown call class `{0}`: expected internal, local, national or international")]
    UnknownCallClass(String),
    #[error("unknown follow-me mode `{0}`: expected off, no_answer or always")]
    UnknownFollowMeMode(String),
    #[error("invalid dial pattern: {0}")]
    InvalidDialPattern(String),
}
