//! A call's IVR trail (MISSION I9): the nodes the caller went through, the
//! keys pressed and the results, shown with the call's record.
//!
//! A trail is keyed by Call-ID only, with no agent or department to test a
//! limited data scope against, so it takes `cdr.read` over all data.

use axum::Json;
use axum::extract::{Path, State};
use sb_core::Permission;
use sb_store::CallTrail;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::scope::Scope;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(call_trail))
}

/// The stored trail of the call whose SIP Call-ID is `id` (the CDR's
/// `call_id`); 404 when the call never entered a flow.
#[utoipa::path(get, path = "/api/v1/calls/{id}/trail", tag = "ivr",
    params(("id" = String, Path, description = "The SIP Call-ID of the call (the CDR's call_id)")),
    responses((status = 200, body = CallTrail)),
    security(("session" = ["cdr.read"]), ("bearer" = ["cdr.read"])))]
async fn call_trail(
    who: Can<perm::CdrRead>,
    State(state): State<AppState>,
    Path(call_id): Path<String>,
) -> ApiResult<Json<CallTrail>> {
    if call_id.is_empty() || call_id.len() > 256 {
        return Err(ApiError::bad_request("a Call-ID is 1 to 256 characters").with_field("id"));
    }
    let scope = Scope::of(&state, &who, Permission::CdrRead).await?;
    if scope.department_ids.is_some() || scope.only_id.is_some() {
        let e = ApiError::forbidden("IVR trails need cdr.read over all data");
        return Err(refuse_actor(&state, who.actor(), "cdr.read", e).await);
    }
    state
        .store()
        .call_trail(&call_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("call {call_id} has no IVR trail")))
}
