//! The point worker: deducts, refunds and grants points.
//!
//! A balance never goes below zero: the deduction is a conditional update
//! (`WHERE balance >= amount`) and the table's CHECK backs it up. Every change writes a ledger
//! row with the balance it left; the ledger allows one deduction and one refund per booking,
//! and a refund never exceeds what the booking paid.

use async_trait::async_trait;
use resort_core::db::Connection;
use resort_core::id::{BookingId, EmployeeId, MessageId};
use resort_core::inbox::{Consumer, HandleError, Handler, Outgoing};
use resort_core::message::{Envelope, Message, PointGranted, PointMoved, PointRejected};
use sqlx::Row;
use std::sync::Arc;

pub const QUEUE: &str = "point";
pub const BINDINGS: &[&str] = &["point.deduct", "point.refund", "point.grant"];

pub fn consumer() -> Consumer {
    Consumer { name: QUEUE, bindings: BINDINGS, handler: Arc::new(PointWorker) }
}

pub struct PointWorker;

#[async_trait]
impl Handler for PointWorker {
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError> {
        let now = envelope.occurred_at.timestamp_millis();
        let outgoing = match message {
            Message::PointDeduct(deduct) => {
                // No account yet means a balance of zero: the update finds no row and refuses.
                match change_balance(connection, deduct.employee_id, -deduct.amount, now).await? {
                    Some((balance, account_version)) => {
                        write_ledger(
                            connection,
                            envelope.message_id,
                            deduct.employee_id,
                            Some(deduct.booking_id),
                            "deduct",
                            -deduct.amount,
                            balance,
                            "booking",
                            now,
                        )
                        .await?;
                        let moved = PointMoved {
                            booking_id: deduct.booking_id,
                            employee_id: deduct.employee_id,
                            amount: deduct.amount,
                            balance,
                            account_version,
                        };
                        Message::PointDeducted(moved)
                    }
                    None => {
                        let balance = balance_of(connection, deduct.employee_id).await?;
                        Message::PointRejected(PointRejected {
                            booking_id: deduct.booking_id,
                            employee_id: deduct.employee_id,
                            amount: deduct.amount,
                            balance,
                        })
                    }
                }
            }
            Message::PointRefund(refund) => {
                let paid = paid_for(connection, refund.booking_id).await?;
                if refund.amount < 0 || refund.amount > paid {
                    return Err(HandleError::Reject(format!("refund of {} exceeds the {paid} paid", refund.amount)));
                }
                let (balance, account_version) = change_balance(connection, refund.employee_id, refund.amount, now)
                    .await?
                    .ok_or_else(|| HandleError::Reject("refund to an account that does not exist".into()))?;
                write_ledger(
                    connection,
                    envelope.message_id,
                    refund.employee_id,
                    Some(refund.booking_id),
                    "refund",
                    refund.amount,
                    balance,
                    "refund",
                    now,
                )
                .await?;
                Message::PointRefunded(PointMoved {
                    booking_id: refund.booking_id,
                    employee_id: refund.employee_id,
                    amount: refund.amount,
                    balance,
                    account_version,
                })
            }
            Message::PointGrant(grant) => {
                open_account(connection, grant.employee_id, now).await?;
                let (balance, account_version) = change_balance(connection, grant.employee_id, grant.amount, now)
                    .await?
                    .ok_or_else(|| HandleError::Reject("a grant would make the balance negative".into()))?;
                write_ledger(
                    connection,
                    envelope.message_id,
                    grant.employee_id,
                    None,
                    // An admin's deduction is a grant below zero, and reads as one in the ledger.
                    if grant.amount < 0 { "deduct" } else { "grant" },
                    grant.amount,
                    balance,
                    &grant.reason,
                    now,
                )
                .await?;
                Message::PointGranted(PointGranted {
                    employee_id: grant.employee_id,
                    amount: grant.amount,
                    reason: grant.reason,
                    balance,
                    account_version,
                })
            }
            _ => return Err(super::not_mine(QUEUE, envelope)),
        };
        Ok(vec![Outgoing::new(outgoing, &envelope.correlation_id)])
    }
}

async fn open_account(connection: &mut Connection, employee_id: EmployeeId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO point_account (employee_id, balance, version, created_at, updated_at) VALUES ($1, 0, 0, $2, $2) ON CONFLICT DO NOTHING",
    )
    .bind(employee_id.to_string())
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Adds `delta` unless that would take the balance below zero; returns the new balance and
/// account version, or `None` when the account is missing or short.
async fn change_balance(
    connection: &mut Connection,
    employee_id: EmployeeId,
    delta: i64,
    now: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE point_account SET balance = balance + $2, version = version + 1, updated_at = $3
         WHERE employee_id = $1 AND balance + $2 >= 0 RETURNING balance, version",
    )
    .bind(employee_id.to_string())
    .bind(delta)
    .bind(now)
    .fetch_optional(&mut *connection)
    .await?;
    row.map(|row| Ok((row.try_get("balance")?, row.try_get("version")?))).transpose()
}

pub async fn balance_of(connection: &mut Connection, employee_id: EmployeeId) -> Result<i64, sqlx::Error> {
    let balance: Option<i64> = sqlx::query_scalar("SELECT balance FROM point_account WHERE employee_id = $1")
        .bind(employee_id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    Ok(balance.unwrap_or(0))
}

async fn paid_for(connection: &mut Connection, booking_id: BookingId) -> Result<i64, sqlx::Error> {
    let delta: Option<i64> =
        sqlx::query_scalar("SELECT delta FROM point_ledger WHERE booking_id = $1 AND kind = 'deduct'")
            .bind(booking_id.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    Ok(delta.map(|delta| -delta).unwrap_or(0))
}

#[allow(clippy::too_many_arguments)]
async fn write_ledger(
    connection: &mut Connection,
    message_id: MessageId,
    employee_id: EmployeeId,
    booking_id: Option<BookingId>,
    kind: &str,
    delta: i64,
    balance_after: i64,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO point_ledger (id, employee_id, booking_id, kind, delta, balance_after, reason, message_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(MessageId::new().to_string())
    .bind(employee_id.to_string())
    .bind(booking_id.map(|id| id.to_string()))
    .bind(kind)
    .bind(delta)
    .bind(balance_after)
    .bind(reason)
    .bind(message_id.to_string())
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The ledger's view of an employee: used by the admin API and by invariant checks.
pub async fn balance(pool: &resort_core::db::Pool, employee_id: EmployeeId) -> Result<i64, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    balance_of(&mut connection, employee_id).await
}

/// Every account's balance by employee id, for lists (an employee without an account has 0).
pub async fn balances(pool: &resort_core::db::Pool) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT employee_id, balance FROM point_account").fetch_all(pool).await?;
    Ok(rows.into_iter().collect())
}

/// One movement of an employee's points, as the ledger records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LedgerEntry {
    pub id: String,
    pub employee_id: String,
    pub booking_id: Option<String>,
    /// `grant`, `deduct` or `refund`.
    pub kind: String,
    pub delta: i64,
    pub balance_after: i64,
    pub reason: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// An employee's ledger entries, newest first, strictly older than `before` (`(at, id)` of the
/// last one seen), at most `limit`.
pub async fn ledger(
    pool: &resort_core::db::Pool,
    employee_id: EmployeeId,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT id, employee_id, booking_id, kind, delta, balance_after, reason, created_at FROM point_ledger
         WHERE employee_id = $1 AND (created_at < $2 OR (created_at = $2 AND $3 <> '' AND id < $3))
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(employee_id.to_string())
    .bind(before_at)
    .bind(before_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LedgerEntry {
                id: row.try_get("id")?,
                employee_id: row.try_get("employee_id")?,
                booking_id: row.try_get("booking_id")?,
                kind: row.try_get("kind")?,
                delta: row.try_get("delta")?,
                balance_after: row.try_get("balance_after")?,
                reason: row.try_get("reason")?,
                at: row.try_get("created_at")?,
            })
        })
        .collect()
}
