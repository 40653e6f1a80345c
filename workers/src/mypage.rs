//! The mypage worker: each employee's booking history and balance, built only from events.
//!
//! It never reads the booking or point tables, so "my bookings" keeps answering while the
//! booking side is down. Events may arrive out of order across queues; each row keeps the
//! version of the event that wrote it and an upsert only applies a newer one. A batch of
//! deliveries is written with one statement per table (see [`MypageWorker::handle_batch`]).

use async_trait::async_trait;
use resort_core::db::{Connection, Pool, values_rows};
use resort_core::id::EmployeeId;
use resort_core::inbox::{Consumer, HandleError, Handler, Incoming, Outgoing};
use resort_core::message::{BookingSnapshot, Envelope, Message};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const QUEUE: &str = "mypage";
pub const BINDINGS: &[&str] = &["booking.#", "point.deducted", "point.refunded", "point.granted"];

pub fn consumer() -> Consumer {
    Consumer { name: QUEUE, bindings: BINDINGS, handler: Arc::new(MypageWorker) }
}

pub struct MypageWorker;

#[async_trait]
impl Handler for MypageWorker {
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError> {
        resort_core::inbox::handle_as_batch(self, message, envelope, connection).await
    }

    /// The whole batch in at most two statements: one upsert of the bookings it moved, one of
    /// the balances, each row at the newest version the batch carries.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        let mut bookings: BTreeMap<String, (BookingSnapshot, i64)> = BTreeMap::new();
        let mut balances: BTreeMap<String, Balance> = BTreeMap::new();
        let size = batch.len();
        for Incoming { message, envelope, .. } in batch {
            let now = envelope.occurred_at.timestamp_millis();
            let balance = match message {
                Message::Booking(snapshot) => {
                    let newer = bookings
                        .get(&snapshot.booking_id.to_string())
                        .is_none_or(|(kept, _)| kept.version < snapshot.version);
                    if newer {
                        bookings.insert(snapshot.booking_id.to_string(), (snapshot, now));
                    }
                    continue;
                }
                Message::PointDeducted(moved) | Message::PointRefunded(moved) => Balance {
                    employee_id: moved.employee_id,
                    balance: moved.balance,
                    version: moved.account_version,
                    now,
                },
                Message::PointGranted(granted) => Balance {
                    employee_id: granted.employee_id,
                    balance: granted.balance,
                    version: granted.account_version,
                    now,
                },
                _ => return Err(super::not_mine(QUEUE, envelope)),
            };
            let key = balance.employee_id.to_string();
            if balances.get(&key).is_none_or(|kept| kept.version < balance.version) {
                balances.insert(key, balance);
            }
        }
        record_bookings(connection, bookings.values()).await?;
        record_balances(connection, balances.values()).await?;
        Ok(vec![Vec::new(); size])
    }
}

/// An employee's balance as a point event left it.
struct Balance {
    employee_id: EmployeeId,
    balance: i64,
    version: i64,
    now: i64,
}

/// One upsert for the bookings (each once, in key order so concurrent batches lock rows in the
/// same order); an older version never overwrites a newer one.
async fn record_bookings<'b>(
    connection: &mut Connection,
    bookings: impl ExactSizeIterator<Item = &'b (BookingSnapshot, i64)>,
) -> Result<(), sqlx::Error> {
    const COLUMNS: usize = 13;
    if bookings.len() == 0 {
        return Ok(());
    }
    let rows =
        values_rows(bookings.len(), COLUMNS, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}");
    let sql = format!(
        "INSERT INTO mypage_booking (booking_id, employee_id, reference, resort_name, check_in, nights, points, status, reason, refund_points, version, created_at, updated_at)
         VALUES {rows}
         ON CONFLICT (booking_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
            refund_points = excluded.refund_points, version = excluded.version, updated_at = excluded.updated_at
         WHERE mypage_booking.version < excluded.version"
    );
    let single = bookings.len() == 1;
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(single);
    for (snapshot, now) in bookings {
        query = query
            .bind(snapshot.booking_id.to_string())
            .bind(snapshot.employee_id.to_string())
            .bind(snapshot.reference.clone())
            .bind(snapshot.resort_name.clone())
            .bind(snapshot.check_in.to_string())
            .bind(i64::from(snapshot.nights))
            .bind(snapshot.points)
            .bind(snapshot.status.as_str())
            .bind(snapshot.reason.map(|reason| reason.as_str()))
            .bind(snapshot.refund_points)
            .bind(snapshot.version)
            .bind(*now)
            .bind(*now);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// One upsert for the balances, as [`record_bookings`] does for bookings.
async fn record_balances<'b>(
    connection: &mut Connection,
    balances: impl ExactSizeIterator<Item = &'b Balance>,
) -> Result<(), sqlx::Error> {
    const COLUMNS: usize = 5;
    if balances.len() == 0 {
        return Ok(());
    }
    let rows = values_rows(balances.len(), COLUMNS, 1, "{1}, {2}, {3}, {4}, {5}");
    let sql = format!(
        "INSERT INTO mypage_balance (employee_id, balance, version, created_at, updated_at) VALUES {rows}
         ON CONFLICT (employee_id) DO UPDATE SET balance = excluded.balance, version = excluded.version, updated_at = excluded.updated_at
         WHERE mypage_balance.version < excluded.version"
    );
    let single = balances.len() == 1;
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(single);
    for balance in balances {
        query = query
            .bind(balance.employee_id.to_string())
            .bind(balance.balance)
            .bind(balance.version)
            .bind(balance.now)
            .bind(balance.now);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// One line of an employee's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub booking_id: String,
    pub reference: String,
    pub resort_name: String,
    pub check_in: String,
    pub nights: i64,
    pub points: i64,
    pub status: String,
    pub reason: Option<String>,
    pub refund_points: Option<i64>,
}

/// A page of an employee's bookings: stays checking in from `today` first, soonest first, then
/// the past, latest first; `offset` entries in. With the number of upcoming ones and of all.
pub async fn history(
    pool: &Pool,
    employee_id: EmployeeId,
    today: chrono::NaiveDate,
    offset: i64,
    limit: i64,
) -> Result<(Vec<HistoryEntry>, i64, i64), sqlx::Error> {
    let (upcoming, total): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN check_in >= $2 THEN 1 ELSE 0 END), 0), COUNT(*) FROM mypage_booking WHERE employee_id = $1",
    )
    .bind(employee_id.to_string())
    .bind(today.to_string())
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query(
        "SELECT booking_id, reference, resort_name, check_in, nights, points, status, reason, refund_points
         FROM mypage_booking WHERE employee_id = $1
         ORDER BY CASE WHEN check_in >= $2 THEN 0 ELSE 1 END, CASE WHEN check_in >= $2 THEN check_in ELSE '' END,
                  check_in DESC, booking_id DESC
         LIMIT $3 OFFSET $4",
    )
    .bind(employee_id.to_string())
    .bind(today.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let entries = history_rows(&rows)?;
    Ok((entries, upcoming, total))
}

fn history_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    rows.iter()
        .map(|row| {
            Ok(HistoryEntry {
                booking_id: row.try_get("booking_id")?,
                reference: row.try_get("reference")?,
                resort_name: row.try_get("resort_name")?,
                check_in: row.try_get("check_in")?,
                nights: row.try_get("nights")?,
                points: row.try_get("points")?,
                status: row.try_get("status")?,
                reason: row.try_get("reason")?,
                refund_points: row.try_get("refund_points")?,
            })
        })
        .collect()
}

/// The last balance the point worker reported, or `None` before any point event.
pub async fn balance(pool: &Pool, employee_id: EmployeeId) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT balance FROM mypage_balance WHERE employee_id = $1")
        .bind(employee_id.to_string())
        .fetch_optional(pool)
        .await
}
