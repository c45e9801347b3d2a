//! Call pickup of a service call (MISSION G7): while an agent's phone rings
//! with a queue's offer (or a transfer), another phone takes the call.
//! The ringing phones are cancelled; the picker either sent an INVITE of
//! its own (a feature code), which the driver answers and which becomes
//! the agent leg at once, or the switch rings the picker's phones (the API).

use crate::event::LegId;
use crate::service::{Agent, Phase, Refused, ServiceAction, ServiceCall};

impl ServiceCall {
    /// The leg a picker's own INVITE gets, if the call may be picked up now.
    pub fn may_pick_up(&self) -> Result<LegId, Refused> {
        if self.phase == Phase::Ended {
            return Err(Refused("pickup: the call has ended"));
        }
        match self.agent {
            Agent::Bridged { .. } => Err(Refused("pickup: the call is already answered")),
            Agent::None => Err(Refused("pickup: no phone is ringing for the call")),
            Agent::Dialling { .. } if self.next_leg > Self::MAX_AGENT_LEG => {
                Err(Refused("pickup: the call has used up its legs"))
            }
            Agent::Dialling { .. } => Ok(LegId::B(self.next_leg)),
        }
    }

    /// The picker's INVITE, answered by the driver, is now the agent leg.
    pub fn picked_up(&mut self) -> Result<LegId, Refused> {
        let leg = self.may_pick_up()?;
        self.next_leg += 1;
        self.cancel_dial();
        self.agent = Agent::Bridged { leg };
        self.last_agent = Some(leg);
        self.agent_left = false;
        self.outputs.push_back(ServiceAction::Bridge { leg });
        Ok(leg)
    }

    /// The switch rings the picker's `contacts` instead of the phones now
    /// ringing; the first of them to answer is bridged as usual.
    pub fn ring_picker(&mut self, contacts: usize) -> Result<(), Refused> {
        self.may_pick_up()?;
        let free = usize::from((Self::MAX_AGENT_LEG + 1).saturating_sub(self.next_leg));
        if contacts == 0 {
            return Err(Refused("pickup: the picker has no registered phone"));
        }
        if contacts > free {
            return Err(Refused("pickup: the call has used up its legs"));
        }
        self.cancel_dial();
        if self.dial(contacts) {
            Ok(())
        } else {
            Err(Refused("pickup: the picker's phone cannot be rung"))
        }
    }
}
