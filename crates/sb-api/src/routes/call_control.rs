//! What agents and supervisors do to a live call (MISSION G5, G6, S5, S6,
//! X4): hang up, blind transfer, consultation (complete, cancel,
//! conference), a supervisor's forced hang-up and intercept. Illegal in
//! the call's state answers 409 with the reason ("consult/complete: no
//! consultation in progress"); every change is audited against the
//! call's Call-ID.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::call_access::CanSteer;
use super::live_calls::{extension_field, run, run_audited};
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::switch_control::{CallCommand, CallTarget, CallTargetKind};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(hang_up))
        .routes(routes!(force_hang_up))
        .routes(routes!(transfer))
        .routes(routes!(consult))
        .routes(routes!(complete_consult))
        .routes(routes!(cancel_consult))
        .routes(routes!(conference_consult))
        .routes(routes!(intercept))
}

/// Ends the whole call (both parties are hung up); audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/hangup", tag = "telephony",
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn hang_up(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    let command = CallCommand::Hangup {
        cause: "hung up by the agent".into(),
    };
    run_audited(&state, &who.actor(), id, command, "call.hangup", "").await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForceHangupBody {
    /// Why the supervisor ends the call (kept in the audit log).
    reason: String,
}

/// A supervisor ends someone's call; audited with the reason.
#[utoipa::path(post, path = "/api/v1/calls/{id}/force-hangup", tag = "telephony",
    request_body = ForceHangupBody, params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.supervise"]), ("bearer" = ["agent.supervise"])))]
async fn force_hang_up(
    who: Can<perm::AgentSupervise>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<ForceHangupBody>,
) -> ApiResult<StatusCode> {
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ApiError::validation("reason", "one to 200 characters"));
    }
    let command = CallCommand::Hangup {
        cause: "hung up by a supervisor".into(),
    };
    run_audited(
        &state,
        &who.actor(),
        id,
        command,
        "call.force_hangup",
        reason,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// `{kind: extension|agent|queue|flow|number, value}`; a consultation
    /// reaches an extension, an agent or a number.
    target: CallTarget,
}

/// The target as the switch takes it, checked field by field.
fn target_field(target: CallTarget) -> ApiResult<CallTarget> {
    let value = target.value.trim().to_owned();
    let ok = match target.kind {
        CallTargetKind::Extension => extension_field(&value).is_ok(),
        CallTargetKind::Number => {
            let digits = value.strip_prefix('+').unwrap_or(&value);
            !digits.is_empty() && digits.len() <= 32 && digits.chars().all(|c| c.is_ascii_digit())
        }
        CallTargetKind::Agent | CallTargetKind::Queue | CallTargetKind::Flow => {
            !value.is_empty()
                && value.chars().count() <= 64
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
    };
    if !ok {
        let expected = match target.kind {
            CallTargetKind::Extension => "an extension number (digits)",
            CallTargetKind::Number => "a phone number (digits, + first allowed)",
            _ => "a name of 1 to 64 characters without spaces",
        };
        return Err(ApiError::validation("target.value", expected));
    }
    Ok(CallTarget {
        kind: target.kind,
        value,
    })
}

fn describe(target: &CallTarget) -> String {
    let kind = match target.kind {
        CallTargetKind::Extension => "extension",
        CallTargetKind::Agent => "agent",
        CallTargetKind::Queue => "queue",
        CallTargetKind::Flow => "flow",
        CallTargetKind::Number => "number",
    };
    format!("{kind}:{}", target.value)
}

/// Blind transfer: the agent leg drops and the caller is connected to the
/// target (a queue takes the caller back into the ACD, a flow plays it);
/// the call keeps its id, Call-ID, recording and CDR. A target that does
/// not answer in the ring timeout returns the caller to the front of the
/// queue they came through; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/transfer", tag = "telephony",
    request_body = TargetBody, params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn transfer(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<TargetBody>,
) -> ApiResult<StatusCode> {
    let target = target_field(body.target)?;
    let detail = describe(&target);
    let command = CallCommand::Transfer { target };
    run_audited(&state, &who.actor(), id, command, "call.transfer", &detail).await
}

/// Consultation: the caller holds with music while the agent talks with
/// the target on a new leg; then complete, cancel or conference; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/consult", tag = "telephony",
    request_body = TargetBody, params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn consult(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<TargetBody>,
) -> ApiResult<StatusCode> {
    let target = target_field(body.target)?;
    if matches!(target.kind, CallTargetKind::Queue | CallTargetKind::Flow) {
        return Err(ApiError::validation(
            "target.kind",
            "a consultation reaches an extension, an agent or a number",
        ));
    }
    let detail = describe(&target);
    let command = CallCommand::Consult { target };
    run_audited(&state, &who.actor(), id, command, "call.consult", &detail).await
}

/// The consulted party takes the caller and the agent drops; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/consult/complete", tag = "telephony",
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn complete_consult(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    let command = CallCommand::CompleteConsult;
    run_audited(
        &state,
        &who.actor(),
        id,
        command,
        "call.consult.complete",
        "",
    )
    .await
}

/// The consulted party drops and the agent takes the caller back.
#[utoipa::path(post, path = "/api/v1/calls/{id}/consult/cancel", tag = "telephony",
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn cancel_consult(
    _who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    run(&state, id, CallCommand::CancelConsult).await
}

/// Caller, agent and consulted party talk together; either agent may
/// leave and the others stay connected; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/consult/conference", tag = "telephony",
    params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409)),
    security(("session" = ["call.control"]), ("bearer" = ["call.control"])))]
async fn conference_consult(
    who: CanSteer,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    let command = CallCommand::ConferenceConsult;
    run_audited(
        &state,
        &who.actor(),
        id,
        command,
        "call.consult.conference",
        "",
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterceptBody {
    /// The supervisor's extension: it rings and, answered, takes the
    /// agent's place.
    extension: String,
}

/// A supervisor takes over a call from the agent: their phone rings and,
/// once answered, the agent leg drops; audited.
#[utoipa::path(post, path = "/api/v1/calls/{id}/intercept", tag = "telephony",
    request_body = InterceptBody, params(("id" = u64, Path)),
    responses((status = 204), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.supervise"]), ("bearer" = ["agent.supervise"])))]
async fn intercept(
    who: Can<perm::AgentSupervise>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<InterceptBody>,
) -> ApiResult<StatusCode> {
    let extension = extension_field(&body.extension)?;
    let command = CallCommand::Intercept {
        extension: extension.clone(),
    };
    run_audited(
        &state,
        &who.actor(),
        id,
        command,
        "call.intercept",
        &extension,
    )
    .await
}
