//! One task per call (STYLE rule 3): it owns the call's SIP dialogs, its
//! B2BUA core and its grip on the media engine, and is the only place they
//! change.

use std::sync::Arc;
use std::time::Duration;

use sb_call::{Action, B2bua, CallPhase, CallSummary, LegEvent, LegId, Timers};
use sb_media::session::MediaEvent;
use sb_sip::SipCall;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::admission::CallPermit;
use crate::call_media::{CALLEE, CALLER, CallMedia, HoldOrigin};
use crate::directory::RecordingRecord;
use crate::live_calls::{CallControl, ControlError, LiveCall, Party};
use crate::media::{EngineEvent, SessionCommand};
use crate::routing::CallPlan;
use crate::shared::{Shared, unix_millis};
use sb_core::cti::CtiEvent;

/// How long a finished call waits for its recording to be closed and
/// checksummed before the metadata is written without it.
pub(crate) const RECORDING_CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

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
    mut plan: CallPlan,
    offer: Option<Vec<u8>>,
    _permit: CallPermit,
) {
    let started = unix_millis();
    let Some(mut media) = open_media(&shared, offer.as_deref()) else {
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
    };
    let offer = offer.map(|o| media.offer_for_callees(&o));
    let (live_id, mut controls) = shared.live_calls.register(live_call(&call, &plan, started));
    shared.call_event(live_id, |call| CtiEvent::CallCreated { call });
    let mut answered = false;
    // The extensions shown ringing (what call pickup looks for).
    let mut shown_ringing: Vec<String> = Vec::new();
    let mut extras: Vec<Extra> = Vec::new();
    let mut next_extra = FIRST_EXTRA_LEG;
    // A trunk channel held for a transfer to an outside number.
    let mut transfer_permit = None;
    let mut transferring = false;
    let mut sides = crate::direct_side::Sides::default();
    let (delays, mut follow_me) = crate::follow_me::prepare(&shared, &mut plan).await;
    let mut core = B2bua::start_staggered(
        started,
        offer,
        &delays,
        Timers {
            ring_timeout_ms: shared.config.ring_timeout_ms,
        },
    );
    let mut terminate = shared.terminate.clone();
    loop {
        while let Some(action) = core.poll_output() {
            let cx = crate::direct_side::Context {
                shared: &shared,
                call: &mut call,
                plan: &mut plan,
                core: &mut core,
                media: &mut media,
                live_id,
            };
            let Some(action) = sides.action(cx, action).await else {
                refresh_live_call(&shared, live_id, &media);
                continue;
            };
            let action = match &mut follow_me {
                Some(f) => match f.action(&shared, &mut plan, &mut core, action).await {
                    Some(action) => action,
                    None => continue,
                },
                None => action,
            };
            if let Action::Bridge { .. } = action
                && transferring
            {
                // A transfer's target answered: the caller talks with it.
                transferring = false;
                media.bridge_callee();
                shared.call_event(live_id, |call| CtiEvent::CallAnswered { call });
            } else if let Action::Bridge { .. } = action {
                answered = true;
                if plan.record
                    && let Some(root) = &shared.config.recordings_dir
                {
                    media.start_recording(root, &call.caller_call_id(), unix_millis());
                }
                let recording = media.recording.is_some();
                shared.live_calls.update(live_id, |c| {
                    c.answered_at = Some(unix_millis());
                    c.recording = recording;
                });
                shared.call_event(live_id, |call| CtiEvent::CallAnswered { call });
            }
            if let Action::Ring { .. } = action {
                shared.call_event(live_id, |call| CtiEvent::CallRinging { call });
            }
            if let Some(summary) = perform(&mut call, &plan, &media, &mut core, action).await {
                // Let the last BYE/CANCEL go out before the dialogs are dropped.
                while let Some(action) = core.poll_output() {
                    perform(&mut call, &plan, &media, &mut core, action).await;
                }
                release_extras(&mut call, &mut extras).await;
                call.release();
                info!(disposition = summary.disposition.code(), cause = %summary.cause, "call ended");
                shared.call_event(live_id, |call| crate::cti::ended(call, &summary));
                shared.live_calls.remove(live_id);
                record(&shared, &call, &plan, &summary).await;
                finish_recordings(
                    &shared,
                    call.caller_call_id(),
                    &plan,
                    summary.ended_at,
                    &mut media,
                )
                .await;
                return;
            }
        }
        let ringing = match core.phase() {
            CallPhase::Dialling => plan.callee_extension.iter().cloned().collect(),
            _ => Vec::new(),
        };
        if ringing != shown_ringing {
            shown_ringing = ringing.clone();
            shared.live_calls.update(live_id, |c| c.ringing = ringing);
        }
        let wait = core
            .poll_timeout()
            .map(|at| Duration::from_millis(at.saturating_sub(unix_millis())))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            event = call.next_event() => match event {
                Some((leg, LegEvent::Info { content_type, body })) if !matches!(leg, LegId::B(n) if n >= FIRST_EXTRA_LEG) => {
                    if let Some(digit) = sb_media::dtmf::parse_info(&content_type, &body) {
                        let from = if leg == LegId::A { CALLER } else { CALLEE };
                        note_digit(&shared, live_id, from, digit, "sip-info");
                    }
                }
                Some((leg @ LegId::B(n), event)) if n >= FIRST_EXTRA_LEG => {
                    if let Some(left) = extra_event(&mut call, &mut media, &mut extras, leg, event).await {
                        shared.call_event(live_id, |call| CtiEvent::CallLeft { call, extension: left });
                    }
                }
                Some((leg, event)) => {
                    if let Some(f) = &mut follow_me {
                        f.leg_event(leg, &event);
                    }
                    // A leg on media of its own never speaks for the callee's.
                    if !sides.leg_event(leg, &event) {
                        media.note_event(leg, &event);
                    }
                    core.handle_leg(unix_millis(), leg, event);
                }
                None => core.terminate(unix_millis(), "signalling lost"),
            },
            Some(event) = media.events.recv() => match event {
                EngineEvent::RecordingFinished(outcome) => {
                    recording_closed(&shared, call.caller_call_id(), &plan, &mut media, outcome).await;
                }
                EngineEvent::Media(event) => note_media_event(&shared, live_id, event),
            },
            Some((command, reply)) = controls.recv() => {
                if let CallControl::PickUp { picker } = command {
                    let cx = crate::direct_side::Context {
                        shared: &shared,
                        call: &mut call,
                        plan: &mut plan,
                        core: &mut core,
                        media: &mut media,
                        live_id,
                    };
                    let outcome = crate::direct_pickup::pick_up(cx, picker).await;
                    let _ = reply.send(outcome);
                    continue;
                }
                if let CallControl::Hangup { cause } = command {
                    info!(%cause, "call ended through the API");
                    core.terminate(unix_millis(), &cause);
                    let _ = reply.send(Ok(()));
                    continue;
                }
                if matches!(
                    command,
                    CallControl::Consult { .. }
                        | CallControl::Intercept { .. }
                        | CallControl::CompleteConsult
                        | CallControl::CancelConsult
                        | CallControl::ConferenceConsult
                ) {
                    let cx = crate::direct_side::Context {
                        shared: &shared,
                        call: &mut call,
                        plan: &mut plan,
                        core: &mut core,
                        media: &mut media,
                        live_id,
                    };
                    let outcome = sides.command(cx, command).await;
                    refresh_live_call(&shared, live_id, &media);
                    let _ = reply.send(outcome);
                    continue;
                }
                if let Some(refusal) = sides.refuse_beside_side(&core, &command) {
                    let _ = reply.send(Err(refusal));
                    continue;
                }
                if let CallControl::Transfer { target } = command {
                    let outcome = crate::direct_transfer::blind_transfer(
                        &shared, &mut plan, &mut core, &mut media, live_id, target,
                    )
                    .await
                    .map(|permit| {
                        // The caller was answered in a codec: the target
                        // is transcoded to it rather than renegotiated.
                        media.settle_caller();
                        transferring = true;
                        if permit.is_some() {
                            transfer_permit = permit;
                        }
                    });
                    let _ = reply.send(outcome);
                    continue;
                }
                let mut state = CallState {
                    call: &mut call,
                    media: &mut media,
                    extras: &mut extras,
                    next_extra: &mut next_extra,
                    answered,
                    live_id,
                };
                let outcome = control(&shared, &plan, &mut state, command).await;
                refresh_live_call(&shared, live_id, &media);
                let _ = reply.send(outcome);
            }
            () = tokio::time::sleep(wait) => core.handle_timeout(unix_millis()),
            changed = terminate.changed() => {
                if changed.is_err() || *terminate.borrow() {
                    core.terminate(unix_millis(), "switch shutting down");
                }
            }
        }
    }
}

/// What the API shows of the call's media state.
pub(crate) fn refresh_live_call(shared: &Shared, live_id: u64, media: &CallMedia) {
    let (held, recording, paused) = (
        media.is_held(),
        media.recording.is_some(),
        media.recording_paused,
    );
    shared.live_calls.update(live_id, |c| {
        c.held = held;
        c.recording = recording;
        c.recording_paused = paused;
    });
}

/// The call's media session on two fresh port pairs (caller side, callee
/// side); `None` when the RTP ports are used up.
pub(crate) fn open_media(shared: &Shared, offer: Option<&[u8]>) -> Option<CallMedia> {
    let caller_side = shared.ports.bind_pair(shared.media_ip).ok()?;
    let callee_side = shared.ports.bind_pair(shared.media_ip).ok()?;
    Some(CallMedia::open(
        &shared.media,
        shared.media_ip,
        (caller_side, callee_side),
        offer,
        shared.config.inband_dtmf,
    ))
}

/// How the API first shows a call that just started.
pub(crate) fn live_call(call: &SipCall, plan: &CallPlan, started: u64) -> LiveCall {
    LiveCall {
        id: 0,
        call_id: call.caller_call_id(),
        direction: plan.direction,
        caller: plan.caller.clone(),
        callee: plan.callee.clone(),
        started_at: started,
        answered_at: None,
        held: false,
        recording: false,
        recording_paused: false,
        caller_digits: String::new(),
        callee_digits: String::new(),
        queue: None,
        agent: None,
        agent_extension: plan.callee_extension.clone(),
        ringing: Vec::new(),
    }
}

fn note_media_event(shared: &Shared, live_id: u64, event: MediaEvent) {
    match event {
        MediaEvent::Dtmf { leg, digit, source } => {
            let source = match source {
                sb_media::session::DtmfSource::Rfc4733 => "rfc4733",
                sb_media::session::DtmfSource::Inband => "in-band",
            };
            note_digit(shared, live_id, leg, digit, source);
        }
        MediaEvent::PlaybackFinished { leg, interrupted } => {
            debug!(leg, interrupted, "prompt finished");
        }
    }
}

/// A key a party pressed: logged and shown on the live call (the IVR will
/// consume them too).
fn note_digit(
    shared: &Shared,
    live_id: u64,
    leg: sb_media::session::LegIndex,
    digit: sb_media::dtmf::Digit,
    source: &'static str,
) {
    let party = if leg == CALLER { "caller" } else { "callee" };
    info!(party, key = %digit.key, duration_ms = digit.duration_ms, source, "DTMF");
    shared.live_calls.update(live_id, |call| {
        let digits = if leg == CALLER {
            &mut call.caller_digits
        } else {
            &mut call.callee_digits
        };
        crate::live_calls::push_digit(digits, digit.key);
    });
}

async fn perform(
    call: &mut SipCall,
    plan: &CallPlan,
    media: &CallMedia,
    core: &mut B2bua,
    action: Action,
) -> Option<CallSummary> {
    match action {
        Action::Dial { leg, target, sdp } => {
            let dialled = plan
                .targets
                .get(target)
                .ok_or(sb_sip::SipError::Malformed("dial target"))
                .and_then(|t| match &plan.auto_answer {
                    Some((auto, hints)) if *auto == target => {
                        call.dial_with(leg, t, sdp, hints.clone())
                    }
                    _ => call.dial(leg, t, sdp),
                });
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
        // Carried out by `direct_side` before they get here; after the
        // end of the call there is nothing left for them to do.
        Action::DialSide { .. }
        | Action::ConsultAnswered { .. }
        | Action::SideFailed { .. }
        | Action::SideLeft { .. }
        | Action::Handover { .. }
        | Action::AnswerLocally { .. } => {}
        Action::Ended(summary) => return Some(summary),
    }
    None
}

/// A command from the API on the live call; refused with the reason when
/// the call's state does not allow it.
pub(crate) async fn control(
    shared: &Shared,
    plan: &CallPlan,
    state: &mut CallState<'_>,
    command: CallControl,
) -> Result<(), ControlError> {
    let party_leg = |party: Party| {
        if party == Party::Caller {
            CALLER
        } else {
            CALLEE
        }
    };
    let answered = state.answered;
    let call = &*state.call;
    let media = &mut *state.media;
    match command {
        CallControl::Hold { party, music_class } => {
            if !answered {
                return Err(ControlError::NotNow("hold: the call is not answered yet"));
            }
            if media.in_conference() {
                return Err(ControlError::NotNow("hold: the call is a conference"));
            }
            if media.is_held() {
                return Err(ControlError::NotNow("hold: the call is already held"));
            }
            media.hold(party_leg(party), music_class.as_deref(), HoldOrigin::Api);
            // `party` is the side that holds; the event names the side put
            // on hold (who hears the music), as the API does.
            let party = if party == Party::Caller {
                "callee"
            } else {
                "caller"
            };
            shared.call_event(state.live_id, |call| CtiEvent::CallHeld {
                call,
                party: party.to_owned(),
            });
        }
        CallControl::Resume => {
            if !media.is_held() {
                return Err(ControlError::NotNow("resume: the call is not held"));
            }
            media.resume();
            shared.call_event(state.live_id, |call| CtiEvent::CallRetrieved { call });
        }
        CallControl::StartRecording => {
            if !answered {
                return Err(ControlError::NotNow("record: the call is not answered yet"));
            }
            if media.recording.is_some() {
                return Err(ControlError::NotNow("record: the call is already recorded"));
            }
            let Some(root) = &shared.config.recordings_dir else {
                return Err(ControlError::NotNow("record: recording is not configured"));
            };
            media.start_recording(root, &call.caller_call_id(), unix_millis());
        }
        CallControl::StopRecording => {
            if media.recording.is_none() {
                return Err(ControlError::NotNow(
                    "stop recording: the call is not recorded",
                ));
            }
            stop_recording(media, unix_millis());
        }
        CallControl::PauseRecording | CallControl::ResumeRecording => {
            let pause = matches!(command, CallControl::PauseRecording);
            if media.recording.is_none() {
                return Err(ControlError::NotNow(
                    "pause recording: the call is not recorded",
                ));
            }
            if media.recording_paused == pause {
                return Err(ControlError::NotNow(if pause {
                    "pause recording: already paused"
                } else {
                    "resume recording: not paused"
                }));
            }
            media.recording_paused = pause;
            media.handle.command(SessionCommand::PauseRecording(pause));
        }
        CallControl::AddParty {
            extension,
            membership,
        } => {
            if !answered {
                return Err(ControlError::NotNow(
                    "add party: the call is not answered yet",
                ));
            }
            if media.is_held() {
                return Err(ControlError::NotNow("add party: the call is held"));
            }
            if !media.room_for_party() {
                return Err(ControlError::NotNow(
                    "add party: the call has too many parties",
                ));
            }
            // A whisper reaches the agent: the callee of a call that came
            // in, the caller of one the agent made.
            let membership = match membership {
                sb_media::mixer::Membership::Whisper { .. } => {
                    let agent = if plan.direction == "outbound" {
                        CALLER
                    } else {
                        media.agent_leg()
                    };
                    sb_media::mixer::Membership::Whisper { to: agent as u32 }
                }
                other => other,
            };
            let targets = crate::routing::extension_targets(shared, &extension, &plan.caller, None);
            let Some(target) = targets.first() else {
                return Err(ControlError::NotNow(
                    "add party: the extension is not registered",
                ));
            };
            let Ok(pair) = shared.ports.bind_pair(shared.media_ip) else {
                return Err(ControlError::NotNow("add party: no RTP port is free"));
            };
            let (index, offer) = media.add_party(pair);
            let leg = LegId::B(*state.next_extra);
            *state.next_extra = state.next_extra.saturating_add(1);
            if let Err(error) = state.call.dial(leg, target, Some(offer.clone())) {
                warn!(%error, %extension, "could not dial the added party");
                media.party_left(index);
                return Err(ControlError::NotNow(
                    "add party: could not dial the extension",
                ));
            }
            info!(%extension, ?membership, "party added to the call");
            let role = match membership {
                sb_media::mixer::Membership::Full => "conference",
                sb_media::mixer::Membership::Listen => "listen",
                sb_media::mixer::Membership::Whisper { .. } => "whisper",
            };
            shared.call_event(state.live_id, |call| CtiEvent::CallJoined {
                call,
                extension: extension.clone(),
                role: role.to_owned(),
            });
            state.extras.push(Extra {
                leg,
                index,
                membership,
                offer,
                answered: false,
                extension,
            });
        }
        CallControl::Play {
            party,
            prompts,
            barge_in,
        } => {
            if !answered {
                return Err(ControlError::NotNow("play: the call is not answered yet"));
            }
            media.handle.command(SessionCommand::Play {
                leg: party_leg(party),
                prompts,
                barge_in,
            });
        }
        // The call's task carries these out itself (`direct_transfer`,
        // `direct_side`) before it gets here.
        CallControl::Hangup { .. }
        | CallControl::Transfer { .. }
        | CallControl::Consult { .. }
        | CallControl::CompleteConsult
        | CallControl::CancelConsult
        | CallControl::ConferenceConsult
        | CallControl::Intercept { .. }
        | CallControl::PickUp { .. } => {
            return Err(ControlError::NotNow("handled by the call's task"));
        }
    }
    Ok(())
}

/// Legs the switch dialled into an answered call (conference members,
/// supervisors) are numbered from here, apart from the forked callees.
pub(crate) const FIRST_EXTRA_LEG: u16 = 100;

pub(crate) struct Extra {
    pub leg: LegId,
    index: sb_media::session::LegIndex,
    membership: sb_media::mixer::Membership,
    offer: Vec<u8>,
    pub answered: bool,
    extension: String,
}

pub(crate) struct CallState<'a> {
    pub call: &'a mut SipCall,
    pub media: &'a mut CallMedia,
    pub extras: &'a mut Vec<Extra>,
    /// The next leg number for an added party; never reused in a call, so a
    /// party that left cannot be confused with one still there.
    pub next_extra: &'a mut u16,
    pub answered: bool,
    /// The call's id among the live calls, for its events.
    pub live_id: u64,
}

/// At the end of a call: the parties still dialled in are let go.
pub(crate) async fn release_extras(call: &mut SipCall, extras: &mut Vec<Extra>) {
    for extra in extras.drain(..) {
        if extra.answered {
            call.hangup(extra.leg).await;
        } else {
            call.cancel(extra.leg).await;
        }
    }
}

/// What an added party's leg reports: it joins the mixer when it answers
/// and leaves it when it fails or hangs up (then its extension is returned).
pub(crate) async fn extra_event(
    call: &mut SipCall,
    media: &mut CallMedia,
    extras: &mut Vec<Extra>,
    leg: LegId,
    event: LegEvent,
) -> Option<String> {
    let position = extras.iter().position(|e| e.leg == leg)?;
    match event {
        LegEvent::Answered { sdp } => {
            let extra = &mut extras[position];
            extra.answered = true;
            media.party_answered(extra.index, sdp.as_deref(), extra.membership);
        }
        LegEvent::Failed { .. } | LegEvent::HungUp | LegEvent::Cancelled => {
            let extra = extras.remove(position);
            info!(leg = ?extra.leg, "added party left the call");
            media.party_left(extra.index);
            return Some(extra.extension);
        }
        LegEvent::ReInvite { .. } => {
            let offer = extras[position].offer.clone();
            call.answer_reinvite(leg, 200, Some(offer)).await;
        }
        _ => {}
    }
    None
}

/// Stops the call's recording; its facts are stored when the writer has
/// closed the file (the call goes on meanwhile).
pub(crate) fn stop_recording(media: &mut CallMedia, now: u64) {
    if let Some(file) = media.recording.take() {
        media.handle.command(SessionCommand::StopRecording);
        media.closing.push_back((file, now));
    }
}

/// The writer closed the oldest stopped recording: store its facts.
pub(crate) async fn recording_closed(
    shared: &Shared,
    call_id: String,
    plan: &CallPlan,
    media: &mut CallMedia,
    outcome: Result<sb_media::recorder::FinishedRecording, String>,
) {
    let Some((file, ended_at)) = media.closing.pop_front() else {
        return;
    };
    let done = match outcome {
        Ok(done) => done,
        Err(error) => {
            warn!(%error, file = %file.relative, "recording failed");
            return;
        }
    };
    let agent_extension = match plan.direction {
        "outbound" => plan.caller_extension.clone(),
        _ => plan.callee_extension.clone(),
    };
    let recording = RecordingRecord {
        call_id,
        direction: plan.direction,
        caller: plan.caller.clone(),
        callee: plan.callee.clone(),
        agent_extension,
        trunk_id: plan.trunk.as_ref().map(|t| t.0),
        trunk_name: plan.trunk.as_ref().map(|t| t.1.clone()).unwrap_or_default(),
        started_at: file.started_at,
        ended_at: ended_at.max(file.started_at),
        duration_ms: done.duration_ms,
        layout: "stereo",
        file: file.relative,
        size_bytes: done.size_bytes,
        sha256: done.sha256,
    };
    if let Err(error) = shared.directory.write_recording(recording).await {
        warn!(%error, "could not store the recording's facts");
    }
}

/// At the end of the call: stops the recording and stores the facts of
/// every recording still being closed.
pub(crate) async fn finish_recordings(
    shared: &Shared,
    call_id: String,
    plan: &CallPlan,
    ended_at: u64,
    media: &mut CallMedia,
) {
    stop_recording(media, ended_at);
    let deadline = tokio::time::Instant::now() + RECORDING_CLOSE_TIMEOUT;
    while !media.closing.is_empty() {
        match tokio::time::timeout_at(deadline, media.events.recv()).await {
            Ok(Some(EngineEvent::RecordingFinished(outcome))) => {
                recording_closed(shared, call_id.clone(), plan, media, outcome).await;
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                for (file, _) in media.closing.drain(..) {
                    warn!(file = %file.relative, "recording was not closed in time");
                }
            }
        }
    }
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
