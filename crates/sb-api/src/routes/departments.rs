//! Department tree (MISSION M1).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{Department, DepartmentInput, Page};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use sb_core::Permission;

use crate::auth::{Can, Principal, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::scope::{Scope, ensure_department_in_scope};
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
/// A department write with a limited scope must stay inside it: the
/// department itself and its parent (the parent only when it changes).
async fn ensure_writable(
    state: &AppState,
    who: &Principal,
    permission: Permission,
    department: Option<i64>,
    parent: Option<Option<i64>>,
) -> ApiResult<()> {
    let scope = Scope::of(state, who, permission).await?;
    if scope.is_everything() {
        return Ok(());
    }
    if let Some(id) = department {
        ensure_department_in_scope(state, who, &scope, Some(id), "id", permission.code()).await?;
    }
    if let Some(parent) = parent {
        ensure_department_in_scope(state, who, &scope, parent, "parent_id", permission.code())
            .await?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", params(ListQuery),
    responses((status = 200, body = Page<Department>)),
    security(("session" = ["department.read"]), ("bearer" = ["department.read"])))]
async fn list_departments(
    _: Can<perm::DepartmentRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Department>>> {
    let all = state.store().list_departments().await?;
    Ok(Json(query.apply(all, 1000, |d| {
        vec![d.number.as_str(), d.name.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody,
    responses((status = 201, body = Department)),
    security(("session" = ["department.create"]), ("bearer" = ["department.create"])))]
async fn create_department(
    who: Can<perm::DepartmentCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<Created<Department>> {
    let input = body.into_input()?;
    ensure_writable(
        &state,
        &who,
        Permission::DepartmentCreate,
        None,
        Some(input.parent_id),
    )
    .await?;
    let created = state
        .store()
        .create_department(state.now(), &who.actor(), input)
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
    let input = body.into_input()?;
    let current = state.store().department(id).await?;
    let new_parent = (input.parent_id != current.parent_id).then_some(input.parent_id);
    ensure_writable(
        &state,
        &who,
        Permission::DepartmentUpdate,
        Some(id),
        new_parent,
    )
    .await?;
    let updated = state
        .store()
        .update_department(state.now(), &who.actor(), id, input)
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
    state.store().department(id).await?;
    ensure_writable(&state, &who, Permission::DepartmentDelete, Some(id), None).await?;
    state
        .store()
        .delete_department(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
