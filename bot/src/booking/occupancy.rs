//! How many rooms of a type are spoken for on each night, as acceptance sees it.
//!
//! The hotel worker's `room_night.held` trails the desk: a booking accepted a moment ago has no
//! hold until the hotel hears of it. Judged by the holds alone, a 09:00 rush accepts everyone
//! who asks before the first holds land, and the hotel then serves whoever its queue reaches
//! first, turning away people who were accepted earlier. So acceptance counts the desk's own
//! active bookings (`booking_night`, one row per night of each) as well, inside the transaction
//! that inserts the new one: the first accepted are the ones served, and someone turned away is
//! turned away at once, with the waitlist to join, instead of after a saga.
//!
//! The rooms taken on a night are the larger of the hotel's holds (which also cover waitlist
//! offers and holds not yet given back) and the desk's active bookings; the rules refuse the
//! request when that reaches the room type's rooms. The rules' count, before the transaction,
//! turns most of a rush away on the read connections, so the one writer sees only requests that
//! may still fit; the count inside the transaction is the one that decides. On SQLite every
//! transaction already runs alone. On PostgreSQL two requests for the same night could each
//! count before the other commits, so the request takes a transaction-scoped advisory lock per
//! (room type, night) first, in night order: requests for the same night queue there, requests
//! for other nights or room types do not meet.

use chrono::NaiveDate;
use resort_core::db::{Backend, Connection, Pool};
use resort_core::id::RoomTypeId;
use resort_core::stay::{Stay, parse_date};
use sqlx::Row;
use std::collections::HashMap;

/// The desk's active bookings of the room type per night of `stay` (a night without any is
/// absent).
pub async fn booked_per_night<'c, E>(
    executor: E,
    room_type_id: RoomTypeId,
    stay: &Stay,
) -> Result<HashMap<NaiveDate, i64>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    count_per_night(
        executor,
        "SELECT night, COUNT(*) AS rooms FROM booking_night
         WHERE room_type_id = $1 AND night >= $2 AND night < $3 GROUP BY night",
        room_type_id,
        stay,
    )
    .await
}

/// Rooms of the type taken per night for `days` nights from `from`, as the rules and the
/// calendar count them: the larger of the hotel's holds (`room_night`, read here, written only by
/// the hotel worker) and the desk's active bookings, in one statement (a night with neither is
/// absent).
pub async fn taken_per_night(
    reads: &Pool,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    days: u32,
) -> Result<HashMap<NaiveDate, i64>, sqlx::Error> {
    count_per_night(
        reads,
        "SELECT night, MAX(taken) AS rooms FROM (
             SELECT night, held AS taken FROM room_night WHERE room_type_id = $1 AND night >= $2 AND night < $3
             UNION ALL
             SELECT night, COUNT(*) AS taken FROM booking_night
             WHERE room_type_id = $1 AND night >= $2 AND night < $3 GROUP BY night
         ) AS counts GROUP BY night",
        room_type_id,
        &Stay { check_in: from, nights: days },
    )
    .await
}

/// Runs a count of `(night, rooms)` rows for the room type over the stay's nights (`$1` the
/// room type, `$2`..`$3` the nights).
async fn count_per_night<'c, E>(
    executor: E,
    sql: &'static str,
    room_type_id: RoomTypeId,
    stay: &Stay,
) -> Result<HashMap<NaiveDate, i64>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows = sqlx::query(sql)
        .bind(room_type_id.to_string())
        .bind(stay.check_in.to_string())
        .bind(stay.check_out().to_string())
        .fetch_all(executor)
        .await?;
    rows.iter()
        .map(|row| {
            let night: String = row.try_get("night")?;
            let night = parse_date(&night).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
            Ok((night, row.try_get("rooms")?))
        })
        .collect()
}

/// Queues this transaction behind any other counting the same nights of the same room types
/// (PostgreSQL; SQLite runs one transaction at a time already). The locks are taken in one
/// order, (room type, night) ascending, so two transactions that share nights never wait for
/// each other in a circle. Released at commit or rollback.
pub async fn lock_nights(
    connection: &mut Connection,
    backend: Backend,
    nights: impl IntoIterator<Item = (RoomTypeId, NaiveDate)>,
) -> Result<(), sqlx::Error> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    let keys: std::collections::BTreeSet<String> =
        nights.into_iter().map(|(room_type_id, night)| format!("room-night:{room_type_id}:{night}")).collect();
    for key in keys {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked",
        )
        .bind(key)
        .fetch_one(&mut *connection)
        .await?;
    }
    Ok(())
}
