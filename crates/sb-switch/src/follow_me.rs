//! Follow-me to a person's own mobile on a direct call (MISSION G8): when
//! the callee extension's owner has follow-me on, their mobile is one more
//! target of the B2BUA's fork, rung at once (`always`, or no desk phone
//! registered) or after the delay (`no_answer`). The mobile is dialled out
//! exactly as the extension would dial it (`route_out`: its call class,
//! the route's caller-ID rule), and the trunk channel is held while the
//! mobile rings or talks. The CDR, live call and CTI events still name the
//! extension as the callee. Queue offers use `service_task/follow_me.rs`.

use sb_call::{Action, B2bua, LegEvent, LegId};
use sb_core::CallClass;
use tracing::{info, warn};

use crate::admission::TrunkPermit;
use crate::directory::FollowMe;
use crate::routing::{CallPlan, Outbound, route_out};
use crate::shared::{Shared, unix_millis};

/// The follow-me of `extension` with the call class its calls go out with,
/// if it is on and the extension exists and is enabled.
pub(crate) async fn lookup(shared: &Shared, extension: &str) -> Option<(FollowMe, CallClass)> {
    let follow_me = match shared.directory.follow_me(extension).await {
        Ok(found) => found?,
        Err(error) => {
            warn!(%error, extension, "follow-me unavailable");
            return None;
        }
    };
    with_call_class(shared, follow_me, extension).await
}

/// The follow-me of the agent `employee_id` offered a call at
/// `extension`, with that extension's call class (the one the mobile is
/// dialled with).
pub(crate) async fn lookup_agent(
    shared: &Shared,
    employee_id: &str,
    extension: &str,
) -> Option<(FollowMe, CallClass)> {
    let follow_me = match shared.directory.agent_follow_me(employee_id).await {
        Ok(found) => found?,
        Err(error) => {
            warn!(%error, agent = employee_id, "follow-me unavailable");
            return None;
        }
    };
    with_call_class(shared, follow_me, extension).await
}

/// The follow-me with the call class of `extension`, the one the mobile is
/// dialled with; none when the extension is gone or disabled.
async fn with_call_class(
    shared: &Shared,
    follow_me: FollowMe,
    extension: &str,
) -> Option<(FollowMe, CallClass)> {
    match shared.directory.account(extension).await {
        Ok(Some(account)) if account.enabled => Some((follow_me, account.call_class)),
        _ => None,
    }
}

/// Whether a call to `extension` can reach its owner's mobile although no
/// desk phone is registered.
pub(crate) async fn reaches_mobile(shared: &Shared, extension: &str) -> bool {
    lookup(shared, extension).await.is_some()
}

/// Routes the mobile out as `extension` would dial it.
pub(crate) async fn route_mobile(
    shared: &Shared,
    follow_me: &FollowMe,
    call_class: CallClass,
    extension: &str,
) -> Option<Outbound> {
    match route_out(shared, &follow_me.mobile, call_class, extension).await {
        Ok(out) => Some(out),
        Err((refusal, _)) => {
            warn!(extension, cause = %refusal.cause, "follow-me: the mobile cannot be dialled");
            None
        }
    }
}

/// The mobile as one target of a direct call.
pub(crate) struct DirectFollowMe {
    follow_me: FollowMe,
    call_class: CallClass,
    extension: String,
    /// The mobile's index among the call's targets.
    target: usize,
    /// Its leg once dialled.
    leg: Option<LegId>,
    /// The trunk channel, while the mobile rings or talks.
    permit: Option<TrunkPermit>,
}

/// For a call to an extension whose owner has follow-me on: appends the
/// mobile to `plan.targets` and returns each target's delay for the
/// B2BUA's staggered fork, with the state that dials the mobile. Without
/// follow-me every target rings at once.
pub(crate) async fn prepare(
    shared: &Shared,
    plan: &mut CallPlan,
) -> (Vec<u64>, Option<DirectFollowMe>) {
    let mut delays = vec![0; plan.targets.len()];
    if plan.service.is_some() || plan.direction == "outbound" {
        return (delays, None);
    }
    let Some(extension) = plan.callee_extension.clone() else {
        return (delays, None);
    };
    let Some((follow_me, call_class)) = lookup(shared, &extension).await else {
        return (delays, None);
    };
    let Some(delay) = follow_me
        .mode
        .mobile_delay_ms(follow_me.delay_s, plan.targets.len())
    else {
        return (delays, None);
    };
    // Routed now so a mobile that cannot be dialled is no target at all;
    // a delayed mobile takes its trunk channel only when it is dialled.
    let Some(out) = route_mobile(shared, &follow_me, call_class, &extension).await else {
        return (delays, None);
    };
    info!(%extension, mode = %follow_me.mode, delay_ms = delay, trunk = %out.trunk.1, "follow-me: the mobile rings too");
    let target = plan.targets.len();
    plan.targets.push(out.target);
    delays.push(delay);
    let permit = (delay == 0).then_some(out.permit);
    let state = DirectFollowMe {
        follow_me,
        call_class,
        extension,
        target,
        leg: None,
        permit,
    };
    (delays, Some(state))
}

impl DirectFollowMe {
    /// Looks at an action of the call's core before it is performed: a
    /// delayed mobile is routed again when its dial comes (taking the
    /// trunk channel then); a mobile that can no longer be dialled fails
    /// its leg instead (`None`: the action was consumed). The channel is
    /// let go once another leg won.
    pub(crate) async fn action(
        &mut self,
        shared: &Shared,
        plan: &mut CallPlan,
        core: &mut B2bua,
        action: Action,
    ) -> Option<Action> {
        match &action {
            Action::Dial { leg, target, .. } if *target == self.target => {
                self.leg = Some(*leg);
                if self.permit.is_none() {
                    let routed =
                        route_mobile(shared, &self.follow_me, self.call_class, &self.extension)
                            .await;
                    let Some(out) = routed else {
                        let failed = LegEvent::Failed {
                            status: 503,
                            reason: "follow-me: the mobile cannot be dialled".into(),
                        };
                        core.handle_leg(unix_millis(), *leg, failed);
                        return None;
                    };
                    if let Some(slot) = plan.targets.get_mut(self.target) {
                        *slot = out.target;
                    }
                    self.permit = Some(out.permit);
                }
                info!(extension = %self.extension, "follow-me: dialling the mobile");
            }
            Action::Bridge { leg } if Some(*leg) != self.leg => self.permit = None,
            Action::Cancel { leg } if Some(*leg) == self.leg => self.permit = None,
            _ => {}
        }
        Some(action)
    }

    /// The mobile's leg failed or hung up: its trunk channel is free.
    pub(crate) fn leg_event(&mut self, leg: LegId, event: &LegEvent) {
        if Some(leg) == self.leg && matches!(event, LegEvent::Failed { .. } | LegEvent::HungUp) {
            self.permit = None;
        }
    }
}
