//! Request extractors that answer bad input with the API's error body and
//! name the field at fault (axum's own rejections are plain text).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body. Malformed JSON is 400; a missing, unknown or mistyped field is
/// 422 with `field` set to its path (e.g. `role_ids[2]`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a JSON body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                e.status(),
                "body_unreadable",
                format!("request body could not be read: {e}"),
            )
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(format!("malformed JSON: {inner}")).with_field("body");
        }
        field_error(&path, &inner.to_string())
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")).with_field("body"))?;
    Ok(value)
}

/// serde reports a missing or unknown field at the parent's path with the
/// name in backticks; dig it out so `field` names the field itself.
fn field_error(path: &str, message: &str) -> ApiError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.split_once(prefix))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name.to_owned());
    let field = match (named, path) {
        (Some(name), "." | "") => name,
        (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_owned()
        }
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, path) => path.to_owned(),
    };
    ApiError::validation(field.clone(), format!("{field}: {message}"))
}

/// Query parameters, with the same field-naming errors as `ApiJson` (400).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let e = field_error(&path, &err.into_inner().to_string());
                ApiError {
                    status: StatusCode::BAD_REQUEST,
                    ..e
                }
            })
    }
}

/// A numeric `{id}` path segment; anything else is 400 naming `id`.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::bad_request(format!("bad path: {e}")).with_field("id"))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or_else(|| {
                ApiError::bad_request(format!("`{raw}` is not a valid id")).with_field("id")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        ids: Vec<i64>,
    }

    fn err(body: &str) -> ApiError {
        parse_json::<Input>(body.as_bytes()).expect_err("should fail")
    }

    #[test]
    fn errors_name_the_field() {
        let missing = err(r#"{"ids": []}"#);
        assert_eq!(
            (missing.status.as_u16(), missing.field.as_deref()),
            (422, Some("name"))
        );
        let typed = err(r#"{"name": "x", "ids": [1, "two"]}"#);
        assert_eq!(
            (typed.status.as_u16(), typed.field.as_deref()),
            (422, Some("ids[1]"))
        );
        let unknown = err(r#"{"name": "x", "ids": [], "nmae": 1}"#);
        assert_eq!(unknown.field.as_deref(), Some("nmae"));
        let malformed = err(r#"{"name": "#);
        assert_eq!(malformed.status.as_u16(), 400);
        let trailing = err(r#"{"name": "x", "ids": []} trailing"#);
        assert_eq!(trailing.status.as_u16(), 400);
    }
}
