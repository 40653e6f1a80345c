//! The admin API's one error type: JSON `{code, message}` with a stable `code` scripts can
//! branch on and a `message` in the caller's language (`Accept-Language`, Korean by default).
//! Constraint violations are 409 or 422, never a bare 500; a 500 carries no internal detail.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use resort_core::i18n::{Locale, text_arg};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

/// The caller's language, from the first tag of `Accept-Language` that we speak.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').find_map(|tag| Locale::from_hint(tag.split(';').next().unwrap_or_default())))
        .unwrap_or_default()
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: String) -> Self {
        Self { status, code, message }
    }

    pub fn unauthorized(locale: Locale) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", locale.text("api-unauthorized"))
    }

    pub fn not_found(locale: Locale) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", locale.text("api-not-found"))
    }

    pub fn bad_request(locale: Locale) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", locale.text("api-bad-request"))
    }

    pub fn invalid_field(locale: Locale, field: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            locale.text_with("api-invalid-field", &[text_arg("field", field)]),
        )
    }

    pub fn conflict(locale: Locale, code: &'static str, message_id: &str) -> Self {
        Self::new(StatusCode::CONFLICT, code, locale.text(message_id))
    }

    pub fn not_cancellable(locale: Locale, status: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "not_cancellable",
            locale.text_with("api-not-cancellable", &[text_arg("status", status)]),
        )
    }

    pub fn not_awaiting_approval(locale: Locale, status: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "not_awaiting_approval",
            locale.text_with("api-not-awaiting-approval", &[text_arg("status", status)]),
        )
    }

    pub fn internal(locale: Locale, error: &dyn std::error::Error) -> Self {
        tracing::error!(%error, source = ?error.source(), "admin API request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", locale.text("api-internal"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "code": self.code, "message": self.message }))).into_response()
    }
}
