//! Caller blacklist (MISSION A7): numbers refused at the door, exact or by
//! prefix (`0755*`), each with what the caller gets and an optional expiry.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{BlacklistAction, BlacklistEntry, BlacklistFilter, BlacklistInput, Page};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::switch_control::ConfigChange;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_blacklist, create_entry))
        .routes(routes!(get_entry, update_entry, delete_entry))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlacklistBody {
    /// 1-32 digits, or a prefix: digits ending in `*` (`0755*`).
    number: String,
    /// `busy` (default), `prompt` or `hangup`.
    action: Option<BlacklistAction>,
    /// The voice prompt to play; needed (and must exist) for `prompt`.
    prompt_name: Option<String>,
    reason: Option<String>,
    /// RFC 3339; absent or null for an entry that never expires.
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
}

fn number(value: &str) -> ApiResult<String> {
    let value = value.trim();
    let digits = value.strip_suffix('*').unwrap_or(value);
    if digits.is_empty() || digits.len() > 32 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(
            "number",
            format!(
                "number must be 1 to 32 digits, optionally ending in `*` for a prefix, got `{value}`"
            ),
        ));
    }
    Ok(value.to_owned())
}

impl BlacklistBody {
    async fn into_input(self, state: &AppState) -> ApiResult<BlacklistInput> {
        let action = self.action.unwrap_or(BlacklistAction::Busy);
        let prompt_name = validate::optional_text("prompt_name", self.prompt_name.as_deref(), 64)?;
        if action == BlacklistAction::Prompt {
            if prompt_name.is_empty() {
                return Err(ApiError::validation(
                    "prompt_name",
                    "name the voice prompt the caller hears",
                ));
            }
            let prompts = state.store().list_prompts().await?;
            if !prompts.iter().any(|p| p.name == prompt_name) {
                return Err(ApiError::validation(
                    "prompt_name",
                    format!("there is no voice prompt named {prompt_name}"),
                ));
            }
        }
        if let Some(at) = self.expires_at {
            validate::instant("expires_at", at)?;
        }
        Ok(BlacklistInput {
            number: number(&self.number)?,
            action,
            prompt_name: if action == BlacklistAction::Prompt {
                prompt_name
            } else {
                String::new()
            },
            reason: validate::optional_text("reason", self.reason.as_deref(), 200)?,
            expires_at: self.expires_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BlacklistQuery {
    /// The start of the entry's number.
    q: Option<String>,
    /// Include entries past their expiry (default true).
    include_expired: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/blacklist", tag = "acd", params(BlacklistQuery),
    responses((status = 200, body = Page<BlacklistEntry>)),
    security(("session" = ["blacklist.manage"]), ("bearer" = ["blacklist.manage"])))]
async fn search_blacklist(
    _: Can<perm::BlacklistManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<BlacklistQuery>,
) -> ApiResult<Json<Page<BlacklistEntry>>> {
    let filter = BlacklistFilter {
        number: query
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
        active_at: (!query.include_expired.unwrap_or(true)).then(|| state.now()),
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().search_blacklist(&filter, page).await?))
}

#[utoipa::path(post, path = "/api/v1/blacklist", tag = "acd", request_body = BlacklistBody,
    responses((status = 201, body = BlacklistEntry)),
    security(("session" = ["blacklist.manage"]), ("bearer" = ["blacklist.manage"])))]
async fn create_entry(
    who: Can<perm::BlacklistManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BlacklistBody>,
) -> ApiResult<Created<BlacklistEntry>> {
    let input = body.into_input(&state).await?;
    let created = state
        .store()
        .create_blacklist_entry(state.now(), &who.actor(), input)
        .await?;
    state.switch().config_changed(ConfigChange::Blacklist);
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/blacklist/{id}", tag = "acd", params(("id" = i64, Path)),
    responses((status = 200, body = BlacklistEntry)),
    security(("session" = ["blacklist.manage"]), ("bearer" = ["blacklist.manage"])))]
async fn get_entry(
    _: Can<perm::BlacklistManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<BlacklistEntry>> {
    Ok(Json(state.store().blacklist_entry(id).await?))
}

#[utoipa::path(put, path = "/api/v1/blacklist/{id}", tag = "acd", params(("id" = i64, Path)),
    request_body = BlacklistBody, responses((status = 200, body = BlacklistEntry)),
    security(("session" = ["blacklist.manage"]), ("bearer" = ["blacklist.manage"])))]
async fn update_entry(
    who: Can<perm::BlacklistManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<BlacklistBody>,
) -> ApiResult<Json<BlacklistEntry>> {
    let input = body.into_input(&state).await?;
    let updated = state
        .store()
        .update_blacklist_entry(state.now(), &who.actor(), id, input)
        .await?;
    state.switch().config_changed(ConfigChange::Blacklist);
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/blacklist/{id}", tag = "acd", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["blacklist.manage"]), ("bearer" = ["blacklist.manage"])))]
async fn delete_entry(
    who: Can<perm::BlacklistManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_blacklist_entry(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::Blacklist);
    Ok(StatusCode::NO_CONTENT)
}
