//! Marketing campaigns (MISSION O4): list and read them with their rates
//! (`campaign.read`), record each customer's result while one runs
//! (`campaign.work`), and make them, preview a saved customer filter's
//! count, pick the targets by it, start and finish them
//! (`campaign.manage`). Campaigns belong to a department (the data scope of
//! each permission); targets are picked within the manager's reach of
//! customers, as `customer.read`'s scope is applied.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sb_core::Permission;
use sb_desk::DeskError;
use sb_desk::campaigns::{CampaignCommand, CampaignDesk, CampaignRates, rates};
use sb_store::{
    Campaign, CampaignInput, CampaignKind, CampaignResult, CampaignTarget, CampaignTargetFilter,
    Page, PageRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::callback_lists::{customer_reach, department_reach, reaches, saved_filter};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::validate;
use crate::xlsx;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(preview_filter))
        .routes(routes!(get_campaign, update_campaign, delete_campaign))
        .routes(routes!(list_targets, pick_targets))
        .routes(routes!(start_campaign))
        .routes(routes!(finish_campaign))
        .routes(routes!(record_result))
        .routes(routes!(export_targets))
}

/// A campaign with its rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub rates: CampaignRates,
}

impl From<Campaign> for CampaignView {
    fn from(campaign: Campaign) -> CampaignView {
        let rates = rates(&campaign.counts);
        CampaignView { campaign, rates }
    }
}

fn desk(state: &AppState) -> CampaignDesk {
    CampaignDesk::new(state.store().clone())
}

/// The campaign if `who` reaches its department with `permission`; 403
/// (audited) otherwise.
async fn reachable_campaign(
    state: &AppState,
    who: &Principal,
    permission: Permission,
    id: i64,
    action: &str,
) -> ApiResult<Campaign> {
    let campaign = state.store().campaign(id).await?;
    let reach = department_reach(state, who, permission).await?;
    if reaches(reach.as_deref(), campaign.department_id) {
        return Ok(campaign);
    }
    let e =
        ApiError::forbidden(format!("campaign {id} is outside your data scope")).with_field("id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "desk",
    responses((status = 200, body = Vec<CampaignView>)),
    security(("session" = ["campaign.read"]), ("bearer" = ["campaign.read"])))]
async fn list_campaigns(
    who: Can<perm::CampaignRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<CampaignView>>> {
    let reach = department_reach(&state, &who, Permission::CampaignRead).await?;
    let campaigns = state.store().list_campaigns(reach.as_deref()).await?;
    Ok(Json(
        campaigns.into_iter().map(CampaignView::from).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    /// 1-200 characters.
    theme: String,
    /// `YYYY-MM-DD`.
    held_on: String,
    kind: CampaignKind,
    location: Option<String>,
    description: Option<String>,
    /// The customer search's query parameters that pick the targets, e.g.
    /// `{"level": "vip", "idle_days": 90}`.
    #[schema(value_type = Option<Object>)]
    filter: Option<Map<String, Value>>,
    /// The owning department; default the caller's.
    department_id: Option<i64>,
}

fn check_day(value: &str) -> ApiResult<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value.trim(), &format)
        .map(|_| value.trim().to_owned())
        .map_err(|_| ApiError::validation("held_on", "a day as YYYY-MM-DD"))
}

impl CampaignBody {
    async fn into_input(
        self,
        state: &AppState,
        who: &Principal,
        action: &str,
    ) -> ApiResult<CampaignInput> {
        let filter = self.filter.unwrap_or_default();
        // Checked now so a bad filter is refused when saved, not when used.
        saved_filter(state, "filter", &filter, sb_store::CustomerScope::All)?;
        let department_id = self.department_id.or(who.department_id);
        if let Some(department) = department_id {
            if let Err(sb_store::StoreError::NotFound { .. }) =
                state.store().department(department).await
            {
                return Err(ApiError::validation(
                    "department_id",
                    format!("there is no department {department}"),
                ));
            }
            let reach = department_reach(state, who, Permission::CampaignManage).await?;
            if !reaches(reach.as_deref(), Some(department)) {
                let e = ApiError::forbidden("that department is outside your data scope")
                    .with_field("department_id");
                return Err(refuse_actor(state, who.actor(), action, e).await);
            }
        }
        Ok(CampaignInput {
            theme: validate::text("theme", &self.theme, 1, 200)?,
            held_on: check_day(&self.held_on)?,
            kind: self.kind,
            location: validate::optional_text("location", self.location.as_deref(), 200)?,
            description: validate::optional_text("description", self.description.as_deref(), 2000)?,
            filter: Value::Object(filter),
            department_id,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "desk",
    request_body = CampaignBody, responses((status = 201, body = CampaignView)),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn create_campaign(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CampaignBody>,
) -> ApiResult<Created<CampaignView>> {
    let input = body.into_input(&state, &who, "campaign.create").await?;
    let created = state
        .store()
        .create_campaign(state.now(), &who.actor(), input)
        .await?;
    Ok(Created(created.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    #[schema(value_type = Object)]
    filter: Map<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FilterPreview {
    /// Customers within your reach the filter picks.
    pub count: i64,
}

#[utoipa::path(post, path = "/api/v1/campaigns/preview", tag = "desk",
    request_body = PreviewBody, responses((status = 200, body = FilterPreview)),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn preview_filter(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PreviewBody>,
) -> ApiResult<Json<FilterPreview>> {
    let scope = customer_reach(&state, &who, Permission::CampaignManage).await?;
    let filter = saved_filter(&state, "filter", &body.filter, scope)?;
    Ok(Json(FilterPreview {
        count: state.store().count_customers(&filter).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CampaignView)),
    security(("session" = ["campaign.read"]), ("bearer" = ["campaign.read"])))]
async fn get_campaign(
    who: Can<perm::CampaignRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CampaignView>> {
    let campaign =
        reachable_campaign(&state, &who, Permission::CampaignRead, id, "campaign.read").await?;
    Ok(Json(campaign.into()))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "desk",
    params(("id" = i64, Path)), request_body = CampaignBody,
    responses((status = 200, body = CampaignView),
        (status = 409, description = "The filter changed after planning, or the campaign is finished")),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn update_campaign(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<CampaignBody>,
) -> ApiResult<Json<CampaignView>> {
    reachable_campaign(
        &state,
        &who,
        Permission::CampaignManage,
        id,
        "campaign.update",
    )
    .await?;
    let input = body.into_input(&state, &who, "campaign.update").await?;
    let updated = state
        .store()
        .update_campaign(state.now(), &who.actor(), id, input)
        .await?;
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn delete_campaign(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    reachable_campaign(
        &state,
        &who,
        Permission::CampaignManage,
        id,
        "campaign.delete",
    )
    .await?;
    state
        .store()
        .delete_campaign(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    /// `pending` (no invitation result yet), `invited`, `refused` or `attended`.
    outcome: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn outcome(value: Option<&str>) -> ApiResult<CampaignTargetFilter> {
    Ok(match value.unwrap_or("") {
        "" | "all" => CampaignTargetFilter::All,
        "pending" => CampaignTargetFilter::Pending,
        "invited" => CampaignTargetFilter::Invited,
        "refused" => CampaignTargetFilter::Refused,
        "attended" => CampaignTargetFilter::Attended,
        other => {
            return Err(ApiError::validation(
                "outcome",
                format!("`{other}` is not pending, invited, refused or attended"),
            ));
        }
    })
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/targets", tag = "desk",
    params(("id" = i64, Path), TargetQuery), responses((status = 200, body = Page<CampaignTarget>)),
    security(("session" = ["campaign.read"]), ("bearer" = ["campaign.read"])))]
async fn list_targets(
    who: Can<perm::CampaignRead>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<TargetQuery>,
) -> ApiResult<Json<Page<CampaignTarget>>> {
    reachable_campaign(&state, &who, Permission::CampaignRead, id, "campaign.read").await?;
    let filter = outcome(query.outcome.as_deref())?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state.store().campaign_targets(id, filter, page).await?,
    ))
}

/// Picks the targets by the campaign's saved filter (replacing earlier
/// picks), within the caller's reach of customers; only while planning.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/targets", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CampaignView),
        (status = 409, description = "The campaign is past planning")),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn pick_targets(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CampaignView>> {
    let campaign = reachable_campaign(
        &state,
        &who,
        Permission::CampaignManage,
        id,
        "campaign.pick",
    )
    .await?;
    let scope = customer_reach(&state, &who, Permission::CampaignManage).await?;
    let saved = campaign.filter.as_object().cloned().unwrap_or_default();
    let filter = saved_filter(&state, "filter", &saved, scope)?;
    let picked = desk(&state)
        .pick_targets(state.now(), &who.actor(), id, &filter)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(picked.into()))
}

async fn advance(
    state: &AppState,
    who: &Principal,
    id: i64,
    command: CampaignCommand,
) -> ApiResult<Json<CampaignView>> {
    reachable_campaign(state, who, Permission::CampaignManage, id, "campaign.stage").await?;
    let moved = desk(state)
        .advance(state.now(), &who.actor(), id, command)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(moved.into()))
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/start", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CampaignView),
        (status = 409, description = "Not planning, or no targets (the message says)")),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn start_campaign(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CampaignView>> {
    advance(&state, &who, id, CampaignCommand::Start).await
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/finish", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CampaignView),
        (status = 409, description = "The campaign is not running")),
    security(("session" = ["campaign.manage"]), ("bearer" = ["campaign.manage"])))]
async fn finish_campaign(
    who: Can<perm::CampaignManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CampaignView>> {
    advance(&state, &who, id, CampaignCommand::Finish).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// A target of the campaign.
    customer_id: i64,
    invited: Option<bool>,
    refusal_reason: Option<String>,
    attended: Option<bool>,
    gift_taken: Option<bool>,
    /// 1-5.
    satisfaction: Option<i64>,
    dissatisfaction_reason: Option<String>,
    notes: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}/results", tag = "desk",
    params(("id" = i64, Path)), request_body = ResultBody,
    responses((status = 200, body = CampaignTarget),
        (status = 409, description = "The campaign is not running")),
    security(("session" = ["campaign.work"]), ("bearer" = ["campaign.work"])))]
async fn record_result(
    who: Can<perm::CampaignWork>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<ResultBody>,
) -> ApiResult<Json<CampaignTarget>> {
    reachable_campaign(
        &state,
        &who,
        Permission::CampaignWork,
        id,
        "campaign.result",
    )
    .await?;
    let result = CampaignResult {
        invited: body.invited,
        refusal_reason: body.refusal_reason.unwrap_or_default(),
        attended: body.attended,
        gift_taken: body.gift_taken,
        satisfaction: body.satisfaction,
        dissatisfaction_reason: body.dissatisfaction_reason.unwrap_or_default(),
        notes: body.notes.unwrap_or_default(),
    };
    let target = desk(&state)
        .record_result(state.now(), &who.actor(), id, body.customer_id, result)
        .await
        .map_err(|e| match e {
            DeskError::Store(sb_store::StoreError::NotFound {
                entity: "campaign target",
                ..
            }) => ApiError::validation(
                "customer_id",
                format!(
                    "customer {} is not a target of this campaign",
                    body.customer_id
                ),
            ),
            other => ApiError::from(other),
        })?;
    Ok(Json(target))
}

const TARGET_HEADERS: &[&str] = &[
    "客户 Customer",
    "电话 Phone",
    "等级 Level",
    "邀约 Invited",
    "谢绝原因 Refusal reason",
    "到场 Came",
    "礼品 Gift taken",
    "满意度 Satisfaction",
    "不满原因 Dissatisfaction reason",
    "备注 Notes",
    "记录人 Recorded by",
];

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/export", tag = "desk",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The targets and their results as .xlsx",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["campaign.read"]), ("bearer" = ["campaign.read"])))]
async fn export_targets(
    who: Can<perm::CampaignRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Response> {
    reachable_campaign(
        &state,
        &who,
        Permission::CampaignRead,
        id,
        "campaign.export",
    )
    .await?;
    let mut rows = Vec::new();
    for page in 1.. {
        let chunk = state
            .store()
            .campaign_targets(
                id,
                CampaignTargetFilter::All,
                PageRequest::new(page, PageRequest::MAX_PER_PAGE),
            )
            .await?;
        let done = chunk.items.len() < PageRequest::MAX_PER_PAGE as usize;
        rows.extend(chunk.items.into_iter().map(|t| {
            vec![
                t.customer_name,
                t.phone.unwrap_or_default(),
                t.level,
                yes_no(t.result.invited),
                t.result.refusal_reason,
                yes_no(t.result.attended),
                yes_no(t.result.gift_taken),
                t.result
                    .satisfaction
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                t.result.dissatisfaction_reason,
                t.result.notes,
                t.updated_by,
            ]
        }));
        if done {
            break;
        }
    }
    let name = format!("campaign-{id}-{}", sb_store::serial_day(state.now()));
    xlsx::download(name, "Campaign", TARGET_HEADERS, rows).await
}
