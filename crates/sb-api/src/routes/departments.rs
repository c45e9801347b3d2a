//! Department tree (MISSION M1).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{Department, DepartmentInput, Page};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery, paginate};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentBody {
    /// Unique department number, e.g. `001-01`.
    number: String,
    name: String,
    parent_id: Option<i64>,
    sort_order: Option<i64>,
}

impl DepartmentBody {
    fn into_input(self) -> ApiResult<DepartmentInput> {
        Ok(DepartmentInput {
            number: validate::identifier("number", &self.number)?,
            name: validate::text("name", &self.name, 1, 64)?,
            parent_id: self.parent_id,
            sort_order: self.sort_order.unwrap_or(0),
        })
    }
}

/// Every department, flat; build the tree from `parent_id`.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", params(PageQuery),
    responses((status = 200, body = Page<Department>)),
    security(("session" = ["department.read"]), ("bearer" = ["department.read"])))]
async fn list_departments(
    _: Can<perm::DepartmentRead>,
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Department>>> {
    let all = state.store().list_departments().await?;
    Ok(Json(paginate(all, page.request(1000))))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody,
    responses((status = 201, body = Department)),
    security(("session" = ["department.create"]), ("bearer" = ["department.create"])))]
async fn create_department(
    who: Can<perm::DepartmentCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<Created<Department>> {
    let created = state
        .store()
        .create_department(state.now(), &who.actor(), body.into_input()?)
        .await?;
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Department)),
    security(("session" = ["department.read"]), ("bearer" = ["department.read"])))]
async fn get_department(
    _: Can<perm::DepartmentRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Department>> {
    Ok(Json(state.store().department(id).await?))
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)),
    request_body = DepartmentBody, responses((status = 200, body = Department)),
    security(("session" = ["department.update"]), ("bearer" = ["department.update"])))]
async fn update_department(
    who: Can<perm::DepartmentUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<Json<Department>> {
    let updated = state
        .store()
        .update_department(state.now(), &who.actor(), id, body.into_input()?)
        .await?;
    Ok(Json(updated))
}

/// Refused with 409 while the department has staff or sub-departments.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["department.delete"]), ("bearer" = ["department.delete"])))]
async fn delete_department(
    who: Can<perm::DepartmentDelete>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_department(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
