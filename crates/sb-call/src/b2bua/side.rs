//! Consultation and intercept on a direct call (MISSION G5, G6, S5): the
//! B2BUA's counterpart of `service/control.rs`. The side leg is one more
//! callee leg (the driver's next target) on media of its own; when it
//! takes the callee's place (a completed consultation, the callee leaving
//! a conference or hanging up while talking with it, an answered
//! intercept) it becomes the winner and the call turns *local*: offers
//! are answered by the switch on each leg instead of relayed.

use super::{B2bua, CallPhase, Callee, index_of};
use crate::action::Action;
use crate::event::{LegEvent, LegId};
use crate::service::{Refused, SidePurpose};
use crate::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Ringing { since: u64 },
    Talking,
    Conference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Side {
    leg: LegId,
    purpose: SidePurpose,
    phase: Phase,
}

impl B2bua {
    /// The side leg, why it was dialled and whether it answered.
    pub fn side(&self) -> Option<(LegId, SidePurpose, bool)> {
        self.side
            .map(|s| (s.leg, s.purpose, !matches!(s.phase, Phase::Ringing { .. })))
    }

    /// Whether a consultation or intercept may start now; the index the
    /// driver's target for it goes to if so.
    pub fn may_open_side(&self, purpose: SidePurpose) -> Result<usize, Refused> {
        let (ended, not_answered, busy, transferring, used_up) = match purpose {
            SidePurpose::Consult => (
                "consult: the call has ended",
                "consult: the call is not answered yet",
                "consult: a consultation is already in progress",
                "consult: a transfer is ringing",
                "consult: the call has used up its legs",
            ),
            SidePurpose::Intercept => (
                "intercept: the call has ended",
                "intercept: the call is not answered yet",
                "intercept: a consultation or intercept is in progress",
                "intercept: a transfer is ringing",
                "intercept: the call has used up its legs",
            ),
        };
        match self.phase {
            CallPhase::Ended => Err(Refused(ended)),
            CallPhase::Dialling => Err(Refused(not_answered)),
            CallPhase::Answered if self.side.is_some() => Err(Refused(busy)),
            CallPhase::Answered if self.transfer.is_some() => Err(Refused(transferring)),
            CallPhase::Answered if self.winner.is_none() => Err(Refused(not_answered)),
            CallPhase::Answered if self.callees.len() >= usize::from(u16::MAX) => {
                Err(Refused(used_up))
            }
            CallPhase::Answered => Ok(self.callees.len()),
        }
    }

    /// Rings the side leg (the driver's next target); returns it.
    pub fn open_side(&mut self, now: u64, purpose: SidePurpose) -> Result<LegId, Refused> {
        let target = self.may_open_side(purpose)?;
        self.callees.push(Callee::Inviting);
        let leg = super::leg_of(target);
        self.side = Some(Side {
            leg,
            purpose,
            phase: Phase::Ringing { since: now },
        });
        self.outputs.push_back(Action::DialSide { leg, target });
        Ok(leg)
    }

    /// The consulted party takes the caller; the callee drops.
    pub fn complete_consult(&mut self) -> Result<(LegId, LegId), Refused> {
        let side = self.answered_consult(
            "consult/complete: no consultation in progress",
            "consult/complete: the consulted party has not answered yet",
        )?;
        let Some(callee) = self.winner else {
            return Err(Refused("consult/complete: no callee on the call"));
        };
        self.outputs.push_back(Action::Hangup { leg: callee });
        self.hand_over(callee, side.leg);
        Ok((callee, side.leg))
    }

    pub fn cancel_consult(&mut self) -> Result<LegId, Refused> {
        match self.side {
            Some(side) if side.purpose == SidePurpose::Consult => {
                self.drop_side();
                Ok(side.leg)
            }
            _ => Err(Refused("consult/cancel: no consultation in progress")),
        }
    }

    pub fn conference_consult(&mut self) -> Result<LegId, Refused> {
        let side = self.answered_consult(
            "consult/conference: no consultation in progress",
            "consult/conference: the consulted party has not answered yet",
        )?;
        if side.phase == Phase::Conference {
            return Err(Refused("consult/conference: already a conference"));
        }
        self.side = Some(Side {
            phase: Phase::Conference,
            ..side
        });
        Ok(side.leg)
    }

    pub(super) fn side_since(&self) -> Option<u64> {
        match self.side?.phase {
            Phase::Ringing { since } => Some(since),
            _ => None,
        }
    }

    pub(super) fn side_timed_out(&mut self) {
        if let Some(side) = self.side
            && let Phase::Ringing { .. } = side.phase
        {
            self.side = None;
            self.mark(side.leg, Callee::Cancelled);
            self.outputs.push_back(Action::Cancel { leg: side.leg });
            self.outputs.push_back(Action::SideFailed {
                leg: side.leg,
                purpose: side.purpose,
                status: Status::REQUEST_TIMEOUT,
            });
        }
    }

    pub(super) fn is_side(&self, leg: LegId) -> bool {
        self.side.is_some_and(|s| s.leg == leg)
    }

    pub(super) fn drop_side(&mut self) {
        if let Some(side) = self.side.take() {
            if let Phase::Ringing { .. } = side.phase {
                self.mark(side.leg, Callee::Cancelled);
                self.outputs.push_back(Action::Cancel { leg: side.leg });
            } else {
                self.outputs.push_back(Action::Hangup { leg: side.leg });
            }
        }
    }

    pub(super) fn side_event(&mut self, leg: LegId, event: LegEvent) {
        let Some(side) = self.side else {
            return;
        };
        match (side.phase, event) {
            (Phase::Ringing { .. }, LegEvent::Answered { .. }) => {
                self.mark(leg, Callee::Answered);
                match (side.purpose, self.winner) {
                    (SidePurpose::Consult, _) => {
                        self.side = Some(Side {
                            phase: Phase::Talking,
                            ..side
                        });
                        self.outputs.push_back(Action::ConsultAnswered { leg });
                    }
                    (SidePurpose::Intercept, Some(callee)) => {
                        self.outputs.push_back(Action::Hangup { leg: callee });
                        self.hand_over(callee, leg);
                    }
                    (SidePurpose::Intercept, None) => {
                        self.side = None;
                        self.outputs.push_back(Action::Hangup { leg });
                    }
                }
            }
            (Phase::Ringing { .. }, LegEvent::Failed { status, .. }) => {
                self.side = None;
                self.mark(leg, Callee::Failed(status));
                self.outputs.push_back(Action::SideFailed {
                    leg,
                    purpose: side.purpose,
                    status,
                });
            }
            (Phase::Talking | Phase::Conference, LegEvent::HungUp) => {
                self.side = None;
                self.outputs.push_back(Action::SideLeft { leg });
            }
            (_, LegEvent::ReInvite { .. }) => {
                self.outputs.push_back(Action::AnswerLocally { leg });
            }
            _ => {}
        }
    }

    /// The callee hung up while a side leg was up: a consulted party it
    /// was talking with (or conferenced) takes the caller; true if so.
    pub(super) fn callee_left_beside_side(&mut self, callee: LegId) -> bool {
        match self.side {
            Some(side)
                if side.purpose == SidePurpose::Consult
                    && matches!(side.phase, Phase::Talking | Phase::Conference) =>
            {
                self.hand_over(callee, side.leg);
                true
            }
            _ => false,
        }
    }

    fn hand_over(&mut self, from: LegId, to: LegId) {
        self.side = None;
        self.winner = Some(to);
        self.local = true;
        self.outputs.push_back(Action::Handover { from, to });
    }

    fn answered_consult(&self, none: &'static str, ringing: &'static str) -> Result<Side, Refused> {
        match self.side {
            Some(side) if side.purpose == SidePurpose::Consult => match side.phase {
                Phase::Ringing { .. } => Err(Refused(ringing)),
                _ => Ok(side),
            },
            _ => Err(Refused(none)),
        }
    }

    fn mark(&mut self, leg: LegId, state: Callee) {
        if let Some(callee) = index_of(leg).and_then(|i| self.callees.get_mut(i)) {
            *callee = state;
        }
    }
}
