//! `/bookings` (with the saga's steps) and `/dead-letters`.

use super::error::{ApiError, locale_of};
use super::{ApiResult, json_response, parse_id};
use crate::app::AppState;
use crate::booking::{Booking, CancelError, DecideError, SagaStep};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use resort_core::booking::{BookingStatus, Decision};
use resort_core::i18n::Locale;
use resort_core::id::{BookingId, EmployeeId};
use serde::{Deserialize, Serialize};
use sqlx::Row;

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

#[derive(Serialize)]
struct DeadLetter {
    id: String,
    consumer: String,
    message_id: String,
    message_type: String,
    error: String,
    attempts: i64,
    created_at: i64,
    replayed_at: Option<i64>,
}

/// Makes a dead letter's message deliverable again, with its original id: consumers that
/// applied it skip it through their inboxes, the one that failed gets another chance. Once per
/// dead letter; if it fails again it comes back as a new one.
pub async fn replay_dead_letter(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let locale = locale_of(&headers);
    let internal = |error: sqlx::Error| ApiError::internal(locale, &error);
    let now = state.clock.now_millis();
    let mut transaction = state.pool.begin().await.map_err(internal)?;
    let envelope: Option<String> = sqlx::query_scalar(
        "UPDATE dead_letter SET replayed_at = $2, updated_at = $2 WHERE id = $1 AND replayed_at IS NULL RETURNING envelope",
    )
    .bind(&id)
    .bind(now)
    .fetch_optional(&mut *transaction)
    .await
    .map_err(internal)?;
    let Some(envelope) = envelope else {
        // Inside the transaction: on SQLite it holds the only connection.
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM dead_letter WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *transaction)
            .await
            .map_err(internal)?;
        return Err(match exists {
            Some(_) => ApiError::conflict(locale, "already_replayed", "api-already-replayed"),
            None => ApiError::not_found(locale),
        });
    };
    let envelope: resort_core::message::Envelope =
        serde_json::from_str(&envelope).map_err(|_| ApiError::bad_request(locale))?;
    let requeued = sqlx::query(
        "UPDATE outbox_message SET published_at = NULL, claimed_until = NULL, claim_token = NULL, updated_at = $2 WHERE message_id = $1",
    )
    .bind(envelope.message_id.to_string())
    .bind(now)
    .execute(&mut *transaction)
    .await
    .map_err(internal)?
    .rows_affected();
    if requeued == 0 {
        // The outbox row was cleaned up (or came from elsewhere): write it again.
        resort_core::outbox::enqueue(&mut transaction, &envelope, now).await.map_err(internal)?;
    }
    transaction.commit().await.map_err(internal)?;
    state.outbox_signal.notify();
    json_response(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "id": id, "message_id": envelope.message_id, "status": "replaying" }),
    )
}

pub async fn dead_letters(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let locale = locale_of(&headers);
    let rows = sqlx::query("SELECT id, consumer, message_id, message_type, error, attempts, created_at, replayed_at FROM dead_letter ORDER BY created_at DESC LIMIT $1")
        .bind(LIST_LIMIT)
        .fetch_all(&state.pool)
        .await
        .map_err(|error| ApiError::internal(locale, &error))?;
    let letters: Result<Vec<DeadLetter>, sqlx::Error> = rows
        .iter()
        .map(|row| {
            Ok(DeadLetter {
                id: row.try_get("id")?,
                consumer: row.try_get("consumer")?,
                message_id: row.try_get("message_id")?,
                message_type: row.try_get("message_type")?,
                error: row.try_get("error")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
                replayed_at: row.try_get("replayed_at")?,
            })
        })
        .collect();
    json_response(StatusCode::OK, &letters.map_err(|error| ApiError::internal(locale, &error))?)
}
