//! The HTTP face of Switchboard: REST under `/api/v1`, the OpenAPI document
//! at `/api/openapi.json`, `/healthz`, `/metrics`, and the embedded console.
//!
//! Layout: `routes/` (one module per resource, each with its `router()`),
//! `auth/` (sessions, tokens, passwords, the `Can<P>` permission extractor),
//! `scope` (data scope and anti-escalation rules), `extract` (JSON, query and
//! id extractors whose errors name the field), `error` (the one error body),
//! `validate` (field rules), `switch_control` (the hook into the running SIP
//! switch), `metrics`, `console`, `openapi`; for audio `media_dirs` (folders
//! and recording policy), `storage_alarm` (low space, set by the binary),
//! `served_file` with `byte_range` (file responses that seek), `audio_upload`
//! (raw WAV bodies converted by sb-media) and `recording_export` (zip jobs);
//! `events` (the CTI bus and its WebSocket stream) and `webhooks` (signed,
//! retried POSTs of those events; the binary spawns its dispatcher).
//!
//! Build the service with [`app`]; tests drive it with `tower::ServiceExt::oneshot`.

mod audio_upload;
pub mod auth;
pub mod byte_range;
pub mod clock;
mod console;
pub mod error;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod media_dirs;
pub mod metrics;
pub mod openapi;
pub mod recording_export;
pub mod routes;
pub mod scope;
pub mod served_file;
pub mod state;
pub mod storage_alarm;
pub mod switch_control;
pub mod validate;
pub mod webhooks;
pub mod xlsx;

use std::future::Future;
use std::net::SocketAddr;

use axum::http::HeaderValue;
use axum::http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ApiError, ApiResult};
pub use events::EventBus;
pub use media_dirs::{MediaDirs, RecordingPolicy};
pub use state::{ApiConfig, AppState};
pub use storage_alarm::{LowSpace, StorageAlarm};
pub use switch_control::{
    AcdStateFuture, AcdStateView, AgentCommandError, AgentCommandFuture, AgentQueueView,
    AgentStateCommand, AgentStateView, CallCommand, CallControlError, CallControlFuture, CallParty,
    CallTarget, CallTargetKind, CarrierRegistrationView, ConfigChange, LiveCallView, MadeCall,
    MakeCallError, MakeCallFuture, MonitorMode, NoSwitch, QueueStateView, RegistrationView,
    SwitchControl, SwitchFigure,
};

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::departments::router())
        .merge(routes::staff::router())
        .merge(routes::roles::router())
        .merge(routes::extension_groups::router())
        .merge(routes::dictionary::router())
        .merge(routes::announcements::router())
        .merge(routes::audit::router())
        .merge(routes::api_tokens::router())
        .merge(routes::webhooks::router())
        .merge(routes::system::router())
        .merge(routes::system_warnings::router())
        .merge(routes::sip_extensions::router())
        .merge(routes::trunks::router())
        .merge(routes::inbound_routes::router())
        .merge(routes::outbound_routes::router())
        .merge(routes::cdrs::router())
        .merge(routes::sip_bans::router())
        .merge(routes::recordings::router())
        .merge(routes::recording_exports::router())
        .merge(routes::recording_storage::router())
        .merge(routes::prompts::router())
        .merge(routes::music_classes::router())
        .merge(routes::live_calls::router())
        .merge(routes::make_call::router())
        .merge(routes::ivr_flows::router())
        .merge(routes::calendars::router())
        .merge(routes::queues::router())
        .merge(routes::blacklist::router())
        .merge(routes::voicemails::router())
        .merge(routes::surveys::router())
        .merge(routes::call_trails::router())
        .merge(routes::acd_events::router())
        .merge(routes::agents::router())
        .merge(routes::agent_pins::router())
        .merge(routes::follow_me::router())
        .merge(events::stream::router())
        .merge(routes::customers::router())
        .merge(routes::customer_details::router())
        .merge(routes::customer_fields::router())
        .merge(routes::tickets::router())
        .merge(routes::notifications::router())
        .merge(routes::callback_lists::router())
        .merge(routes::callback_tasks::router())
        .merge(routes::campaigns::router())
        .merge(routes::callback_imports::router())
        .merge(routes::customer_imports::router())
        .merge(routes::customer_export::router())
        .merge(routes::knowledge::router())
        .merge(routes::knowledge_categories::router())
        .merge(routes::knowledge_drafts::router())
        .merge(routes::knowledge_images::router())
        .merge(routes::knowledge_study::router())
}

/// The OpenAPI document of every route [`app`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The whole HTTP service.
pub fn app(state: AppState) -> Router {
    let (router, doc) = api_router().split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .fallback(console::serve)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// Serves [`app`] on `listener` until `shutdown` resolves, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
