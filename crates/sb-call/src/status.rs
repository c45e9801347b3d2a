//! SIP status codes the core reasons about (RFC 3261 §21).

#[derive(Debug)]
pub struct Status;

impl Status {
    pub const RINGING: u16 = 180;
    pub const SESSION_PROGRESS: u16 = 183;
    pub const OK: u16 = 200;
    pub const NOT_FOUND: u16 = 404;
    pub const REQUEST_TIMEOUT: u16 = 408;
    pub const TEMPORARILY_UNAVAILABLE: u16 = 480;
    pub const BUSY_HERE: u16 = 486;
    pub const REQUEST_TERMINATED: u16 = 487;
    pub const REQUEST_PENDING: u16 = 491;
    pub const SERVER_ERROR: u16 = 500;
    pub const SERVICE_UNAVAILABLE: u16 = 503;
    pub const BUSY_EVERYWHERE: u16 = 600;
    pub const DECLINE: u16 = 603;

    pub fn reason(status: u16) -> &'static str {
        match status {
            180 => "Ringing",
            183 => "Session Progress",
            200 => "OK",
            403 => "Forbidden",
            404 => "Not Found",
            408 => "Request Timeout",
            480 => "Temporarily Unavailable",
            486 => "Busy Here",
            487 => "Request Terminated",
            488 => "Not Acceptable Here",
            491 => "Request Pending",
            500 => "Server Internal Error",
            503 => "Service Unavailable",
            600 => "Busy Everywhere",
            603 => "Decline",
            _ => "",
        }
    }
}
