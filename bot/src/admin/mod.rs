//! The admin REST API under `/api/v1`: resorts with their room types, blackouts and managers,
//! the yearly limits, employees and their points and link codes, bookings with their saga steps,
//! lotteries, the waitlist, dead letters. Every route but the OpenAPI
//! document needs `Authorization: Bearer <ADMIN_TOKEN>`. Lists are plain JSON arrays.

mod accounts;
mod audit_log;
mod bookings;
mod employees;
pub mod error;
mod lotteries;
mod overview;
mod policy;
mod query;
mod reports;
mod resorts;
mod waitlist;

use crate::admins::{self, Admin, Role};
use crate::app::AppState;
use crate::audit;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use error::ApiError;
use serde::de::DeserializeOwned;

pub const OPENAPI: &str = include_str!("openapi.json");

pub fn router(state: AppState) -> Router<AppState> {
    let protected = Router::new()
        .route("/resorts", post(resorts::create).get(resorts::list))
        .route("/resorts/{id}", get(resorts::get).patch(resorts::update))
        .route("/resorts/{id}/managers", post(resorts::add_manager).get(resorts::managers))
        .route("/resorts/{id}/managers/{employee_id}", axum::routing::delete(resorts::remove_manager))
        .route("/resorts/{id}/blackouts", post(resorts::add_blackout).get(resorts::blackouts))
        .route("/resorts/{id}/blackouts/{blackout_id}", axum::routing::delete(resorts::remove_blackout))
        .route("/resorts/{id}/room-types", post(resorts::add_room_type).get(resorts::room_types))
        .route("/resorts/{id}/room-types/{room_type_id}", axum::routing::patch(resorts::update_room_type))
        .route("/occupancy", get(resorts::occupancy))
        .route("/policy", get(policy::get).put(policy::put))
        .route("/lotteries", post(lotteries::create).get(lotteries::list))
        .route("/lotteries/{id}", get(lotteries::get))
        .route("/lotteries/{id}/verify", get(lotteries::verify))
        .route("/waitlist", get(waitlist::list))
        .route("/reports/bookings.csv", get(reports::bookings))
        .route("/reports/occupancy.csv", get(reports::occupancy))
        .route("/reports/points.csv", get(reports::points))
        .route("/employees/{id}/ledger", get(reports::ledger))
        .route("/employees", post(employees::create).get(employees::list))
        .route("/employees/{id}", get(employees::get).patch(employees::update))
        .route("/employees/{id}/link-code", post(employees::link_code))
        .route("/employees/{id}/points", post(employees::grant_points))
        .route("/bookings", get(bookings::list).post(bookings::create))
        .route("/bookings/{id}", get(bookings::get))
        .route("/bookings/{id}/cancel", post(bookings::cancel))
        .route("/bookings/{id}/decision", post(bookings::decide))
        .route("/dead-letters", get(bookings::dead_letters))
        .route("/dead-letters/{id}/replay", post(bookings::replay_dead_letter))
        .route("/admins", post(accounts::create).get(accounts::list))
        .route("/admins/me", get(accounts::me))
        .route("/audit", get(audit_log::list))
        .route("/overview", get(overview::get))
        .route("/overview/events", get(overview::events))
        .route_layer(middleware::from_fn_with_state(state, require_token));
    Router::new()
        .route("/openapi.json", get(openapi))
        .merge(protected)
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn(json_bodies_only))
        .layer(middleware::from_fn(error::localize))
}

/// A request that carries a body must say it is JSON: anything else is 415, before any handler
/// reads it (so a form post never creates anything).
async fn json_bodies_only(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let has_body = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .is_some_and(|length| length.trim() != "0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !is_json {
        return ApiError::unsupported_media_type().into_response();
    }
    next.run(request).await
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Finds the admin the bearer token belongs to and hands it to the handler; a viewer may only
/// read (`GET`), anything else is 403 before a handler runs.
async fn require_token(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(token) = crate::bearer::token(request.headers()) else {
        return ApiError::unauthorized().into_response();
    };
    let admin = match admins::by_token(&state.pool, &state.admin_token, token).await {
        Ok(Some(admin)) => admin,
        Ok(None) => return ApiError::unauthorized().into_response(),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let reads = matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    if admin.role == Role::Viewer && !reads {
        return ApiError::forbidden().into_response();
    }
    request.extensions_mut().insert(admin);
    next.run(request).await
}

/// Appends what an admin just did to the audit trail.
async fn audit(state: &AppState, admin: &Admin, change: audit::Change<'_>) -> Result<(), ApiError> {
    audit::append(&state.pool, state.clock.now_millis(), &admin.actor(), change).await?;
    Ok(())
}

/// A value as the API shows it, for the audit trail's before and after.
fn shown<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Reads a JSON body: what is not JSON at all is 400 `bad_request`; JSON of the wrong shape (a
/// field missing, unknown or of the wrong type) is 422 `invalid_field` naming the field.
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => ApiError::invalid_field(&field_of(&error.to_string())),
        _ => ApiError::bad_request(),
    })
}

/// The field serde names in a shape error ("missing field `rooms`", "unknown field `x`,
/// expected …"), or `body` when it names none (a wrong type at the top).
fn field_of(message: &str) -> String {
    message.split('`').nth(1).filter(|field| !field.is_empty()).unwrap_or("body").to_owned()
}

/// Parses a path id, answering 404 for anything that is not one.
fn parse_id<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(text).ok_or_else(ApiError::not_found)
}

type ApiResult = Result<Response, ApiError>;

fn json_response<T: serde::Serialize>(status: axum::http::StatusCode, value: &T) -> ApiResult {
    Ok((status, Json(value)).into_response())
}
