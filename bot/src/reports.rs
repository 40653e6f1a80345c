//! Reports for the welfare team's spreadsheets: bookings by check-in, occupancy per night and
//! room type, and the points ledger, as rows of text in the reader's language. The admin API
//! writes them as CSV (`admin::reports`).

use crate::catalog;
use crate::conversation::render;
use chrono::NaiveDate;
use resort_core::booking::{BookingStatus, RejectReason};
use resort_core::clock::{korea, rfc3339};
use resort_core::db::Pool;
use resort_core::i18n::Locale;
use resort_core::id::ResortId;
use resort_core::stay::Stay;
use sqlx::Row;

/// Days one report covers at most.
pub const MAX_DAYS: i64 = 366;

/// What a report covers: dates (inclusive) and maybe one resort.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub resort_id: Option<ResortId>,
}

/// A report: its column names and rows, all text.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn header(locale: Locale, key: &str) -> Vec<String> {
    locale.text(key).split(',').map(|name| name.trim().to_owned()).collect()
}

/// The first instant of `day` and of the day after `to`, in Korean time (Unix milliseconds).
fn day_bounds(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let start = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|midnight| midnight.and_local_timezone(korea()).single())
            .map_or(0, |at| at.timestamp_millis())
    };
    (start(from), to.succ_opt().map_or(i64::MAX, start))
}

/// Every booking checking in within the range, by check-in.
pub async fn bookings(pool: &Pool, range: Range, locale: Locale) -> Result<Table, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT b.reference, b.status, b.reason, b.origin, e.employee_no, e.name, b.resort_name, b.room_type_name,
                b.check_in, b.nights, b.guests, b.points, b.refund_points, b.created_at
         FROM booking b LEFT JOIN employee e ON e.id = b.employee_id
         WHERE b.check_in >= $1 AND b.check_in <= $2 AND (CAST($3 AS TEXT) IS NULL OR b.resort_id = $3)
         ORDER BY b.check_in, b.created_at, b.id",
    )
    .bind(range.from.to_string())
    .bind(range.to.to_string())
    .bind(range.resort_id.map(|id| id.to_string()))
    .fetch_all(pool)
    .await?;
    let mut table = Table { header: header(locale, "report-bookings-header"), rows: Vec::new() };
    for row in rows {
        let status: String = row.try_get("status")?;
        let reason: Option<String> = row.try_get("reason")?;
        let check_in: String = row.try_get("check_in")?;
        let nights: i64 = row.try_get("nights")?;
        let check_out = resort_core::stay::parse_date(&check_in)
            .ok()
            .map(|day| Stay { check_in: day, nights: u32::try_from(nights).unwrap_or(0) }.check_out().to_string())
            .unwrap_or_default();
        let refund: Option<i64> = row.try_get("refund_points")?;
        let employee_no: Option<String> = row.try_get("employee_no")?;
        let name: Option<String> = row.try_get("name")?;
        let room_type: Option<String> = row.try_get("room_type_name")?;
        let guests: i64 = row.try_get("guests")?;
        let points: i64 = row.try_get("points")?;
        table.rows.push(vec![
            row.try_get("reference")?,
            BookingStatus::parse(&status).map_or(status, |status| render::status(locale, status)),
            reason
                .as_deref()
                .and_then(RejectReason::parse)
                .map(|reason| render::reason(locale, reason))
                .unwrap_or_default(),
            row.try_get("origin")?,
            employee_no.unwrap_or_default(),
            name.unwrap_or_default(),
            row.try_get("resort_name")?,
            room_type.unwrap_or_default(),
            check_in,
            check_out,
            nights.to_string(),
            guests.to_string(),
            points.to_string(),
            refund.map(|refund| refund.to_string()).unwrap_or_default(),
            rfc3339(row.try_get("created_at")?),
        ]);
    }
    Ok(table)
}

/// Rooms held and free per night, resort and room type.
pub async fn occupancy(pool: &Pool, range: Range, locale: Locale) -> Result<Table, sqlx::Error> {
    let mut table = Table { header: header(locale, "report-occupancy-header"), rows: Vec::new() };
    let days = u32::try_from((range.to - range.from).num_days() + 1).unwrap_or(0);
    for resort in catalog::list(pool).await? {
        if range.resort_id.is_some_and(|id| id != resort.id) {
            continue;
        }
        for room_type in &resort.room_types {
            let held: std::collections::HashMap<NaiveDate, i64> =
                resort_workers::hotel::held_per_night(pool, &room_type.id.to_string(), range.from, days)
                    .await?
                    .into_iter()
                    .collect();
            for night in range.from.iter_days().take(days as usize) {
                let taken = held.get(&night).copied().unwrap_or(0);
                table.rows.push(vec![
                    night.to_string(),
                    resort.name.clone(),
                    room_type.display_name(locale),
                    room_type.rooms.to_string(),
                    taken.to_string(),
                    (room_type.rooms - taken).max(0).to_string(),
                ]);
            }
        }
    }
    Ok(table)
}

/// The points ledger within the range (by the day of each movement, Korean time), oldest first;
/// with a resort, only movements of its bookings. One query: the ledger with who and which booking.
pub async fn points(pool: &Pool, range: Range, locale: Locale) -> Result<Table, sqlx::Error> {
    let (from, until) = day_bounds(range.from, range.to);
    let rows = sqlx::query(
        "SELECT l.created_at, l.kind, l.delta, l.balance_after, l.reason, e.employee_no, e.name, b.reference, b.resort_name
         FROM point_ledger l LEFT JOIN employee e ON e.id = l.employee_id LEFT JOIN booking b ON b.id = l.booking_id
         WHERE l.created_at >= $1 AND l.created_at < $2 AND (CAST($3 AS TEXT) IS NULL OR b.resort_id = $3)
         ORDER BY l.created_at, l.id",
    )
    .bind(from)
    .bind(until)
    .bind(range.resort_id.map(|id| id.to_string()))
    .fetch_all(pool)
    .await?;
    let mut table = Table { header: header(locale, "report-points-header"), rows: Vec::new() };
    for row in rows {
        let kind: String = row.try_get("kind")?;
        let text = |column: &str| -> Result<String, sqlx::Error> {
            Ok(row.try_get::<Option<String>, _>(column)?.unwrap_or_default())
        };
        let delta: i64 = row.try_get("delta")?;
        let balance_after: i64 = row.try_get("balance_after")?;
        table.rows.push(vec![
            rfc3339(row.try_get("created_at")?),
            text("employee_no")?,
            text("name")?,
            locale.text(&format!("ledger-kind-{kind}")),
            delta.to_string(),
            balance_after.to_string(),
            text("reference")?,
            text("resort_name")?,
            row.try_get("reason")?,
        ]);
    }
    Ok(table)
}
