//! What editors look at: the most read articles, each author's submissions
//! and publications, how many articles wait in each state, and the searches
//! that found nothing.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::Store;
use crate::error::Result;
use crate::knowledge::searches::KbMissedSearch;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbViewedArticle {
    pub article_id: i64,
    pub title: String,
    pub view_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbAuthorFigures {
    pub author_name: String,
    /// Times they sent an article to review.
    pub submitted: i64,
    /// Their articles agents can read now.
    pub published: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbStateCount {
    pub state: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbStats {
    /// How many articles are in each state.
    pub by_state: Vec<KbStateCount>,
    pub most_viewed: Vec<KbViewedArticle>,
    pub authors: Vec<KbAuthorFigures>,
    pub missed_searches: Vec<KbMissedSearch>,
    pub searches: i64,
}

impl Store {
    pub async fn kb_stats(&self, since: OffsetDateTime) -> Result<KbStats> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) FROM kb_articles GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?;
        let by_state = rows
            .iter()
            .map(|r| {
                Ok(KbStateCount {
                    state: r.try_get(0)?,
                    count: r.try_get(1)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT id, title, view_count FROM kb_articles WHERE published_version IS NOT NULL \
             ORDER BY view_count DESC, id LIMIT 10",
        )
        .fetch_all(&self.pool)
        .await?;
        let most_viewed = rows
            .iter()
            .map(|r| {
                Ok(KbViewedArticle {
                    article_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    view_count: r.try_get("view_count")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT actor_name, COUNT(*) FROM kb_article_steps WHERE step = 'submit' \
             GROUP BY actor_name ORDER BY COUNT(*) DESC, actor_name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut authors = rows
            .iter()
            .map(|r| {
                Ok(KbAuthorFigures {
                    author_name: r.try_get(0)?,
                    submitted: r.try_get(1)?,
                    published: 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT author_name, COUNT(*) FROM kb_articles WHERE published_version IS NOT NULL \
             GROUP BY author_name",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            let name: String = row.try_get(0)?;
            let published: i64 = row.try_get(1)?;
            match authors.iter_mut().find(|a| a.author_name == name) {
                Some(author) => author.published = published,
                None => authors.push(KbAuthorFigures {
                    author_name: name,
                    submitted: 0,
                    published,
                }),
            }
        }
        let searches: i64 = sqlx::query("SELECT COUNT(*) FROM kb_searches WHERE searched_at >= $1")
            .bind(crate::millis::to_millis(since))
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(KbStats {
            by_state,
            most_viewed,
            authors,
            missed_searches: self.kb_missed_searches(since, 20).await?,
            searches,
        })
    }
}
