//! Serving a file from disk (a WAV, an export zip): streamed, since a
//! recording can be hundreds of megabytes, with `Range` support so the
//! browser's `<audio>` can seek, inline for playing or as an attachment.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::Body;
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE,
    RANGE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::byte_range::{self, RangeAnswer};
use crate::error::{ApiError, ApiResult};

/// An open file and the part of it the request asked for.
#[derive(Debug)]
pub struct ServedFile {
    file: tokio::fs::File,
    len: u64,
    answer: RangeAnswer,
}

impl ServedFile {
    /// Opens `path` for the request's `Range` header. A file that vanished
    /// since it was found (retention) is 404 with `missing` as the message.
    pub async fn open(path: &Path, headers: &HeaderMap, missing: &str) -> ApiResult<ServedFile> {
        let file = match tokio::fs::File::open(path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ApiError::not_found(missing));
            }
            Err(e) => return Err(ApiError::internal("opening a file to serve", e)),
        };
        let len = file
            .metadata()
            .await
            .map_err(|e| ApiError::internal("reading a served file's size", e))?
            .len();
        let range = headers.get(RANGE).and_then(|v| v.to_str().ok());
        Ok(ServedFile {
            file,
            len,
            answer: byte_range::answer(range, len),
        })
    }

    /// Whether this request plays from the start (no Range, or one from
    /// byte 0): a player's seeks ask for later ranges, so auditing only
    /// these records one entry per listen instead of one per seek.
    pub fn from_start(&self) -> bool {
        match self.answer {
            RangeAnswer::Whole => true,
            RangeAnswer::Part { start, .. } => start == 0,
            RangeAnswer::Unsatisfiable => false,
        }
    }

    /// The response: 200 whole, 206 partial or 416; `download_name` makes it
    /// an attachment.
    pub async fn into_response(
        mut self,
        content_type: &'static str,
        download_name: Option<&str>,
    ) -> ApiResult<Response> {
        let (status, start, count) = match self.answer {
            RangeAnswer::Whole => (StatusCode::OK, 0, self.len),
            RangeAnswer::Part { start, end } => {
                (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
            }
            RangeAnswer::Unsatisfiable => {
                let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                insert(
                    &mut response,
                    CONTENT_RANGE,
                    &format!("bytes */{}", self.len),
                );
                insert(&mut response, ACCEPT_RANGES, "bytes");
                return Ok(response);
            }
        };
        if start > 0 {
            self.file
                .seek(SeekFrom::Start(start))
                .await
                .map_err(|e| ApiError::internal("seeking in a served file", e))?;
        }
        let body = Body::from_stream(ReaderStream::new(self.file.take(count)));
        let mut response = (status, body).into_response();
        insert(&mut response, CONTENT_TYPE, content_type);
        insert(&mut response, CONTENT_LENGTH, &count.to_string());
        insert(&mut response, ACCEPT_RANGES, "bytes");
        // Recordings and exports are personal data: no shared caches.
        insert(&mut response, CACHE_CONTROL, "private, no-store");
        if status == StatusCode::PARTIAL_CONTENT {
            let range = format!("bytes {start}-{}/{}", start + count - 1, self.len);
            insert(&mut response, CONTENT_RANGE, &range);
        }
        if let Some(name) = download_name {
            insert(
                &mut response,
                CONTENT_DISPOSITION,
                &format!("attachment; filename=\"{}\"", header_safe(name)),
            );
        }
        Ok(response)
    }
}

fn insert(response: &mut Response, name: axum::http::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// A file name fit for a quoted header parameter: ASCII letters, digits and
/// `._-+`, anything else as `_`.
pub fn header_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_cannot_break_the_header() {
        assert_eq!(header_safe("a\"b;c\r\n.wav"), "a_b_c__.wav");
        assert_eq!(
            header_safe("20261124-103000_1001_to_+86138.wav"),
            "20261124-103000_1001_to_+86138.wav"
        );
    }
}
