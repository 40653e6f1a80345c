//! Reads over bookings, for chats, pushes and the admin API.

use super::desk::BookingDesk;
use super::model::{Booking, COLUMNS, SagaStep, from_row, prefixed};
use super::store::load;
use chrono::NaiveDate;
use resort_core::booking::BookingStatus;
use resort_core::id::{BookingId, EmployeeId, ResortId};
use resort_core::reference;
use sqlx::Row;

/// Which bookings an admin asks for: every field narrows (`from` and `to` are check-in days,
/// both included); `before` is the last booking of the previous page.
#[derive(Debug, Default)]
pub struct Search {
    pub employee_id: Option<EmployeeId>,
    pub status: Option<BookingStatus>,
    pub resort_id: Option<ResortId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reference: Option<String>,
    pub before: Option<BookingId>,
}

impl BookingDesk {
    pub async fn by_idempotency_key(&self, key: Option<&str>) -> Result<Option<Booking>, sqlx::Error> {
        let Some(key) = key else { return Ok(None) };
        let sql = format!("SELECT {COLUMNS} FROM booking WHERE idempotency_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(&self.pool).await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn get(&self, id: BookingId) -> Result<Option<Booking>, sqlx::Error> {
        let mut connection = self.pool.acquire().await?;
        load(&mut connection, id).await
    }

    pub async fn by_reference(&self, typed: &str) -> Result<Option<Booking>, sqlx::Error> {
        let Some(reference) = reference::parse(typed) else { return Ok(None) };
        let sql = format!("SELECT {COLUMNS} FROM booking WHERE reference = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reference).fetch_optional(&self.pool).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Bookings matching `filter`, newest first, after the cursor's booking, at most `limit`.
    pub async fn search(&self, filter: &Search, limit: i64) -> Result<Vec<Booking>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM booking WHERE (CAST($1 AS TEXT) IS NULL OR employee_id = $1) \
             AND (CAST($2 AS TEXT) IS NULL OR status = $2) AND (CAST($3 AS TEXT) IS NULL OR resort_id = $3) \
             AND (CAST($4 AS TEXT) IS NULL OR check_in >= $4) AND (CAST($5 AS TEXT) IS NULL OR check_in <= $5) \
             AND (CAST($6 AS TEXT) IS NULL OR reference = $6) AND (CAST($7 AS TEXT) IS NULL OR id < $7) \
             ORDER BY id DESC LIMIT $8"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(filter.employee_id.map(|id| id.to_string()))
            .bind(filter.status.map(BookingStatus::as_str))
            .bind(filter.resort_id.map(|id| id.to_string()))
            .bind(filter.from.map(|day| day.to_string()))
            .bind(filter.to.map(|day| day.to_string()))
            // A reference that cannot be one matches nothing, not everything.
            .bind(filter.reference.as_deref().map(|typed| reference::parse(typed).unwrap_or_default()))
            .bind(filter.before.map(|id| id.to_string()))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The employee's bookings that still hold or will hold a room.
    pub async fn active_of(&self, employee_id: EmployeeId) -> Result<Vec<Booking>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM booking WHERE employee_id = $1 AND status NOT IN ('rejected', 'cancelled') ORDER BY check_in"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(employee_id.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn steps(&self, id: BookingId) -> Result<Vec<SagaStep>, sqlx::Error> {
        let rows = sqlx::query("SELECT step, created_at FROM saga_step WHERE booking_id = $1 ORDER BY created_at, id")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok(SagaStep { step: row.try_get("step")?, at: row.try_get("created_at")? })).collect()
    }

    /// Requests waiting for this manager's decision (not their own), oldest first: `limit` of
    /// them from `offset`, and how many there are.
    pub async fn pending_for(
        &self,
        manager_id: EmployeeId,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Booking>, i64), sqlx::Error> {
        const WAITING: &str = "FROM booking b JOIN resort_manager m ON m.resort_id = b.resort_id
             WHERE m.employee_id = $1 AND b.employee_id <> $1 AND b.status = 'awaiting_approval' AND b.decision IS NULL";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {WAITING}")))
            .bind(manager_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        let columns = prefixed("b");
        let sql = format!("SELECT {columns} {WAITING} ORDER BY b.id LIMIT $2 OFFSET $3");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(manager_id.to_string())
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Confirmed guests checking in today at the resorts this manager runs.
    pub async fn arrivals_for(&self, manager_id: EmployeeId) -> Result<Vec<Booking>, sqlx::Error> {
        let columns = prefixed("b");
        let sql = format!(
            "SELECT {columns} FROM booking b JOIN resort_manager m ON m.resort_id = b.resort_id
             WHERE m.employee_id = $1 AND b.status = 'confirmed' AND b.check_in = $2 ORDER BY b.resort_name, b.reference"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(manager_id.to_string())
            .bind(self.clock.today().to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }
}
