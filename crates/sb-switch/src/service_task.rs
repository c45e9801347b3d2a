//! One task per service call (MISSION I1-I9, A1-A10, Q1): a call the switch
//! answers itself. The voice flow's interpreter (sb-ivr) says what to play
//! and where to go; the caller's keys come from the media engine; a queue
//! node hands the caller to the ACD task, whose offers ring agents' phones
//! through the sans-IO [`ServiceCall`] core; when an agent hangs up first
//! the caller hears the survey. The caller's trail, the CDR, recordings,
//! voicemail and survey answers are written through the directory.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sb_call::{LegEvent, LegId, ServiceAction, ServiceCall};
use sb_ivr::{CallFacts, Input, Interpreter, Output};
use sb_media::session::MediaEvent;
use sb_sip::{DialTarget, SipCall};
use tokio::sync::mpsc;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::acd_task::{AcdNotice, CallReport};
use crate::admission::CallPermit;
use crate::call_media::{CALLER, CallMedia};
use crate::call_task::{self, CallState, Extra, FIRST_EXTRA_LEG};
use crate::directory::{
    CallTrailRecord, OverflowTarget, QueueSetup, SurveyRecord, VoicemailRecord,
};
use crate::live_calls::CallControl;
use crate::media::{EngineEvent, SessionCommand};
use crate::prompt_library::{Language, Speech};
use crate::routing::{CallPlan, Service, extension_targets, route_out};
use crate::service_flow::{self, LoadedFlow};
use crate::shared::{Shared, unix_millis};
use sb_core::cti::CtiEvent;

mod busy_agent;
mod control;
mod follow_me;
mod pickup;

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

    /// The caller goes on in another flow (the survey, a queue's overflow
    /// flow), keeping the trail so far; false if the flow cannot run.
    async fn continue_in_flow(&mut self, name: &str) -> bool {
        let loaded = match service_flow::load(
            &self.shared.flows,
            self.shared.directory.as_ref(),
            &Service::Flow(name.into()),
        )
        .await
        {
            Ok(loaded) => loaded,
            Err(error) => {
                debug!(%error, flow = name, "flow unavailable");
                return false;
            }
        };
        self.earlier_trail.extend(trail_json(&self.ivr));
        let facts = CallFacts {
            call_id: self.call.caller_call_id(),
            caller: self.plan.caller.clone(),
            dialled: self.plan.callee.clone(),
        };
        self.ivr = Interpreter::start(
            unix_millis(),
            loaded.flows.clone(),
            facts,
            loaded.calendars.clone(),
        );
        info!(
            flow = name,
            version = loaded.version,
            "caller continues in another flow"
        );
        true
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

    fn caller_digit(&mut self, digit: sb_media::dtmf::Digit, source: &'static str) {
        info!(key = %digit.key, source, "caller pressed a key");
        self.shared.live_calls.update(self.live_id, |call| {
            crate::live_calls::push_digit(&mut call.caller_digits, digit.key);
        });
        if self.connected.is_some() {
            return;
        }
        if self.voicemail.as_ref().is_some_and(|v| v.started) && digit.key == '#' {
            self.core.hang_up(unix_millis(), "voicemail left");
            return;
        }
        self.ivr.handle(unix_millis(), Input::Digit(digit.key));
    }

    async fn flow_output(&mut self, output: Output) {
        match output {
            Output::Play {
                prompts,
                language,
                barge_in,
            } => {
                self.language = language;
                let (prompts, problems) = self.shared.prompts.render(&prompts, language).await;
                for problem in problems {
                    warn!(%problem, "prompt skipped");
                }
                self.plays_outstanding += 1;
                self.media.handle.command(SessionCommand::Play {
                    leg: CALLER,
                    prompts,
                    barge_in,
                });
            }
            Output::StopPlayback => {
                self.media
                    .handle
                    .command(SessionCommand::StopPlaying(CALLER));
            }
            Output::Lookup {
                request,
                url,
                method,
                params,
                timeout_ms,
            } => {
                let client = self.shared.lookups.clone();
                let answers = self.lookups.clone();
                tokio::spawn(async move {
                    let result = client
                        .fetch(&url, &method, &params, Duration::from_millis(timeout_ms))
                        .await;
                    if let Err(error) = &result {
                        warn!(%url, %error, "IVR lookup failed");
                    }
                    let _ = answers.send((request, result));
                });
            }
            Output::Queue {
                queue,
                priority,
                data,
            } => self.enter_queue(queue, priority, data).await,
            Output::Transfer { target } => self.transfer(target).await,
            Output::Voicemail {
                mailbox,
                max_seconds,
            } => {
                let (kind, mailbox) = match mailbox {
                    sb_ivr::Mailbox::Queue(queue) => ("queue", queue),
                    sb_ivr::Mailbox::Agent(agent) => ("agent", agent),
                };
                self.start_voicemail(kind, mailbox, max_seconds, false)
                    .await;
            }
            Output::SurveyAnswered { question, digit } => {
                let served = self.served_by.clone();
                let survey = SurveyRecord {
                    call_id: self.call.caller_call_id(),
                    question,
                    digit,
                    agent: served.as_ref().and_then(|s| s.agent.clone()),
                    queue: served.and_then(|s| s.queue),
                    at: unix_millis(),
                };
                info!(digit = %digit, "survey answered");
                if let Err(error) = self.shared.directory.write_survey(survey).await {
                    warn!(%error, "could not store the survey answer");
                }
            }
            Output::Hangup => self.core.hang_up(unix_millis(), "flow ended"),
        }
    }

    async fn enter_queue(
        &mut self,
        queue: String,
        priority: u8,
        data: std::collections::BTreeMap<String, String>,
    ) {
        let Some(setup) = self.shared.acd.queue(&queue) else {
            warn!(%queue, "the flow names a queue that does not exist");
            self.ivr.handle(
                unix_millis(),
                Input::QueueOverflowed {
                    reason: format!("no queue named {queue}"),
                },
            );
            return;
        };
        info!(%queue, priority, ?data, "caller queued");
        // Each stay in a queue is its own call for the ACD: a caller back
        // from an overflow is not a duplicate of the finished entry.
        self.call_ref = self.shared.acd.new_call_ref();
        self.media
            .handle
            .command(SessionCommand::HearMusic(CALLER, setup.music_class.clone()));
        let sticky = setup.acd.sticky_wait_ms.is_some();
        let now = unix_millis();
        self.queued = Some(Queued {
            queue: queue.clone(),
            since: now,
            next_announcement: setup
                .announce_position
                .then(|| now + setup.announce_interval_ms.max(10_000)),
            setup,
        });
        let preferred = if sticky {
            self.shared
                .directory
                .last_agent(&self.plan.caller)
                .await
                .unwrap_or_else(|error| {
                    warn!(%error, "could not look up the caller's last agent");
                    None
                })
        } else {
            None
        };
        self.shared
            .live_calls
            .update(self.live_id, |c| c.queue = Some(queue.clone()));
        self.shared.acd.enqueue(
            self.call_ref,
            &queue,
            i32::from(priority),
            preferred,
            self.notices.clone(),
        );
    }

    /// A flow's transfer: an extension's or agent's phones, or a number
    /// through the outbound routes (the flow's author chose it, so any
    /// call class). The flow goes on at its failure branch if nothing rings.
    async fn transfer(&mut self, target: sb_ivr::TransferTarget) {
        let described = match &target {
            sb_ivr::TransferTarget::Extension(extension) => format!("extension:{extension}"),
            sb_ivr::TransferTarget::Agent(agent) => format!("agent:{agent}"),
            sb_ivr::TransferTarget::Number(number) => format!("number:{number}"),
        };
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallTransferred {
                call,
                kind: "blind".into(),
                target: described,
            });
        let outcome = match target {
            sb_ivr::TransferTarget::Extension(extension) => self.ring_extension(extension),
            sb_ivr::TransferTarget::Agent(agent) => match self.shared.acd.extension_of(&agent) {
                Some(extension) => self.ring_extension(extension),
                None => Err(format!("agent {agent} has no extension")),
            },
            sb_ivr::TransferTarget::Number(number) => self.ring_number(number).await,
        };
        if let Err(reason) = outcome {
            info!(%reason, "transfer failed");
            self.ivr
                .handle(unix_millis(), Input::TransferFailed { reason });
        }
    }

    fn ring_extension(&mut self, extension: String) -> Result<(), String> {
        let targets = extension_targets(&self.shared, &extension, &self.plan.caller, None);
        let link = AgentLink {
            agent: None,
            named: None,
            busy: None,
            extension,
            queue: None,
        };
        if self.ring(link, targets) {
            Ok(())
        } else {
            Err("the extension is not registered".into())
        }
    }

    async fn ring_number(&mut self, number: String) -> Result<(), String> {
        if matches!(self.shared.directory.account(&number).await, Ok(Some(a)) if a.enabled) {
            return self.ring_extension(number);
        }
        let out = route_out(
            &self.shared,
            &number,
            sb_core::CallClass::International,
            &self.plan.caller,
        )
        .await
        .map_err(|(refusal, _)| refusal.cause)?;
        let link = AgentLink {
            agent: None,
            named: None,
            busy: None,
            extension: out.number,
            queue: None,
        };
        if self.ring(link, vec![out.target]) {
            self.outbound_permit = Some(out.permit);
            Ok(())
        } else {
            Err("the call cannot ring anyone now".into())
        }
    }

    /// Rings `targets` (an agent's or extension's phones, or a trunk).
    fn ring(&mut self, link: AgentLink, targets: Vec<DialTarget>) -> bool {
        self.targets = targets;
        self.dial_hints = None;
        if !self.core.dial(self.targets.len()) {
            return false;
        }
        info!(extension = %link.extension, agent = ?link.agent, "ringing");
        if link.agent.is_none() {
            self.transfer_deadline = Some(unix_millis() + self.shared.config.ring_timeout_ms);
        }
        self.ringing_legs = self.core.ringing_legs();
        if let Some(mut subject) = self.shared.live_calls.subject(self.live_id) {
            subject.agent = link.agent.clone().or(link.named.clone());
            subject.extension = Some(link.extension.clone());
            self.shared
                .events
                .publish(CtiEvent::CallRinging { call: subject });
        }
        self.ringing = Some(link);
        true
    }

    async fn acd_notice(&mut self, notice: AcdNotice) {
        match notice {
            AcdNotice::Offer {
                agent,
                extension,
                queue,
                auto_answer,
            } => {
                let agent_extension = extension.clone();
                let mut targets =
                    extension_targets(&self.shared, &extension, &self.plan.caller, None);
                let mobile = self.offer_mobile(&agent, &extension, &mut targets).await;
                let waited_ms = self
                    .queued
                    .as_ref()
                    .map_or(0, |q| unix_millis().saturating_sub(q.since));
                if let Some(mut subject) = self.shared.live_calls.subject(self.live_id) {
                    subject.queue = Some(queue.clone());
                    subject.agent = Some(agent.clone());
                    subject.extension = Some(extension.clone());
                    self.shared.events.publish(CtiEvent::CallOffered {
                        call: subject,
                        waited_ms,
                    });
                }
                let link = AgentLink {
                    agent: Some(agent.clone()),
                    named: None,
                    busy: None,
                    extension,
                    queue: Some(queue),
                };
                if self.ringing.as_ref().is_some_and(|r| r.agent.is_some()) {
                    // A ring-all queue: this agent's phones ring too.
                    self.targets = targets;
                    self.offer_hints(auto_answer, &agent_extension);
                    let legs = self.core.dial_more(self.targets.len());
                    self.mobile_rung(mobile, &legs);
                    if legs.is_empty() {
                        self.shared.acd.report(CallReport::NoAnswer {
                            call: self.call_ref,
                            agent,
                        });
                    } else {
                        info!(extension = %link.extension, %agent, "ringing too (ring all)");
                        self.also_ringing.push((link, legs));
                    }
                    return;
                }
                let rung = self.ring(link, targets);
                if rung {
                    self.offer_hints(auto_answer, &agent_extension);
                    let legs = self.ringing_legs.clone();
                    self.mobile_rung(mobile, &legs);
                } else {
                    // No registered phone (or the caller is already being
                    // connected): the ACD counts a miss and moves on.
                    self.shared.acd.report(CallReport::NoAnswer {
                        call: self.call_ref,
                        agent,
                    });
                }
            }
            AcdNotice::CancelOffer { agent } => {
                let names = |link: &Option<AgentLink>| {
                    link.as_ref()
                        .is_some_and(|l| l.agent.as_deref() == Some(agent.as_str()))
                };
                if let Some(index) = self
                    .also_ringing
                    .iter()
                    .position(|(link, _)| names(&Some(link.clone())))
                {
                    let (_, legs) = self.also_ringing.remove(index);
                    self.core.cancel_legs(&legs);
                } else if names(&self.ringing) {
                    if self.also_ringing.is_empty() {
                        self.ringing = None;
                        self.core.cancel_dial();
                    } else {
                        // Another ring-all agent still rings: it takes the lead.
                        self.core.cancel_legs(&self.ringing_legs);
                        let (link, legs) = self.also_ringing.remove(0);
                        self.ringing = Some(link);
                        self.ringing_legs = legs;
                    }
                } else if names(&self.connected) && self.queued.is_some() {
                    // The ring timeout crossed the agent's answer: the ACD
                    // has the caller waiting again, so the agent is let go
                    // and the caller waits with them.
                    warn!(%agent, "the agent answered as the ring timeout fired: back to the queue");
                    self.connected = None;
                    self.core.release_agent();
                    call_task::stop_recording(&mut self.media, unix_millis());
                    if let Some(queued) = &mut self.queued {
                        self.media.handle.command(SessionCommand::HearMusic(
                            CALLER,
                            queued.setup.music_class.clone(),
                        ));
                        queued.next_announcement = queued
                            .setup
                            .announce_position
                            .then(|| unix_millis() + queued.setup.announce_interval_ms.max(10_000));
                    }
                }
            }
            AcdNotice::Overflow { queue, reason } => {
                info!(%queue, %reason, "queue overflow");
                // The queue no longer holds the caller: no agent may still
                // ring for it, and the music stops.
                if self.ringing.as_ref().is_some_and(|r| r.agent.is_some()) {
                    self.ringing = None;
                    self.also_ringing.clear();
                    self.core.cancel_dial();
                }
                self.media.handle.command(SessionCommand::Hear(
                    CALLER,
                    sb_media::session::Hearing::Nothing,
                ));
                let setup = self.queued.take().map(|q| q.setup);
                let target = setup.map(|s| {
                    if reason == "no_agents" {
                        s.on_no_agent
                    } else {
                        s.on_overflow
                    }
                });
                self.overflow(queue, reason, target.unwrap_or(OverflowTarget::Flow))
                    .await;
            }
        }
    }

    async fn overflow(&mut self, queue: String, reason: String, target: OverflowTarget) {
        match target {
            OverflowTarget::Flow => {
                self.ivr
                    .handle(unix_millis(), Input::QueueOverflowed { reason });
            }
            OverflowTarget::Queue(next) if next != queue => {
                self.enter_queue(next, 0, Default::default()).await;
            }
            OverflowTarget::Voicemail => {
                self.start_voicemail("queue", queue, QUEUE_VOICEMAIL_SECONDS, true)
                    .await;
            }
            OverflowTarget::Number(number) => {
                self.transfer(sb_ivr::TransferTarget::Number(number)).await;
            }
            OverflowTarget::OtherFlow(flow) => {
                if !self.continue_in_flow(&flow).await {
                    self.ivr
                        .handle(unix_millis(), Input::QueueOverflowed { reason });
                }
            }
            OverflowTarget::Queue(_) => {
                self.ivr
                    .handle(unix_millis(), Input::QueueOverflowed { reason });
            }
        }
    }

    /// Records the caller into a voicemail box after the beep (and, when
    /// the queue rather than the flow sent the caller here, the standard
    /// "leave a message" greeting first); `#` or hanging up ends it.
    async fn start_voicemail(
        &mut self,
        kind: &'static str,
        mailbox: String,
        max_seconds: u32,
        greeting: bool,
    ) {
        let Some(root) = self.shared.config.recordings_dir.clone() else {
            warn!("voicemail needs a recordings folder");
            self.core.hang_up(unix_millis(), "voicemail unavailable");
            return;
        };
        let mut items = Vec::new();
        if greeting {
            items.push(Speech::Builtin("leave-message-after-tone".into()));
        }
        items.push(Speech::Builtin("beep".into()));
        let (prompts, _) = self.shared.prompts.render(&items, self.language).await;
        let lead_in: u64 = prompts.iter().map(|p| p.duration_ms()).sum();
        self.media.handle.command(SessionCommand::Play {
            leg: CALLER,
            prompts,
            barge_in: false,
        });
        let now = unix_millis();
        self.media
            .start_voicemail(&root, &self.call.caller_call_id(), now);
        self.voicemail = Some(PendingVoicemail {
            kind,
            mailbox,
            until: now + lead_in + u64::from(max_seconds.max(5)) * 1000,
            started: true,
        });
        info!(kind, "recording voicemail");
    }

    fn announce_position(&mut self) {
        let Some(queued) = &self.queued else {
            return;
        };
        let acd = self.shared.acd.clone();
        let library = self.shared.prompts.clone();
        let announcements = self.announcements.clone();
        let language = self.language;
        let call_ref = self.call_ref;
        let queue = queued.queue.clone();
        tokio::spawn(async move {
            let Some(position) = acd.position(call_ref).await else {
                return;
            };
            let mut items = vec![Speech::Builtin("your-position-is".into())];
            let shown = match language {
                // 您前面还有 N 位: the callers ahead, not the caller's place.
                Language::Zh => position.position.saturating_sub(1),
                Language::En => position.position,
            };
            items.push(Speech::Number(shown.to_string()));
            items.push(Speech::Builtin("callers-ahead".into()));
            if let Some(wait) = position.expected_wait_ms {
                items.push(Speech::Builtin("expected-wait".into()));
                items.push(Speech::Number(wait.div_ceil(60_000).max(1).to_string()));
                items.push(Speech::Builtin("minutes".into()));
            }
            debug!(%queue, position = position.position, "announcing the queue position");
            let (prompts, _) = library.render(&items, language).await;
            let _ = announcements.send((AnnouncementFor::Queue, prompts));
        });
    }

    /// Renders an announcement in the background; the loop plays it.
    fn render_announcement(&self, purpose: AnnouncementFor, items: Vec<Speech>) {
        let library = self.shared.prompts.clone();
        let announcements = self.announcements.clone();
        let language = self.language;
        tokio::spawn(async move {
            let (prompts, _) = library.render(&items, language).await;
            let _ = announcements.send((purpose, prompts));
        });
    }

    /// Plays a rendered announcement if what it announces still holds,
    /// counted like the flow's own plays.
    fn announce(&mut self, (purpose, prompts): Announcement) {
        let relevant = match purpose {
            AnnouncementFor::Queue => {
                self.queued.is_some() && self.ringing.is_none() && self.connected.is_none()
            }
            AnnouncementFor::Agent => self.connected.is_some(),
        };
        if !relevant || prompts.is_empty() {
            return;
        }
        self.plays_outstanding += 1;
        self.media.handle.command(SessionCommand::Play {
            leg: CALLER,
            prompts,
            barge_in: false,
        });
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

    /// An offer to an agent who chose auto-answer at sign-in rings their
    /// phone with the hints (`ring` cleared them); never their mobile.
    fn offer_hints(&mut self, auto_answer: bool, extension: &str) {
        self.dial_hints = if auto_answer {
            let hints = crate::originate_task::auto_answer_headers(self.shared.stack.local_addr());
            Some((extension.to_owned(), hints))
        } else {
            None
        };
    }

    /// Publishes which extensions ring for the call when that changed.
    fn show_ringing(&mut self) {
        let ringing: Vec<String> = if self.core.is_dialling() {
            self.ringing
                .iter()
                .chain(self.also_ringing.iter().map(|(link, _)| link))
                .map(|link| link.extension.clone())
                .collect()
        } else {
            Vec::new()
        };
        if ringing != self.shown_ringing {
            self.shown_ringing = ringing.clone();
            self.shared
                .live_calls
                .update(self.live_id, |c| c.ringing = ringing);
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
