//! Ticket statistics (W6): the most frequent types and sub-types over a
//! period, and each department's backlog by state with its overdue count.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::search::{TicketScope, push_overdue, push_scope};
use crate::db::{Arg, Sql, Store};
use crate::error::Result;
use crate::millis::to_millis;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TypeCount {
    pub type_code: String,
    pub type_label: String,
    /// '' for tickets without a sub-type.
    pub subtype_code: String,
    pub subtype_label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DepartmentBacklog {
    /// `None`: tickets not dispatched to any department.
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// Tickets per state, closed ones left out.
    pub by_state: BTreeMap<String, i64>,
    /// New, assigned, in progress or waiting on the customer.
    pub open: i64,
    pub overdue: i64,
}

impl Store {
    async fn ticket_type_labels(&self) -> Result<BTreeMap<String, String>> {
        let rows = sqlx::query(
            "SELECT i.code, i.label FROM dictionary_items i \
             JOIN dictionary_types ty ON ty.id = i.type_id WHERE ty.code = 'ticket_type'",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("label")?)))
            .collect()
    }

    /// Types and sub-types by how many tickets were opened in `[from, to)`,
    /// most first.
    pub async fn ticket_type_ranking(
        &self,
        scope: &TicketScope,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<TypeCount>> {
        let mut sql = Sql::new(
            "SELECT t.type_code, t.subtype_code, COUNT(*) AS n FROM tickets t WHERE t.created_at >= ",
        );
        sql.bind(Arg::Int(to_millis(from)))
            .push(" AND t.created_at < ")
            .bind(Arg::Int(to_millis(to)));
        push_scope(&mut sql, scope);
        sql.push(" GROUP BY t.type_code, t.subtype_code ORDER BY n DESC, t.type_code, t.subtype_code LIMIT ")
            .bind(Arg::Int(limit));
        let rows = sql.query().fetch_all(&self.pool).await?;
        let labels = self.ticket_type_labels().await?;
        let label = |code: &str| labels.get(code).cloned().unwrap_or_else(|| code.to_owned());
        rows.iter()
            .map(|r| {
                let type_code: String = r.try_get("type_code")?;
                let subtype_code: String = r.try_get("subtype_code")?;
                Ok(TypeCount {
                    type_label: label(&type_code),
                    subtype_label: label(&subtype_code),
                    type_code,
                    subtype_code,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// Each department's tickets by state (closed left out) and how many
    /// are overdue at `now`.
    pub async fn ticket_backlog(
        &self,
        scope: &TicketScope,
        now: OffsetDateTime,
    ) -> Result<Vec<DepartmentBacklog>> {
        let mut sql = Sql::new(
            "SELECT t.department_id, d.name AS department_name, t.state, COUNT(*) AS n \
             FROM tickets t LEFT JOIN departments d ON d.id = t.department_id \
             WHERE t.state <> 'closed'",
        );
        push_scope(&mut sql, scope);
        sql.push(" GROUP BY t.department_id, d.name, t.state");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut by_department: BTreeMap<Option<i64>, DepartmentBacklog> = BTreeMap::new();
        for row in &rows {
            let department_id: Option<i64> = row.try_get("department_id")?;
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            let entry = by_department
                .entry(department_id)
                .or_insert_with(|| DepartmentBacklog {
                    department_id,
                    department_name: None,
                    by_state: BTreeMap::new(),
                    open: 0,
                    overdue: 0,
                });
            entry.department_name = row.try_get("department_name")?;
            if matches!(
                state.as_str(),
                "new" | "assigned" | "in_progress" | "pending_customer"
            ) {
                entry.open += n;
            }
            entry.by_state.insert(state, n);
        }
        let mut overdue =
            Sql::new("SELECT t.department_id, COUNT(*) AS n FROM tickets t WHERE 1 = 1");
        push_scope(&mut overdue, scope);
        push_overdue(&mut overdue, to_millis(now));
        overdue.push(" GROUP BY t.department_id");
        for row in overdue.query().fetch_all(&self.pool).await? {
            let department_id: Option<i64> = row.try_get("department_id")?;
            if let Some(entry) = by_department.get_mut(&department_id) {
                entry.overdue = row.try_get("n")?;
            }
        }
        let mut list: Vec<DepartmentBacklog> = by_department.into_values().collect();
        list.sort_by(|a, b| {
            b.open
                .cmp(&a.open)
                .then(a.department_id.cmp(&b.department_id))
        });
        Ok(list)
    }
}
