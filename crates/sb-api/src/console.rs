//! The web console, embedded at compile time from `web/` (read from disk in
//! debug builds, so console edits need no rebuild).
//!
//! The Content-Security-Policy allows scripts only from this origin, plus the
//! one inline import map by its hash, plus 'unsafe-eval' because Vue compiles
//! its in-page templates at run time (the price of having no build step).

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rust_embed::Embed;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

#[derive(Embed)]
#[folder = "../../web/"]
struct Assets;

/// Serves `/` as index.html and any other path from the embedded tree.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return ApiError::not_found(format!("no API route {}", uri.path())).into_response();
    }
    let path = if path.is_empty() { "index.html" } else { path };
    let Some(file) = Assets::get(path) else {
        return ApiError::not_found(format!("no such page {}", uri.path())).into_response();
    };
    let mime = file.metadata.mimetype().to_owned();
    let cache = if path.starts_with("vendor/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(CONTENT_TYPE, v);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if path == "index.html"
        && let Ok(v) = HeaderValue::from_str(content_security_policy())
    {
        headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    response
}

pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hashes: String = Assets::get("index.html")
            .map(|f| inline_script_hashes(&String::from_utf8_lossy(&f.data)))
            .unwrap_or_default()
            .iter()
            .map(|h| format!(" 'sha256-{h}'"))
            .collect();
        format!(
            "default-src 'self'; script-src 'self' 'unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
             base-uri 'self'; form-action 'self'"
        )
    })
}

/// SHA-256 (base64) of the body of every inline `<script>` in `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_open = &rest[open..];
        let Some(tag_end) = after_open.find('>') else {
            break;
        };
        let tag = &after_open[..tag_end];
        let body_start = &after_open[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            hashes.push(STANDARD.encode(Sha256::digest(&body_start.as_bytes()[..close])));
        }
        rest = &body_start[close..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts() {
        let html = r#"<script type="importmap">{"imports":{}}</script><script type="module" src="/app/main.js"></script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        assert_eq!(
            hashes[0],
            STANDARD.encode(Sha256::digest(br#"{"imports":{}}"#))
        );
    }
}
