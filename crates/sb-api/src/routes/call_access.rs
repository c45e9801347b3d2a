//! Who may steer a live call (MISSION G3-G6, X4): a holder of
//! `call.control` steers any call; an agent (`agent.work`) steers the calls
//! they are on — offered to them by the ACD, or ringing or talking at the
//! extension they signed in at (or their own). Anyone else is refused and
//! the refusal is audited like any other.

use sb_core::Permission;

use crate::auth::Principal;
use crate::auth::principal::refuse_actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Lets `principal` command live call `id`, or says why not.
pub async fn check(
    state: &AppState,
    principal: &Principal,
    id: u64,
    action: &str,
) -> ApiResult<()> {
    if principal.grants.allows(Permission::CallControl) {
        return Ok(());
    }
    let refusal = if principal.grants.allows(Permission::AgentWork) {
        let Some(call) = state.switch().live_calls().into_iter().find(|c| c.id == id) else {
            return Err(ApiError::not_found("no such call (it may have ended)"));
        };
        let extensions = extensions_of(state, &principal.employee_id).await;
        let on_it = call.agent.as_deref() == Some(principal.employee_id.as_str())
            || extensions.iter().any(|e| {
                call.agent_extension.as_deref() == Some(e.as_str())
                    || &call.caller == e
                    || &call.callee == e
            });
        if on_it {
            return Ok(());
        }
        ApiError::forbidden("agents steer only their own calls; call.control steers any")
    } else {
        ApiError::forbidden("this needs the permission call.control")
    };
    Err(refuse_actor(state, principal.actor(), action, refusal).await)
}

/// The extension the agent signed in at, and their own.
async fn extensions_of(state: &AppState, employee_id: &str) -> Vec<String> {
    let mut extensions = Vec::new();
    if let Some(acd) = state.switch().acd_state().await
        && let Some(seat) = acd
            .agents
            .into_iter()
            .find(|a| a.employee_id == employee_id)
            .and_then(|a| a.extension)
    {
        extensions.push(seat);
    }
    if let Ok(staff) = state.store().staff_by_employee_id(employee_id).await
        && let Some(own) = staff.extension
        && !extensions.contains(&own)
    {
        extensions.push(own);
    }
    extensions
}

/// Extractor for routes on `/calls/{id}/...` that an agent may use on
/// their own call: placed first, like `Can<P>`, so the check runs before
/// the body is read.
#[derive(Debug)]
pub struct CanSteer(pub Principal);

impl std::ops::Deref for CanSteer {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl axum::extract::FromRequestParts<AppState> for CanSteer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let axum::extract::Path(params) = axum::extract::Path::<
            std::collections::HashMap<String, String>,
        >::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::validation("id", "a live call id"))?;
        let id = params
            .get("id")
            .and_then(|id| id.parse::<u64>().ok())
            .ok_or_else(|| ApiError::validation("id", "a live call id"))?;
        let action = crate::auth::principal::request_line(parts);
        check(state, &principal, id, &action).await?;
        Ok(CanSteer(principal))
    }
}
