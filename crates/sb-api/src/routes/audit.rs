//! The audit log (MISSION M7), searchable.

use axum::Json;
use axum::extract::State;
use sb_store::{AuditEntry, AuditFilter, AuditKind, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use sb_core::Permission;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::PageQuery;
use crate::scope::Scope;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// change, denied, auth or alarm.
    kind: Option<String>,
    /// Employee ID or name (contains).
    actor: Option<String>,
    /// Action prefix, e.g. `staff.` or `staff.create`.
    action: Option<String>,
    entity: Option<String>,
    /// Free text over details and before/after.
    q: Option<String>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn short(value: Option<String>) -> Option<String> {
    value.map(|v| v.chars().take(100).collect())
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>)),
    security(("session" = ["audit.read"]), ("bearer" = ["audit.read"])))]
async fn search_audit(
    who: Can<perm::AuditRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(AuditKind::parse(k).ok_or_else(|| {
            ApiError::bad_request(format!(
                "kind must be change, denied, auth or alarm, got `{k}`"
            ))
            .with_field("kind")
        })?),
        None => None,
    };
    let scope = Scope::of(&state, &who, Permission::AuditRead).await?;
    let filter = AuditFilter {
        kind,
        actor: short(query.actor),
        action: short(query.action),
        entity: short(query.entity),
        q: short(query.q),
        from: validate::query_time("from", query.from.as_deref())?,
        to: validate::query_time("to", query.to.as_deref())?,
        // A limited audit.read shows what the people in scope did.
        actor_departments: scope.department_ids,
        only_actor: scope.only_id,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().search_audit(&filter, page).await?))
}
