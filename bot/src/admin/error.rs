//! The admin API's one error type: JSON `{code, message}` with a stable `code` scripts can
//! branch on and a `message` in the caller's language (`Accept-Language`, Korean by default).
//! Constraint violations are 409 or 422, never a bare 500; a 500 carries no internal detail.
//!
//! Handlers return errors with `?`: every domain error has a `From` impl here, the one place that
//! decides its status and code. An error carries its message id, not its text; [`localize`], a
//! middleware around the whole API, renders it in the request's language.

use crate::booking::{CancelError, DecideError};
use crate::catalog::CatalogError;
use crate::identity::IdentityError;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use resort_core::dead_letter::ReplayError;
use resort_core::i18n::{Locale, text_arg};
use serde_json::json;

/// What the message says: a fluent id with its arguments, or a booking refusal the chats word
/// the same way.
#[derive(Debug, Clone)]
enum Wording {
    Id,
    Rule(resort_core::rules::Refusal),
    Stay(resort_core::stay::StayError),
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message_id: &'static str,
    wording: Box<Wording>,
    args: Vec<(&'static str, String)>,
    /// More fields of the JSON body, for errors that say what to fix.
    details: Option<Box<(&'static str, serde_json::Value)>>,
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
    fn new(status: StatusCode, code: &'static str, message_id: &'static str) -> Self {
        Self { status, code, message_id, wording: Box::new(Wording::Id), args: Vec::new(), details: None }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "api-unauthorized")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "api-forbidden")
    }

    /// A deduction larger than the balance.
    pub fn insufficient_points(balance: i64) -> Self {
        Self::new(StatusCode::CONFLICT, "insufficient_points", "api-insufficient-points")
            .with("balance", balance.to_string())
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "api-not-found")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "api-method-not-allowed")
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "api-unsupported-media-type")
    }

    pub fn bad_request() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", "api-bad-request")
    }

    pub fn invalid_field(field: &str) -> Self {
        let mut error =
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "api-invalid-field").with("field", field);
        error.details = Some(Box::new(("field", json!(field))));
        error
    }

    /// A query parameter this route does not take, or a value it cannot read: 400 naming it.
    pub fn invalid_parameter(name: &str) -> Self {
        let mut error =
            Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", "api-invalid-parameter").with("field", name);
        error.details = Some(Box::new(("field", json!(name))));
        error
    }

    /// Query parameters that each read but do not go together (`to` before `from`, a range too
    /// long): 422, naming the one to change.
    pub fn invalid_range(name: &str) -> Self {
        let mut error =
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_range", "api-invalid-range").with("field", name);
        error.details = Some(Box::new(("field", json!(name))));
        error
    }

    pub fn conflict(code: &'static str, message_id: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, code, message_id)
    }

    pub fn internal(error: &dyn std::error::Error) -> Self {
        tracing::error!(%error, source = ?error.source(), "admin API request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "api-internal")
    }

    /// The response in `locale`.
    fn render(&self, locale: Locale) -> Response {
        let args: Vec<_> = self.args.iter().map(|(name, value)| text_arg(name, value.clone())).collect();
        let message = match self.wording.as_ref() {
            Wording::Id => locale.text_with(self.message_id, &args),
            Wording::Rule(refusal) => crate::conversation::rule_refusal(locale, refusal),
            Wording::Stay(error) => crate::conversation::stay_error(locale, *error),
        };
        let mut body = json!({ "code": self.code, "message": message });
        if let Some(details) = &self.details {
            let (name, value) = details.as_ref();
            body[*name] = value.clone();
        }
        (self.status, Json(body)).into_response()
    }
}

/// Without [`localize`] around it (it always is), an error still answers, in Korean.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.render(Locale::default());
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders an API error in the language the request asked for.
pub async fn localize(request: Request, next: Next) -> Response {
    let locale = locale_of(request.headers());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<ApiError>() {
        Some(error) => error.render(locale),
        None => response,
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(&error)
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(field) => Self::invalid_field(field.0),
            CatalogError::NameTaken => Self::conflict("resort_name_taken", "api-resort-name-taken"),
            CatalogError::RoomTypeNameTaken => Self::conflict("room_type_name_taken", "api-room-type-name-taken"),
            CatalogError::NotFound => Self::not_found(),
            CatalogError::NoSuchEmployee => Self::invalid_field("employee_id"),
            CatalogError::RoomsBelowHeld(nights) => {
                let listed = nights.iter().map(|night| night.to_string()).collect::<Vec<_>>();
                let mut error =
                    Self::conflict("rooms_below_held", "api-rooms-below-held").with("nights", listed.join(", "));
                error.details = Some(Box::new(("nights", json!(listed))));
                error
            }
            CatalogError::SeveralRoomTypes => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "several_room_types", "api-several-room-types")
            }
            CatalogError::Database(error) => Self::internal(&error),
        }
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Invalid(field) => Self::invalid_field(field),
            IdentityError::EmployeeNoTaken => Self::conflict("employee_no_taken", "api-employee-no-taken"),
            IdentityError::NotFound
            | IdentityError::BadLinkCode
            | IdentityError::Inactive
            | IdentityError::TooManyAttempts { .. } => Self::not_found(),
            IdentityError::Database(error) => Self::internal(&error),
        }
    }
}

impl From<CancelError> for ApiError {
    fn from(error: CancelError) -> Self {
        match error {
            CancelError::NotFound | CancelError::NotYours => Self::not_found(),
            CancelError::NotCancellable(status) => {
                Self::conflict("not_cancellable", "api-not-cancellable").with("status", status.as_str())
            }
            CancelError::Database(error) => Self::internal(&error),
        }
    }
}

impl From<DecideError> for ApiError {
    fn from(error: DecideError) -> Self {
        match error {
            // An admin decides any booking; these only arise for managers.
            DecideError::NotFound | DecideError::NotManager | DecideError::OwnBooking => Self::not_found(),
            DecideError::AlreadyDecided(booking) => {
                Self::conflict("not_awaiting_approval", "api-not-awaiting-approval")
                    .with("status", booking.status.as_str())
            }
            DecideError::Database(error) => Self::internal(&error),
        }
    }
}

impl From<crate::booking::RequestError> for ApiError {
    fn from(error: crate::booking::RequestError) -> Self {
        use crate::booking::RequestError;
        let unprocessable = |code, wording| Self {
            wording: Box::new(wording),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, "api-invalid-field")
        };
        match error {
            RequestError::Rule(refusal) => unprocessable(refusal.code(), Wording::Rule(refusal)),
            RequestError::Stay(error) => unprocessable("invalid_stay", Wording::Stay(error)),
            RequestError::Overlap(reference) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "overlap", "error-overlap").with("reference", reference)
            }
            RequestError::ChooseRoomType => Self::invalid_field("room_type_id"),
            RequestError::Database(error) => Self::internal(&error),
        }
    }
}

impl From<ReplayError> for ApiError {
    fn from(error: ReplayError) -> Self {
        match error {
            ReplayError::NotFound => Self::not_found(),
            ReplayError::AlreadyReplayed => Self::conflict("already_replayed", "api-already-replayed"),
            ReplayError::Malformed => Self::bad_request(),
            ReplayError::Database(error) => Self::internal(&error),
        }
    }
}
