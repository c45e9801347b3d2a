//! Roles (MISSION M2): admin-defined sets of function permissions with a data
//! scope, and the permission catalogue the console draws its matrix from.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::{DataScope, Permission};
use sb_store::{Page, PageRequest, Role, RoleInput, StaffFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery, paginate};
use crate::scope::{Scope, ensure_may_carry, ensure_may_grant};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles, create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_permissions))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    code: String,
    name: String,
    description: Option<String>,
    /// own, department, department_and_below or all.
    data_scope: String,
    /// Permission codes, e.g. `staff.read`.
    permissions: Vec<String>,
}

impl RoleBody {
    fn into_input(self) -> ApiResult<RoleInput> {
        let data_scope: DataScope = self
            .data_scope
            .parse()
            .map_err(|e: sb_core::CoreError| ApiError::validation("data_scope", e.to_string()))?;
        let mut permissions = BTreeSet::new();
        for (i, code) in self.permissions.iter().enumerate() {
            let p: Permission = code.parse().map_err(|e: sb_core::CoreError| {
                ApiError::validation(format!("permissions[{i}]"), e.to_string())
            })?;
            permissions.insert(p);
        }
        Ok(RoleInput {
            code: validate::code("code", &self.code)?,
            name: validate::text("name", &self.name, 1, 64)?,
            description: validate::optional_text("description", self.description.as_deref(), 500)?,
            data_scope,
            permissions,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionInfo {
    code: String,
    resource: String,
    action: String,
}

/// A role may carry only what its author holds, or role editing would be a
/// way to raise one's own permissions.
async fn ensure_within_own(
    state: &AppState,
    who: &Principal,
    input: &RoleInput,
    action: &str,
) -> ApiResult<()> {
    ensure_may_carry(
        state,
        who,
        &input.code,
        input.permissions.iter().copied(),
        input.data_scope,
        action,
    )
    .await
}

/// Changing an existing role reaches everyone who holds it: the editor must
/// hold what it carries now, and with a limited scope every holder must be in
/// that scope.
async fn ensure_may_reshape(
    state: &AppState,
    who: &Principal,
    id: i64,
    permission: Permission,
) -> ApiResult<()> {
    let current = state.store().role(id).await?;
    if current.builtin {
        return Ok(()); // the store refuses with 409 builtin_role
    }
    ensure_may_grant(
        state,
        who,
        std::slice::from_ref(&current),
        permission.code(),
    )
    .await?;
    let scope = Scope::of(state, who, permission).await?;
    if !scope.is_everything() && current.staff_count > 0 {
        let filter = StaffFilter {
            q: None,
            department_ids: scope.restrict(None),
            role_id: Some(id),
            only_id: scope.only_id,
        };
        let in_scope = state
            .store()
            .list_staff(&filter, PageRequest::new(1, 1))
            .await?
            .total;
        if in_scope < current.staff_count {
            let e = ApiError::forbidden(format!(
                "role {} is held by people outside your data scope",
                current.code
            ));
            return Err(crate::auth::principal::refuse_actor(
                state,
                who.actor(),
                permission.code(),
                e,
            )
            .await);
        }
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", params(ListQuery),
    responses((status = 200, body = Page<Role>)),
    security(("session" = ["role.read"]), ("bearer" = ["role.read"])))]
async fn list_roles(
    _: Can<perm::RoleRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Role>>> {
    let roles = state.store().list_roles().await?;
    Ok(Json(query.apply(roles, 1000, |r| {
        vec![r.code.as_str(), r.name.as_str(), r.description.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = RoleBody,
    responses((status = 201, body = Role)),
    security(("session" = ["role.create"]), ("bearer" = ["role.create"])))]
async fn create_role(
    who: Can<perm::RoleCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<Created<Role>> {
    let input = body.into_input()?;
    ensure_within_own(&state, &who, &input, "role.create").await?;
    Ok(Created(
        state
            .store()
            .create_role(state.now(), &who.actor(), input)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = i64, Path)),
    responses((status = 200, body = Role)),
    security(("session" = ["role.read"]), ("bearer" = ["role.read"])))]
async fn get_role(
    _: Can<perm::RoleRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Role>> {
    Ok(Json(state.store().role(id).await?))
}

/// The built-in `admin` role cannot be changed (409).
#[utoipa::path(put, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = i64, Path)),
    request_body = RoleBody, responses((status = 200, body = Role)),
    security(("session" = ["role.update"]), ("bearer" = ["role.update"])))]
async fn update_role(
    who: Can<perm::RoleUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<Json<Role>> {
    let input = body.into_input()?;
    ensure_within_own(&state, &who, &input, "role.update").await?;
    ensure_may_reshape(&state, &who, id, Permission::RoleUpdate).await?;
    Ok(Json(
        state
            .store()
            .update_role(state.now(), &who.actor(), id, input)
            .await?,
    ))
}

/// Refused (409) for the built-in role and for roles still held by staff.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["role.delete"]), ("bearer" = ["role.delete"])))]
async fn delete_role(
    who: Can<perm::RoleDelete>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    ensure_may_reshape(&state, &who, id, Permission::RoleDelete).await?;
    state
        .store()
        .delete_role(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The permission catalogue: every grantable action.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "roles",
    responses((status = 200, body = Page<PermissionInfo>)),
    security(("session" = ["role.read"]), ("bearer" = ["role.read"])))]
async fn list_permissions(_: Can<perm::RoleRead>) -> Json<Page<PermissionInfo>> {
    let items: Vec<PermissionInfo> = Permission::ALL
        .iter()
        .map(|p| PermissionInfo {
            code: p.code().into(),
            resource: p.resource().into(),
            action: p.action().into(),
        })
        .collect();
    Json(paginate(items, sb_store::PageRequest::all()))
}
