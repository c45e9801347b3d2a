//! What an agent or a supervisor does to a service call once an agent
//! talks with the caller (MISSION G5, G6, S5): blind transfer, a
//! consultation beside the call (then completed, cancelled or made a
//! three-way conference) and a supervisor's intercept.
//!
//! The consulted or intercepting party is the call's one *side leg*: it is
//! dialled from the agent leg numbers (the driver gives it media of its
//! own), and when it takes over from the agent it simply becomes the
//! bridged agent leg, so the caller's dialog, the call's id and its CDR
//! never change. Every command illegal in the call's state is refused with
//! the reason the API shows ("consult/complete: no consultation in
//! progress").

use crate::event::{LegEvent, LegId};
use crate::service::{Agent, Phase, ServiceAction, ServiceCall};

/// Why a command was refused; the text names the command and the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub &'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Refused {}

/// Why a side leg was dialled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidePurpose {
    /// The agent talks with another party while the caller holds.
    Consult,
    /// A supervisor's phone rings; on answer it replaces the agent.
    Intercept,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SidePhase {
    Ringing,
    /// The agent talks with the consulted party; the caller holds.
    Talking,
    /// Caller, agent and consulted party hear one another.
    Conference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SideLeg {
    leg: LegId,
    purpose: SidePurpose,
    phase: SidePhase,
}

impl ServiceCall {
    /// The side leg, why it was dialled and whether it answered.
    pub fn side(&self) -> Option<(LegId, SidePurpose, bool)> {
        self.side
            .map(|s| (s.leg, s.purpose, s.phase != SidePhase::Ringing))
    }

    /// Whether caller, agent and consulted party are in a conference.
    pub fn in_conference(&self) -> bool {
        self.side.is_some_and(|s| s.phase == SidePhase::Conference)
    }

    /// Drops the agent so that the driver can ring the transfer's target
    /// (a dial, a queue, a flow); returns the agent's leg.
    pub fn transfer_blind(&mut self) -> Result<LegId, Refused> {
        let leg = self.may_transfer()?;
        self.release_agent();
        Ok(leg)
    }

    /// Whether a blind transfer is allowed now (the driver checks before
    /// it resolves the target); the agent's leg if so.
    pub fn may_transfer(&self) -> Result<LegId, Refused> {
        let leg = self.talking_agent("transfer")?;
        if self.side.is_some() {
            return Err(Refused("transfer: a consultation is in progress"));
        }
        Ok(leg)
    }

    /// Whether a consultation (or an intercept) may start now.
    pub fn may_open_side(&self, purpose: SidePurpose) -> Result<(), Refused> {
        let command = match purpose {
            SidePurpose::Consult => "consult",
            SidePurpose::Intercept => "intercept",
        };
        self.talking_agent(command)?;
        if self.side.is_some() {
            return Err(Refused(match purpose {
                SidePurpose::Consult => "consult: a consultation is already in progress",
                SidePurpose::Intercept => "intercept: a consultation or intercept is in progress",
            }));
        }
        if self.next_leg > Self::MAX_AGENT_LEG {
            return Err(Refused(match purpose {
                SidePurpose::Consult => "consult: the call has used up its legs",
                SidePurpose::Intercept => "intercept: the call has used up its legs",
            }));
        }
        Ok(())
    }

    /// The side leg rang too long: it is cancelled and reported failed
    /// (408), as if it had answered so.
    pub fn side_timed_out(&mut self) {
        if let Some(side) = self.side
            && side.phase == SidePhase::Ringing
        {
            self.side = None;
            self.outputs
                .push_back(ServiceAction::Cancel { leg: side.leg });
            self.outputs.push_back(ServiceAction::SideFailed {
                leg: side.leg,
                purpose: side.purpose,
                status: crate::status::Status::REQUEST_TIMEOUT,
            });
        }
    }

    /// Rings the party the agent consults, beside the call.
    pub fn consult(&mut self) -> Result<LegId, Refused> {
        self.open_side(SidePurpose::Consult)
    }

    /// Rings a supervisor who takes the agent's place on answer.
    pub fn intercept(&mut self) -> Result<LegId, Refused> {
        self.open_side(SidePurpose::Intercept)
    }

    /// The consulted party takes the caller; the agent drops. Returns
    /// (the agent's leg, the consulted party's leg).
    pub fn complete_consult(&mut self) -> Result<(LegId, LegId), Refused> {
        let side = self.answered_consult("consult/complete")?;
        let Agent::Bridged { leg: agent } = self.agent else {
            return Err(Refused("consult/complete: no agent on the call"));
        };
        self.outputs.push_back(ServiceAction::Hangup { leg: agent });
        self.hand_over(agent, side.leg);
        Ok((agent, side.leg))
    }

    /// Drops the consulted party (or stops ringing it); the agent takes
    /// the caller back. Returns its leg.
    pub fn cancel_consult(&mut self) -> Result<LegId, Refused> {
        match self.side {
            Some(side) if side.purpose == SidePurpose::Consult => {
                self.drop_side();
                Ok(side.leg)
            }
            _ => Err(Refused("consult/cancel: no consultation in progress")),
        }
    }

    /// Caller, agent and consulted party talk together; either agent may
    /// leave and the others stay connected.
    pub fn conference_consult(&mut self) -> Result<LegId, Refused> {
        let side = self.answered_consult("consult/conference")?;
        if side.phase == SidePhase::Conference {
            return Err(Refused("consult/conference: already a conference"));
        }
        self.side = Some(SideLeg {
            phase: SidePhase::Conference,
            ..side
        });
        Ok(side.leg)
    }

    pub(super) fn is_side(&self, leg: LegId) -> bool {
        self.side.is_some_and(|s| s.leg == leg)
    }

    /// Cancels or hangs up the side leg, if any.
    pub(super) fn drop_side(&mut self) {
        if let Some(side) = self.side.take() {
            self.outputs.push_back(if side.phase == SidePhase::Ringing {
                ServiceAction::Cancel { leg: side.leg }
            } else {
                ServiceAction::Hangup { leg: side.leg }
            });
        }
    }

    pub(super) fn side_event(&mut self, leg: LegId, event: LegEvent) {
        let Some(side) = self.side else {
            return;
        };
        match (side.phase, event) {
            (SidePhase::Ringing, LegEvent::Answered { .. }) => match side.purpose {
                SidePurpose::Consult => {
                    self.side = Some(SideLeg {
                        phase: SidePhase::Talking,
                        ..side
                    });
                    self.outputs
                        .push_back(ServiceAction::ConsultAnswered { leg });
                }
                SidePurpose::Intercept => match self.agent {
                    Agent::Bridged { leg: agent } => {
                        self.outputs.push_back(ServiceAction::Hangup { leg: agent });
                        self.hand_over(agent, leg);
                    }
                    // No agent to take over from any more.
                    _ => {
                        self.side = None;
                        self.outputs.push_back(ServiceAction::Hangup { leg });
                    }
                },
            },
            (SidePhase::Ringing, LegEvent::Failed { status, .. }) => {
                self.side = None;
                self.outputs.push_back(ServiceAction::SideFailed {
                    leg,
                    purpose: side.purpose,
                    status,
                });
            }
            (SidePhase::Talking | SidePhase::Conference, LegEvent::HungUp) => {
                self.side = None;
                self.outputs.push_back(ServiceAction::SideLeft { leg });
            }
            _ => {}
        }
    }

    /// The agent hung up while a side leg was up: talking with the
    /// consulted party, hanging up completes the transfer (as on a desk
    /// phone); in a conference the consulted party stays with the caller;
    /// a consultation or intercept still ringing is dropped with the agent
    /// (the caller goes on as when any agent leaves).
    pub(super) fn agent_left_beside_side(&mut self, agent: LegId) {
        let Some(side) = self.side else {
            return;
        };
        match (side.purpose, side.phase) {
            (SidePurpose::Consult, SidePhase::Talking | SidePhase::Conference) => {
                self.hand_over(agent, side.leg);
            }
            _ => {
                self.drop_side();
                self.agent = Agent::None;
                self.agent_left = true;
                self.outputs
                    .push_back(ServiceAction::AgentLeft { leg: agent });
            }
        }
    }

    fn hand_over(&mut self, from: LegId, to: LegId) {
        self.side = None;
        self.agent = Agent::Bridged { leg: to };
        self.last_agent = Some(to);
        self.agent_left = false;
        self.outputs.push_back(ServiceAction::Handover { from, to });
    }

    fn talking_agent(&self, command: &'static str) -> Result<LegId, Refused> {
        if self.phase == Phase::Ended {
            return Err(Refused(ended(command)));
        }
        match self.agent {
            Agent::Bridged { leg } => Ok(leg),
            _ => Err(Refused(not_answered(command))),
        }
    }

    fn open_side(&mut self, purpose: SidePurpose) -> Result<LegId, Refused> {
        self.may_open_side(purpose)?;
        let leg = LegId::B(self.next_leg);
        self.next_leg += 1;
        self.side = Some(SideLeg {
            leg,
            purpose,
            phase: SidePhase::Ringing,
        });
        self.outputs.push_back(ServiceAction::DialSide { leg });
        Ok(leg)
    }

    fn answered_consult(&self, command: &'static str) -> Result<SideLeg, Refused> {
        match self.side {
            Some(side) if side.purpose == SidePurpose::Consult => {
                if side.phase == SidePhase::Ringing {
                    Err(Refused(match command {
                        "consult/complete" => {
                            "consult/complete: the consulted party has not answered yet"
                        }
                        _ => "consult/conference: the consulted party has not answered yet",
                    }))
                } else {
                    Ok(side)
                }
            }
            _ => Err(Refused(match command {
                "consult/complete" => "consult/complete: no consultation in progress",
                _ => "consult/conference: no consultation in progress",
            })),
        }
    }
}

fn ended(command: &'static str) -> &'static str {
    match command {
        "transfer" => "transfer: the call has ended",
        "consult" => "consult: the call has ended",
        _ => "intercept: the call has ended",
    }
}

fn not_answered(command: &'static str) -> &'static str {
    match command {
        "transfer" => "transfer: the call is not answered by an agent yet",
        "consult" => "consult: the call is not answered by an agent yet",
        _ => "intercept: the call is not answered by an agent yet",
    }
}
