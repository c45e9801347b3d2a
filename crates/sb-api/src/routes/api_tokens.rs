//! Bearer API tokens for integrations (MISSION X3).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::StaffId;
use sb_store::{ApiToken, NewApiToken, Page, Store};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::secret::{digest, new_api_token};
use sb_core::Permission;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery};
use crate::scope::{Scope, ensure_not_weaker_than};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// The staff member the token acts as.
    employee_id: String,
    /// What the token is for, e.g. `ERP sync`.
    name: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    token: ApiToken,
    /// The secret, shown only in this response: `Authorization: Bearer <secret>`.
    secret: String,
}

/// Tokens act with their owner's full power, so managing one needs the owner
/// in scope and no stronger than the manager.
async fn ensure_may_manage_for(
    state: &AppState,
    who: &Principal,
    owner: StaffId,
    department: Option<i64>,
    action: &str,
) -> ApiResult<()> {
    let scope = Scope::of(state, who, Permission::ApiTokenManage).await?;
    if !scope.covers(owner.0, department) {
        let e =
            ApiError::forbidden("that person is outside your data scope").with_field("employee_id");
        return Err(crate::auth::principal::refuse_actor(state, who.actor(), action, e).await);
    }
    ensure_not_weaker_than(state, who, owner, action).await
}

/// Tokens of the people in the caller's scope; `q` matches name, employee ID or owner.
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api tokens", params(ListQuery),
    responses((status = 200, body = Page<ApiToken>)),
    security(("session" = ["api_token.manage"]), ("bearer" = ["api_token.manage"])))]
async fn list_tokens(
    who: Can<perm::ApiTokenManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiToken>>> {
    let scope = Scope::of(&state, &who, Permission::ApiTokenManage).await?;
    let tokens: Vec<ApiToken> = state
        .store()
        .list_api_tokens()
        .await?
        .into_iter()
        .filter(|t| scope.covers(t.staff_id, t.department_id))
        .collect();
    Ok(Json(query.apply(tokens, 100, |t| {
        vec![
            t.name.as_str(),
            t.employee_id.as_str(),
            t.staff_name.as_str(),
        ]
    })))
}

#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api tokens", request_body = TokenBody,
    responses((status = 201, body = CreatedToken)),
    security(("session" = ["api_token.manage"]), ("bearer" = ["api_token.manage"])))]
async fn create_token(
    who: Can<perm::ApiTokenManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<Created<CreatedToken>> {
    let name = validate::text("name", &body.name, 1, 64)?;
    let employee_id = validate::identifier("employee_id", &body.employee_id)?;
    if let Some(t) = body.expires_at {
        validate::instant("expires_at", t)?;
    }
    if body.expires_at.is_some_and(|t| t <= state.now()) {
        return Err(ApiError::validation(
            "expires_at",
            "expires_at must be in the future",
        ));
    }
    let owner = match state.store().staff_by_employee_id(&employee_id).await {
        Ok(s) => s,
        Err(sb_store::StoreError::NotFound { .. }) => {
            return Err(ApiError::validation(
                "employee_id",
                format!("no staff with employee ID {employee_id}"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    ensure_may_manage_for(
        &state,
        &who,
        StaffId(owner.id),
        owner.department_id,
        "api_token.create",
    )
    .await?;
    let created = issue(
        state.store(),
        state.now(),
        &who.actor(),
        StaffId(owner.id),
        &name,
        body.expires_at,
    )
    .await?;
    Ok(Created(created))
}

/// Mints a token for `staff`; also used by `switchboard token create`.
pub async fn issue(
    store: &Store,
    now: OffsetDateTime,
    actor: &sb_store::Actor,
    staff: StaffId,
    name: &str,
    expires_at: Option<OffsetDateTime>,
) -> ApiResult<CreatedToken> {
    let (secret, prefix) = new_api_token();
    let hash = digest(&secret);
    let token = store
        .create_api_token(
            now,
            actor,
            NewApiToken {
                staff_id: staff,
                name,
                prefix: &prefix,
                token_hash: &hash,
                expires_at,
            },
        )
        .await?;
    Ok(CreatedToken { token, secret })
}

impl CreatedToken {
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api tokens", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["api_token.manage"]), ("bearer" = ["api_token.manage"])))]
async fn revoke_token(
    who: Can<perm::ApiTokenManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let token = state.store().api_token(id).await?;
    ensure_may_manage_for(
        &state,
        &who,
        StaffId(token.staff_id),
        token.department_id,
        "api_token.revoke",
    )
    .await?;
    state
        .store()
        .revoke_api_token(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
