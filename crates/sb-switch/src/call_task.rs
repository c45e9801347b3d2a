//! One task per call (STYLE rule 3): it owns the call's SIP dialogs, its
//! media relay and its B2BUA core, and is the only place they change.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sb_call::{Action, B2bua, CallSummary, LegEvent, LegId, Timers};
use sb_media::sdp;
use sb_sip::SipCall;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::admission::CallPermit;
use crate::relay::MediaRelay;
use crate::routing::CallPlan;
use crate::shared::{Shared, unix_millis};

pub(crate) fn spawn(
    shared: Arc<Shared>,
    call: SipCall,
    plan: CallPlan,
    offer: Option<Vec<u8>>,
    permit: CallPermit,
) {
    let span = info_span!("call", call_id = %call.caller_call_id(), caller = %plan.caller, callee = %plan.callee);
    tokio::spawn(run(shared, call, plan, offer, permit).instrument(span));
}

async fn run(
    shared: Arc<Shared>,
    mut call: SipCall,
    plan: CallPlan,
    offer: Option<Vec<u8>>,
    _permit: CallPermit,
) {
    let started = unix_millis();
    let relay = match (
        shared.ports.bind_pair(shared.media_ip).await,
        shared.ports.bind_pair(shared.media_ip).await,
    ) {
        (Ok(caller_side), Ok(callee_side)) => {
            MediaRelay::start(caller_side, callee_side, shared.relay_totals.clone())
        }
        _ => {
            warn!("no RTP ports left: refusing the call");
            call.reject(503);
            call.release();
            record(
                &shared,
                &call,
                &plan,
                &failed_summary(started, "no RTP ports"),
            )
            .await;
            return;
        }
    };
    let media = Media {
        relay,
        ip: shared.media_ip,
    };
    let offer = offer.map(|o| media.note_and_anchor(LegId::A, &o));
    let mut core = B2bua::start(
        started,
        offer.flatten(),
        plan.targets.len(),
        Timers {
            ring_timeout_ms: shared.config.ring_timeout_ms,
        },
    );
    let mut terminate = shared.terminate.clone();
    loop {
        while let Some(action) = core.poll_output() {
            if let Some(summary) = perform(&mut call, &plan, &media, &mut core, action).await {
                debug!(
                    to_callee = media
                        .relay
                        .counters
                        .caller_to_callee
                        .load(std::sync::atomic::Ordering::Relaxed),
                    to_caller = media
                        .relay
                        .counters
                        .callee_to_caller
                        .load(std::sync::atomic::Ordering::Relaxed),
                    "media relayed"
                );
                // Let the last BYE/CANCEL go out before the dialogs are dropped.
                while let Some(action) = core.poll_output() {
                    perform(&mut call, &plan, &media, &mut core, action).await;
                }
                call.release();
                info!(disposition = summary.disposition.code(), cause = %summary.cause, "call ended");
                record(&shared, &call, &plan, &summary).await;
                return;
            }
        }
        let wait = core
            .poll_timeout()
            .map(|at| Duration::from_millis(at.saturating_sub(unix_millis())))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            event = call.next_event() => match event {
                Some((leg, event)) => {
                    media.note_event(leg, &event);
                    core.handle_leg(unix_millis(), leg, event);
                }
                None => core.terminate(unix_millis(), "signalling lost"),
            },
            () = tokio::time::sleep(wait) => core.handle_timeout(unix_millis()),
            changed = terminate.changed() => {
                if changed.is_err() || *terminate.borrow() {
                    core.terminate(unix_millis(), "switch shutting down");
                }
            }
        }
    }
}

struct Media {
    relay: MediaRelay,
    ip: std::net::IpAddr,
}

impl Media {
    /// The switch's address for `leg`'s side of the relay.
    fn anchor_for(&self, leg: LegId) -> SocketAddr {
        let port = match leg {
            LegId::A => self.relay.caller_side.port,
            LegId::B(_) => self.relay.callee_side.port,
        };
        SocketAddr::new(self.ip, port)
    }

    /// Learns where `from`'s phone receives audio and returns the SDP to
    /// give the other side (pointing at the switch's port on that side).
    fn note_and_anchor(&self, from: LegId, body: &[u8]) -> Option<Vec<u8>> {
        self.note(from, body);
        let other = match from {
            LegId::A => LegId::B(1),
            LegId::B(_) => LegId::A,
        };
        match sdp::anchor(body, self.anchor_for(other)) {
            Ok(anchored) => Some(anchored),
            Err(error) => {
                debug!(%error, "SDP passed through unanchored");
                Some(body.to_vec())
            }
        }
    }

    fn note(&self, from: LegId, body: &[u8]) {
        if let Ok(endpoint) = sdp::audio_endpoint(body) {
            self.relay.set_peers(|peers| match from {
                LegId::A => peers.caller = Some(endpoint.rtp),
                LegId::B(_) => peers.callee = Some(endpoint.rtp),
            });
        }
    }

    fn note_event(&self, leg: LegId, event: &LegEvent) {
        let body = match event {
            LegEvent::Progress {
                sdp: Some(body), ..
            }
            | LegEvent::Answered { sdp: Some(body) }
            | LegEvent::ReInvite { sdp: Some(body) }
            | LegEvent::ReInviteAnswered {
                sdp: Some(body), ..
            } => body,
            _ => return,
        };
        self.note(leg, body);
    }

    /// SDP that arrived from the side opposite `to`, rewritten for `to`.
    fn for_leg(&self, to: LegId, body: Option<Vec<u8>>) -> Option<Vec<u8>> {
        let body = body?;
        Some(sdp::anchor(&body, self.anchor_for(to)).unwrap_or(body))
    }
}

async fn perform(
    call: &mut SipCall,
    plan: &CallPlan,
    media: &Media,
    core: &mut B2bua,
    action: Action,
) -> Option<CallSummary> {
    match action {
        Action::Dial { leg, target, sdp } => {
            let dialled = plan
                .targets
                .get(target)
                .ok_or(sb_sip::SipError::Malformed("dial target"))
                .and_then(|t| call.dial(leg, t, sdp));
            if let Err(error) = dialled {
                warn!(%error, "could not dial");
                let failed = LegEvent::Failed {
                    status: 503,
                    reason: error.to_string(),
                };
                core.handle_leg(unix_millis(), leg, failed);
            }
        }
        Action::Ring { status: _, sdp } => call.ring(media.for_leg(LegId::A, sdp)),
        Action::Answer { sdp } => call.answer(media.for_leg(LegId::A, sdp)),
        Action::Reject { status, .. } => call.reject(status),
        Action::Cancel { leg } => call.cancel(leg).await,
        Action::Hangup { leg } => call.hangup(leg).await,
        Action::ReInvite { leg, sdp } => call.reinvite(leg, media.for_leg(leg, sdp)),
        Action::AnswerReInvite { leg, status, sdp } => {
            call.answer_reinvite(leg, status, media.for_leg(leg, sdp))
                .await
        }
        Action::Bridge { .. } => {}
        Action::Ended(summary) => return Some(summary),
    }
    None
}

pub(crate) fn failed_summary(at: u64, cause: &str) -> CallSummary {
    CallSummary {
        started_at: at,
        answered_at: None,
        ended_at: at,
        disposition: sb_call::Disposition::Failed,
        cause: cause.to_owned(),
        side: sb_call::HangupSide::System,
        answered_leg: None,
    }
}

async fn record(shared: &Shared, call: &SipCall, plan: &CallPlan, summary: &CallSummary) {
    if shared
        .records
        .send(plan.record(call.caller_call_id(), summary))
        .await
        .is_err()
    {
        warn!("CDR writer stopped: record lost");
    }
}
