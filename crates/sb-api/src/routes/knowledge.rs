//! Reading the knowledge base (`knowledge.read`): ranked full-text search
//! with highlighted snippets and a category filter (an empty query lists a
//! category's articles in reading order), and the published article, each
//! reading counted. Drafts never show here: only published versions are in
//! the index and readable.

use axum::Json;
use axum::extract::State;
use sb_desk::knowledge::{SearchHit, SearchRequest, html};
use sb_store::KbPublished;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::routes::PageQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_knowledge))
        .routes(routes!(read_article))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words in Chinese or English; empty lists the category in reading order.
    q: Option<String>,
    /// Only this category and those below it.
    category_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAnswer {
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub hits: Vec<SearchHit>,
}

/// The published article as agents read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: KbPublished,
}

const MAX_QUERY_CHARS: usize = 200;

fn listed(p: KbPublished) -> SearchHit {
    let text: String = html::to_text(&p.body).chars().take(160).collect();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    SearchHit {
        article_id: p.article_id,
        category_id: p.category_id,
        kind: p.kind,
        title_html: escape(&p.title),
        title: p.title,
        snippet_html: escape(&text),
        score: 0.0,
    }
}

#[utoipa::path(get, path = "/api/v1/knowledge/search", tag = "knowledge", params(SearchQuery),
    responses((status = 200, body = SearchAnswer)),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn search_knowledge(
    who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchAnswer>> {
    let q = query.q.as_deref().unwrap_or("").trim().to_owned();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::validation(
            "q",
            format!("a search may be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(20);
    let categories =
        match query.category_id {
            Some(id) => Some(state.store().kb_category_and_below(id).await.map_err(
                |e| match e {
                    sb_store::StoreError::NotFound { .. } => {
                        ApiError::validation("category_id", format!("category {id} does not exist"))
                    }
                    other => other.into(),
                },
            )?),
            None => None,
        };
    if q.is_empty() {
        let Some(categories) = categories else {
            return Err(ApiError::validation(
                "q",
                "type something to search for, or choose a category",
            ));
        };
        let all = state.store().kb_published_in(&categories).await?;
        let total = all.len();
        let hits = all
            .into_iter()
            .skip(usize::try_from((page.page - 1) * page.per_page).unwrap_or(usize::MAX))
            .take(page.per_page as usize)
            .map(listed)
            .collect();
        return Ok(Json(SearchAnswer {
            total,
            page: page.page,
            per_page: page.per_page,
            hits,
        }));
    }
    let request = SearchRequest {
        query: q,
        category_ids: categories,
        offset: usize::try_from((page.page - 1) * page.per_page).unwrap_or(usize::MAX),
        limit: page.per_page as usize,
    };
    let results = state
        .knowledge()
        .await?
        .search(state.now(), Some(who.staff_id.0), request)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(SearchAnswer {
        total: results.total,
        page: page.page,
        per_page: page.per_page,
        hits: results.hits,
    }))
}

#[utoipa::path(get, path = "/api/v1/knowledge/articles/{id}", tag = "knowledge",
    params(("id" = i64, Path)),
    responses((status = 200, body = ArticleView),
        (status = 404, description = "No such published article")),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn read_article(
    _who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<ArticleView>> {
    let mut article = state.store().kb_published(id).await?;
    state.store().record_kb_view(id).await?;
    article.view_count += 1;
    Ok(Json(ArticleView { article }))
}
