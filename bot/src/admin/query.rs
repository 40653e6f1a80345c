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
        if let Some(unknown) = query.keys().find(|key| !allowed.contains(&key.as_str())) {
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
