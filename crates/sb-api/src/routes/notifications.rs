//! A person's notifications (the SLA sweep's reminders and escalations):
//! the list with the unread count for the console's bell, and marking read.
//! Everyone signed in reads only their own.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{Notification, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Id};
use crate::routes::PageQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    unread: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyNotifications {
    #[serde(flatten)]
    page: Page<Notification>,
    unread: i64,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "tickets",
    params(NotificationQuery), responses((status = 200, body = MyNotifications)),
    security(("session" = []), ("bearer" = [])))]
async fn my_notifications(
    who: Principal,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<MyNotifications>> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(20);
    let me = who.staff_id.0;
    Ok(Json(MyNotifications {
        page: state
            .store()
            .notifications_of(me, query.unread.unwrap_or(false), page)
            .await?,
        unread: state.store().unread_notification_count(me).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "tickets",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = []), ("bearer" = [])))]
async fn mark_read(
    who: Principal,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .mark_notification_read(state.now(), who.staff_id.0, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "tickets",
    responses((status = 204)), security(("session" = []), ("bearer" = [])))]
async fn mark_all_read(who: Principal, State(state): State<AppState>) -> ApiResult<StatusCode> {
    state
        .store()
        .mark_all_notifications_read(state.now(), who.staff_id.0)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
