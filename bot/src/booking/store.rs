//! The booking side's shared writes: loading a booking for an update, the version-checked
//! transition (which also frees the nights of a booking that no longer holds them), saga steps,
//! and the `booking_night` rows.

use super::model::{Booking, COLUMNS, from_row};
use chrono::NaiveDate;
use resort_core::booking::RejectReason;
use resort_core::db::{Connection, Pool};
use resort_core::id::{BookingId, MessageId};

pub async fn load(connection: &mut Connection, id: BookingId) -> Result<Option<Booking>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM booking WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut *connection).await?;
    row.as_ref().map(from_row).transpose()
}

/// Reads the bookings with these ids in one statement (a missing id is simply absent).
pub async fn load_many(
    connection: &mut Connection,
    ids: &[BookingId],
) -> Result<std::collections::HashMap<BookingId, Booking>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let placeholders = resort_core::db::placeholders(ids.len(), 1);
    let sql = format!("SELECT {COLUMNS} FROM booking WHERE id IN ({})", placeholders);
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(ids.len() == 1);
    for id in ids {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(&mut *connection).await?;
    rows.iter().map(|row| from_row(row).map(|booking| (booking.id, booking))).collect()
}

/// Writes a new status (and what comes with it) if nobody changed the booking since it was
/// read; `false` means someone did and the caller should read again.
pub async fn save_transition(connection: &mut Connection, booking: &Booking, now: i64) -> Result<bool, sqlx::Error> {
    update(connection, booking, booking.version, booking.version + 1, now).await
}

/// [`save_transition`] for a booking moved one or more steps in memory since it was read at
/// `read_version`; `booking.version` already counts those steps.
pub async fn save_transitions_from(
    connection: &mut Connection,
    booking: &Booking,
    read_version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    update(connection, booking, read_version, booking.version, now).await
}

async fn update(
    connection: &mut Connection,
    booking: &Booking,
    read_version: i64,
    new_version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE booking SET status = $3, reason = $4, refund_points = $5, decided_by = $6, approval_deadline_at = $7,
            version = $9, updated_at = $8
         WHERE id = $1 AND version = $2",
    )
    .bind(booking.id.to_string())
    .bind(read_version)
    .bind(booking.status.as_str())
    .bind(booking.reason.map(RejectReason::as_str))
    .bind(booking.refund_points)
    .bind(&booking.decided_by)
    .bind(booking.approval_deadline_at)
    .bind(now)
    .bind(new_version)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if updated == 1 && !booking.status.is_active() {
        release_nights_of(connection, &[booking.id]).await?;
    }
    Ok(updated == 1)
}

/// [`save_transitions_from`] for many bookings in one statement, each against the version it
/// was read at; `false` means one of them changed meanwhile and nothing should be kept.
pub async fn save_all_transitions_from(
    connection: &mut Connection,
    moved: &[(&Booking, i64)],
    now: i64,
) -> Result<bool, sqlx::Error> {
    match moved {
        [] => return Ok(true),
        [(booking, read_version)] => return save_transitions_from(connection, booking, *read_version, now).await,
        _ => {}
    }
    let rows = resort_core::db::values_rows(moved.len(), 8, 2, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}");
    let sql = format!(
        "UPDATE booking SET status = v.column3, reason = v.column4, refund_points = v.column5, decided_by = v.column6,
            approval_deadline_at = v.column7, version = v.column8, updated_at = $1
         FROM (VALUES {rows}) AS v WHERE booking.id = v.column1 AND booking.version = v.column2"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(false).bind(now);
    for (booking, read_version) in moved {
        query = query
            .bind(booking.id.to_string())
            .bind(*read_version)
            .bind(booking.status.as_str())
            .bind(booking.reason.map(RejectReason::as_str))
            .bind(booking.refund_points)
            .bind(booking.decided_by.clone())
            .bind(booking.approval_deadline_at)
            .bind(booking.version);
    }
    if query.execute(&mut *connection).await?.rows_affected() != moved.len() as u64 {
        return Ok(false);
    }
    let ended: Vec<BookingId> =
        moved.iter().filter(|(booking, _)| !booking.status.is_active()).map(|(booking, _)| booking.id).collect();
    release_nights_of(connection, &ended).await?;
    Ok(true)
}

/// Takes the bookings' nights for their employees (one `booking_night` row each, one
/// statement); a unique violation means another active booking of an employee has one of them.
pub(super) async fn claim_nights_of(connection: &mut Connection, bookings: &[&Booking]) -> Result<(), sqlx::Error> {
    let nights: Vec<(&Booking, NaiveDate)> = bookings
        .iter()
        .flat_map(|booking| booking.stay().nights().map(|night| (*booking, night)).collect::<Vec<_>>())
        .collect();
    if nights.is_empty() {
        return Ok(());
    }
    let rows = resort_core::db::values_rows(nights.len(), 6, 1, "{1}, {2}, {3}, {4}, {5}, {6}");
    let sql = format!(
        "INSERT INTO booking_night (employee_id, night, booking_id, room_type_id, created_at, updated_at) VALUES {rows}"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(bookings.len() == 1);
    for (booking, night) in nights {
        query = query
            .bind(booking.employee_id.to_string())
            .bind(night.to_string())
            .bind(booking.id.to_string())
            .bind(booking.room_type_id.to_string())
            .bind(booking.created_at)
            .bind(booking.created_at);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Inserts new booking rows, each with its idempotency key, in one statement.
pub(super) async fn insert_bookings(
    connection: &mut Connection,
    bookings: &[(&Booking, Option<&str>)],
) -> Result<(), sqlx::Error> {
    if bookings.is_empty() {
        return Ok(());
    }
    let rows = resort_core::db::values_rows(
        bookings.len(),
        18,
        1,
        "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15}, {16}, {17}, {18}",
    );
    let sql = format!(
        "INSERT INTO booking (id, reference, employee_id, resort_id, resort_name, check_in, nights, points, status, idempotency_key, version, created_at, updated_at,
            room_type_id, room_type_name, guests, preapproved, origin) VALUES {rows}"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(bookings.len() == 1);
    for (booking, idempotency_key) in bookings {
        query = query
            .bind(booking.id.to_string())
            .bind(booking.reference.clone())
            .bind(booking.employee_id.to_string())
            .bind(booking.resort_id.to_string())
            .bind(booking.resort_name.clone())
            .bind(booking.check_in.to_string())
            .bind(i64::from(booking.nights))
            .bind(booking.points)
            .bind(booking.status.as_str())
            .bind(idempotency_key.map(str::to_owned))
            .bind(booking.version)
            .bind(booking.created_at)
            .bind(booking.created_at)
            .bind(booking.room_type_id.to_string())
            .bind(booking.room_type_name.clone())
            .bind(i64::from(booking.guests))
            .bind(i64::from(booking.preapproved))
            .bind(booking.origin.as_str());
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Frees the nights of bookings that no longer hold them (rejected or cancelled), in one
/// statement.
async fn release_nights_of(connection: &mut Connection, booking_ids: &[BookingId]) -> Result<(), sqlx::Error> {
    if booking_ids.is_empty() {
        return Ok(());
    }
    let placeholders = resort_core::db::placeholders(booking_ids.len(), 1);
    let sql = format!("DELETE FROM booking_night WHERE booking_id IN ({})", placeholders);
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(booking_ids.len() == 1);
    for id in booking_ids {
        query = query.bind(id.to_string());
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Gives every active booking made before `booking_night` existed its nights, so the rule holds
/// for them too. Idempotent; run by the booking side at start.
pub async fn claim_nights_of_older_bookings(pool: &Pool) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking b WHERE status NOT IN ('rejected', 'cancelled')
         AND NOT EXISTS (SELECT 1 FROM booking_night n WHERE n.booking_id = b.id)"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    let mut claimed = 0;
    for booking in rows.iter().map(from_row) {
        let booking = booking?;
        let mut transaction = pool.begin().await?;
        for night in booking.stay().nights() {
            claimed += sqlx::query(
                "INSERT INTO booking_night (employee_id, night, booking_id, room_type_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT (employee_id, night) DO NOTHING",
            )
            .bind(booking.employee_id.to_string())
            .bind(night.to_string())
            .bind(booking.id.to_string())
            .bind(booking.room_type_id.to_string())
            .bind(booking.created_at)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        }
        transaction.commit().await?;
    }
    Ok(claimed)
}

/// A report written down in a booking's timeline: the booking, the step, the message it came in.
pub type Step = (BookingId, String, Option<MessageId>);

/// Records steps in one statement, in the order given.
pub async fn record_steps(connection: &mut Connection, steps: &[Step], now: i64) -> Result<(), sqlx::Error> {
    if steps.is_empty() {
        return Ok(());
    }
    let rows = resort_core::db::values_rows(steps.len(), 6, 1, "{1}, {2}, {3}, {4}, {5}, {6}");
    let sql = format!("INSERT INTO saga_step (id, booking_id, step, message_id, created_at, updated_at) VALUES {rows}");
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(steps.len() == 1);
    for (booking_id, step, message_id) in steps {
        // Ids are time-ordered, so the steps keep their order within the same millisecond.
        query = query
            .bind(MessageId::new().to_string())
            .bind(booking_id.to_string())
            .bind(step.clone())
            .bind(message_id.map(|id| id.to_string()))
            .bind(now)
            .bind(now);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

pub async fn record_step(
    connection: &mut Connection,
    booking_id: BookingId,
    step: &str,
    message_id: Option<MessageId>,
    now: i64,
) -> Result<(), sqlx::Error> {
    record_steps(connection, &[(booking_id, step.to_owned(), message_id)], now).await
}
