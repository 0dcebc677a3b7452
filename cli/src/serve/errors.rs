//! Every failure of the HTTP API is a JSON document `{"error": {"code", "message", "path"?}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `request.malformed`, `pack.unknown`.
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
    /// Where in the request the problem is, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// An error response: an HTTP status and a JSON error document.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub path: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            path: None,
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn unknown_pack(id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "pack.unknown",
            format!("unknown pack `{id}`"),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// A request body that is not the JSON expected.
    pub fn from_json(e: &serde_json::Error) -> Self {
        match e.classify() {
            serde_json::error::Category::Data => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid",
                format!("the request body does not have the expected shape: {e}"),
            ),
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.malformed",
                format!("the request body is not valid JSON: {e}"),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                path: self.path,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
