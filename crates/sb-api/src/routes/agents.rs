//! Agents' states in the ACD (MISSION G1, G2, S6): an agent signs in to
//! their queues at an extension, goes ready or not ready with a reason, and
//! signs out; a supervisor sees every agent and queue and may force an
//! agent's state (audited). Commands illegal in the agent's state get 409
//! with the ACD's reason.

use axum::Json;
use axum::extract::{Path, State};
use sb_store::{AuditEvent, AuditKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::switch_control::{AcdStateView, AgentCommandError, AgentStateCommand, AgentStateView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_state))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(ready))
        .routes(routes!(not_ready))
        .routes(routes!(acd_state))
        .routes(routes!(online))
        .routes(routes!(force_state))
        .routes(routes!(reasons))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    /// The extension to take calls at (any seat); the agent's own when absent.
    extension: Option<String>,
    /// The phone there answers offered calls by itself (a headset
    /// softphone): offers are sent with auto-answer hints. Off by default.
    #[serde(default)]
    auto_answer: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotReadyBody {
    /// A code from GET /api/v1/agents/not-ready-reasons.
    reason: String,
}

/// The signed-in user's own agent state.
#[utoipa::path(get, path = "/api/v1/agents/me", tag = "acd",
    responses((status = 200, body = AgentStateView), (status = 404)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn my_state(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<AgentStateView>> {
    let view = state
        .switch()
        .acd_state()
        .await
        .ok_or_else(|| ApiError::not_found("the ACD is not running"))?;
    view.agents
        .into_iter()
        .find(|a| a.employee_id == who.employee_id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("you are not an agent of any queue"))
}

/// Signs in to the agent's queues: calls are offered from now on.
#[utoipa::path(post, path = "/api/v1/agents/me/sign-in", tag = "acd", request_body = SignInBody,
    responses((status = 200, body = AgentStateView), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn sign_in(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignInBody>,
) -> ApiResult<Json<AgentStateView>> {
    let extension = checked_extension(&state, body.extension).await?;
    command(
        &state,
        &who.employee_id,
        AgentStateCommand::SignIn {
            extension,
            auto_answer: body.auto_answer,
        },
    )
    .await
}

/// Signs out of every queue.
#[utoipa::path(post, path = "/api/v1/agents/me/sign-out", tag = "acd",
    responses((status = 200, body = AgentStateView), (status = 404), (status = 409)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn sign_out(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<AgentStateView>> {
    command(&state, &who.employee_id, AgentStateCommand::SignOut).await
}

/// Ready for the next call (also ends after-call work early).
#[utoipa::path(post, path = "/api/v1/agents/me/ready", tag = "acd",
    responses((status = 200, body = AgentStateView), (status = 404), (status = 409)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn ready(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<AgentStateView>> {
    command(&state, &who.employee_id, AgentStateCommand::Ready).await
}

/// Not ready, with one of the admin-defined reasons (break, meal...).
#[utoipa::path(post, path = "/api/v1/agents/me/not-ready", tag = "acd", request_body = NotReadyBody,
    responses((status = 200, body = AgentStateView), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn not_ready(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NotReadyBody>,
) -> ApiResult<Json<AgentStateView>> {
    let reason = checked_reason(&state, &body.reason).await?;
    command(
        &state,
        &who.employee_id,
        AgentStateCommand::NotReady { reason },
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotReadyReason {
    code: String,
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotReadyReasons {
    items: Vec<NotReadyReason>,
}

/// The reasons an agent may give for not being ready.
#[utoipa::path(get, path = "/api/v1/agents/not-ready-reasons", tag = "acd",
    responses((status = 200, body = NotReadyReasons)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn reasons(
    _: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<NotReadyReasons>> {
    let items = state
        .store()
        .not_ready_reasons()
        .await?
        .into_iter()
        .map(|(code, name)| NotReadyReason { code, name })
        .collect();
    Ok(Json(NotReadyReasons { items }))
}

/// A signed-in colleague, for handing a call or a ticket on (G9).
#[derive(Debug, Serialize, ToSchema)]
pub struct OnlineAgent {
    employee_id: String,
    name: String,
    /// `ready`, `not_ready`, `reserved`, `on_call` or `wrap_up`.
    state: String,
    extension: Option<String>,
    queues: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnlineAgents {
    items: Vec<OnlineAgent>,
}

/// The agents signed in now, ready ones first (for transfers and hand-overs).
#[utoipa::path(get, path = "/api/v1/agents/online", tag = "acd",
    responses((status = 200, body = OnlineAgents), (status = 404)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn online(
    _: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<OnlineAgents>> {
    let view = state
        .switch()
        .acd_state()
        .await
        .ok_or_else(|| ApiError::not_found("the ACD is not running"))?;
    let mut items: Vec<OnlineAgent> = view
        .agents
        .into_iter()
        .filter(|a| a.state != "logged_out")
        .map(|a| OnlineAgent {
            employee_id: a.employee_id,
            name: a.name,
            state: a.state,
            extension: a.extension,
            queues: a.queues.into_iter().map(|q| q.queue).collect(),
        })
        .collect();
    items.sort_by(|a, b| {
        (a.state != "ready", &a.employee_id).cmp(&(b.state != "ready", &b.employee_id))
    });
    Ok(Json(OnlineAgents { items }))
}

/// Every agent's state and every queue's waiting calls, now.
#[utoipa::path(get, path = "/api/v1/acd/state", tag = "acd",
    responses((status = 200, body = AcdStateView), (status = 404)),
    security(("session" = ["agent.supervise"]), ("bearer" = ["agent.supervise"])))]
async fn acd_state(
    _: Can<perm::AgentSupervise>,
    State(state): State<AppState>,
) -> ApiResult<Json<AcdStateView>> {
    state
        .switch()
        .acd_state()
        .await
        .map(Json)
        .ok_or_else(|| ApiError::not_found("the ACD is not running"))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForcedState {
    /// Signs the agent in for them (a phone-only agent, a seat change).
    SignedIn,
    Ready,
    NotReady,
    SignedOut,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForceStateBody {
    state: ForcedState,
    /// Required for `not_ready`.
    reason: Option<String>,
    /// For `signed_in`: the extension to take calls at (the agent's own when absent).
    extension: Option<String>,
}

/// A supervisor forces an agent's state (MISSION S6); audited.
#[utoipa::path(post, path = "/api/v1/agents/{employee_id}/state", tag = "acd", request_body = ForceStateBody,
    params(("employee_id" = String, Path)),
    responses((status = 200, body = AgentStateView), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.supervise"]), ("bearer" = ["agent.supervise"])))]
async fn force_state(
    who: Can<perm::AgentSupervise>,
    State(state): State<AppState>,
    Path(employee_id): Path<String>,
    ApiJson(body): ApiJson<ForceStateBody>,
) -> ApiResult<Json<AgentStateView>> {
    let (command, action) = match body.state {
        ForcedState::SignedIn => {
            let extension = checked_extension(&state, body.extension).await?;
            (
                AgentStateCommand::SignIn {
                    extension,
                    auto_answer: false,
                },
                "agent.force.sign_in",
            )
        }
        ForcedState::Ready => (AgentStateCommand::Ready, "agent.force.ready"),
        ForcedState::SignedOut => (AgentStateCommand::SignOut, "agent.force.sign_out"),
        ForcedState::NotReady => {
            let reason = body.reason.ok_or_else(|| {
                ApiError::validation("reason", "a reason is required for not_ready")
            })?;
            let reason = checked_reason(&state, &reason).await?;
            (
                AgentStateCommand::NotReady { reason },
                "agent.force.not_ready",
            )
        }
    };
    let view = command_view(&state, &employee_id, command).await?;
    let event = AuditEvent {
        kind: AuditKind::Change,
        outcome: "ok",
        action,
        entity: "agent",
        entity_id: &employee_id,
        detail: view.reason.as_deref().unwrap_or(""),
    };
    state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await?;
    Ok(Json(view))
}

async fn checked_extension(
    state: &AppState,
    extension: Option<String>,
) -> ApiResult<Option<String>> {
    let Some(extension) = extension
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
    else {
        return Ok(None);
    };
    if !extension.chars().all(|c| c.is_ascii_digit()) || extension.len() > 16 {
        return Err(ApiError::validation(
            "extension",
            "an extension is 1-16 digits",
        ));
    }
    if state.store().sip_account(&extension).await?.is_none() {
        return Err(ApiError::validation(
            "extension",
            format!("no extension {extension}"),
        ));
    }
    Ok(Some(extension))
}

async fn checked_reason(state: &AppState, reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    let known = state.store().not_ready_reasons().await?;
    if known.iter().any(|(code, _)| code == reason) {
        return Ok(reason.to_owned());
    }
    let codes: Vec<&str> = known.iter().map(|(code, _)| code.as_str()).collect();
    Err(ApiError::validation(
        "reason",
        format!("unknown reason {reason:?}; one of: {}", codes.join(", ")),
    ))
}

async fn command(
    state: &AppState,
    employee_id: &str,
    command: AgentStateCommand,
) -> ApiResult<Json<AgentStateView>> {
    command_view(state, employee_id, command).await.map(Json)
}

async fn command_view(
    state: &AppState,
    employee_id: &str,
    command: AgentStateCommand,
) -> ApiResult<AgentStateView> {
    match state
        .switch()
        .agent_command(employee_id.to_owned(), command)
        .await
    {
        Ok(view) => Ok(view),
        Err(AgentCommandError::UnknownAgent(who)) => Err(ApiError::not_found(format!(
            "{who} is not an agent: add them to a queue first"
        ))),
        Err(AgentCommandError::Refused(reason)) => Err(ApiError::conflict("agent_state", reason)),
        Err(AgentCommandError::NoSwitch) => Err(ApiError::not_found("the ACD is not running")),
    }
}
