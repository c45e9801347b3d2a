//! The one error body of the API: `{"error": {"code", "message", "field"?}}`.
//! Server-side failures are logged in full and answered with a generic 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sb_desk::DeskError;
use sb_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable cause, e.g. `validation`, `duplicate`, `forbidden`.
    pub code: String,
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message).with_field(field)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %err, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

/// The desk's refusals as HTTP: bad input 422 naming the field, an illegal
/// workflow step 409 naming the state, a change lost to others 409 `busy`.
impl From<DeskError> for ApiError {
    fn from(e: DeskError) -> ApiError {
        match e {
            DeskError::Invalid { field, message } => ApiError::validation(field, message),
            DeskError::UnreadableFile(message) => ApiError::validation("file", message),
            DeskError::Illegal(illegal) => {
                ApiError::conflict("illegal_transition", illegal.to_string())
            }
            DeskError::Contended(id) => ApiError::conflict(
                "busy",
                format!("ticket {id} is being changed by others; try again"),
            ),
            DeskError::TaskContended(id) => ApiError::conflict(
                "busy",
                format!("callback task {id} is being changed by others; try again"),
            ),
            DeskError::Store(e) => e.into(),
            other => ApiError::internal("service desk", other),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound { entity, id } => {
                ApiError::not_found(format!("{entity} {id} not found"))
            }
            StoreError::Duplicate { field, value } => {
                ApiError::conflict("duplicate", format!("{field} `{value}` is already in use"))
                    .with_field(field)
            }
            StoreError::Conflict { code, message } => ApiError::conflict(code, message),
            StoreError::Invalid { field, message } => ApiError::validation(field, message),
            other => ApiError::internal("store failure", other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
