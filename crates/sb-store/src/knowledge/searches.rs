//! The search log: every query with how many articles it found, so editors
//! see what people looked for and did not find.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::Store;
use crate::error::Result;
use crate::millis::{from_millis, to_millis};

/// A query that found nothing, with how often it was tried.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbMissedSearch {
    pub query: String,
    pub times: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub last_at: OffsetDateTime,
}

impl Store {
    pub async fn record_kb_search(
        &self,
        now: OffsetDateTime,
        staff_id: Option<i64>,
        query: &str,
        hits: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO kb_searches (query, hits, staff_id, searched_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(query)
        .bind(hits)
        .bind(staff_id)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Queries that found nothing since `since`, the most tried first.
    pub async fn kb_missed_searches(
        &self,
        since: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<KbMissedSearch>> {
        let rows = sqlx::query(
            "SELECT query, COUNT(*) AS times, MAX(searched_at) AS last_at FROM kb_searches \
             WHERE hits = 0 AND searched_at >= $1 GROUP BY query \
             ORDER BY COUNT(*) DESC, MAX(searched_at) DESC LIMIT $2",
        )
        .bind(to_millis(since))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(KbMissedSearch {
                    query: row.try_get("query")?,
                    times: row.try_get("times")?,
                    last_at: from_millis(row.try_get("last_at")?)?,
                })
            })
            .collect()
    }
}
