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
