//! Consultation and intercept on a direct call (MISSION G5, G6, S5): the
//! IO half of `sb_call::B2bua`'s side leg. The consulted party or the
//! supervisor rings on ports of its own (`CallMedia::add_party`) while the
//! caller hears music (a consultation); when it takes the callee's place
//! it stays on those ports, so from then on the switch answers each
//! phone's re-INVITE itself rather than relaying it.

use std::collections::HashMap;

use sb_call::{Action, B2bua, LegEvent, LegId, SidePurpose};
use sb_core::cti::CtiEvent;
use sb_media::session::{Hearing, LegIndex};
use sb_sip::SipCall;
use tracing::{info, warn};

use crate::admission::TrunkPermit;
use crate::call_media::{CALLEE, CallMedia, HoldOrigin};
use crate::live_calls::{CallControl, ControlError, TransferTarget};
use crate::media::SessionCommand;
use crate::routing::CallPlan;
use crate::shared::{Shared, unix_millis};

struct SideParty {
    leg: LegId,
    index: LegIndex,
    offer: Vec<u8>,
    purpose: SidePurpose,
    extension: String,
    agent: Option<String>,
    answer: Option<Vec<u8>>,
    permit: Option<TrunkPermit>,
}

/// A direct call's side leg and the legs that keep media of their own.
#[derive(Default)]
pub(crate) struct Sides {
    side: Option<SideParty>,
    /// Legs that took over from a side leg: their re-INVITEs are answered
    /// with this offer.
    local_offers: HashMap<LegId, Vec<u8>>,
    /// The last offer each leg sent in a re-INVITE, for a local answer.
    offers: HashMap<LegId, Vec<u8>>,
    /// A trunk channel held by a party that took over.
    permits: Vec<TrunkPermit>,
}

fn refused(error: sb_call::Refused) -> ControlError {
    ControlError::NotNow(error.0)
}

/// What a call task needs to carry out side-leg work.
pub(crate) struct Context<'a> {
    pub shared: &'a Shared,
    pub call: &'a mut SipCall,
    pub plan: &'a mut CallPlan,
    pub core: &'a mut B2bua,
    pub media: &'a mut CallMedia,
    pub live_id: u64,
}

impl Sides {
    /// Hold, resume and added parties concern the two original legs: not
    /// while a consultation is up.
    pub(crate) fn refuse_beside_side(
        &self,
        core: &B2bua,
        command: &CallControl,
    ) -> Option<ControlError> {
        core.side()?;
        let reason = match command {
            CallControl::Hold { .. } => "hold: a consultation is in progress",
            CallControl::Resume => "resume: a consultation is in progress",
            CallControl::AddParty { .. } => "add party: a consultation is in progress",
            _ => return None,
        };
        Some(ControlError::NotNow(reason))
    }

    /// Consult, intercept, complete, cancel, conference.
    pub(crate) async fn command(
        &mut self,
        cx: Context<'_>,
        command: CallControl,
    ) -> Result<(), ControlError> {
        match command {
            CallControl::Consult { target } => self.open(cx, target, SidePurpose::Consult).await,
            CallControl::Intercept { extension } => {
                self.open(
                    cx,
                    TransferTarget::Extension(extension),
                    SidePurpose::Intercept,
                )
                .await
            }
            CallControl::CompleteConsult => {
                cx.core.complete_consult().map_err(refused)?;
                Ok(())
            }
            CallControl::CancelConsult => {
                cx.core.cancel_consult().map_err(refused)?;
                if let Some(side) = self.side.take() {
                    info!(extension = %side.extension, "consultation cancelled");
                    cx.media.side_dropped(side.index);
                    cx.shared
                        .call_event(cx.live_id, |call| CtiEvent::CallRetrieved { call });
                }
                Ok(())
            }
            CallControl::ConferenceConsult => {
                cx.core.conference_consult().map_err(refused)?;
                if let Some(side) = &self.side {
                    cx.media.side_to_conference(side.index);
                    let extension = side.extension.clone();
                    cx.shared
                        .call_event(cx.live_id, |call| CtiEvent::CallJoined {
                            call,
                            extension,
                            role: "conference".into(),
                        });
                }
                Ok(())
            }
            _ => Err(ControlError::NotNow("not a consultation command")),
        }
    }

    async fn open(
        &mut self,
        cx: Context<'_>,
        target: TransferTarget,
        purpose: SidePurpose,
    ) -> Result<(), ControlError> {
        let command = match purpose {
            SidePurpose::Consult => "consult",
            SidePurpose::Intercept => "intercept",
        };
        if cx.plan.direction == "outbound" {
            return Err(ControlError::Refused(format!(
                "{command}: only the called side of a direct call can be consulted on or intercepted"
            )));
        }
        let index = cx.core.may_open_side(purpose).map_err(refused)?;
        if index != cx.plan.targets.len() {
            return Err(ControlError::Refused(format!(
                "{command}: the call has used up its legs"
            )));
        }
        if cx.media.in_conference() {
            return Err(ControlError::Refused(format!(
                "{command}: the call is a conference"
            )));
        }
        let (dial_target, extension, agent, permit) =
            crate::direct_transfer::resolve(cx.shared, cx.plan, command, target).await?;
        if !cx.media.room_for_party() {
            return Err(ControlError::Refused(format!(
                "{command}: the call has too many parties"
            )));
        }
        let Ok(pair) = cx.shared.ports.bind_pair(cx.shared.media_ip) else {
            return Err(ControlError::Refused(format!(
                "{command}: no RTP port is free"
            )));
        };
        let (media_leg, offer) = cx.media.add_party(pair);
        cx.plan.targets.push(dial_target);
        let leg = cx.core.open_side(unix_millis(), purpose).map_err(refused)?;
        info!(%extension, command, "ringing beside the direct call");
        if purpose == SidePurpose::Consult {
            cx.media.hold(CALLEE, None, HoldOrigin::Api);
            cx.media.handle.command(SessionCommand::Hear(
                cx.media.agent_leg(),
                Hearing::Tone(sb_media::tone::ToneGenerator::ringback()),
            ));
            cx.shared.call_event(cx.live_id, |call| CtiEvent::CallHeld {
                call,
                party: "caller".into(),
            });
        }
        self.side = Some(SideParty {
            leg,
            index: media_leg,
            offer,
            purpose,
            extension,
            agent,
            answer: None,
            permit,
        });
        Ok(())
    }

    /// A leg's event before the core sees it; true when the media side of
    /// it is handled here (side legs and legs with media of their own).
    pub(crate) fn leg_event(&mut self, leg: LegId, event: &LegEvent) -> bool {
        if let LegEvent::ReInvite { sdp: Some(offer) } = event {
            self.offers.insert(leg, offer.clone());
        }
        if let Some(side) = self.side.as_mut().filter(|s| s.leg == leg) {
            if let LegEvent::Answered { sdp } = event {
                side.answer = sdp.clone();
            }
            return true;
        }
        self.local_offers.contains_key(&leg)
    }

    /// The core's side-leg actions; any other action is handed back.
    pub(crate) async fn action(&mut self, cx: Context<'_>, action: Action) -> Option<Action> {
        match action {
            Action::DialSide { leg, target } => {
                let offer = self.side.as_ref().map(|s| s.offer.clone());
                let dialled = cx
                    .plan
                    .targets
                    .get(target)
                    .ok_or(sb_sip::SipError::Malformed("dial target"))
                    .and_then(|t| cx.call.dial(leg, t, offer));
                if let Err(error) = dialled {
                    warn!(%error, "could not dial beside the call");
                    let failed = LegEvent::Failed {
                        status: 503,
                        reason: error.to_string(),
                    };
                    cx.core.handle_leg(unix_millis(), leg, failed);
                }
            }
            Action::ConsultAnswered { leg } => {
                if let Some(side) = self.side.as_ref().filter(|s| s.leg == leg) {
                    info!(extension = %side.extension, "consulted party answered");
                    cx.media.side_answered(side.index, side.answer.as_deref());
                    let extension = side.extension.clone();
                    cx.shared
                        .call_event(cx.live_id, |call| CtiEvent::CallJoined {
                            call,
                            extension,
                            role: "consult".into(),
                        });
                }
            }
            Action::SideFailed { leg, .. } => self.gone(cx, leg, false),
            Action::SideLeft { leg } => self.gone(cx, leg, true),
            Action::Handover { to, .. } => self.handed_over(cx, to),
            Action::AnswerLocally { leg } => {
                let sdp = match self.local_offers.get(&leg) {
                    Some(offer) => Some(offer.clone()),
                    None => self
                        .offers
                        .remove(&leg)
                        .and_then(|offer| cx.media.local_answer(leg, &offer)),
                };
                let status = if sdp.is_some() { 200 } else { 488 };
                cx.call.answer_reinvite(leg, status, sdp).await;
            }
            other => return Some(other),
        }
        None
    }

    fn gone(&mut self, cx: Context<'_>, leg: LegId, answered: bool) {
        let Some(side) = self.side.take_if(|s| s.leg == leg) else {
            return;
        };
        info!(extension = %side.extension, answered, "the party beside the call is gone");
        cx.media.side_dropped(side.index);
        let extension = side.extension;
        if answered {
            cx.shared
                .call_event(cx.live_id, |call| CtiEvent::CallLeft { call, extension });
        }
        if side.purpose == SidePurpose::Consult {
            cx.shared
                .call_event(cx.live_id, |call| CtiEvent::CallRetrieved { call });
        }
    }

    fn handed_over(&mut self, cx: Context<'_>, to: LegId) {
        let Some(side) = self.side.take_if(|s| s.leg == to) else {
            return;
        };
        let now = unix_millis();
        if side.purpose == SidePurpose::Intercept {
            cx.media.update_party(side.index, side.answer.as_deref());
        }
        cx.media.hand_over(side.index);
        if cx.media.recording.is_some()
            && let Some(root) = cx.shared.config.recordings_dir.clone()
        {
            crate::call_task::stop_recording(cx.media, now);
            cx.media
                .start_recording(&root, &cx.call.caller_call_id(), now);
        }
        let kind = match side.purpose {
            SidePurpose::Consult => "consult",
            SidePurpose::Intercept => "intercept",
        };
        info!(extension = %side.extension, kind, "caller handed over");
        self.local_offers.insert(side.leg, side.offer);
        if let Some(permit) = side.permit {
            self.permits.push(permit);
        }
        cx.plan.callee_extension = Some(side.extension.clone());
        let (agent, extension) = (side.agent, side.extension);
        cx.shared.live_calls.update(cx.live_id, |c| {
            c.agent = agent;
            c.agent_extension = Some(extension.clone());
        });
        cx.shared
            .call_event(cx.live_id, |call| CtiEvent::CallTransferred {
                call,
                kind: kind.into(),
                target: format!("extension:{extension}"),
            });
        cx.shared
            .call_event(cx.live_id, |call| CtiEvent::CallAnswered { call });
    }
}
