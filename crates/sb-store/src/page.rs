use serde::Serialize;
use utoipa::ToSchema;

/// Which slice of a list to return. `page` is 1-based.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u32 = 1000;

    pub fn new(page: u32, per_page: u32) -> PageRequest {
        PageRequest {
            page: page.max(1),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn all() -> PageRequest {
        PageRequest::new(1, Self::MAX_PER_PAGE)
    }

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub(crate) fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// The total a page implies on its own: a short page is the last one, so
    /// the count is spared (for rare search terms, the case where paging walks
    /// the whole index anyway). `None` when a count is needed. A window count
    /// (`COUNT(*) OVER ()`) was measured ten times slower on SQLite when a search
    /// matches most rows, because it materialises every match.
    pub(crate) fn total_if_last(self, found: usize) -> Option<i64> {
        let found = i64::try_from(found).unwrap_or(i64::MAX);
        (found < self.limit() && (found > 0 || self.offset() == 0)).then(|| self.offset() + found)
    }
}

/// One page of a list and the size of the whole filtered list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub(crate) fn new(items: Vec<T>, total: i64, req: PageRequest) -> Page<T> {
        Page {
            items,
            total,
            page: req.page,
            per_page: req.per_page,
        }
    }
}

/// Runs `select` (a `SELECT ... FROM ...` without WHERE) filtered by `cond`
/// (` WHERE ...` with its arguments), ordered by `order`, for one page; then
/// counts the filtered rows with `count` (`SELECT COUNT(*) FROM ...`) unless
/// the page itself shows the total.
pub(crate) async fn fetch_page(
    conn: &mut sqlx::AnyConnection,
    select: &str,
    count: &str,
    cond: &crate::db::Sql,
    order: &str,
    page: PageRequest,
) -> crate::error::Result<(Vec<sqlx::any::AnyRow>, i64)> {
    use crate::db::{Arg, Sql};
    let mut list = Sql::new(select);
    list.push(&cond.text);
    list.args = cond.args.clone();
    list.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .bind(Arg::Int(page.limit()))
        .push(" OFFSET ")
        .bind(Arg::Int(page.offset()));
    let rows = list.query().fetch_all(&mut *conn).await?;
    let total = match page.total_if_last(rows.len()) {
        Some(total) => total,
        None => {
            let mut counting = Sql::new(count);
            counting.push(&cond.text);
            counting.args = cond.args.clone();
            sqlx::Row::try_get(&counting.query().fetch_one(&mut *conn).await?, 0)?
        }
    };
    Ok((rows, total))
}
