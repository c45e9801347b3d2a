//! Idempotent commands (MISSION X4): a client that sends a change with an
//! `Idempotency-Key` (or `X-Request-Id`) header may send it again — after a
//! timeout, a dropped connection, a double click — and gets the first
//! answer back (`Idempotent-Replayed: true`) instead of a second transfer
//! or a second ticket.
//!
//! Keys belong to the credential that sent them (session or API token) and
//! are kept [`KEEP_FOR`]. The same key with another method, path or body
//! is refused with 422; while the first request still runs, a repeat gets
//! 409. Server errors (5xx) are not kept, so a retry really retries. Kept
//! in memory: a repeat must reach the same node (a cluster routes a
//! client's commands to one node, or this moves to the store).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub const KEY_HEADER: &str = "idempotency-key";
pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// How long an answer is kept for repeats.
pub const KEEP_FOR: Duration = Duration::from_secs(10 * 60);
/// Requests and answers larger than this are not kept (uploads, exports).
const MAX_BODY: usize = 1024 * 1024;
/// A bound on memory: past it the oldest answers go first.
const MAX_ENTRIES: usize = 100_000;
const MAX_KEY_LEN: usize = 128;

#[derive(Debug, Clone)]
enum Outcome {
    Running,
    Done {
        status: StatusCode,
        content_type: Option<HeaderValue>,
        body: Bytes,
    },
}

#[derive(Debug, Clone)]
struct Entry {
    fingerprint: [u8; 32],
    outcome: Outcome,
    at: Instant,
}

#[derive(Debug, Default)]
pub struct IdempotencyCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
}

enum Claim {
    New,
    Replay(Outcome),
    Mismatch,
}

impl IdempotencyCache {
    fn claim(&self, slot: &(String, String), fingerprint: [u8; 32], now: Instant) -> Claim {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get(slot)
            && now.duration_since(entry.at) < KEEP_FOR
        {
            return if entry.fingerprint == fingerprint {
                Claim::Replay(entry.outcome.clone())
            } else {
                Claim::Mismatch
            };
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| now.duration_since(e.at) < KEEP_FOR);
            if entries.len() >= MAX_ENTRIES
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.at)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            slot.clone(),
            Entry {
                fingerprint,
                outcome: Outcome::Running,
                at: now,
            },
        );
        Claim::New
    }

    fn settle(&self, slot: &(String, String), outcome: Option<Outcome>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Some(outcome) => {
                if let Some(entry) = entries.get_mut(slot) {
                    entry.outcome = outcome;
                }
            }
            None => {
                entries.remove(slot);
            }
        }
    }
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let key = match request_key(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(error) => return error.into_response(),
    };
    let declared_len = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_len.is_some_and(|len| len > MAX_BODY) {
        // Uploads are not commands: they pass through unkept.
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "a request with an Idempotency-Key may carry at most 1 MB",
            )
            .into_response();
        }
    };
    let slot = (credential(&parts.headers), key);
    let fingerprint = fingerprint(&parts.method, &parts.uri, &body);
    let cache = state.idempotency();
    match cache.claim(&slot, fingerprint, Instant::now()) {
        Claim::Mismatch => ApiError::validation(
            "Idempotency-Key",
            "this key was already used for a different request; use a new key per command",
        )
        .into_response(),
        Claim::Replay(Outcome::Running) => ApiError::conflict(
            "in_progress",
            "a request with this Idempotency-Key is still being processed",
        )
        .into_response(),
        Claim::Replay(Outcome::Done {
            status,
            content_type,
            body,
        }) => replayed(status, content_type, body),
        Claim::New => {
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            keep(cache, &slot, response).await
        }
    }
}

/// Stores the answer (unless it is a server error or too large to keep)
/// and passes it on.
async fn keep(cache: &IdempotencyCache, slot: &(String, String), response: Response) -> Response {
    let status = response.status();
    if status.is_server_error() {
        cache.settle(slot, None);
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            cache.settle(slot, None);
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() <= MAX_BODY {
        cache.settle(
            slot,
            Some(Outcome::Done {
                status,
                content_type: parts.headers.get(CONTENT_TYPE).cloned(),
                body: body.clone(),
            }),
        );
    } else {
        cache.settle(slot, None);
    }
    Response::from_parts(parts, Body::from(body))
}

fn replayed(status: StatusCode, content_type: Option<HeaderValue>, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(CONTENT_TYPE, content_type);
    }
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

fn request_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let (name, value) = match (headers.get(KEY_HEADER), headers.get(REQUEST_ID_HEADER)) {
        (Some(value), _) => ("Idempotency-Key", value),
        (None, Some(value)) => ("X-Request-Id", value),
        (None, None) => return Ok(None),
    };
    let key = value.to_str().unwrap_or("");
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::validation(
            name,
            format!("1 to {MAX_KEY_LEN} visible ASCII characters (a UUID is a good key)"),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Whose key it is: a digest of the bearer token or the session cookie,
/// so one client's keys never answer another's requests.
fn credential(headers: &HeaderMap) -> String {
    let mut hasher = Sha256::new();
    if let Some(value) = headers.get(AUTHORIZATION) {
        hasher.update(b"bearer:");
        hasher.update(value.as_bytes());
    } else if let Some(session) = crate::auth::cookie::session_id(headers) {
        hasher.update(b"session:");
        hasher.update(session.as_bytes());
    } else if let Some(value) = headers.get(COOKIE) {
        hasher.update(b"cookie:");
        hasher.update(value.as_bytes());
    }
    sb_core::secret::hex(&hasher.finalize())
}

fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(uri.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_answers_once_and_refuses_another_request() {
        let cache = IdempotencyCache::default();
        let slot = ("me".to_owned(), "k1".to_owned());
        let now = Instant::now();
        assert!(matches!(cache.claim(&slot, [1; 32], now), Claim::New));
        assert!(matches!(
            cache.claim(&slot, [1; 32], now),
            Claim::Replay(Outcome::Running)
        ));
        cache.settle(
            &slot,
            Some(Outcome::Done {
                status: StatusCode::NO_CONTENT,
                content_type: None,
                body: Bytes::new(),
            }),
        );
        assert!(matches!(
            cache.claim(&slot, [1; 32], now),
            Claim::Replay(Outcome::Done {
                status: StatusCode::NO_CONTENT,
                ..
            })
        ));
        assert!(matches!(cache.claim(&slot, [2; 32], now), Claim::Mismatch));
        let later = now + KEEP_FOR + Duration::from_secs(1);
        assert!(matches!(cache.claim(&slot, [2; 32], later), Claim::New));
    }

    #[test]
    fn a_server_error_is_forgotten_so_the_retry_runs() {
        let cache = IdempotencyCache::default();
        let slot = ("me".to_owned(), "k2".to_owned());
        let now = Instant::now();
        assert!(matches!(cache.claim(&slot, [1; 32], now), Claim::New));
        cache.settle(&slot, None);
        assert!(matches!(cache.claim(&slot, [1; 32], now), Claim::New));
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        let mut headers = HeaderMap::new();
        assert!(matches!(request_key(&headers), Ok(None)));
        headers.insert(KEY_HEADER, HeaderValue::from_static("3f2a-01"));
        assert_eq!(
            request_key(&headers).ok().flatten().as_deref(),
            Some("3f2a-01")
        );
        headers.insert(KEY_HEADER, HeaderValue::from_static("has space"));
        assert!(request_key(&headers).is_err());
        let mut by_request_id = HeaderMap::new();
        by_request_id.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req-9"));
        assert_eq!(
            request_key(&by_request_id).ok().flatten().as_deref(),
            Some("req-9")
        );
    }
}
