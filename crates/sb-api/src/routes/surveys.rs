//! Satisfaction surveys (MISSION Q1): the keys callers pressed to rate the
//! service after the agent hung up, one by one and summed up per agent.

use axum::Json;
use axum::extract::State;
use sb_store::{Page, SurveyFilter, SurveyResult, SurveySummary};
use serde::Deserialize;
use time::Duration;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::PageQuery;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_results))
        .routes(routes!(summary))
}

fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// The agent's employee ID, exactly.
    agent: Option<String>,
    /// The queue's name, exactly.
    queue: Option<String>,
    /// The question id the flow asked (e.g. `satisfaction`).
    question: Option<String>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The answers, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "acd", params(SurveyQuery),
    responses((status = 200, body = Page<SurveyResult>)),
    security(("session" = ["survey.read"]), ("bearer" = ["survey.read"])))]
async fn list_results(
    _: Can<perm::SurveyRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SurveyQuery>,
) -> ApiResult<Json<Page<SurveyResult>>> {
    let filter = SurveyFilter {
        agent: text(query.agent.as_deref()),
        queue: text(query.queue.as_deref()),
        question: text(query.question.as_deref()),
        from: validate::query_time("from", query.from.as_deref())?,
        to: validate::query_time("to", query.to.as_deref())?,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state.store().search_survey_results(&filter, page).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// RFC 3339, inclusive; 30 days before `to` by default.
    from: Option<String>,
    /// RFC 3339, exclusive; now by default.
    to: Option<String>,
}

/// Per agent and question over `[from, to)`: how many answered, the
/// average key (digits only) and how often each key was pressed.
#[utoipa::path(get, path = "/api/v1/surveys/summary", tag = "acd", params(SummaryQuery),
    responses((status = 200, body = Vec<SurveySummary>)),
    security(("session" = ["survey.read"]), ("bearer" = ["survey.read"])))]
async fn summary(
    _: Can<perm::SurveyRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SummaryQuery>,
) -> ApiResult<Json<Vec<SurveySummary>>> {
    let to = validate::query_time("to", query.to.as_deref())?.unwrap_or_else(|| state.now());
    let from =
        validate::query_time("from", query.from.as_deref())?.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(ApiError::bad_request("from must be before to").with_field("from"));
    }
    Ok(Json(state.store().survey_summary(from, to).await?))
}
