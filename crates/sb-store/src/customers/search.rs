//! Finding customers: combined filters for lists and campaigns, and the
//! exact lookups screen pop and the import's duplicate check need (E.164
//! number, ID card), each within the reader's data scope (MISSION C7).

use time::OffsetDateTime;

use crate::codes::{CustomerLifecycle, Gender};
use crate::db::{Arg, Sql, Store};
use crate::error::Result;
use crate::millis::to_millis;
use crate::page::{Page, PageRequest, fetch_page};

use super::{Customer, SELECT, attach_contacts, from_row};

/// Which customers a reader reaches: all, those of these departments, or
/// those this member of staff looks after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CustomerScope {
    #[default]
    All,
    Departments(Vec<i64>),
    Owner(i64),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomerSort {
    /// Newest first.
    #[default]
    Newest,
    Name,
    /// Longest without contact first (never contacted before all).
    LeastRecentContact,
}

/// Filters combine with AND; empty means no filter.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// The start of the name.
    pub name_prefix: Option<String>,
    /// One of the customer's numbers, normalised.
    pub phone_e164: Option<String>,
    pub id_card: Option<String>,
    pub id: Option<i64>,
    /// VIN, serial number or plate of one of the customer's assets.
    pub asset: Option<String>,
    pub levels: Vec<String>,
    pub lifecycles: Vec<CustomerLifecycle>,
    pub gender: Option<Gender>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub owner_id: Option<i64>,
    pub department_ids: Option<Vec<i64>>,
    pub created_from: Option<OffsetDateTime>,
    pub created_to: Option<OffsetDateTime>,
    /// Last contact before this time, or never (e.g. no visit for three months).
    pub not_contacted_since: Option<OffsetDateTime>,
    pub contacted_since: Option<OffsetDateTime>,
    pub scope: CustomerScope,
    pub sort: CustomerSort,
}

/// The smallest string above every string starting with `prefix`, for a
/// range scan that an index serves on both engines (LIKE does not, for
/// SQLite's case folding and PostgreSQL's collations).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

impl Store {
    fn name_column(&self) -> &'static str {
        // The PostgreSQL index is on the bytewise collation, like SQLite's
        // default, so the prefix range means the same on both.
        if self.is_postgres() {
            "c.name COLLATE \"C\""
        } else {
            "c.name"
        }
    }

    pub(crate) fn customer_conditions(&self, filter: &CustomerFilter) -> Sql {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if let Some(prefix) = filter
            .name_prefix
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let column = self.name_column();
            cond.push(&format!(" AND {column} >= "))
                .bind(Arg::Text(prefix.to_owned()))
                .push(&format!(" AND {column} < "))
                .bind(Arg::Text(prefix_end(prefix)));
        }
        if let Some(e164) = &filter.phone_e164 {
            cond.push(" AND c.id IN (SELECT customer_id FROM customer_phones WHERE e164 = ")
                .bind(Arg::Text(e164.clone()))
                .push(")");
        }
        if let Some(id_card) = &filter.id_card {
            cond.push(" AND c.id_card = ")
                .bind(Arg::Text(id_card.clone()));
        }
        if let Some(id) = filter.id {
            cond.push(" AND c.id = ").bind(Arg::Int(id));
        }
        if let Some(asset) = filter
            .asset
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            let asset = asset.to_uppercase();
            cond.push(" AND c.id IN (SELECT customer_id FROM customer_assets WHERE serial = ")
                .bind(Arg::Text(asset.clone()))
                .push(" OR plate = ")
                .bind(Arg::Text(asset))
                .push(")");
        }
        if !filter.levels.is_empty() {
            cond.push(" AND c.level IN (");
            for (i, level) in filter.levels.iter().enumerate() {
                if i > 0 {
                    cond.push(", ");
                }
                cond.bind(Arg::Text(level.clone()));
            }
            cond.push(")");
        }
        if !filter.lifecycles.is_empty() {
            cond.push(" AND c.lifecycle IN (");
            for (i, lifecycle) in filter.lifecycles.iter().enumerate() {
                if i > 0 {
                    cond.push(", ");
                }
                cond.bind(Arg::Text(lifecycle.code().to_owned()));
            }
            cond.push(")");
        }
        if let Some(gender) = filter.gender {
            cond.push(" AND c.gender = ")
                .bind(Arg::Text(gender.code().to_owned()));
        }
        if let Some(province) = filter.province.as_deref().filter(|p| !p.is_empty()) {
            cond.push(" AND c.province = ")
                .bind(Arg::Text(province.to_owned()));
        }
        if let Some(city) = filter.city.as_deref().filter(|c| !c.is_empty()) {
            cond.push(" AND c.city = ").bind(Arg::Text(city.to_owned()));
        }
        if let Some(owner) = filter.owner_id {
            cond.push(" AND c.owner_id = ").bind(Arg::Int(owner));
        }
        if let Some(ids) = &filter.department_ids {
            cond.push(" AND c.department_id IN ").bind_list(ids);
        }
        if let Some(from) = filter.created_from {
            cond.push(" AND c.created_at >= ")
                .bind(Arg::Int(to_millis(from)));
        }
        if let Some(to) = filter.created_to {
            cond.push(" AND c.created_at < ")
                .bind(Arg::Int(to_millis(to)));
        }
        if let Some(since) = filter.not_contacted_since {
            cond.push(" AND (c.last_contact_at IS NULL OR c.last_contact_at < ")
                .bind(Arg::Int(to_millis(since)))
                .push(")");
        }
        if let Some(since) = filter.contacted_since {
            cond.push(" AND c.last_contact_at >= ")
                .bind(Arg::Int(to_millis(since)));
        }
        match &filter.scope {
            CustomerScope::All => {}
            CustomerScope::Departments(ids) => {
                cond.push(" AND c.department_id IN ").bind_list(ids);
            }
            CustomerScope::Owner(id) => {
                cond.push(" AND c.owner_id = ").bind(Arg::Int(*id));
            }
        }
        cond
    }

    /// Customers matching `filter`, with their numbers, e-mails and addresses.
    pub async fn search_customers(
        &self,
        filter: &CustomerFilter,
        page: PageRequest,
    ) -> Result<Page<Customer>> {
        let cond = self.customer_conditions(filter);
        let order = match filter.sort {
            CustomerSort::Newest => "c.id DESC".to_owned(),
            CustomerSort::Name => format!("{}, c.id", self.name_column()),
            CustomerSort::LeastRecentContact => {
                "CASE WHEN c.last_contact_at IS NULL THEN 0 ELSE 1 END, c.last_contact_at, c.id"
                    .to_owned()
            }
        };
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM customers c",
            &cond,
            &order,
            page,
        )
        .await?;
        let mut items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        attach_contacts(&mut conn, &mut items).await?;
        Ok(Page::new(items, total, page))
    }

    /// The ids of every customer matching `filter` (campaign targets,
    /// exports), in id order, at most `limit`.
    pub async fn customer_ids(&self, filter: &CustomerFilter, limit: i64) -> Result<Vec<i64>> {
        let mut sql = Sql::new("SELECT c.id FROM customers c");
        let cond = self.customer_conditions(filter);
        sql.push(&cond.text);
        sql.args = cond.args;
        sql.push(" ORDER BY c.id LIMIT ").bind(Arg::Int(limit));
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| Ok(sqlx::Row::try_get(row, 0)?))
            .collect()
    }

    /// Whether customer `id` is within `scope`.
    pub async fn customer_in_scope(&self, id: i64, scope: &CustomerScope) -> Result<bool> {
        let filter = CustomerFilter {
            id: Some(id),
            scope: scope.clone(),
            ..CustomerFilter::default()
        };
        let mut sql = Sql::new("SELECT 1 FROM customers c");
        let cond = self.customer_conditions(&filter);
        sql.push(&cond.text);
        sql.args = cond.args;
        Ok(sql.query().fetch_optional(&self.pool).await?.is_some())
    }

    /// Every customer with this number (screen pop: one, none or several),
    /// at most `limit`, within `scope`.
    pub async fn customers_by_phone(
        &self,
        e164: &str,
        scope: &CustomerScope,
        limit: u32,
    ) -> Result<Vec<Customer>> {
        let filter = CustomerFilter {
            phone_e164: Some(e164.to_owned()),
            scope: scope.clone(),
            ..CustomerFilter::default()
        };
        let page = self
            .search_customers(&filter, PageRequest::new(1, limit))
            .await?;
        Ok(page.items)
    }

    /// The ids of customers holding one of `e164s` or this ID card, across
    /// every scope: the import's duplicate check must see them all.
    pub async fn customer_duplicates(
        &self,
        e164s: &[String],
        id_card: Option<&str>,
    ) -> Result<Vec<i64>> {
        let mut sql = Sql::new("SELECT DISTINCT customer_id FROM customer_phones WHERE e164 IN (");
        if e164s.is_empty() {
            sql.push("NULL");
        }
        for (i, e164) in e164s.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text(e164.clone()));
        }
        sql.push(")");
        if let Some(id_card) = id_card {
            sql.push(" UNION SELECT id FROM customers WHERE id_card = ")
                .bind(Arg::Text(id_card.to_owned()));
        }
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut ids = rows
            .iter()
            .map(|row| Ok(sqlx::Row::try_get(row, 0)?))
            .collect::<Result<Vec<i64>>>()?;
        ids.sort_unstable();
        Ok(ids)
    }
}
