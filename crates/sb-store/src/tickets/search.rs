//! Ticket lists: the filters the console combines, the caller's data scope,
//! the sort orders, and the overdue rule shared with the statistics.

use time::OffsetDateTime;

use super::ticket::{COUNT, SELECT, Ticket, from_row};
use crate::audit::escape_like;
use crate::codes::{TicketPriority, TicketState};
use crate::db::{Arg, Sql, Store};
use crate::error::Result;
use crate::millis::to_millis;
use crate::page::{Page, PageRequest, fetch_page};

/// Filters; they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Any of these states (empty: any).
    pub states: Vec<TicketState>,
    pub type_code: Option<String>,
    pub subtype_code: Option<String>,
    pub priority: Option<TicketPriority>,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub taker_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub created_from: Option<OffsetDateTime>,
    pub created_to: Option<OffsetDateTime>,
    /// Only tickets past a deadline they have not met, as of this time.
    pub overdue_at: Option<OffsetDateTime>,
    pub repeat: Option<bool>,
    /// Exact serial.
    pub serial: Option<String>,
    /// In the subject, the content or the customer's name.
    pub text: Option<String>,
    /// The claimable queues of these departments: new and with nobody.
    pub queued_in: Option<Vec<i64>>,
}

/// Which tickets the caller may see: everything, or those of their
/// departments plus those assigned to or taken by them.
#[derive(Debug, Clone)]
pub struct TicketScope {
    pub everything: bool,
    pub department_ids: Vec<i64>,
    pub staff_id: i64,
}

impl TicketScope {
    pub fn everything() -> TicketScope {
        TicketScope {
            everything: true,
            department_ids: Vec::new(),
            staff_id: 0,
        }
    }

    /// Whether a ticket is within reach.
    pub fn covers(&self, ticket: &Ticket) -> bool {
        self.everything
            || ticket.assignee_id == Some(self.staff_id)
            || ticket.taker_id == Some(self.staff_id)
            || ticket
                .department_id
                .is_some_and(|d| self.department_ids.contains(&d))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TicketSort {
    #[default]
    NewestFirst,
    OldestFirst,
    /// Urgent first, then the oldest.
    Priority,
    /// The nearest resolution deadline first; none last.
    Deadline,
}

impl TicketSort {
    fn order_by(self) -> &'static str {
        match self {
            TicketSort::NewestFirst => "t.created_at DESC, t.id DESC",
            TicketSort::OldestFirst => "t.created_at, t.id",
            TicketSort::Priority => {
                "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 \
                 ELSE 3 END, t.created_at, t.id"
            }
            TicketSort::Deadline => {
                "CASE WHEN t.resolve_due_at IS NULL THEN 1 ELSE 0 END, t.resolve_due_at, t.id"
            }
        }
    }
}

/// ` AND <overdue at now>`: a running clock (not paused, not resolved) past
/// a deadline it has not met.
pub(crate) fn push_overdue(cond: &mut Sql, now_ms: i64) {
    cond.push(
        " AND t.state IN ('new', 'assigned', 'in_progress') AND ((t.responded_at IS NULL AND \
         t.response_due_at < ",
    )
    .bind(Arg::Int(now_ms))
    .push(") OR (t.resolved_at IS NULL AND t.resolve_due_at < ")
    .bind(Arg::Int(now_ms))
    .push("))");
}

pub(crate) fn push_scope(cond: &mut Sql, scope: &TicketScope) {
    if scope.everything {
        return;
    }
    cond.push(" AND (t.assignee_id = ")
        .bind(Arg::Int(scope.staff_id))
        .push(" OR t.taker_id = ")
        .bind(Arg::Int(scope.staff_id));
    if !scope.department_ids.is_empty() {
        cond.push(" OR t.department_id IN ")
            .bind_list(&scope.department_ids);
    }
    cond.push(")");
}

fn text_arg(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn conditions(filter: &TicketFilter, scope: &TicketScope) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    push_scope(&mut cond, scope);
    if !filter.states.is_empty() {
        cond.push(" AND t.state IN (");
        for (i, state) in filter.states.iter().enumerate() {
            if i > 0 {
                cond.push(", ");
            }
            cond.bind(Arg::Text(state.code().to_owned()));
        }
        cond.push(")");
    }
    if let Some(code) = text_arg(&filter.type_code) {
        cond.push(" AND t.type_code = ").bind(Arg::Text(code));
    }
    if let Some(code) = text_arg(&filter.subtype_code) {
        cond.push(" AND t.subtype_code = ").bind(Arg::Text(code));
    }
    if let Some(priority) = filter.priority {
        cond.push(" AND t.priority = ")
            .bind(Arg::Text(priority.code().to_owned()));
    }
    for (column, value) in [
        ("t.department_id", filter.department_id),
        ("t.assignee_id", filter.assignee_id),
        ("t.taker_id", filter.taker_id),
        ("t.customer_id", filter.customer_id),
    ] {
        if let Some(value) = value {
            cond.push(" AND ")
                .push(column)
                .push(" = ")
                .bind(Arg::Int(value));
        }
    }
    if let Some(from) = filter.created_from {
        cond.push(" AND t.created_at >= ")
            .bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.created_to {
        cond.push(" AND t.created_at < ")
            .bind(Arg::Int(to_millis(to)));
    }
    if let Some(now) = filter.overdue_at {
        push_overdue(&mut cond, to_millis(now));
    }
    match filter.repeat {
        Some(true) => {
            cond.push(" AND t.repeat_of_id IS NOT NULL");
        }
        Some(false) => {
            cond.push(" AND t.repeat_of_id IS NULL");
        }
        None => {}
    }
    if let Some(serial) = text_arg(&filter.serial) {
        cond.push(" AND t.serial = ").bind(Arg::Text(serial));
    }
    if let Some(text) = text_arg(&filter.text) {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        cond.push(" AND (LOWER(t.subject) LIKE ")
            .bind(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR LOWER(t.content) LIKE ")
            .bind(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR LOWER(c.name) LIKE ")
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\')");
    }
    if let Some(departments) = &filter.queued_in {
        cond.push(" AND t.state = 'new' AND t.assignee_id IS NULL AND t.department_id IN ")
            .bind_list(departments);
    }
    cond
}

impl Store {
    /// Tickets matching `filter` within `scope`, in `sort` order.
    pub async fn search_tickets(
        &self,
        filter: &TicketFilter,
        scope: &TicketScope,
        sort: TicketSort,
        page: PageRequest,
    ) -> Result<Page<Ticket>> {
        let cond = conditions(filter, scope);
        let mut conn = self.pool.acquire().await?;
        let (rows, total) =
            fetch_page(&mut conn, SELECT, COUNT, &cond, sort.order_by(), page).await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }
}
