//! Blackout periods (gateway-owned table `blackout`): nights a resort takes no stays, with the
//! reason people are told.

use super::{CatalogError, InvalidField};
use resort_core::db::Pool;
use resort_core::id::ResortId;
pub use resort_core::rules::Blackout;
use serde::Deserialize;
use std::collections::HashMap;

/// A resort's blackout periods, earliest first.
pub async fn blackouts(pool: &Pool, resort_id: ResortId) -> Result<Vec<Blackout>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT resort_id, id, from_night, to_night, reason FROM blackout WHERE resort_id = $1 ORDER BY from_night, id",
    )
    .bind(resort_id.to_string())
    .fetch_all(pool)
    .await?;
    Ok(decode(rows)?.remove(&resort_id).unwrap_or_default())
}

/// Every resort's blackout periods, each resort's earliest first.
pub async fn all_blackouts(pool: &Pool) -> Result<HashMap<ResortId, Vec<Blackout>>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT resort_id, id, from_night, to_night, reason FROM blackout ORDER BY from_night, id")
            .fetch_all(pool)
            .await?;
    decode(rows)
}

fn decode(
    rows: Vec<(String, String, String, String, String)>,
) -> Result<HashMap<ResortId, Vec<Blackout>>, sqlx::Error> {
    let malformed = |what: &str| sqlx::Error::Decode(format!("blackout {what} is malformed").into());
    let mut by_resort: HashMap<ResortId, Vec<Blackout>> = HashMap::new();
    for (resort_id, id, from, to, reason) in rows {
        let resort_id = ResortId::parse(&resort_id).ok_or_else(|| malformed("resort_id"))?;
        let date =
            |text: &str| resort_core::stay::parse_date(text).map_err(|error| sqlx::Error::Decode(Box::new(error)));
        by_resort.entry(resort_id).or_default().push(Blackout { id, from: date(&from)?, to: date(&to)?, reason });
    }
    Ok(by_resort)
}

/// A blackout period as an admin adds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBlackout {
    pub from: String,
    pub to: String,
    pub reason: String,
}

pub async fn add_blackout(
    pool: &Pool,
    resort_id: ResortId,
    new: NewBlackout,
    now: i64,
) -> Result<Blackout, CatalogError> {
    let from = resort_core::stay::parse_date(&new.from).map_err(|_| CatalogError::Invalid(InvalidField("from")))?;
    let to = resort_core::stay::parse_date(&new.to).map_err(|_| CatalogError::Invalid(InvalidField("to")))?;
    if to < from {
        return Err(CatalogError::Invalid(InvalidField("to")));
    }
    let reason = new.reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        return Err(CatalogError::Invalid(InvalidField("reason")));
    }
    super::get(pool, resort_id).await?.ok_or(CatalogError::NotFound)?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO blackout (id, resort_id, from_night, to_night, reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(resort_id.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(reason)
    .bind(now)
    .execute(pool)
    .await?;
    super::changed(pool).await?;
    Ok(Blackout { id, from, to, reason: reason.to_owned() })
}

/// Removes a blackout period; `false` if the resort has none by that id.
pub async fn remove_blackout(pool: &Pool, resort_id: ResortId, blackout_id: &str) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM blackout WHERE id = $1 AND resort_id = $2")
        .bind(blackout_id)
        .bind(resort_id.to_string())
        .execute(pool)
        .await?
        .rows_affected();
    if removed == 1 {
        super::changed(pool).await?;
    }
    Ok(removed == 1)
}
