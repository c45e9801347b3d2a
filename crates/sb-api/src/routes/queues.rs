//! ACD queues (MISSION A1-A6, A9): how calls wait and which agent gets them,
//! and the queue's members with their skills. Ranges are checked here; the
//! store checks that overflow and widening targets exist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{AcdQueue, AcdQueueInput, Page, QueueAction, QueueMember, QueueStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::config_names::object_name;
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::switch_control::ConfigChange;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_queues, create_queue))
        .routes(routes!(get_queue, update_queue, delete_queue))
        .routes(routes!(get_members, set_members))
}

/// A queue and how many members it has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueView {
    #[serde(flatten)]
    pub queue: AcdQueue,
    pub member_count: i64,
}

async fn view(state: &AppState, queue: AcdQueue) -> ApiResult<QueueView> {
    let members = state.store().queue_members(queue.id).await?;
    Ok(QueueView {
        queue,
        member_count: i64::try_from(members.len()).unwrap_or(i64::MAX),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueBody {
    /// The code flows and routes use: letters, digits, `-`, `_`.
    name: String,
    display_name: Option<String>,
    /// Default `longest_idle`.
    strategy: Option<QueueStrategy>,
    /// Seconds an offer rings before it counts as missed, 5-300 (default 20).
    ring_timeout_s: Option<i64>,
    /// After-call work in seconds, 0-3600 (default 0).
    wrap_up_s: Option<i64>,
    /// Longest wait before overflow, 1-86400 s; null for no limit.
    max_wait_s: Option<i64>,
    /// Most calls waiting before new ones overflow, 1-10000; null for no limit.
    max_length: Option<i64>,
    /// Missed offers in a row before the agent is made not ready, 0-100
    /// (0 = never; default 3).
    no_answer_limit: Option<i64>,
    /// Rank a waiting call gains per second (100 = one priority level), 0-100.
    aging_per_second: Option<i64>,
    /// Default `none`.
    overflow_action: Option<QueueAction>,
    /// A queue or flow name, a number, or (voicemail) a queue whose box takes
    /// the message; empty for `none` and for this queue's own box.
    overflow_target: Option<String>,
    /// What happens when nobody is signed in to the queue; default `none`.
    no_agent_action: Option<QueueAction>,
    no_agent_target: Option<String>,
    /// Music-on-hold class; empty for the default.
    music_class: Option<String>,
    announce_position: Option<bool>,
    /// 10-3600 s (default 60).
    announce_interval_s: Option<i64>,
    announce_agent_number: Option<bool>,
    /// Seconds a returning caller waits for their last agent, 1-600; null = off.
    sticky_agent_wait_s: Option<i64>,
    /// Seconds after which the queue widens, 1-86400; null = never.
    widen_after_s: Option<i64>,
    /// Lowest skill accepted after widening, 1-10.
    widen_to_skill: Option<i64>,
    /// A queue whose agents may also take the call after widening.
    widen_to_queue: Option<String>,
    enabled: Option<bool>,
}

fn optional_in(
    field: &str,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
) -> ApiResult<Option<i64>> {
    value.map(|v| validate::int_in(field, v, range)).transpose()
}

fn target(field: &str, action: QueueAction, value: Option<&str>) -> ApiResult<String> {
    let value = value.unwrap_or("").trim();
    match action {
        QueueAction::Number => validate::dial_string(field, value, 1),
        QueueAction::Queue | QueueAction::Flow => object_name(field, value),
        QueueAction::Voicemail if !value.is_empty() => object_name(field, value),
        QueueAction::Voicemail | QueueAction::None => validate::text(field, value, 0, 64),
    }
}

impl QueueBody {
    fn into_input(self) -> ApiResult<AcdQueueInput> {
        let overflow_action = self.overflow_action.unwrap_or(QueueAction::None);
        let no_agent_action = self.no_agent_action.unwrap_or(QueueAction::None);
        let music_class = match self.music_class.as_deref().map(str::trim) {
            None | Some("") => String::new(),
            Some(class) => object_name("music_class", class)?,
        };
        Ok(AcdQueueInput {
            name: object_name("name", &self.name)?,
            display_name: validate::optional_text(
                "display_name",
                self.display_name.as_deref(),
                64,
            )?,
            strategy: self.strategy.unwrap_or(QueueStrategy::LongestIdle),
            ring_timeout_s: validate::int_in(
                "ring_timeout_s",
                self.ring_timeout_s.unwrap_or(20),
                5..=300,
            )?,
            wrap_up_s: validate::int_in("wrap_up_s", self.wrap_up_s.unwrap_or(0), 0..=3600)?,
            max_wait_s: optional_in("max_wait_s", self.max_wait_s, 1..=86_400)?,
            max_length: optional_in("max_length", self.max_length, 1..=10_000)?,
            no_answer_limit: validate::int_in(
                "no_answer_limit",
                self.no_answer_limit.unwrap_or(3),
                0..=100,
            )?,
            aging_per_second: validate::int_in(
                "aging_per_second",
                self.aging_per_second.unwrap_or(0),
                0..=100,
            )?,
            overflow_target: target(
                "overflow_target",
                overflow_action,
                self.overflow_target.as_deref(),
            )?,
            overflow_action,
            no_agent_target: target(
                "no_agent_target",
                no_agent_action,
                self.no_agent_target.as_deref(),
            )?,
            no_agent_action,
            music_class,
            announce_position: self.announce_position.unwrap_or(false),
            announce_interval_s: validate::int_in(
                "announce_interval_s",
                self.announce_interval_s.unwrap_or(60),
                10..=3600,
            )?,
            announce_agent_number: self.announce_agent_number.unwrap_or(false),
            sticky_agent_wait_s: optional_in(
                "sticky_agent_wait_s",
                self.sticky_agent_wait_s,
                1..=600,
            )?,
            widen_after_s: optional_in("widen_after_s", self.widen_after_s, 1..=86_400)?,
            widen_to_skill: optional_in("widen_to_skill", self.widen_to_skill, 1..=10)?,
            widen_to_queue: match self.widen_to_queue.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(queue) => Some(object_name("widen_to_queue", queue)?),
            },
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/queues", tag = "acd", params(ListQuery),
    responses((status = 200, body = Page<QueueView>)),
    security(("session" = ["queue.read"]), ("bearer" = ["queue.read"])))]
async fn list_queues(
    _: Can<perm::QueueRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<QueueView>>> {
    let queues = state.store().list_acd_queues().await?;
    let page = query.apply(queues, 1000, |q| {
        vec![q.name.as_str(), q.display_name.as_str()]
    });
    let mut items = Vec::with_capacity(page.items.len());
    for queue in page.items {
        items.push(view(&state, queue).await?);
    }
    Ok(Json(Page {
        items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Refused with 422 naming the field: a range, an unknown strategy or
/// action, or an overflow / widening target that does not exist.
#[utoipa::path(post, path = "/api/v1/queues", tag = "acd", request_body = QueueBody,
    responses((status = 201, body = QueueView)),
    security(("session" = ["queue.manage"]), ("bearer" = ["queue.manage"])))]
async fn create_queue(
    who: Can<perm::QueueManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<QueueBody>,
) -> ApiResult<Created<QueueView>> {
    let created = state
        .store()
        .create_acd_queue(state.now(), &who.actor(), body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::Queues);
    Ok(Created(view(&state, created).await?))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}", tag = "acd", params(("id" = i64, Path)),
    responses((status = 200, body = QueueView)),
    security(("session" = ["queue.read"]), ("bearer" = ["queue.read"])))]
async fn get_queue(
    _: Can<perm::QueueRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<QueueView>> {
    let queue = state.store().acd_queue(id).await?;
    Ok(Json(view(&state, queue).await?))
}

/// Replaces the queue's settings (not its members). A rename is refused
/// (409 `queue_in_use`) while a flow's current version sends calls to it.
#[utoipa::path(put, path = "/api/v1/queues/{id}", tag = "acd", params(("id" = i64, Path)),
    request_body = QueueBody, responses((status = 200, body = QueueView)),
    security(("session" = ["queue.manage"]), ("bearer" = ["queue.manage"])))]
async fn update_queue(
    who: Can<perm::QueueManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<QueueBody>,
) -> ApiResult<Json<QueueView>> {
    let input = body.into_input()?;
    let before = state.store().acd_queue(id).await?;
    if before.name != input.name {
        refuse_if_used(&state, &before.name, "renamed").await?;
    }
    let updated = state
        .store()
        .update_acd_queue(state.now(), &who.actor(), id, input)
        .await?;
    state.switch().config_changed(ConfigChange::Queues);
    Ok(Json(view(&state, updated).await?))
}

/// Refused (409) while routes, other queues or a flow's current version
/// send calls to it.
#[utoipa::path(delete, path = "/api/v1/queues/{id}", tag = "acd", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["queue.manage"]), ("bearer" = ["queue.manage"])))]
async fn delete_queue(
    who: Can<perm::QueueManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let queue = state.store().acd_queue(id).await?;
    refuse_if_used(&state, &queue.name, "deleted").await?;
    state
        .store()
        .delete_acd_queue(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::Queues);
    Ok(StatusCode::NO_CONTENT)
}

async fn refuse_if_used(state: &AppState, name: &str, change: &str) -> ApiResult<()> {
    let users =
        crate::routes::ivr_flows::flows_using(state, |doc| doc.queues().iter().any(|q| q == name))
            .await?;
    if users.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(
        "queue_in_use",
        format!(
            "queue {name} cannot be {change}: flows {} send calls to it",
            users.join(", ")
        ),
    ))
}

/// The queue's members, highest skill first.
#[utoipa::path(get, path = "/api/v1/queues/{id}/members", tag = "acd", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<QueueMember>)),
    security(("session" = ["queue.read"]), ("bearer" = ["queue.read"])))]
async fn get_members(
    _: Can<perm::QueueRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Vec<QueueMember>>> {
    Ok(Json(state.store().queue_members(id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    staff_id: i64,
    /// 1-10; higher is preferred by `highest_skill` and kept when widening.
    skill: i64,
}

/// Replaces the members with the list sent (each member of staff once).
/// 422 for unknown staff (`staff_id`) or a skill outside 1-10 (`[i].skill`).
#[utoipa::path(put, path = "/api/v1/queues/{id}/members", tag = "acd", params(("id" = i64, Path)),
    request_body = Vec<MemberBody>, responses((status = 200, body = Vec<QueueMember>)),
    security(("session" = ["queue.manage"]), ("bearer" = ["queue.manage"])))]
async fn set_members(
    who: Can<perm::QueueManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<Vec<MemberBody>>,
) -> ApiResult<Json<Vec<QueueMember>>> {
    if body.len() > 1000 {
        return Err(ApiError::validation(
            "members",
            "at most 1000 members per queue",
        ));
    }
    let mut members = Vec::with_capacity(body.len());
    for (i, member) in body.iter().enumerate() {
        validate::int_in(&format!("[{i}].skill"), member.skill, 1..=10)?;
        members.push((member.staff_id, member.skill));
    }
    let saved = state
        .store()
        .set_queue_members(state.now(), &who.actor(), id, members)
        .await?;
    state.switch().config_changed(ConfigChange::Queues);
    Ok(Json(saved))
}
