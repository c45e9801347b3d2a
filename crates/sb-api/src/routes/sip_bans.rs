//! SIP address bans (MISSION T6): see them, ban by hand, lift. The running
//! switch is told at once through the [`SwitchControl`](crate::SwitchControl) hook.

use axum::Json;
use axum::extract::State;
use sb_store::{NewSipBan, Page, SipBan};
use serde::Deserialize;
use time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bans, create_ban))
        .routes(routes!(lift_ban))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BanQuery {
    /// Also list lifted and expired bans (default false: only those in force).
    include_expired: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BanBody {
    /// One IP address, e.g. `203.0.113.7`.
    address: String,
    reason: Option<String>,
    /// 1 minute to 365 days.
    duration_minutes: i64,
}

#[utoipa::path(get, path = "/api/v1/sip-bans", tag = "telephony", params(BanQuery),
    responses((status = 200, body = Page<SipBan>)),
    security(("session" = ["sip_security.manage"]), ("bearer" = ["sip_security.manage"])))]
async fn list_bans(
    _: Can<perm::SipSecurityManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<BanQuery>,
) -> ApiResult<Json<Page<SipBan>>> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state
            .store()
            .list_bans(state.now(), page, query.include_expired.unwrap_or(false))
            .await?,
    ))
}

/// Bans an address by hand (or extends its ban); the switch drops its traffic at once.
#[utoipa::path(post, path = "/api/v1/sip-bans", tag = "telephony", request_body = BanBody,
    responses((status = 201, body = SipBan)),
    security(("session" = ["sip_security.manage"]), ("bearer" = ["sip_security.manage"])))]
async fn create_ban(
    who: Can<perm::SipSecurityManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BanBody>,
) -> ApiResult<Created<SipBan>> {
    let address = validate::ip("address", &body.address)?;
    let minutes = validate::int_in("duration_minutes", body.duration_minutes, 1..=525_600)?;
    let reason = validate::optional_text("reason", body.reason.as_deref(), 200)?;
    let now = state.now();
    let ban = state
        .store()
        .insert_ban(
            now,
            &who.actor(),
            NewSipBan {
                address,
                reason,
                expires_at: now + Duration::minutes(minutes),
            },
        )
        .await?;
    let until = ban.expires_at.unix_timestamp_nanos() / 1_000_000;
    state
        .switch()
        .ban_added(ban.address, i64::try_from(until).unwrap_or(i64::MAX));
    Ok(Created(ban))
}

/// Ends a ban now (409 `ban_not_active` when it already ended).
#[utoipa::path(post, path = "/api/v1/sip-bans/{id}/lift", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = SipBan)),
    security(("session" = ["sip_security.manage"]), ("bearer" = ["sip_security.manage"])))]
async fn lift_ban(
    who: Can<perm::SipSecurityManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<SipBan>> {
    let lifted = state
        .store()
        .lift_ban(state.now(), id, &who.actor())
        .await?;
    state.switch().ban_lifted(lifted.address);
    Ok(Json(lifted))
}
