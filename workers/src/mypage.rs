//! The mypage worker: each employee's booking history and balance, built only from events.
//!
//! It never reads the booking or point tables, so "my bookings" keeps answering while the
//! booking side is down. Events may arrive out of order across queues; each row keeps the
//! version of the event that wrote it and an upsert only applies a newer one.

use async_trait::async_trait;
use resort_core::db::{Connection, Pool};
use resort_core::id::EmployeeId;
use resort_core::inbox::{Consumer, HandleError, Handler, Outgoing};
use resort_core::message::{Envelope, Message};
use serde::Serialize;
use sqlx::Row;
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
        let now = envelope.occurred_at.timestamp_millis();
        match message {
            Message::Booking(snapshot) => {
                sqlx::query(
                    "INSERT INTO mypage_booking (booking_id, employee_id, reference, resort_name, check_in, nights, points, status, reason, refund_points, version, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                     ON CONFLICT (booking_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
                        refund_points = excluded.refund_points, version = excluded.version, updated_at = excluded.updated_at
                     WHERE mypage_booking.version < excluded.version",
                )
                .bind(snapshot.booking_id.to_string())
                .bind(snapshot.employee_id.to_string())
                .bind(&snapshot.reference)
                .bind(&snapshot.resort_name)
                .bind(snapshot.check_in.to_string())
                .bind(i64::from(snapshot.nights))
                .bind(snapshot.points)
                .bind(snapshot.status.as_str())
                .bind(snapshot.reason.map(|reason| reason.as_str()))
                .bind(snapshot.refund_points)
                .bind(snapshot.version)
                .bind(now)
                .execute(&mut *connection)
                .await?;
            }
            Message::PointDeducted(moved) | Message::PointRefunded(moved) => {
                record_balance(connection, moved.employee_id, moved.balance, moved.account_version, now).await?;
            }
            Message::PointGranted(granted) => {
                record_balance(connection, granted.employee_id, granted.balance, granted.account_version, now).await?;
            }
            _ => return Err(super::not_mine(QUEUE, envelope)),
        }
        Ok(Vec::new())
    }
}

async fn record_balance(
    connection: &mut Connection,
    employee_id: EmployeeId,
    balance: i64,
    version: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mypage_balance (employee_id, balance, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (employee_id) DO UPDATE SET balance = excluded.balance, version = excluded.version, updated_at = excluded.updated_at
         WHERE mypage_balance.version < excluded.version",
    )
    .bind(employee_id.to_string())
    .bind(balance)
    .bind(version)
    .bind(now)
    .execute(&mut *connection)
    .await?;
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
