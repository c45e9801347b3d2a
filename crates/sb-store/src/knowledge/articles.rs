//! Articles and FAQ entries: the working copy in `kb_articles`, each saved
//! content in `kb_article_versions`, each workflow step in
//! `kb_article_steps`. Agents read the version `published_version` names, so
//! editing a published article leaves the published text in place until
//! the new version is reviewed and published.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest};
use crate::snapshot;

/// The working copy, as authors and reviewers see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbArticle {
    pub id: i64,
    pub category_id: i64,
    /// `article` or `faq`.
    pub kind: String,
    pub title: String,
    /// Sanitised HTML.
    pub body: String,
    /// `draft`, `in_review`, `published` or `unpublished`.
    pub state: String,
    pub version: i64,
    /// The version agents read, if any.
    pub published_version: Option<i64>,
    /// Why a reviewer sent it back.
    pub review_note: String,
    pub position: i64,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub view_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

/// A row of a list (no body).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbArticleSummary {
    pub id: i64,
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    pub state: String,
    pub version: i64,
    pub published_version: Option<i64>,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub view_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The published version of an article, as agents read it and the search
/// index holds it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbPublished {
    pub article_id: i64,
    pub version: i64,
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub position: i64,
    pub author_name: String,
    pub view_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
}

/// What an author writes.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
pub struct KbContent {
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub position: i64,
}

/// What a step does to the version agents read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbPublishing {
    Keep,
    /// Agents now read the working copy's version.
    PublishCurrent,
    /// Agents no longer see the article.
    Withdraw,
}

/// One workflow step as the desk decided it, written only if the article is
/// still in `from_state` at `expected_version`.
#[derive(Debug, Clone)]
pub struct KbStep {
    pub article_id: i64,
    /// `edit`, `submit`, `publish`, `send_back`, `unpublish`.
    pub step: &'static str,
    pub from_state: String,
    pub expected_version: i64,
    pub to_state: String,
    /// New content: saved as the next version.
    pub content: Option<KbContent>,
    pub publishing: KbPublishing,
    /// Kept in the history; for `send_back` also shown to the author.
    pub note: String,
    /// Replaces the review note (`send_back` sets it, `submit` clears it).
    pub review_note: Option<String>,
}

/// One line of an article's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbStepEntry {
    pub step: String,
    pub version: i64,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// List filters; all optional.
#[derive(Debug, Clone, Default)]
pub struct KbArticleFilter {
    pub states: Vec<String>,
    pub author_id: Option<i64>,
    pub category_ids: Option<Vec<i64>>,
    /// A piece of the title, any case.
    pub title: Option<String>,
}

const COLUMNS: &str = "id, category_id, kind, title, body, state, version, published_version, \
     review_note, position, author_id, author_name, view_count, created_at, updated_at, published_at";

fn from_row(row: &AnyRow) -> Result<KbArticle> {
    Ok(KbArticle {
        id: row.try_get("id")?,
        category_id: row.try_get("category_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        state: row.try_get("state")?,
        version: row.try_get("version")?,
        published_version: row.try_get("published_version")?,
        review_note: row.try_get("review_note")?,
        position: row.try_get("position")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        view_count: row.try_get("view_count")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        published_at: from_millis_opt(row.try_get("published_at")?)?,
    })
}

fn summary_from_row(row: &AnyRow) -> Result<KbArticleSummary> {
    Ok(KbArticleSummary {
        id: row.try_get("id")?,
        category_id: row.try_get("category_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        state: row.try_get("state")?,
        version: row.try_get("version")?,
        published_version: row.try_get("published_version")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        view_count: row.try_get("view_count")?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

const PUBLISHED: &str = "SELECT a.id AS article_id, v.version, v.category_id, v.kind, v.title, \
     v.body, a.position, a.author_name, a.view_count, a.published_at \
     FROM kb_articles a JOIN kb_article_versions v \
     ON v.article_id = a.id AND v.version = a.published_version";

fn published_from_row(row: &AnyRow) -> Result<KbPublished> {
    Ok(KbPublished {
        article_id: row.try_get("article_id")?,
        version: row.try_get("version")?,
        category_id: row.try_get("category_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        position: row.try_get("position")?,
        author_name: row.try_get("author_name")?,
        view_count: row.try_get("view_count")?,
        published_at: from_millis(
            row.try_get::<Option<i64>, _>("published_at")?
                .unwrap_or_default(),
        )?,
    })
}

async fn check_category(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    let found: i64 = sqlx::query("SELECT COUNT(*) FROM kb_categories WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if found == 0 {
        return Err(StoreError::invalid(
            "category_id",
            format!("category {id} does not exist"),
        ));
    }
    Ok(())
}

async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    article_id: i64,
    version: i64,
    content: &KbContent,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kb_article_versions (article_id, version, category_id, kind, title, body, \
         saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(article_id)
    .bind(version)
    .bind(content.category_id)
    .bind(&content.kind)
    .bind(&content.title)
    .bind(&content.body)
    .bind(&actor.name)
    .bind(to_millis(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_step(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    article_id: i64,
    step: &str,
    version: i64,
    from_state: &str,
    to_state: &str,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kb_article_steps (article_id, step, version, from_state, to_state, note, \
         actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(article_id)
    .bind(step)
    .bind(version)
    .bind(from_state)
    .bind(to_state)
    .bind(note)
    .bind(actor.id.map(|id| id.0))
    .bind(&actor.name)
    .bind(to_millis(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A new article (a draft unless `state` says otherwise: the demo seeds
/// published ones), with its first version and `create` step.
pub(crate) async fn insert_article(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    content: &KbContent,
    published: bool,
) -> Result<i64> {
    check_category(conn, content.category_id).await?;
    let (state, published_version, published_at) = if published {
        ("published", Some(1_i64), Some(to_millis(now)))
    } else {
        ("draft", None, None)
    };
    let id: i64 = sqlx::query(
        "INSERT INTO kb_articles (category_id, kind, title, body, state, version, \
         published_version, position, author_id, author_name, created_at, updated_at, \
         published_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
    )
    .bind(content.category_id)
    .bind(&content.kind)
    .bind(&content.title)
    .bind(&content.body)
    .bind(state)
    .bind(published_version)
    .bind(content.position)
    .bind(actor.id.map(|id| id.0))
    .bind(&actor.name)
    .bind(to_millis(now))
    .bind(published_at)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    insert_version(conn, now, actor, id, 1, content).await?;
    insert_step(conn, now, actor, id, "create", 1, "", state, "").await?;
    Ok(id)
}

impl Store {
    pub async fn kb_article(&self, id: i64) -> Result<KbArticle> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM kb_articles WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("article", id))?;
        from_row(&row)
    }

    /// The published version, or not found when agents may not see it.
    pub async fn kb_published(&self, id: i64) -> Result<KbPublished> {
        let row = sqlx::query(&format!("{PUBLISHED} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("article", id))?;
        published_from_row(&row)
    }

    /// Every published article (rebuilding the search index), by id.
    pub async fn kb_published_all(&self) -> Result<Vec<KbPublished>> {
        let rows = sqlx::query(&format!("{PUBLISHED} ORDER BY a.id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(published_from_row).collect()
    }

    /// Published articles of some categories in reading order (browsing, study).
    pub async fn kb_published_in(&self, category_ids: &[i64]) -> Result<Vec<KbPublished>> {
        let mut sql = Sql::new(PUBLISHED);
        sql.push(" WHERE v.category_id IN ")
            .bind_list(category_ids)
            .push(" ORDER BY a.position, a.id");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter().map(published_from_row).collect()
    }

    pub async fn kb_articles(
        &self,
        filter: &KbArticleFilter,
        page: PageRequest,
    ) -> Result<Page<KbArticleSummary>> {
        let mut sql = Sql::new(" FROM kb_articles WHERE 1 = 1");
        if !filter.states.is_empty() {
            sql.push(" AND state IN (");
            for (i, state) in filter.states.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Arg::Text(state.clone()));
            }
            sql.push(")");
        }
        if let Some(author) = filter.author_id {
            sql.push(" AND author_id = ").bind(Arg::Int(author));
        }
        if let Some(ids) = &filter.category_ids {
            sql.push(" AND category_id IN ").bind_list(ids);
        }
        if let Some(title) = filter.title.as_deref().filter(|t| !t.is_empty()) {
            sql.push(" AND LOWER(title) LIKE ")
                .bind(Arg::Text(format!("%{}%", title.to_lowercase())));
        }
        let mut count = Sql::new("SELECT COUNT(*)");
        count.text.push_str(&sql.text);
        count.args = sql.args.clone();
        let total: i64 = count.query().fetch_one(&self.pool).await?.try_get(0)?;
        let mut list = Sql::new(
            "SELECT id, category_id, kind, title, state, version, published_version, author_id, \
             author_name, view_count, updated_at",
        );
        list.text.push_str(&sql.text);
        list.args = sql.args;
        list.push(" ORDER BY updated_at DESC, id DESC LIMIT ")
            .bind(Arg::Int(page.limit()))
            .push(" OFFSET ")
            .bind(Arg::Int(page.offset()));
        let rows = list.query().fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn create_kb_article(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        content: &KbContent,
    ) -> Result<KbArticle> {
        let mut tx = self.begin_write().await?;
        let id = insert_article(&mut tx, now, actor, content, false).await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM kb_articles WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let created = from_row(&row)?;
        let change = Change {
            action: "knowledge.create",
            entity: "kb_article",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Writes a step decided on the article as it was; a conflict when the
    /// article has moved on meanwhile (another reviewer, another save).
    pub async fn apply_kb_step(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        step: &KbStep,
    ) -> Result<KbArticle> {
        let mut tx = self.begin_write().await?;
        let before_row = sqlx::query(&format!("SELECT {COLUMNS} FROM kb_articles WHERE id = $1"))
            .bind(step.article_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("article", step.article_id))?;
        let before = from_row(&before_row)?;
        if before.state != step.from_state || before.version != step.expected_version {
            return Err(StoreError::Conflict {
                code: "changed",
                message: format!(
                    "article {} changed meanwhile: it is now {} at version {}",
                    before.id, before.state, before.version
                ),
            });
        }
        let version = before.version + i64::from(step.content.is_some());
        if let Some(content) = &step.content {
            check_category(&mut tx, content.category_id).await?;
            insert_version(&mut tx, now, actor, before.id, version, content).await?;
        }
        let content = step.content.clone().unwrap_or(KbContent {
            category_id: before.category_id,
            kind: before.kind.clone(),
            title: before.title.clone(),
            body: before.body.clone(),
            position: before.position,
        });
        let (published_version, published_at) = match step.publishing {
            KbPublishing::Keep => (before.published_version, before.published_at.map(to_millis)),
            KbPublishing::PublishCurrent => (Some(version), Some(to_millis(now))),
            KbPublishing::Withdraw => (None, None),
        };
        let review_note = step
            .review_note
            .clone()
            .unwrap_or_else(|| before.review_note.clone());
        sqlx::query(
            "UPDATE kb_articles SET category_id = $1, kind = $2, title = $3, body = $4, \
             position = $5, state = $6, version = $7, published_version = $8, published_at = $9, \
             review_note = $10, updated_at = $11 WHERE id = $12",
        )
        .bind(content.category_id)
        .bind(&content.kind)
        .bind(&content.title)
        .bind(&content.body)
        .bind(content.position)
        .bind(&step.to_state)
        .bind(version)
        .bind(published_version)
        .bind(published_at)
        .bind(&review_note)
        .bind(to_millis(now))
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
        insert_step(
            &mut tx,
            now,
            actor,
            before.id,
            step.step,
            version,
            &step.from_state,
            &step.to_state,
            &step.note,
        )
        .await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM kb_articles WHERE id = $1"))
            .bind(before.id)
            .fetch_one(&mut *tx)
            .await?;
        let after = from_row(&row)?;
        // The bodies stay out of the audit row: the versions table keeps them.
        let brief = |a: &KbArticle| {
            serde_json::json!({"title": a.title, "state": a.state, "version": a.version,
                "published_version": a.published_version})
        };
        let change = Change {
            action: match step.step {
                "edit" => "knowledge.edit",
                "submit" => "knowledge.submit",
                "publish" => "knowledge.publish",
                "send_back" => "knowledge.send_back",
                "unpublish" => "knowledge.unpublish",
                _ => "knowledge.step",
            },
            entity: "kb_article",
            entity_id: before.id.to_string(),
            before: Some(brief(&before)),
            after: Some(brief(&after)),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn kb_article_steps(&self, id: i64) -> Result<Vec<KbStepEntry>> {
        let rows = sqlx::query(
            "SELECT step, version, from_state, to_state, note, actor_name, at \
             FROM kb_article_steps WHERE article_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(KbStepEntry {
                    step: row.try_get("step")?,
                    version: row.try_get("version")?,
                    from_state: row.try_get("from_state")?,
                    to_state: row.try_get("to_state")?,
                    note: row.try_get("note")?,
                    actor_name: row.try_get("actor_name")?,
                    at: from_millis(row.try_get("at")?)?,
                })
            })
            .collect()
    }

    /// Counts one reading of a published article.
    pub async fn record_kb_view(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE kb_articles SET view_count = view_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
