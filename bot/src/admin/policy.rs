//! `/policy`: the company-wide yearly limits, replaced whole by `PUT`.

use super::error::ApiError;
use super::{ApiResult, audit, json_response, parse_body, shown};
use crate::admins::Admin;
use crate::app::AppState;
use crate::audit::{Change, Target};
use crate::booking::limits::{self, YearlyPolicy};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn get(State(state): State<AppState>) -> ApiResult {
    json_response(StatusCode::OK, &limits::get(&state.pool).await?)
}

/// A full replace: every field is required (`null` for no limit).
pub async fn put(State(state): State<AppState>, Extension(admin): Extension<Admin>, body: Bytes) -> ApiResult {
    let value: serde_json::Value = parse_body(&body)?;
    for field in ["yearly_stays", "yearly_nights", "late_cancel_counts"] {
        if value.get(field).is_none() {
            return Err(ApiError::invalid_field(field));
        }
    }
    let policy: YearlyPolicy = serde_json::from_value(value).map_err(|_| ApiError::bad_request())?;
    if let Some(field) = policy.invalid_field() {
        return Err(ApiError::invalid_field(field));
    }
    let before = limits::get(&state.pool).await?;
    let after = limits::put(&state.pool, policy, state.clock.now_millis()).await?;
    audit(
        &state,
        &admin,
        Change::changed("policy.update", Target::new("policy", "yearly"), shown(&before), shown(&after)),
    )
    .await?;
    json_response(StatusCode::OK, &after)
}
