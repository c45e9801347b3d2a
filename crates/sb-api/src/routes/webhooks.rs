//! Webhooks (MISSION X3): where CTI events are POSTed, their signing
//! secrets, a test ping and the delivery log with manual retry.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::cti::CtiEvent;
use sb_store::{
    DeliveryAttempt, DeliveryState, NewWebhookDelivery, NextStep, Page, Webhook, WebhookDelivery,
    WebhookInput,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::validate;
use crate::webhooks::client::Outgoing;
use crate::webhooks::{DeliveryConfig, check_url};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_secret))
        .routes(routes!(ping_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(retry_delivery))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    name: String,
    /// `http://host[:port]/path`; https is not supported yet.
    url: String,
    /// Event types to deliver (`call.answered`, `agent.state`...); empty or
    /// absent means every type.
    #[serde(default)]
    event_types: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

/// A webhook as the API shows it: the secret masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    #[serde(flatten)]
    webhook: Webhook,
    /// The secret's first characters, to tell secrets apart.
    secret_hint: String,
}

impl From<Webhook> for WebhookView {
    fn from(webhook: Webhook) -> WebhookView {
        let shown: String = webhook.secret.chars().take(10).collect();
        WebhookView {
            secret_hint: format!("{shown}…"),
            webhook,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    webhook: WebhookView,
    /// The signing secret, shown only in this answer.
    secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PingResult {
    /// The ping's row in the delivery log.
    delivery: WebhookDelivery,
    /// The receiver's HTTP status, if it answered.
    status: Option<u16>,
    delivered: bool,
    /// Why it was not delivered ('' when it was).
    error: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// pending, delivered or failed.
    state: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn input(body: WebhookBody) -> ApiResult<WebhookInput> {
    let name = validate::text("name", &body.name, 1, 64)?;
    let url = check_url("url", &body.url)?;
    let mut event_types: Vec<String> = Vec::with_capacity(body.event_types.len());
    for (i, kind) in body.event_types.iter().enumerate() {
        let kind = kind.trim();
        if !CtiEvent::KINDS.contains(&kind) {
            return Err(ApiError::validation(
                format!("event_types[{i}]"),
                format!(
                    "unknown event type `{kind}`: one of {}",
                    CtiEvent::KINDS.join(", ")
                ),
            ));
        }
        if !event_types.iter().any(|t| t == kind) {
            event_types.push(kind.to_owned());
        }
    }
    Ok(WebhookInput {
        name,
        url,
        event_types,
        enabled: body.enabled,
    })
}

/// `whsec_` and 64 hex digits from the OS generator.
fn new_secret() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::internal("webhook secret", e))?;
    let mut secret = String::with_capacity(6 + 64);
    secret.push_str("whsec_");
    for byte in bytes {
        secret.push_str(&format!("{byte:02x}"));
    }
    Ok(secret)
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookView>)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn list_webhooks(
    _who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<WebhookView>>> {
    let hooks = state.store().list_webhooks().await?;
    Ok(Json(hooks.into_iter().map(WebhookView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookBody,
    responses((status = 201, body = WebhookWithSecret)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn create_webhook(
    who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<WebhookBody>,
) -> ApiResult<Created<WebhookWithSecret>> {
    let input = input(body)?;
    let secret = new_secret()?;
    let webhook = state
        .store()
        .create_webhook(state.now(), &who.actor(), input, &secret)
        .await?;
    state.webhooks().changed();
    tracing::info!(webhook = webhook.id, url = %webhook.url, "webhook created");
    Ok(Created(WebhookWithSecret {
        webhook: webhook.into(),
        secret,
    }))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookView)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn get_webhook(
    _who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<WebhookView>> {
    Ok(Json(state.store().webhook(id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    request_body = WebhookBody, responses((status = 200, body = WebhookView)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn update_webhook(
    who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<WebhookBody>,
) -> ApiResult<Json<WebhookView>> {
    let input = input(body)?;
    let webhook = state
        .store()
        .update_webhook(state.now(), &who.actor(), id, input)
        .await?;
    state.webhooks().changed();
    Ok(Json(webhook.into()))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn delete_webhook(
    who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_webhook(state.now(), &who.actor(), id)
        .await?;
    state.webhooks().changed();
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown only in this answer; the old one stops at once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = i64, Path)), responses((status = 200, body = WebhookWithSecret)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn rotate_secret(
    who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<WebhookWithSecret>> {
    let secret = new_secret()?;
    let webhook = state
        .store()
        .rotate_webhook_secret(state.now(), &who.actor(), id, &secret)
        .await?;
    state.webhooks().changed();
    Ok(Json(WebhookWithSecret {
        webhook: webhook.into(),
        secret,
    }))
}

/// Sends a signed `ping` now (enabled or not) and answers with how the
/// receiver took it; the ping goes into the delivery log, without retries.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path)), responses((status = 200, body = PingResult)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn ping_webhook(
    _who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<PingResult>> {
    let webhook = state.store().webhook(id).await?;
    let config = DeliveryConfig::default();
    let now = state.now();
    let payload = serde_json::json!({
        "seq": 0,
        "at": now.unix_timestamp_nanos() / 1_000_000,
        "type": "ping",
        "webhook": { "id": webhook.id, "name": webhook.name },
    })
    .to_string();
    // Leased past the timeout so the dispatcher leaves it alone.
    let lease = now + time::Duration::minutes(5);
    let ids = state
        .store()
        .insert_webhook_deliveries(
            now,
            &[NewWebhookDelivery {
                webhook_id: webhook.id,
                event_seq: 0,
                event_type: "ping".into(),
                payload: payload.clone(),
                next_attempt_at: lease,
            }],
        )
        .await?;
    let delivery_id = ids
        .first()
        .copied()
        .ok_or_else(|| ApiError::internal("webhook ping", "no row written"))?;
    let attempted = state
        .webhooks()
        .client()
        .post(
            Outgoing {
                url: &webhook.url,
                secret: &webhook.secret,
                event_type: "ping",
                delivery_id,
                body: &payload,
                unix_seconds: now.unix_timestamp(),
            },
            config.timeout,
        )
        .await;
    let delivered = attempted.is_success();
    let attempt = DeliveryAttempt {
        status: attempted.status(),
        error: attempted.error(),
        next: if delivered {
            NextStep::Delivered
        } else {
            NextStep::GiveUp
        },
    };
    let delivery = state
        .store()
        .record_webhook_attempt(state.now(), delivery_id, &attempt)
        .await?;
    Ok(Json(PingResult {
        delivery,
        status: attempted.status(),
        delivered,
        error: attempted.error(),
    }))
}

/// The webhook's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path), DeliveryQuery),
    responses((status = 200, body = Page<WebhookDelivery>)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn list_deliveries(
    _who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    let filter = match query.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(DeliveryState::parse(code).ok_or_else(|| {
            ApiError::validation("state", "state must be pending, delivered or failed")
        })?),
    };
    // 404 for a webhook that does not exist rather than an empty page.
    state.store().webhook(id).await?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state.store().webhook_deliveries(id, filter, page).await?,
    ))
}

/// Makes a delivery due now: one more attempt for a failed one, a resend
/// for a delivered one.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/retry", tag = "webhooks",
    params(("id" = i64, Path)), responses((status = 200, body = WebhookDelivery)),
    security(("session" = ["webhook.manage"]), ("bearer" = ["webhook.manage"])))]
async fn retry_delivery(
    who: Can<perm::WebhookManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<WebhookDelivery>> {
    let delivery = state
        .store()
        .retry_webhook_delivery(state.now(), &who.actor(), id)
        .await?;
    state.webhooks().wake();
    Ok(Json(delivery))
}
