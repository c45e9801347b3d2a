//! Call pickup through the API (MISSION G7, X4): the calls ringing in the
//! pickup group of an agent's phone, and taking one of them: the switch
//! cancels the phones ringing for it and rings the picker's phone instead,
//! with auto-answer hints. A phone picks up by itself with `*8` (the
//! longest ringing call of its group) or `**<extension>`.
//!
//! The pickup group of an extension is every extension it shares an
//! extension group with. An agent (`agent.work`) picks up at their own
//! phone (the seat they signed in at, or their extension), and only calls
//! ringing in its group; `call.control` may have any extension pick up any
//! ringing call. Every pickup is audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sb_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::live_calls::{extension_field, run_audited};
use super::make_call::own_extension;
use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::switch_control::{CallCommand, LiveCallView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pickable_calls))
        .routes(routes!(pick_up))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PickableCalls {
    /// The phone whose pickup group was searched.
    extension: String,
    /// Calls ringing in that group, longest ringing first.
    items: Vec<LiveCallView>,
}

/// The calls ringing now at extensions that share an extension group with
/// the agent's phone.
#[utoipa::path(get, path = "/api/v1/calls/pickable", tag = "telephony",
    responses((status = 200, body = PickableCalls), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn pickable_calls(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<PickableCalls>> {
    let extension = own_extension(&state, &who, None, "extension").await?;
    let items = ringing_in_group(&state, &extension).await?;
    Ok(Json(PickableCalls { extension, items }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupBody {
    /// The picking phone; the agent's seat or own extension when absent
    /// (only `call.control` may name another).
    extension: Option<String>,
}

/// Takes a ringing call: the phones ringing for it stop and the picker's
/// phone rings (auto-answer where the phone supports it); audited. An
/// agent picks up at their own phone, calls ringing in its pickup group;
/// `call.control` (without `agent.work`) may name any extension.
#[utoipa::path(post, path = "/api/v1/calls/{id}/pickup", tag = "telephony",
    request_body = PickupBody, params(("id" = u64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn pick_up(
    who: Principal,
    State(state): State<AppState>,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<PickupBody>,
) -> ApiResult<StatusCode> {
    let action = format!("POST /api/v1/calls/{id}/pickup");
    let asked = body.extension.as_deref().map(extension_field).transpose()?;
    let extension = if who.grants.allows(Permission::CallControl) {
        match asked {
            Some(extension) => extension,
            None => own_extension(&state, &who, None, "extension").await?,
        }
    } else if who.grants.allows(Permission::AgentWork) {
        let extension = own_extension(&state, &who, asked, "extension").await?;
        let ringing = ringing_in_group(&state, &extension).await?;
        if !ringing.iter().any(|call| call.id == id) {
            let known = state.switch().live_calls().iter().any(|call| call.id == id);
            if !known {
                return Err(ApiError::not_found("call not found (it may have ended)"));
            }
            let refusal = ApiError::forbidden(format!(
                "the call is not ringing in the pickup group of extension {extension}"
            ));
            return Err(refuse_actor(&state, who.actor(), &action, refusal).await);
        }
        extension
    } else {
        let refusal = ApiError::forbidden("this needs the permission agent.work or call.control");
        return Err(refuse_actor(&state, who.actor(), &action, refusal).await);
    };
    let command = CallCommand::PickUp {
        extension: extension.clone(),
    };
    run_audited(&state, &who.actor(), id, command, "call.pickup", &extension).await
}

/// Live calls ringing at an extension of `extension`'s pickup group (not
/// calls it makes itself), longest ringing first.
async fn ringing_in_group(state: &AppState, extension: &str) -> ApiResult<Vec<LiveCallView>> {
    let peers = state.store().extension_group_peers(extension).await?;
    let mut calls: Vec<LiveCallView> = state
        .switch()
        .live_calls()
        .into_iter()
        .filter(|call| call.caller != extension && call.ringing.iter().any(|e| peers.contains(e)))
        .collect();
    calls.sort_by_key(|call| (call.started_at, call.id));
    Ok(calls)
}
