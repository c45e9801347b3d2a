//! The knowledge desk: checks what authors write, decides each workflow
//! step with [`decide`], writes it onto the article as it was decided on,
//! and keeps the search index in step with what agents may read (publish
//! adds or replaces, unpublish removes). Searches are logged with their hit
//! count so editors see what people looked for and did not find.

use std::path::Path;
use std::sync::Arc;

use sb_store::{Actor, KbArticle, KbContent, KbPublished, KbPublishing, KbStep, Store, StoreError};
use time::OffsetDateTime;

use crate::error::{DeskError, Result};
use crate::knowledge::html;
use crate::knowledge::index::{IndexedArticle, KnowledgeIndex, SearchRequest, SearchResults};
use crate::knowledge::workflow::{ArticleFacts, KbActor, KbCommand, KbState, decide};

pub const KINDS: &[&str] = &["article", "faq"];
pub const MAX_TITLE_CHARS: usize = 200;
/// Cleaned HTML; images are links to uploads, not inline data.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A search's results; the log write has been done.
pub type SearchOutcome = SearchResults;

/// A workflow command with what it carries: `content` is required for
/// `Edit`, `note` for `SendBack`.
#[derive(Debug, Clone, PartialEq)]
pub struct KbStepRequest {
    pub command: KbCommand,
    pub content: Option<KbContent>,
    pub note: Option<String>,
}

impl KbStepRequest {
    pub fn bare(command: KbCommand) -> KbStepRequest {
        KbStepRequest {
            command,
            content: None,
            note: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct KnowledgeDesk {
    store: Store,
    index: Arc<KnowledgeIndex>,
}

fn indexed(published: KbPublished) -> IndexedArticle {
    IndexedArticle {
        article_id: published.article_id,
        category_id: published.category_id,
        kind: published.kind,
        title: published.title,
        text: html::to_text(&published.body),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DeskError::Search(format!("index task failed: {e}")))?
}

/// Checks and cleans an author's content; the errors name the field.
pub fn check_content(mut content: KbContent) -> Result<KbContent> {
    content.title = content.title.trim().to_owned();
    if content.title.is_empty() {
        return Err(DeskError::invalid("title", "title is required"));
    }
    if content.title.chars().count() > MAX_TITLE_CHARS {
        return Err(DeskError::invalid(
            "title",
            format!("title may be at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if !KINDS.contains(&content.kind.as_str()) {
        return Err(DeskError::invalid("kind", "kind must be article or faq"));
    }
    if content.body.len() > MAX_BODY_BYTES {
        return Err(DeskError::invalid(
            "body",
            format!("body may be at most {} KB", MAX_BODY_BYTES / 1024),
        ));
    }
    content.body = html::sanitize(&content.body);
    Ok(content)
}

impl KnowledgeDesk {
    pub fn new(store: Store, index: Arc<KnowledgeIndex>) -> KnowledgeDesk {
        KnowledgeDesk { store, index }
    }

    /// Opens the index in `dir`, filling it from the store when it is new
    /// or of another schema version.
    pub async fn open(store: Store, dir: &Path) -> Result<KnowledgeDesk> {
        let dir = dir.to_path_buf();
        let (index, fresh) = blocking(move || {
            // Jieba loads its dictionary on first use (about a second):
            // here rather than in the first agent's search.
            crate::knowledge::index::terms_of("发动机保养 warm-up");
            KnowledgeIndex::open(&dir)
        })
        .await?;
        let desk = KnowledgeDesk::new(store, Arc::new(index));
        if fresh {
            let count = desk.rebuild().await?;
            tracing::info!(articles = count, "knowledge index rebuilt from the store");
        }
        Ok(desk)
    }

    pub fn index(&self) -> &Arc<KnowledgeIndex> {
        &self.index
    }

    /// Refills the index with every published article.
    pub async fn rebuild(&self) -> Result<usize> {
        let articles: Vec<IndexedArticle> = self
            .store
            .kb_published_all()
            .await?
            .into_iter()
            .map(indexed)
            .collect();
        let index = self.index.clone();
        blocking(move || index.rebuild(articles)).await
    }

    pub async fn create(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        content: KbContent,
    ) -> Result<KbArticle> {
        let content = check_content(content)?;
        Ok(self.store.create_kb_article(now, actor, &content).await?)
    }

    /// Applies one workflow step to article `id`.
    pub async fn step(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        kb_actor: KbActor,
        id: i64,
        request: KbStepRequest,
    ) -> Result<KbArticle> {
        let KbStepRequest {
            command,
            content,
            note,
        } = request;
        let article = self.store.kb_article(id).await?;
        let state = KbState::parse(&article.state).ok_or_else(|| {
            DeskError::Store(StoreError::Corrupt(format!(
                "article {id} has the unknown state {}",
                article.state
            )))
        })?;
        let facts = ArticleFacts {
            state,
            author_id: article.author_id,
            has_published: article.published_version.is_some(),
        };
        let transition = decide(facts, kb_actor, &command)?;
        let content = match command {
            KbCommand::Edit => {
                Some(check_content(content.ok_or_else(|| {
                    DeskError::invalid("title", "the content is required")
                })?)?)
            }
            _ => None,
        };
        let note = note.map(|n| n.trim().to_owned()).unwrap_or_default();
        if command == KbCommand::SendBack && note.is_empty() {
            return Err(DeskError::invalid(
                "note",
                "say what the author should change",
            ));
        }
        let review_note = if command == KbCommand::SendBack {
            Some(note.clone())
        } else if transition.clears_note {
            Some(String::new())
        } else {
            None
        };
        let step = KbStep {
            article_id: id,
            step: command.name(),
            from_state: article.state.clone(),
            expected_version: article.version,
            to_state: transition.to.code().to_owned(),
            content,
            publishing: transition.publishing,
            note,
            review_note,
        };
        let after = self.store.apply_kb_step(now, actor, &step).await?;
        match transition.publishing {
            KbPublishing::Keep => {}
            KbPublishing::PublishCurrent => {
                let published = indexed(self.store.kb_published(id).await?);
                let index = self.index.clone();
                blocking(move || index.upsert(&published)).await?;
            }
            KbPublishing::Withdraw => {
                let index = self.index.clone();
                blocking(move || index.remove(id)).await?;
            }
        }
        tracing::info!(article = id, step = step.step, state = %after.state, "knowledge step");
        Ok(after)
    }

    /// Searches published articles and logs the query with its hit count
    /// (first pages only, so paging does not count twice).
    pub async fn search(
        &self,
        now: OffsetDateTime,
        staff_id: Option<i64>,
        request: SearchRequest,
    ) -> Result<SearchOutcome> {
        let query = request.query.trim().to_owned();
        let first_page = request.offset == 0;
        let index = self.index.clone();
        let results = blocking(move || index.search(&request)).await?;
        if first_page && !query.is_empty() {
            let hits = i64::try_from(results.total).unwrap_or(i64::MAX);
            self.store
                .record_kb_search(now, staff_id, &query, hits)
                .await?;
        }
        Ok(results)
    }
}
