//! `GET /api/v1/events`: the CTI event stream over WebSocket (MISSION X4).
//!
//! A supervisor (`agent.supervise`) or a call reader (`call.read`) sees
//! every event; anyone else sees their own agent state and the calls they
//! are offered, ring at or talk on (by employee id, and by the extension
//! they signed in at). Queue figures go to agents and supervisors.
//!
//! The server speaks first with `{"type":"hello","seq":N}` (N: the last
//! event so far). A client reconnecting with `?since=N` is sent what it
//! missed first, or `{"type":"resync"}` when that is gone and it should
//! reload its state over REST. A client too slow to keep up gets
//! `{"type":"lagged","missed":n}` and the stream goes on.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use sb_core::Permission;
use sb_core::cti::CtiEvent;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Principal, Via};
use crate::error::{ApiError, ApiResult};
use crate::events::bus::Published;
use crate::state::AppState;

/// How often the server pings an idle client (and notices a dead one).
const PING_EVERY: Duration = Duration::from_secs(30);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(event_stream))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// The last event the client saw: what came after it is sent first.
    since: Option<u64>,
    /// Comma-separated event types (`call.offered,agent.state`); all when absent.
    types: Option<String>,
    /// Only events concerning this agent (employee id); for supervisors and integrations.
    agent: Option<String>,
}

/// Who receives what.
#[derive(Debug, Clone)]
struct Audience {
    /// `None`: every event. `Some`: events concerning this agent.
    agent: Option<String>,
    extension: Option<String>,
    queues: bool,
    types: Option<Vec<String>>,
}

impl Audience {
    fn wants(&self, event: &CtiEvent) -> bool {
        if let Some(types) = &self.types
            && !types.iter().any(|t| t == event.kind())
        {
            return false;
        }
        if let CtiEvent::QueueChanged { .. } = event {
            return self.queues;
        }
        match &self.agent {
            None => true,
            Some(agent) => event.concerns(agent, self.extension.as_deref()),
        }
    }

    /// Follows the agent to the extension they sign in at.
    fn note(&mut self, event: &CtiEvent) {
        if let (Some(me), CtiEvent::AgentState { agent }) = (&self.agent, event)
            && &agent.employee_id == me
            && agent.extension.is_some()
        {
            self.extension = agent.extension.clone();
        }
    }
}

/// Opens the CTI event stream (WebSocket). See docs/CTI.md for the messages.
#[utoipa::path(get, path = "/api/v1/events", tag = "cti",
    params(StreamQuery),
    responses((status = 101, description = "switching to WebSocket"),
        (status = 400, description = "not a WebSocket request or a bad parameter"),
        (status = 401), (status = 403)),
    security(("session" = []), ("bearer" = [])))]
async fn event_stream(
    principal: Principal,
    State(state): State<AppState>,
    Query(query): Query<StreamQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    if matches!(principal.via, Via::Session { .. }) && !same_origin(&headers) {
        // The session cookie is SameSite=Strict, but a WebSocket from
        // another site must never ride on it: check Origin as well.
        return Err(ApiError::forbidden(
            "the WebSocket's Origin is not this server",
        ));
    }
    let audience = audience(&state, &principal, &query).await?;
    let upgrade =
        upgrade.map_err(|e| ApiError::bad_request(format!("open this URL as a WebSocket: {e}")))?;
    let since = query.since;
    Ok(upgrade.on_upgrade(move |socket| serve(socket, state, audience, since)))
}

async fn audience(
    state: &AppState,
    principal: &Principal,
    query: &StreamQuery,
) -> ApiResult<Audience> {
    let sees_all = principal.grants.allows(Permission::AgentSupervise)
        || principal.grants.allows(Permission::CallRead);
    let types = match &query.types {
        None => None,
        Some(list) => {
            let types: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(unknown) = types
                .iter()
                .find(|t| !CtiEvent::KINDS.contains(&t.as_str()))
            {
                return Err(ApiError::validation(
                    "types",
                    format!(
                        "unknown event type {unknown}; known: {}",
                        CtiEvent::KINDS.join(", ")
                    ),
                ));
            }
            Some(types)
        }
    };
    let agent = match (&query.agent, sees_all) {
        (Some(agent), true) => Some(agent.clone()),
        (Some(agent), false) if agent != &principal.employee_id => {
            return Err(ApiError::forbidden(
                "only supervisors (agent.supervise) follow another agent's events",
            ));
        }
        (_, true) => None,
        (_, false) => Some(principal.employee_id.clone()),
    };
    let extension = match &agent {
        Some(employee_id) => own_extension(state, employee_id).await,
        None => None,
    };
    Ok(Audience {
        agent,
        extension,
        queues: sees_all || principal.grants.allows(Permission::AgentWork),
        types,
    })
}

/// Where the agent takes calls now: their seat if signed in, else their
/// own extension.
async fn own_extension(state: &AppState, employee_id: &str) -> Option<String> {
    if let Some(acd) = state.switch().acd_state().await
        && let Some(agent) = acd.agents.iter().find(|a| a.employee_id == employee_id)
        && agent.extension.is_some()
    {
        return agent.extension.clone();
    }
    state
        .store()
        .staff_by_employee_id(employee_id)
        .await
        .ok()
        .and_then(|s| s.extension)
}

/// Browsers always send Origin on a WebSocket handshake; it must name the
/// host the request came to. Non-browser clients may leave it out.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get("host").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    origin_host.eq_ignore_ascii_case(host)
}

async fn serve(mut socket: WebSocket, state: AppState, mut audience: Audience, since: Option<u64>) {
    let bus = state.events().clone();
    let subscription = bus.subscribe_since(since);
    let (mut live, missed) = (subscription.live, subscription.missed);
    let hello = serde_json::json!({
        "type": "hello",
        "seq": subscription.last_seq,
    })
    .to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    let mut last_sent = since.unwrap_or(0);
    match missed {
        Some(missed) => {
            for published in missed {
                if !deliver(&mut socket, &mut audience, &published).await {
                    return;
                }
                last_sent = published.seq;
            }
        }
        None => {
            let resync = r#"{"type":"resync"}"#;
            if socket.send(Message::Text(resync.into())).await.is_err() {
                return;
            }
        }
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(published) => {
                    if published.seq <= last_sent {
                        continue;
                    }
                    last_sent = published.seq;
                    if !deliver(&mut socket, &mut audience, &published).await {
                        return;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    let lagged = serde_json::json!({"type": "lagged", "missed": missed}).to_string();
                    if socket.send(Message::Text(lagged.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Sends `published` if the audience wants it; false when the client is gone.
async fn deliver(
    socket: &mut WebSocket,
    audience: &mut Audience,
    published: &Arc<Published>,
) -> bool {
    audience.note(&published.event);
    if !audience.wants(&published.event) {
        return true;
    }
    socket
        .send(Message::Text(published.json.clone()))
        .await
        .is_ok()
}
