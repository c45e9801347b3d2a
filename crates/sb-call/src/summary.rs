//! The facts of a finished call that become its CDR.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Answered,
    Busy,
    NoAnswer,
    Cancelled,
    Rejected,
    Failed,
}

impl Disposition {
    pub fn code(self) -> &'static str {
        match self {
            Disposition::Answered => "answered",
            Disposition::Busy => "busy",
            Disposition::NoAnswer => "no_answer",
            Disposition::Cancelled => "cancelled",
            Disposition::Rejected => "rejected",
            Disposition::Failed => "failed",
        }
    }
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangupSide {
    Caller,
    Callee,
    System,
}

impl HangupSide {
    pub fn code(self) -> &'static str {
        match self {
            HangupSide::Caller => "caller",
            HangupSide::Callee => "callee",
            HangupSide::System => "system",
        }
    }
}

/// Times are the driver's clock in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSummary {
    pub started_at: u64,
    pub answered_at: Option<u64>,
    pub ended_at: u64,
    pub disposition: Disposition,
    /// "486 Busy Here", "BYE", "CANCEL", "ring timeout".
    pub cause: String,
    pub side: HangupSide,
    /// The callee leg that answered, if any.
    pub answered_leg: Option<crate::LegId>,
}

impl CallSummary {
    pub fn ring_ms(&self) -> u64 {
        self.answered_at.unwrap_or(self.ended_at) - self.started_at
    }

    pub fn talk_ms(&self) -> u64 {
        self.answered_at.map_or(0, |at| self.ended_at - at)
    }
}
