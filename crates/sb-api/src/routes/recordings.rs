//! Call recordings (MISSION R3, R4): search, details, play and download.
//! `recording.read` finds them; hearing one takes `recording.listen` too,
//! and every play from the start and every download is audited. A limited
//! data scope reaches the recordings whose agent extension is the
//! `extension` of a member of staff in scope, as for call records.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sb_core::Permission;
use sb_store::recordings::{self, Recording as StoredRecording};
use sb_store::{AuditEvent, AuditKind, CdrScope, Direction, Page, RecordingFilter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::routes::PageQuery;
use crate::scope::Scope;
use crate::served_file::ServedFile;
use crate::state::AppState;
use crate::validate;

pub(crate) const WAV: &str = "audio/wav";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_recordings))
        .routes(routes!(get_recording))
        .routes(routes!(recording_audio))
        .routes(routes!(download_recording))
}

/// A recording as the console shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recording {
    pub id: i64,
    pub call_id: String,
    pub direction: Direction,
    pub caller: String,
    pub callee: String,
    pub agent_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    pub duration_ms: i64,
    /// `stereo` (caller left, agent right) or `mono`.
    pub layout: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub archived_at: Option<OffsetDateTime>,
    /// When retention removed the local file (the archive copy may remain).
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    /// Whether the audio can be fetched: the local file or its archive copy exists.
    pub available: bool,
}

impl Recording {
    fn of(state: &AppState, r: StoredRecording) -> Recording {
        let available = state.media_dirs().recording_file(&r.file).is_some();
        Recording {
            id: r.id,
            call_id: r.call_id,
            direction: r.direction,
            caller: r.caller,
            callee: r.callee,
            agent_extension: r.agent_extension,
            trunk_id: r.trunk_id,
            trunk_name: r.trunk_name,
            started_at: r.started_at,
            ended_at: r.ended_at,
            duration_ms: r.duration_ms,
            layout: r.layout,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            archived_at: r.archived_at,
            deleted_at: r.deleted_at,
            available,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordingQuery {
    /// RFC 3339, inclusive (on the start of the call).
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    trunk_id: Option<i64>,
    /// The start of the caller or the callee number (prefix match, so a
    /// search stays fast over a year of recordings): digits, `*`, `#`, `+`.
    number: Option<String>,
    /// The agent's extension, exactly.
    agent: Option<String>,
    /// internal, inbound or outbound.
    direction: Option<String>,
    /// At least this many seconds long.
    min_duration_s: Option<i64>,
    /// At most this many seconds long.
    max_duration_s: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn seconds(field: &str, value: Option<i64>) -> ApiResult<Option<i64>> {
    value
        .map(|s| {
            validate::int_in(field, s, 0..=31_536_000)
                .map(|s| s * 1000)
                .map_err(|e| ApiError {
                    status: axum::http::StatusCode::BAD_REQUEST,
                    ..e
                })
        })
        .transpose()
}

fn direction(value: Option<&str>) -> ApiResult<Option<Direction>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Direction::parse(v).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "direction must be one of internal, inbound, outbound, got `{v}`"
            ))
            .with_field("direction")
        }),
    }
}

/// A number to search by: up to 32 dial characters.
fn number(value: Option<&str>) -> ApiResult<Option<String>> {
    let Some(n) = value.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if n.chars().count() > 32 || !n.chars().all(|c| c.is_ascii_digit() || "*#+".contains(c)) {
        return Err(ApiError::bad_request(
            "number may hold only digits, `*`, `#` and `+` (at most 32)",
        )
        .with_field("number"));
    }
    Ok(Some(n.to_owned()))
}

/// What `permission` reaches among recordings for the caller.
pub(crate) async fn recording_scope(
    state: &AppState,
    who: &Principal,
    permission: Permission,
) -> ApiResult<CdrScope> {
    let scope = Scope::of(state, who, permission).await?;
    Ok(match (scope.department_ids, scope.only_id) {
        (_, Some(id)) => CdrScope::Staff(id),
        (Some(ids), None) => CdrScope::Departments(ids),
        (None, None) => CdrScope::All,
    })
}

/// The recording, or 404; 403 (audited) when it is outside the scope
/// `permission` gives the caller.
async fn reachable(
    state: &AppState,
    who: &Principal,
    id: i64,
    permission: Permission,
) -> ApiResult<StoredRecording> {
    let recording = recordings::get(state.store(), id).await?;
    let scope = recording_scope(state, who, permission).await?;
    if scope != CdrScope::All && !recordings::in_scope(state.store(), id, &scope).await? {
        let e = ApiError::forbidden("that recording is outside your data scope").with_field("id");
        return Err(refuse_actor(state, who.actor(), permission.code(), e).await);
    }
    Ok(recording)
}

/// Newest first.
#[utoipa::path(get, path = "/api/v1/recordings", tag = "recordings", params(RecordingQuery),
    responses((status = 200, body = Page<Recording>)),
    security(("session" = ["recording.read"]), ("bearer" = ["recording.read"])))]
async fn list_recordings(
    who: Can<perm::RecordingRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RecordingQuery>,
) -> ApiResult<Json<Page<Recording>>> {
    let filter = RecordingFilter {
        from: validate::query_time("from", query.from.as_deref())?,
        to: validate::query_time("to", query.to.as_deref())?,
        number: number(query.number.as_deref())?,
        agent: query
            .agent
            .map(|a| a.trim().chars().take(32).collect::<String>())
            .filter(|a| !a.is_empty()),
        trunk_id: query.trunk_id,
        direction: direction(query.direction.as_deref())?,
        min_duration_ms: seconds("min_duration_s", query.min_duration_s)?,
        max_duration_ms: seconds("max_duration_s", query.max_duration_s)?,
        scope: recording_scope(&state, &who, Permission::RecordingRead).await?,
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    let found = recordings::search(state.store(), &filter, page).await?;
    Ok(Json(Page {
        items: found
            .items
            .into_iter()
            .map(|r| Recording::of(&state, r))
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

#[utoipa::path(get, path = "/api/v1/recordings/{id}", tag = "recordings", params(("id" = i64, Path)),
    responses((status = 200, body = Recording)),
    security(("session" = ["recording.read"]), ("bearer" = ["recording.read"])))]
async fn get_recording(
    who: Can<perm::RecordingRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Recording>> {
    let recording = reachable(&state, &who, id, Permission::RecordingRead).await?;
    Ok(Json(Recording::of(&state, recording)))
}

/// The audio (audio/wav) for the browser's player, with Range support; the
/// archive copy when retention removed the local file. Audited as
/// `recording.listen` when played from the start (not on every seek).
#[utoipa::path(get, path = "/api/v1/recordings/{id}/audio", tag = "recordings", params(("id" = i64, Path)),
    responses((status = 200, description = "The WAV file", content_type = "audio/wav"),
        (status = 206, description = "The requested byte range", content_type = "audio/wav"),
        (status = 416, description = "The range lies outside the file")),
    security(("session" = ["recording.listen"]), ("bearer" = ["recording.listen"])))]
async fn recording_audio(
    who: Can<perm::RecordingListen>,
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let recording = reachable(&state, &who, id, Permission::RecordingListen).await?;
    let audio = open(&state, &recording, &headers).await?;
    if audio.from_start() {
        audit(&state, &who, "recording.listen", &recording).await?;
    }
    audio.into_response(WAV, None).await
}

/// The WAV as an attachment named `YYYYMMDD-HHMMSS_<caller>_to_<callee>.wav`
/// (UTC). Audited as `recording.download`.
#[utoipa::path(get, path = "/api/v1/recordings/{id}/download", tag = "recordings", params(("id" = i64, Path)),
    responses((status = 200, description = "The WAV file as an attachment", content_type = "audio/wav")),
    security(("session" = ["recording.listen"]), ("bearer" = ["recording.listen"])))]
async fn download_recording(
    who: Can<perm::RecordingListen>,
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let recording = reachable(&state, &who, id, Permission::RecordingListen).await?;
    let audio = open(&state, &recording, &headers).await?;
    if audio.from_start() {
        audit(&state, &who, "recording.download", &recording).await?;
    }
    audio
        .into_response(WAV, Some(&download_name(&recording)))
        .await
}

async fn open(
    state: &AppState,
    recording: &StoredRecording,
    headers: &HeaderMap,
) -> ApiResult<ServedFile> {
    let gone = if recording.deleted_at.is_some() {
        "the recording's file was removed by retention and no archive copy is reachable"
    } else {
        "the recording's file is missing from the recordings folder and from the archive"
    };
    let path = state
        .media_dirs()
        .recording_file(&recording.file)
        .ok_or_else(|| ApiError::not_found(gone))?;
    ServedFile::open(&path, headers, gone).await
}

async fn audit(
    state: &AppState,
    who: &Principal,
    action: &str,
    recording: &StoredRecording,
) -> ApiResult<()> {
    let detail = format!(
        "{} -> {} at {}",
        recording.caller,
        recording.callee,
        recording
            .started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    );
    let event = AuditEvent {
        kind: AuditKind::Access,
        outcome: "ok",
        action,
        entity: "recording",
        entity_id: &recording.id.to_string(),
        detail: &detail,
    };
    // Listening unaudited is not allowed: a failed audit write fails the request.
    state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await?;
    Ok(())
}

/// `20261124-103000_1001_to_4008001000.wav`: start (UTC), caller, callee.
pub(crate) fn download_name(recording: &StoredRecording) -> String {
    let at = recording.started_at;
    let part = |s: &str| -> String {
        let kept: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "+-".contains(*c))
            .take(32)
            .collect();
        if kept.is_empty() {
            "unknown".into()
        } else {
            kept
        }
    };
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}_{}_to_{}.wav",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        part(&recording.caller),
        part(&recording.callee)
    )
}
