//! The agent's callback work (MISSION O3), for those holding
//! `callback.work`: their tasks (given to them, or to their department and
//! nobody yet) due first, a task with its calls and the customer's earlier
//! callbacks, recording a call's result (the desk's pacing decides what
//! happens next; 409 naming the state once a task is closed), and the
//! click-to-call request the agent desktop will wire to a live call.
//! Managers (`callback.manage`) reach the tasks of their lists too, and
//! may cancel a task.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::Permission;
use sb_desk::callbacks::CallbackDesk;
use sb_store::{
    CallStatus, CallbackAttempt, CallbackState, CallbackTask, CallbackTaskFilter,
    NewCallbackAttempt, Page,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::PageQuery;
use crate::routes::callback_lists::{department_reach, reaches, task_states};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(work_list))
        .routes(routes!(get_task))
        .routes(routes!(record_attempt))
        .routes(routes!(dial_task))
        .routes(routes!(cancel_task))
}

/// Whether the task is `who`'s to work: theirs, their department's and
/// nobody's yet, or in a list their `callback.manage` reaches.
async fn may_work(state: &AppState, who: &Principal, task: &CallbackTask) -> ApiResult<bool> {
    if task.assignee_id == Some(who.staff_id.0) {
        return Ok(true);
    }
    if task.assignee_id.is_none()
        && task.department_id.is_some()
        && task.department_id == who.department_id
    {
        return Ok(true);
    }
    if who.grants.allows(Permission::CallbackManage) {
        let reach = department_reach(state, who, Permission::CallbackManage).await?;
        return Ok(reaches(reach.as_deref(), task.list_department_id));
    }
    Ok(false)
}

async fn workable_task(
    state: &AppState,
    who: &Principal,
    id: i64,
    action: &str,
) -> ApiResult<CallbackTask> {
    let task = state.store().callback_task(id).await?;
    if may_work(state, who, &task).await? {
        return Ok(task);
    }
    let e =
        ApiError::forbidden(format!("callback task {id} is not yours to work")).with_field("id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// Comma-separated states; default `pending`.
    state: Option<String>,
    /// Only tasks due by now.
    due: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/callback-tasks", tag = "desk", params(WorkQuery),
    responses((status = 200, body = Page<CallbackTask>)),
    security(("session" = ["callback.work"]), ("bearer" = ["callback.work"])))]
async fn work_list(
    who: Can<perm::CallbackWork>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WorkQuery>,
) -> ApiResult<Json<Page<CallbackTask>>> {
    let mut states = task_states(query.state.as_deref())?;
    if states.is_empty() {
        states.push(CallbackState::Pending);
    }
    let filter = CallbackTaskFilter {
        states,
        worker: Some((who.staff_id.0, who.department_id.into_iter().collect())),
        due_before: query.due.unwrap_or(false).then(|| state.now()),
        ..CallbackTaskFilter::default()
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state.store().search_callback_tasks(&filter, page).await?,
    ))
}

/// A task with its calls and the customer's callbacks in every list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackTaskDetail {
    pub task: CallbackTask,
    /// This task's calls, oldest first.
    pub attempts: Vec<CallbackAttempt>,
    /// The customer's callback calls across lists, newest first.
    pub customer_history: Vec<CallbackAttempt>,
}

#[utoipa::path(get, path = "/api/v1/callback-tasks/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CallbackTaskDetail)),
    security(("session" = ["callback.work"]), ("bearer" = ["callback.work"])))]
async fn get_task(
    who: Can<perm::CallbackWork>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CallbackTaskDetail>> {
    let task = workable_task(&state, &who, id, "callback_task.read").await?;
    let attempts = state.store().callback_attempts(id).await?;
    let customer_history = match task.customer_id {
        Some(customer) => {
            state
                .store()
                .customer_callback_attempts(customer, 50)
                .await?
        }
        None => Vec::new(),
    };
    Ok(Json(CallbackTaskDetail {
        task,
        attempts,
        customer_history,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptBody {
    call_status: CallStatus,
    /// Whether the call achieved its purpose (only a connected call can).
    #[serde(default)]
    success: bool,
    /// What the customer raised.
    issues: Option<String>,
    notes: Option<String>,
    /// When to call again (in the future); default by the list's pacing.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    next_attempt_at: Option<OffsetDateTime>,
}

#[utoipa::path(post, path = "/api/v1/callback-tasks/{id}/attempts", tag = "desk",
    params(("id" = i64, Path)), request_body = AttemptBody,
    responses((status = 201, body = CallbackTask),
        (status = 409, description = "The task is closed (the message names its state)")),
    security(("session" = ["callback.work"]), ("bearer" = ["callback.work"])))]
async fn record_attempt(
    who: Can<perm::CallbackWork>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<AttemptBody>,
) -> ApiResult<(StatusCode, Json<CallbackTask>)> {
    workable_task(&state, &who, id, "callback_task.attempt").await?;
    if let Some(at) = body.next_attempt_at {
        validate::instant("next_attempt_at", at)?;
    }
    let attempt = NewCallbackAttempt {
        call_status: body.call_status,
        success: body.success,
        issues: validate::optional_text("issues", body.issues.as_deref(), 1000)?,
        notes: validate::optional_text("notes", body.notes.as_deref(), 1000)?,
        next_attempt_at: body.next_attempt_at,
    };
    let task = CallbackDesk::new(state.store().clone())
        .record_attempt(state.now(), &who.actor(), id, attempt)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// What the agent desktop is asked to dial.
#[derive(Debug, Serialize, ToSchema)]
pub struct DialRequest {
    pub task_id: i64,
    pub customer_id: Option<i64>,
    /// The number as written on the task.
    pub number: String,
    /// The call the switch placed from the agent's phone (rung first, then
    /// the number); `null` when no switch runs and the desktop dials.
    pub call: Option<crate::switch_control::MadeCall>,
}

/// Click-to-call: the switch rings the agent's phone (their seat or own
/// extension), then the task's number, under that extension's call class;
/// the result is recorded as an attempt afterwards.
#[utoipa::path(post, path = "/api/v1/callback-tasks/{id}/dial", tag = "desk",
    params(("id" = i64, Path)), responses((status = 202, body = DialRequest),
        (status = 409, description = "The task is closed")),
    security(("session" = ["callback.work"]), ("bearer" = ["callback.work"])))]
async fn dial_task(
    who: Can<perm::CallbackWork>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<DialRequest>)> {
    let task = workable_task(&state, &who, id, "callback_task.dial").await?;
    if task.state != CallbackState::Pending {
        return Err(ApiError::conflict(
            "illegal_transition",
            format!("dial: callback task is {}", task.state.code()),
        ));
    }
    tracing::info!(task = id, staff = %who.employee_id, "click-to-call requested");
    let dialled: String = task
        .phone
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect();
    let number = crate::routes::make_call::checked_number(&dialled)
        .map_err(|_| ApiError::validation("phone", "the task's number cannot be dialled"))?;
    let call = crate::routes::make_call::place_call(&state, &who, &number, None).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DialRequest {
            task_id: task.id,
            customer_id: task.customer_id,
            number: task.phone,
            call,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/callback-tasks/{id}/cancel", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CallbackTask),
        (status = 409, description = "The task is already closed")),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn cancel_task(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CallbackTask>> {
    let task = workable_task(&state, &who, id, "callback_task.cancel").await?;
    if task.state != CallbackState::Pending {
        return Err(ApiError::conflict(
            "illegal_transition",
            format!("cancel: callback task is {}", task.state.code()),
        ));
    }
    match state
        .store()
        .cancel_callback_task(state.now(), &who.actor(), id, task.version)
        .await?
    {
        Some(task) => Ok(Json(task)),
        None => Err(ApiError::conflict(
            "busy",
            format!("callback task {id} changed meanwhile; try again"),
        )),
    }
}
