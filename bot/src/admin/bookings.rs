//! `/bookings` (with the saga's steps) and `/dead-letters`.

use super::error::{ApiError, locale_of};
use super::{ApiResult, json_response, parse_id};
use crate::app::AppState;
use crate::booking::{Booking, CancelError, DecideError, SagaStep};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use resort_core::booking::{BookingStatus, Decision};
use resort_core::dead_letter::{self, ReplayError};
use resort_core::i18n::Locale;
use resort_core::id::{BookingId, EmployeeId};
use serde::{Deserialize, Serialize};

const LIST_LIMIT: i64 = 500;

#[derive(Deserialize)]
pub struct Filter {
    employee_id: Option<String>,
    status: Option<String>,
}

#[derive(Serialize)]
struct BookingView {
    #[serde(flatten)]
    booking: Booking,
    steps: Vec<SagaStep>,
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap, Query(filter): Query<Filter>) -> ApiResult {
    let locale = locale_of(&headers);
    let employee_id = match filter.employee_id.as_deref().filter(|text| !text.is_empty()) {
        Some(text) => Some(EmployeeId::parse(text).ok_or_else(|| ApiError::invalid_field(locale, "employee_id"))?),
        None => None,
    };
    let status = match filter.status.as_deref().filter(|text| !text.is_empty()) {
        Some(text) => Some(BookingStatus::parse(text).ok_or_else(|| ApiError::invalid_field(locale, "status"))?),
        None => None,
    };
    let bookings =
        state.desk.list(employee_id, status, LIST_LIMIT).await.map_err(|error| ApiError::internal(locale, &error))?;
    json_response(StatusCode::OK, &bookings)
}

pub async fn get(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let locale = locale_of(&headers);
    let id = parse_id(&headers, &id, BookingId::parse)?;
    let booking = state
        .desk
        .get(id)
        .await
        .map_err(|error| ApiError::internal(locale, &error))?
        .ok_or_else(|| ApiError::not_found(locale))?;
    let steps = state.desk.steps(id).await.map_err(|error| ApiError::internal(locale, &error))?;
    json_response(StatusCode::OK, &BookingView { booking, steps })
}

pub async fn cancel(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let locale = locale_of(&headers);
    let id = parse_id(&headers, &id, BookingId::parse)?;
    match state.desk.cancel(id, None).await {
        Ok(booking) => json_response(StatusCode::ACCEPTED, &booking),
        Err(CancelError::NotFound | CancelError::NotYours) => Err(ApiError::not_found(locale)),
        Err(CancelError::NotCancellable(status)) => Err(ApiError::not_cancellable(locale, status.as_str())),
        Err(CancelError::Database(error)) => Err(ApiError::internal(locale, &error)),
    }
}

#[derive(Deserialize)]
pub struct DecisionRequest {
    decision: String,
    reason: Option<String>,
}

/// Longest note an admin may give with a decision.
const MAX_REASON_CHARS: usize = 500;

/// An admin approves or rejects a booking waiting for approval: for a resort with no other
/// manager, or a manager's own booking (which they cannot decide themselves).
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let locale = locale_of(&headers);
    let id = parse_id(&headers, &id, BookingId::parse)?;
    let request: DecisionRequest = super::parse_body(&headers, &body)?;
    let decision = match request.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(ApiError::invalid_field(locale, "decision")),
    };
    let reason = request.reason.as_deref().map(str::trim).filter(|reason| !reason.is_empty());
    if reason.is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid_field(locale, "reason"));
    }
    // Shown to the guest as who decided, in the company's language.
    let decided_by = Locale::Ko.text("decided-by-admin");
    match state.desk.decide_as_admin(id, decision, &decided_by, reason).await {
        Ok(booking) => json_response(StatusCode::ACCEPTED, &booking),
        Err(DecideError::NotFound) => Err(ApiError::not_found(locale)),
        Err(DecideError::AlreadyDecided(booking)) => {
            Err(ApiError::not_awaiting_approval(locale, booking.status.as_str()))
        }
        Err(DecideError::NotManager | DecideError::OwnBooking) => Err(ApiError::not_found(locale)),
        Err(DecideError::Database(error)) => Err(ApiError::internal(locale, &error)),
    }
}

/// Makes a dead letter's message deliverable again, once (see `resort_core::dead_letter`).
pub async fn replay_dead_letter(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let locale = locale_of(&headers);
    match dead_letter::replay(&state.pool, &id, state.clock.now_millis()).await {
        Ok(envelope) => {
            state.outbox_signal.notify();
            json_response(
                StatusCode::ACCEPTED,
                &serde_json::json!({ "id": id, "message_id": envelope.message_id, "status": "replaying" }),
            )
        }
        Err(ReplayError::NotFound) => Err(ApiError::not_found(locale)),
        Err(ReplayError::AlreadyReplayed) => {
            Err(ApiError::conflict(locale, "already_replayed", "api-already-replayed"))
        }
        Err(ReplayError::Malformed) => Err(ApiError::bad_request(locale)),
        Err(ReplayError::Database(error)) => Err(ApiError::internal(locale, &error)),
    }
}

pub async fn dead_letters(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let locale = locale_of(&headers);
    let letters =
        dead_letter::list(&state.pool, LIST_LIMIT).await.map_err(|error| ApiError::internal(locale, &error))?;
    json_response(StatusCode::OK, &letters)
}
