//! `GET /reports/{bookings,occupancy,points}.csv` and `GET /employees/{id}/ledger`.
//!
//! The CSV files are UTF-8 with a byte-order mark, so spreadsheet programs open Korean correctly,
//! with headers and words in the `Accept-Language` language. `from` and `to` (`YYYY-MM-DD`, both
//! included) are check-ins for bookings, nights for occupancy and days of the movement for points;
//! `resort_id` narrows any of them.

use super::error::{ApiError, locale_of};
use super::query::Params;
use super::{ApiResult, json_response, parse_id};
use crate::app::AppState;
use crate::reports::{self, Range, Table};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::{Days, NaiveDate};
use resort_core::id::{EmployeeId, ResortId};
use std::collections::HashMap;

/// The report's range: `from`/`to` or the defaults (`to` is `from` + `default_days` - 1).
fn range(params: &Params, default_from: NaiveDate, default_days: u64) -> Result<Range, ApiError> {
    let from = params.date("from")?.unwrap_or(default_from);
    let to = params.date("to")?.unwrap_or(from + Days::new(default_days - 1));
    if to < from || (to - from).num_days() >= reports::MAX_DAYS {
        return Err(ApiError::invalid_range("to"));
    }
    let resort_id = params.parsed("resort_id", ResortId::parse)?;
    Ok(Range { from, to, resort_id })
}

fn csv(name: &str, range: &Range, table: Table) -> ApiResult {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let write = |writer: &mut csv::Writer<Vec<u8>>| -> Result<(), csv::Error> {
        writer.write_record(&table.header)?;
        for row in &table.rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
        Ok(())
    };
    write(&mut writer).map_err(|error| ApiError::internal(&error))?;
    let body = writer.into_inner().map_err(|error| ApiError::internal(error.error()))?;
    let file = format!("attachment; filename=\"{name}-{}-{}.csv\"", range.from, range.to);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, file)],
        body,
    )
        .into_response())
}

const RANGE_PARAMETERS: &[&str] = &["from", "to", "resort_id"];

#[derive(Clone, Copy)]
enum Report {
    Bookings,
    Occupancy,
    Points,
}

type Request = (State<AppState>, HeaderMap, Query<HashMap<String, String>>);

/// One report: its range from the query (the next 60 days, or the last 31 for points), its table
/// in the reader's language, as CSV.
async fn serve((State(state), headers, Query(query)): Request, report: Report) -> ApiResult {
    let params = Params::only(query, RANGE_PARAMETERS)?;
    let today = state.clock.today();
    let range = match report {
        Report::Points => range(&params, today - Days::new(30), 31)?,
        Report::Bookings | Report::Occupancy => range(&params, today, 60)?,
    };
    let locale = locale_of(&headers);
    let (name, table) = match report {
        Report::Bookings => ("bookings", reports::bookings(&state.pool, range, locale).await?),
        Report::Occupancy => ("occupancy", reports::occupancy(&state.pool, range, locale).await?),
        Report::Points => ("points", reports::points(&state.pool, range, locale).await?),
    };
    csv(name, &range, table)
}

pub async fn bookings(state: State<AppState>, headers: HeaderMap, query: Query<HashMap<String, String>>) -> ApiResult {
    serve((state, headers, query), Report::Bookings).await
}

pub async fn occupancy(state: State<AppState>, headers: HeaderMap, query: Query<HashMap<String, String>>) -> ApiResult {
    serve((state, headers, query), Report::Occupancy).await
}

pub async fn points(state: State<AppState>, headers: HeaderMap, query: Query<HashMap<String, String>>) -> ApiResult {
    serve((state, headers, query), Report::Points).await
}

/// An employee's points ledger, newest first, a page at a time: `{"items", "next_cursor"}`.
pub async fn ledger(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let employee_id = parse_id(&id, EmployeeId::parse)?;
    crate::identity::get_employee(&state.pool, employee_id).await?.ok_or_else(ApiError::not_found)?;
    let params = Params::only(query, &["limit", "cursor"])?;
    let limit = params.limit()?;
    let before = params.parsed("cursor", |cursor| {
        let (at, id) = cursor.split_once('_')?;
        Some((at.parse::<i64>().ok()?, id.to_owned()))
    })?;
    let mut items = resort_workers::point::ledger(&state.pool, employee_id, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|last| format!("{}_{}", last.at, last.id))
    } else {
        None
    };
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|entry| {
            serde_json::json!({ "id": entry.id, "at": resort_core::clock::rfc3339(entry.at), "kind": entry.kind, "delta": entry.delta,
                "balance_after": entry.balance_after, "booking_id": entry.booking_id, "reason": entry.reason })
        })
        .collect();
    json_response(StatusCode::OK, &serde_json::json!({ "items": items, "next_cursor": next_cursor }))
}
