//! The agent's and supervisor's commands on a service call (MISSION G5,
//! G6, S5, X4): hang-up, blind transfer, consultation and intercept. The
//! decisions (what is allowed, who takes the caller) are the sans-IO
//! core's ([`sb_call::ServiceCall`]); this file resolves targets, moves
//! media and tells the ACD and the desktops.
//!
//! A transfer whose target does not answer within the ring timeout does
//! not leave the caller stranded: a caller who came through a queue goes
//! back to the front of that queue (the next free agent takes them);
//! otherwise the transferring extension is rung back once ("transfer
//! recall"), and only if that is not answered either does the call end
//! with the cause "transfer not answered".
//! An agent reached by name must be ready, and is kept out of distribution
//! while the transfer rings and talks (`busy_agent`).

use sb_call::{LegId, SidePurpose};
use sb_core::cti::CtiEvent;
use sb_ivr::Input;
use sb_media::session::LegIndex;
use sb_sip::DialTarget;
use tracing::{info, warn};

use super::busy_agent::BusyAgent;
use super::{AgentLink, Run};
use crate::acd_task::CallReport;
use crate::call_media::{CALLEE, CALLER, HoldOrigin};
use crate::live_calls::{CallControl, ControlError, TransferTarget};
use crate::media::SessionCommand;
use crate::routing::{Service, extension_targets, route_out};
use crate::shared::unix_millis;

/// Priority of a caller whose transfer was not answered, back in the
/// queue: ahead of every caller who has not been served yet.
const RETURN_PRIORITY: u8 = 100;

/// Where a caller goes when a blind transfer is not answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fallback {
    /// Back to the front of the queue they came through.
    Queue(String),
    /// The transferring extension rings again.
    Recall(String),
}

/// The party an agent consults or a supervisor intercepts with.
pub(super) struct SideParty {
    pub leg: LegId,
    pub index: LegIndex,
    /// The switch's SDP for this leg, also its answer to re-INVITEs.
    pub offer: Vec<u8>,
    pub link: AgentLink,
    pub target: DialTarget,
    pub purpose: SidePurpose,
    pub permit: Option<crate::admission::TrunkPermit>,
    pub answer: Option<Vec<u8>>,
}

/// Where a resolved transfer goes.
enum Destination {
    Phones(
        AgentLink,
        Vec<DialTarget>,
        Option<crate::admission::TrunkPermit>,
    ),
    Queue(String),
    Flow(String),
}

fn refused(error: sb_call::Refused) -> ControlError {
    ControlError::NotNow(error.0)
}

impl Run {
    pub(super) async fn agent_control(&mut self, command: CallControl) -> Result<(), ControlError> {
        let now = unix_millis();
        match command {
            CallControl::Hangup { cause } => {
                info!(%cause, "call ended through the API");
                self.core.hang_up(now, &cause);
            }
            CallControl::Transfer { target } => self.blind_transfer(target).await?,
            CallControl::Consult { target } => {
                self.open_side(target, SidePurpose::Consult).await?;
            }
            CallControl::Intercept { extension } => {
                self.open_side(TransferTarget::Extension(extension), SidePurpose::Intercept)
                    .await?;
            }
            CallControl::CompleteConsult => {
                self.core.complete_consult().map_err(refused)?;
            }
            CallControl::CancelConsult => {
                self.core.cancel_consult().map_err(refused)?;
                if let Some(side) = self.side.take() {
                    info!(extension = %side.link.extension, "consultation cancelled");
                    self.side_deadline = None;
                    self.media.side_dropped(side.index);
                    self.shared
                        .call_event(self.live_id, |call| CtiEvent::CallRetrieved { call });
                }
            }
            CallControl::ConferenceConsult => {
                self.core.conference_consult().map_err(refused)?;
                if let Some(side) = &self.side {
                    info!(extension = %side.link.extension, "consultation made a conference");
                    self.media.side_to_conference(side.index);
                    let extension = side.link.extension.clone();
                    self.shared
                        .call_event(self.live_id, |call| CtiEvent::CallJoined {
                            call,
                            extension,
                            role: "conference".into(),
                        });
                }
            }
            _ => return Err(ControlError::NotNow("not an agent command")),
        }
        self.refresh_live_call();
        Ok(())
    }

    /// The commands that concern the agent leg while a consultation is up.
    pub(super) fn refuse_beside_side(&self, command: &CallControl) -> Option<ControlError> {
        self.core.side()?;
        let reason = match command {
            CallControl::Hold { .. } => "hold: a consultation is in progress",
            CallControl::Resume => "resume: a consultation is in progress",
            CallControl::AddParty { .. } => "add party: a consultation is in progress",
            _ => return None,
        };
        Some(ControlError::NotNow(reason))
    }

    async fn blind_transfer(&mut self, target: TransferTarget) -> Result<(), ControlError> {
        self.core.may_transfer().map_err(refused)?;
        let destination = self.resolve("transfer", &target).await?;
        self.core.transfer_blind().map_err(refused)?;
        let described = target.to_string();
        info!(target = %described, "blind transfer");
        // Published while the call still names the transferring agent, so
        // their desktop learns the call left them.
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallTransferred {
                call,
                kind: "blind".into(),
                target: described,
            });
        self.agent_handed_off();
        match destination {
            Destination::Phones(link, targets, permit) => {
                // The caller hears music while the target rings.
                self.media
                    .handle
                    .command(SessionCommand::HearMusic(CALLER, self.queued_music_class()));
                self.api_transfer = true;
                if !self.ring(link, targets) {
                    // Checked registered a moment ago; gone since.
                    self.transfer_unanswered().await;
                } else {
                    self.outbound_permit = permit;
                }
            }
            Destination::Queue(queue) => self.enter_queue(queue, 0, Default::default()).await,
            Destination::Flow(flow) => {
                self.media.handle.command(SessionCommand::Hear(
                    CALLER,
                    sb_media::session::Hearing::Nothing,
                ));
                if !self.continue_in_flow(&flow).await {
                    self.core
                        .hang_up(unix_millis(), "transfer flow unavailable");
                }
            }
        }
        Ok(())
    }

    /// The agent who had the caller is off the call: the ACD puts them in
    /// wrap-up, and the caller remembers their queue for a failed transfer.
    fn agent_handed_off(&mut self) {
        let Some(link) = self.connected.take() else {
            return;
        };
        if link.agent.is_some() {
            self.shared.acd.report(CallReport::Ended {
                call: self.call_ref,
            });
        }
        self.queued = None;
        self.transfer_fallback = Some(match link.queue {
            Some(queue) => Fallback::Queue(queue),
            None => Fallback::Recall(link.extension),
        });
        self.shared.live_calls.update(self.live_id, |c| {
            c.agent = None;
            c.agent_extension = None;
        });
    }

    fn queued_music_class(&self) -> String {
        self.served_by
            .as_ref()
            .and_then(|l| l.queue.as_deref())
            .and_then(|q| self.shared.acd.queue(q))
            .map_or_else(|| "default".to_owned(), |setup| setup.music_class)
    }

    /// A transfer's target did not answer (see the module's notes).
    pub(super) async fn transfer_unanswered(&mut self) {
        self.api_transfer = false;
        self.outbound_permit = None;
        match self.transfer_fallback.take() {
            Some(Fallback::Queue(queue)) => {
                info!(%queue, "transfer not answered: back to the queue");
                self.enter_queue(queue, RETURN_PRIORITY, Default::default())
                    .await;
            }
            Some(Fallback::Recall(extension)) => {
                info!(%extension, "transfer not answered: ringing the transferring extension back");
                let targets = extension_targets(&self.shared, &extension, &self.plan.caller, None);
                let link = AgentLink {
                    agent: None,
                    named: None,
                    busy: None,
                    extension,
                    queue: None,
                };
                // Not answered either: nothing is left to try.
                self.api_transfer = true;
                if targets.is_empty() || !self.ring(link, targets) {
                    self.api_transfer = false;
                    self.core.hang_up(unix_millis(), "transfer not answered");
                }
            }
            None => self.core.hang_up(unix_millis(), "transfer not answered"),
        }
    }

    /// A transfer or consultation target as phones to ring, a queue or a
    /// flow; refused when it cannot be reached now.
    async fn resolve(
        &self,
        command: &'static str,
        target: &TransferTarget,
    ) -> Result<Destination, ControlError> {
        let phones =
            |extension: &str, agent: Option<String>, busy: Option<std::sync::Arc<BusyAgent>>| {
                let targets = extension_targets(&self.shared, extension, &self.plan.caller, None);
                if targets.is_empty() {
                    return Err(ControlError::Refused(format!(
                        "{command}: extension {extension} is not registered"
                    )));
                }
                let link = AgentLink {
                    agent: None,
                    named: agent,
                    busy,
                    extension: extension.to_owned(),
                    queue: None,
                };
                Ok(Destination::Phones(link, targets, None))
            };
        match target {
            TransferTarget::Extension(extension) => phones(extension, None, None),
            TransferTarget::Agent(agent) => {
                let Some(extension) = self.shared.acd.extension_of(agent) else {
                    return Err(ControlError::Refused(format!(
                        "{command}: agent {agent} is not signed in"
                    )));
                };
                let busy = BusyAgent::take(&self.shared.acd, agent)
                    .await
                    .map_err(|reason| ControlError::Refused(format!("{command}: {reason}")))?;
                phones(&extension, Some(agent.clone()), Some(busy))
            }
            TransferTarget::Queue(queue) => {
                if self.shared.acd.queue(queue).is_none() {
                    return Err(ControlError::Refused(format!(
                        "{command}: no queue named {queue}"
                    )));
                }
                Ok(Destination::Queue(queue.clone()))
            }
            TransferTarget::Flow(flow) => {
                let loaded = crate::service_flow::load(
                    &self.shared.flows,
                    self.shared.directory.as_ref(),
                    &Service::Flow(flow.clone()),
                )
                .await;
                if loaded.is_err() {
                    return Err(ControlError::Refused(format!(
                        "{command}: no published voice flow named {flow}"
                    )));
                }
                Ok(Destination::Flow(flow.clone()))
            }
            TransferTarget::Number(number) => {
                if matches!(self.shared.directory.account(number).await, Ok(Some(a)) if a.enabled) {
                    return phones(number, None, None);
                }
                // The agent's own extension decides how far they may dial (T4).
                let class = match self.connected.as_ref() {
                    Some(link) => match self.shared.directory.account(&link.extension).await {
                        Ok(Some(account)) => account.call_class,
                        _ => sb_core::CallClass::Internal,
                    },
                    None => sb_core::CallClass::Internal,
                };
                let out = route_out(&self.shared, number, class, &self.plan.caller)
                    .await
                    .map_err(|(refusal, _)| {
                        ControlError::Refused(format!("{command}: {}", refusal.cause))
                    })?;
                let link = AgentLink {
                    agent: None,
                    named: None,
                    busy: None,
                    extension: out.number,
                    queue: None,
                };
                Ok(Destination::Phones(
                    link,
                    vec![out.target],
                    Some(out.permit),
                ))
            }
        }
    }

    async fn open_side(
        &mut self,
        target: TransferTarget,
        purpose: SidePurpose,
    ) -> Result<(), ControlError> {
        let command = match purpose {
            SidePurpose::Consult => "consult",
            SidePurpose::Intercept => "intercept",
        };
        self.core.may_open_side(purpose).map_err(refused)?;
        if self.media.in_conference() {
            return Err(ControlError::Refused(format!(
                "{command}: the call is a conference"
            )));
        }
        let Destination::Phones(link, targets, permit) = self.resolve(command, &target).await?
        else {
            return Err(ControlError::Refused(format!(
                "{command}: only an extension, an agent or a number can be consulted"
            )));
        };
        let Some(dial_target) = targets.into_iter().next() else {
            return Err(ControlError::Refused(format!("{command}: nothing to ring")));
        };
        if !self.media.room_for_party() {
            return Err(ControlError::Refused(format!(
                "{command}: the call has too many parties"
            )));
        }
        let Ok(pair) = self.shared.ports.bind_pair(self.shared.media_ip) else {
            return Err(ControlError::Refused(format!(
                "{command}: no RTP port is free"
            )));
        };
        let (index, offer) = self.media.add_party(pair);
        let leg = match purpose {
            SidePurpose::Consult => self.core.consult(),
            SidePurpose::Intercept => self.core.intercept(),
        }
        .map_err(refused)?;
        info!(extension = %link.extension, command, "ringing beside the call");
        if purpose == SidePurpose::Consult {
            // The caller hears music while the agent talks with the target.
            self.media.hold(CALLEE, None, HoldOrigin::Api);
            // The agent hears the target ring.
            self.media.handle.command(SessionCommand::Hear(
                self.media.agent_leg(),
                sb_media::session::Hearing::Tone(sb_media::tone::ToneGenerator::ringback()),
            ));
            self.shared
                .call_event(self.live_id, |call| CtiEvent::CallHeld {
                    call,
                    party: "caller".into(),
                });
        }
        self.side_deadline = Some(unix_millis() + self.shared.config.ring_timeout_ms);
        self.side = Some(SideParty {
            leg,
            index,
            offer,
            link,
            target: dial_target,
            purpose,
            permit,
            answer: None,
        });
        Ok(())
    }

    /// `ServiceAction::DialSide`.
    pub(super) fn dial_side(&mut self, leg: LegId) {
        let Some(side) = self.side.as_ref().filter(|s| s.leg == leg) else {
            return;
        };
        if let Err(error) = self.call.dial(leg, &side.target, Some(side.offer.clone())) {
            warn!(%error, "could not dial beside the call");
            let failed = sb_call::LegEvent::Failed {
                status: 503,
                reason: error.to_string(),
            };
            self.core.handle_leg(unix_millis(), leg, failed);
        }
    }

    /// `ServiceAction::ConsultAnswered`.
    pub(super) fn consult_answered(&mut self, leg: LegId) {
        let Some(side) = self.side.as_ref().filter(|s| s.leg == leg) else {
            return;
        };
        self.side_deadline = None;
        info!(extension = %side.link.extension, "consulted party answered");
        self.media.side_answered(side.index, side.answer.as_deref());
        let extension = side.link.extension.clone();
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallJoined {
                call,
                extension,
                role: "consult".into(),
            });
    }

    /// `ServiceAction::SideFailed` and `SideLeft`: the agent has the
    /// caller back.
    pub(super) fn side_gone(&mut self, leg: LegId, answered: bool) {
        let Some(side) = self.side.take_if(|s| s.leg == leg) else {
            return;
        };
        self.side_deadline = None;
        info!(extension = %side.link.extension, answered, "the party beside the call is gone");
        self.media.side_dropped(side.index);
        let extension = side.link.extension;
        if answered {
            self.shared
                .call_event(self.live_id, |call| CtiEvent::CallLeft { call, extension });
        }
        if side.purpose == SidePurpose::Consult {
            self.shared
                .call_event(self.live_id, |call| CtiEvent::CallRetrieved { call });
        }
        self.refresh_live_call();
    }

    /// `ServiceAction::Handover`: the consulted party or supervisor on
    /// `to` takes the caller; the agent is off the call.
    pub(super) fn handed_over(&mut self, to: LegId) {
        let Some(side) = self.side.take_if(|s| s.leg == to) else {
            return;
        };
        self.side_deadline = None;
        let now = unix_millis();
        if side.purpose == SidePurpose::Intercept {
            self.media.update_party(side.index, side.answer.as_deref());
        }
        self.media.hand_over(side.index);
        // The recording follows the new party: its agent channel is
        // another leg now, so the file is closed and a new one started.
        if self.media.recording.is_some()
            && let Some(root) = self.shared.config.recordings_dir.clone()
        {
            crate::call_task::stop_recording(&mut self.media, now);
            self.media
                .start_recording(&root, &self.call.caller_call_id(), now);
        }
        self.agent_handed_off();
        self.transfer_fallback = None;
        let kind = match side.purpose {
            SidePurpose::Consult => "consult",
            SidePurpose::Intercept => "intercept",
        };
        info!(extension = %side.link.extension, kind, "caller handed over");
        self.side_offers.insert(side.leg, side.offer);
        self.outbound_permit = side.permit;
        let link = side.link;
        self.plan.callee_extension = Some(link.extension.clone());
        let (agent, extension) = (
            link.agent.clone().or(link.named.clone()),
            link.extension.clone(),
        );
        // The transfer is told as the call stood (the consulting agent's
        // desktop must see it leave), the answer as it stands now.
        if let Some(before) = self.shared.live_calls.subject(self.live_id) {
            self.shared.events.publish(CtiEvent::CallTransferred {
                call: before,
                kind: kind.into(),
                target: format!("extension:{extension}"),
            });
        }
        self.connected = Some(link.clone());
        self.served_by = Some(AgentLink { busy: None, ..link });
        self.shared.live_calls.update(self.live_id, |c| {
            c.agent = agent;
            c.agent_extension = Some(extension.clone());
        });
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallAnswered { call });
        self.refresh_live_call();
    }

    /// The side leg rang for the ring timeout.
    pub(super) fn side_timed_out(&mut self) {
        self.side_deadline = None;
        self.core.side_timed_out();
    }

    /// A flow's transfer failed or was not answered.
    pub(super) async fn flow_transfer_failed(&mut self, reason: String) {
        if self.api_transfer {
            self.transfer_unanswered().await;
        } else {
            self.ivr
                .handle(unix_millis(), Input::TransferFailed { reason });
        }
    }
}
