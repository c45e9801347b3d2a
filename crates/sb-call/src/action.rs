//! What the driver must do on the call's behalf.

use crate::event::LegId;
use crate::service::SidePurpose;
use crate::summary::CallSummary;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send INVITE to callee number `index` of the targets the driver gave
    /// (`LegId::B(index + 1)`), offering the caller's media.
    Dial {
        leg: LegId,
        target: usize,
        sdp: Option<Vec<u8>>,
    },
    /// Send a provisional response to the caller: 180, or 183 with early media.
    Ring { status: u16, sdp: Option<Vec<u8>> },
    /// Answer the caller with 200 OK carrying the callee's media.
    Answer { sdp: Option<Vec<u8>> },
    /// Reject the caller's INVITE with a final status.
    Reject { status: u16, reason: &'static str },
    /// CANCEL an unanswered callee leg.
    Cancel { leg: LegId },
    /// Send BYE on an answered leg.
    Hangup { leg: LegId },
    /// Send a re-INVITE on `leg` with the other side's new offer.
    ReInvite { leg: LegId, sdp: Option<Vec<u8>> },
    /// Answer the re-INVITE `leg` sent us.
    AnswerReInvite {
        leg: LegId,
        status: u16,
        sdp: Option<Vec<u8>>,
    },
    /// Relay media between the caller and this callee from now on.
    Bridge { leg: LegId },
    /// Dial the party an agent consults or a supervisor intercepts with:
    /// target `target` of the driver's list, on media of its own.
    DialSide { leg: LegId, target: usize },
    /// The consulted party answered: the agent talks with it while the
    /// caller holds.
    ConsultAnswered { leg: LegId },
    /// The consulted or intercepting party did not answer.
    SideFailed {
        leg: LegId,
        purpose: SidePurpose,
        status: u16,
    },
    /// The consulted party hung up: the agent has the caller back.
    SideLeft { leg: LegId },
    /// `to` took the callee's place beside the caller; `from` is gone.
    Handover { from: LegId, to: LegId },
    /// Answer the re-INVITE `leg` sent with the switch's own SDP for that
    /// leg: the callee now has media of its own, so offers are no longer
    /// relayed between the two sides.
    AnswerLocally { leg: LegId },
    /// The call is over: write its record and release its resources.
    Ended(CallSummary),
}
