//! What a leg reports to the call: responses to our requests and requests the
//! peer sends us, already decoded by the SIP layer.

/// A leg of one call. `A` is the caller; callee legs are numbered from 1 in
/// the order they were dialled (one per registered contact when forking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegId {
    A,
    B(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegEvent {
    /// A provisional response (180 Ringing, 183 Session Progress) from a callee.
    Progress { status: u16, sdp: Option<Vec<u8>> },
    /// The callee answered (2xx); the SDP is its answer.
    Answered { sdp: Option<Vec<u8>> },
    /// The callee's final failure response, or a transport failure the SIP
    /// layer mapped to a status (408 for Timer B, 503 for an unreachable peer).
    Failed { status: u16, reason: String },
    /// The caller sent CANCEL before the call was answered.
    Cancelled,
    /// The peer sent BYE.
    HungUp,
    /// The peer sent a re-INVITE or UPDATE in the dialog (hold, resume,
    /// session refresh); it waits for `Action::AnswerReInvite`.
    ReInvite { sdp: Option<Vec<u8>> },
    /// The peer answered our re-INVITE.
    ReInviteAnswered { status: u16, sdp: Option<Vec<u8>> },
    /// An INFO in the dialog (SIP INFO DTMF), already acknowledged by the
    /// SIP layer. The B2BUA core ignores it; the media side reads it.
    Info { content_type: String, body: Vec<u8> },
}
