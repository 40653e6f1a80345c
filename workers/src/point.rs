//! The point worker: deducts, refunds and grants points.
//!
//! A balance never goes below zero: the deduction is a conditional update
//! (`WHERE balance >= amount`) and the table's CHECK backs it up. Every change writes a ledger
//! row with the balance it left; the ledger allows one deduction and one refund per booking,
//! and a refund never exceeds what the booking paid.
//!
//! A batch of deductions (a 09:00 rush is hundreds of them) is applied set-wise: the accounts
//! read at once, each deduction judged against what the ones before it left, every account
//! written in one update that checks the version it read. Anything else goes message by message.

use async_trait::async_trait;
use resort_core::db::{self, Connection};
use resort_core::id::{BookingId, EmployeeId, MessageId};
use resort_core::inbox::{Consumer, HandleError, Handler, Incoming, Outgoing};
use resort_core::message::{Envelope, Message, PointDeduct, PointGranted, PointMoved, PointRejected};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};
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
                        write_ledger_rows(
                            connection,
                            &[LedgerRow {
                                message_id: envelope.message_id,
                                employee_id: deduct.employee_id,
                                booking_id: Some(deduct.booking_id),
                                kind: "deduct",
                                delta: -deduct.amount,
                                balance_after: balance,
                                reason: "booking".to_owned(),
                                at: now,
                            }],
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
                write_ledger_rows(
                    connection,
                    &[LedgerRow {
                        message_id: envelope.message_id,
                        employee_id: refund.employee_id,
                        booking_id: Some(refund.booking_id),
                        kind: "refund",
                        delta: refund.amount,
                        balance_after: balance,
                        reason: "refund".to_owned(),
                        at: now,
                    }],
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
                let entry = LedgerRow {
                    message_id: envelope.message_id,
                    employee_id: grant.employee_id,
                    booking_id: None,
                    // An admin's deduction is a grant below zero, and reads as one in the ledger.
                    kind: if grant.amount < 0 { "deduct" } else { "grant" },
                    delta: grant.amount,
                    balance_after: balance,
                    reason: grant.reason.clone(),
                    at: now,
                };
                write_ledger_rows(connection, &[entry]).await?;
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

    /// A batch of deductions only (the bulk of the traffic) is applied set-wise; anything else
    /// message by message.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        let all_deductions =
            batch.len() > 1 && batch.iter().all(|incoming| matches!(incoming.message, Message::PointDeduct(_)));
        if all_deductions {
            return deduct_all(batch, connection).await;
        }
        resort_core::inbox::handle_each(self, batch, connection).await
    }
}

/// Deductions in three statements however many: the accounts read at once, each deduction
/// judged in order against the balance the ones before it left, every changed account written
/// in one update that checks the version it read, the ledger rows in one insert. An account
/// changed meanwhile (another replica) fails the batch, which then goes message by message.
async fn deduct_all(batch: Vec<Incoming<'_>>, connection: &mut Connection) -> Result<Vec<Vec<Outgoing>>, HandleError> {
    let deductions: Vec<(PointDeduct, &Envelope)> = batch
        .into_iter()
        .filter_map(|incoming| match incoming.message {
            Message::PointDeduct(deduct) => Some((deduct, incoming.envelope)),
            _ => None,
        })
        .collect();
    let employees: Vec<EmployeeId> = deductions.iter().map(|(deduct, _)| deduct.employee_id).collect();
    let read = accounts(connection, &employees).await?;
    // (balance, version) as the deductions so far leave them, in key order for the update.
    let mut accounts: BTreeMap<String, (i64, i64)> = read.clone().into_iter().collect();
    let mut caused = Vec::with_capacity(deductions.len());
    let mut ledger = Vec::new();
    for (deduct, envelope) in &deductions {
        let account = accounts.get_mut(&deduct.employee_id.to_string());
        let answer = match account {
            Some((balance, version)) if *balance - deduct.amount >= 0 => {
                *balance -= deduct.amount;
                *version += 1;
                ledger.push(LedgerRow {
                    message_id: envelope.message_id,
                    employee_id: deduct.employee_id,
                    booking_id: Some(deduct.booking_id),
                    kind: "deduct",
                    delta: -deduct.amount,
                    balance_after: *balance,
                    reason: "booking".to_owned(),
                    at: envelope.occurred_at.timestamp_millis(),
                });
                Message::PointDeducted(PointMoved {
                    booking_id: deduct.booking_id,
                    employee_id: deduct.employee_id,
                    amount: deduct.amount,
                    balance: *balance,
                    account_version: *version,
                })
            }
            found => Message::PointRejected(PointRejected {
                booking_id: deduct.booking_id,
                employee_id: deduct.employee_id,
                amount: deduct.amount,
                balance: found.map_or(0, |(balance, _)| *balance),
            }),
        };
        caused.push(vec![Outgoing::new(answer, &envelope.correlation_id)]);
    }
    let changed: Vec<(&String, i64, i64, i64)> = accounts
        .iter()
        .filter_map(|(employee_id, (balance, version))| {
            let (_, read_version) = read[employee_id];
            (*version != read_version).then_some((employee_id, *balance, *version, read_version))
        })
        .collect();
    if !changed.is_empty() {
        let now = deductions.iter().map(|(_, envelope)| envelope.occurred_at.timestamp_millis()).max().unwrap_or(0);
        let rows = db::values_rows(changed.len(), 4, 2, "{1}, {2}, {3}, {4}");
        let sql = format!(
            "UPDATE point_account SET balance = v.column2, version = v.column3, updated_at = $1 FROM (VALUES {rows}) AS v
             WHERE point_account.employee_id = v.column1 AND point_account.version = v.column4"
        );
        let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(false).bind(now);
        for (employee_id, balance, version, read_version) in &changed {
            query = query.bind((*employee_id).clone()).bind(*balance).bind(*version).bind(*read_version);
        }
        let updated = query.execute(&mut *connection).await?.rows_affected();
        if updated != changed.len() as u64 {
            return Err(HandleError::Retry("a point account changed while its batch was applied".into()));
        }
    }
    write_ledger_rows(connection, &ledger).await?;
    Ok(caused)
}

/// Balance and version of the accounts that exist among `employees`, by employee id.
async fn accounts(
    connection: &mut Connection,
    employees: &[EmployeeId],
) -> Result<HashMap<String, (i64, i64)>, sqlx::Error> {
    let ids: std::collections::BTreeSet<String> = employees.iter().map(ToString::to_string).collect();
    let placeholders = db::placeholders(ids.len(), 1);
    let sql =
        format!("SELECT employee_id, balance, version FROM point_account WHERE employee_id IN ({})", placeholders);
    let mut query =
        sqlx::query_as::<_, (String, i64, i64)>(resort_core::db::formatted(connection, sql)).persistent(ids.len() == 1);
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *connection).await?;
    Ok(rows.into_iter().map(|(employee_id, balance, version)| (employee_id, (balance, version))).collect())
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

/// One movement as the ledger records it, before it is written.
struct LedgerRow {
    /// The message that caused it.
    message_id: MessageId,
    employee_id: EmployeeId,
    booking_id: Option<BookingId>,
    kind: &'static str,
    delta: i64,
    balance_after: i64,
    reason: String,
    at: i64,
}

/// Writes ledger rows in one statement.
async fn write_ledger_rows(connection: &mut Connection, rows: &[LedgerRow]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let values = db::values_rows(rows.len(), 10, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}");
    let sql = format!(
        "INSERT INTO point_ledger (id, employee_id, booking_id, kind, delta, balance_after, reason, message_id, created_at, updated_at) VALUES {values}"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(rows.len() == 1);
    for row in rows {
        query = query
            .bind(MessageId::new().to_string())
            .bind(row.employee_id.to_string())
            .bind(row.booking_id.map(|id| id.to_string()))
            .bind(row.kind)
            .bind(row.delta)
            .bind(row.balance_after)
            .bind(row.reason.clone())
            .bind(row.message_id.to_string())
            .bind(row.at)
            .bind(row.at);
    }
    query.execute(&mut *connection).await?;
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
