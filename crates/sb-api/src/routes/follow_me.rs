//! Follow-me to the agent's own mobile (MISSION G8): an agent sets whether
//! calls to their extension and queue offers ring their mobile too (`off`,
//! `no_answer` after a delay, `always`). Admins set it with the staff
//! record (`routes/staff.rs`). Audited by the store.

use axum::Json;
use axum::extract::State;
use sb_core::FollowMeMode;
use sb_core::follow_me::MAX_FOLLOW_ME_DELAY_S;
use sb_store::FollowMe;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_follow_me, set_my_follow_me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowMeBody {
    /// `off`, `no_answer` or `always`.
    mode: String,
    /// Seconds before the mobile rings too with `no_answer` (0..=120); the
    /// current value when absent.
    delay_s: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyFollowMe {
    /// `off`, `no_answer` or `always`.
    #[schema(value_type = String, example = "no_answer")]
    mode: FollowMeMode,
    delay_s: u32,
    /// The mobile that rings (the staff record's); empty = follow-me cannot be on.
    mobile: String,
}

/// Checks a mode and delay given by `mode_field` and `delay_field`, the
/// delay defaulting to `current_delay`; a mode other than `off` needs
/// `mobile`.
pub fn checked(
    (mode_field, mode): (&'static str, &str),
    (delay_field, delay_s): (&'static str, Option<i64>),
    current_delay: u32,
    mobile: &str,
) -> ApiResult<FollowMe> {
    let mode: FollowMeMode = mode
        .trim()
        .parse()
        .map_err(|_| ApiError::validation(mode_field, "the mode is off, no_answer or always"))?;
    let delay_s = match delay_s {
        None => current_delay,
        Some(d) => u32::try_from(d)
            .ok()
            .filter(|d| *d <= MAX_FOLLOW_ME_DELAY_S)
            .ok_or_else(|| {
                ApiError::validation(
                    delay_field,
                    format!("the delay is 0 to {MAX_FOLLOW_ME_DELAY_S} seconds"),
                )
            })?,
    };
    if mode != FollowMeMode::Off && mobile.trim().is_empty() {
        return Err(ApiError::validation(
            mode_field,
            "follow-me needs a mobile number on the staff record",
        ));
    }
    Ok(FollowMe { mode, delay_s })
}

/// The signed-in user's follow-me.
#[utoipa::path(get, path = "/api/v1/agents/me/follow-me", tag = "acd",
    responses((status = 200, body = MyFollowMe)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn my_follow_me(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
) -> ApiResult<Json<MyFollowMe>> {
    let staff = state.store().staff(who.staff_id.0).await?;
    Ok(Json(MyFollowMe {
        mode: staff.follow_me_mode,
        delay_s: staff.follow_me_delay_s,
        mobile: staff.mobile,
    }))
}

/// Sets the signed-in user's follow-me; 422 naming `mode` when they have
/// no mobile on record.
#[utoipa::path(put, path = "/api/v1/agents/me/follow-me", tag = "acd",
    request_body = FollowMeBody, responses((status = 200, body = MyFollowMe), (status = 422)),
    security(("session" = ["agent.work"]), ("bearer" = ["agent.work"])))]
async fn set_my_follow_me(
    who: Can<perm::AgentWork>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FollowMeBody>,
) -> ApiResult<Json<MyFollowMe>> {
    let staff = state.store().staff(who.staff_id.0).await?;
    let follow_me = checked(
        ("mode", &body.mode),
        ("delay_s", body.delay_s),
        staff.follow_me_delay_s,
        &staff.mobile,
    )?;
    let after = state
        .store()
        .set_follow_me(state.now(), &who.actor(), who.staff_id, follow_me)
        .await?;
    Ok(Json(MyFollowMe {
        mode: after.follow_me_mode,
        delay_s: after.follow_me_delay_s,
        mobile: after.mobile,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_modes_and_delays_name_their_field() {
        let ok = checked(("mode", "no_answer"), ("delay_s", Some(0)), 15, "138").expect("ok");
        assert_eq!(ok.delay_s, 0);
        let kept = checked(("mode", "always"), ("delay_s", None), 20, "138").expect("ok");
        assert_eq!(kept.delay_s, 20);
        for (mode, delay, mobile, field) in [
            ("sometimes", Some(5), "138", "mode"),
            ("always", Some(121), "138", "delay_s"),
            ("always", Some(-1), "138", "delay_s"),
            ("always", Some(5), " ", "mode"),
        ] {
            let error = checked(("mode", mode), ("delay_s", delay), 15, mobile).expect_err(mode);
            assert_eq!(error.field.as_deref(), Some(field));
        }
        // Off needs no mobile.
        checked(("mode", "off"), ("delay_s", None), 15, "").expect("off");
    }
}
