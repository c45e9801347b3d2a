//! Outbound routes (MISSION T3): dial pattern -> trunk, tried by priority.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::{CallClass, DialPattern};
use sb_store::{CallerIdMode, OutboundRoute, OutboundRouteInput, Page};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::switch_control::ConfigChange;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_routes, create_route))
        .routes(routes!(get_route, update_route, delete_route))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundRouteBody {
    name: String,
    /// 0-10000, lower first (default 100).
    priority: Option<i64>,
    /// Digits, X (0-9), Z (1-9), N (2-9), sets such as [1-5], and a final `.`
    /// for one or more further digits; e.g. `0.` or `1[3-9]XXXXXXXXX`.
    pattern: String,
    /// Digits removed from the front (default 0; at most what the pattern fixes).
    strip: Option<i64>,
    /// Digits put in front after stripping.
    prepend: Option<String>,
    trunk_id: i64,
    /// The class a caller needs: local, national (default) or international.
    #[schema(value_type = Option<String>, example = "national")]
    call_class: Option<CallClass>,
    /// keep (default: the extension's number), trunk (the trunk's caller ID) or fixed.
    caller_id_mode: Option<CallerIdMode>,
    /// The number presented with `fixed`.
    caller_id: Option<String>,
    enabled: Option<bool>,
}

impl OutboundRouteBody {
    fn into_input(self) -> ApiResult<OutboundRouteInput> {
        let pattern = DialPattern::parse(&self.pattern)
            .map_err(|e| ApiError::validation("pattern", e.to_string()))?;
        let strip = validate::int_in("strip", self.strip.unwrap_or(0), 0..=32)?;
        if usize::try_from(strip).unwrap_or(usize::MAX) > pattern.min_len() {
            return Err(ApiError::validation(
                "strip",
                format!(
                    "strip removes {strip} digits but pattern {pattern} guarantees only {}",
                    pattern.min_len()
                ),
            ));
        }
        let call_class = self.call_class.unwrap_or(CallClass::National);
        if call_class == CallClass::Internal {
            return Err(ApiError::validation(
                "call_class",
                "an outbound route's class is local, national or international",
            ));
        }
        let caller_id_mode = self.caller_id_mode.unwrap_or(CallerIdMode::Keep);
        let caller_id =
            validate::dial_string("caller_id", self.caller_id.as_deref().unwrap_or(""), 0)?;
        if caller_id_mode == CallerIdMode::Fixed && caller_id.is_empty() {
            return Err(ApiError::validation(
                "caller_id",
                "caller_id is required with caller_id_mode fixed",
            ));
        }
        Ok(OutboundRouteInput {
            name: validate::text("name", &self.name, 1, 64)?,
            priority: validate::int_in("priority", self.priority.unwrap_or(100), 0..=10_000)?,
            pattern: pattern.as_str().to_owned(),
            strip,
            prepend: validate::dial_string("prepend", self.prepend.as_deref().unwrap_or(""), 0)?,
            trunk_id: self.trunk_id,
            call_class,
            caller_id_mode,
            caller_id,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// In the order the switch tries them.
#[utoipa::path(get, path = "/api/v1/outbound-routes", tag = "telephony", params(ListQuery),
    responses((status = 200, body = Page<OutboundRoute>)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn list_routes(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<OutboundRoute>>> {
    let routes = state.store().list_outbound_routes().await?;
    Ok(Json(query.apply(routes, 1000, |r| {
        vec![r.name.as_str(), r.pattern.as_str(), r.trunk_name.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/outbound-routes", tag = "telephony", request_body = OutboundRouteBody,
    responses((status = 201, body = OutboundRoute)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn create_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OutboundRouteBody>,
) -> ApiResult<Created<OutboundRoute>> {
    let created = state
        .store()
        .create_outbound_route(state.now(), &who.actor(), body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::OutboundRoutes);
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/outbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = OutboundRoute)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn get_route(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<OutboundRoute>> {
    Ok(Json(state.store().outbound_route(id).await?))
}

#[utoipa::path(put, path = "/api/v1/outbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    request_body = OutboundRouteBody, responses((status = 200, body = OutboundRoute)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn update_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<OutboundRouteBody>,
) -> ApiResult<Json<OutboundRoute>> {
    let updated = state
        .store()
        .update_outbound_route(state.now(), &who.actor(), id, body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::OutboundRoutes);
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/outbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn delete_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_outbound_route(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::OutboundRoutes);
    Ok(StatusCode::NO_CONTENT)
}
