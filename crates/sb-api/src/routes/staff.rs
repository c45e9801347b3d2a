//! Staff (MISSION M1): list with search and data scope, create, edit, delete,
//! reset password, unlock.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::{Permission, StaffId};
use sb_store::{Page, Role, Staff, StaffFilter, StaffInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::password::hash_password_blocking;
use crate::auth::{Can, Principal, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::scope::{
    Scope, ensure_covers, ensure_department_in_scope, ensure_may_grant, ensure_not_weaker_than,
};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(get_staff, update_staff, delete_staff))
        .routes(routes!(reset_password))
        .routes(routes!(unlock_staff))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Matches employee ID, name, mobile, extension or e-mail (contains).
    q: Option<String>,
    department_id: Option<i64>,
    /// With `department_id`: include sub-departments (default true).
    include_sub: Option<bool>,
    role_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffBody {
    employee_id: String,
    name: String,
    department_id: Option<i64>,
    work_group: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    extension: Option<String>,
    enabled: Option<bool>,
    /// At most 50.
    #[serde(default)]
    role_ids: Vec<i64>,
    /// Only on create; absent means the person cannot sign in until an admin sets one.
    password: Option<String>,
    /// Follow-me to the mobile (MISSION G8): `off`, `no_answer` or
    /// `always`; unchanged when absent.
    follow_me_mode: Option<String>,
    /// Seconds before the mobile rings too with `no_answer` (0..=120);
    /// unchanged when absent.
    follow_me_delay_s: Option<i64>,
}

impl StaffBody {
    /// The follow-me the body sets, if it names one, over the person's
    /// `current` setting; checked against the body's mobile.
    fn follow_me(
        &self,
        current: (sb_core::FollowMeMode, u32),
        mobile: &str,
    ) -> ApiResult<Option<sb_store::FollowMe>> {
        if self.follow_me_mode.is_none() && self.follow_me_delay_s.is_none() {
            return Ok(None);
        }
        let mode = self
            .follow_me_mode
            .as_deref()
            .unwrap_or(current.0.code())
            .to_owned();
        crate::routes::follow_me::checked(
            ("follow_me_mode", &mode),
            ("follow_me_delay_s", self.follow_me_delay_s),
            current.1,
            mobile,
        )
        .map(Some)
    }

    fn into_input(self) -> ApiResult<(StaffInput, Option<String>)> {
        if self.role_ids.len() > 50 {
            return Err(crate::error::ApiError::validation(
                "role_ids",
                "at most 50 roles per person",
            ));
        }
        let input = StaffInput {
            employee_id: validate::identifier("employee_id", &self.employee_id)?,
            name: validate::text("name", &self.name, 1, 64)?,
            department_id: self.department_id,
            work_group: validate::optional_text("work_group", self.work_group.as_deref(), 64)?,
            mobile: validate::phone("mobile", self.mobile.as_deref())?,
            email: validate::email("email", self.email.as_deref())?,
            extension: validate::optional_extension("extension", self.extension.as_deref())?,
            enabled: self.enabled.unwrap_or(true),
            role_ids: self.role_ids,
        };
        let password = self
            .password
            .map(|p| validate::password("password", &p))
            .transpose()?;
        Ok((input, password))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    password: String,
}

/// Roles being newly given (held ones may stay even if the editor could not grant them).
async fn new_roles(state: &AppState, requested: &[i64], held: &[i64]) -> ApiResult<Vec<Role>> {
    let mut roles = Vec::new();
    for id in requested.iter().filter(|id| !held.contains(id)) {
        match state.store().role(*id).await {
            Ok(role) => roles.push(role),
            Err(sb_store::StoreError::NotFound { .. }) => {
                return Err(crate::error::ApiError::validation(
                    "role_ids",
                    format!("role {id} does not exist"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(roles)
}

/// Loads a member of staff the caller may act on with `permission`, and
/// that permission's scope.
async fn target(
    state: &AppState,
    who: &Principal,
    id: i64,
    permission: Permission,
) -> ApiResult<(Staff, Scope)> {
    let staff = state.store().staff(id).await?;
    let scope = Scope::of(state, who, permission).await?;
    ensure_covers(state, who, &scope, &staff, permission.code()).await?;
    Ok((staff, scope))
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "organisation", params(StaffQuery),
    responses((status = 200, body = Page<Staff>)),
    security(("session" = ["staff.read"]), ("bearer" = ["staff.read"])))]
async fn list_staff(
    who: Can<perm::StaffRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StaffQuery>,
) -> ApiResult<Json<Page<Staff>>> {
    let scope = Scope::of(&state, &who, Permission::StaffRead).await?;
    let requested = match query.department_id {
        Some(d) if query.include_sub.unwrap_or(true) => {
            Some(state.store().department_subtree(d).await?)
        }
        Some(d) => Some(vec![d]),
        None => None,
    };
    let filter = StaffFilter {
        q: query.q.map(|q| q.chars().take(64).collect()),
        department_ids: scope.restrict(requested),
        role_id: query.role_id,
        only_id: scope.only_id,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().list_staff(&filter, page).await?))
}

#[utoipa::path(post, path = "/api/v1/staff", tag = "organisation", request_body = StaffBody,
    responses((status = 201, body = Staff)),
    security(("session" = ["staff.create"]), ("bearer" = ["staff.create"])))]
async fn create_staff(
    who: Can<perm::StaffCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<StaffBody>,
) -> ApiResult<Created<Staff>> {
    let follow_me = body.follow_me(
        (
            sb_core::FollowMeMode::Off,
            sb_core::follow_me::DEFAULT_FOLLOW_ME_DELAY_S,
        ),
        body.mobile.as_deref().unwrap_or(""),
    )?;
    let (input, password) = body.into_input()?;
    let scope = Scope::of(&state, &who, Permission::StaffCreate).await?;
    ensure_department_in_scope(
        &state,
        &who,
        &scope,
        input.department_id,
        "department_id",
        "staff.create",
    )
    .await?;
    let roles = new_roles(&state, &input.role_ids, &[]).await?;
    ensure_may_grant(&state, &who, &roles, "staff.create").await?;
    let hash = match password {
        Some(p) => Some(hash_password_blocking(p).await?),
        None => None,
    };
    let created = state
        .store()
        .create_staff_with_follow_me(state.now(), &who.actor(), input, hash, follow_me)
        .await?;
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Staff)),
    security(("session" = ["staff.read"]), ("bearer" = ["staff.read"])))]
async fn get_staff(
    who: Can<perm::StaffRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Staff>> {
    Ok(Json(
        target(&state, &who, id, Permission::StaffRead).await?.0,
    ))
}

/// Replaces the record; `password` is not accepted here (use the password route).
#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "organisation", params(("id" = i64, Path)),
    request_body = StaffBody, responses((status = 200, body = Staff)),
    security(("session" = ["staff.update"]), ("bearer" = ["staff.update"])))]
async fn update_staff(
    who: Can<perm::StaffUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<StaffBody>,
) -> ApiResult<Json<Staff>> {
    if body.password.is_some() {
        return Err(crate::error::ApiError::validation(
            "password",
            "password cannot be changed here; use POST /api/v1/staff/{id}/password",
        ));
    }
    let follow_me_body = StaffBody {
        follow_me_mode: body.follow_me_mode.clone(),
        follow_me_delay_s: body.follow_me_delay_s,
        ..StaffBody::default()
    };
    let (input, _) = body.into_input()?;
    let (current, scope) = target(&state, &who, id, Permission::StaffUpdate).await?;
    let follow_me = follow_me_body.follow_me(
        (current.follow_me_mode, current.follow_me_delay_s),
        &input.mobile,
    )?;
    ensure_not_weaker_than(&state, &who, StaffId(id), "staff.update").await?;
    if input.department_id != current.department_id {
        ensure_department_in_scope(
            &state,
            &who,
            &scope,
            input.department_id,
            "department_id",
            "staff.update",
        )
        .await?;
    }
    let held: Vec<i64> = current.roles.iter().map(|r| r.id).collect();
    let roles = new_roles(&state, &input.role_ids, &held).await?;
    ensure_may_grant(&state, &who, &roles, "staff.update").await?;
    Ok(Json(
        state
            .store()
            .update_staff_with_follow_me(state.now(), &who.actor(), id, input, follow_me)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/staff/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["staff.delete"]), ("bearer" = ["staff.delete"])))]
async fn delete_staff(
    who: Can<perm::StaffDelete>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    if id == who.staff_id.0 {
        return Err(crate::error::ApiError::conflict(
            "self_delete",
            "you cannot delete your own account",
        ));
    }
    target(&state, &who, id, Permission::StaffDelete).await?;
    ensure_not_weaker_than(&state, &who, StaffId(id), "staff.delete").await?;
    state
        .store()
        .delete_staff(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password, clears any lockout and ends that person's sessions.
#[utoipa::path(post, path = "/api/v1/staff/{id}/password", tag = "organisation", params(("id" = i64, Path)),
    request_body = PasswordBody, responses((status = 204)),
    security(("session" = ["staff.reset_password"]), ("bearer" = ["staff.reset_password"])))]
async fn reset_password(
    who: Can<perm::StaffResetPassword>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    if id == who.staff_id.0 {
        return Err(crate::error::ApiError::conflict(
            "own_password",
            "change your own password with POST /api/v1/auth/password, which asks for the current one",
        ));
    }
    let password = validate::password("password", &body.password)?;
    target(&state, &who, id, Permission::StaffResetPassword).await?;
    ensure_not_weaker_than(&state, &who, StaffId(id), "staff.reset_password").await?;
    let hash = hash_password_blocking(password).await?;
    state
        .store()
        .set_password(state.now(), &who.actor(), StaffId(id), &hash, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/staff/{id}/unlock", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["staff.update"]), ("bearer" = ["staff.update"])))]
async fn unlock_staff(
    who: Can<perm::StaffUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    target(&state, &who, id, Permission::StaffUpdate).await?;
    ensure_not_weaker_than(&state, &who, StaffId(id), "staff.unlock").await?;
    state
        .store()
        .unlock_staff(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
