//! `/admins`: named admins. The token is in the creation's answer only; lists never show one.

use super::error::ApiError;
use super::query::{Params, page};
use super::{ApiResult, audit, json_response, parse_body};
use crate::admins::{self, Admin, Role};
use crate::app::AppState;
use crate::audit::{Change, Target};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;

const MAX_NAME_CHARS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAdmin {
    name: String,
    role: String,
}

pub async fn create(State(state): State<AppState>, Extension(by): Extension<Admin>, body: Bytes) -> ApiResult {
    let new: NewAdmin = parse_body(&body)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid_field("name"));
    }
    let role = Role::parse(&new.role).ok_or_else(|| ApiError::invalid_field("role"))?;
    let (admin, token) = admins::create(&state.pool, name, role, &by.id, state.clock.now_millis()).await?;
    let shown = serde_json::to_value(&admin).map_err(|error| ApiError::internal(&error))?;
    let change = Change {
        action: "admin.create",
        target: Target::new("admin", &admin.id),
        before: None,
        after: Some(shown.clone()),
        reason: None,
    };
    audit(&state, &by, change).await?;
    let mut body = shown;
    body["token"] = token.into();
    json_response(StatusCode::CREATED, &body)
}

/// Who the caller is: their name and role (the bootstrap token answers as `bootstrap`).
pub async fn me(Extension(admin): Extension<Admin>) -> ApiResult {
    json_response(StatusCode::OK, &admin)
}

pub async fn list(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> ApiResult {
    let params = Params::list(query, &[])?;
    let limit = params.limit()?;
    let rows = admins::list(&state.pool, params.keyset()?, limit + 1).await?;
    page(rows, limit, |admin| format!("{}_{}", admin.created_at, admin.id))
}
