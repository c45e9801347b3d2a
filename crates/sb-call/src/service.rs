//! A call the switch answers itself (MISSION I1, A1-A9): the caller talks
//! to the IVR first, waits in a queue, and is then bridged to the agent
//! the ACD chose — one agent after another until one answers.
//!
//! Unlike [`crate::B2bua`], the caller's dialog never depends on an agent's:
//! it was answered by the switch with its own media, so an agent that does
//! not answer, or hangs up first, leaves the caller with the application
//! (the next agent, the survey, a voicemail box). Re-INVITEs are answered
//! by the switch on each leg for the same reason: media is anchored and
//! transcoded there, so a phone's hold or session refresh concerns only its
//! own leg.

use std::collections::VecDeque;

mod control;
mod pickup;

pub use control::{Refused, SidePurpose};

use crate::event::{LegEvent, LegId};
use crate::status::Status;
use crate::summary::{CallSummary, Disposition, HangupSide};

/// What the driver must do for a service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAction {
    /// Answer the caller with the switch's own SDP.
    AnswerCaller,
    /// INVITE contact `target` of the agent being dialled, as `leg`.
    Dial { leg: LegId, target: usize },
    /// CANCEL an agent leg that has not answered.
    Cancel { leg: LegId },
    /// BYE on an answered leg.
    Hangup { leg: LegId },
    /// Answer a re-INVITE `leg` sent with the switch's own SDP for that leg.
    AnswerReInvite { leg: LegId, status: u16 },
    /// The agent on `leg` answered: bridge the caller to it.
    Bridge { leg: LegId },
    /// No contact of the agent answered (`status` is the best failure).
    DialFailed { status: u16 },
    /// The bridged agent hung up first: the caller is back with the
    /// application.
    AgentLeft { leg: LegId },
    /// INVITE the party an agent consults or a supervisor intercepts
    /// with, as `leg`, on media of its own.
    DialSide { leg: LegId },
    /// The consulted party answered: the agent talks with it while the
    /// caller holds.
    ConsultAnswered { leg: LegId },
    /// The consulted or intercepting party did not answer (`status`).
    SideFailed {
        leg: LegId,
        purpose: SidePurpose,
        status: u16,
    },
    /// The consulted party hung up: the agent (and the caller, if it was a
    /// conference) are back together.
    SideLeft { leg: LegId },
    /// The caller's other party is now `to` (a completed consultation, an
    /// intercept, the agent leaving a conference); `from` is gone.
    Handover { from: LegId, to: LegId },
    /// The call is over.
    Ended(CallSummary),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Serving,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contact {
    Inviting,
    Failed(u16),
    Cancelled,
}

/// The agent being dialled or talked to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Agent {
    None,
    Dialling { contacts: Vec<(LegId, Contact)> },
    Bridged { leg: LegId },
}

#[derive(Debug)]
pub struct ServiceCall {
    phase: Phase,
    started_at: u64,
    answered_at: u64,
    agent: Agent,
    /// The last agent leg that answered, for the CDR.
    last_agent: Option<LegId>,
    /// The bridged agent hung up and no other took over: a later hang-up
    /// by the application is the agent's doing for the CDR.
    agent_left: bool,
    next_leg: u16,
    /// A consultation or an intercept beside the bridged agent.
    side: Option<control::SideLeg>,
    outputs: VecDeque<ServiceAction>,
}

impl ServiceCall {
    /// Legs from here up are free for the driver's own extra parties.
    pub const MAX_AGENT_LEG: u16 = 99;

    pub fn start(now: u64) -> ServiceCall {
        ServiceCall {
            phase: Phase::Serving,
            started_at: now,
            answered_at: now,
            agent: Agent::None,
            last_agent: None,
            agent_left: false,
            next_leg: 1,
            side: None,
            outputs: VecDeque::from([ServiceAction::AnswerCaller]),
        }
    }

    pub fn poll_output(&mut self) -> Option<ServiceAction> {
        self.outputs.pop_front()
    }

    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Whether an agent is being dialled.
    pub fn is_dialling(&self) -> bool {
        matches!(self.agent, Agent::Dialling { .. })
    }

    /// The agent leg bridged to the caller, if any.
    pub fn bridged(&self) -> Option<LegId> {
        match self.agent {
            Agent::Bridged { leg } => Some(leg),
            _ => None,
        }
    }

    /// Rings every contact of an agent at once. Refused (false) while
    /// another agent is dialled or bridged, after the call ended, when
    /// there is no contact, or when the call has used up its agent legs.
    pub fn dial(&mut self, contacts: usize) -> bool {
        let free = usize::from((Self::MAX_AGENT_LEG + 1).saturating_sub(self.next_leg));
        if self.phase != Phase::Serving
            || self.agent != Agent::None
            || contacts == 0
            || contacts > free
        {
            return false;
        }
        let mut legs = Vec::with_capacity(contacts);
        for target in 0..contacts {
            let leg = LegId::B(self.next_leg);
            self.next_leg += 1;
            legs.push((leg, Contact::Inviting));
            self.outputs.push_back(ServiceAction::Dial { leg, target });
        }
        self.agent = Agent::Dialling { contacts: legs };
        true
    }

    /// Rings more phones while an agent is being dialled (a ring-all
    /// queue offers one call to several agents): the first answer among
    /// all of them wins. Returns the new legs; none when nothing is being
    /// dialled, there is no contact, or the legs are used up.
    pub fn dial_more(&mut self, contacts: usize) -> Vec<LegId> {
        let free = usize::from((Self::MAX_AGENT_LEG + 1).saturating_sub(self.next_leg));
        let Agent::Dialling { contacts: ringing } = &mut self.agent else {
            return Vec::new();
        };
        if self.phase != Phase::Serving || contacts == 0 || contacts > free {
            return Vec::new();
        }
        let mut legs = Vec::with_capacity(contacts);
        for target in 0..contacts {
            let leg = LegId::B(self.next_leg);
            self.next_leg += 1;
            ringing.push((leg, Contact::Inviting));
            legs.push(leg);
            self.outputs.push_back(ServiceAction::Dial { leg, target });
        }
        legs
    }

    /// The legs still ringing.
    pub fn ringing_legs(&self) -> Vec<LegId> {
        match &self.agent {
            Agent::Dialling { contacts } => contacts
                .iter()
                .filter(|(_, c)| *c == Contact::Inviting)
                .map(|(leg, _)| *leg)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Stops ringing some legs (one agent of a ring-all offer); when none
    /// rings any more the dial ends, without a report.
    pub fn cancel_legs(&mut self, legs: &[LegId]) {
        let Agent::Dialling { contacts } = &mut self.agent else {
            return;
        };
        for (leg, contact) in contacts.iter_mut() {
            if *contact == Contact::Inviting && legs.contains(leg) {
                *contact = Contact::Cancelled;
                self.outputs.push_back(ServiceAction::Cancel { leg: *leg });
            }
        }
        if !contacts.iter().any(|(_, c)| *c == Contact::Inviting) {
            self.agent = Agent::None;
        }
    }

    /// Stops ringing the agent (the ACD's ring timeout, the caller moved
    /// on). Reports nothing back: the application asked for it.
    pub fn cancel_dial(&mut self) {
        if let Agent::Dialling { contacts } = &mut self.agent {
            for (leg, contact) in contacts.iter_mut() {
                if *contact == Contact::Inviting {
                    *contact = Contact::Cancelled;
                    self.outputs.push_back(ServiceAction::Cancel { leg: *leg });
                }
            }
            self.agent = Agent::None;
        }
    }

    /// Drops the bridged agent (the caller goes on with the application,
    /// e.g. a transfer).
    pub fn release_agent(&mut self) {
        if let Agent::Bridged { leg } = self.agent {
            self.outputs.push_back(ServiceAction::Hangup { leg });
            self.agent = Agent::None;
        }
    }

    /// The application ends the call (the flow hung up, shutdown).
    pub fn hang_up(&mut self, now: u64, cause: &str) {
        if self.phase == Phase::Ended {
            return;
        }
        self.cancel_dial();
        self.drop_side();
        self.release_agent();
        self.outputs
            .push_back(ServiceAction::Hangup { leg: LegId::A });
        let side = if self.agent_left {
            HangupSide::Callee
        } else {
            HangupSide::System
        };
        self.end(now, side, cause.to_owned());
    }

    pub fn handle_leg(&mut self, now: u64, leg: LegId, event: LegEvent) {
        if self.phase == Phase::Ended {
            // An agent answering as the call ends must still be released.
            if matches!(event, LegEvent::Answered { .. }) && leg != LegId::A {
                self.outputs.push_back(ServiceAction::Hangup { leg });
            }
            return;
        }
        if self.is_side(leg) {
            self.side_event(leg, event);
            return;
        }
        match (leg, event) {
            (LegId::A, LegEvent::HungUp | LegEvent::Cancelled) => {
                self.cancel_dial();
                self.drop_side();
                self.release_agent();
                self.end(now, HangupSide::Caller, "BYE".into());
            }
            (_, LegEvent::ReInvite { .. }) => {
                self.outputs.push_back(ServiceAction::AnswerReInvite {
                    leg,
                    status: Status::OK,
                });
            }
            (LegId::B(_), LegEvent::HungUp)
                if self.bridged() == Some(leg) && self.side.is_some() =>
            {
                self.agent_left_beside_side(leg);
            }
            (LegId::B(_), LegEvent::Answered { .. }) => self.agent_answered(leg),
            (LegId::B(_), LegEvent::Failed { status, .. }) => self.contact_failed(leg, status),
            (LegId::B(_), LegEvent::HungUp) if self.bridged() == Some(leg) => {
                self.agent = Agent::None;
                self.agent_left = true;
                self.outputs.push_back(ServiceAction::AgentLeft { leg });
            }
            _ => {}
        }
    }

    fn agent_answered(&mut self, leg: LegId) {
        let Agent::Dialling { contacts } = &mut self.agent else {
            // A late answer from a cancelled contact or a previous agent.
            self.outputs.push_back(ServiceAction::Hangup { leg });
            return;
        };
        if !contacts
            .iter()
            .any(|(l, c)| *l == leg && *c == Contact::Inviting)
        {
            self.outputs.push_back(ServiceAction::Hangup { leg });
            return;
        }
        for (other, contact) in contacts.iter_mut() {
            if *other != leg && *contact == Contact::Inviting {
                *contact = Contact::Cancelled;
                self.outputs
                    .push_back(ServiceAction::Cancel { leg: *other });
            }
        }
        self.agent = Agent::Bridged { leg };
        self.last_agent = Some(leg);
        self.agent_left = false;
        self.outputs.push_back(ServiceAction::Bridge { leg });
    }

    fn contact_failed(&mut self, leg: LegId, status: u16) {
        let Agent::Dialling { contacts } = &mut self.agent else {
            return;
        };
        let Some(entry) = contacts
            .iter_mut()
            .find(|(l, c)| *l == leg && *c == Contact::Inviting)
        else {
            return;
        };
        entry.1 = Contact::Failed(status);
        if contacts.iter().any(|(_, c)| *c == Contact::Inviting) {
            return;
        }
        let statuses: Vec<u16> = contacts
            .iter()
            .filter_map(|(_, c)| match c {
                Contact::Failed(s) => Some(*s),
                _ => None,
            })
            .collect();
        let status = if statuses.contains(&Status::BUSY_HERE) {
            Status::BUSY_HERE
        } else {
            statuses
                .into_iter()
                .min()
                .unwrap_or(Status::TEMPORARILY_UNAVAILABLE)
        };
        self.agent = Agent::None;
        self.outputs.push_back(ServiceAction::DialFailed { status });
    }

    fn end(&mut self, now: u64, side: HangupSide, cause: String) {
        self.phase = Phase::Ended;
        self.outputs.push_back(ServiceAction::Ended(CallSummary {
            started_at: self.started_at,
            answered_at: Some(self.answered_at),
            ended_at: now.max(self.started_at),
            disposition: Disposition::Answered,
            cause,
            side,
            answered_leg: self.last_agent,
        }));
    }
}
