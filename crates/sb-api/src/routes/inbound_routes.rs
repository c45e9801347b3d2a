//! Inbound routes (MISSION T3): which extension a dialled number (DID) rings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{InboundRoute, InboundRouteInput, Page, TargetKind};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::ApiResult;
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
pub struct InboundRouteBody {
    /// The dialled number as the carrier sends it.
    did: String,
    /// The trunk the route applies to; absent or null for any trunk.
    trunk_id: Option<i64>,
    /// Only `extension` for now (the default).
    target_kind: Option<TargetKind>,
    /// The extension number to ring.
    target: String,
    description: Option<String>,
    enabled: Option<bool>,
}

impl InboundRouteBody {
    fn into_input(self) -> ApiResult<InboundRouteInput> {
        let target_kind = self.target_kind.unwrap_or(TargetKind::Extension);
        let target = match target_kind {
            TargetKind::Extension => validate::extension("target", &self.target)?,
            TargetKind::Flow | TargetKind::Queue => validate::code("target", &self.target)?,
        };
        Ok(InboundRouteInput {
            did: validate::dial_string("did", &self.did, 1)?,
            trunk_id: self.trunk_id,
            target_kind,
            target,
            description: validate::optional_text("description", self.description.as_deref(), 200)?,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/inbound-routes", tag = "telephony", params(ListQuery),
    responses((status = 200, body = Page<InboundRoute>)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn list_routes(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<InboundRoute>>> {
    let routes = state.store().list_inbound_routes().await?;
    Ok(Json(query.apply(routes, 1000, |r| {
        vec![
            r.did.as_str(),
            r.target.as_str(),
            r.description.as_str(),
            r.trunk_name.as_deref().unwrap_or(""),
        ]
    })))
}

#[utoipa::path(post, path = "/api/v1/inbound-routes", tag = "telephony", request_body = InboundRouteBody,
    responses((status = 201, body = InboundRoute)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn create_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<InboundRouteBody>,
) -> ApiResult<Created<InboundRoute>> {
    let created = state
        .store()
        .create_inbound_route(state.now(), &who.actor(), body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::InboundRoutes);
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/inbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = InboundRoute)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn get_route(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<InboundRoute>> {
    Ok(Json(state.store().inbound_route_by_id(id).await?))
}

#[utoipa::path(put, path = "/api/v1/inbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    request_body = InboundRouteBody, responses((status = 200, body = InboundRoute)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn update_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<InboundRouteBody>,
) -> ApiResult<Json<InboundRoute>> {
    let updated = state
        .store()
        .update_inbound_route(state.now(), &who.actor(), id, body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::InboundRoutes);
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/inbound-routes/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn delete_route(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_inbound_route(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::InboundRoutes);
    Ok(StatusCode::NO_CONTENT)
}
