//! Blind transfer of a direct call (MISSION G5): a B2BUA call whose
//! callee (the agent side) hands the caller to an extension, an agent's
//! phone or a number. The caller's dialog never changes: the switch
//! anchors its media, so the caller hears music while the target rings and
//! is bridged to it on answer ([`sb_call::B2bua::transfer`]). Queues and
//! voice flows need a call the switch answered itself, so a direct call
//! cannot go there.

use sb_call::B2bua;
use sb_core::cti::CtiEvent;
use sb_sip::DialTarget;
use tracing::info;

use crate::admission::TrunkPermit;
use crate::call_media::{CALLER, CallMedia};
use crate::live_calls::{ControlError, TransferTarget};
use crate::media::SessionCommand;
use crate::routing::{CallPlan, extension_targets, route_out};
use crate::shared::{Shared, unix_millis};

/// Starts the transfer; the trunk channel of a transfer to an outside
/// number comes back, to be held for the rest of the call.
pub(crate) async fn blind_transfer(
    shared: &Shared,
    plan: &mut CallPlan,
    core: &mut B2bua,
    media: &mut CallMedia,
    live_id: u64,
    target: TransferTarget,
) -> Result<Option<TrunkPermit>, ControlError> {
    if plan.direction == "outbound" {
        return Err(ControlError::NotNow(
            "transfer: only the called side can transfer a direct call",
        ));
    }
    let index = core
        .may_transfer()
        .map_err(|refused| ControlError::NotNow(refused.0))?;
    if index != plan.targets.len() {
        return Err(ControlError::NotNow(
            "transfer: the call has used up its legs",
        ));
    }
    let described = target.to_string();
    let (dial_target, extension, agent, permit) = resolve(shared, plan, "transfer", target).await?;
    plan.targets.push(dial_target);
    core.transfer(unix_millis())
        .map_err(|refused| ControlError::NotNow(refused.0))?;
    info!(target = %described, "blind transfer of a direct call");
    media
        .handle
        .command(SessionCommand::HearMusic(CALLER, "default".into()));
    plan.callee_extension = Some(extension.clone());
    shared.call_event(live_id, |call| CtiEvent::CallTransferred {
        call,
        kind: "blind".into(),
        target: described,
    });
    shared.live_calls.update(live_id, |c| {
        c.agent = agent;
        c.agent_extension = Some(extension);
    });
    shared.call_event(live_id, |call| CtiEvent::CallRinging { call });
    Ok(permit)
}

/// The phone a direct call's transfer or consultation rings: its first
/// contact, the extension (or number) and the agent it names.
pub(crate) type Reached = (DialTarget, String, Option<String>, Option<TrunkPermit>);

pub(crate) async fn resolve(
    shared: &Shared,
    plan: &CallPlan,
    command: &'static str,
    target: TransferTarget,
) -> Result<Reached, ControlError> {
    let phone = |extension: String, agent: Option<String>| match extension_targets(
        shared,
        &extension,
        &plan.caller,
        None,
    )
    .into_iter()
    .next()
    {
        Some(target) => Ok((target, extension, agent, None)),
        None => Err(ControlError::Refused(format!(
            "{command}: extension {extension} is not registered"
        ))),
    };
    match target {
        TransferTarget::Extension(extension) => phone(extension, None),
        TransferTarget::Agent(agent) => match shared.acd.extension_of(&agent) {
            Some(extension) => phone(extension, Some(agent)),
            None => Err(ControlError::Refused(format!(
                "{command}: agent {agent} is not signed in"
            ))),
        },
        TransferTarget::Number(number) => {
            if matches!(shared.directory.account(&number).await, Ok(Some(a)) if a.enabled) {
                return phone(number, None);
            }
            // The transferring extension decides how far it may dial (T4).
            let class = match plan.callee_extension.as_deref() {
                Some(extension) => match shared.directory.account(extension).await {
                    Ok(Some(account)) => account.call_class,
                    _ => sb_core::CallClass::Internal,
                },
                None => sb_core::CallClass::Internal,
            };
            let out = route_out(shared, &number, class, &plan.caller)
                .await
                .map_err(|(refusal, _)| {
                    ControlError::Refused(format!("{command}: {}", refusal.cause))
                })?;
            Ok((out.target, out.number, None, Some(out.permit)))
        }
        TransferTarget::Queue(_) | TransferTarget::Flow(_) => Err(ControlError::Refused(format!(
            "{command}: a direct call can go to an extension, an agent or a number"
        ))),
    }
}
