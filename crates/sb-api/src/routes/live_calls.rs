//! Live calls (MISSION X4, G4, R2): list them and steer them — hold with
//! music, resume, start/stop/pause recording. Commands illegal in the call's
//! state are refused with 409 and the reason ("resume: the call is not held").
//! Recording changes are audited.

use axum::Json;
use axum::extract::{Path, State};
use sb_store::{AuditEvent, AuditKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::call_access::CanSteer;
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::switch_control::{CallCommand, CallControlError, CallParty, LiveCallView, MonitorMode};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls))
        .routes(routes!(hold_call))
        .routes(routes!(resume_call))
        .routes(routes!(record_call))
        .routes(routes!(add_party))
        .routes(routes!(play_to_call))
        .routes(routes!(monitor_call))
        .merge(super::call_control::router())
        .merge(super::call_pickup::router())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiveCalls {
    items: Vec<LiveCallView>,
}

#[utoipa::path(get, path = "/api/v1/calls", tag = "telephony",
    responses((status = 200, body = LiveCalls)),
    security(("session" = ["call.read"]), ("bearer" = ["call.read"])))]
async fn list_calls(_: Can<perm::CallRead>, State(state): State<AppState>) -> Json<LiveCalls> {
    Json(LiveCalls {
        items: state.switch().live_calls(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    /// The party put on hold, who hears music: `caller` or `callee`.
    party: CallParty,
    /// Music-on-hold class (a folder under the data directory's `moh`); `default` if absent.
    music_class: Option<String>,
}

/// Puts a party on hold: it hears music, the other party hears nothing.
#[utoipa::path(post, path = "/api/v1/calls/{id}/hold", tag = "telephony", request_body = HoldBody,
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn hold_call(
    _who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<HoldBody>,
) -> ApiResult<axum::http::StatusCode> {
    if let Some(class) = &body.music_class
        && (class.is_empty()
            || class.len() > 64
            || !class
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(ApiError::validation(
            "music_class",
            "letters, digits, - and _ only (at most 64)",
        ));
    }
    let command = CallCommand::Hold {
        party: body.party,
        music_class: body.music_class,
    };
    run(&state, id, command).await
}

/// Takes the call off hold: both parties hear each other again.
#[utoipa::path(post, path = "/api/v1/calls/{id}/resume", tag = "telephony",
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn resume_call(
    _who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> ApiResult<axum::http::StatusCode> {
    run(&state, id, CallCommand::Resume).await
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingAction {
    Start,
    Stop,
    Pause,
    Resume,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    action: RecordingAction,
}

/// Starts, stops, pauses (e.g. while a card number is read out) or resumes
/// the call's recording; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/recording", tag = "telephony", request_body = RecordBody,
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn record_call(
    who: Can<perm::CallControl>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<RecordBody>,
) -> ApiResult<axum::http::StatusCode> {
    let (command, action) = match body.action {
        RecordingAction::Start => (CallCommand::StartRecording, "call.recording.start"),
        RecordingAction::Stop => (CallCommand::StopRecording, "call.recording.stop"),
        RecordingAction::Pause => (CallCommand::PauseRecording, "call.recording.pause"),
        RecordingAction::Resume => (CallCommand::ResumeRecording, "call.recording.resume"),
    };
    run_audited(&state, &who.actor(), id, command, action, "").await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayBody {
    /// Who hears the prompts: `caller` or `callee`.
    party: CallParty,
    /// Voice prompts (ids from /api/v1/prompts), played in this order.
    prompt_ids: Vec<i64>,
    /// A key the party presses stops the playing (default false).
    barge_in: Option<bool>,
}

/// Plays voice prompts to one party over what it hears (the other party
/// is not covered); when they end the party hears the call again.
#[utoipa::path(post, path = "/api/v1/calls/{id}/play", tag = "telephony", request_body = PlayBody,
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn play_to_call(
    _: Can<perm::CallControl>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<PlayBody>,
) -> ApiResult<axum::http::StatusCode> {
    if body.prompt_ids.is_empty() || body.prompt_ids.len() > 20 {
        return Err(ApiError::validation(
            "prompt_ids",
            "one to twenty prompt ids",
        ));
    }
    let mut prompts = Vec::with_capacity(body.prompt_ids.len());
    for prompt_id in &body.prompt_ids {
        let prompt = state.store().prompt(*prompt_id).await.map_err(|_| {
            ApiError::validation("prompt_ids", format!("no voice prompt with id {prompt_id}"))
        })?;
        let path = state.media_dirs().prompts.join(&prompt.file);
        let bytes = tokio::fs::read(&path).await.map_err(|e| {
            ApiError::internal("reading a voice prompt", format!("{}: {e}", path.display()))
        })?;
        let audio = sb_media::prompt::Prompt::from_wav_bytes(&bytes)
            .map_err(|e| ApiError::internal("decoding a voice prompt", e))?;
        prompts.push(audio);
    }
    let command = CallCommand::Play {
        party: body.party,
        prompts,
        barge_in: body.barge_in.unwrap_or(false),
    };
    run(&state, id, command).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// The extension to dial into the call.
    extension: String,
}

pub(super) fn extension_field(value: &str) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 32 || !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation(
            "extension",
            "an extension number (digits)",
        ));
    }
    Ok(value.to_owned())
}

/// Makes the call a conference: the extension's phone rings and, once it
/// answers, each party hears the two others; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/parties", tag = "telephony", request_body = PartyBody,
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn add_party(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<PartyBody>,
) -> ApiResult<axum::http::StatusCode> {
    let extension = extension_field(&body.extension)?;
    let command = CallCommand::AddParty {
        extension: extension.clone(),
    };
    run_audited(
        &state,
        &who.actor(),
        id,
        command,
        "call.conference.add",
        &extension,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorBody {
    /// The supervisor's extension, which rings and joins when answered.
    extension: String,
    mode: MonitorMode,
}

/// A supervisor listens to, whispers to the agent in, or barges into a
/// call from their phone; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/monitor", tag = "telephony", request_body = MonitorBody,
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.monitor"]), ("bearer" = ["call.monitor"])))]
async fn monitor_call(
    who: Can<perm::CallMonitor>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<MonitorBody>,
) -> ApiResult<axum::http::StatusCode> {
    let extension = extension_field(&body.extension)?;
    let action = match body.mode {
        MonitorMode::Listen => "call.monitor.listen",
        MonitorMode::Whisper => "call.monitor.whisper",
        MonitorMode::Barge => "call.monitor.barge",
    };
    let command = CallCommand::Monitor {
        extension: extension.clone(),
        mode: body.mode,
    };
    run_audited(&state, &who.actor(), id, command, action, &extension).await
}

/// Runs a command whose success is audited against the call's Call-ID.
pub(super) async fn run_audited(
    state: &AppState,
    actor: &sb_store::Actor,
    id: u64,
    command: CallCommand,
    action: &str,
    detail: &str,
) -> ApiResult<axum::http::StatusCode> {
    let call_id = call_id_of(state, id);
    let status = run(state, id, command).await?;
    let event = AuditEvent {
        kind: AuditKind::Change,
        outcome: "ok",
        action,
        entity: "call",
        entity_id: &call_id,
        detail,
    };
    state
        .store()
        .record_audit(state.now(), actor, event)
        .await?;
    Ok(status)
}

fn call_id_of(state: &AppState, id: u64) -> String {
    state
        .switch()
        .live_calls()
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.call_id)
        .unwrap_or_default()
}

pub(super) async fn run(
    state: &AppState,
    id: u64,
    command: CallCommand,
) -> ApiResult<axum::http::StatusCode> {
    match state.switch().control_call(id, command).await {
        Ok(()) => Ok(axum::http::StatusCode::NO_CONTENT),
        Err(CallControlError::NoSuchCall) => {
            Err(ApiError::not_found("call not found (it may have ended)"))
        }
        Err(CallControlError::NotNow(reason)) => Err(ApiError::conflict("call_state", reason)),
        // Without a running switch there are no live calls to steer.
        Err(CallControlError::NoSwitch) => Err(ApiError::not_found(
            "call not found: the SIP switch is not running",
        )),
    }
}
