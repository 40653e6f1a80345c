//! `/resorts`: the catalogue and its managers.

use super::error::ApiError;
use super::query::{Params, page_of_all};
use super::{ApiResult, audit, json_response, parse_body, parse_id, shown};
use crate::admins::Admin;
use crate::app::AppState;
use crate::audit::{Change, Target};
use crate::catalog::{self, NewResort, ResortPatch};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use resort_core::id::{EmployeeId, ResortId};
use serde::Deserialize;
use std::collections::HashMap;

type Listing = Query<HashMap<String, String>>;

pub async fn create(State(state): State<AppState>, Extension(admin): Extension<Admin>, body: Bytes) -> ApiResult {
    let new: NewResort = parse_body(&body)?;
    let resort = catalog::create(&state.pool, new, state.clock.now_millis()).await?;
    let change = Change::created("resort.create", Target::new("resort", resort.id), shown(&resort));
    audit(&state, &admin, change).await?;
    json_response(StatusCode::CREATED, &resort)
}

pub async fn list(State(state): State<AppState>, Query(query): Listing) -> ApiResult {
    let params = Params::list(query, &[])?;
    page_of_all(catalog::list(&state.pool).await?, &params)
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, ResortId::parse)?;
    let resort = catalog::get(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, &resort)
}

pub async fn update(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = parse_id(&id, ResortId::parse)?;
    let patch: ResortPatch = parse_body(&body)?;
    let before = catalog::get(&state.pool, id).await?.ok_or_else(ApiError::not_found)?;
    let resort = catalog::update(&state.pool, id, patch, state.clock.today(), state.clock.now_millis()).await?;
    let change = Change::changed("resort.update", Target::new("resort", id), shown(&before), shown(&resort));
    audit(&state, &admin, change).await?;
    for room_type in &resort.room_types {
        crate::waitlist::offer_free_rooms(&state.desk, resort.id, room_type.id).await?;
    }
    json_response(StatusCode::OK, &resort)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewManager {
    employee_id: String,
}

pub async fn add_manager(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let manager: NewManager = parse_body(&body)?;
    let employee_id = EmployeeId::parse(&manager.employee_id).ok_or_else(|| ApiError::invalid_field("employee_id"))?;
    catalog::add_manager(&state.pool, resort_id, employee_id, state.clock.now_millis()).await?;
    let body = serde_json::json!({ "resort_id": resort_id, "employee_id": employee_id });
    audit(&state, &admin, Change::created("resort.manager.add", Target::new("resort", resort_id), body.clone()))
        .await?;
    json_response(StatusCode::CREATED, &body)
}

pub async fn managers(State(state): State<AppState>, Path(id): Path<String>, Query(query): Listing) -> ApiResult {
    let params = Params::list(query, &[])?;
    let resort_id = parse_id(&id, ResortId::parse)?;
    catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    let managers: Vec<serde_json::Value> = catalog::managers(&state.pool, resort_id)
        .await?
        .into_iter()
        .map(|(employee_id, name)| serde_json::json!({ "employee_id": employee_id, "name": name }))
        .collect();
    page_of_all(managers, &params)
}

pub async fn remove_manager(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path((id, employee_id)): Path<(String, String)>,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let employee_id = parse_id(&employee_id, EmployeeId::parse)?;
    if !catalog::remove_manager(&state.pool, resort_id, employee_id).await? {
        return Err(ApiError::not_found());
    }
    let before = serde_json::json!({ "resort_id": resort_id, "employee_id": employee_id });
    audit(&state, &admin, Change::removed("resort.manager.remove", Target::new("resort", resort_id), before)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn blackouts(State(state): State<AppState>, Path(id): Path<String>, Query(query): Listing) -> ApiResult {
    let params = Params::list(query, &[])?;
    let resort_id = parse_id(&id, ResortId::parse)?;
    catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    page_of_all(catalog::blackouts(&state.pool, resort_id).await?, &params)
}

pub async fn add_blackout(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let new: catalog::NewBlackout = parse_body(&body)?;
    let blackout = catalog::add_blackout(&state.pool, resort_id, new, state.clock.now_millis()).await?;
    audit(&state, &admin, Change::created("blackout.create", Target::new("blackout", &blackout.id), shown(&blackout)))
        .await?;
    json_response(StatusCode::CREATED, &blackout)
}

pub async fn remove_blackout(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path((id, blackout_id)): Path<(String, String)>,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let before = catalog::blackouts(&state.pool, resort_id)
        .await?
        .into_iter()
        .find(|blackout| blackout.id == blackout_id)
        .ok_or_else(ApiError::not_found)?;
    if !catalog::remove_blackout(&state.pool, resort_id, &blackout_id).await? {
        return Err(ApiError::not_found());
    }
    audit(&state, &admin, Change::removed("blackout.remove", Target::new("blackout", &blackout_id), shown(&before)))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Rooms held per night for every resort and each of its room types, from today
/// (`days`, 1–90, default 21), a page of resorts at a time.
pub async fn occupancy(State(state): State<AppState>, Query(query): Listing) -> ApiResult {
    let params = Params::list(query, &["days"])?;
    let days = params.parsed("days", |text| text.parse::<u32>().ok().filter(|days| (1..=90).contains(days)))?;
    let resorts = crate::overview::occupancy(&state.pool, state.clock.today(), days.unwrap_or(21)).await?;
    page_of_all(resorts, &params)
}

pub async fn room_types(State(state): State<AppState>, Path(id): Path<String>, Query(query): Listing) -> ApiResult {
    let params = Params::list(query, &[])?;
    let resort_id = parse_id(&id, ResortId::parse)?;
    let resort = catalog::get(&state.pool, resort_id).await?.ok_or_else(ApiError::not_found)?;
    page_of_all(resort.room_types, &params)
}

pub async fn add_room_type(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let new: catalog::NewRoomType = parse_body(&body)?;
    let room_type = catalog::room_type::create(&state.pool, resort_id, new, state.clock.now_millis()).await?;
    let change = Change::created("room_type.create", Target::new("room_type", room_type.id), shown(&room_type));
    audit(&state, &admin, change).await?;
    json_response(StatusCode::CREATED, &room_type)
}

pub async fn update_room_type(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    Path((id, room_type_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let resort_id = parse_id(&id, ResortId::parse)?;
    let room_type_id = parse_id(&room_type_id, resort_core::id::RoomTypeId::parse)?;
    let patch: catalog::RoomTypePatch = parse_body(&body)?;
    let before = catalog::get(&state.pool, resort_id)
        .await?
        .and_then(|resort| resort.room_types.into_iter().find(|room_type| room_type.id == room_type_id))
        .ok_or_else(ApiError::not_found)?;
    let room_type = catalog::room_type::update(
        &state.pool,
        resort_id,
        room_type_id,
        patch,
        state.clock.today(),
        state.clock.now_millis(),
    )
    .await?;
    let change =
        Change::changed("room_type.update", Target::new("room_type", room_type_id), shown(&before), shown(&room_type));
    audit(&state, &admin, change).await?;
    // More rooms may be what someone is waiting for.
    crate::waitlist::offer_free_rooms(&state.desk, resort_id, room_type.id).await?;
    json_response(StatusCode::OK, &room_type)
}
