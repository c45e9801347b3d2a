//! The knowledge category tree: everyone who reads the knowledge base
//! lists it; `knowledge.manage` changes it. A category still holding
//! categories or articles cannot be removed (409).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{KbCategory, KbCategoryInput};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Id};
use crate::routes::Created;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(update_category, delete_category))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// The parent category; absent for a top-level one.
    parent_id: Option<i64>,
    name: String,
    /// Order among siblings (and in the study view).
    position: Option<i64>,
}

impl CategoryBody {
    fn input(self) -> ApiResult<KbCategoryInput> {
        Ok(KbCategoryInput {
            parent_id: self.parent_id,
            name: validate::text("name", &self.name, 1, 100)?,
            position: validate::int_in("position", self.position.unwrap_or(0), 0..=1_000_000)?,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/knowledge/categories", tag = "knowledge",
    responses((status = 200, body = Vec<KbCategory>)),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn list_categories(
    _who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<KbCategory>>> {
    Ok(Json(state.store().kb_categories().await?))
}

#[utoipa::path(post, path = "/api/v1/knowledge/categories", tag = "knowledge",
    request_body = CategoryBody, responses((status = 201, body = KbCategory)),
    security(("session" = ["knowledge.manage"]), ("bearer" = ["knowledge.manage"])))]
async fn create_category(
    who: Can<perm::KnowledgeManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CategoryBody>,
) -> ApiResult<Created<KbCategory>> {
    let input = body.input()?;
    let created = state
        .store()
        .create_kb_category(state.now(), &who.actor(), &input)
        .await?;
    Ok(Created(created))
}

#[utoipa::path(put, path = "/api/v1/knowledge/categories/{id}", tag = "knowledge",
    params(("id" = i64, Path)), request_body = CategoryBody,
    responses((status = 200, body = KbCategory)),
    security(("session" = ["knowledge.manage"]), ("bearer" = ["knowledge.manage"])))]
async fn update_category(
    who: Can<perm::KnowledgeManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<CategoryBody>,
) -> ApiResult<Json<KbCategory>> {
    let input = body.input()?;
    Ok(Json(
        state
            .store()
            .update_kb_category(state.now(), &who.actor(), id, &input)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/knowledge/categories/{id}", tag = "knowledge",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 409, description = "It still holds categories or articles")),
    security(("session" = ["knowledge.manage"]), ("bearer" = ["knowledge.manage"])))]
async fn delete_category(
    who: Can<perm::KnowledgeManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_kb_category(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
