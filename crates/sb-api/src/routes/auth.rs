//! Sign-in, sign-out, who am I, own profile and password (MISSION M6, N6).

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sb_core::StaffId;
use sb_store::{
    Actor, AuditEvent, AuditKind, LoginAttempt, NewSession, ProfileInput, RoleRef, Staff,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::password::{hash_password_blocking, verify_password_blocking};
use crate::auth::secret::{digest, random_token};
use crate::auth::{Principal, Via, cookie};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::routes::ClientMeta;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    employee_id: String,
    password: String,
}

/// The signed-in user as the console needs it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    id: i64,
    employee_id: String,
    name: String,
    department_id: Option<i64>,
    department_name: Option<String>,
    work_group: String,
    mobile: String,
    email: String,
    extension: Option<String>,
    locale: String,
    roles: Vec<RoleRef>,
    /// Permission codes the user holds.
    permissions: Vec<String>,
    data_scope: String,
    /// For console sessions: send it back as `X-CSRF-Token` on every change.
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    csrf_token: String,
    user: Me,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    name: String,
    mobile: Option<String>,
    email: Option<String>,
    /// zh-CN or en.
    locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

async fn me_of(state: &AppState, staff: Staff, csrf_token: Option<String>) -> ApiResult<Me> {
    let grants = state.store().grants(StaffId(staff.id)).await?;
    Ok(Me {
        id: staff.id,
        employee_id: staff.employee_id,
        name: staff.name,
        department_id: staff.department_id,
        department_name: staff.department_name,
        work_group: staff.work_group,
        mobile: staff.mobile,
        email: staff.email,
        extension: staff.extension,
        locale: staff.locale,
        roles: staff.roles,
        permissions: grants.iter().map(|(p, _)| p.code().to_owned()).collect(),
        data_scope: grants.widest().code().to_owned(),
        csrf_token,
    })
}

/// Audits a sign-in. Failures go through the refusal path, so repeated
/// failures (one account, or many from one address) raise an alarm.
async fn audit_login(state: &AppState, actor: &Actor, outcome: &str, detail: &str) {
    state.metrics().record_login(outcome);
    let event = AuditEvent {
        kind: AuditKind::Auth,
        outcome,
        action: "auth.login",
        entity: "staff",
        entity_id: &actor.employee_id,
        detail,
    };
    let written = if outcome == "ok" {
        state.store().record_audit(state.now(), actor, event).await
    } else {
        state
            .store()
            .record_refusal(state.now(), actor, event, state.config().alarm)
            .await
            .map(|_| ())
    };
    if let Err(e) = written {
        tracing::error!(error = %e, "could not audit a sign-in");
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "wrong employee ID or password",
    )
}

fn locked(now: OffsetDateTime, until: OffsetDateTime) -> ApiError {
    let minutes = ((until - now).whole_seconds().max(60) + 59) / 60;
    ApiError::new(
        StatusCode::LOCKED,
        "account_locked",
        format!(
            "too many failed sign-ins; try again in about {minutes} minutes or ask an administrator to unlock the account"
        ),
    )
}

/// Signs in with employee ID and password. Sets the HttpOnly session cookie
/// and returns the CSRF token the console must echo on changes. Five wrong
/// passwords in a row lock the account for 15 minutes (423).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::ErrorBody), (status = 423, body = crate::error::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    client: ClientMeta,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let employee_id = validate::text("employee_id", &body.employee_id, 1, 32)?;
    if body.password.is_empty() || body.password.chars().count() > validate::PASSWORD_MAX {
        return Err(ApiError::validation(
            "password",
            "password is required (at most 128 characters)",
        ));
    }
    let now = state.now();
    let store = state.store();
    let mut actor = Actor {
        id: None,
        employee_id: employee_id.clone(),
        name: String::new(),
        ip: client.ip.clone(),
    };
    let Some(creds) = store.credentials(&employee_id).await? else {
        // Same work as a real check, so response time does not reveal which IDs exist.
        verify_password_blocking(body.password, state.dummy_hash().to_owned()).await;
        audit_login(&state, &actor, "failed", "unknown employee ID").await;
        return Err(invalid_credentials());
    };
    actor.id = Some(creds.id);
    actor.name = creds.name.clone();
    let config = state.config();
    let attempt = store
        .claim_login_attempt(now, creds.id, config.max_login_failures, config.lockout)
        .await?;
    if let LoginAttempt::Locked(until) = attempt {
        audit_login(&state, &actor, "locked", "sign-in attempted while locked").await;
        return Err(locked(now, until));
    }
    let hash = creds
        .password_hash
        .clone()
        .unwrap_or_else(|| state.dummy_hash().to_owned());
    let matches =
        verify_password_blocking(body.password, hash).await && creds.password_hash.is_some();
    if !matches {
        let lock = store
            .record_login_failure(now, creds.id, config.max_login_failures, config.lockout)
            .await?;
        if let Some(until) = lock {
            audit_login(&state, &actor, "locked", "wrong password; account locked").await;
            return Err(locked(now, until));
        }
        audit_login(&state, &actor, "failed", "wrong password").await;
        return Err(invalid_credentials());
    }
    if !creds.enabled {
        audit_login(&state, &actor, "failed", "account disabled").await;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "this account is disabled",
        ));
    }
    store.record_login_success(creds.id).await?;

    let session_id = random_token();
    let csrf_token = random_token();
    let expires_at = now + config.session_idle.min(config.session_absolute);
    store
        .create_session(
            now,
            NewSession {
                id_hash: &digest(&session_id),
                staff_id: creds.id,
                csrf_token: &csrf_token,
                expires_at,
                ip: &client.ip,
                user_agent: &client.user_agent,
            },
        )
        .await?;
    audit_login(&state, &actor, "ok", "").await;
    let staff = store.staff(creds.id.0).await?;
    let user = me_of(&state, staff, Some(csrf_token.clone())).await?;
    let cookie = cookie::set_session(
        &session_id,
        config.session_absolute.whole_seconds(),
        config.secure_cookies,
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal("cookie header", e))?,
    );
    Ok((headers, Json(LoginResponse { csrf_token, user })).into_response())
}

/// Ends the console session (a bearer token stays valid until revoked).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)),
    security(("session" = []), ("bearer" = [])))]
async fn logout(who: Principal, State(state): State<AppState>) -> ApiResult<Response> {
    if let Via::Session { id_hash, .. } = &who.via {
        state.store().delete_session(id_hash).await?;
    }
    let event = AuditEvent {
        kind: AuditKind::Auth,
        outcome: "ok",
        action: "auth.logout",
        entity: "staff",
        entity_id: &who.employee_id,
        detail: "",
    };
    state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await?;
    let cookie = cookie::clear_session(state.config().secure_cookies);
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal("cookie header", e))?,
    );
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The signed-in user, their permissions and (for sessions) the CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me)),
    security(("session" = []), ("bearer" = [])))]
async fn me(who: Principal, State(state): State<AppState>) -> ApiResult<Json<Me>> {
    let csrf = match &who.via {
        Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
        Via::ApiToken => None,
    };
    let staff = state.store().staff(who.staff_id.0).await?;
    Ok(Json(me_of(&state, staff, csrf).await?))
}

/// Edits one's own name, mobile, e-mail and language.
#[utoipa::path(put, path = "/api/v1/auth/me", tag = "auth", request_body = ProfileBody, responses((status = 200, body = Me)),
    security(("session" = []), ("bearer" = [])))]
async fn update_me(
    who: Principal,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> ApiResult<Json<Me>> {
    let input = ProfileInput {
        name: validate::text("name", &body.name, 1, 64)?,
        mobile: validate::phone("mobile", body.mobile.as_deref())?,
        email: validate::email("email", body.email.as_deref())?,
        locale: validate::locale("locale", body.locale.as_deref())?,
    };
    let staff = state
        .store()
        .update_profile(state.now(), &who.actor(), who.staff_id, input)
        .await?;
    let csrf = match &who.via {
        Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
        Via::ApiToken => None,
    };
    Ok(Json(me_of(&state, staff, csrf).await?))
}

/// Changes one's own password; other sessions of the user end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePasswordBody, responses((status = 204)),
    security(("session" = []), ("bearer" = [])))]
async fn change_password(
    who: Principal,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<StatusCode> {
    let new_password = validate::password("new_password", &body.new_password)?;
    if body.current_password == new_password {
        return Err(ApiError::validation(
            "new_password",
            "the new password must differ from the current one",
        ));
    }
    let creds = state.store().credentials_by_id(who.staff_id).await?;
    let current_ok = match creds.password_hash {
        Some(hash) => verify_password_blocking(body.current_password, hash).await,
        None => false,
    };
    if !current_ok {
        let e = ApiError::validation("current_password", "the current password is wrong");
        return Err(
            crate::auth::principal::refuse_actor(&state, who.actor(), "auth.password", e).await,
        );
    }
    let hash = hash_password_blocking(new_password).await?;
    let keep = match &who.via {
        Via::Session { id_hash, .. } => Some(id_hash.as_str()),
        Via::ApiToken => None,
    };
    state
        .store()
        .set_password(state.now(), &who.actor(), who.staff_id, &hash, keep)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
