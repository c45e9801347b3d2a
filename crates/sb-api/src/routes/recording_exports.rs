//! Exporting selected recordings as one zip (MISSION R5). Starting an
//! export checks every id against the caller's `recording.listen` scope and
//! audits the list; the job runs in the background and only the user who
//! started it can see it or fetch its zip, for an hour.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sb_core::Permission;
use sb_store::recordings;
use sb_store::{AuditEvent, AuditKind, CdrScope};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};
use crate::recording_export::{ExportEntry, ExportJob, ExportRefusal, ExportStatus};
use crate::routes::recordings::{download_name, recording_scope};
use crate::served_file::ServedFile;
use crate::state::AppState;

/// The most recordings one export may hold.
pub const MAX_EXPORT: usize = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_export))
        .routes(routes!(export_progress))
        .routes(routes!(export_file))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// 1 to 1000 recording ids.
    ids: Vec<i64>,
}

/// Starts writing the zip; poll `GET /recordings/exports/{id}` for progress.
#[utoipa::path(post, path = "/api/v1/recordings/exports", tag = "recordings", request_body = ExportBody,
    responses((status = 202, body = ExportJob),
        (status = 429, description = "Too many exports are being written; try again shortly")),
    security(("session" = ["recording.listen"]), ("bearer" = ["recording.listen"])))]
async fn start_export(
    who: Can<perm::RecordingListen>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ExportBody>,
) -> ApiResult<(StatusCode, Json<ExportJob>)> {
    let mut ids = Vec::with_capacity(body.ids.len());
    for id in body.ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_EXPORT {
        return Err(ApiError::validation(
            "ids",
            format!("choose 1 to {MAX_EXPORT} recordings, got {}", ids.len()),
        ));
    }
    let found = recordings::get_many(state.store(), &ids)
        .await
        .map_err(|e| match e {
            sb_store::StoreError::NotFound { id, .. } => {
                let at = ids
                    .iter()
                    .position(|i| i.to_string() == id)
                    .unwrap_or_default();
                ApiError::validation(
                    format!("ids[{at}]"),
                    format!("recording {id} does not exist"),
                )
            }
            other => other.into(),
        })?;
    let scope = recording_scope(&state, &who, Permission::RecordingListen).await?;
    if scope != CdrScope::All {
        let inside = recordings::in_scope_ids(state.store(), &ids, &scope).await?;
        if let Some((at, id)) = ids.iter().enumerate().find(|(_, id)| !inside.contains(id)) {
            let e = ApiError::forbidden(format!("recording {id} is outside your data scope"))
                .with_field(format!("ids[{at}]"));
            return Err(refuse_actor(&state, who.actor(), "recording.export", e).await);
        }
    }
    let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
    let event = AuditEvent {
        kind: AuditKind::Access,
        outcome: "ok",
        action: "recording.export",
        entity: "recording",
        entity_id: "",
        detail: &format!("{} recordings: {}", ids.len(), listed.join(",")),
    };
    state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await?;

    let entries = found
        .iter()
        .map(|r| ExportEntry {
            recording_id: r.id,
            file: r.file.clone(),
            name: download_name(r),
            started_at: r.started_at,
        })
        .collect();
    state.exports().sweep(state.now());
    let job = state
        .exports()
        .start(who.staff_id.0, state.now(), state.media_dirs(), entries)
        .map_err(|ExportRefusal::Busy| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                "other exports are being written; try again in a moment",
            )
        })?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

fn job_id(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

fn no_such_export() -> ApiError {
    ApiError::not_found("no such export (exports are kept for an hour, for whoever started them)")
}

/// Progress of one of the caller's exports.
#[utoipa::path(get, path = "/api/v1/recordings/exports/{id}", tag = "recordings", params(("id" = i64, Path)),
    responses((status = 200, body = ExportJob)),
    security(("session" = ["recording.listen"]), ("bearer" = ["recording.listen"])))]
async fn export_progress(
    who: Can<perm::RecordingListen>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<ExportJob>> {
    state.exports().sweep(state.now());
    state
        .exports()
        .view(job_id(id), who.staff_id.0)
        .map(Json)
        .ok_or_else(no_such_export)
}

/// The finished zip (application/zip), for the user who started the export.
#[utoipa::path(get, path = "/api/v1/recordings/exports/{id}/file", tag = "recordings", params(("id" = i64, Path)),
    responses((status = 200, description = "The zip of WAV files", content_type = "application/zip")),
    security(("session" = ["recording.listen"]), ("bearer" = ["recording.listen"])))]
async fn export_file(
    who: Can<perm::RecordingListen>,
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Response> {
    state.exports().sweep(state.now());
    let (job, path) = state
        .exports()
        .file(job_id(id), who.staff_id.0)
        .ok_or_else(no_such_export)?;
    match job.status {
        ExportStatus::Done => {}
        ExportStatus::Running => {
            return Err(ApiError::conflict(
                "export_running",
                format!(
                    "the export is still running ({} of {})",
                    job.done, job.total
                ),
            ));
        }
        ExportStatus::Failed => {
            return Err(ApiError::conflict(
                "export_failed",
                job.error.unwrap_or_else(|| "the export failed".into()),
            ));
        }
    }
    let file = ServedFile::open(&path, &headers, "the export's file is gone").await?;
    file.into_response(
        "application/zip",
        Some(&format!("recordings-{}.zip", job.id)),
    )
    .await
}
