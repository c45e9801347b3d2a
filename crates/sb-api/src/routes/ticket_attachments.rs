//! Files attached to tickets: uploaded as the raw request body (up to
//! 10 MB), kept under the data directory's `attachments` folder, served
//! back only to those who may see the ticket.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sb_store::{NewTicketAttachment, TicketAttachment};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audio_upload::write_atomically;
use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::media_dirs::is_plain_relative;
use crate::routes::Created;
use crate::routes::tickets::visible_ticket;
use crate::state::AppState;
use crate::validate;

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_attachment))
        .routes(routes!(download_attachment, delete_attachment))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the user sees it.
    file_name: String,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "an attachment may be at most {} MB",
            MAX_ATTACHMENT_BYTES / 1024 / 1024
        ),
    )
    .with_field("file")
}

/// A media type as sent, when it is a plain `type/subtype`; else generic.
fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|v| {
            v.len() <= 100
                && v.split_once('/').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && v.bytes()
                            .all(|c| c.is_ascii_alphanumeric() || b"/.+-".contains(&c))
                })
                && v != "application/json"
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned())
}

fn random_suffix() -> String {
    use sha2::{Digest, Sha256};
    let seed = format!(
        "{:?}{:?}",
        std::time::SystemTime::now(),
        std::thread::current().id()
    );
    let digest = Sha256::digest(seed.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

pub(crate) async fn remove_file(state: &AppState, stored: &str) {
    if !is_plain_relative(stored) {
        return;
    }
    let path = state.media_dirs().attachments.join(stored);
    if let Err(e) = tokio::fs::remove_file(&path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, file = %path.display(), "could not remove an attachment");
    }
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets",
    params(("id" = i64, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file itself, up to 10 MB"),
    responses((status = 201, body = TicketAttachment),
        (status = 413, description = "Larger than 10 MB")),
    security(("session" = ["ticket.create"]), ("bearer" = ["ticket.create"])))]
async fn upload_attachment(
    who: Can<perm::TicketCreate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Created<TicketAttachment>> {
    let file_name = validate::text("file_name", &query.file_name, 1, 200)?;
    if file_name.contains(['/', '\\']) || file_name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "file_name",
            "a file name may not contain slashes or control characters",
        ));
    }
    let ticket = visible_ticket(&state, &who, id, "ticket.attach").await?;
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > MAX_ATTACHMENT_BYTES) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES)
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
    if bytes.is_empty() {
        return Err(ApiError::validation(
            "file",
            "the request body is empty: send the file as the body",
        ));
    }
    let now = state.now();
    let stored = format!(
        "{:04}/{:02}/{}-{}",
        now.year(),
        u8::from(now.month()),
        ticket.id,
        random_suffix()
    );
    let path = state.media_dirs().attachments.join(&stored);
    write_atomically(&path, &bytes)
        .await
        .map_err(|e| ApiError::internal("writing an attachment", e))?;
    let input = NewTicketAttachment {
        ticket_id: ticket.id,
        file_name,
        content_type: content_type(&headers),
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        stored_path: stored.clone(),
    };
    match state
        .store()
        .add_ticket_attachment(now, &who.actor(), input)
        .await
    {
        Ok(created) => Ok(Created(created)),
        Err(e) => {
            remove_file(&state, &stored).await;
            Err(e.into())
        }
    }
}

#[utoipa::path(get, path = "/api/v1/ticket-attachments/{id}", tag = "tickets",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream")),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn download_attachment(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Response> {
    let attachment = state.store().ticket_attachment(id).await?;
    visible_ticket(&state, &who, attachment.ticket_id, "ticket.read").await?;
    if !is_plain_relative(&attachment.stored_path) {
        return Err(ApiError::not_found("the attachment's file is missing"));
    }
    let path = state.media_dirs().attachments.join(&attachment.stored_path);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::not_found("the attachment's file is missing"));
        }
        Err(e) => return Err(ApiError::internal("reading an attachment", e)),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&attachment.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // RFC 6266: an ASCII fallback and the UTF-8 name percent-encoded.
    let ascii: String = attachment
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = attachment
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[utoipa::path(delete, path = "/api/v1/ticket-attachments/{id}", tag = "tickets",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn delete_attachment(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let removed = state
        .store()
        .delete_ticket_attachment(state.now(), &who.actor(), id)
        .await?;
    remove_file(&state, &removed.stored_path).await;
    Ok(StatusCode::NO_CONTENT)
}
