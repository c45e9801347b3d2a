//! Follow-me on queue offers (MISSION G8): an agent with follow-me on has
//! their mobile rung with the desk phone the ACD offers the call to, at
//! once (`always`, or no desk phone registered) or after the delay
//! (`no_answer`) while the offer still rings, so a remote agent can work
//! from a mobile. The mobile is one more leg of the agent's offer: its
//! answer is the agent's answer (ACD `Answered`), the ACD's ring timeout
//! and cancel apply to it as to the desk phone, and the CDR and events
//! name the agent's extension. The trunk channel is held while the mobile
//! rings or talks.

use sb_call::LegId;
use sb_core::CallClass;
use sb_sip::DialTarget;
use tracing::info;

use super::Run;
use crate::admission::TrunkPermit;
use crate::directory::FollowMe;
use crate::follow_me::{lookup_agent, route_mobile};
use crate::shared::unix_millis;

/// The agents' mobiles of one service call.
#[derive(Default)]
pub(super) struct AgentMobiles {
    waiting: Vec<Waiting>,
    /// Trunk channels of the mobile legs ringing or talking.
    permits: Vec<(LegId, TrunkPermit)>,
}

/// A mobile that rings when its delay has passed, if the offer still rings.
struct Waiting {
    at: u64,
    agent: String,
    extension: String,
    follow_me: FollowMe,
    call_class: CallClass,
}

/// A mobile rung with the desk phones: its index among the offer's targets
/// and its trunk channel.
pub(super) type RungMobile = Option<(usize, TrunkPermit)>;

impl Run {
    /// The ACD offers the call to `agent` at `extension`, whose phones are
    /// `targets`: adds the agent's mobile to them when it rings at once, or
    /// schedules it.
    pub(super) async fn offer_mobile(
        &mut self,
        agent: &str,
        extension: &str,
        targets: &mut Vec<DialTarget>,
    ) -> RungMobile {
        let (follow_me, call_class) = lookup_agent(&self.shared, agent, extension).await?;
        let delay = follow_me
            .mode
            .mobile_delay_ms(follow_me.delay_s, targets.len())?;
        if delay > 0 {
            info!(%agent, delay_ms = delay, "follow-me: the agent's mobile rings later");
            self.mobiles.waiting.push(Waiting {
                at: unix_millis() + delay,
                agent: agent.to_owned(),
                extension: extension.to_owned(),
                follow_me,
                call_class,
            });
            return None;
        }
        let out = route_mobile(&self.shared, &follow_me, call_class, extension).await?;
        info!(%agent, trunk = %out.trunk.1, "follow-me: the agent's mobile rings too");
        targets.push(out.target);
        Some((targets.len() - 1, out.permit))
    }

    /// The offer's phones were dialled as `legs` (in target order): the
    /// mobile's leg keeps its trunk channel.
    pub(super) fn mobile_rung(&mut self, mobile: RungMobile, legs: &[LegId]) {
        if let Some((index, permit)) = mobile
            && let Some(leg) = legs.get(index)
        {
            self.mobiles.permits.push((*leg, permit));
        }
    }

    pub(super) fn mobiles_deadline(&self) -> Option<u64> {
        self.mobiles.waiting.iter().map(|w| w.at).min()
    }

    /// Rings the mobiles whose delay has passed, for offers still ringing.
    pub(super) async fn ring_waiting_mobiles(&mut self, now: u64) {
        let (due, later) = std::mem::take(&mut self.mobiles.waiting)
            .into_iter()
            .partition::<Vec<_>, _>(|w| w.at <= now);
        self.mobiles.waiting = later;
        // Every due mobile is dialled in one `dial_more`, whose targets
        // are `self.targets` in order.
        let mut rung = Vec::new();
        for waiting in due {
            let agent = Some(waiting.agent.as_str());
            let primary = self
                .ringing
                .as_ref()
                .is_some_and(|r| r.agent.as_deref() == agent);
            let also = self
                .also_ringing
                .iter()
                .position(|(link, _)| link.agent.as_deref() == agent);
            if !primary && also.is_none() {
                // The offer was answered, withdrawn or missed meanwhile.
                continue;
            }
            if let Some(out) = route_mobile(
                &self.shared,
                &waiting.follow_me,
                waiting.call_class,
                &waiting.extension,
            )
            .await
            {
                info!(agent = %waiting.agent, "follow-me: dialling the agent's mobile");
                rung.push((also, out));
            }
        }
        if rung.is_empty() {
            return;
        }
        self.targets = rung.iter().map(|(_, out)| out.target.clone()).collect();
        let legs = self.core.dial_more(rung.len());
        for ((also, out), leg) in rung.into_iter().zip(legs) {
            match also {
                Some(index) => self.also_ringing[index].1.push(leg),
                None => self.ringing_legs.push(leg),
            }
            self.mobiles.permits.push((leg, out.permit));
        }
    }

    /// Lets go of the trunk channels of mobile legs that neither ring nor
    /// talk any more.
    pub(super) fn sweep_mobiles(&mut self) {
        if self.mobiles.permits.is_empty() {
            return;
        }
        let ringing = self.core.ringing_legs();
        let bridged = self.core.bridged();
        self.mobiles
            .permits
            .retain(|(leg, _)| ringing.contains(leg) || bridged == Some(*leg));
    }
}
