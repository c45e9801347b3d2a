use thiserror::Error;

/// Errors of the SIP layer. Wire errors carry the part of the message that
/// was wrong so logs and the 400 reason phrase can say it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SipError {
    #[error("malformed SIP message: {0}")]
    Malformed(&'static str),
    #[error("missing mandatory header: {0}")]
    MissingHeader(&'static str),
    #[error("bad digest credentials: {0}")]
    BadCredentials(&'static str),
    #[error("cannot bind the SIP {transport} socket on {addr}: {reason}")]
    Bind {
        transport: &'static str,
        addr: std::net::SocketAddr,
        reason: String,
    },
    #[error("SIP stack error: {0}")]
    Stack(String),
    #[error("invalid SIP URI `{0}`")]
    Uri(String),
}

impl SipError {
    /// The reason phrase of the 400 answering this error.
    pub fn phrase(&self) -> &'static str {
        match self {
            SipError::Malformed("Content-Length") => "Bad Content-Length",
            SipError::Malformed("CSeq")
            | SipError::Malformed("CSeq method differs from the request method") => "Bad CSeq",
            SipError::MissingHeader(_) => "Missing Mandatory Header",
            _ => "Bad Request",
        }
    }
}
