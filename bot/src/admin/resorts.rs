//! `/resorts`: the catalogue and its managers.

use super::error::{ApiError, locale_of};
use super::{ApiResult, json_response, parse_body, parse_id};
use crate::app::AppState;
use crate::catalog::{self, CatalogError, NewResort, ResortPatch};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use resort_core::i18n::Locale;
use resort_core::id::{EmployeeId, ResortId};
use serde::Deserialize;

fn catalog_error(locale: Locale, error: CatalogError) -> ApiError {
    match error {
        CatalogError::Invalid(field) => ApiError::invalid_field(locale, field.0),
        CatalogError::NameTaken => ApiError::conflict(locale, "resort_name_taken", "api-resort-name-taken"),
        CatalogError::NotFound => ApiError::not_found(locale),
        CatalogError::NoSuchEmployee => ApiError::invalid_field(locale, "employee_id"),
        CatalogError::Database(error) => ApiError::internal(locale, &error),
    }
}

pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let locale = locale_of(&headers);
    let new: NewResort = parse_body(&headers, &body)?;
    let resort = catalog::create(&state.pool, new, state.clock.now_millis())
        .await
        .map_err(|error| catalog_error(locale, error))?;
    json_response(StatusCode::CREATED, &resort)
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let resorts = catalog::list(&state.pool).await.map_err(|error| ApiError::internal(locale_of(&headers), &error))?;
    json_response(StatusCode::OK, &resorts)
}

pub async fn get(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let locale = locale_of(&headers);
    let id = parse_id(&headers, &id, ResortId::parse)?;
    let resort = catalog::get(&state.pool, id)
        .await
        .map_err(|error| ApiError::internal(locale, &error))?
        .ok_or_else(|| ApiError::not_found(locale))?;
    json_response(StatusCode::OK, &resort)
}

pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let locale = locale_of(&headers);
    let id = parse_id(&headers, &id, ResortId::parse)?;
    let patch: ResortPatch = parse_body(&headers, &body)?;
    let resort = catalog::update(&state.pool, id, patch, state.clock.now_millis())
        .await
        .map_err(|error| catalog_error(locale, error))?;
    json_response(StatusCode::OK, &resort)
}

#[derive(Deserialize)]
struct NewManager {
    employee_id: String,
}

pub async fn add_manager(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let locale = locale_of(&headers);
    let resort_id = parse_id(&headers, &id, ResortId::parse)?;
    let manager: NewManager = parse_body(&headers, &body)?;
    let employee_id =
        EmployeeId::parse(&manager.employee_id).ok_or_else(|| ApiError::invalid_field(locale, "employee_id"))?;
    catalog::add_manager(&state.pool, resort_id, employee_id, state.clock.now_millis())
        .await
        .map_err(|error| catalog_error(locale, error))?;
    json_response(StatusCode::CREATED, &serde_json::json!({ "resort_id": resort_id, "employee_id": employee_id }))
}

#[derive(Deserialize)]
pub struct OccupancyQuery {
    days: Option<u32>,
}

#[derive(serde::Serialize)]
struct Occupancy {
    resort_id: ResortId,
    name: String,
    rooms: i64,
    nights: Vec<NightHeld>,
}

#[derive(serde::Serialize)]
struct NightHeld {
    night: chrono::NaiveDate,
    held: i64,
}

/// Rooms held per night for every resort, from today, for the operations dashboard.
pub async fn occupancy(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<OccupancyQuery>,
) -> ApiResult {
    let locale = locale_of(&headers);
    let days = query.days.unwrap_or(21);
    if !(1..=90).contains(&days) {
        return Err(ApiError::invalid_field(locale, "days"));
    }
    let today = state.clock.today();
    let resorts = catalog::list(&state.pool).await.map_err(|error| ApiError::internal(locale, &error))?;
    let mut occupancy = Vec::with_capacity(resorts.len());
    for resort in resorts {
        let held: std::collections::HashMap<_, _> =
            resort_workers::hotel::held_per_night(&state.pool, &resort.id.to_string(), today, days)
                .await
                .map_err(|error| ApiError::internal(locale, &error))?
                .into_iter()
                .collect();
        let nights = today
            .iter_days()
            .take(days as usize)
            .map(|night| NightHeld { night, held: held.get(&night).copied().unwrap_or(0) })
            .collect();
        occupancy.push(Occupancy { resort_id: resort.id, name: resort.name, rooms: resort.rooms, nights });
    }
    json_response(StatusCode::OK, &occupancy)
}
