//! `GET /waitlist`: the waitlist entries for admins, filtered by resort and check-in, waiting
//! entries first in the order they are served.

use super::ApiResult;
use super::query::{Params, page_of_all};
use crate::app::AppState;
use axum::extract::{Query, State};
use std::collections::HashMap;

pub async fn list(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> ApiResult {
    let params = Params::list(query, &["resort_id", "check_in"])?;
    let resort_id = params.parsed("resort_id", resort_core::id::ResortId::parse)?;
    let check_in = params.date("check_in")?;
    let items = crate::waitlist::list(&state.pool, resort_id, check_in).await?;
    page_of_all(items, &params)
}
