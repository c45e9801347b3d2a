//! The ticket workflow over HTTP, one route per permission: working a
//! ticket (`ticket.work`: claim, release, start, wait for / hear from the
//! customer, resolve, follow up, reopen, note), dispatching it
//! (`ticket.dispatch`: assign to a person, to a department's queue, hand
//! over with a note) and closing it (`ticket.close`). A step the state does
//! not allow is 409 with a message naming the state.

use axum::Json;
use axum::extract::State;
use sb_desk::tickets::{Command, StepRequest};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};
use crate::routes::tickets::{
    TicketDetail, check_assignee, check_department, desk, desk_actor, detail, visible_ticket,
};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(work_ticket))
        .routes(routes!(dispatch_ticket))
        .routes(routes!(close_ticket))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkBody {
    /// `claim`, `release`, `start`, `wait_for_customer`, `customer_replied`,
    /// `resolve`, `follow_up`, `reopen` or `note`.
    action: String,
    /// For the history; required for `note`.
    note: Option<String>,
    /// For `follow_up`: the customer's satisfaction, 1-5.
    satisfaction: Option<i64>,
    /// For `follow_up`: what the customer said.
    feedback: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// `assign` (to `staff_id`), `dispatch` (to `department_id`'s queue) or
    /// `hand_over` (to `department_id`'s queue, with a `note`).
    action: String,
    staff_id: Option<i64>,
    department_id: Option<i64>,
    note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    note: Option<String>,
}

async fn run(
    state: &AppState,
    who: &Principal,
    id: i64,
    command: Command,
    note: Option<&str>,
) -> ApiResult<Json<TicketDetail>> {
    let note = validate::optional_text("note", note, 2000)?;
    visible_ticket(state, who, id, &format!("ticket.{}", command.name())).await?;
    let ticket = desk(state)
        .step(
            state.now(),
            &who.actor(),
            &desk_actor(who),
            id,
            StepRequest { command, note },
        )
        .await
        .map_err(ApiError::from)?;
    Ok(Json(detail(state, who, ticket).await?))
}

fn required(field: &str, value: Option<i64>) -> ApiResult<i64> {
    value.ok_or_else(|| ApiError::validation(field, format!("{field} is required")))
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/work", tag = "tickets",
    params(("id" = i64, Path)), request_body = WorkBody,
    responses((status = 200, body = TicketDetail),
        (status = 409, description = "The ticket's state does not allow the step")),
    security(("session" = ["ticket.work"]), ("bearer" = ["ticket.work"])))]
async fn work_ticket(
    who: Can<perm::TicketWork>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<WorkBody>,
) -> ApiResult<Json<TicketDetail>> {
    let command = match body.action.as_str() {
        "claim" => Command::Claim,
        "release" => Command::Release,
        "start" => Command::Start,
        "wait_for_customer" => Command::WaitForCustomer,
        "customer_replied" => Command::CustomerReplied,
        "resolve" => Command::Resolve,
        "reopen" => Command::Reopen,
        "note" => Command::Note,
        "follow_up" => {
            let score = validate::int_in(
                "satisfaction",
                required("satisfaction", body.satisfaction)?,
                1..=5,
            )?;
            Command::FollowUp {
                satisfaction: u8::try_from(score).unwrap_or(0),
                feedback: validate::optional_text("feedback", body.feedback.as_deref(), 2000)?,
            }
        }
        other => {
            return Err(ApiError::validation(
                "action",
                format!(
                    "action is claim, release, start, wait_for_customer, customer_replied, \
                     resolve, follow_up, reopen or note, not `{other}`"
                ),
            ));
        }
    };
    run(&state, &who, id, command, body.note.as_deref()).await
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/dispatch", tag = "tickets",
    params(("id" = i64, Path)), request_body = DispatchBody,
    responses((status = 200, body = TicketDetail),
        (status = 409, description = "The ticket's state does not allow the step")),
    security(("session" = ["ticket.dispatch"]), ("bearer" = ["ticket.dispatch"])))]
async fn dispatch_ticket(
    who: Can<perm::TicketDispatch>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<DispatchBody>,
) -> ApiResult<Json<TicketDetail>> {
    let command = match body.action.as_str() {
        "assign" => {
            let staff_id = required("staff_id", body.staff_id)?;
            let home = check_assignee(&state, "staff_id", staff_id).await?;
            if let Some(d) = body.department_id {
                check_department(&state, "department_id", d).await?;
            }
            Command::Assign {
                staff_id,
                department_id: body.department_id.or(home),
            }
        }
        "dispatch" | "hand_over" => {
            let department_id = required("department_id", body.department_id)?;
            check_department(&state, "department_id", department_id).await?;
            if body.action == "dispatch" {
                Command::Dispatch { department_id }
            } else {
                Command::HandOver { department_id }
            }
        }
        other => {
            return Err(ApiError::validation(
                "action",
                format!("action is assign, dispatch or hand_over, not `{other}`"),
            ));
        }
    };
    run(&state, &who, id, command, body.note.as_deref()).await
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/close", tag = "tickets",
    params(("id" = i64, Path)), request_body = CloseBody,
    responses((status = 200, body = TicketDetail),
        (status = 409, description = "The ticket is not resolved")),
    security(("session" = ["ticket.close"]), ("bearer" = ["ticket.close"])))]
async fn close_ticket(
    who: Can<perm::TicketClose>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<CloseBody>,
) -> ApiResult<Json<TicketDetail>> {
    run(&state, &who, id, Command::Close, body.note.as_deref()).await
}
