//! The admin API's one error shape.
//!
//! Rich errors inside the service become an [`ApiError`] at one place: the
//! kind decides the HTTP status and, across JNI, the Java exception class.
//! Messages are for admins: lowercase, precise, and free of personal data
//! (users are named by key).

use serde::{Deserialize, Serialize};

use super::ApiResponse;

/// The kinds of error the admin API reports. Stable: the UI and the Java
/// shim map them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorKind {
    /// The request is malformed (body, query, path parameter).
    BadRequest,
    /// The request is well-formed but its content is invalid (config, CSV, …).
    Validation,
    /// Nobody is signed in.
    Unauthenticated,
    /// The caller is not allowed (not a sysadmin, WebSudo not verified).
    Forbidden,
    /// A state-changing request arrived without a verified XSRF token.
    XsrfRequired,
    /// No such resource.
    NotFound,
    /// The resource existed and is no longer kept (a previewed plan the cap
    /// or its age dropped): the message says why.
    Gone,
    /// No route has this method for this path.
    MethodNotAllowed,
    /// The resource changed since it was read (optimistic concurrency), or
    /// the operation conflicts with one in progress.
    Conflict,
    /// The request is larger than allowed.
    PayloadTooLarge,
    /// A dependency (host, store, mail server) did not answer.
    Unavailable,
    /// A bug: the message says so without echoing input.
    Internal,
    /// The server previews a snapshot (`seatwarden serve --snapshot`):
    /// nothing may be applied, sent or changed in the directory. Its own
    /// kind (not a conflict): reloading and retrying will never help.
    PreviewOnly,
}

impl ApiErrorKind {
    /// The HTTP status code for this kind.
    pub fn status(self) -> u16 {
        match self {
            ApiErrorKind::BadRequest => 400,
            ApiErrorKind::Validation => 422,
            ApiErrorKind::Unauthenticated => 401,
            ApiErrorKind::Forbidden | ApiErrorKind::XsrfRequired => 403,
            ApiErrorKind::NotFound => 404,
            ApiErrorKind::Gone => 410,
            ApiErrorKind::MethodNotAllowed => 405,
            ApiErrorKind::Conflict | ApiErrorKind::PreviewOnly => 409,
            ApiErrorKind::PayloadTooLarge => 413,
            ApiErrorKind::Unavailable => 503,
            ApiErrorKind::Internal => 500,
        }
    }
}

/// An admin API error: a kind, a message, and optional structured details
/// (e.g. the list of validation problems with their paths or rows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What kind of error.
    pub kind: ApiErrorKind,
    /// What went wrong, for an admin.
    pub message: String,
    /// Structured details, when there are several problems to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ApiErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
            details: None,
        }
    }

    /// The same error with structured `details`.
    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// A not-found error for `what` (e.g. ``run `12` ``).
    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(ApiErrorKind::NotFound, format!("{what} not found"))
    }

    /// A bad-request error.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorKind::BadRequest, message)
    }

    /// An internal error. `message` must not contain input data.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorKind::Internal, message)
    }

    /// The error as a response: its status and the one JSON shape.
    pub fn into_response(self) -> ApiResponse {
        let status = self.kind.status();
        let body = serde_json::to_vec(&serde_json::json!({ "error": self }))
            .unwrap_or_else(|_| br#"{"error":{"kind":"internal","message":"error"}}"#.to_vec());
        ApiResponse {
            status,
            content_type: "application/json".to_owned(),
            headers: Vec::new(),
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shape_and_status() {
        let response = ApiError::new(ApiErrorKind::Conflict, "configuration changed")
            .with_details(serde_json::json!({"expected": 3}))
            .into_response();
        assert_eq!(response.status, 409);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {"kind": "conflict", "message": "configuration changed",
                                          "details": {"expected": 3}}})
        );
    }
}
