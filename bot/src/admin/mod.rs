//! The admin REST API under `/api/v1`: resorts with their room types, blackouts and managers,
//! the yearly limits, employees and their points and link codes, bookings with their saga steps,
//! lotteries, the waitlist, dead letters. Every route but the OpenAPI
//! document needs `Authorization: Bearer <ADMIN_TOKEN>`. Lists are plain JSON arrays.

mod bookings;
mod employees;
pub mod error;
mod lotteries;
mod policy;
mod query;
mod reports;
mod resorts;
mod waitlist;

use crate::app::AppState;
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

async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if crate::bearer::carries(request.headers(), &state.admin_token) {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

/// Reads a JSON body, turning any malformation into our localized 400.
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request())
}

/// Parses a path id, answering 404 for anything that is not one.
fn parse_id<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(text).ok_or_else(ApiError::not_found)
}

type ApiResult = Result<Response, ApiError>;

fn json_response<T: serde::Serialize>(status: axum::http::StatusCode, value: &T) -> ApiResult {
    Ok((status, Json(value)).into_response())
}
