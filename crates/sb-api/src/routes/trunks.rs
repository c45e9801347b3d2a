//! SIP trunks (MISSION T2): carriers. The trunk password is write-only: it
//! is sent to the carrier by the switch and shown here only as `has_password`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{Page, Transport, Trunk, TrunkInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::switch_control::{CarrierRegistrationView, ConfigChange};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_trunks, create_trunk))
        .routes(routes!(get_trunk, update_trunk, delete_trunk))
        .routes(routes!(carrier_registrations))
        .routes(routes!(trunk_usage))
}

/// Whether the switch is registered with each carrier whose trunk registers.
#[utoipa::path(get, path = "/api/v1/trunk-registrations", tag = "telephony",
    responses((status = 200, body = Vec<CarrierRegistrationView>)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn carrier_registrations(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
) -> Json<Vec<CarrierRegistrationView>> {
    Json(state.switch().carrier_registrations())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrunkBody {
    name: String,
    /// IP address or DNS name of the carrier's SIP server.
    host: String,
    /// 1-65535, default 5060.
    port: Option<i64>,
    /// udp (default) or tcp.
    transport: Option<Transport>,
    /// IPs and CIDR blocks (`203.0.113.0/24`) whose calls are taken without
    /// authentication; at most 50.
    #[serde(default)]
    inbound_addresses: Vec<String>,
    /// Register with the carrier (needs `username` and a password).
    register: Option<bool>,
    username: Option<String>,
    /// Absent keeps the stored password; `""` removes it. Never returned.
    password: Option<String>,
    /// Seconds, 60-86400 (default 3600).
    register_expires: Option<i64>,
    /// Concurrent calls, 0 (default) for no limit.
    max_channels: Option<i64>,
    /// Default caller number presented to the carrier.
    caller_id: Option<String>,
    enabled: Option<bool>,
    /// Record every call through this trunk (default false).
    record_calls: Option<bool>,
}

impl TrunkBody {
    fn into_input(self) -> ApiResult<TrunkInput> {
        if self.inbound_addresses.len() > 50 {
            return Err(ApiError::validation(
                "inbound_addresses",
                "at most 50 inbound addresses per trunk",
            ));
        }
        let mut inbound_addresses = Vec::new();
        for (i, a) in self.inbound_addresses.iter().enumerate() {
            let range = validate::address_range(&format!("inbound_addresses[{i}]"), a)?;
            if !inbound_addresses.contains(&range) {
                inbound_addresses.push(range);
            }
        }
        let port = validate::int_in("port", self.port.unwrap_or(5060), 1..=65535)?;
        Ok(TrunkInput {
            name: validate::text("name", &self.name, 1, 64)?,
            host: validate::host("host", &self.host)?,
            port: u16::try_from(port)
                .map_err(|_| ApiError::validation("port", "port must be from 1 to 65535"))?,
            transport: self.transport.unwrap_or(Transport::Udp),
            inbound_addresses,
            register: self.register.unwrap_or(false),
            username: validate::credential("username", self.username.as_deref(), 64)?,
            password: self
                .password
                .map(|p| validate::credential("password", Some(&p), 128))
                .transpose()?,
            register_expires: validate::int_in(
                "register_expires",
                self.register_expires.unwrap_or(3600),
                60..=86_400,
            )?,
            max_channels: validate::int_in(
                "max_channels",
                self.max_channels.unwrap_or(0),
                0..=100_000,
            )?,
            caller_id: validate::dial_string(
                "caller_id",
                self.caller_id.as_deref().unwrap_or(""),
                0,
            )?,
            enabled: self.enabled.unwrap_or(true),
            record_calls: self.record_calls.unwrap_or(false),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/trunks", tag = "telephony", params(ListQuery),
    responses((status = 200, body = Page<Trunk>)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn list_trunks(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Trunk>>> {
    let trunks = state.store().list_trunks().await?;
    Ok(Json(query.apply(trunks, 1000, |t| {
        vec![t.name.as_str(), t.host.as_str(), t.caller_id.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/trunks", tag = "telephony", request_body = TrunkBody,
    responses((status = 201, body = Trunk)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn create_trunk(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TrunkBody>,
) -> ApiResult<Created<Trunk>> {
    let created = state
        .store()
        .create_trunk(state.now(), &who.actor(), body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::Trunks);
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/trunks/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = Trunk)),
    security(("session" = ["trunk.read"]), ("bearer" = ["trunk.read"])))]
async fn get_trunk(
    _: Can<perm::TrunkRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Trunk>> {
    Ok(Json(state.store().trunk(id).await?))
}

/// Replaces the record; an absent `password` keeps the stored one.
#[utoipa::path(put, path = "/api/v1/trunks/{id}", tag = "telephony", params(("id" = i64, Path)),
    request_body = TrunkBody, responses((status = 200, body = Trunk)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn update_trunk(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<TrunkBody>,
) -> ApiResult<Json<Trunk>> {
    let updated = state
        .store()
        .update_trunk(state.now(), &who.actor(), id, body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::Trunks);
    Ok(Json(updated))
}

/// Refused (409 `trunk_in_use`) while routes use the trunk.
#[utoipa::path(delete, path = "/api/v1/trunks/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["trunk.manage"]), ("bearer" = ["trunk.manage"])))]
async fn delete_trunk(
    who: Can<perm::TrunkManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_trunk(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::Trunks);
    Ok(StatusCode::NO_CONTENT)
}

/// One trunk's channels now, for the wallboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrunkUsage {
    id: i64,
    name: String,
    enabled: bool,
    /// Calls holding a channel of the trunk now.
    in_use: u32,
    /// The trunk's limit; 0 = none.
    max_channels: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrunkUsageList {
    items: Vec<TrunkUsage>,
}

/// Channels in use on every trunk now (MISSION S1); supervisors read it
/// on the wallboard.
#[utoipa::path(get, path = "/api/v1/trunk-usage", tag = "telephony",
    responses((status = 200, body = TrunkUsageList)),
    security(("session" = ["agent.supervise"]), ("bearer" = ["agent.supervise"])))]
async fn trunk_usage(
    _: Can<perm::AgentSupervise>,
    State(state): State<AppState>,
) -> ApiResult<Json<TrunkUsageList>> {
    let switch = state.switch();
    let items = state
        .store()
        .list_trunks()
        .await?
        .into_iter()
        .map(|t| TrunkUsage {
            in_use: switch.trunk_channels_in_use(t.id),
            id: t.id,
            name: t.name,
            enabled: t.enabled,
            max_channels: t.max_channels,
        })
        .collect();
    Ok(Json(TrunkUsageList { items }))
}
