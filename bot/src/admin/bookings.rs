//! `/bookings` (with the saga's steps) and `/dead-letters`.

use super::error::ApiError;
use super::query::{Params, page};
use super::{ApiResult, audit, json_response, parse_id, shown};
use crate::admins::Admin;
use crate::app::AppState;
use crate::audit::{Change, Target};
use crate::booking::{Booking, SagaStep, Search};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use resort_core::booking::{BookingStatus, Decision};
use resort_core::dead_letter;
use resort_core::i18n::Locale;
use resort_core::id::{BookingId, EmployeeId, RoomTypeId};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct BookingView {
    #[serde(flatten)]
    booking: Booking,
    steps: Vec<SagaStep>,
}

/// Bookings, newest first, narrowed by employee, status, resort, check-in days (`from`, `to`,
/// both included) or the `reference` people quote (case does not matter; no match is an empty
/// page). Any other parameter is refused.
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let params = Params::list(query, &["employee_id", "status", "resort_id", "from", "to", "reference"])?;
    let limit = params.limit()?;
    let search = Search {
        employee_id: params.parsed("employee_id", EmployeeId::parse)?,
        status: params.parsed("status", BookingStatus::parse)?,
        resort_id: params.parsed("resort_id", resort_core::id::ResortId::parse)?,
        from: params.date("from")?,
        to: params.date("to")?,
        reference: params.text("reference").map(str::to_owned),
        before: params.parsed("cursor", BookingId::parse)?,
    };
    let bookings = state.desk.search(&search, limit + 1).await?;
    page(bookings, limit, |booking| booking.id.to_string())
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let booking = state.desk.get(id).await?.ok_or_else(ApiError::not_found)?;
    let steps = state.desk.steps(id).await?;
    json_response(StatusCode::OK, &BookingView { booking, steps })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    #[serde(default)]
    reason: Option<String>,
    /// Every point back, whatever the resort's late-cancel terms.
    #[serde(default)]
    full_refund: bool,
}

/// An admin cancels a booking, optionally with a reason and a full refund; the body may be
/// left out.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let request: CancelRequest = if body.is_empty() { CancelRequest::default() } else { super::parse_body(&body)? };
    let reason = reason(request.reason.as_deref())?;
    let before = state.desk.get(id).await?.ok_or_else(ApiError::not_found)?;
    let booking = state.desk.cancel_as_admin(id, request.full_refund).await?;
    let action = if request.full_refund { "booking.cancel.full_refund" } else { "booking.cancel" };
    let change = Change::changed(action, Target::new("booking", id), shown(&before), shown(&booking)).because(reason);
    audit(&state, &admin, change).await?;
    json_response(StatusCode::ACCEPTED, &booking)
}

/// Longest note an admin may give with an action.
const MAX_REASON_CHARS: usize = 500;

/// An action's reason: trimmed, absent when blank, at most [`MAX_REASON_CHARS`].
fn reason(text: Option<&str>) -> Result<Option<&str>, ApiError> {
    let reason = text.map(str::trim).filter(|reason| !reason.is_empty());
    if reason.is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid_field("reason"));
    }
    Ok(reason)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
pub async fn create(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    body: axum::body::Bytes,
) -> ApiResult {
    let request: NewBooking = super::parse_body(&body)?;
    let employee_id = EmployeeId::parse(&request.employee_id).ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    let employee = crate::identity::get_employee(&state.pool, employee_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    let resort_id =
        resort_core::id::ResortId::parse(&request.resort_id).ok_or_else(|| ApiError::invalid_field("resort_id"))?;
    let catalog = state.desk.catalog.snapshot().await?;
    let resort = catalog.resort(resort_id).ok_or_else(|| ApiError::invalid_field("resort_id"))?;
    let check_in = resort_core::stay::parse_date(&request.check_in).map_err(|_| ApiError::invalid_field("check_in"))?;
    let room_type_id = match request.room_type_id.as_deref() {
        Some(id) => Some(RoomTypeId::parse(id).ok_or_else(|| ApiError::invalid_field("room_type_id"))?),
        None => None,
    };
    if request.guests == 0 {
        return Err(ApiError::invalid_field("guests"));
    }
    let ask = crate::booking::Ask { room_type_id, check_in, nights: request.nights, guests: request.guests };
    let booking = state.desk.request(&catalog, &employee, resort, ask, None).await?;
    audit(&state, &admin, Change::created("booking.create", Target::new("booking", booking.id), shown(&booking)))
        .await?;
    json_response(StatusCode::ACCEPTED, &booking)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    decision: String,
    reason: Option<String>,
}

/// An admin approves or rejects a booking waiting for approval: for a resort with no other
/// manager, or a manager's own booking (which they cannot decide themselves).
pub async fn decide(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let id = parse_id(&id, BookingId::parse)?;
    let request: DecisionRequest = super::parse_body(&body)?;
    let decision = match request.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(ApiError::invalid_field("decision")),
    };
    let reason = reason(request.reason.as_deref())?;
    let before = state.desk.get(id).await?.ok_or_else(ApiError::not_found)?;
    // Shown to the guest as who decided, in the company's language.
    let decided_by = Locale::Ko.text("decided-by-admin");
    let booking = state.desk.decide_as_admin(id, decision, &decided_by, reason).await?;
    let action = match decision {
        Decision::Approve => "booking.approve",
        Decision::Reject | Decision::Expire => "booking.reject",
    };
    let change = Change::changed(action, Target::new("booking", id), shown(&before), shown(&booking)).because(reason);
    audit(&state, &admin, change).await?;
    json_response(StatusCode::ACCEPTED, &booking)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    #[serde(default)]
    reason: Option<String>,
}

/// Makes a dead letter's message deliverable again, once (see `resort_core::dead_letter`); the
/// body (`{"reason"}`) may be left out.
pub async fn replay_dead_letter(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let request: ReplayRequest = if body.is_empty() { ReplayRequest::default() } else { super::parse_body(&body)? };
    let reason = reason(request.reason.as_deref())?;
    let envelope = dead_letter::replay(&state.pool, &id, state.clock.now_millis()).await?;
    state.outbox_signal.notify();
    let after = serde_json::json!({ "message_id": envelope.message_id, "status": "replaying" });
    audit(
        &state,
        &admin,
        Change::created("dead_letter.replay", Target::new("dead_letter", &id), after).because(reason),
    )
    .await?;
    json_response(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "id": id, "message_id": envelope.message_id, "status": "replaying" }),
    )
}

pub async fn dead_letters(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let params = Params::list(query, &[])?;
    let limit = params.limit()?;
    let letters = dead_letter::list(&state.pool, params.keyset()?, limit + 1).await?;
    page(letters, limit, |letter| format!("{}_{}", letter.created_at, letter.id))
}
