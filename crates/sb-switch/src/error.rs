use thiserror::Error;

#[derive(Debug, Error)]
pub enum SwitchError {
    #[error(transparent)]
    Sip(#[from] sb_sip::SipError),
    #[error("directory lookup failed: {0}")]
    Directory(String),
    #[error("no free RTP port in {first}-{last}")]
    PortsExhausted { first: u16, last: u16 },
    #[error("cannot bind RTP port {port}: {reason}")]
    RtpBind { port: u16, reason: String },
    #[error("invalid RTP port range `{0}`: expected FIRST-LAST with FIRST even and FIRST < LAST")]
    PortRange(String),
    #[error("media engine: {0}")]
    Io(#[from] std::io::Error),
}
