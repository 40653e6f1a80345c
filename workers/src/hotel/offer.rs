//! Offers of freed rooms to the waitlist, made by the hotel in the transaction that freed them.
//!
//! The waitlist itself is the booking side's (`waitlist_entry`); the hotel reads its waiting
//! entries in the order they joined and, for the first whose whole stay now fits, takes the
//! nights exactly as a hold would and records a `room_offer`. So the room counts as held from
//! the moment it frees: a direct booking cannot take it, and no two people are offered it. An
//! entry is offered at most once (`room_offer.waitlist_entry_id` is unique). The booking side
//! hears `hotel.offered`; it answers with the accepted booking's `hotel.hold` (the offer becomes
//! the hold, [`take`]) or `hotel.pass` (the nights go to the next entry, [`pass`]).

use super::{Freed, Room, give_back_stay, take_nights};
use resort_core::db::Connection;
use resort_core::id::{BookingId, ResortId, RoomTypeId};
use resort_core::message::HotelOffered;
use resort_core::stay::{Stay, parse_date};
use sqlx::Row;

/// How many waiting entries one freeing looks at: the front of the queue.
const LOOK_AT: i64 = 200;

/// Offers what came free to the waiting entries whose stays share its nights, first come first
/// served, as long as rooms are left: the offers made.
pub(crate) async fn freed(
    connection: &mut Connection,
    freed: &Freed,
    now: i64,
) -> Result<Vec<HotelOffered>, sqlx::Error> {
    let Some(rooms) = sqlx::query_scalar::<_, i64>("SELECT rooms FROM room_type WHERE id = $1")
        .bind(&freed.room_type_id)
        .fetch_optional(&mut *connection)
        .await?
    else {
        return Ok(Vec::new());
    };
    let room = Room { room_type_id: freed.room_type_id.clone(), resort_id: freed.resort_id.clone(), rooms };
    let waiting = sqlx::query(
        "SELECT id, check_in, nights FROM waitlist_entry w
         WHERE room_type_id = $1 AND status = 'waiting' AND check_in < $2
           AND NOT EXISTS (SELECT 1 FROM room_offer o WHERE o.waitlist_entry_id = w.id)
         ORDER BY joined_at, joined_order, id LIMIT $3",
    )
    .bind(&freed.room_type_id)
    .bind(freed.stay.check_out().to_string())
    .bind(LOOK_AT)
    .fetch_all(&mut *connection)
    .await?;
    let mut offers = Vec::new();
    for row in waiting {
        let entry_id: String = row.try_get("id")?;
        let check_in: String = row.try_get("check_in")?;
        let nights: i64 = row.try_get("nights")?;
        let (Ok(check_in), Ok(nights)) = (parse_date(&check_in), u32::try_from(nights)) else { continue };
        let stay = Stay { check_in, nights };
        let shares_a_night = stay.check_in < freed.stay.check_out() && freed.stay.check_in < stay.check_out();
        if !shares_a_night || take_nights(connection, &room, stay, now).await?.is_err() {
            continue;
        }
        let offer_id = BookingId::new();
        sqlx::query(
            "INSERT INTO room_offer (id, waitlist_entry_id, resort_id, room_type_id, check_in, nights, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)",
        )
        .bind(offer_id.to_string())
        .bind(&entry_id)
        .bind(&room.resort_id)
        .bind(&room.room_type_id)
        .bind(stay.check_in.to_string())
        .bind(i64::from(stay.nights))
        .bind(now)
        .execute(&mut *connection)
        .await?;
        let (Some(resort_id), Some(room_type_id)) =
            (ResortId::parse(&room.resort_id), RoomTypeId::parse(&room.room_type_id))
        else {
            continue;
        };
        offers.push(HotelOffered {
            offer_id,
            waitlist_entry_id: entry_id,
            resort_id,
            room_type_id,
            check_in: stay.check_in,
            nights: stay.nights,
        });
    }
    Ok(offers)
}

/// Turns an open offer into the accepted booking's hold: `true` if `booking_id` was one, its
/// nights being held already.
pub(crate) async fn take(connection: &mut Connection, booking_id: BookingId, now: i64) -> Result<bool, sqlx::Error> {
    let taken =
        sqlx::query("UPDATE room_offer SET status = 'taken', updated_at = $2 WHERE id = $1 AND status = 'open'")
            .bind(booking_id.to_string())
            .bind(now)
            .execute(&mut *connection)
            .await?
            .rows_affected();
    Ok(taken == 1)
}

/// Passes an open offer on: its nights are given back and offered to the next entries. Nothing
/// if the offer is not open (a repeated pass, or one that was taken).
pub(crate) async fn pass(
    connection: &mut Connection,
    offer_id: BookingId,
    now: i64,
) -> Result<Vec<HotelOffered>, sqlx::Error> {
    let passed =
        sqlx::query("UPDATE room_offer SET status = 'passed', updated_at = $2 WHERE id = $1 AND status = 'open'")
            .bind(offer_id.to_string())
            .bind(now)
            .execute(&mut *connection)
            .await?
            .rows_affected();
    if passed == 0 {
        return Ok(Vec::new());
    }
    let row = sqlx::query("SELECT resort_id, room_type_id, check_in, nights FROM room_offer WHERE id = $1")
        .bind(offer_id.to_string())
        .fetch_one(&mut *connection)
        .await?;
    let given_back = give_back_stay(connection, &row, now).await?;
    freed(connection, &given_back, now).await
}
