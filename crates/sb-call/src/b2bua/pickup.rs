//! Call pickup (MISSION G7): while the call rings, another phone takes it.
//! Every ringing leg is cancelled. The picker either sent an INVITE of its
//! own (a feature code): the driver answers that dialog and it is the
//! callee at once; or the switch rings the picker's phone (the API): that
//! leg rings alone, with the ring timer started afresh.

use super::{B2bua, CallPhase, Callee, leg_of};
use crate::action::Action;
use crate::event::LegId;
use crate::service::Refused;

impl B2bua {
    /// The leg a picker gets, if the call may be picked up now; for a rung
    /// picker the driver appends its dial target at that leg's index.
    pub fn may_pick_up(&self) -> Result<LegId, Refused> {
        match self.phase {
            CallPhase::Answered => Err(Refused("pickup: the call is already answered")),
            CallPhase::Ended => Err(Refused("pickup: the call has ended")),
            CallPhase::Dialling if self.callees.len() >= usize::from(u16::MAX) => {
                Err(Refused("pickup: the call has used up its legs"))
            }
            CallPhase::Dialling => Ok(leg_of(self.callees.len())),
        }
    }

    /// The picker's own INVITE became leg [`may_pick_up`](Self::may_pick_up)
    /// and the driver answered it with `sdp` (the switch's media toward the
    /// picker): the caller is answered with that media, as if the picker's
    /// phone had been rung and answered.
    pub fn picked_up(&mut self, now: u64, sdp: Option<Vec<u8>>) -> Result<LegId, Refused> {
        let leg = self.may_pick_up()?;
        self.cancel_pending(None);
        self.callees.push(Callee::Answered);
        self.winner = Some(leg);
        self.answered_at = Some(now);
        self.phase = CallPhase::Answered;
        self.outputs.push_back(Action::Bridge { leg });
        self.outputs.push_back(Action::Answer { sdp });
        Ok(leg)
    }

    /// The switch rings the picker instead of everyone else: the driver's
    /// target at the index of [`may_pick_up`](Self::may_pick_up)'s leg.
    pub fn ring_picker(&mut self, now: u64) -> Result<LegId, Refused> {
        let leg = self.may_pick_up()?;
        self.cancel_pending(None);
        let target = self.callees.len();
        self.callees.push(Callee::Inviting);
        self.ringing_since = now;
        // Early media of a cancelled phone is over; the picker's may follow.
        self.early_media_from = None;
        self.outputs.push_back(Action::Dial {
            leg,
            target,
            sdp: self.offer.clone(),
        });
        Ok(leg)
    }
}
