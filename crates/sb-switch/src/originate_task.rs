//! Click-to-call (MISSION G3, O1): the switch rings the agent's phone first
//! (with auto-answer hints), and once it answers dials the number as if the
//! agent's extension had dialled it: the same routing, call class and
//! outbound route as a call from that phone. Nothing rings when the number
//! is refused.
//!
//! The call has no incoming leg (`SipCall::outgoing`): the agent's phone is
//! SIP leg `AGENT_LEG`, and once it answered its SDP answer is the offer of
//! an ordinary [`B2bua`] whose leg A is the agent; this task maps leg A to
//! the agent's dialog both ways. In the media session the agent is the
//! caller side, the number the callee side.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sb_call::{Action, B2bua, CallSummary, Disposition, HangupSide, LegEvent, LegId, Timers};
use sb_core::cti::CtiEvent;
use sb_sip::SipCall;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::admission::CallPermit;
use crate::call_media::{CALLEE, CALLER, CallMedia};
use crate::call_task;
use crate::media::{EngineEvent, SessionCommand};
use crate::routing::{CallPlan, extension_targets, plan_from_extension};
use crate::shared::{Shared, unix_millis};
use sb_media::session::Hearing;
use sb_media::tone::ToneGenerator;

mod control;

/// The agent's phone as a SIP leg: clear of the B2BUA's callee legs
/// (B1..) and of the extra parties (B100..).
const AGENT_LEG: LegId = LegId::B(99);

/// Why a click-to-call was not placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginateError {
    /// The calling extension does not exist or is disabled.
    #[error("extension {0} does not exist or is disabled")]
    NoExtension(String),
    /// The agent's phone is not registered.
    #[error("extension {0} is not registered")]
    NotRegistered(String),
    /// Routing refused the number for that extension (call class, no route,
    /// unknown number); `status` is the SIP status a phone would have got.
    #[error("{cause}")]
    Refused { status: u16, cause: String },
    /// Overload, no RTP ports, a draining switch.
    #[error("{0}")]
    Unavailable(String),
}

/// What the API gets back: the live call's id and its SIP Call-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Originated {
    pub live_id: u64,
    pub call_id: String,
}

/// Rings `from_extension`, then dials `to` from it. Returns once the
/// agent's phone is being rung.
pub(crate) async fn originate(
    shared: &Arc<Shared>,
    from_extension: &str,
    to: &str,
) -> Result<Originated, OriginateError> {
    let account = match shared.directory.account(from_extension).await {
        Ok(Some(account)) if account.enabled => account,
        Ok(_) => return Err(OriginateError::NoExtension(from_extension.to_owned())),
        Err(error) => return Err(OriginateError::Unavailable(error.to_string())),
    };
    let agent_targets = extension_targets(shared, &account.extension, to, None);
    if agent_targets.is_empty() {
        return Err(OriginateError::NotRegistered(account.extension));
    }
    let plan = match plan_from_extension(shared, &account, to.to_owned()).await {
        Ok(plan) if plan.service.is_none() => plan,
        Ok(_) => {
            return Err(OriginateError::Refused {
                status: 404,
                cause: "a voice flow's access number cannot be dialled for an agent".into(),
            });
        }
        Err((refusal, _)) => {
            return Err(OriginateError::Refused {
                status: refusal.status,
                cause: refusal.cause,
            });
        }
    };
    if shared.admission.is_draining() {
        return Err(OriginateError::Unavailable(
            "the switch is shutting down".into(),
        ));
    }
    let permit = shared
        .admission
        .admit(unix_millis())
        .map_err(|refusal| OriginateError::Unavailable(format!("{refusal:?}")))?;
    let Some(mut media) = call_task::open_media(shared, None) else {
        return Err(OriginateError::Unavailable("no RTP ports left".into()));
    };
    let placeholder = placeholder_offer(shared.media_ip);
    let agent_offer = media.local_answer(LegId::A, &placeholder);
    let mut call = SipCall::outgoing(&shared.stack, SocketAddr::new(shared.media_ip, 0));
    let hints = auto_answer_headers(shared.stack.local_addr());
    // One registration of the extension rings (one agent leg keeps the
    // mapping to the B2BUA's leg A simple; a desk has one phone).
    let dialled = agent_targets
        .last()
        .ok_or(sb_sip::SipError::Malformed("no contact"))
        .and_then(|target| call.dial_with(AGENT_LEG, target, agent_offer, hints));
    if let Err(error) = dialled {
        warn!(%error, "could not ring the agent's phone");
        call.release();
        return Err(OriginateError::Unavailable(
            "could not ring the agent's phone".into(),
        ));
    }
    let started = unix_millis();
    let (live_id, controls) = shared
        .live_calls
        .register(call_task::live_call(&call, &plan, started));
    shared.call_event(live_id, |call| CtiEvent::CallCreated { call });
    let originated = Originated {
        live_id,
        call_id: call.caller_call_id(),
    };
    let span = info_span!("click_to_call", call_id = %originated.call_id, caller = %plan.caller, callee = %plan.callee);
    info!(parent: &span, "ringing the agent's phone first");
    let run = Run {
        shared: shared.clone(),
        call,
        plan,
        media,
        started,
        live_id,
        core: None,
        pending: None,
        agent_gone: false,
        answered: false,
        extras: Vec::new(),
        next_extra: call_task::FIRST_EXTRA_LEG,
        _permit: permit,
    };
    tokio::spawn(drive(run, controls).instrument(span));
    Ok(originated)
}

/// An SDP offer standing in for the caller the call does not have: G.711
/// and telephone-event. The switch answers it itself (`local_answer`) and
/// sends that answer to the agent's phone as its offer, anchored on the
/// caller side of the media session, in one codec the session then uses.
fn placeholder_offer(ip: std::net::IpAddr) -> Vec<u8> {
    format!(
        "v=0\r\no=switchboard 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio 9 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
    )
    .into_bytes()
}

/// Phones that support it pick up at once: Call-Info `answer-after=0`
/// (Polycom, Yealink, Grandstream, ...) and Alert-Info
/// `info=alert-autoanswer` (Snom, Cisco SPA, ...).
pub(crate) fn auto_answer_headers(switch: SocketAddr) -> Vec<(String, String)> {
    vec![
        ("Call-Info".into(), format!("<sip:{switch}>;answer-after=0")),
        (
            "Alert-Info".into(),
            format!("<sip:{switch}>;info=alert-autoanswer"),
        ),
    ]
}

struct Run {
    shared: Arc<Shared>,
    call: SipCall,
    plan: CallPlan,
    media: CallMedia,
    started: u64,
    live_id: u64,
    /// The call to the number, once the agent answered.
    core: Option<B2bua>,
    /// The end of a call that never reached the number.
    pending: Option<Early>,
    /// The agent's dialog ended (their BYE, or it never answered).
    agent_gone: bool,
    /// The number answered.
    answered: bool,
    /// Conference members and supervisors dialled in.
    extras: Vec<call_task::Extra>,
    next_extra: u16,
    _permit: CallPermit,
}

type Controls = tokio::sync::mpsc::UnboundedReceiver<(
    crate::live_calls::CallControl,
    crate::live_calls::Reply,
)>;

async fn drive(mut run: Run, mut controls: Controls) {
    let shared = run.shared.clone();
    let ring_until = tokio::time::Instant::now() + Duration::from_millis(ring_timeout(&shared));
    let mut terminate = shared.terminate.clone();
    loop {
        if let Some(summary) = run.settle().await {
            run.finish(summary).await;
            return;
        }
        let wake = match &run.core {
            Some(core) => core.poll_timeout().map(|at| {
                tokio::time::Instant::now()
                    + Duration::from_millis(at.saturating_sub(unix_millis()))
            }),
            None => Some(ring_until),
        }
        .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            event = run.call.next_event() => match event {
                Some((leg @ LegId::B(n), event)) if n >= call_task::FIRST_EXTRA_LEG => {
                    run.extra_event(leg, event).await;
                }
                Some((leg, event)) => run.leg_event(leg, event),
                None => run.end_now("signalling lost"),
            },
            Some(event) = run.media.events.recv() => {
                if let EngineEvent::RecordingFinished(outcome) = event {
                    let call_id = run.call.caller_call_id();
                    call_task::recording_closed(&run.shared, call_id, &run.plan, &mut run.media, outcome)
                        .await;
                }
            }
            Some((command, reply)) = controls.recv() => {
                let outcome = run.control(command).await;
                let _ = reply.send(outcome);
            }
            () = tokio::time::sleep_until(wake) => match &mut run.core {
                Some(core) => core.handle_timeout(unix_millis()),
                None => run.agent_missed(408, "the agent's phone was not answered"),
            },
            changed = terminate.changed() => {
                if changed.is_err() || *terminate.borrow() {
                    run.end_now("switch shutting down");
                }
            }
        }
    }
}

fn ring_timeout(shared: &Shared) -> u64 {
    shared.config.ring_timeout_ms.max(1_000)
}

/// What ends the call before the number is dialled.
enum Early {
    Missed { status: u16, cause: String },
    Ended(String),
}

impl Run {
    fn leg_event(&mut self, leg: LegId, event: LegEvent) {
        if leg == AGENT_LEG {
            self.agent_event(event);
            return;
        }
        if let Some(core) = &mut self.core {
            self.media.note_event(leg, &event);
            core.handle_leg(unix_millis(), leg, event);
        }
    }

    fn agent_event(&mut self, event: LegEvent) {
        if matches!(event, LegEvent::HungUp | LegEvent::Failed { .. }) {
            self.agent_gone = true;
        }
        let Some(core) = &mut self.core else {
            match event {
                LegEvent::Progress { .. } => {
                    self.shared
                        .call_event(self.live_id, |call| CtiEvent::CallRinging { call });
                }
                LegEvent::Answered { sdp } => self.agent_answered(sdp),
                LegEvent::Failed { status, reason } => self.agent_missed(status, &reason),
                _ => {}
            }
            return;
        };
        // Before the number answers, the agent hanging up is a caller's
        // CANCEL to the B2BUA.
        let event = match event {
            LegEvent::HungUp if !self.answered => LegEvent::Cancelled,
            other => other,
        };
        self.media.note_event(LegId::A, &event);
        core.handle_leg(unix_millis(), LegId::A, event);
    }

    fn agent_answered(&mut self, sdp: Option<Vec<u8>>) {
        info!("the agent's phone answered: dialling the number");
        let Some(sdp) = sdp else {
            self.pending = Some(Early::Ended(
                "the agent's phone answered without SDP".into(),
            ));
            return;
        };
        self.media.note_event(
            LegId::A,
            &LegEvent::Answered {
                sdp: Some(sdp.clone()),
            },
        );
        let offer = self.media.offer_for_callees(&sdp);
        self.core = Some(B2bua::start(
            unix_millis(),
            Some(offer),
            self.plan.targets.len(),
            Timers {
                ring_timeout_ms: self.shared.config.ring_timeout_ms,
            },
        ));
    }

    fn agent_missed(&mut self, status: u16, cause: &str) {
        self.pending = Some(Early::Missed {
            status,
            cause: cause.to_owned(),
        });
    }

    fn end_now(&mut self, cause: &str) {
        match &mut self.core {
            Some(core) => core.terminate(unix_millis(), cause),
            None => self.pending = Some(Early::Ended(cause.to_owned())),
        }
    }
}

impl Run {
    /// Carries out what the B2BUA decided; the summary once the call ended.
    async fn settle(&mut self) -> Option<CallSummary> {
        if let Some(early) = self.pending.take() {
            return Some(self.early_end(early).await);
        }
        let mut ended = None;
        while let Some(action) = self.core.as_mut().and_then(B2bua::poll_output) {
            if let Some(summary) = self.perform(action).await {
                ended = Some(summary);
            }
        }
        ended
    }

    async fn early_end(&mut self, early: Early) -> CallSummary {
        let now = unix_millis();
        let (disposition, cause) = match early {
            Early::Missed { status, cause } => {
                let disposition = match status {
                    486 | 600 => Disposition::Busy,
                    408 | 480 => Disposition::NoAnswer,
                    _ => Disposition::Rejected,
                };
                (disposition, format!("agent's phone: {status} {cause}"))
            }
            Early::Ended(cause) => (Disposition::Failed, cause),
        };
        if self.agent_gone {
            // Nothing to end on the agent's side.
        } else if self.media_answered() {
            self.call.hangup(AGENT_LEG).await;
        } else {
            self.call.cancel(AGENT_LEG).await;
        }
        CallSummary {
            started_at: self.started,
            answered_at: None,
            ended_at: now,
            disposition,
            cause,
            side: HangupSide::System,
            answered_leg: None,
        }
    }

    /// Whether the agent's phone answered (so it gets BYE, not CANCEL).
    fn media_answered(&self) -> bool {
        self.core.is_some()
    }

    async fn perform(&mut self, action: Action) -> Option<CallSummary> {
        match action {
            Action::Dial { leg, target, sdp } => {
                let dialled = self
                    .plan
                    .targets
                    .get(target)
                    .ok_or(sb_sip::SipError::Malformed("dial target"))
                    .and_then(|t| self.call.dial(leg, t, sdp));
                if let Err(error) = dialled {
                    warn!(%error, "could not dial the number");
                    let failed = LegEvent::Failed {
                        status: 503,
                        reason: error.to_string(),
                    };
                    if let Some(core) = &mut self.core {
                        core.handle_leg(unix_millis(), leg, failed);
                    }
                }
            }
            Action::Ring { sdp, .. } => {
                // Without early media the agent hears ringback meanwhile.
                if sdp.is_none() {
                    self.media.handle.command(SessionCommand::Hear(
                        CALLER,
                        Hearing::Tone(ToneGenerator::ringback()),
                    ));
                }
                self.shared
                    .call_event(self.live_id, |call| CtiEvent::CallRinging { call });
            }
            // Early media or the answer: the agent hears the number. Its
            // phone answered long ago; a codec the number chose otherwise
            // is transcoded by the media session.
            Action::Bridge { .. } => {
                self.media
                    .handle
                    .command(SessionCommand::Bridge(CALLER, CALLEE));
            }
            Action::Answer { .. } => {
                self.answered = true;
                self.start_recording();
                self.shared
                    .live_calls
                    .update(self.live_id, |c| c.answered_at = Some(unix_millis()));
                self.shared
                    .call_event(self.live_id, |call| CtiEvent::CallAnswered { call });
            }
            Action::Reject { .. } => {
                if !self.agent_gone {
                    self.call.hangup(AGENT_LEG).await;
                }
            }
            Action::Cancel { leg } => self.call.cancel(leg).await,
            Action::Hangup { leg } => {
                let leg = if leg == LegId::A { AGENT_LEG } else { leg };
                if leg != AGENT_LEG || !self.agent_gone {
                    self.call.hangup(leg).await;
                }
            }
            Action::ReInvite { leg, sdp } => {
                let sdp = self.media.for_leg(leg, sdp);
                let leg = if leg == LegId::A { AGENT_LEG } else { leg };
                self.call.reinvite(leg, sdp);
            }
            Action::AnswerReInvite { leg, status, sdp } => {
                let sdp = self.media.for_leg(leg, sdp);
                let leg = if leg == LegId::A { AGENT_LEG } else { leg };
                self.call.answer_reinvite(leg, status, sdp).await;
            }
            Action::Ended(mut summary) => {
                summary.started_at = self.started;
                return Some(summary);
            }
            // Transfers, consultations and intercepts come from commands,
            // which a call the switch placed does not take (yet).
            other => debug!(action = ?other, "not used by a placed call"),
        }
        None
    }

    async fn finish(mut self, summary: CallSummary) {
        self.release_extras().await;
        self.call.release();
        info!(disposition = summary.disposition.code(), cause = %summary.cause, "click-to-call ended");
        self.shared
            .call_event(self.live_id, |call| crate::cti::ended(call, &summary));
        self.shared.live_calls.remove(self.live_id);
        let record = self.plan.record(self.call.caller_call_id(), &summary);
        if self.shared.records.send(record).await.is_err() {
            warn!("CDR writer stopped: record lost");
        }
        let call_id = self.call.caller_call_id();
        call_task::finish_recordings(
            &self.shared,
            call_id,
            &self.plan,
            summary.ended_at,
            &mut self.media,
        )
        .await;
    }
}
