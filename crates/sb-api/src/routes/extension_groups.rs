//! Extension groups (MISSION M3).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{ExtensionGroup, ExtensionGroupInput, Page};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionGroupBody {
    name: String,
    description: Option<String>,
    #[serde(default)]
    extensions: Vec<String>,
}

impl ExtensionGroupBody {
    fn into_input(self) -> ApiResult<ExtensionGroupInput> {
        if self.extensions.len() > 1000 {
            return Err(crate::error::ApiError::validation(
                "extensions",
                "at most 1000 extensions per group",
            ));
        }
        let extensions = self
            .extensions
            .iter()
            .enumerate()
            .map(|(i, e)| validate::extension(&format!("extensions[{i}]"), e))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(ExtensionGroupInput {
            name: validate::text("name", &self.name, 1, 64)?,
            description: validate::optional_text("description", self.description.as_deref(), 500)?,
            extensions,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/extension-groups", tag = "organisation", params(ListQuery),
    responses((status = 200, body = Page<ExtensionGroup>)),
    security(("session" = ["extension_group.read"]), ("bearer" = ["extension_group.read"])))]
async fn list_groups(
    _: Can<perm::ExtensionGroupRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ExtensionGroup>>> {
    let groups = state.store().list_extension_groups().await?;
    Ok(Json(query.apply(groups, 1000, |g| {
        let mut fields = vec![g.name.as_str(), g.description.as_str()];
        fields.extend(g.extensions.iter().map(String::as_str));
        fields
    })))
}

#[utoipa::path(post, path = "/api/v1/extension-groups", tag = "organisation", request_body = ExtensionGroupBody,
    responses((status = 201, body = ExtensionGroup)),
    security(("session" = ["extension_group.create"]), ("bearer" = ["extension_group.create"])))]
async fn create_group(
    who: Can<perm::ExtensionGroupCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ExtensionGroupBody>,
) -> ApiResult<Created<ExtensionGroup>> {
    Ok(Created(
        state
            .store()
            .create_extension_group(state.now(), &who.actor(), body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/extension-groups/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = ExtensionGroup)),
    security(("session" = ["extension_group.read"]), ("bearer" = ["extension_group.read"])))]
async fn get_group(
    _: Can<perm::ExtensionGroupRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<ExtensionGroup>> {
    Ok(Json(state.store().extension_group(id).await?))
}

#[utoipa::path(put, path = "/api/v1/extension-groups/{id}", tag = "organisation", params(("id" = i64, Path)),
    request_body = ExtensionGroupBody, responses((status = 200, body = ExtensionGroup)),
    security(("session" = ["extension_group.update"]), ("bearer" = ["extension_group.update"])))]
async fn update_group(
    who: Can<perm::ExtensionGroupUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<ExtensionGroupBody>,
) -> ApiResult<Json<ExtensionGroup>> {
    Ok(Json(
        state
            .store()
            .update_extension_group(state.now(), &who.actor(), id, body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/extension-groups/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["extension_group.delete"]), ("bearer" = ["extension_group.delete"])))]
async fn delete_group(
    who: Can<perm::ExtensionGroupDelete>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_extension_group(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
