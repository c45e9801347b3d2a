//! Study progress: new staff read a category's published articles in order
//! and mark each as read.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::Store;
use crate::error::Result;
use crate::millis::{from_millis_opt, to_millis};

/// One article of a study list and whether this person has read it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbStudyItem {
    pub article_id: i64,
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

impl Store {
    /// The published articles of `category_ids` in reading order (category
    /// order as given, then position), with this person's reads.
    pub async fn kb_study(&self, staff_id: i64, category_ids: &[i64]) -> Result<Vec<KbStudyItem>> {
        let published = self.kb_published_in(category_ids).await?;
        let rows =
            sqlx::query("SELECT article_id, read_at FROM kb_study_reads WHERE staff_id = $1")
                .bind(staff_id)
                .fetch_all(&self.pool)
                .await?;
        let mut reads = std::collections::HashMap::new();
        for row in &rows {
            let id: i64 = row.try_get("article_id")?;
            let at: Option<i64> = row.try_get("read_at")?;
            reads.insert(id, at);
        }
        let mut items = published
            .into_iter()
            .map(|p| {
                Ok(KbStudyItem {
                    article_id: p.article_id,
                    category_id: p.category_id,
                    kind: p.kind,
                    title: p.title,
                    read_at: from_millis_opt(reads.get(&p.article_id).copied().flatten())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rank = |category: i64| category_ids.iter().position(|c| *c == category);
        items.sort_by_key(|item| rank(item.category_id));
        Ok(items)
    }

    /// Marks an article read (again: keeps the first time).
    pub async fn mark_kb_read(
        &self,
        now: OffsetDateTime,
        staff_id: i64,
        article_id: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO kb_study_reads (staff_id, article_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (staff_id, article_id) DO NOTHING",
        )
        .bind(staff_id)
        .bind(article_id)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
