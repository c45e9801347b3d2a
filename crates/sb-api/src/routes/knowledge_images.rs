//! Images in knowledge articles: uploaded as the raw request body (PNG,
//! JPEG, GIF or WebP, told by their first bytes, not by what the client
//! claims; up to 5 MB), kept under the data directory's knowledge folder,
//! served to whoever may read the knowledge base.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sb_store::NewKbImage;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audio_upload::write_atomically;
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::Id;
use crate::media_dirs::is_plain_relative;
use crate::routes::Created;
use crate::state::AppState;

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_image))
        .routes(routes!(get_image))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedImage {
    pub id: i64,
    /// What to put in the body's `<img src>`.
    pub url: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// The image type of the bytes, from their signature.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn random_name() -> String {
    use sha2::{Digest, Sha256};
    let seed = format!(
        "{:?}{:?}kb",
        std::time::SystemTime::now(),
        std::thread::current().id()
    );
    Sha256::digest(seed.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "an image may be at most {} MB",
            MAX_IMAGE_BYTES / 1024 / 1024
        ),
    )
    .with_field("file")
}

#[utoipa::path(post, path = "/api/v1/knowledge/images", tag = "knowledge",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The image itself (PNG, JPEG, GIF or WebP), up to 5 MB"),
    responses((status = 201, body = UploadedImage),
        (status = 413, description = "Larger than 5 MB")),
    security(("session" = ["knowledge.write"]), ("bearer" = ["knowledge.write"])))]
async fn upload_image(
    who: Can<perm::KnowledgeWrite>,
    State(state): State<AppState>,
    body: Body,
) -> ApiResult<Created<UploadedImage>> {
    let bytes = axum::body::to_bytes(body, MAX_IMAGE_BYTES)
        .await
        .map_err(|e| {
            if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                too_large()
            } else {
                ApiError::bad_request(format!("the upload could not be read: {e}"))
                    .with_field("file")
            }
        })?;
    let content_type = sniff_image(&bytes).ok_or_else(|| {
        ApiError::validation("file", "the file is not a PNG, JPEG, GIF or WebP image")
    })?;
    let now = state.now();
    let stored = format!(
        "images/{:04}/{:02}/{}",
        now.year(),
        u8::from(now.month()),
        random_name()
    );
    let path = state.media_dirs().knowledge.join(&stored);
    write_atomically(&path, &bytes)
        .await
        .map_err(|e| ApiError::internal("writing a knowledge image", e))?;
    let image = state
        .store()
        .add_kb_image(
            now,
            &who.actor(),
            NewKbImage {
                content_type: content_type.to_owned(),
                size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                stored_path: stored,
            },
        )
        .await?;
    Ok(Created(UploadedImage {
        url: format!("/api/v1/knowledge/images/{}", image.id),
        id: image.id,
        content_type: image.content_type,
        size_bytes: image.size_bytes,
    }))
}

#[utoipa::path(get, path = "/api/v1/knowledge/images/{id}", tag = "knowledge",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The image", content_type = "image/png")),
    security(("session" = ["knowledge.read"]), ("bearer" = ["knowledge.read"])))]
async fn get_image(
    _who: Can<perm::KnowledgeRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Response> {
    let image = state.store().kb_image(id).await?;
    if !is_plain_relative(&image.stored_path) {
        return Err(ApiError::not_found("the image's file is missing"));
    }
    let path = state.media_dirs().knowledge.join(&image.stored_path);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::not_found("the image's file is missing"));
        }
        Err(e) => return Err(ApiError::internal("reading a knowledge image", e)),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&image.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // An image never changes under its id.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    Ok(response)
}
