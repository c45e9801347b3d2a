//! SLA policies (W5): response and resolution targets per ticket type and
//! priority, in working minutes of a business calendar, with the reminder
//! lead time. A ticket takes its policy when it is opened.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{TicketPriority, TicketSlaPolicy, TicketSlaPolicyInput};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};
use crate::routes::Created;
use crate::routes::tickets::check_classification;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_policies, create_policy))
        .routes(routes!(get_policy, update_policy, delete_policy))
}

/// A year of working minutes is far beyond any service target.
const MAX_MINUTES: i64 = 366 * 24 * 60;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyBody {
    name: String,
    /// A top-level ticket type, or absent / '' for every type.
    type_code: Option<String>,
    /// A priority, or absent for every priority.
    priority: Option<TicketPriority>,
    /// The business calendar the minutes count in.
    calendar_name: String,
    /// Working minutes until the first response.
    response_minutes: i64,
    /// Working minutes until resolution.
    resolve_minutes: i64,
    /// Minutes before a deadline that the assignee is reminded (default 30).
    reminder_minutes: Option<i64>,
    enabled: Option<bool>,
}

impl SlaPolicyBody {
    async fn into_input(self, state: &AppState) -> ApiResult<TicketSlaPolicyInput> {
        let type_code = validate::optional_text("type_code", self.type_code.as_deref(), 64)?;
        if !type_code.is_empty() {
            check_classification(state, None, &type_code, "").await?;
        }
        let calendar_name = validate::text("calendar_name", &self.calendar_name, 1, 64)?;
        if let Err(sb_store::StoreError::NotFound { .. }) =
            state.store().calendar_by_name(&calendar_name).await
        {
            return Err(ApiError::validation(
                "calendar_name",
                format!("there is no calendar named {calendar_name}"),
            ));
        }
        let response_minutes =
            validate::int_in("response_minutes", self.response_minutes, 1..=MAX_MINUTES)?;
        let resolve_minutes =
            validate::int_in("resolve_minutes", self.resolve_minutes, 1..=MAX_MINUTES)?;
        if resolve_minutes < response_minutes {
            return Err(ApiError::validation(
                "resolve_minutes",
                "resolution cannot be due before the first response",
            ));
        }
        Ok(TicketSlaPolicyInput {
            name: validate::text("name", &self.name, 1, 100)?,
            type_code,
            priority: self
                .priority
                .map(|p| p.code().to_owned())
                .unwrap_or_default(),
            calendar_name,
            response_minutes,
            resolve_minutes,
            reminder_minutes: validate::int_in(
                "reminder_minutes",
                self.reminder_minutes.unwrap_or(30),
                0..=MAX_MINUTES,
            )?,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/ticket-sla-policies", tag = "tickets",
    responses((status = 200, body = Vec<TicketSlaPolicy>)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn list_policies(
    _: Can<perm::TicketRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<TicketSlaPolicy>>> {
    Ok(Json(state.store().list_ticket_sla_policies().await?))
}

#[utoipa::path(post, path = "/api/v1/ticket-sla-policies", tag = "tickets",
    request_body = SlaPolicyBody, responses((status = 201, body = TicketSlaPolicy)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn create_policy(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SlaPolicyBody>,
) -> ApiResult<Created<TicketSlaPolicy>> {
    let input = body.into_input(&state).await?;
    Ok(Created(
        state
            .store()
            .create_ticket_sla_policy(state.now(), &who.actor(), input)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/ticket-sla-policies/{id}", tag = "tickets",
    params(("id" = i64, Path)), responses((status = 200, body = TicketSlaPolicy)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn get_policy(
    _: Can<perm::TicketRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<TicketSlaPolicy>> {
    Ok(Json(state.store().ticket_sla_policy(id).await?))
}

#[utoipa::path(put, path = "/api/v1/ticket-sla-policies/{id}", tag = "tickets",
    params(("id" = i64, Path)), request_body = SlaPolicyBody,
    responses((status = 200, body = TicketSlaPolicy)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn update_policy(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<SlaPolicyBody>,
) -> ApiResult<Json<TicketSlaPolicy>> {
    let input = body.into_input(&state).await?;
    Ok(Json(
        state
            .store()
            .update_ticket_sla_policy(state.now(), &who.actor(), id, input)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/ticket-sla-policies/{id}", tag = "tickets",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn delete_policy(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_ticket_sla_policy(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
