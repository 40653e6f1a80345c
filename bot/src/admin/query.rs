//! Query parameters as the admin API reads them: only the ones a route names (anything else is a
//! 400 naming it, so a mistyped filter never silently returns everything), each read strictly.

use super::error::ApiError;
use chrono::NaiveDate;
use std::collections::HashMap;

pub struct Params(HashMap<String, String>);

/// A page's size: 50 unless asked, 1 to 200.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

impl Params {
    /// The parameters, refusing any not in `allowed`.
    pub fn only(query: HashMap<String, String>, allowed: &[&str]) -> Result<Self, ApiError> {
        Self::only_with(query, allowed, &[])
    }

    /// [`Params::only`] for a list: its filters and `limit` and `cursor`.
    pub fn list(query: HashMap<String, String>, filters: &[&str]) -> Result<Self, ApiError> {
        Self::only_with(query, filters, PAGING)
    }

    fn only_with(query: HashMap<String, String>, allowed: &[&str], more: &[&str]) -> Result<Self, ApiError> {
        let known = |key: &String| allowed.contains(&key.as_str()) || more.contains(&key.as_str());
        if let Some(unknown) = query.keys().find(|key| !known(key)) {
            return Err(ApiError::invalid_parameter(unknown));
        }
        Ok(Self(query))
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.parsed(name, |text| resort_core::stay::parse_date(text).ok())
    }

    pub fn parsed<T>(&self, name: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
        match self.text(name) {
            Some(text) => parse(text).map(Some).ok_or_else(|| ApiError::invalid_parameter(name)),
            None => Ok(None),
        }
    }

    /// `limit`, within 1 to [`MAX_LIMIT`].
    pub fn limit(&self) -> Result<i64, ApiError> {
        let limit = self.parsed("limit", |text| text.parse::<i64>().ok())?.unwrap_or(DEFAULT_LIMIT);
        if (1..=MAX_LIMIT).contains(&limit) { Ok(limit) } else { Err(ApiError::invalid_parameter("limit")) }
    }
}

impl Params {
    /// `cursor` as `<millis>_<id>`: where the previous page of a list kept in time order ended.
    pub fn keyset(&self) -> Result<Option<(i64, String)>, ApiError> {
        self.parsed("cursor", |cursor| {
            let (at, id) = cursor.split_once('_')?;
            Some((at.parse::<i64>().ok()?, id.to_owned())).filter(|(_, id)| !id.is_empty())
        })
    }
}

/// The shape of every list: `{"items": [...], "next_cursor": "…" | null}`. `rows` are up to
/// `limit + 1` rows read after the cursor; the extra one only says there is a next page, whose
/// cursor `cursor_of` makes from this page's last row.
pub fn page<T: serde::Serialize>(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> super::ApiResult {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_cursor = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        rows.last().map(&cursor_of)
    });
    super::json_response(
        axum::http::StatusCode::OK,
        &serde_json::json!({ "items": rows, "next_cursor": next_cursor.flatten() }),
    )
}

/// A page of a short list read whole (resorts, room types, blackouts, managers, lotteries,
/// employees, the waitlist): the cursor is the position the next page starts at, `p<N>`. A list
/// that changes between pages may show an item twice or skip one, which is fine for lists an
/// admin reads; the long ones (bookings, the audit trail, dead letters, the ledger) page by key.
pub fn page_of_all<T: serde::Serialize>(items: Vec<T>, params: &Params) -> super::ApiResult {
    let limit = params.limit()?;
    let start = params.parsed("cursor", |cursor| cursor.strip_prefix('p')?.parse::<usize>().ok())?.unwrap_or(0);
    let size = usize::try_from(limit).unwrap_or(0);
    let rest = items.len().saturating_sub(start);
    let next_cursor = (rest > size).then(|| format!("p{}", start + size));
    let rows: Vec<T> = items.into_iter().skip(start).take(size).collect();
    super::json_response(axum::http::StatusCode::OK, &serde_json::json!({ "items": rows, "next_cursor": next_cursor }))
}

/// Parameters every list takes besides its filters.
pub const PAGING: &[&str] = &["limit", "cursor"];

/// The inclusive days `from`..=`to` as the instants `[from 00:00, the day after to 00:00)` in
/// Korean time, for filters on when something happened.
pub fn day_range(params: &Params) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let start_of = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|moment| moment.and_local_timezone(resort_core::clock::korea()).single())
            .map(|moment| moment.timestamp_millis())
    };
    let from = params.date("from")?.and_then(start_of);
    let until = params.date("to")?.and_then(|day| day.succ_opt()).and_then(start_of);
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        return Err(ApiError::invalid_range("to"));
    }
    Ok((from, until))
}
