//! System announcements (MISSION M5).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{Announcement, AnnouncementInput, Page};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery, paginate};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(active_announcements))
        .routes(routes!(list_announcements, create_announcement))
        .routes(routes!(update_announcement, delete_announcement))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementBody {
    title: String,
    body: String,
    /// RFC 3339, e.g. `2026-12-01T08:00:00+08:00`.
    #[serde(with = "time::serde::rfc3339")]
    starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    ends_at: OffsetDateTime,
}

impl AnnouncementBody {
    fn into_input(self) -> ApiResult<AnnouncementInput> {
        validate::window(self.starts_at, self.ends_at)?;
        Ok(AnnouncementInput {
            title: validate::text("title", &self.title, 1, 100)?,
            body: validate::text("body", &self.body, 1, 2000)?,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        })
    }
}

/// What the scrolling notice shows now.
#[utoipa::path(get, path = "/api/v1/announcements/active", tag = "announcements",
    responses((status = 200, body = Page<Announcement>)),
    security(("session" = []), ("bearer" = [])))]
async fn active_announcements(
    _: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Page<Announcement>>> {
    Ok(Json(paginate(
        state.store().active_announcements(state.now()).await?,
        sb_store::PageRequest::all(),
    )))
}

#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements", params(ListQuery),
    responses((status = 200, body = Page<Announcement>)),
    security(("session" = ["announcement.manage"]), ("bearer" = ["announcement.manage"])))]
async fn list_announcements(
    _: Can<perm::AnnouncementManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Announcement>>> {
    let all = state.store().list_announcements().await?;
    Ok(Json(query.apply(all, 50, |a| {
        vec![a.title.as_str(), a.body.as_str()]
    })))
}

#[utoipa::path(post, path = "/api/v1/announcements", tag = "announcements", request_body = AnnouncementBody,
    responses((status = 201, body = Announcement)),
    security(("session" = ["announcement.manage"]), ("bearer" = ["announcement.manage"])))]
async fn create_announcement(
    who: Can<perm::AnnouncementManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AnnouncementBody>,
) -> ApiResult<Created<Announcement>> {
    Ok(Created(
        state
            .store()
            .create_announcement(state.now(), &who.actor(), body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = i64, Path)),
    request_body = AnnouncementBody, responses((status = 200, body = Announcement)),
    security(("session" = ["announcement.manage"]), ("bearer" = ["announcement.manage"])))]
async fn update_announcement(
    who: Can<perm::AnnouncementManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<AnnouncementBody>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        state
            .store()
            .update_announcement(state.now(), &who.actor(), id, body.into_input()?)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["announcement.manage"]), ("bearer" = ["announcement.manage"])))]
async fn delete_announcement(
    who: Can<perm::AnnouncementManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_announcement(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
