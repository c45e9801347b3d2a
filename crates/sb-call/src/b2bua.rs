//! The B2BUA core (RFC 3261 §6 "back-to-back user agent", RFC 7092 for the
//! taxonomy): the caller's server transaction is answered only with what the
//! callee legs report, so the two dialogs stay independent and media stays
//! anchored at the switch.

use std::collections::VecDeque;

mod later;
mod pickup;
mod side;

use crate::action::Action;
use crate::event::{LegEvent, LegId};
use crate::service::Refused;
use crate::status::Status;
use crate::summary::{CallSummary, Disposition, HangupSide};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// How long callee legs may ring before the caller gets 480 (the "no
    /// answer" timer; MISSION T3).
    pub ring_timeout_ms: u64,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            ring_timeout_ms: 30_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPhase {
    Dialling,
    Answered,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callee {
    /// Dialled later, at this time on the driver's clock (`later.rs`).
    Waiting {
        at: u64,
    },
    Inviting,
    Failed(u16),
    Cancelled,
    Answered,
}

#[derive(Debug)]
pub struct B2bua {
    phase: CallPhase,
    timers: Timers,
    started_at: u64,
    /// When the callee legs now ringing started (a pickup rings afresh).
    ringing_since: u64,
    /// How much later than the start the last target is dialled; the ring
    /// timeout counts from there (`later.rs`).
    ring_extension_ms: u64,
    answered_at: Option<u64>,
    offer: Option<Vec<u8>>,
    callees: Vec<Callee>,
    winner: Option<LegId>,
    rang: bool,
    early_media_from: Option<LegId>,
    /// The leg whose re-INVITE is waiting for the other side's answer.
    reinvite_from: Option<LegId>,
    /// A blind transfer's leg ringing, and since when (G5).
    transfer: Option<(LegId, u64)>,
    /// A consultation or intercept beside the answered callee.
    side: Option<side::Side>,
    /// The callee took over from a side leg and has media of its own:
    /// re-INVITEs are answered locally instead of relayed.
    local: bool,
    outputs: VecDeque<Action>,
}

impl B2bua {
    /// A call whose caller offered `offer` and whose callee has `targets`
    /// reachable contacts, all rung at once (parallel forking, RFC 3261 §16.7).
    pub fn start(now: u64, offer: Option<Vec<u8>>, targets: usize, timers: Timers) -> B2bua {
        let mut call = B2bua {
            phase: CallPhase::Dialling,
            timers,
            started_at: now,
            ringing_since: now,
            ring_extension_ms: 0,
            answered_at: None,
            offer,
            callees: vec![Callee::Inviting; targets.min(usize::from(u16::MAX))],
            winner: None,
            rang: false,
            early_media_from: None,
            reinvite_from: None,
            transfer: None,
            side: None,
            local: false,
            outputs: VecDeque::new(),
        };
        if call.callees.is_empty() {
            call.reject(
                now,
                Status::TEMPORARILY_UNAVAILABLE,
                Disposition::Failed,
                HangupSide::System,
                "no reachable contact",
            );
            return call;
        }
        for target in 0..call.callees.len() {
            call.outputs.push_back(Action::Dial {
                leg: leg_of(target),
                target,
                sdp: call.offer.clone(),
            });
        }
        call
    }

    pub fn phase(&self) -> CallPhase {
        self.phase
    }

    pub fn poll_output(&mut self) -> Option<Action> {
        self.outputs.pop_front()
    }

    /// When `handle_timeout` must next be called, on the driver's clock.
    pub fn poll_timeout(&self) -> Option<u64> {
        match self.phase {
            CallPhase::Dialling => Some(self.dialling_timeout()),
            CallPhase::Answered => [self.transfer.map(|(_, since)| since), self.side_since()]
                .into_iter()
                .flatten()
                .min()
                .map(|since| since + self.timers.ring_timeout_ms),
            CallPhase::Ended => None,
        }
    }

    pub fn handle_timeout(&mut self, now: u64) {
        let deadline = if self.phase == CallPhase::Dialling {
            self.dial_waiting(now, false);
            Some(self.ring_deadline())
        } else {
            self.poll_timeout()
        };
        let Some(deadline) = deadline else {
            return;
        };
        if now < deadline {
            return;
        }
        if self.side_since().is_some() {
            self.side_timed_out();
            return;
        }
        if let Some((leg, _)) = self.transfer.take() {
            self.outputs.push_back(Action::Cancel { leg });
            self.transfer_failed(now);
            return;
        }
        self.cancel_pending(None);
        self.reject(
            now,
            Status::TEMPORARILY_UNAVAILABLE,
            Disposition::NoAnswer,
            HangupSide::System,
            "ring timeout",
        );
    }

    /// The switch itself ends the call (shutdown deadline, supervisor force
    /// hang-up): BYE or CANCEL everything still up.
    pub fn terminate(&mut self, now: u64, cause: &str) {
        match self.phase {
            CallPhase::Ended => {}
            CallPhase::Dialling => {
                self.cancel_pending(None);
                self.reject(
                    now,
                    Status::SERVICE_UNAVAILABLE,
                    Disposition::Failed,
                    HangupSide::System,
                    cause,
                );
            }
            CallPhase::Answered => {
                self.outputs.push_back(Action::Hangup { leg: LegId::A });
                if let Some(winner) = self.winner {
                    self.outputs.push_back(Action::Hangup { leg: winner });
                }
                if let Some((leg, _)) = self.transfer.take() {
                    self.outputs.push_back(Action::Cancel { leg });
                }
                self.drop_side();
                self.end(
                    now,
                    Disposition::Answered,
                    HangupSide::System,
                    cause.to_owned(),
                );
            }
        }
    }

    pub fn handle_leg(&mut self, now: u64, leg: LegId, event: LegEvent) {
        match leg {
            LegId::A => self.handle_caller(now, event),
            LegId::B(_) => self.handle_callee(now, leg, event),
        }
    }

    fn handle_caller(&mut self, now: u64, event: LegEvent) {
        match (self.phase, event) {
            (CallPhase::Dialling, LegEvent::Cancelled) => {
                self.cancel_pending(None);
                self.reject(
                    now,
                    Status::REQUEST_TERMINATED,
                    Disposition::Cancelled,
                    HangupSide::Caller,
                    "CANCEL",
                );
            }
            (CallPhase::Answered, LegEvent::HungUp) => {
                if let Some(winner) = self.winner {
                    self.outputs.push_back(Action::Hangup { leg: winner });
                }
                if let Some((leg, _)) = self.transfer.take() {
                    self.outputs.push_back(Action::Cancel { leg });
                }
                self.drop_side();
                self.end(now, Disposition::Answered, HangupSide::Caller, "BYE".into());
            }
            (CallPhase::Answered, LegEvent::ReInvite { sdp }) => self.relay_reinvite(LegId::A, sdp),
            (CallPhase::Answered, LegEvent::ReInviteAnswered { status, sdp }) => {
                self.relay_reinvite_answer(LegId::A, status, sdp)
            }
            (CallPhase::Dialling, LegEvent::ReInvite { .. }) => {
                self.outputs.push_back(Action::AnswerReInvite {
                    leg: LegId::A,
                    status: Status::REQUEST_PENDING,
                    sdp: None,
                });
            }
            _ => {}
        }
    }

    fn handle_callee(&mut self, now: u64, leg: LegId, event: LegEvent) {
        let Some(index) = index_of(leg).filter(|i| *i < self.callees.len()) else {
            return;
        };
        if self.transfer.is_some_and(|(t, _)| t == leg) {
            self.transfer_event(now, leg, index, event);
            return;
        }
        if self.is_side(leg) {
            self.side_event(leg, event);
            return;
        }
        if Some(leg) == self.winner && self.side.is_some() && event == LegEvent::HungUp {
            if self.callee_left_beside_side(leg) {
                return;
            }
            self.drop_side();
        }
        match event {
            LegEvent::Progress { status, sdp } => self.callee_progress(leg, index, status, sdp),
            LegEvent::Answered { sdp } => self.callee_answered(now, leg, index, sdp),
            LegEvent::Failed { status, .. } if self.callees[index] == Callee::Inviting => {
                self.callees[index] = Callee::Failed(status);
                self.settle_if_all_failed(now);
            }
            LegEvent::HungUp if Some(leg) == self.winner && self.phase == CallPhase::Answered => {
                self.outputs.push_back(Action::Hangup { leg: LegId::A });
                self.end(now, Disposition::Answered, HangupSide::Callee, "BYE".into());
            }
            LegEvent::ReInvite { sdp } if Some(leg) == self.winner => self.relay_reinvite(leg, sdp),
            LegEvent::ReInviteAnswered { status, sdp } if Some(leg) == self.winner => {
                self.relay_reinvite_answer(leg, status, sdp)
            }
            _ => {}
        }
    }

    /// Blind transfer (MISSION G5): the answered callee is hung up and the
    /// caller, whose media the switch anchors, waits while the driver's
    /// next target (`target` = the index it was given) rings; on answer
    /// that leg is bridged without a word to the caller's dialog. Nobody
    /// answering within the ring timeout ends the call.
    pub fn transfer(&mut self, now: u64) -> Result<LegId, Refused> {
        self.may_transfer()?;
        if let Some(winner) = self.winner.take() {
            self.outputs.push_back(Action::Hangup { leg: winner });
        }
        self.callees.push(Callee::Inviting);
        let target = self.callees.len() - 1;
        let leg = leg_of(target);
        self.transfer = Some((leg, now));
        self.outputs.push_back(Action::Dial {
            leg,
            target,
            sdp: self.offer.clone(),
        });
        Ok(leg)
    }

    /// Whether a blind transfer is allowed now; the next target's index
    /// (the driver appends the target there) if so.
    pub fn may_transfer(&self) -> Result<usize, Refused> {
        match self.phase {
            CallPhase::Dialling => Err(Refused("transfer: the call is not answered yet")),
            CallPhase::Ended => Err(Refused("transfer: the call has ended")),
            CallPhase::Answered if self.transfer.is_some() => {
                Err(Refused("transfer: a transfer is already ringing"))
            }
            CallPhase::Answered if self.reinvite_from.is_some() => {
                Err(Refused("transfer: a re-INVITE is in progress"))
            }
            CallPhase::Answered if self.side.is_some() => {
                Err(Refused("transfer: a consultation is in progress"))
            }

            CallPhase::Answered if self.callees.len() >= usize::from(u16::MAX) => {
                Err(Refused("transfer: the call has used up its legs"))
            }
            CallPhase::Answered => Ok(self.callees.len()),
        }
    }

    fn transfer_event(&mut self, now: u64, leg: LegId, index: usize, event: LegEvent) {
        match event {
            LegEvent::Answered { .. } => {
                self.transfer = None;
                self.callees[index] = Callee::Answered;
                self.winner = Some(leg);
                // Dialled with the callee side's media: offers relay again.
                self.local = false;
                self.outputs.push_back(Action::Bridge { leg });
            }
            LegEvent::Failed { status, .. } => {
                self.transfer = None;
                self.callees[index] = Callee::Failed(status);
                self.transfer_failed(now);
            }
            _ => {}
        }
    }

    fn transfer_failed(&mut self, now: u64) {
        self.outputs.push_back(Action::Hangup { leg: LegId::A });
        self.end(
            now,
            Disposition::Answered,
            HangupSide::System,
            "transfer not answered".into(),
        );
    }

    fn callee_progress(&mut self, leg: LegId, index: usize, status: u16, sdp: Option<Vec<u8>>) {
        if self.phase != CallPhase::Dialling || self.callees[index] != Callee::Inviting {
            return;
        }
        if sdp.is_some() && self.early_media_from.is_none() {
            self.early_media_from = Some(leg);
            self.rang = true;
            self.outputs.push_back(Action::Bridge { leg });
            self.outputs.push_back(Action::Ring {
                status: Status::SESSION_PROGRESS,
                sdp,
            });
        } else if !self.rang && status == Status::RINGING {
            self.rang = true;
            self.outputs.push_back(Action::Ring {
                status: Status::RINGING,
                sdp: None,
            });
        }
    }

    fn callee_answered(&mut self, now: u64, leg: LegId, index: usize, sdp: Option<Vec<u8>>) {
        if self.phase != CallPhase::Dialling || self.callees[index] != Callee::Inviting {
            // A second fork answered after the first, or the callee answered
            // as a CANCEL (the caller's, or a pickup's) crossed it: that
            // dialog must be closed.
            if Some(leg) != self.winner {
                self.outputs.push_back(Action::Hangup { leg });
            }
            return;
        }
        self.callees[index] = Callee::Answered;
        self.winner = Some(leg);
        self.answered_at = Some(now);
        self.phase = CallPhase::Answered;
        self.cancel_pending(Some(leg));
        if self.early_media_from != Some(leg) {
            self.outputs.push_back(Action::Bridge { leg });
        }
        self.outputs.push_back(Action::Answer { sdp });
    }

    fn relay_reinvite(&mut self, from: LegId, sdp: Option<Vec<u8>>) {
        if self.local || self.side.is_some() {
            // Both sides have media of their own at the switch (or a
            // consultation is up): each offer is answered by the switch.
            self.outputs.push_back(Action::AnswerLocally { leg: from });
            return;
        }
        let Some(to) = self.other_side(from) else {
            return;
        };
        if self.reinvite_from.is_some() {
            // RFC 3261 §14.2: an offer while ours is pending gets 491.
            self.outputs.push_back(Action::AnswerReInvite {
                leg: from,
                status: Status::REQUEST_PENDING,
                sdp: None,
            });
            return;
        }
        self.reinvite_from = Some(from);
        self.outputs.push_back(Action::ReInvite { leg: to, sdp });
    }

    fn relay_reinvite_answer(&mut self, answered_by: LegId, status: u16, sdp: Option<Vec<u8>>) {
        let Some(asker) = self.reinvite_from else {
            return;
        };
        if Some(asker) != self.other_side(answered_by) {
            return;
        }
        self.reinvite_from = None;
        self.outputs.push_back(Action::AnswerReInvite {
            leg: asker,
            status,
            sdp,
        });
    }

    fn other_side(&self, leg: LegId) -> Option<LegId> {
        match leg {
            LegId::A => self.winner,
            LegId::B(_) if Some(leg) == self.winner => Some(LegId::A),
            LegId::B(_) => None,
        }
    }

    fn cancel_pending(&mut self, except: Option<LegId>) {
        for (index, callee) in self.callees.iter_mut().enumerate() {
            let leg = leg_of(index);
            if *callee == Callee::Inviting && Some(leg) != except {
                *callee = Callee::Cancelled;
                self.outputs.push_back(Action::Cancel { leg });
            } else if let Callee::Waiting { .. } = callee {
                // Never dialled: nothing to cancel on the wire.
                *callee = Callee::Cancelled;
            }
        }
    }

    fn settle_if_all_failed(&mut self, now: u64) {
        if self.phase != CallPhase::Dialling || self.callees.contains(&Callee::Inviting) {
            return;
        }
        if self.dial_waiting(now, true) {
            return;
        }
        let statuses: Vec<u16> = self
            .callees
            .iter()
            .filter_map(|c| match c {
                Callee::Failed(status) => Some(*status),
                _ => None,
            })
            .collect();
        let status = best_failure(&statuses);
        let disposition = match status {
            Status::BUSY_HERE | Status::BUSY_EVERYWHERE => Disposition::Busy,
            Status::REQUEST_TIMEOUT | Status::TEMPORARILY_UNAVAILABLE => Disposition::NoAnswer,
            500.. => Disposition::Failed,
            _ => Disposition::Rejected,
        };
        let reason = Status::reason(status);
        self.reject(now, status, disposition, HangupSide::Callee, reason);
    }

    fn reject(
        &mut self,
        now: u64,
        status: u16,
        disposition: Disposition,
        side: HangupSide,
        cause: &str,
    ) {
        self.outputs.push_back(Action::Reject {
            status,
            reason: Status::reason(status),
        });
        let cause = if cause.starts_with(|c: char| c.is_ascii_digit()) || cause.is_empty() {
            format!("{status} {}", Status::reason(status))
        } else if cause == Status::reason(status) {
            format!("{status} {cause}")
        } else {
            cause.to_owned()
        };
        self.end(now, disposition, side, cause);
    }

    fn end(&mut self, now: u64, disposition: Disposition, side: HangupSide, cause: String) {
        self.phase = CallPhase::Ended;
        self.outputs.push_back(Action::Ended(CallSummary {
            started_at: self.started_at,
            answered_at: self.answered_at,
            ended_at: now.max(self.started_at),
            disposition,
            cause,
            side,
            answered_leg: self.winner,
        }));
    }
}

fn leg_of(index: usize) -> LegId {
    // `start` caps the number of callees at u16::MAX.
    LegId::B(u16::try_from(index + 1).unwrap_or(u16::MAX))
}

fn index_of(leg: LegId) -> Option<usize> {
    match leg {
        LegId::A | LegId::B(0) => None,
        LegId::B(n) => Some(usize::from(n) - 1),
    }
}

/// The response a forking B2BUA passes back when every branch failed
/// (after RFC 3261 §16.7 step 6): a global 6xx wins, then busy, then the
/// lowest-class failure, so "busy on one phone, off on the other" says busy.
fn best_failure(statuses: &[u16]) -> u16 {
    if let Some(global) = statuses.iter().find(|s| (600..700).contains(*s)) {
        return *global;
    }
    if statuses.contains(&Status::BUSY_HERE) {
        return Status::BUSY_HERE;
    }
    statuses
        .iter()
        .copied()
        .filter(|s| *s != Status::REQUEST_TERMINATED)
        .min()
        .unwrap_or(Status::TEMPORARILY_UNAVAILABLE)
}
