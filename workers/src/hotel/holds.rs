//! A batch of holds in four statements, however many: the bulk of the hotel's traffic.
//!
//! The hold rows go in first, in one insert that skips a booking already held (a repeated
//! command). The nights the new holds need are read at once; each hold is judged in the batch's
//! order against what the holds before it left, one room on every night or none, as
//! [`super::take_nights`] judges one. The nights taken are then added in one upsert, each row
//! guarded as the single upsert is (`held` grows only while it stays within the rooms), and the
//! rows of the holds that found a night full are removed in one delete. If a guard refuses a
//! row (another replica took the room meanwhile), the batch fails and goes message by message.

use chrono::NaiveDate;
use resort_core::db::{self, Connection};
use resort_core::inbox::HandleError;
use resort_core::message::{BookingRef, HotelConfirmed, HotelHold, HotelUnavailable, Message};
use resort_core::stay::{Stay, parse_date};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What each hold of the batch answers, in order (`None`: it was held before).
pub(super) async fn hold_all(
    connection: &mut Connection,
    holds: &[HotelHold],
    now: i64,
) -> Result<Vec<Option<Message>>, HandleError> {
    let mut new = insert_holds(connection, holds, now).await?;
    let mut held = held_now(connection, holds).await?;
    // Per (room type, night): the rooms the latest command says the type has, and the rooms the
    // batch adds.
    let mut taken: BTreeMap<(String, NaiveDate), (i64, i64)> = BTreeMap::new();
    let mut unavailable = Vec::new();
    let mut answers = Vec::with_capacity(holds.len());
    for hold in holds {
        // Taken out once judged, so a booking twice in one batch is held once.
        if !new.remove(&hold.booking_id.to_string()) {
            answers.push(None);
            continue;
        }
        let room_type_id = hold.room_type().to_string();
        let stay = Stay { check_in: hold.check_in, nights: hold.nights };
        let full = stay.nights().find(|night| {
            let key = (room_type_id.clone(), *night);
            held.get(&key).copied().unwrap_or(0) >= hold.rooms
        });
        if let Some(night) = full {
            unavailable.push(hold.booking_id.to_string());
            answers.push(Some(Message::HotelUnavailable(HotelUnavailable { booking_id: hold.booking_id, night })));
            continue;
        }
        for night in stay.nights() {
            *held.entry((room_type_id.clone(), night)).or_insert(0) += 1;
            let entry = taken.entry((room_type_id.clone(), night)).or_insert((hold.rooms, 0));
            *entry = (hold.rooms, entry.1 + 1);
        }
        answers.push(Some(if hold.auto_approve {
            Message::HotelConfirmed(HotelConfirmed { booking_id: hold.booking_id, decided_by: None })
        } else {
            Message::HotelHeld(BookingRef { booking_id: hold.booking_id })
        }));
    }
    let resorts: HashMap<String, String> =
        holds.iter().map(|hold| (hold.room_type().to_string(), hold.resort_id.to_string())).collect();
    add_nights(connection, &taken, &resorts, now).await?;
    remove_holds(connection, &unavailable).await?;
    Ok(answers)
}

/// Inserts the hold rows; the bookings whose row is new.
async fn insert_holds(
    connection: &mut Connection,
    holds: &[HotelHold],
    now: i64,
) -> Result<HashSet<String>, sqlx::Error> {
    let rows = db::values_rows(holds.len(), 8, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}");
    let sql = format!(
        "INSERT INTO room_hold (booking_id, resort_id, room_type_id, check_in, nights, status, created_at, updated_at)
         VALUES {rows} ON CONFLICT (booking_id) DO NOTHING RETURNING booking_id"
    );
    let mut query = sqlx::query_scalar::<_, String>(resort_core::db::formatted(connection, sql)).persistent(false);
    for hold in holds {
        query = query
            .bind(hold.booking_id.to_string())
            .bind(hold.resort_id.to_string())
            .bind(hold.room_type().to_string())
            .bind(hold.check_in.to_string())
            .bind(i64::from(hold.nights))
            .bind(if hold.auto_approve { "confirmed" } else { "pending" })
            .bind(now)
            .bind(now);
    }
    Ok(query.fetch_all(&mut *connection).await?.into_iter().collect())
}

/// The rooms held per (room type, night) over the nights the holds span.
async fn held_now(
    connection: &mut Connection,
    holds: &[HotelHold],
) -> Result<HashMap<(String, NaiveDate), i64>, sqlx::Error> {
    let types: std::collections::BTreeSet<String> = holds.iter().map(|hold| hold.room_type().to_string()).collect();
    let from = holds.iter().map(|hold| hold.check_in).min().unwrap_or_default();
    let until = holds
        .iter()
        .map(|hold| Stay { check_in: hold.check_in, nights: hold.nights }.check_out())
        .max()
        .unwrap_or_default();
    let placeholders = db::placeholders(types.len(), 3);
    let sql = format!(
        "SELECT room_type_id, night, held FROM room_night WHERE night >= $1 AND night < $2 AND room_type_id IN ({})",
        placeholders
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql))
        .persistent(false)
        .bind(from.to_string())
        .bind(until.to_string());
    for room_type_id in types {
        query = query.bind(room_type_id);
    }
    let mut held = HashMap::new();
    for row in query.fetch_all(&mut *connection).await? {
        let night: String = row.try_get("night")?;
        let night = parse_date(&night).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        held.insert((row.try_get("room_type_id")?, night), row.try_get("held")?);
    }
    Ok(held)
}

/// Adds the rooms taken, each night's row guarded like a single hold's: `held` grows only while
/// it stays within the rooms.
async fn add_nights(
    connection: &mut Connection,
    taken: &BTreeMap<(String, NaiveDate), (i64, i64)>,
    resorts: &HashMap<String, String>,
    now: i64,
) -> Result<(), HandleError> {
    if taken.is_empty() {
        return Ok(());
    }
    let rows = db::values_rows(taken.len(), 7, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}");
    let sql = format!(
        "INSERT INTO room_night (room_type_id, resort_id, night, rooms, held, created_at, updated_at) VALUES {rows}
         ON CONFLICT (room_type_id, night) DO UPDATE SET rooms = excluded.rooms, held = room_night.held + excluded.held, updated_at = excluded.updated_at
         WHERE room_night.held + excluded.held <= excluded.rooms"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(false);
    for ((room_type_id, night), (rooms, added)) in taken {
        query = query
            .bind(room_type_id.clone())
            .bind(resorts.get(room_type_id).cloned().unwrap_or_default())
            .bind(night.to_string())
            .bind(*rooms)
            .bind(*added)
            .bind(now)
            .bind(now);
    }
    let written = query.execute(&mut *connection).await?.rows_affected();
    if written != taken.len() as u64 {
        return Err(HandleError::Retry("a night's rooms were taken while the batch of holds was applied".into()));
    }
    Ok(())
}

async fn remove_holds(connection: &mut Connection, booking_ids: &[String]) -> Result<(), sqlx::Error> {
    if booking_ids.is_empty() {
        return Ok(());
    }
    let placeholders = db::placeholders(booking_ids.len(), 1);
    let sql = format!("DELETE FROM room_hold WHERE booking_id IN ({})", placeholders);
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(false);
    for id in booking_ids {
        query = query.bind(id.clone());
    }
    query.execute(&mut *connection).await?;
    Ok(())
}
