//! One task per service call (MISSION I1-I9, A1-A10, Q1): a call the switch
//! answers itself. The voice flow's interpreter (sb-ivr) says what to play
//! and where to go; the caller's keys come from the media engine; a queue
//! node hands the caller to the ACD task, whose offers ring agents' phones
//! through the sans-IO [`ServiceCall`] core; when an agent hangs up first
//! the caller hears the survey. The caller's trail, the CDR, recordings,
//! voicemail and survey answers are written through the directory.
//!
//! Layout: this file runs the call (its loop, the core's actions, the
//! agent answering and leaving, the end); `flow` is the caller in the voice
//! flow, `queueing` the caller in a queue and the ACD's notices, `control`
//! what agents and supervisors do to the call, `pickup` call pickup,
//! `follow_me` agents' mobiles, `busy_agent` an agent held out of
//! distribution.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sb_call::{LegEvent, LegId, ServiceAction, ServiceCall};
use sb_ivr::{CallFacts, Input, Interpreter};
use sb_media::session::MediaEvent;
use sb_sip::{DialTarget, SipCall};
use tokio::sync::mpsc;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::acd_task::{AcdNotice, CallReport};
use crate::admission::CallPermit;
use crate::call_media::{CALLER, CallMedia};
use crate::call_task::{self, CallState, Extra, FIRST_EXTRA_LEG};
use crate::directory::{CallTrailRecord, QueueSetup, VoicemailRecord};
use crate::live_calls::CallControl;
use crate::media::{EngineEvent, SessionCommand};
use crate::prompt_library::{Language, Speech};
use crate::routing::CallPlan;
use crate::service_flow::{self, LoadedFlow};
use crate::shared::{Shared, unix_millis};
use sb_core::cti::CtiEvent;

mod busy_agent;
mod control;
mod flow;
mod follow_me;
mod pickup;
mod queueing;

/// The flow a caller hears when the agent hangs up first, if the admin
/// made one (MISSION Q1).
const SURVEY_FLOW: &str = "survey";

/// The longest message a queue's own voicemail takes.
const QUEUE_VOICEMAIL_SECONDS: u32 = 120;

pub(crate) fn spawn(
    shared: Arc<Shared>,
    call: SipCall,
    plan: CallPlan,
    offer: Option<Vec<u8>>,
    permit: CallPermit,
) {
    let span = info_span!("service_call", call_id = %call.caller_call_id(), caller = %plan.caller, callee = %plan.callee);
    tokio::spawn(run(shared, call, plan, offer, permit).instrument(span));
}

/// A back-end's answer to the flow's lookup `request`.
type LookupAnswer = (
    u64,
    Result<std::collections::BTreeMap<String, String>, String>,
);

/// What a rendered announcement is for: it is played only if the call is
/// still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnouncementFor {
    Queue,
    Agent,
}

type Announcement = (AnnouncementFor, Vec<sb_media::prompt::Prompt>);

/// The caller waits in a queue.
struct Queued {
    queue: String,
    /// When the caller entered the queue.
    since: u64,
    setup: QueueSetup,
    next_announcement: Option<u64>,
}

/// An agent's phone rings, or the agent talks with the caller.
#[derive(Clone)]
struct AgentLink {
    /// Employee id when the ACD chose the agent; `None` for a transfer to
    /// an extension.
    agent: Option<String>,
    /// The agent a transfer named, shown on the call (the ACD did not
    /// offer it, so it hears no report).
    named: Option<String>,
    /// Keeps that named agent out of distribution while this link lives.
    #[expect(
        dead_code,
        reason = "held for its Drop, which makes the agent ready again"
    )]
    busy: Option<Arc<busy_agent::BusyAgent>>,
    extension: String,
    queue: Option<String>,
}

struct PendingVoicemail {
    kind: &'static str,
    mailbox: String,
    /// When recording stops at the latest.
    until: u64,
    started: bool,
}

struct Run {
    shared: Arc<Shared>,
    call: SipCall,
    plan: CallPlan,
    media: CallMedia,
    core: ServiceCall,
    ivr: Interpreter,
    flow: LoadedFlow,
    /// Trail steps of flows the call already left (the survey follows the
    /// main flow).
    earlier_trail: Vec<serde_json::Value>,
    language: Language,
    call_ref: u64,
    notices: mpsc::UnboundedSender<AcdNotice>,
    lookups: mpsc::UnboundedSender<LookupAnswer>,
    /// Prompts rendered in the background (position and agent-number
    /// announcements), played from the loop so every play is counted.
    announcements: mpsc::UnboundedSender<Announcement>,
    live_id: u64,
    caller_answer: Option<Vec<u8>>,
    agent_offer: Option<Vec<u8>>,
    targets: Vec<DialTarget>,
    queued: Option<Queued>,
    ringing: Option<AgentLink>,
    /// The legs ringing for `ringing`.
    ringing_legs: Vec<LegId>,
    /// Further agents a ring-all queue offered the same call to, with the
    /// legs ringing their phones.
    also_ringing: Vec<(AgentLink, Vec<LegId>)>,
    connected: Option<AgentLink>,
    /// The last agent who talked with the caller, for the survey.
    served_by: Option<AgentLink>,
    plays_outstanding: u32,
    voicemail: Option<PendingVoicemail>,
    reinvite_offers: HashMap<LegId, Vec<u8>>,
    /// A trunk channel held while a transfer to an outside number is up.
    outbound_permit: Option<crate::admission::TrunkPermit>,
    /// When a transfer that rings unanswered gives up (the ACD times its
    /// own offers).
    transfer_deadline: Option<u64>,
    extras: Vec<Extra>,
    next_extra: u16,
    /// The consulted party or intercepting supervisor, while it is beside
    /// the call.
    side: Option<control::SideParty>,
    /// When the side leg's ringing gives up.
    side_deadline: Option<u64>,
    /// Legs that took over from a side leg keep their own media: their
    /// re-INVITEs are answered with this offer.
    side_offers: HashMap<LegId, Vec<u8>>,
    /// The ringing transfer was asked for through the API (not the flow).
    api_transfer: bool,
    /// The queue a transferred caller returns to if nobody answers.
    transfer_fallback: Option<control::Fallback>,
    /// Auto-answer hints sent with the current dial to the phones of this
    /// extension (a picker's, an auto-answering agent's), not to a mobile.
    dial_hints: Option<(String, Vec<(String, String)>)>,
    /// The extensions shown ringing (what call pickup looks for).
    shown_ringing: Vec<String>,
    /// Agents' mobiles rung with their offers (follow-me, G8).
    mobiles: follow_me::AgentMobiles,
}

async fn run(
    shared: Arc<Shared>,
    call: SipCall,
    plan: CallPlan,
    offer: Option<Vec<u8>>,
    _permit: CallPermit,
) {
    let started = unix_millis();
    let Some(service) = plan.service.clone() else {
        return;
    };
    let flow = match service_flow::load(&shared.flows, shared.directory.as_ref(), &service).await {
        Ok(flow) => flow,
        Err(error) => {
            warn!(%error, "voice flow unavailable: refusing the call");
            refuse(&shared, call, &plan, started, 503, &error).await;
            return;
        }
    };
    let Some(offer) = offer else {
        refuse(&shared, call, &plan, started, 488, "no SDP offer").await;
        return;
    };
    let Some(mut media) = call_task::open_media(&shared, Some(&offer)) else {
        warn!("no RTP ports left: refusing the call");
        refuse(&shared, call, &plan, started, 503, "no RTP ports").await;
        return;
    };
    let Some(caller_answer) = media.local_answer(LegId::A, &offer) else {
        refuse(&shared, call, &plan, started, 488, "no codec in common").await;
        return;
    };
    let caller_answer = Some(caller_answer);
    let agent_offer = Some(media.offer_for_callees(&offer));
    let (live_id, mut controls) = shared
        .live_calls
        .register(call_task::live_call(&call, &plan, started));
    shared.call_event(live_id, |call| CtiEvent::CallCreated { call });
    let facts = CallFacts {
        call_id: call.caller_call_id(),
        caller: plan.caller.clone(),
        dialled: plan.callee.clone(),
    };
    let ivr = Interpreter::start(started, flow.flows.clone(), facts, flow.calendars.clone());
    let (notices, mut notices_rx) = mpsc::unbounded_channel();
    let (lookups, mut lookups_rx) = mpsc::unbounded_channel();
    let (announcements, mut announcements_rx) = mpsc::unbounded_channel();
    info!(flow = %flow.name, version = flow.version, "service call answered by the switch");
    let mut run = Run {
        call_ref: shared.acd.new_call_ref(),
        shared,
        call,
        plan,
        media,
        core: ServiceCall::start(started),
        ivr,
        flow,
        earlier_trail: Vec::new(),
        language: Language::Zh,
        notices,
        lookups,
        announcements,
        live_id,
        caller_answer,
        agent_offer,
        targets: Vec::new(),
        queued: None,
        ringing: None,
        ringing_legs: Vec::new(),
        also_ringing: Vec::new(),
        connected: None,
        served_by: None,
        plays_outstanding: 0,
        voicemail: None,
        reinvite_offers: HashMap::new(),
        outbound_permit: None,
        transfer_deadline: None,
        extras: Vec::new(),
        next_extra: FIRST_EXTRA_LEG,
        side: None,
        side_deadline: None,
        side_offers: HashMap::new(),
        api_transfer: false,
        transfer_fallback: None,
        dial_hints: None,
        shown_ringing: Vec::new(),
        mobiles: follow_me::AgentMobiles::default(),
    };
    let mut terminate = run.shared.terminate.clone();
    loop {
        if let Some(summary) = run.settle().await {
            run.finish(summary).await;
            return;
        }
        run.show_ringing();
        let wait = run
            .next_deadline()
            .map(|at| Duration::from_millis(at.saturating_sub(unix_millis())))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            event = run.call.next_event() => match event {
                Some((leg, event)) => run.leg_event(leg, event).await,
                None => run.core.hang_up(unix_millis(), "signalling lost"),
            },
            Some(event) = run.media.events.recv() => run.engine_event(event).await,
            Some(notice) = notices_rx.recv() => run.acd_notice(notice).await,
            Some(announcement) = announcements_rx.recv() => run.announce(announcement),
            Some((request, result)) = lookups_rx.recv() => {
                run.ivr.handle(unix_millis(), Input::LookupAnswered { request, result });
            }
            Some((command, reply)) = controls.recv() => {
                let outcome = match command {
                    CallControl::Hangup { .. }
                    | CallControl::Transfer { .. }
                    | CallControl::Consult { .. }
                    | CallControl::CompleteConsult
                    | CallControl::CancelConsult
                    | CallControl::ConferenceConsult
                    | CallControl::Intercept { .. } => run.agent_control(command).await,
                    CallControl::PickUp { picker } => run.pick_up(picker).await,
                    command => match run.refuse_beside_side(&command) {
                        Some(refusal) => Err(refusal),
                        None => {
                            let mut state = CallState {
                                call: &mut run.call,
                                media: &mut run.media,
                                extras: &mut run.extras,
                                next_extra: &mut run.next_extra,
                                answered: run.connected.is_some(),
                                live_id: run.live_id,
                            };
                            let outcome =
                                call_task::control(&run.shared, &run.plan, &mut state, command).await;
                            run.refresh_live_call();
                            outcome
                        }
                    },
                };
                let _ = reply.send(outcome);
            }
            () = tokio::time::sleep(wait) => run.timers(unix_millis()).await,
            changed = terminate.changed() => {
                if changed.is_err() || *terminate.borrow() {
                    run.core.hang_up(unix_millis(), "switch shutting down");
                }
            }
        }
    }
}

impl Run {
    /// Drains the call core and the interpreter until neither has anything
    /// to do; the call's summary once it ended.
    async fn settle(&mut self) -> Option<sb_call::CallSummary> {
        loop {
            let mut progressed = false;
            while let Some(action) = self.core.poll_output() {
                progressed = true;
                if let Some(summary) = self.perform(action).await {
                    // The last BYEs and CANCELs go out before the dialogs drop.
                    while let Some(action) = self.core.poll_output() {
                        self.perform(action).await;
                    }
                    return Some(summary);
                }
            }
            while let Some(output) = self.ivr.poll_output() {
                progressed = true;
                self.flow_output(output).await;
            }
            if !progressed {
                return None;
            }
        }
    }

    fn next_deadline(&self) -> Option<u64> {
        [
            self.ivr.poll_timeout(),
            self.queued.as_ref().and_then(|q| q.next_announcement),
            self.voicemail
                .as_ref()
                .filter(|v| v.started)
                .map(|v| v.until),
            self.transfer_deadline,
            self.side_deadline,
            self.mobiles_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    async fn timers(&mut self, now: u64) {
        self.ivr.handle_timeout(now);
        self.ring_waiting_mobiles(now).await;
        if self.side_deadline.is_some_and(|at| at <= now) {
            self.side_timed_out();
        }
        if self.transfer_deadline.is_some_and(|at| at <= now) {
            self.transfer_deadline = None;
            if self.ringing.as_ref().is_some_and(|r| r.agent.is_none()) {
                self.ringing = None;
                self.outbound_permit = None;
                self.core.cancel_dial();
                self.flow_transfer_failed("no answer".into()).await;
            }
        }
        if self
            .voicemail
            .as_ref()
            .is_some_and(|v| v.started && v.until <= now)
        {
            self.core.hang_up(now, "voicemail time limit");
        }
        if let Some(queued) = &mut self.queued
            && queued.next_announcement.is_some_and(|at| at <= now)
        {
            queued.next_announcement = Some(now + queued.setup.announce_interval_ms.max(10_000));
            self.announce_position();
        }
    }

    async fn perform(&mut self, action: ServiceAction) -> Option<sb_call::CallSummary> {
        self.sweep_mobiles();
        match action {
            ServiceAction::AnswerCaller => self.call.answer(self.caller_answer.clone()),
            ServiceAction::Dial { leg, target } => {
                let dialled = self
                    .targets
                    .get(target)
                    .ok_or(sb_sip::SipError::Malformed("dial target"))
                    .and_then(|t| {
                        let hints = match &self.dial_hints {
                            Some((extension, hints)) if *extension == t.to_user => hints.clone(),
                            _ => Vec::new(),
                        };
                        self.call.dial_with(leg, t, self.agent_offer.clone(), hints)
                    });
                if let Err(error) = dialled {
                    warn!(%error, "could not dial the agent");
                    let failed = LegEvent::Failed {
                        status: 503,
                        reason: error.to_string(),
                    };
                    self.core.handle_leg(unix_millis(), leg, failed);
                }
            }
            ServiceAction::Cancel { leg } => self.call.cancel(leg).await,
            ServiceAction::Hangup { leg } => self.call.hangup(leg).await,
            ServiceAction::AnswerReInvite { leg, status } => {
                let sdp = self
                    .reinvite_offers
                    .remove(&leg)
                    .and_then(|offer| self.media.local_answer(leg, &offer));
                self.call.answer_reinvite(leg, status, sdp).await;
            }
            ServiceAction::Bridge { leg } => self.agent_answered(leg),
            ServiceAction::DialFailed { status } => {
                self.outbound_permit = None;
                let link = self.ringing.take();
                debug!(status, "agent did not answer");
                for (other, _) in std::mem::take(&mut self.also_ringing) {
                    if let Some(agent) = other.agent {
                        self.shared.acd.report(CallReport::NoAnswer {
                            call: self.call_ref,
                            agent,
                        });
                    }
                }
                match link {
                    Some(AgentLink {
                        agent: Some(agent), ..
                    }) => self.shared.acd.report(CallReport::NoAnswer {
                        call: self.call_ref,
                        agent,
                    }),
                    Some(_) => {
                        self.transfer_deadline = None;
                        self.flow_transfer_failed(format!("the extension answered {status}"))
                            .await;
                    }
                    None => {}
                }
            }
            ServiceAction::AgentLeft { .. } => self.agent_left().await,
            ServiceAction::DialSide { leg } => self.dial_side(leg),
            ServiceAction::ConsultAnswered { leg } => self.consult_answered(leg),
            ServiceAction::SideFailed { leg, status, .. } => {
                debug!(status, "the party beside the call did not answer");
                self.side_gone(leg, false);
            }
            ServiceAction::SideLeft { leg } => self.side_gone(leg, true),
            ServiceAction::Handover { to, .. } => self.handed_over(to),
            ServiceAction::Ended(summary) => return Some(summary),
        }
        None
    }

    fn agent_answered(&mut self, leg: LegId) {
        // With a ring-all offer the answer may come from another agent's
        // phone; the ACD withdraws the others' offers itself.
        let others = std::mem::take(&mut self.also_ringing);
        let primary = self.ringing.take();
        let link = match others.into_iter().find(|(_, legs)| legs.contains(&leg)) {
            Some((winner, _)) => Some(winner),
            None => primary,
        };
        let Some(link) = link else {
            return;
        };
        let now = unix_millis();
        info!(agent = ?link.agent, extension = %link.extension, "agent answered");
        if let Some(agent) = &link.agent {
            self.shared.acd.report(CallReport::Answered {
                call: self.call_ref,
                agent: agent.clone(),
            });
        }
        // The queue entry stays until the ACD agrees the call was answered
        // (a ring timeout may cross the answer: see `acd_notice`).
        let announce = self.queued.as_mut().is_some_and(|q| {
            q.next_announcement = None;
            q.setup.announce_agent_number
        });
        self.media.bridge_callee();
        self.api_transfer = false;
        self.transfer_deadline = None;
        self.transfer_fallback = None;
        if announce && let Some(agent) = &link.agent {
            let items = vec![
                Speech::Builtin("agent-number-is".into()),
                Speech::Digits(agent.chars().filter(char::is_ascii_digit).collect()),
                Speech::Builtin("will-serve-you".into()),
            ];
            self.render_announcement(AnnouncementFor::Agent, items);
        }
        self.plan.callee_extension = Some(link.extension.clone());
        if self.plan.record
            && let Some(root) = &self.shared.config.recordings_dir
        {
            self.media
                .start_recording(root, &self.call.caller_call_id(), now);
        }
        let (agent, extension) = (
            link.agent.clone().or(link.named.clone()),
            link.extension.clone(),
        );
        self.connected = Some(link.clone());
        self.served_by = Some(AgentLink { busy: None, ..link });
        self.refresh_live_call();
        self.shared.live_calls.update(self.live_id, |c| {
            c.answered_at = Some(now);
            c.agent = agent;
            c.agent_extension = Some(extension);
        });
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallAnswered { call });
    }

    async fn agent_left(&mut self) {
        if self.core.side().is_none()
            && let Some(side) = self.side.take()
        {
            // A consultation still ringing went with the agent.
            self.side_deadline = None;
            self.media.side_dropped(side.index);
        }
        let Some(link) = self.connected.take() else {
            return;
        };
        self.outbound_permit = None;
        self.queued = None;
        info!(agent = ?link.agent, "agent hung up first");
        let extension = link.extension.clone();
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallLeft { call, extension });
        self.shared.live_calls.update(self.live_id, |c| {
            c.agent = None;
            c.agent_extension = None;
        });
        if link.agent.is_some() {
            self.shared.acd.report(CallReport::Ended {
                call: self.call_ref,
            });
        }
        call_task::stop_recording(&mut self.media, unix_millis());
        self.media.handle.command(SessionCommand::Hear(
            CALLER,
            sb_media::session::Hearing::Nothing,
        ));
        if !self.continue_in_flow(SURVEY_FLOW).await {
            self.core.hang_up(unix_millis(), "agent hung up");
        }
    }

    async fn leg_event(&mut self, leg: LegId, event: LegEvent) {
        if let LegId::B(n) = leg
            && n >= FIRST_EXTRA_LEG
        {
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
            return;
        }
        if let LegEvent::Info { content_type, body } = &event {
            if leg == LegId::A
                && let Some(digit) = sb_media::dtmf::parse_info(content_type, body)
            {
                self.caller_digit(digit, "sip-info");
            }
            return;
        }
        if let Some(offer) = self
            .side
            .as_ref()
            .filter(|s| s.leg == leg)
            .map(|s| s.offer.clone())
            .or_else(|| self.side_offers.get(&leg).cloned())
        {
            // A leg on media of its own: the switch answers its re-INVITEs
            // with that media, and its SDP never touches the agent leg's.
            match event {
                LegEvent::ReInvite { .. } => {
                    self.call.answer_reinvite(leg, 200, Some(offer)).await;
                }
                event => {
                    if let (Some(side), LegEvent::Answered { sdp }) = (&mut self.side, &event)
                        && side.leg == leg
                    {
                        side.answer = sdp.clone();
                    }
                    self.core.handle_leg(unix_millis(), leg, event);
                }
            }
            return;
        }
        if let LegEvent::ReInvite { sdp: Some(offer) } = &event {
            self.reinvite_offers.insert(leg, offer.clone());
        }
        if leg == LegId::A {
            self.media.note_event(leg, &event);
            self.core.handle_leg(unix_millis(), leg, event);
            return;
        }
        // Only the agent's phone that answered speaks for the agent side:
        // early media and late answers of other contacts are ignored.
        let noted = event.clone();
        self.core.handle_leg(unix_millis(), leg, event);
        if self.core.bridged() == Some(leg) {
            self.media.note_event(leg, &noted);
        }
    }

    async fn engine_event(&mut self, event: EngineEvent) {
        match event {
            EngineEvent::RecordingFinished(outcome) => self.recording_closed(outcome).await,
            EngineEvent::Media(MediaEvent::Dtmf { leg, digit, source }) => {
                let source = match source {
                    sb_media::session::DtmfSource::Rfc4733 => "rfc4733",
                    sb_media::session::DtmfSource::Inband => "in-band",
                };
                if leg == CALLER {
                    self.caller_digit(digit, source);
                }
            }
            EngineEvent::Media(MediaEvent::PlaybackFinished { leg, .. }) => {
                if leg != CALLER || self.plays_outstanding == 0 {
                    return;
                }
                self.plays_outstanding -= 1;
                if self.plays_outstanding == 0 {
                    self.ivr.handle(unix_millis(), Input::PlaybackFinished);
                }
            }
        }
    }

    async fn recording_closed(
        &mut self,
        outcome: Result<sb_media::recorder::FinishedRecording, String>,
    ) {
        let is_voicemail = self
            .media
            .closing
            .front()
            .is_some_and(|(file, _)| file.relative.starts_with("voicemail"));
        if !is_voicemail {
            call_task::recording_closed(
                &self.shared,
                self.call.caller_call_id(),
                &self.plan,
                &mut self.media,
                outcome,
            )
            .await;
            return;
        }
        let Some((file, _)) = self.media.closing.pop_front() else {
            return;
        };
        let Some(voicemail) = self.voicemail.take() else {
            return;
        };
        let done = match outcome {
            Ok(done) => done,
            Err(error) => {
                warn!(%error, "voicemail recording failed");
                return;
            }
        };
        let record = VoicemailRecord {
            mailbox_kind: voicemail.kind,
            mailbox: voicemail.mailbox,
            call_id: self.call.caller_call_id(),
            caller: self.plan.caller.clone(),
            file: file.relative,
            duration_ms: done.duration_ms,
            size_bytes: done.size_bytes,
            sha256: done.sha256,
            created_at: file.started_at,
        };
        info!(mailbox = %record.mailbox, duration_ms = record.duration_ms, "voicemail stored");
        if let Err(error) = self.shared.directory.write_voicemail(record).await {
            warn!(%error, "could not store the voicemail");
        }
    }

    fn refresh_live_call(&self) {
        let (held, recording, paused) = (
            self.media.is_held(),
            self.media.recording.is_some(),
            self.media.recording_paused,
        );
        self.shared.live_calls.update(self.live_id, |c| {
            c.held = held;
            c.recording = recording;
            c.recording_paused = paused;
        });
    }

    async fn finish(mut self, summary: sb_call::CallSummary) {
        call_task::release_extras(&mut self.call, &mut self.extras).await;
        self.call.release();
        info!(disposition = summary.disposition.code(), cause = %summary.cause, "service call ended");
        self.shared
            .call_event(self.live_id, |call| crate::cti::ended(call, &summary));
        self.shared.live_calls.remove(self.live_id);
        if summary.side == sb_call::HangupSide::Caller {
            self.ivr.handle(summary.ended_at, Input::CallerHungUp);
        }
        // Only an agent the ACD offered the call to is the ACD's business
        // (one reached by a transfer was never its call).
        if self.connected.as_ref().is_some_and(|l| l.agent.is_some()) {
            self.shared.acd.report(CallReport::Ended {
                call: self.call_ref,
            });
        } else if self.queued.is_some() || self.ringing.as_ref().is_some_and(|r| r.agent.is_some())
        {
            self.shared.acd.report(CallReport::Abandon {
                call: self.call_ref,
            });
        }
        let _ = self
            .shared
            .records
            .send(self.plan.record(self.call.caller_call_id(), &summary))
            .await;
        let mut steps = std::mem::take(&mut self.earlier_trail);
        steps.extend(trail_json(&self.ivr));
        let trail = CallTrailRecord {
            call_id: self.call.caller_call_id(),
            flow_name: self.flow.name.clone(),
            flow_version: self.flow.version,
            steps: serde_json::Value::Array(steps).to_string(),
        };
        if let Err(error) = self.shared.directory.write_call_trail(trail).await {
            warn!(%error, "could not store the caller's trail");
        }
        call_task::stop_recording(&mut self.media, summary.ended_at);
        let deadline = tokio::time::Instant::now() + call_task::RECORDING_CLOSE_TIMEOUT;
        while !self.media.closing.is_empty() {
            match tokio::time::timeout_at(deadline, self.media.events.recv()).await {
                Ok(Some(EngineEvent::RecordingFinished(outcome))) => {
                    self.recording_closed(outcome).await;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    for (file, _) in self.media.closing.drain(..) {
                        warn!(file = %file.relative, "recording was not closed in time");
                    }
                }
            }
        }
    }
}

fn trail_json(ivr: &Interpreter) -> Vec<serde_json::Value> {
    ivr.trail()
        .iter()
        .filter_map(|step| serde_json::to_value(step).ok())
        .collect()
}

/// A service call that cannot start still leaves its CDR.
async fn refuse(
    shared: &Shared,
    mut call: SipCall,
    plan: &CallPlan,
    at: u64,
    status: u16,
    cause: &str,
) {
    call.reject(status);
    call.release();
    let summary = call_task::failed_summary(at, &format!("{status} {cause}"));
    let _ = shared
        .records
        .send(plan.record(call.caller_call_id(), &summary))
        .await;
}
