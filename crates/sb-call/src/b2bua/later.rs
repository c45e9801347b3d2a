//! Targets that ring later (MISSION G8, follow-me to a mobile): a call may
//! ring some targets at once and others after a delay on the driver's
//! clock. A waiting target is dialled when its time comes, at once when
//! every target already dialled has failed (a busy or unreachable desk
//! phone should not keep the caller waiting for the mobile), and never
//! once the call is answered or given up. The ring timeout counts from the
//! last target's dial time, so the one rung last gets the full ring time.

use super::{B2bua, CallPhase, Callee, leg_of};
use crate::action::Action;

impl B2bua {
    /// A call whose target `k` is dialled `delays_ms[k]` after `now`. The
    /// smallest delay counts as zero: a call always rings something at once.
    pub fn start_staggered(
        now: u64,
        offer: Option<Vec<u8>>,
        delays_ms: &[u64],
        timers: super::Timers,
    ) -> B2bua {
        let mut call = B2bua::start(now, offer, delays_ms.len(), timers);
        if call.phase != CallPhase::Dialling {
            return call;
        }
        let first = delays_ms.iter().copied().min().unwrap_or(0);
        let mut later = Vec::new();
        for (target, delay) in delays_ms.iter().enumerate() {
            let delay = delay - first;
            if delay > 0 {
                call.callees[target] = Callee::Waiting {
                    at: now.saturating_add(delay),
                };
                later.push(target);
            }
            call.ring_extension_ms = call.ring_extension_ms.max(delay);
        }
        call.outputs.retain(
            |action| !matches!(action, Action::Dial { target, .. } if later.contains(target)),
        );
        call
    }

    /// While dialling: the next waiting target's time or the ring timeout,
    /// whichever is first.
    pub(super) fn dialling_timeout(&self) -> u64 {
        let waiting = self.callees.iter().filter_map(|c| match c {
            Callee::Waiting { at } => Some(*at),
            _ => None,
        });
        waiting.min().unwrap_or(u64::MAX).min(self.ring_deadline())
    }

    /// When the callees have rung long enough: the ring timeout after the
    /// last one's dial time, or after a pickup rang the picker afresh.
    pub(super) fn ring_deadline(&self) -> u64 {
        self.started_at
            .saturating_add(self.ring_extension_ms)
            .max(self.ringing_since)
            .saturating_add(self.timers.ring_timeout_ms)
    }

    /// Dials the waiting targets whose time has come (all of them with
    /// `at_once`); true if any was dialled.
    pub(super) fn dial_waiting(&mut self, now: u64, at_once: bool) -> bool {
        if self.phase != CallPhase::Dialling {
            return false;
        }
        let mut dialled = false;
        for target in 0..self.callees.len() {
            if let Callee::Waiting { at } = self.callees[target]
                && (at_once || at <= now)
            {
                self.callees[target] = Callee::Inviting;
                dialled = true;
                self.outputs.push_back(Action::Dial {
                    leg: leg_of(target),
                    target,
                    sdp: self.offer.clone(),
                });
            }
        }
        dialled
    }

    /// Whether some target has not been dialled yet.
    pub fn has_waiting_targets(&self) -> bool {
        self.callees
            .iter()
            .any(|c| matches!(c, Callee::Waiting { .. }))
    }
}
