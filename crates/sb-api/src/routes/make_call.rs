//! Make a call / click-to-call (MISSION G3, O1): the switch rings the
//! agent's phone (auto-answer hints), then dials the number as if that
//! extension had dialled it, so the extension's call class and the outbound
//! routes apply; a number it may not dial is refused, naming `to`, before
//! anything rings.
//!
//! Permission `agent.work`, not `call.control`: placing one's own call is
//! an agent's everyday work, while `call.control` acts on other people's
//! live calls. So that the permission cannot borrow a wider call class, the
//! call starts at the agent's own phone only: the seat they are signed in
//! at, or their own extension.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::switch_control::{MadeCall, MakeCallError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(make_call))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeCallBody {
    /// The number to call: an extension or an outside number (digits, `*`,
    /// `#`, a leading `+`; at most 32).
    to: String,
    /// The phone that rings first: the seat you are signed in at or your
    /// own extension (the default, in that order).
    from_extension: Option<String>,
    /// The customer called, for the desktop's records.
    customer_id: Option<i64>,
    /// The callback task the call serves.
    callback_task_id: Option<i64>,
}

/// Places a call from the agent's phone; 202 once that phone rings.
#[utoipa::path(post, path = "/api/v1/calls", tag = "telephony", request_body = MakeCallBody,
    responses((status = 202, body = MadeCall), (status = 403), (status = 409), (status = 422),
        (status = 503, description = "The switch is not running or is overloaded")),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn make_call(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<MakeCallBody>,
) -> ApiResult<(StatusCode, Json<MadeCall>)> {
    let to = checked_number(&body.to)?;
    tracing::info!(staff = %who.employee_id, customer = ?body.customer_id,
        callback_task = ?body.callback_task_id, "click-to-call requested");
    match place_call(&state, &who, &to, body.from_extension).await? {
        Some(call) => Ok((StatusCode::ACCEPTED, Json(call))),
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_switch",
            "the switch is not running",
        )),
    }
}

/// A number a phone could dial: 1-32 of digits, `*`, `#`, after an optional `+`.
pub fn checked_number(to: &str) -> ApiResult<String> {
    let to = to.trim();
    let digits = to.strip_prefix('+').unwrap_or(to);
    if (1..=32).contains(&digits.len())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
    {
        Ok(to.to_owned())
    } else {
        Err(ApiError::validation(
            "to",
            "a number is 1-32 digits, * or #, after an optional +",
        ))
    }
}

/// Asks the switch to call `to` from `who`'s phone. `None` when no switch
/// runs (the caller decides whether that is an error).
pub async fn place_call(
    state: &AppState,
    who: &Principal,
    to: &str,
    from_extension: Option<String>,
) -> ApiResult<Option<MadeCall>> {
    // The ACD's view is also how the API learns that no switch runs.
    let Some(acd) = state.switch().acd_state().await else {
        return Ok(None);
    };
    let seat = acd
        .agents
        .into_iter()
        .find(|a| a.employee_id == who.employee_id)
        .and_then(|a| a.extension);
    let from = calling_extension(state, who, seat, from_extension, "from_extension").await?;
    match state.switch().make_call(from.clone(), to.to_owned()).await {
        Ok(call) => {
            tracing::info!(staff = %who.employee_id, extension = %from, live_call = call.id, "click-to-call placed");
            Ok(Some(call))
        }
        Err(MakeCallError::NoSwitch) => Ok(None),
        Err(MakeCallError::Refused { status, cause }) => {
            tracing::info!(staff = %who.employee_id, extension = %from, status, %cause, "click-to-call refused");
            let message = format!("{from} may not call this number: {cause}");
            Err(if status == 403 {
                ApiError::forbidden(message).with_field("to")
            } else {
                ApiError::validation("to", message)
            })
        }
        Err(MakeCallError::NotRegistered(extension)) => Err(ApiError::conflict(
            "extension_not_registered",
            format!("extension {extension} has no registered phone"),
        )),
        Err(MakeCallError::NoExtension(extension)) => Err(ApiError::validation(
            "from_extension",
            format!("extension {extension} does not exist or is disabled"),
        )),
        Err(MakeCallError::Unavailable(reason)) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "switch_unavailable",
            reason,
        )),
    }
}

/// The phone an agent works at: `asked` if it is their seat or own
/// extension, else the seat they signed in at, else their own extension.
pub async fn own_extension(
    state: &AppState,
    who: &Principal,
    asked: Option<String>,
    field: &'static str,
) -> ApiResult<String> {
    let seat = match state.switch().acd_state().await {
        Some(acd) => acd
            .agents
            .into_iter()
            .find(|a| a.employee_id == who.employee_id)
            .and_then(|a| a.extension),
        None => None,
    };
    calling_extension(state, who, seat, asked, field).await
}

/// The agent's seat or own extension; a given one must be one of them.
async fn calling_extension(
    state: &AppState,
    who: &Principal,
    seat: Option<String>,
    asked: Option<String>,
    field: &'static str,
) -> ApiResult<String> {
    let own = state.store().staff(who.staff_id.0).await?.extension;
    let mine: Vec<String> = seat.into_iter().chain(own).collect();
    match asked.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()) {
        Some(asked) if mine.contains(&asked) => Ok(asked),
        Some(asked) => Err(ApiError::forbidden(format!(
            "extension {asked} is neither your seat nor your own extension"
        ))
        .with_field(field)),
        None => mine.into_iter().next().ok_or_else(|| {
            ApiError::validation(
                field,
                format!("you have no extension: sign in at a seat or give {field}"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_a_phone_could_dial() {
        for good in ["1004", "013800138000", "+8613800138000", "*8", "12#"] {
            assert_eq!(checked_number(good).ok().as_deref(), Some(good), "{good}");
        }
        for bad in ["", "+", "12ab", "1 2", "++1", &"1".repeat(33)] {
            let error = checked_number(bad).expect_err(bad);
            assert_eq!(error.field.as_deref(), Some("to"), "{bad}");
        }
    }
}
