//! Where recordings are kept and how full it is (MISSION R5): the storage
//! card of the recordings page.

use axum::Json;
use axum::extract::State;
use sb_store::recordings;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::media_dirs::available_bytes;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recording_storage))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordingStorage {
    /// The recordings folder.
    pub root: String,
    /// Bytes of the recordings still kept there.
    pub used_bytes: i64,
    /// Bytes free for the server in the file system holding it.
    pub free_bytes: u64,
    /// Below this an alarm is raised (`recording_min_free_mb`).
    pub min_free_bytes: u64,
    pub low_space: bool,
    /// The second copy's folder, if one is configured.
    pub archive_dir: Option<String>,
    /// Recordings not archived yet.
    pub archive_pending: i64,
    /// Recordings whose last archive attempt failed.
    pub archive_failed: i64,
    /// Local files older than this are removed (once archived); 0 keeps them.
    pub retention_days: u32,
}

#[utoipa::path(get, path = "/api/v1/recordings/storage", tag = "recordings",
    responses((status = 200, body = RecordingStorage)),
    security(("session" = ["recording.manage"]), ("bearer" = ["recording.manage"])))]
async fn recording_storage(
    _: Can<perm::RecordingManage>,
    State(state): State<AppState>,
) -> ApiResult<Json<RecordingStorage>> {
    let dirs = state.media_dirs().clone();
    let policy = state.config().recording_policy;
    let root = dirs.recordings.clone();
    let free_bytes = tokio::task::spawn_blocking(move || available_bytes(&root))
        .await
        .map_err(|e| ApiError::internal("measuring free space", e))?
        .map_err(|e| ApiError::internal("measuring free space of the recordings folder", e))?;
    let backlog = recordings::archive_backlog(state.store()).await?;
    Ok(Json(RecordingStorage {
        root: dirs.recordings.display().to_string(),
        used_bytes: recordings::local_bytes(state.store()).await?,
        free_bytes,
        min_free_bytes: policy.min_free_bytes,
        low_space: free_bytes < policy.min_free_bytes,
        archive_dir: dirs.archive.as_ref().map(|a| a.display().to_string()),
        archive_pending: if dirs.archive.is_some() {
            backlog.pending
        } else {
            0
        },
        archive_failed: backlog.failed,
        retention_days: policy.retention_days,
    }))
}
