//! `/employees`: people, their link codes and their points.
//!
//! A grant is a `point.grant` command through the outbox, because only the point worker
//! writes balances; the API answers 202 and the balance in `GET /employees/{id}` follows as
//! soon as the worker has applied it.

use super::error::ApiError;
use super::query::{Params, page_of_all};
use super::{ApiResult, audit, json_response, parse_body, parse_id, shown};
use crate::admins::Admin;
use crate::app::AppState;
use crate::audit::{Change, Target};
use crate::identity::{self, Employee, NewEmployee};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use resort_core::id::EmployeeId;
use resort_core::message::{Message, PointGrant};
use resort_core::outbox;
use serde::{Deserialize, Serialize};

/// The largest single grant or deduction, a guard against a typo with extra zeros.
const MAX_GRANT: i64 = 10_000_000;

#[derive(Serialize)]
struct EmployeeView {
    #[serde(flatten)]
    employee: Employee,
    /// The point balance as the ledger has it now.
    points: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "resort_core::clock::as_rfc3339_or_null")]
    link_code_expires_at: Option<i64>,
}

pub async fn create(State(state): State<AppState>, Extension(admin): Extension<Admin>, body: Bytes) -> ApiResult {
    let new: NewEmployee = parse_body(&body)?;
    let (employee, code) = identity::create_employee(&state.pool, new, state.clock.now_millis()).await?;
    audit(&state, &admin, Change::created("employee.create", Target::new("employee", employee.id), shown(&employee)))
        .await?;
    let view =
        EmployeeView { employee, points: 0, link_code: Some(code.code), link_code_expires_at: Some(code.expires_at) };
    json_response(StatusCode::CREATED, &view)
}

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let params = Params::list(query, &[])?;
    let balances = resort_workers::point::balances(&state.pool).await?;
    let employees: Vec<EmployeeView> = identity::list_employees(&state.pool)
        .await?
        .into_iter()
        .map(|employee| {
            let points = balances.get(&employee.id.to_string()).copied().unwrap_or(0);
            EmployeeView { employee, points, link_code: None, link_code_expires_at: None }
        })
        .collect();
    page_of_all(employees, &params)
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, EmployeeId::parse)?;
    let employee = identity::get_employee(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    let points = resort_workers::point::balance(&state.pool, id).await?;
    json_response(StatusCode::OK, &EmployeeView { employee, points, link_code: None, link_code_expires_at: None })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmployeePatch {
    active: Option<bool>,
}

/// Changes an employee; today only whether they are active (an inactive one cannot link or
/// book, and keeps their bookings).
pub async fn update(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = parse_id(&id, EmployeeId::parse)?;
    let patch: EmployeePatch = parse_body(&body)?;
    let before = identity::get_employee(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if let Some(active) = patch.active
        && !identity::set_active(&state.pool, id, active, state.clock.now_millis()).await?
    {
        return Err(ApiError::not_found());
    }
    let employee = identity::get_employee(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    audit(
        &state,
        &admin,
        Change::changed("employee.update", Target::new("employee", id), shown(&before), shown(&employee)),
    )
    .await?;
    let points = resort_workers::point::balance(&state.pool, id).await?;
    json_response(StatusCode::OK, &EmployeeView { employee, points, link_code: None, link_code_expires_at: None })
}

pub async fn link_code(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = parse_id(&id, EmployeeId::parse)?;
    let code = identity::issue_link_code(&state.pool, id, state.clock.now_millis()).await?;
    // The code itself stays out of the trail: it is a secret until used.
    let after = serde_json::json!({ "expires_at": resort_core::clock::rfc3339(code.expires_at) });
    audit(&state, &admin, Change::created("employee.link_code", Target::new("employee", id), after)).await?;
    json_response(
        StatusCode::CREATED,
        &serde_json::json!({ "employee_id": id, "link_code": code.code, "expires_at": resort_core::clock::rfc3339(code.expires_at) }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Grant {
    amount: i64,
    reason: String,
}

/// Grants points (`amount` above zero) or deducts them (below zero, at most the balance), with
/// the reason the ledger and the audit trail keep.
pub async fn grant_points(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = parse_id(&id, EmployeeId::parse)?;
    let grant: Grant = parse_body(&body)?;
    if grant.amount == 0 || grant.amount.abs() > MAX_GRANT {
        return Err(ApiError::invalid_field("amount"));
    }
    let reason = grant.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ApiError::invalid_field("reason"));
    }
    identity::get_employee(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    let balance = resort_workers::point::balance(&state.pool, id).await?;
    if balance + grant.amount < 0 {
        return Err(ApiError::insufficient_points(balance));
    }
    let message = Message::PointGrant(PointGrant { employee_id: id, amount: grant.amount, reason: reason.to_owned() });
    let envelope = message.into_envelope(id.to_string(), None, state.clock.now());
    let mut connection = state.pool.acquire().await?;
    outbox::enqueue(&mut connection, &envelope, state.clock.now_millis()).await?;
    drop(connection);
    state.outbox_signal.notify();
    let change = Change {
        action: if grant.amount < 0 { "employee.points.deduct" } else { "employee.points.grant" },
        target: Target::new("employee", id),
        before: Some(serde_json::json!({ "points": balance })),
        after: Some(serde_json::json!({ "points": balance + grant.amount })),
        reason: Some(reason),
    };
    audit(&state, &admin, change).await?;
    json_response(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "employee_id": id, "amount": grant.amount, "reason": reason, "message_id": envelope.message_id, "status": "accepted" }),
    )
}
