//! Study for new staff (`knowledge.read`): a category's published articles
//! in reading order with what this person has marked as read; and the
//! knowledge statistics for editors (`knowledge.review`): most read
//! articles, submissions per author, searches that found nothing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{KbStats, KbStudyItem};
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(study_list))
        .routes(routes!(mark_read))
        .routes(routes!(knowledge_stats))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudyQuery {
    /// The category to study (with those below it).
    category_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyProgress {
    pub items: Vec<KbStudyItem>,
    pub read: usize,
    pub total: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The window for searches, in days (1-365, default 30).
    days: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/knowledge/study", tag = "knowledge", params(StudyQuery),
    responses((status = 200, body = StudyProgress)),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn study_list(
    who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StudyQuery>,
) -> ApiResult<Json<StudyProgress>> {
    let category = query
        .category_id
        .ok_or_else(|| ApiError::validation("category_id", "category_id is required"))?;
    let below = state
        .store()
        .kb_category_and_below(category)
        .await
        .map_err(|e| match e {
            sb_store::StoreError::NotFound { .. } => {
                ApiError::validation("category_id", format!("category {category} does not exist"))
            }
            other => other.into(),
        })?;
    // Reading order: the category itself, then those below in tree order.
    let all = state.store().kb_categories().await?;
    let mut ordered = vec![category];
    let mut i = 0;
    while i < ordered.len() {
        let parent = ordered[i];
        ordered.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent) && below.contains(&c.id))
                .map(|c| c.id),
        );
        i += 1;
    }
    let items = state.store().kb_study(who.staff_id.0, &ordered).await?;
    let read = items.iter().filter(|i| i.read_at.is_some()).count();
    Ok(Json(StudyProgress {
        total: items.len(),
        read,
        items,
    }))
}

#[utoipa::path(post, path = "/api/v1/knowledge/study/{id}/read", tag = "knowledge",
    params(("id" = i64, Path, description = "The article")),
    responses((status = 204), (status = 404, description = "No such published article")),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn mark_read(
    who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.store().kb_published(id).await?;
    state
        .store()
        .mark_kb_read(state.now(), who.staff_id.0, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/knowledge/stats", tag = "knowledge", params(StatsQuery),
    responses((status = 200, body = KbStats)),
    security(("session" = ["knowledge.review"]), ("bearer" = ["knowledge.review"])))]
async fn knowledge_stats(
    _who: Can<perm::KnowledgeReview>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<KbStats>> {
    let days = validate::int_in("days", query.days.unwrap_or(30), 1..=365)?;
    Ok(Json(
        state
            .store()
            .kb_stats(state.now() - Duration::days(days))
            .await?,
    ))
}
