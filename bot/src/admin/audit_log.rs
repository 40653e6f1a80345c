//! `GET /audit`: the audit trail, newest first, by actor, target and days (`from`, `to`,
//! inclusive, in Korean time).

use super::ApiResult;
use super::query::{self, Params, page};
use crate::app::AppState;
use crate::audit;
use axum::extract::{Query, State};
use std::collections::HashMap;

pub async fn list(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> ApiResult {
    let params = Params::list(query, &["actor", "target", "from", "to"])?;
    let limit = params.limit()?;
    let (from_at, until_at) = query::day_range(&params)?;
    let filter = audit::Filter {
        actor_id: params.text("actor").map(str::to_owned),
        target_id: params.text("target").map(str::to_owned),
        from_at,
        until_at,
        before: params.keyset()?,
    };
    let rows = audit::list(&state.pool, &filter, limit + 1).await?;
    page(rows, limit, |entry| format!("{}_{}", entry.at_millis, entry.id))
}
