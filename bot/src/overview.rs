//! The dashboard's figures, worked out here so a page needs one answer, not one request per
//! booking or per person: rooms held per night for every resort and room type, bookings per day
//! by outcome, points spent per resort, and how long approvals take.
//!
//! [`fingerprint`] is a cheap summary of everything the figures depend on; the dashboard's event
//! stream sends new figures only when it moves. It reads the database, so it sees the work of
//! every process (the read model and the workers may run elsewhere).

use crate::catalog;
use resort_core::booking::BookingStatus;
use resort_core::clock::korea;
use resort_core::db::Pool;
use resort_core::id::{ResortId, RoomTypeId};
use resort_core::saga::step;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Nights the heat map covers, from today.
pub const HEAT_MAP_DAYS: u32 = 60;
/// Days back the per-day, per-resort and approval figures cover, today included.
pub const RECENT_DAYS: i64 = 30;

#[derive(Debug, Serialize)]
pub struct Overview {
    pub today: chrono::NaiveDate,
    pub occupancy: Vec<ResortOccupancy>,
    pub bookings_per_day: Vec<DayOutcomes>,
    pub points_per_resort: Vec<ResortPoints>,
    pub approval: Vec<ApprovalTime>,
    pub dead_letters: i64,
    /// Movements in the points ledger so far: when it moves, balances have.
    pub ledger_entries: i64,
}

#[derive(Debug, Serialize)]
pub struct ResortOccupancy {
    pub resort_id: ResortId,
    pub name: String,
    /// Rooms of every type together, and held per night across them.
    pub rooms: i64,
    pub nights: Vec<NightHeld>,
    pub room_types: Vec<RoomTypeOccupancy>,
}

#[derive(Debug, Serialize)]
pub struct RoomTypeOccupancy {
    pub room_type_id: RoomTypeId,
    pub name: String,
    pub rooms: i64,
    pub nights: Vec<NightHeld>,
}

#[derive(Debug, Serialize)]
pub struct NightHeld {
    pub night: chrono::NaiveDate,
    pub held: i64,
}

/// Bookings asked for on one day, by where they stand now.
#[derive(Debug, Default, Serialize)]
pub struct DayOutcomes {
    pub day: chrono::NaiveDate,
    pub confirmed: i64,
    pub pending: i64,
    pub rejected: i64,
    pub cancelled: i64,
}

/// Points kept by a resort's bookings asked for recently: the price of those that stand, what
/// a cancel did not give back.
#[derive(Debug, Serialize)]
pub struct ResortPoints {
    pub resort_id: ResortId,
    pub name: String,
    pub points: i64,
    pub bookings: i64,
}

/// From the room being held to the decision, for decided bookings asked for recently.
#[derive(Debug, Serialize)]
pub struct ApprovalTime {
    pub resort_id: ResortId,
    pub name: String,
    pub decided: i64,
    pub median_minutes: f64,
    pub max_minutes: f64,
}

/// Held rooms per night for every resort and each of its room types, `days` from `from`.
pub async fn occupancy(pool: &Pool, from: chrono::NaiveDate, days: u32) -> Result<Vec<ResortOccupancy>, sqlx::Error> {
    let mut occupancy = Vec::new();
    for resort in catalog::list(pool).await? {
        let mut room_types = Vec::with_capacity(resort.room_types.len());
        for room_type in &resort.room_types {
            let held: HashMap<_, _> =
                resort_workers::hotel::held_per_night(pool, &room_type.id.to_string(), from, days)
                    .await?
                    .into_iter()
                    .collect();
            let nights = from
                .iter_days()
                .take(days as usize)
                .map(|night| NightHeld { night, held: held.get(&night).copied().unwrap_or(0) })
                .collect();
            room_types.push(RoomTypeOccupancy {
                room_type_id: room_type.id,
                name: room_type.name.clone(),
                rooms: room_type.rooms,
                nights,
            });
        }
        let nights = from
            .iter_days()
            .take(days as usize)
            .enumerate()
            .map(|(index, night)| NightHeld {
                night,
                held: room_types.iter().map(|room_type| room_type.nights[index].held).sum(),
            })
            .collect();
        occupancy.push(ResortOccupancy {
            resort_id: resort.id,
            name: resort.name,
            rooms: resort.rooms,
            nights,
            room_types,
        });
    }
    Ok(occupancy)
}

/// The first instant of the Korean day `days_back` days before `today`.
fn start_of(today: chrono::NaiveDate, days_back: i64) -> i64 {
    (today - chrono::Days::new(u64::try_from(days_back).unwrap_or(0)))
        .and_hms_opt(0, 0, 0)
        .and_then(|moment| moment.and_local_timezone(korea()).single())
        .map_or(0, |moment| moment.timestamp_millis())
}

fn korean_day(millis: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default().with_timezone(&korea()).date_naive()
}

pub async fn overview(pool: &Pool, today: chrono::NaiveDate) -> Result<Overview, sqlx::Error> {
    let since = start_of(today, RECENT_DAYS - 1);
    let rows = sqlx::query(
        "SELECT id, resort_id, resort_name, status, points, refund_points, created_at FROM booking WHERE created_at >= $1",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    let mut per_day: BTreeMap<chrono::NaiveDate, DayOutcomes> = (0..RECENT_DAYS)
        .rev()
        .map(|back| today - chrono::Days::new(u64::try_from(back).unwrap_or(0)))
        .map(|day| (day, DayOutcomes { day, ..DayOutcomes::default() }))
        .collect();
    let mut per_resort: BTreeMap<String, ResortPoints> = BTreeMap::new();
    let mut resort_of: HashMap<String, (ResortId, String)> = HashMap::new();
    for row in &rows {
        let status: String = row.try_get("status")?;
        let status = BookingStatus::parse(&status).unwrap_or(BookingStatus::Requested);
        let points: i64 = row.try_get("points")?;
        let refund: Option<i64> = row.try_get("refund_points")?;
        let resort_text: String = row.try_get("resort_id")?;
        let Some(resort_id) = ResortId::parse(&resort_text) else { continue };
        let name: String = row.try_get("resort_name")?;
        resort_of.insert(row.try_get("id")?, (resort_id, name.clone()));
        if let Some(day) = per_day.get_mut(&korean_day(row.try_get("created_at")?)) {
            match status {
                BookingStatus::Confirmed => day.confirmed += 1,
                BookingStatus::Rejected => day.rejected += 1,
                BookingStatus::Cancelling | BookingStatus::Cancelled => day.cancelled += 1,
                BookingStatus::Requested | BookingStatus::PointsDeducted | BookingStatus::AwaitingApproval => {
                    day.pending += 1
                }
            }
        }
        let kept = match status {
            BookingStatus::Rejected | BookingStatus::Requested => 0,
            BookingStatus::Cancelling | BookingStatus::Cancelled => points - refund.unwrap_or(points),
            BookingStatus::PointsDeducted | BookingStatus::AwaitingApproval | BookingStatus::Confirmed => points,
        };
        let entry =
            per_resort.entry(resort_text).or_insert_with(|| ResortPoints { resort_id, name, points: 0, bookings: 0 });
        entry.points += kept;
        entry.bookings += 1;
    }
    Ok(Overview {
        today,
        occupancy: occupancy(pool, today, HEAT_MAP_DAYS).await?,
        bookings_per_day: per_day.into_values().collect(),
        points_per_resort: per_resort.into_values().collect(),
        approval: approval_times(pool, since, &resort_of).await?,
        dead_letters: sqlx::query("SELECT COUNT(*) AS n FROM dead_letter WHERE replayed_at IS NULL")
            .fetch_one(pool)
            .await?
            .try_get("n")?,
        ledger_entries: sqlx::query("SELECT COUNT(*) AS n FROM point_ledger").fetch_one(pool).await?.try_get("n")?,
    })
}

async fn approval_times(
    pool: &Pool,
    since: i64,
    resort_of: &HashMap<String, (ResortId, String)>,
) -> Result<Vec<ApprovalTime>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.booking_id, s.step, s.created_at FROM saga_step s JOIN booking b ON b.id = s.booking_id \
         WHERE b.created_at >= $1 AND s.step IN ($2, $3, $4)",
    )
    .bind(since)
    .bind("hotel.held")
    .bind(step::MANAGER_APPROVED)
    .bind(step::MANAGER_REJECTED)
    .fetch_all(pool)
    .await?;
    let mut held: HashMap<String, i64> = HashMap::new();
    let mut decided: HashMap<String, i64> = HashMap::new();
    for row in &rows {
        let booking: String = row.try_get("booking_id")?;
        let step: String = row.try_get("step")?;
        let at: i64 = row.try_get("created_at")?;
        let slot = if step == "hotel.held" { &mut held } else { &mut decided };
        slot.entry(booking).and_modify(|first| *first = (*first).min(at)).or_insert(at);
    }
    let mut per_resort: BTreeMap<String, (ResortId, String, Vec<f64>)> = BTreeMap::new();
    for (booking, decided_at) in decided {
        let (Some(held_at), Some((resort_id, name))) = (held.get(&booking), resort_of.get(&booking)) else { continue };
        let minutes = (decided_at - held_at).max(0) as f64 / 60_000.0;
        per_resort
            .entry(resort_id.to_string())
            .or_insert_with(|| (*resort_id, name.clone(), Vec::new()))
            .2
            .push(minutes);
    }
    Ok(per_resort
        .into_values()
        .map(|(resort_id, name, mut minutes)| {
            minutes.sort_by(f64::total_cmp);
            ApprovalTime {
                resort_id,
                name,
                decided: minutes.len() as i64,
                median_minutes: median(&minutes),
                max_minutes: minutes.last().copied().unwrap_or(0.0),
            }
        })
        .collect())
}

/// The middle of sorted values (the mean of the two middle ones for an even count).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Moves whenever a figure could: a booking changes, a room type's rooms change, a message is
/// parked or replayed, points move.
pub async fn fingerprint(pool: &Pool) -> Result<String, sqlx::Error> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM booking) AS bookings, (SELECT COALESCE(MAX(updated_at), 0) FROM booking) AS booking_at, \
         (SELECT CAST(COALESCE(SUM(held), 0) AS BIGINT) FROM room_night) AS held, \
         (SELECT COALESCE(MAX(updated_at), 0) FROM room_type) AS room_type_at, \
         (SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL) AS dead, \
         (SELECT COUNT(*) FROM point_ledger) AS ledger",
    )
    .fetch_one(pool)
    .await?;
    Ok(format!(
        "{}:{}:{}:{}:{}:{}",
        row.try_get::<i64, _>("bookings")?,
        row.try_get::<i64, _>("booking_at")?,
        row.try_get::<i64, _>("held")?,
        row.try_get::<i64, _>("room_type_at")?,
        row.try_get::<i64, _>("dead")?,
        row.try_get::<i64, _>("ledger")?
    ))
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_or_the_mean_of_the_two_middles() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), 3.0);
    }
}
