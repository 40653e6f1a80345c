//! `GET /waitlist`: the waitlist entries for admins, filtered by resort and check-in, waiting
//! entries first in the order they are served.

use super::error::ApiError;
use super::{ApiResult, json_response};
use crate::app::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;

pub async fn list(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> ApiResult {
    if let Some(unknown) = query.keys().find(|key| !matches!(key.as_str(), "resort_id" | "check_in")) {
        return Err(ApiError::invalid_field(unknown));
    }
    let resort_id = match query.get("resort_id") {
        Some(text) => Some(resort_core::id::ResortId::parse(text).ok_or_else(|| ApiError::invalid_field("resort_id"))?),
        None => None,
    };
    let check_in = match query.get("check_in") {
        Some(text) => Some(resort_core::stay::parse_date(text).map_err(|_| ApiError::invalid_field("check_in"))?),
        None => None,
    };
    let items = crate::waitlist::list(&state.pool, resort_id, check_in).await?;
    json_response(StatusCode::OK, &serde_json::json!({ "items": items }))
}
