//! The ACD's decision log (MISSION A1-A6): what it decided and why (offers,
//! misses, overflows, state changes), so a supervisor can explain afterwards
//! where a call went.

use axum::Json;
use axum::extract::State;
use sb_store::{AcdEvent, AcdEventFilter, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::PageQuery;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AcdEventQuery {
    /// The agent's employee ID, exactly.
    agent: Option<String>,
    /// The queue's name, exactly.
    queue: Option<String>,
    /// The ACD's reference of the call.
    call: Option<String>,
    /// The event kind (e.g. `offered`, `no_answer`, `overflowed`).
    kind: Option<String>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Events matching the filters, newest first.
#[utoipa::path(get, path = "/api/v1/acd/events", tag = "acd", params(AcdEventQuery),
    responses((status = 200, body = Page<AcdEvent>)),
    security(("session" = ["queue.read"]), ("bearer" = ["queue.read"])))]
async fn search_events(
    _: Can<perm::QueueRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AcdEventQuery>,
) -> ApiResult<Json<Page<AcdEvent>>> {
    let call_ref = match text(query.call.as_deref()) {
        None => None,
        Some(call) => Some(call.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!(
                "call must be the ACD's numeric call reference, got `{call}`"
            ))
            .with_field("call")
        })?),
    };
    let filter = AcdEventFilter {
        agent: text(query.agent.as_deref()),
        queue: text(query.queue.as_deref()),
        call_ref,
        kind: text(query.kind.as_deref()),
        from: validate::query_time("from", query.from.as_deref())?,
        to: validate::query_time("to", query.to.as_deref())?,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().search_acd_events(&filter, page).await?))
}
