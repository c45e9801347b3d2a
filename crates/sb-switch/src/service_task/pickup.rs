//! Call pickup (MISSION G7) of a service call: the IO half of
//! `ServiceCall::picked_up` and `ServiceCall::ring_picker`. A queue's offer
//! that is picked up leaves the ACD answered (the offered agents are ready
//! again without a miss); the picker is the call's party from then on, and
//! an agent among them is kept out of distribution while it lasts.

use sb_core::cti::CtiEvent;
use tracing::info;

use super::busy_agent::BusyAgent;
use super::control::Fallback;
use super::{AgentLink, Run};
use crate::acd_task::CallReport;
use crate::live_calls::{ControlError, Picker};
use crate::routing::extension_targets;
use crate::shared::unix_millis;

impl Run {
    pub(super) async fn pick_up(&mut self, picker: Picker) -> Result<(), ControlError> {
        let leg = match self.core.may_pick_up() {
            Ok(leg) => leg,
            Err(error) => {
                if let Picker::Invite(invite) = picker {
                    invite.refuse(480).await;
                }
                return Err(error.into());
            }
        };
        let party = picker.party().clone();
        let rung = matches!(picker, Picker::Ring(_));
        // Who rang until now (the ACD's offer is not on the live call).
        let before = self.ringing.as_ref().map(|link| {
            (
                link.agent.clone().or(link.named.clone()),
                link.extension.clone(),
            )
        });
        let offered = self.ringing.iter().any(|link| link.agent.is_some())
            || self
                .also_ringing
                .iter()
                .any(|(link, _)| link.agent.is_some());
        let queue = self.queued.as_ref().map(|queued| queued.queue.clone());
        match picker {
            Picker::Invite(invite) => {
                let answer = invite
                    .offer
                    .as_deref()
                    .and_then(|offer| self.media.picker_answer(offer));
                let Some(answer) = answer else {
                    invite.refuse(488).await;
                    return Err(ControlError::NotNow(
                        "pickup: the picker's phone offered no usable audio",
                    ));
                };
                self.call.adopt(leg, invite.request).map_err(|_| {
                    ControlError::NotNow("pickup: the picker's INVITE could not be taken")
                })?;
                self.call.accept_leg(leg, Some(answer));
                self.leave_offer(offered, &party, queue).await;
                // Bridges the picker's leg: `agent_answered` follows.
                self.core.picked_up().map_err(ControlError::from)?;
            }
            Picker::Ring(_) => {
                let targets =
                    extension_targets(&self.shared, &party.extension, &self.plan.caller, None);
                self.core.ring_picker(targets.len()).map_err(|error| {
                    if targets.is_empty() {
                        ControlError::Refused(format!(
                            "pickup: extension {} has no registered phone",
                            party.extension
                        ))
                    } else {
                        error.into()
                    }
                })?;
                self.targets = targets;
                let hints =
                    crate::originate_task::auto_answer_headers(self.shared.stack.local_addr());
                self.dial_hints = Some((party.extension.clone(), hints));
                // Nobody answering puts the caller back at the front of
                // the queue it was waiting in.
                self.api_transfer = true;
                if let Some(queue) = &queue {
                    self.transfer_fallback = Some(Fallback::Queue(queue.clone()));
                }
                self.transfer_deadline = Some(unix_millis() + self.shared.config.ring_timeout_ms);
                self.leave_offer(offered, &party, queue).await;
                self.ringing_legs = self.core.ringing_legs();
            }
        }
        info!(picker = %party.extension, agent = ?party.agent, "call picked up");
        // Told as the call stood, so the agent it was offered to hears it
        // left; then the picker's phone rings or has answered.
        if let Some(mut call) = self.shared.live_calls.subject(self.live_id) {
            if let Some((agent, extension)) = before {
                call.agent = agent;
                call.extension = Some(extension);
            }
            self.shared.events.publish(CtiEvent::CallTransferred {
                call,
                kind: "pickup".into(),
                target: format!("extension:{}", party.extension),
            });
        }
        self.shared.live_calls.update(self.live_id, |c| {
            c.agent = party.agent.clone();
            c.agent_extension = Some(party.extension.clone());
        });
        if rung {
            self.shared
                .call_event(self.live_id, |call| CtiEvent::CallRinging { call });
        }
        Ok(())
    }

    /// The phones ringing now are cancelled by the core; the ACD hears
    /// that its offer was picked up, and the picker becomes the ringing
    /// (or answering) party.
    async fn leave_offer(
        &mut self,
        offered: bool,
        party: &crate::live_calls::PickerParty,
        queue: Option<String>,
    ) {
        if offered {
            self.shared.acd.report(CallReport::PickedUp {
                call: self.call_ref,
            });
        }
        self.queued = None;
        self.also_ringing.clear();
        let busy = match &party.agent {
            Some(agent) => BusyAgent::take(&self.shared.acd, agent).await.ok(),
            None => None,
        };
        self.ringing = Some(AgentLink {
            agent: None,
            named: party.agent.clone(),
            busy,
            extension: party.extension.clone(),
            queue,
        });
    }
}
