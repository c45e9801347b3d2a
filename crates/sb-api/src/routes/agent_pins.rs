//! Agent PINs (MISSION G10): a phone-only agent signs in by dialling
//! `*11<employee id>*<PIN>` from any extension. An admin sets the PIN
//! (`staff.update`, in their data scope); the agent changes their own with
//! their current password, so a session left open is not enough to learn a
//! way in by phone. Only an Argon2id hash is stored.

use axum::extract::State;
use axum::http::StatusCode;
use sb_core::{Permission, StaffId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::password::{hash_password_blocking, verify_password_blocking};
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};
use crate::scope::{Scope, ensure_covers, ensure_not_weaker_than};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_staff_pin))
        .routes(routes!(set_my_pin))
}

/// The shortest and longest PIN, in digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentPinBody {
    /// 4-8 digits; `null` removes the PIN (no sign-in by phone).
    pin: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyPinBody {
    /// 4-8 digits.
    pin: String,
    current_password: String,
}

/// A PIN is 4-8 digits (a phone keypad has nothing else after the `*`).
pub fn checked_pin(pin: &str) -> ApiResult<String> {
    let pin = pin.trim();
    if PIN_DIGITS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(pin.to_owned())
    } else {
        Err(ApiError::validation("pin", "a PIN is 4-8 digits"))
    }
}

/// Sets or removes a person's agent PIN (audited, the PIN never).
#[utoipa::path(put, path = "/api/v1/staff/{id}/agent-pin", tag = "organisation", params(("id" = i64, Path)),
    request_body = AgentPinBody, responses((status = 204), (status = 404), (status = 422)),
    security(("session" = ["staff.update"]), ("bearer" = ["staff.update"])))]
async fn set_staff_pin(
    who: Can<perm::StaffUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<AgentPinBody>,
) -> ApiResult<StatusCode> {
    let pin = body.pin.as_deref().map(checked_pin).transpose()?;
    let staff = state.store().staff(id).await?;
    let scope = Scope::of(&state, &who, Permission::StaffUpdate).await?;
    ensure_covers(&state, &who, &scope, &staff, "staff.agent_pin").await?;
    ensure_not_weaker_than(&state, &who, StaffId(id), "staff.agent_pin").await?;
    let hash = match pin {
        Some(pin) => Some(hash_password_blocking(pin).await?),
        None => None,
    };
    state
        .store()
        .set_agent_pin(state.now(), &who.actor(), StaffId(id), hash.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets one's own agent PIN; asks for the current password.
#[utoipa::path(put, path = "/api/v1/agents/me/pin", tag = "acd",
    request_body = MyPinBody, responses((status = 204), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn set_my_pin(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<MyPinBody>,
) -> ApiResult<StatusCode> {
    let pin = checked_pin(&body.pin)?;
    let creds = state.store().credentials_by_id(who.staff_id).await?;
    let current_ok = match creds.password_hash {
        Some(hash) => verify_password_blocking(body.current_password, hash).await,
        None => false,
    };
    if !current_ok {
        let e = ApiError::validation("current_password", "the current password is wrong");
        return Err(
            crate::auth::principal::refuse_actor(&state, who.actor(), "agent.pin", e).await,
        );
    }
    let hash = hash_password_blocking(pin).await?;
    state
        .store()
        .set_agent_pin(state.now(), &who.actor(), who.staff_id, Some(&hash))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_eight_digits() {
        assert_eq!(checked_pin("1234").ok().as_deref(), Some("1234"));
        assert_eq!(checked_pin(" 12345678 ").ok().as_deref(), Some("12345678"));
        for bad in ["", "123", "123456789", "12a4", "12 34", "１２３４"] {
            let error = checked_pin(bad).expect_err(bad);
            assert_eq!(error.field.as_deref(), Some("pin"), "{bad}");
        }
    }
}
