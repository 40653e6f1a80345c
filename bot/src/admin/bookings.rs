//! `/bookings` (with the saga's steps) and `/dead-letters`.

use super::error::ApiError;
use super::{ApiResult, json_response, parse_id};
use crate::app::AppState;
use crate::booking::{Booking, SagaStep};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use resort_core::booking::{BookingStatus, Decision};
use resort_core::dead_letter;
use resort_core::i18n::Locale;
use resort_core::id::{BookingId, EmployeeId, RoomTypeId};
use serde::{Deserialize, Serialize};

const LIST_LIMIT: i64 = 500;

#[derive(Serialize)]
struct BookingView {
    #[serde(flatten)]
    booking: Booking,
    steps: Vec<SagaStep>,
}

/// Bookings, newest first, by employee and status, or the one a `reference` names (people quote
/// it; no match is an empty list). Any other parameter is refused.
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let params = super::query::Params::only(query, &["employee_id", "status", "reference"])?;
    if let Some(reference) = params.text("reference") {
        let found: Vec<Booking> = state.desk.by_reference(reference).await?.into_iter().collect();
        return json_response(StatusCode::OK, &found);
    }
    let filter = (params.text("employee_id"), params.text("status"));
    let employee_id = match filter.0.filter(|text| !text.is_empty()) {
        Some(text) => Some(EmployeeId::parse(text).ok_or_else(|| ApiError::invalid_field("employee_id"))?),
        None => None,
    };
    let status = match filter.1.filter(|text| !text.is_empty()) {
        Some(text) => Some(BookingStatus::parse(text).ok_or_else(|| ApiError::invalid_field("status"))?),
        None => None,
    };
    let bookings = state.desk.list(employee_id, status, LIST_LIMIT).await?;
    json_response(StatusCode::OK, &bookings)
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let booking = state.desk.get(id).await?.ok_or_else(ApiError::not_found)?;
    let steps = state.desk.steps(id).await?;
    json_response(StatusCode::OK, &BookingView { booking, steps })
}

pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let booking = state.desk.cancel(id, None).await?;
    json_response(StatusCode::ACCEPTED, &booking)
}

#[derive(Deserialize)]
pub struct NewBooking {
    employee_id: String,
    resort_id: String,
    #[serde(default)]
    room_type_id: Option<String>,
    check_in: String,
    nights: u32,
    #[serde(default = "one_guest")]
    guests: u32,
}

fn one_guest() -> u32 {
    1
}

/// An admin books for an employee, through the same rules as the chats (422 with the rule's
/// code when one is broken); 202 with the booking, whose saga then runs as any other.
pub async fn create(State(state): State<AppState>, body: axum::body::Bytes) -> ApiResult {
    let request: NewBooking = super::parse_body(&body)?;
    let employee_id = EmployeeId::parse(&request.employee_id).ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    crate::identity::get_employee(&state.pool, employee_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    let resort_id =
        resort_core::id::ResortId::parse(&request.resort_id).ok_or_else(|| ApiError::invalid_field("resort_id"))?;
    let resort =
        crate::catalog::get(&state.pool, resort_id).await?.ok_or_else(|| ApiError::invalid_field("resort_id"))?;
    let check_in = resort_core::stay::parse_date(&request.check_in).map_err(|_| ApiError::invalid_field("check_in"))?;
    let room_type_id = match request.room_type_id.as_deref() {
        Some(id) => Some(RoomTypeId::parse(id).ok_or_else(|| ApiError::invalid_field("room_type_id"))?),
        None => None,
    };
    if request.guests == 0 {
        return Err(ApiError::invalid_field("guests"));
    }
    let ask = crate::booking::Ask { room_type_id, check_in, nights: request.nights, guests: request.guests };
    let booking = state.desk.request(employee_id, &resort, ask, None).await?;
    json_response(StatusCode::ACCEPTED, &booking)
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
pub async fn decide(State(state): State<AppState>, Path(id): Path<String>, body: axum::body::Bytes) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let request: DecisionRequest = super::parse_body(&body)?;
    let decision = match request.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(ApiError::invalid_field("decision")),
    };
    let reason = request.reason.as_deref().map(str::trim).filter(|reason| !reason.is_empty());
    if reason.is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid_field("reason"));
    }
    // Shown to the guest as who decided, in the company's language.
    let decided_by = Locale::Ko.text("decided-by-admin");
    let booking = state.desk.decide_as_admin(id, decision, &decided_by, reason).await?;
    json_response(StatusCode::ACCEPTED, &booking)
}

/// Makes a dead letter's message deliverable again, once (see `resort_core::dead_letter`).
pub async fn replay_dead_letter(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let envelope = dead_letter::replay(&state.pool, &id, state.clock.now_millis()).await?;
    state.outbox_signal.notify();
    json_response(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "id": id, "message_id": envelope.message_id, "status": "replaying" }),
    )
}

pub async fn dead_letters(State(state): State<AppState>) -> ApiResult {
    let letters = dead_letter::list(&state.pool, LIST_LIMIT).await?;
    json_response(StatusCode::OK, &letters)
}
