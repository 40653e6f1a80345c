//! The yearly limits (gateway-owned table `booking_policy`): how many stays and nights an
//! employee may check in to per calendar year across all resorts, and whether a late cancel of
//! theirs still counts. One row, replaced whole by `PUT /api/v1/policy`; a resort adds its own
//! `yearly_stays_per_employee`. What counts is read here, from the bookings; the rules in core
//! decide.

use crate::catalog::Resort;
use chrono::{Datelike, NaiveDate};
use resort_core::db::Pool;
use resort_core::id::{EmployeeId, ResortId};
use resort_core::rules::{Counted, Limits};
use serde::{Deserialize, Serialize};

/// The company-wide limits, as `GET /api/v1/policy` shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearlyPolicy {
    pub yearly_stays: Option<u32>,
    pub yearly_nights: Option<u32>,
    /// Whether a stay the employee cancelled late still counts (admin cancels never do).
    pub late_cancel_counts: bool,
}

impl YearlyPolicy {
    /// The first field out of range.
    pub fn invalid_field(&self) -> Option<&'static str> {
        if self.yearly_stays.is_some_and(|stays| !(1..=366).contains(&stays)) {
            return Some("yearly_stays");
        }
        if self.yearly_nights.is_some_and(|nights| !(1..=366).contains(&nights)) {
            return Some("yearly_nights");
        }
        None
    }

    /// The limits a request at `resort` is held to.
    pub fn limits_at(&self, resort: &Resort) -> Limits {
        Limits {
            yearly_stays: self.yearly_stays,
            yearly_nights: self.yearly_nights,
            resort_yearly_stays: resort.yearly_stays_per_employee,
        }
    }
}

pub async fn get(pool: &Pool) -> Result<YearlyPolicy, sqlx::Error> {
    let row: Option<(Option<i64>, Option<i64>, i64)> =
        sqlx::query_as("SELECT yearly_stays, yearly_nights, late_cancel_counts FROM booking_policy WHERE id = 1")
            .fetch_optional(pool)
            .await?;
    Ok(row.map_or_else(YearlyPolicy::default, |(stays, nights, late)| YearlyPolicy {
        yearly_stays: stays.and_then(|stays| u32::try_from(stays).ok()),
        yearly_nights: nights.and_then(|nights| u32::try_from(nights).ok()),
        late_cancel_counts: resort_core::db::flag(late),
    }))
}

pub async fn put(pool: &Pool, policy: YearlyPolicy, now: i64) -> Result<YearlyPolicy, sqlx::Error> {
    sqlx::query(
        "INSERT INTO booking_policy (id, yearly_stays, yearly_nights, late_cancel_counts, created_at, updated_at)
         VALUES (1, $1, $2, $3, $4, $4)
         ON CONFLICT (id) DO UPDATE SET yearly_stays = excluded.yearly_stays, yearly_nights = excluded.yearly_nights,
            late_cancel_counts = excluded.late_cancel_counts, updated_at = excluded.updated_at",
    )
    .bind(policy.yearly_stays.map(i64::from))
    .bind(policy.yearly_nights.map(i64::from))
    .bind(i64::from(policy.late_cancel_counts))
    .bind(now)
    .execute(pool)
    .await?;
    crate::catalog::changed(pool).await?;
    get(pool).await
}

/// The employee's stays a limit counts, checking in from the start of `today`'s year on:
/// active and confirmed bookings, and their own late cancels when the policy counts those.
pub async fn counted(
    pool: &Pool,
    employee_id: EmployeeId,
    resort_id: ResortId,
    policy: &YearlyPolicy,
    today: NaiveDate,
) -> Result<Vec<Counted>, sqlx::Error> {
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT reference, check_in, nights, resort_id FROM booking
         WHERE employee_id = $1 AND check_in >= $2
           AND (status IN ('requested', 'points_deducted', 'awaiting_approval', 'confirmed')
                OR (status IN ('cancelling', 'cancelled') AND late_cancel = 1 AND $3 = 1))
         ORDER BY check_in, reference",
    )
    .bind(employee_id.to_string())
    .bind(year_start.to_string())
    .bind(i64::from(policy.late_cancel_counts))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(reference, check_in, nights, resort)| {
            Some(Counted {
                reference,
                check_in: resort_core::stay::parse_date(&check_in).ok()?,
                nights: u32::try_from(nights).ok()?,
                here: resort == resort_id.to_string(),
            })
        })
        .collect())
}
