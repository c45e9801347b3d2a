//! Call pickup (MISSION G7) of a direct call: the IO half of
//! `B2bua::picked_up` and `B2bua::ring_picker`. A picker's own INVITE is
//! adopted into the call and answered with the callee side's media; a
//! picker asked for through the API has its first phone rung with
//! auto-answer hints.

use sb_core::cti::CtiEvent;
use tracing::info;

use crate::direct_side::Context;
use crate::live_calls::{ControlError, Picker};
use crate::routing::extension_targets;
use crate::shared::unix_millis;

pub(crate) async fn pick_up(cx: Context<'_>, picker: Picker) -> Result<(), ControlError> {
    let Context {
        shared,
        call,
        plan,
        core,
        media,
        live_id,
    } = cx;
    let leg = match core.may_pick_up() {
        Ok(leg) => leg,
        Err(error) => {
            if let Picker::Invite(invite) = picker {
                invite.refuse(480).await;
            }
            return Err(error.into());
        }
    };
    let index = match leg {
        sb_call::LegId::B(n) => usize::from(n) - 1,
        sb_call::LegId::A => return Err(ControlError::NotNow("pickup: no leg for the picker")),
    };
    let party = picker.party().clone();
    let rung = matches!(picker, Picker::Ring(_));
    match picker {
        Picker::Invite(invite) => {
            let answer = invite
                .offer
                .as_deref()
                .and_then(|offer| media.picker_answer(offer));
            let Some(answer) = answer else {
                invite.refuse(488).await;
                return Err(ControlError::NotNow(
                    "pickup: the picker's phone offered no usable audio",
                ));
            };
            // The picker's leg is never dialled; its place among the
            // targets keeps later legs' indexes in step with the core's.
            let Some(filler) = plan.targets.first().cloned() else {
                invite.refuse(500).await;
                return Err(ControlError::NotNow("pickup: the call has no callee"));
            };
            if plan.targets.len() != index {
                invite.refuse(500).await;
                return Err(ControlError::NotNow(
                    "pickup: the call has used up its legs",
                ));
            }
            call.adopt(leg, invite.request).map_err(|_| {
                ControlError::NotNow("pickup: the picker's INVITE could not be taken")
            })?;
            plan.targets.push(filler);
            call.accept_leg(leg, Some(answer.clone()));
            core.picked_up(unix_millis(), Some(answer))
                .map_err(ControlError::from)?;
        }
        Picker::Ring(_) => {
            if plan.targets.len() != index {
                return Err(ControlError::NotNow(
                    "pickup: the call has used up its legs",
                ));
            }
            let Some(target) = extension_targets(shared, &party.extension, &plan.caller, None)
                .into_iter()
                .next()
            else {
                return Err(ControlError::Refused(format!(
                    "pickup: extension {} has no registered phone",
                    party.extension
                )));
            };
            plan.targets.push(target);
            let hints = crate::originate_task::auto_answer_headers(shared.stack.local_addr());
            plan.auto_answer = Some((index, hints));
            core.ring_picker(unix_millis())
                .map_err(ControlError::from)?;
        }
    }
    info!(picker = %party.extension, agent = ?party.agent, "call picked up");
    plan.callee_extension = Some(party.extension.clone());
    // Told as the call stood, so the phone that rang hears it left; then
    // the picker's phone rings or has answered.
    shared.call_event(live_id, |call| CtiEvent::CallTransferred {
        call,
        kind: "pickup".into(),
        target: format!("extension:{}", party.extension),
    });
    shared.live_calls.update(live_id, |c| {
        c.agent = party.agent.clone();
        c.agent_extension = Some(party.extension.clone());
    });
    if rung {
        shared.call_event(live_id, |call| CtiEvent::CallRinging { call });
    }
    Ok(())
}
