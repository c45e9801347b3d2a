//! Audio uploads: a raw WAV request body (the console sends the file as
//! is), size-limited, converted by sb-media to the engine's 8 kHz mono WAV,
//! and written to disk so a reader never sees half a file.

use std::path::Path;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use sb_media::prompt::Prompt;

use crate::error::{ApiError, ApiResult};

/// The largest upload taken: ten minutes of 48 kHz stereo 24-bit WAV (the
/// longest prompt sb-media accepts) is about 50 MB.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// An upload after conversion.
#[derive(Debug)]
pub struct ConvertedAudio {
    /// 8 kHz mono 16-bit WAV, what is stored.
    pub wav: Vec<u8>,
    pub duration_ms: u64,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the file is larger than {} MB",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
    .with_field("file")
}

/// Only audio or opaque bytes: a JSON or form body is a client mistake
/// worth naming, while a file's own type (audio/wav, audio/x-wav...) varies
/// by browser.
fn check_content_type(headers: &HeaderMap) -> ApiResult<()> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let mime = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.starts_with("audio/") || mime == "application/octet-stream" {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "send the WAV file itself as the body (Content-Type audio/wav or application/octet-stream), not {mime}"
        ),
    ))
}

/// Reads the body (413 past the limit) and converts it (422 naming what is
/// wrong with the file: not a WAV, empty, too long, corrupt).
pub async fn convert_upload(headers: &HeaderMap, body: Body) -> ApiResult<ConvertedAudio> {
    check_content_type(headers)?;
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map_err(|e| {
            // The only way a body fails to arrive whole within the limit
            // that the client can fix is its size.
            if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                too_large()
            } else {
                ApiError::bad_request(format!("the upload could not be read: {e}"))
                    .with_field("file")
            }
        })?;
    if bytes.is_empty() {
        return Err(ApiError::validation(
            "file",
            "the request body is empty: send the WAV file as the body",
        ));
    }
    // Resampling ten minutes of audio is real CPU work: keep it off the
    // threads that serve requests.
    tokio::task::spawn_blocking(move || {
        let prompt = Prompt::from_wav_bytes(&bytes)
            .map_err(|e| ApiError::validation("file", e.to_string()))?;
        Ok(ConvertedAudio {
            duration_ms: prompt.duration_ms(),
            wav: prompt.to_wav_bytes(),
        })
    })
    .await
    .map_err(|e| ApiError::internal("converting an upload", e))?
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so the switch never loads half a file.
pub async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.part"));
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    tokio::fs::write(&partial, bytes).await?;
    if let Err(e) = tokio::fs::rename(&partial, path).await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_or_bytes_only() {
        let with = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, ct.parse().expect("header"));
            check_content_type(&h)
        };
        assert!(with("audio/wav").is_ok());
        assert!(with("audio/x-wav; codecs=1").is_ok());
        assert!(with("application/octet-stream").is_ok());
        assert!(check_content_type(&HeaderMap::new()).is_ok());
        let json = with("application/json").expect_err("json");
        assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
