//! The data dictionary (MISSION M4): drop-down lists every form reads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{DictionaryItem, DictionaryItemInput, DictionaryType, DictionaryTypeInput, Page};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_dictionary, create_type))
        .routes(routes!(update_type, delete_type))
        .routes(routes!(create_item))
        .routes(routes!(update_item, delete_item))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DictionaryTypeBody {
    code: String,
    name: String,
    description: Option<String>,
}

impl DictionaryTypeBody {
    fn into_input(self) -> ApiResult<DictionaryTypeInput> {
        Ok(DictionaryTypeInput {
            code: validate::code("code", &self.code)?,
            name: validate::text("name", &self.name, 1, 64)?,
            description: validate::optional_text("description", self.description.as_deref(), 500)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DictionaryItemBody {
    code: String,
    label: String,
    /// An item of the same list, for sub-types.
    parent_id: Option<i64>,
    sort_order: Option<i64>,
    enabled: Option<bool>,
}

impl DictionaryItemBody {
    fn into_input(self) -> ApiResult<DictionaryItemInput> {
        Ok(DictionaryItemInput {
            code: validate::code("code", &self.code)?,
            label: validate::text("label", &self.label, 1, 64)?,
            parent_id: self.parent_id,
            sort_order: self.sort_order.unwrap_or(0),
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// Every list with its items; readable by any signed-in user, since every
/// form's drop-downs come from here.
#[utoipa::path(get, path = "/api/v1/dictionary", tag = "dictionary", params(ListQuery),
    responses((status = 200, body = Page<DictionaryType>)),
    security(("session" = []), ("bearer" = [])))]
async fn list_dictionary(
    _: Principal,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DictionaryType>>> {
    let all = state.store().list_dictionary().await?;
    Ok(Json(query.apply(all, 1000, |t| {
        vec![t.code.as_str(), t.name.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/dictionary", tag = "dictionary", request_body = DictionaryTypeBody,
    responses((status = 201, body = DictionaryType)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn create_type(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DictionaryTypeBody>,
) -> ApiResult<Created<DictionaryType>> {
    Ok(Created(
        state
            .store()
            .create_dictionary_type(state.now(), &who.actor(), body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/dictionary/{id}", tag = "dictionary", params(("id" = i64, Path)),
    request_body = DictionaryTypeBody, responses((status = 200, body = DictionaryType)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn update_type(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<DictionaryTypeBody>,
) -> ApiResult<Json<DictionaryType>> {
    Ok(Json(
        state
            .store()
            .update_dictionary_type(state.now(), &who.actor(), id, body.into_input()?)
            .await?,
    ))
}

/// Deletes the list with all its items.
#[utoipa::path(delete, path = "/api/v1/dictionary/{id}", tag = "dictionary", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn delete_type(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_dictionary_type(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/dictionary/{id}/items", tag = "dictionary", params(("id" = i64, Path, description = "the list")),
    request_body = DictionaryItemBody, responses((status = 201, body = DictionaryItem)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn create_item(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<DictionaryItemBody>,
) -> ApiResult<Created<DictionaryItem>> {
    Ok(Created(
        state
            .store()
            .create_dictionary_item(state.now(), &who.actor(), id, body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/dictionary-items/{id}", tag = "dictionary", params(("id" = i64, Path)),
    request_body = DictionaryItemBody, responses((status = 200, body = DictionaryItem)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn update_item(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<DictionaryItemBody>,
) -> ApiResult<Json<DictionaryItem>> {
    Ok(Json(
        state
            .store()
            .update_dictionary_item(state.now(), &who.actor(), id, body.into_input()?)
            .await?,
    ))
}

/// Refused (409) while the item has sub-items.
#[utoipa::path(delete, path = "/api/v1/dictionary-items/{id}", tag = "dictionary", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["dictionary.manage"]), ("bearer" = ["dictionary.manage"])))]
async fn delete_item(
    who: Can<perm::DictionaryManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_dictionary_item(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
