//! Voice prompts (`prompt.manage`): upload a WAV in any common format; it
//! is converted to 8 kHz mono and kept as `<prompts>/<id>.wav`. The running
//! switch is told after each change.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sb_store::{NewVoicePrompt, Page, VoicePrompt};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audio_upload::{convert_upload, write_atomically};
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::recordings::WAV;
use crate::routes::{Created, ListQuery};
use crate::served_file::ServedFile;
use crate::state::AppState;
use crate::switch_control::ConfigChange;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_prompts, upload_prompt))
        .routes(routes!(update_prompt, delete_prompt))
        .routes(routes!(prompt_audio))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// 1-64 characters, unique.
    name: String,
    /// Up to 200 characters.
    description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptBody {
    name: String,
    description: Option<String>,
}

fn name(value: &str) -> ApiResult<String> {
    validate::text("name", value, 1, 64)
}

fn description(value: Option<&str>) -> ApiResult<String> {
    validate::optional_text("description", value, 200)
}

#[utoipa::path(get, path = "/api/v1/prompts", tag = "media", params(ListQuery),
    responses((status = 200, body = Page<VoicePrompt>)),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn list_prompts(
    _: Can<perm::PromptManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<VoicePrompt>>> {
    let prompts = state.store().list_prompts().await?;
    Ok(Json(query.apply(prompts, 1000, |p| {
        vec![p.name.as_str(), p.description.as_str()]
    })))
}

/// The body is the WAV file itself (`Content-Type: audio/wav` or
/// `application/octet-stream`, at most 50 MB); any sample rate, channels
/// and PCM/float/G.711 encoding, up to 10 minutes. 422 on `file` names what
/// is wrong with it; 409 when the name is taken.
#[utoipa::path(post, path = "/api/v1/prompts", tag = "media", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "audio/wav", description = "The WAV file"),
    responses((status = 201, body = VoicePrompt),
        (status = 413, description = "The file is larger than 50 MB"),
        (status = 415, description = "The body is not a file")),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn upload_prompt(
    who: Can<perm::PromptManage>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Created<VoicePrompt>> {
    let input_name = name(&query.name)?;
    let input_description = description(query.description.as_deref())?;
    let audio = convert_upload(&headers, body).await?;
    let input = NewVoicePrompt {
        name: input_name,
        description: input_description,
        duration_ms: i64::try_from(audio.duration_ms).unwrap_or(i64::MAX),
        size_bytes: i64::try_from(audio.wav.len()).unwrap_or(i64::MAX),
    };
    let created = state
        .store()
        .create_prompt(state.now(), &who.actor(), input)
        .await?;
    let path = state.media_dirs().prompts.join(&created.file);
    if let Err(e) = write_atomically(&path, &audio.wav).await {
        // Without its audio the row would be a prompt that plays nothing.
        if let Err(undo) = state
            .store()
            .delete_prompt(state.now(), &who.actor(), created.id)
            .await
        {
            tracing::error!(error = %undo, prompt = created.id, "could not remove a prompt whose file failed");
        }
        return Err(ApiError::internal("writing a prompt's audio", e));
    }
    state.switch().config_changed(ConfigChange::Prompts);
    Ok(Created(created))
}

/// Renames or re-describes a prompt; the audio stays.
#[utoipa::path(put, path = "/api/v1/prompts/{id}", tag = "media", params(("id" = i64, Path)),
    request_body = PromptBody, responses((status = 200, body = VoicePrompt)),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn update_prompt(
    who: Can<perm::PromptManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<PromptBody>,
) -> ApiResult<Json<VoicePrompt>> {
    let updated = state
        .store()
        .update_prompt(
            state.now(),
            &who.actor(),
            id,
            &name(&body.name)?,
            &description(body.description.as_deref())?,
        )
        .await?;
    state.switch().config_changed(ConfigChange::Prompts);
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/prompts/{id}", tag = "media", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn delete_prompt(
    who: Can<perm::PromptManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let gone = state
        .store()
        .delete_prompt(state.now(), &who.actor(), id)
        .await?;
    let path = state.media_dirs().prompts.join(&gone.file);
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        // The row is gone; a stray file is only disk space.
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "could not remove a prompt's file")
        }
    }
    state.switch().config_changed(ConfigChange::Prompts);
    Ok(StatusCode::NO_CONTENT)
}

/// The converted audio (8 kHz mono WAV), with Range support.
#[utoipa::path(get, path = "/api/v1/prompts/{id}/audio", tag = "media", params(("id" = i64, Path)),
    responses((status = 200, description = "The WAV file", content_type = "audio/wav")),
    security(("session" = ["prompt.manage"]), ("bearer" = ["prompt.manage"])))]
async fn prompt_audio(
    _: Can<perm::PromptManage>,
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let prompt = state.store().prompt(id).await?;
    let path = state.media_dirs().prompts.join(&prompt.file);
    ServedFile::open(&path, &headers, "the prompt's audio file is missing")
        .await?
        .into_response(WAV, None)
        .await
}
