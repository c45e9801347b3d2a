//! Call detail records (MISSION T5), read-only. A `cdr.read` limited to a
//! department (or to oneself) shows the calls whose caller or callee
//! extension belongs to a member of staff in that scope (`staff.extension`).

use axum::Json;
use axum::extract::State;
use sb_core::Permission;
use sb_store::{Cdr, CdrFilter, CdrScope, Direction, Disposition, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::routes::PageQuery;
use crate::scope::Scope;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cdrs))
        .routes(routes!(get_cdr))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CdrQuery {
    /// RFC 3339, inclusive (on the start of the call).
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    /// Part of the caller or callee number.
    number: Option<String>,
    /// internal, inbound or outbound.
    direction: Option<String>,
    /// answered, busy, no_answer, cancelled, rejected, failed, congestion or forbidden.
    disposition: Option<String>,
    trunk_id: Option<i64>,
    /// Talk time at least this many seconds.
    min_talk_seconds: Option<i64>,
    /// Talk time at most this many seconds.
    max_talk_seconds: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A code from a closed list, or 400 naming the field and the choices.
fn code<T: Copy>(
    field: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> ApiResult<Option<T>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| {
            let choices: Vec<&str> = all.iter().map(|c| name(*c)).collect();
            ApiError::bad_request(format!(
                "{field} must be one of {}, got `{v}`",
                choices.join(", ")
            ))
            .with_field(field)
        }),
    }
}

fn seconds(field: &str, value: Option<i64>) -> ApiResult<Option<i64>> {
    value
        .map(|s| {
            validate::int_in(field, s, 0..=31_536_000)
                .map(|s| s * 1000)
                .map_err(|e| ApiError {
                    status: axum::http::StatusCode::BAD_REQUEST,
                    ..e
                })
        })
        .transpose()
}

/// What `cdr.read` reaches for the caller.
async fn cdr_scope(state: &AppState, who: &Principal) -> ApiResult<CdrScope> {
    let scope = Scope::of(state, who, Permission::CdrRead).await?;
    Ok(match (scope.department_ids, scope.only_id) {
        (_, Some(id)) => CdrScope::Staff(id),
        (Some(ids), None) => CdrScope::Departments(ids),
        (None, None) => CdrScope::All,
    })
}

/// Newest first.
#[utoipa::path(get, path = "/api/v1/cdrs", tag = "telephony", params(CdrQuery),
    responses((status = 200, body = Page<Cdr>)),
    security(("session" = ["cdr.read"]), ("bearer" = ["cdr.read"])))]
async fn list_cdrs(
    who: Can<perm::CdrRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CdrQuery>,
) -> ApiResult<Json<Page<Cdr>>> {
    let filter = CdrFilter {
        from: validate::query_time("from", query.from.as_deref())?,
        to: validate::query_time("to", query.to.as_deref())?,
        number: query.number.map(|n| n.chars().take(32).collect()),
        direction: code(
            "direction",
            query.direction.as_deref(),
            Direction::parse,
            Direction::ALL,
            Direction::code,
        )?,
        disposition: code(
            "disposition",
            query.disposition.as_deref(),
            Disposition::parse,
            Disposition::ALL,
            Disposition::code,
        )?,
        trunk_id: query.trunk_id,
        min_talk_ms: seconds("min_talk_seconds", query.min_talk_seconds)?,
        max_talk_ms: seconds("max_talk_seconds", query.max_talk_seconds)?,
        scope: cdr_scope(&state, &who).await?,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().list_cdrs(&filter, page).await?))
}

#[utoipa::path(get, path = "/api/v1/cdrs/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = Cdr)),
    security(("session" = ["cdr.read"]), ("bearer" = ["cdr.read"])))]
async fn get_cdr(
    who: Can<perm::CdrRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Cdr>> {
    let cdr = state.store().get_cdr(id).await?;
    let scope = cdr_scope(&state, &who).await?;
    if scope != CdrScope::All && !state.store().cdr_in_scope(id, &scope).await? {
        let e = ApiError::forbidden("that call record is outside your data scope").with_field("id");
        return Err(refuse_actor(&state, who.actor(), "cdr.read", e).await);
    }
    Ok(Json(cdr))
}
