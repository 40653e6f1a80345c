//! The booking side (gateway-owned tables `booking`, `saga_step`): everything that starts or
//! steers a saga from outside — a booking request, a cancel, a manager's decision, a passed
//! approval deadline — and the queries over bookings.
//!
//! Every change commits together with the outbox messages it causes and a `saga_step` row,
//! then wakes the relay. Guards live in the database: a conditional update on `version` (saga
//! transitions), on `decision IS NULL` (one decision per booking), UNIQUE on the idempotency key.

use crate::catalog::{self, Resort};
use chrono::NaiveDate;
use resort_core::booking::{BookingStatus, Decision, RejectReason};
use resort_core::clock::SharedClock;
use resort_core::db::{self, Connection, Pool};
use resort_core::id::{BookingId, EmployeeId, MessageId, ResortId};
use resort_core::message::{BookingRef, BookingSnapshot, HotelDecide, Message, PointDeduct};
use resort_core::outbox::{self, OutboxSignal};
use resort_core::reference;
use resort_core::saga::{self, SagaState};
use resort_core::stay::{Stay, StayError, parse_date};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub reference: String,
    pub employee_id: EmployeeId,
    pub resort_id: ResortId,
    pub resort_name: String,
    pub check_in: NaiveDate,
    pub nights: u32,
    pub points: i64,
    pub status: BookingStatus,
    pub reason: Option<RejectReason>,
    pub refund_points: Option<i64>,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    /// What an admin wrote with a decision made through the admin API.
    pub decision_note: Option<String>,
    pub approval_deadline_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Booking {
    pub fn snapshot(&self) -> BookingSnapshot {
        BookingSnapshot {
            booking_id: self.id,
            reference: self.reference.clone(),
            employee_id: self.employee_id,
            resort_id: self.resort_id,
            resort_name: self.resort_name.clone(),
            check_in: self.check_in,
            nights: self.nights,
            points: self.points,
            status: self.status,
            reason: self.reason,
            refund_points: self.refund_points,
            decided_by: self.decided_by.clone(),
            approval_deadline_at: self.approval_deadline_at.and_then(chrono::DateTime::from_timestamp_millis),
            version: self.version,
        }
    }

    pub fn saga_state(&self) -> SagaState {
        SagaState { status: self.status, points: self.points, refund_points: self.refund_points }
    }

    pub fn stay(&self) -> Stay {
        Stay { check_in: self.check_in, nights: self.nights }
    }
}

/// A saga step with its time, for the admin API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaStep {
    pub step: String,
    pub at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Stay(#[from] StayError),
    #[error("overlaps booking {0}")]
    Overlap(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why inserting a new booking failed.
#[derive(Debug)]
enum InsertError {
    /// One of its nights belongs to another active booking of the same employee.
    NightTaken,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for InsertError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("no such booking")]
    NotFound,
    #[error("not the employee's booking")]
    NotYours,
    #[error("a {0} booking cannot be cancelled")]
    NotCancellable(BookingStatus),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such booking")]
    NotFound,
    #[error("the employee does not manage this resort")]
    NotManager,
    #[error("a manager cannot decide their own booking")]
    OwnBooking,
    #[error("the booking is no longer waiting for a decision")]
    AlreadyDecided(Box<Booking>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const COLUMNS: &str = "id, reference, employee_id, resort_id, resort_name, check_in, nights, points, status, reason, refund_points, decision, decided_by, decision_note, approval_deadline_at, version, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Booking, sqlx::Error> {
    let decode = |what: &str| sqlx::Error::Decode(format!("booking {what} is malformed").into());
    let id: String = row.try_get("id")?;
    let employee_id: String = row.try_get("employee_id")?;
    let resort_id: String = row.try_get("resort_id")?;
    let check_in: String = row.try_get("check_in")?;
    let nights: i64 = row.try_get("nights")?;
    let status: String = row.try_get("status")?;
    let reason: Option<String> = row.try_get("reason")?;
    Ok(Booking {
        id: BookingId::parse(&id).ok_or_else(|| decode("id"))?,
        reference: row.try_get("reference")?,
        employee_id: EmployeeId::parse(&employee_id).ok_or_else(|| decode("employee_id"))?,
        resort_id: ResortId::parse(&resort_id).ok_or_else(|| decode("resort_id"))?,
        resort_name: row.try_get("resort_name")?,
        check_in: parse_date(&check_in).map_err(|_| decode("check_in"))?,
        nights: u32::try_from(nights).map_err(|_| decode("nights"))?,
        points: row.try_get("points")?,
        status: BookingStatus::parse(&status).ok_or_else(|| decode("status"))?,
        reason: reason.as_deref().and_then(RejectReason::parse),
        refund_points: row.try_get("refund_points")?,
        decision: row.try_get("decision")?,
        decided_by: row.try_get("decided_by")?,
        decision_note: row.try_get("decision_note")?,
        approval_deadline_at: row.try_get("approval_deadline_at")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn load(connection: &mut Connection, id: BookingId) -> Result<Option<Booking>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM booking WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut *connection).await?;
    row.as_ref().map(from_row).transpose()
}

/// Writes a new status (and what comes with it) if nobody changed the booking since it was
/// read; `false` means someone did and the caller should read again.
pub async fn save_transition(connection: &mut Connection, booking: &Booking, now: i64) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE booking SET status = $3, reason = $4, refund_points = $5, decided_by = $6, approval_deadline_at = $7,
            version = $2 + 1, updated_at = $8
         WHERE id = $1 AND version = $2",
    )
    .bind(booking.id.to_string())
    .bind(booking.version)
    .bind(booking.status.as_str())
    .bind(booking.reason.map(RejectReason::as_str))
    .bind(booking.refund_points)
    .bind(&booking.decided_by)
    .bind(booking.approval_deadline_at)
    .bind(now)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if updated == 1 && !booking.status.is_active() {
        release_nights(connection, booking.id).await?;
    }
    Ok(updated == 1)
}

/// Takes the booking's nights for its employee (one `booking_night` row each, one statement);
/// a unique violation means another active booking of the employee has one of them.
async fn claim_nights(connection: &mut Connection, booking: &Booking) -> Result<(), sqlx::Error> {
    let nights: Vec<NaiveDate> = booking.stay().nights().collect();
    let rows: Vec<String> = (0..nights.len()).map(|index| format!("($1, ${}, $2, $3, $3)", index + 4)).collect();
    let sql = format!(
        "INSERT INTO booking_night (employee_id, night, booking_id, created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(booking.employee_id.to_string())
        .bind(booking.id.to_string())
        .bind(booking.created_at);
    for night in nights {
        query = query.bind(night.to_string());
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Frees the nights of a booking that no longer holds them (rejected or cancelled).
async fn release_nights(connection: &mut Connection, booking_id: BookingId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM booking_night WHERE booking_id = $1")
        .bind(booking_id.to_string())
        .execute(&mut *connection)
        .await?;
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
                "INSERT INTO booking_night (employee_id, night, booking_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (employee_id, night) DO NOTHING",
            )
            .bind(booking.employee_id.to_string())
            .bind(night.to_string())
            .bind(booking.id.to_string())
            .bind(booking.created_at)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        }
        transaction.commit().await?;
    }
    Ok(claimed)
}

pub async fn record_step(
    connection: &mut Connection,
    booking_id: BookingId,
    step: &str,
    message_id: Option<MessageId>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO saga_step (id, booking_id, step, message_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(MessageId::new().to_string())
        .bind(booking_id.to_string())
        .bind(step)
        .bind(message_id.map(|id| id.to_string()))
        .bind(now)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The booking side's entry points; cheap to clone.
#[derive(Clone)]
pub struct BookingDesk {
    pub pool: Pool,
    pub clock: SharedClock,
    pub outbox_signal: OutboxSignal,
}

impl BookingDesk {
    /// Writes the messages a change of this booking causes into the outbox, in one statement.
    async fn send(
        &self,
        connection: &mut Connection,
        messages: Vec<Message>,
        booking_id: BookingId,
    ) -> Result<(), sqlx::Error> {
        let envelopes: Vec<_> = messages
            .into_iter()
            .map(|message| message.into_envelope(booking_id.to_string(), None, self.clock.now()))
            .collect();
        outbox::enqueue_all(connection, &envelopes, self.clock.now_millis()).await
    }

    /// Validates and records a booking, and starts its saga by asking for the points.
    /// A repeated idempotency key returns the booking it created the first time.
    pub async fn request(
        &self,
        employee_id: EmployeeId,
        resort: &Resort,
        check_in: NaiveDate,
        nights: u32,
        idempotency_key: Option<&str>,
    ) -> Result<Booking, RequestError> {
        if let Some(existing) = self.by_idempotency_key(idempotency_key).await? {
            return Ok(existing);
        }
        let stay = Stay::new(check_in, nights, self.clock.today(), resort.max_nights)?;
        let now = self.clock.now_millis();
        let mut booking = Booking {
            id: BookingId::new(),
            reference: reference::generate(),
            employee_id,
            resort_id: resort.id,
            resort_name: resort.name.clone(),
            check_in,
            nights,
            points: resort.policy().cost(&stay),
            status: BookingStatus::Requested,
            reason: None,
            refund_points: None,
            decision: None,
            decided_by: None,
            decision_note: None,
            approval_deadline_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        // A reference collision is rare (one in a billion per pair); draw again a few times. A
        // night taken by another active booking of the employee is the overlap refusal, unless
        // that booking went away meanwhile, when the insert is simply tried again.
        for _ in 0..5 {
            match self.insert(&booking, idempotency_key).await {
                Ok(()) => return Ok(booking),
                Err(InsertError::NightTaken) => {
                    if let Some(existing) = self.by_idempotency_key(idempotency_key).await? {
                        return Ok(existing);
                    }
                    if let Some(reference) = self.holder_of_nights(employee_id, &stay).await? {
                        return Err(RequestError::Overlap(reference));
                    }
                }
                Err(InsertError::Database(error)) if db::is_unique_violation(&error) => {
                    if let Some(existing) = self.by_idempotency_key(idempotency_key).await? {
                        return Ok(existing);
                    }
                    booking.reference = reference::generate();
                }
                Err(InsertError::Database(error)) => return Err(error.into()),
            }
        }
        Err(RequestError::Database(sqlx::Error::Protocol("could not draw a unique booking reference".into())))
    }

    /// Inserts the booking with its nights, its first step and its first messages in one
    /// transaction. The nights go first, so a night taken by the same employee is told apart
    /// from the booking's own unique keys.
    async fn insert(&self, booking: &Booking, idempotency_key: Option<&str>) -> Result<(), InsertError> {
        let mut transaction = self.pool.begin().await?;
        match claim_nights(&mut transaction, booking).await {
            Err(error) if db::is_unique_violation(&error) => return Err(InsertError::NightTaken),
            other => other?,
        }
        sqlx::query(
            "INSERT INTO booking (id, reference, employee_id, resort_id, resort_name, check_in, nights, points, status, idempotency_key, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(booking.id.to_string())
        .bind(&booking.reference)
        .bind(booking.employee_id.to_string())
        .bind(booking.resort_id.to_string())
        .bind(&booking.resort_name)
        .bind(booking.check_in.to_string())
        .bind(i64::from(booking.nights))
        .bind(booking.points)
        .bind(booking.status.as_str())
        .bind(idempotency_key)
        .bind(booking.version)
        .bind(booking.created_at)
        .execute(&mut *transaction)
        .await?;
        record_step(&mut transaction, booking.id, "requested", None, booking.created_at).await?;
        let deduct = PointDeduct { booking_id: booking.id, employee_id: booking.employee_id, amount: booking.points };
        self.send(
            &mut transaction,
            vec![Message::PointDeduct(deduct), Message::Booking(booking.snapshot())],
            booking.id,
        )
        .await?;
        transaction.commit().await?;
        self.outbox_signal.notify();
        Ok(())
    }

    /// The reference of the employee's active booking that holds one of the stay's nights.
    async fn holder_of_nights(&self, employee_id: EmployeeId, stay: &Stay) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT b.reference FROM booking_night n JOIN booking b ON b.id = n.booking_id
             WHERE n.employee_id = $1 AND n.night >= $2 AND n.night < $3 ORDER BY n.night LIMIT 1",
        )
        .bind(employee_id.to_string())
        .bind(stay.check_in.to_string())
        .bind(stay.check_out().to_string())
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn by_idempotency_key(&self, key: Option<&str>) -> Result<Option<Booking>, sqlx::Error> {
        let Some(key) = key else { return Ok(None) };
        let sql = format!("SELECT {COLUMNS} FROM booking WHERE idempotency_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(&self.pool).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// What cancelling now would give back, by the resort's cancellation policy (everything if
    /// the resort is gone): the one figure the quote shows and the cancel then carries.
    pub async fn refund_quote(&self, booking: &Booking) -> Result<i64, sqlx::Error> {
        let resort = catalog::get(&self.pool, booking.resort_id).await?;
        Ok(resort.map_or(booking.points, |resort| {
            resort.policy().refund(booking.points, booking.check_in, self.clock.today())
        }))
    }

    /// Starts a cancel: the room is released first, then the quoted points are refunded.
    /// `requested_by` is the employee asking, or `None` for an admin.
    pub async fn cancel(
        &self,
        booking_id: BookingId,
        requested_by: Option<EmployeeId>,
    ) -> Result<Booking, CancelError> {
        let mut booking = self.get(booking_id).await?.ok_or(CancelError::NotFound)?;
        if requested_by.is_some_and(|employee| employee != booking.employee_id) {
            return Err(CancelError::NotYours);
        }
        let transition =
            saga::request_cancel(&booking.saga_state()).map_err(|_| CancelError::NotCancellable(booking.status))?;
        let refund = self.refund_quote(&booking).await?;
        let now = self.clock.now_millis();
        booking.status = transition.status;
        booking.refund_points = Some(refund);
        let mut transaction = self.pool.begin().await?;
        if !save_transition(&mut transaction, &booking, now).await? {
            // Someone moved the booking meanwhile; judge the cancel again on the fresh state.
            drop(transaction);
            let fresh = self.get(booking_id).await?.ok_or(CancelError::NotFound)?;
            return Err(CancelError::NotCancellable(fresh.status));
        }
        booking.version += 1;
        record_step(&mut transaction, booking.id, "cancel_requested", None, now).await?;
        let release = Message::HotelRelease(BookingRef { booking_id: booking.id });
        self.send(&mut transaction, vec![release, Message::Booking(booking.snapshot())], booking.id).await?;
        transaction.commit().await?;
        self.outbox_signal.notify();
        Ok(booking)
    }

    /// Records a manager's decision once and passes it to the hotel worker. Nobody decides
    /// their own booking: another manager of the resort, the deadline or an admin does.
    pub async fn decide(
        &self,
        reference: &str,
        decision: Decision,
        manager_id: EmployeeId,
        manager_name: &str,
    ) -> Result<Booking, DecideError> {
        let booking = self.by_reference(reference).await?.ok_or(DecideError::NotFound)?;
        if !catalog::managed_by(&self.pool, manager_id).await?.contains(&booking.resort_id) {
            return Err(DecideError::NotManager);
        }
        if booking.employee_id == manager_id {
            return Err(DecideError::OwnBooking);
        }
        self.record_decision(booking, decision, manager_name, None).await
    }

    /// An admin's decision through the admin API, with a note; for a resort without another
    /// manager, or a manager's own booking.
    pub async fn decide_as_admin(
        &self,
        booking_id: BookingId,
        decision: Decision,
        decided_by: &str,
        note: Option<&str>,
    ) -> Result<Booking, DecideError> {
        let booking = self.get(booking_id).await?.ok_or(DecideError::NotFound)?;
        self.record_decision(booking, decision, decided_by, note).await
    }

    async fn record_decision(
        &self,
        mut booking: Booking,
        decision: Decision,
        decided_by: &str,
        note: Option<&str>,
    ) -> Result<Booking, DecideError> {
        let now = self.clock.now_millis();
        let mut transaction = self.pool.begin().await?;
        let recorded = sqlx::query(
            "UPDATE booking SET decision = $2, decided_by = $3, decision_note = $4, updated_at = $5
             WHERE id = $1 AND status = 'awaiting_approval' AND decision IS NULL",
        )
        .bind(booking.id.to_string())
        .bind(decision.as_str())
        .bind(decided_by)
        .bind(note)
        .bind(now)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if recorded == 0 {
            return Err(DecideError::AlreadyDecided(Box::new(booking)));
        }
        let step = if decision == Decision::Approve { "manager_approved" } else { "manager_rejected" };
        record_step(&mut transaction, booking.id, step, None, now).await?;
        let decide = HotelDecide { booking_id: booking.id, decision, decided_by: Some(decided_by.to_owned()) };
        self.send(&mut transaction, vec![Message::HotelDecide(decide)], booking.id).await?;
        transaction.commit().await?;
        self.outbox_signal.notify();
        booking.decision = Some(decision.as_str().to_owned());
        booking.decided_by = Some(decided_by.to_owned());
        booking.decision_note = note.map(str::to_owned);
        Ok(booking)
    }

    /// The durable approval timer: every booking whose deadline has passed without a decision
    /// gets the `expire` decision. The deadline is a column, not a sleeping task, so it survives
    /// restarts and any gateway replica may fire it (the conditional update lets one win).
    pub async fn expire_overdue(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now_millis();
        let overdue: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM booking WHERE status = 'awaiting_approval' AND decision IS NULL AND approval_deadline_at <= $1 ORDER BY approval_deadline_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut expired = 0;
        for id in overdue.iter().filter_map(|id| BookingId::parse(id)) {
            let mut transaction = self.pool.begin().await?;
            let recorded = sqlx::query(
                "UPDATE booking SET decision = 'expire', updated_at = $2 WHERE id = $1 AND status = 'awaiting_approval' AND decision IS NULL",
            )
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if recorded == 1 {
                record_step(&mut transaction, id, "approval_deadline_passed", None, now).await?;
                let decide = HotelDecide { booking_id: id, decision: Decision::Expire, decided_by: None };
                self.send(&mut transaction, vec![Message::HotelDecide(decide)], id).await?;
                transaction.commit().await?;
                expired += 1;
            }
        }
        if expired > 0 {
            self.outbox_signal.notify();
        }
        Ok(expired)
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

    /// Bookings filtered by employee and status, newest first.
    pub async fn list(
        &self,
        employee_id: Option<EmployeeId>,
        status: Option<BookingStatus>,
        limit: i64,
    ) -> Result<Vec<Booking>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM booking WHERE (CAST($1 AS TEXT) IS NULL OR employee_id = $1) AND (CAST($2 AS TEXT) IS NULL OR status = $2) ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(employee_id.map(|id| id.to_string()))
            .bind(status.map(BookingStatus::as_str))
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

fn prefixed(alias: &str) -> String {
    COLUMNS.split(", ").map(|column| format!("{alias}.{column}")).collect::<Vec<_>>().join(", ")
}
