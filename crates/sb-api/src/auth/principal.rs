//! The signed-in caller, resolved from a bearer token or the session cookie.
//! Every failure is a 401 with a reason and an audit row.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header::AUTHORIZATION};
use sb_core::StaffId;
use sb_store::{Actor, Grants};

use crate::auth::cookie;
use sb_core::secret::constant_time_eq;

use crate::auth::secret::digest;
use crate::error::ApiError;
use crate::state::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session { id_hash: String, csrf_token: String },
    ApiToken,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub staff_id: StaffId,
    pub employee_id: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub grants: Grants,
    pub via: Via,
    pub ip: String,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.staff_id),
            employee_id: self.employee_id.clone(),
            name: self.name.clone(),
            ip: self.ip.clone(),
        }
    }
}

pub(crate) fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_default()
}

pub(crate) fn request_line(parts: &Parts) -> String {
    format!("{} {}", parts.method, parts.uri.path())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Records the refusal (audit + metrics) and builds the error.
pub(crate) async fn refuse(
    state: &AppState,
    parts: &Parts,
    actor: Actor,
    error: ApiError,
) -> ApiError {
    refuse_actor(state, actor, &request_line(parts), error).await
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(p.clone());
        }
        let ip = client_ip(parts);
        let anonymous = Actor {
            ip: ip.clone(),
            ..Actor::default()
        };
        let now = state.now();
        let store = state.store();

        let (creds, via) = if let Some(token) = bearer(&parts.headers) {
            match store.api_token_owner(now, &digest(token)).await? {
                Some(creds) => (creds, Via::ApiToken),
                None => {
                    let e = ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "API token is invalid, expired or revoked",
                    );
                    return Err(refuse(state, parts, anonymous, e).await);
                }
            }
        } else if let Some(session_id) = cookie::session_id(&parts.headers) {
            let id_hash = digest(&session_id);
            let Some(session) = store.session(now, &id_hash).await? else {
                let e = ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "session_expired",
                    "session expired or signed out; sign in again",
                );
                return Err(refuse(state, parts, anonymous, e).await);
            };
            let config = state.config();
            let idle_end = now + config.session_idle;
            let hard_end = session.created_at + config.session_absolute;
            // Refresh at most once a minute so reads stay reads.
            if session.expires_at < hard_end
                && idle_end - session.expires_at > time::Duration::minutes(1)
            {
                store
                    .touch_session(now, &id_hash, idle_end.min(hard_end))
                    .await?;
            }
            (
                session.staff,
                Via::Session {
                    id_hash,
                    csrf_token: session.csrf_token,
                },
            )
        } else {
            let e = ApiError::unauthenticated(
                "sign in first (session cookie or Authorization: Bearer token)",
            );
            // The console asks "who am I?" before anyone signs in; that is not an incident.
            let probing = !(parts.method == Method::GET && parts.uri.path() == "/api/v1/auth/me");
            return Err(if probing {
                refuse(state, parts, anonymous, e).await
            } else {
                e
            });
        };
        let staff_id = creds.id;
        let actor = Actor {
            id: Some(creds.id),
            employee_id: creds.employee_id.clone(),
            name: creds.name.clone(),
            ip: ip.clone(),
        };
        if !creds.enabled {
            let e = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "account_disabled",
                "the account is disabled",
            );
            return Err(refuse(state, parts, actor, e).await);
        }
        if let Via::Session { csrf_token, .. } = &via
            && is_unsafe(&parts.method)
        {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                let e = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token header",
                );
                return Err(refuse(state, parts, actor, e).await);
            }
        }
        let grants = store.grants(staff_id).await?;
        let principal = Principal {
            staff_id,
            employee_id: creds.employee_id,
            name: creds.name,
            department_id: creds.department_id,
            grants,
            via,
            ip,
        };
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

/// Like `refuse`, for refusals decided inside a handler.
pub(crate) async fn refuse_actor(
    state: &AppState,
    actor: Actor,
    action: &str,
    error: ApiError,
) -> ApiError {
    state.metrics().record_denial(error.status);
    if let Err(e) = state
        .store()
        .record_denial(
            state.now(),
            &actor,
            action,
            &error.message,
            state.config().alarm,
        )
        .await
    {
        tracing::error!(error = %e, "could not audit a denied request");
    }
    tracing::info!(status = %error.status, action, actor = %actor.employee_id, reason = %error.message, "request refused");
    error
}
