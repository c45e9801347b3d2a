//! Music on hold (`prompt.manage`): each class is a folder of WAV files,
//! `<moh>/<class>/<name>.wav`, with no table behind it, so an operator may
//! also drop files in by hand. Uploads are converted like prompts. The
//! `default` class is always listed: when it is empty the switch plays its
//! built-in tune. Class and file names are letters, digits, `-` and `_`
//! only, so no name can reach outside the music folder.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sb_store::{AuditEvent, AuditKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audio_upload::{convert_upload, write_atomically};
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::media_dirs::DEFAULT_MUSIC_CLASS;
use crate::routes::Created;
use crate::routes::recordings::WAV;
use crate::served_file::ServedFile;
use crate::state::AppState;
use crate::switch_control::ConfigChange;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_music_classes))
        .routes(routes!(upload_music))
        .routes(routes!(delete_music))
        .routes(routes!(music_audio))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MusicClass {
    pub name: String,
    /// In the order the switch plays them (by name).
    pub files: Vec<MusicFile>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MusicFile {
    /// Without `.wav`.
    pub name: String,
    pub duration_ms: u64,
    pub size_bytes: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name: letters, digits, `-`, `_` (a `.wav` ending is dropped).
    name: String,
}

/// A class or file name: 1-64 of letters, digits, `-` and `_`.
fn safe_name(field: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    let value = value
        .strip_suffix(".wav")
        .or_else(|| value.strip_suffix(".WAV"))
        .filter(|_| field == "name")
        .unwrap_or(value);
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(ApiError::validation(
            field,
            format!("{field} must be 1-64 letters, digits, `-` or `_`, got `{value}`"),
        ));
    }
    Ok(value.to_owned())
}

fn class_and_file(
    path: Result<axum::extract::Path<(String, String)>, PathRejection>,
) -> ApiResult<(String, String)> {
    let axum::extract::Path((class, name)) =
        path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    Ok((safe_name("class", &class)?, safe_name("name", &name)?))
}

fn file_path(state: &AppState, class: &str, name: &str) -> PathBuf {
    state
        .media_dirs()
        .moh
        .join(class)
        .join(format!("{name}.wav"))
}

/// The files of one class folder with their lengths (read from each WAV
/// header; a file that is not a readable WAV is listed with 0 ms).
fn read_class(dir: &Path, name: &str) -> std::io::Result<MusicClass> {
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(MusicClass {
                name: name.to_owned(),
                files,
            });
        }
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file_name.strip_suffix(".wav") else {
            continue;
        };
        if safe_name("name", stem).is_err() || !entry.file_type()?.is_file() {
            continue;
        }
        let duration_ms = hound::WavReader::open(entry.path())
            .map(|wav| {
                let rate = u64::from(wav.spec().sample_rate.max(1));
                u64::from(wav.duration()) * 1000 / rate
            })
            .unwrap_or(0);
        files.push(MusicFile {
            name: stem.to_owned(),
            duration_ms,
            size_bytes: entry.metadata()?.len(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(MusicClass {
        name: name.to_owned(),
        files,
    })
}

fn read_classes(root: &Path) -> std::io::Result<Vec<MusicClass>> {
    let mut names = vec![DEFAULT_MUSIC_CLASS.to_owned()];
    match std::fs::read_dir(root) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type()?.is_dir()
                    && safe_name("class", &name).is_ok()
                    && name != DEFAULT_MUSIC_CLASS
                {
                    names.push(name);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    // `default` first, the others by name.
    names[1..].sort();
    names
        .iter()
        .map(|name| read_class(&root.join(name), name))
        .collect()
}

async fn audit(state: &AppState, who: &Principal, action: &str, class: &str, name: &str) {
    let event = AuditEvent {
        kind: AuditKind::Change,
        outcome: "ok",
        action,
        entity: "music_class",
        entity_id: &format!("{class}/{name}"),
        detail: "",
    };
    if let Err(e) = state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await
    {
        tracing::error!(error = %e, action, "could not audit a music-on-hold change");
    }
}

/// Every class with its files; `default` always, first.
#[utoipa::path(get, path = "/api/v1/music-classes", tag = "media",
    responses((status = 200, body = Vec<MusicClass>)),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn list_music_classes(
    _: Can<perm::PromptManage>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<MusicClass>>> {
    let root = state.media_dirs().moh.clone();
    let classes = tokio::task::spawn_blocking(move || read_classes(&root))
        .await
        .map_err(|e| ApiError::internal("listing music classes", e))?
        .map_err(|e| ApiError::internal("reading the music folder", e))?;
    Ok(Json(classes))
}

/// Adds a file to a class (a new class is created by its first file). The
/// body is the WAV itself, converted like a prompt; 409 when the class
/// already has a file of that name.
#[utoipa::path(post, path = "/api/v1/music-classes/{class}/files", tag = "media",
    params(("class" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "audio/wav", description = "The WAV file"),
    responses((status = 201, body = MusicFile),
        (status = 413, description = "The file is larger than 50 MB"),
        (status = 415, description = "The body is not a file")),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn upload_music(
    who: Can<perm::PromptManage>,
    State(state): State<AppState>,
    path: Result<axum::extract::Path<String>, PathRejection>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Created<MusicFile>> {
    let axum::extract::Path(class) =
        path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    let class = safe_name("class", &class)?;
    let name = safe_name("name", &query.name)?;
    let target = file_path(&state, &class, &name);
    if tokio::fs::try_exists(&target).await.unwrap_or(false) {
        return Err(ApiError::conflict(
            "duplicate",
            format!("class {class} already has a file named {name}; delete it first"),
        )
        .with_field("name"));
    }
    let audio = convert_upload(&headers, body).await?;
    write_atomically(&target, &audio.wav)
        .await
        .map_err(|e| ApiError::internal("writing a music file", e))?;
    audit(&state, &who, "music.upload", &class, &name).await;
    state.switch().config_changed(ConfigChange::Music);
    Ok(Created(MusicFile {
        name,
        duration_ms: audio.duration_ms,
        size_bytes: u64::try_from(audio.wav.len()).unwrap_or(u64::MAX),
    }))
}

/// Removes a file; a class other than `default` goes with its last file.
#[utoipa::path(delete, path = "/api/v1/music-classes/{class}/files/{name}", tag = "media",
    params(("class" = String, Path), ("name" = String, Path)),
    responses((status = 204)),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn delete_music(
    who: Can<perm::PromptManage>,
    State(state): State<AppState>,
    path: Result<axum::extract::Path<(String, String)>, PathRejection>,
) -> ApiResult<StatusCode> {
    let (class, name) = class_and_file(path)?;
    let target = file_path(&state, &class, &name);
    match tokio::fs::remove_file(&target).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::not_found(format!(
                "class {class} has no file named {name}"
            )));
        }
        Err(e) => return Err(ApiError::internal("removing a music file", e)),
    }
    if class != DEFAULT_MUSIC_CLASS {
        // Fails while other files remain, which is what we want.
        let _ = tokio::fs::remove_dir(state.media_dirs().moh.join(&class)).await;
    }
    audit(&state, &who, "music.delete", &class, &name).await;
    state.switch().config_changed(ConfigChange::Music);
    Ok(StatusCode::NO_CONTENT)
}

/// One file's audio, with Range support.
#[utoipa::path(get, path = "/api/v1/music-classes/{class}/files/{name}/audio", tag = "media",
    params(("class" = String, Path), ("name" = String, Path)),
    responses((status = 200, description = "The WAV file", content_type = "audio/wav")),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn music_audio(
    _: Can<perm::PromptManage>,
    State(state): State<AppState>,
    path: Result<axum::extract::Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (class, name) = class_and_file(path)?;
    let missing = format!("class {class} has no file named {name}");
    ServedFile::open(&file_path(&state, &class, &name), &headers, &missing)
        .await?
        .into_response(WAV, None)
        .await
}
