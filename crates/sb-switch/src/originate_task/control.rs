//! What agents and supervisors do to a call the switch placed for an agent
//! (click-to-call): hang up, hold and retrieve, record, conference another
//! extension in, listen / whisper / barge, play prompts — carried out as on
//! any direct call (`call_task::control`). Transfers, consultations and
//! intercepts stay with calls that came in: the agent placed this one and
//! brings others in by conference. Its recording starts when the number
//! answers, if the extension records its calls.

use sb_core::cti::CtiEvent;
use tracing::info;

use super::Run;
use crate::call_task::{self, CallState};
use crate::live_calls::{CallControl, ControlError, Picker};
use crate::shared::unix_millis;

impl Run {
    pub(super) async fn control(&mut self, command: CallControl) -> Result<(), ControlError> {
        match command {
            CallControl::Hangup { cause } => {
                info!(%cause, "click-to-call ended through the API");
                self.end_now(&cause);
                Ok(())
            }
            CallControl::Transfer { .. } => Err(ControlError::NotNow(
                "transfer: a call the agent placed is not transferred; conference the other party in",
            )),
            CallControl::Consult { .. }
            | CallControl::CompleteConsult
            | CallControl::CancelConsult
            | CallControl::ConferenceConsult => Err(ControlError::NotNow(
                "consult: a call the agent placed has no consultation; conference the other party in",
            )),
            CallControl::Intercept { .. } => Err(ControlError::NotNow(
                "intercept: only calls that came in are intercepted",
            )),
            CallControl::PickUp { picker } => {
                if let Picker::Invite(invite) = picker {
                    invite.refuse(480).await;
                }
                Err(ControlError::NotNow(
                    "pickup: the call is not ringing at a phone",
                ))
            }
            command => {
                let mut state = CallState {
                    call: &mut self.call,
                    media: &mut self.media,
                    extras: &mut self.extras,
                    next_extra: &mut self.next_extra,
                    answered: self.answered,
                    live_id: self.live_id,
                };
                let outcome =
                    call_task::control(&self.shared, &self.plan, &mut state, command).await;
                call_task::refresh_live_call(&self.shared, self.live_id, &self.media);
                outcome
            }
        }
    }

    /// A conference member or supervisor leg (B100 and up) reported.
    pub(super) async fn extra_event(&mut self, leg: sb_call::LegId, event: sb_call::LegEvent) {
        let left = call_task::extra_event(
            &mut self.call,
            &mut self.media,
            &mut self.extras,
            leg,
            event,
        )
        .await;
        if let Some(extension) = left {
            self.shared
                .call_event(self.live_id, |call| CtiEvent::CallLeft { call, extension });
        }
    }

    /// The number answered: the call is recorded from here if the
    /// extension records its calls.
    pub(super) fn start_recording(&mut self) {
        if !self.plan.record {
            return;
        }
        let Some(root) = &self.shared.config.recordings_dir else {
            return;
        };
        self.media
            .start_recording(root, &self.call.caller_call_id(), unix_millis());
        call_task::refresh_live_call(&self.shared, self.live_id, &self.media);
    }

    /// At the end: the parties still dialled in are let go.
    pub(super) async fn release_extras(&mut self) {
        call_task::release_extras(&mut self.call, &mut self.extras).await;
    }
}
