//! Ticket statistics (W6) and the list's export: the most frequent types
//! and sub-types over a period, each department's backlog with its overdue
//! count, and the filtered list as an .xlsx workbook (sb-desk's shared table writer).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sb_store::{DepartmentBacklog, PageRequest, Ticket, TypeCount};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::tickets::{TicketQuery, is_overdue, ticket_labels, ticket_scope};
use crate::state::AppState;
use crate::validate;
use crate::xlsx::{self, local_time};

/// Rows an export holds at most; past it the user narrows the filter.
pub const MAX_EXPORT_ROWS: usize = 100_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(type_ranking))
        .routes(routes!(backlog))
        .routes(routes!(export_tickets))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// RFC 3339; default 30 days before `to`.
    from: Option<String>,
    /// RFC 3339, exclusive; default now.
    to: Option<String>,
    /// How many rows (1-100, default 20).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/tickets/stats/types", tag = "tickets",
    params(RankingQuery), responses((status = 200, body = Vec<TypeCount>)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn type_ranking(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RankingQuery>,
) -> ApiResult<Json<Vec<TypeCount>>> {
    let to = validate::query_time("to", query.to.as_deref())?.unwrap_or_else(|| state.now());
    let from =
        validate::query_time("from", query.from.as_deref())?.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(ApiError::validation("from", "from must be before to"));
    }
    let limit = validate::int_in("limit", query.limit.unwrap_or(20), 1..=100)?;
    let scope = ticket_scope(&state, &who).await?;
    Ok(Json(
        state
            .store()
            .ticket_type_ranking(&scope, from, to, limit)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/tickets/stats/backlog", tag = "tickets",
    responses((status = 200, body = Vec<DepartmentBacklog>)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn backlog(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<DepartmentBacklog>>> {
    let scope = ticket_scope(&state, &who).await?;
    Ok(Json(
        state.store().ticket_backlog(&scope, state.now()).await?,
    ))
}

const HEADERS: &[&str] = &[
    "工单号 Serial",
    "状态 State",
    "类型 Type",
    "子类型 Sub-type",
    "优先级 Priority",
    "渠道 Channel",
    "主题 Subject",
    "客户 Customer",
    "部门 Department",
    "处理人 Assignee",
    "受理人 Taker",
    "创建时间 Created",
    "解决时限 Resolve due",
    "超时 Overdue",
    "重复 Repeat of",
];

fn rows(
    tickets: &[Ticket],
    labels: &std::collections::BTreeMap<String, String>,
    now: OffsetDateTime,
) -> Vec<Vec<String>> {
    let label = |code: &str| labels.get(code).cloned().unwrap_or_else(|| code.to_owned());
    tickets
        .iter()
        .map(|t| {
            vec![
                t.serial.clone(),
                t.state.code().to_owned(),
                label(&t.type_code),
                if t.subtype_code.is_empty() {
                    String::new()
                } else {
                    label(&t.subtype_code)
                },
                t.priority.code().to_owned(),
                label(&t.channel),
                t.subject.clone(),
                t.customer_name.clone().unwrap_or_default(),
                t.department_name.clone().unwrap_or_default(),
                t.assignee_name.clone().unwrap_or_default(),
                t.taker_name.clone().unwrap_or_default(),
                local_time(Some(t.created_at)),
                local_time(t.sla.resolve_due_at),
                if is_overdue(t, now) {
                    "yes".into()
                } else {
                    String::new()
                },
                t.repeat_of_serial.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/tickets/export", tag = "tickets", params(TicketQuery),
    responses((status = 200, description = "The filtered list as .xlsx",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn export_tickets(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> ApiResult<Response> {
    let now = state.now();
    let (filter, sort) = query.filter(&who, now)?;
    let scope = ticket_scope(&state, &who).await?;
    let mut tickets = Vec::new();
    for page in 1.. {
        let chunk = state
            .store()
            .search_tickets(
                &filter,
                &scope,
                sort,
                PageRequest::new(page, PageRequest::MAX_PER_PAGE),
            )
            .await?;
        let done = chunk.items.len() < PageRequest::MAX_PER_PAGE as usize;
        tickets.extend(chunk.items);
        if tickets.len() > MAX_EXPORT_ROWS {
            return Err(ApiError::validation(
                "q",
                format!("more than {MAX_EXPORT_ROWS} tickets match; narrow the filter to export"),
            ));
        }
        if done {
            break;
        }
    }
    let labels = ticket_labels(&state).await?;
    let name = format!("tickets-{}", sb_store::serial_day(now));
    xlsx::download(name, "Tickets", HEADERS, rows(&tickets, &labels, now)).await
}
