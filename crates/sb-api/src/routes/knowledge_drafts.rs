//! Writing and reviewing (`knowledge.write`, `knowledge.review`): authors
//! create drafts, edit them (each save a version) and submit them;
//! reviewers publish, send back with a note, or unpublish. A step the
//! article's state does not allow is 409 naming the state. Writers see
//! their own articles; reviewers see everyone's.

use axum::Json;
use axum::extract::State;
use sb_core::Permission;
use sb_desk::knowledge::{KbActor, KbCommand, KbStepRequest};
use sb_store::{KbArticle, KbArticleFilter, KbArticleSummary, KbContent, KbStepEntry, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_drafts, create_draft))
        .routes(routes!(get_draft, edit_draft))
        .routes(routes!(submit_draft))
        .routes(routes!(review_draft))
}

fn kb_actor(who: &Principal) -> KbActor {
    KbActor {
        staff_id: who.staff_id.0,
        may_review: who.grants.allows(Permission::KnowledgeReview),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftQuery {
    /// Comma-separated: draft, in_review, published, unpublished.
    state: Option<String>,
    /// `true`: only mine (reviewers see everyone's otherwise).
    mine: Option<bool>,
    category_id: Option<i64>,
    /// A piece of the title.
    title: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// What an author sends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentBody {
    category_id: Option<i64>,
    /// `article` (default) or `faq` (title is the question, body the answer).
    kind: Option<String>,
    title: Option<String>,
    /// Rich text (HTML); cleaned before it is stored.
    body: Option<String>,
    /// Reading order within the category.
    position: Option<i64>,
}

impl ContentBody {
    fn content(self) -> ApiResult<KbContent> {
        let category_id = self
            .category_id
            .ok_or_else(|| ApiError::validation("category_id", "category_id is required"))?;
        let title = self
            .title
            .ok_or_else(|| ApiError::validation("title", "title is required"))?;
        Ok(KbContent {
            category_id,
            kind: self.kind.unwrap_or_else(|| "article".into()),
            title,
            body: self.body.unwrap_or_default(),
            position: validate::int_in("position", self.position.unwrap_or(0), 0..=1_000_000)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `publish`, `send_back` (with a `note`) or `unpublish`.
    action: String,
    note: Option<String>,
}

/// An article's working copy with its history and the steps the caller may take.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftDetail {
    pub article: KbArticle,
    pub history: Vec<KbStepEntry>,
    /// Of `edit`, `submit`, `publish`, `send_back`, `unpublish`.
    pub actions: Vec<&'static str>,
}

async fn visible_draft(state: &AppState, who: &Principal, id: i64) -> ApiResult<KbArticle> {
    let article = state.store().kb_article(id).await?;
    if article.author_id != Some(who.staff_id.0) && !who.grants.allows(Permission::KnowledgeReview)
    {
        return Err(ApiError::not_found(format!("article {id} not found")));
    }
    Ok(article)
}

async fn detail(state: &AppState, who: &Principal, article: KbArticle) -> ApiResult<DraftDetail> {
    let history = state.store().kb_article_steps(article.id).await?;
    let facts = sb_desk::knowledge::ArticleFacts {
        state: sb_desk::knowledge::KbState::parse(&article.state)
            .unwrap_or(sb_desk::knowledge::KbState::Draft),
        author_id: article.author_id,
        has_published: article.published_version.is_some(),
    };
    let actor = kb_actor(who);
    let actions = [
        KbCommand::Edit,
        KbCommand::Submit,
        KbCommand::Publish,
        KbCommand::SendBack,
        KbCommand::Unpublish,
    ]
    .into_iter()
    .filter(|c| sb_desk::knowledge::decide(facts, actor, c).is_ok())
    .map(|c| c.name())
    .collect();
    Ok(DraftDetail {
        article,
        history,
        actions,
    })
}

#[utoipa::path(get, path = "/api/v1/knowledge/drafts", tag = "knowledge", params(DraftQuery),
    responses((status = 200, body = Page<KbArticleSummary>)),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn list_drafts(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DraftQuery>,
) -> ApiResult<Json<Page<KbArticleSummary>>> {
    let mut filter = KbArticleFilter::default();
    if let Some(states) = query.state.as_deref().filter(|s| !s.is_empty()) {
        for state in states.split(',') {
            if sb_desk::knowledge::KbState::parse(state.trim()).is_none() {
                return Err(ApiError::validation(
                    "state",
                    format!("`{state}` is not draft, in_review, published or unpublished"),
                ));
            }
            filter.states.push(state.trim().to_owned());
        }
    }
    let reviewer = who.grants.allows(Permission::KnowledgeReview);
    if !reviewer || query.mine == Some(true) {
        filter.author_id = Some(who.staff_id.0);
    }
    if let Some(id) = query.category_id {
        filter.category_ids = Some(state.store().kb_category_and_below(id).await?);
    }
    filter.title = query.title.map(|t| t.trim().to_owned());
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(state.store().kb_articles(&filter, page).await?))
}

#[utoipa::path(post, path = "/api/v1/knowledge/drafts", tag = "knowledge",
    request_body = ContentBody,
    responses((status = 201, body = KbArticle)),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn create_draft(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ContentBody>,
) -> ApiResult<Created<KbArticle>> {
    let content = body.content()?;
    let created = state
        .knowledge()
        .await?
        .create(state.now(), &who.actor(), content)
        .await
        .map_err(ApiError::from)?;
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/knowledge/drafts/{id}", tag = "knowledge",
    params(("id" = i64, Path)),
    responses((status = 200, body = DraftDetail)),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn get_draft(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<DraftDetail>> {
    let article = visible_draft(&state, &who, id).await?;
    Ok(Json(detail(&state, &who, article).await?))
}

async fn run(
    state: &AppState,
    who: &Principal,
    id: i64,
    command: KbCommand,
    content: Option<KbContent>,
    note: Option<String>,
) -> ApiResult<Json<DraftDetail>> {
    visible_draft(state, who, id).await?;
    let article = state
        .knowledge()
        .await?
        .step(
            state.now(),
            &who.actor(),
            kb_actor(who),
            id,
            KbStepRequest {
                command,
                content,
                note,
            },
        )
        .await
        .map_err(ApiError::from)?;
    Ok(Json(detail(state, who, article).await?))
}

#[utoipa::path(put, path = "/api/v1/knowledge/drafts/{id}", tag = "knowledge",
    params(("id" = i64, Path)), request_body = ContentBody,
    responses((status = 200, body = DraftDetail),
        (status = 409, description = "The article is in review")),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn edit_draft(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<ContentBody>,
) -> ApiResult<Json<DraftDetail>> {
    let content = body.content()?;
    run(&state, &who, id, KbCommand::Edit, Some(content), None).await
}

#[utoipa::path(post, path = "/api/v1/knowledge/drafts/{id}/submit", tag = "knowledge",
    params(("id" = i64, Path)),
    responses((status = 200, body = DraftDetail),
        (status = 409, description = "The article's state does not allow it")),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn submit_draft(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<DraftDetail>> {
    run(&state, &who, id, KbCommand::Submit, None, None).await
}

#[utoipa::path(post, path = "/api/v1/knowledge/drafts/{id}/review", tag = "knowledge",
    params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = DraftDetail),
        (status = 409, description = "The article's state does not allow it")),
    security(("session" = ["knowledge.review"]), ("bearer" = ["knowledge.review"])))]
async fn review_draft(
    who: Can<perm::KnowledgeReview>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<Json<DraftDetail>> {
    let command = match body.action.as_str() {
        "publish" => KbCommand::Publish,
        "send_back" => KbCommand::SendBack,
        "unpublish" => KbCommand::Unpublish,
        other => {
            return Err(ApiError::validation(
                "action",
                format!("action is publish, send_back or unpublish, not `{other}`"),
            ));
        }
    };
    let note = validate::optional_text("note", body.note.as_deref(), 2000)?;
    run(&state, &who, id, command, None, Some(note)).await
}
