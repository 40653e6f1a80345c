//! `/resorts`: the catalogue and its managers.

use super::error::ApiError;
use super::{ApiResult, json_response, parse_body, parse_id};
use crate::app::AppState;
use crate::catalog::{self, NewResort, ResortPatch};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use resort_core::id::{EmployeeId, ResortId};
use serde::Deserialize;

pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult {
    let new: NewResort = parse_body(&body)?;
    let resort = catalog::create(&state.pool, new, state.clock.now_millis()).await?;
    json_response(StatusCode::CREATED, &resort)
}

pub async fn list(State(state): State<AppState>) -> ApiResult {
    let resorts = catalog::list(&state.pool).await?;
    json_response(StatusCode::OK, &resorts)
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, ResortId::parse)?;
    let resort = catalog::get(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, &resort)
}

pub async fn update(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let id = parse_id(&id, ResortId::parse)?;
    let patch: ResortPatch = parse_body(&body)?;
    let resort = catalog::update(&state.pool, id, patch, state.clock.today(), state.clock.now_millis()).await?;
    for room_type in &resort.room_types {
        crate::waitlist::offer_free_rooms(&state.desk, resort.id, room_type.id).await?;
    }
    json_response(StatusCode::OK, &resort)
}

#[derive(Deserialize)]
struct NewManager {
    employee_id: String,
}

pub async fn add_manager(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let manager: NewManager = parse_body(&body)?;
    let employee_id = EmployeeId::parse(&manager.employee_id).ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    catalog::add_manager(&state.pool, resort_id, employee_id, state.clock.now_millis()).await?;
    json_response(StatusCode::CREATED, &serde_json::json!({ "resort_id": resort_id, "employee_id": employee_id }))
}

pub async fn managers(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    let managers: Vec<serde_json::Value> = catalog::managers(&state.pool, resort_id)
        .await?
        .into_iter()
        .map(|(employee_id, name)| serde_json::json!({ "employee_id": employee_id, "name": name }))
        .collect();
    json_response(StatusCode::OK, &serde_json::json!({ "items": managers, "next_cursor": null }))
}

pub async fn remove_manager(
    State(state): State<AppState>,
    Path((id, employee_id)): Path<(String, String)>,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let employee_id = parse_id(&employee_id, EmployeeId::parse)?;
    if !catalog::remove_manager(&state.pool, resort_id, employee_id).await? {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn blackouts(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, &catalog::blackouts(&state.pool, resort_id).await?)
}

pub async fn add_blackout(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let new: catalog::NewBlackout = parse_body(&body)?;
    let blackout = catalog::add_blackout(&state.pool, resort_id, new, state.clock.now_millis()).await?;
    json_response(StatusCode::CREATED, &blackout)
}

pub async fn remove_blackout(
    State(state): State<AppState>,
    Path((id, blackout_id)): Path<(String, String)>,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    if !catalog::remove_blackout(&state.pool, resort_id, &blackout_id).await? {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct OccupancyQuery {
    days: Option<u32>,
}

#[derive(serde::Serialize)]
struct Occupancy {
    resort_id: ResortId,
    name: String,
    /// Rooms of every type together, and held per night across them.
    rooms: i64,
    nights: Vec<NightHeld>,
    room_types: Vec<RoomTypeOccupancy>,
}

#[derive(serde::Serialize)]
struct RoomTypeOccupancy {
    room_type_id: resort_core::id::RoomTypeId,
    name: String,
    rooms: i64,
    nights: Vec<NightHeld>,
}

#[derive(serde::Serialize)]
struct NightHeld {
    night: chrono::NaiveDate,
    held: i64,
}

/// Rooms held per night for every resort and each of its room types, from today, for the
/// operations dashboard.
pub async fn occupancy(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<OccupancyQuery>,
) -> ApiResult {
    let days = query.days.unwrap_or(21);
    if !(1..=90).contains(&days) {
        return Err(ApiError::invalid_field("days"));
    }
    let today = state.clock.today();
    let resorts = catalog::list(&state.pool).await?;
    let mut occupancy = Vec::with_capacity(resorts.len());
    for resort in resorts {
        let mut room_types = Vec::with_capacity(resort.room_types.len());
        for room_type in &resort.room_types {
            let held: std::collections::HashMap<_, _> =
                resort_workers::hotel::held_per_night(&state.pool, &room_type.id.to_string(), today, days)
                    .await?
                    .into_iter()
                    .collect();
            let nights = today
                .iter_days()
                .take(days as usize)
                .map(|night| NightHeld { night, held: held.get(&night).copied().unwrap_or(0) })
                .collect();
            room_types.push(RoomTypeOccupancy {
                room_type_id: room_type.id,
                name: room_type.name.clone(),
                rooms: room_type.rooms,
                nights,
            });
        }
        let nights = today
            .iter_days()
            .take(days as usize)
            .enumerate()
            .map(|(index, night)| NightHeld {
                night,
                held: room_types.iter().map(|room_type| room_type.nights[index].held).sum(),
            })
            .collect();
        occupancy.push(Occupancy { resort_id: resort.id, name: resort.name, rooms: resort.rooms, nights, room_types });
    }
    json_response(StatusCode::OK, &occupancy)
}

pub async fn room_types(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let resort = catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, &resort.room_types)
}

pub async fn add_room_type(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let new: catalog::NewRoomType = parse_body(&body)?;
    let room_type = catalog::room_type::create(&state.pool, resort_id, new, state.clock.now_millis()).await?;
    json_response(StatusCode::CREATED, &room_type)
}

pub async fn update_room_type(
    State(state): State<AppState>,
    Path((id, room_type_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let room_type_id = parse_id(&room_type_id, resort_core::id::RoomTypeId::parse)?;
    let patch: catalog::RoomTypePatch = parse_body(&body)?;
    let room_type = catalog::room_type::update(
        &state.pool,
        resort_id,
        room_type_id,
        patch,
        state.clock.today(),
        state.clock.now_millis(),
    )
    .await?;
    // More rooms may be what someone is waiting for.
    crate::waitlist::offer_free_rooms(&state.desk, resort_id, room_type.id).await?;
    json_response(StatusCode::OK, &room_type)
}
