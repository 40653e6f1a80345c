//! Entry commands that start or steer a saga from outside: a booking request (its nights
//! claimed in the same transaction), a cancel with its refund quote, a manager's or an admin's
//! decision.

use super::catalog_cache::{CatalogCache, Snapshot};
use super::commands;
use super::intake::{self, InsertError, Inserted, Intake};
use super::limits;
use super::model::Booking;
use super::occupancy;
use super::store::{record_step, save_transition};
use crate::catalog::{self, Resort, RoomType};
use crate::identity::Employee;
use chrono::NaiveDate;
use resort_core::booking::{BookingStatus, Decision};
use resort_core::clock::SharedClock;
use resort_core::db::{self, Connection, Pool};
use resort_core::id::{BookingId, EmployeeId, RoomTypeId};
use resort_core::message::{Envelope, Message};
use resort_core::outbox::{self, OutboxSignal};
use resort_core::reference;
use resort_core::rules;
use resort_core::saga;
use resort_core::stay::{Stay, StayError};
use std::sync::Arc;

/// What a person asks for: a stay in one room of a type (`None`: the resort's only type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    pub room_type_id: Option<RoomTypeId>,
    pub check_in: NaiveDate,
    pub nights: u32,
    pub guests: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Stay(#[from] StayError),
    /// The resort has several room types and the request named none (or one it does not have).
    #[error("the resort has several room types; choose one")]
    ChooseRoomType,
    #[error("overlaps booking {0}")]
    Overlap(String),
    #[error("breaks the rule {}", .0.code())]
    Rule(rules::Refusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
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

/// The booking side's entry points; cheap to clone.
#[derive(Clone)]
pub struct BookingDesk {
    pub pool: Pool,
    /// For the reads a request makes before its transaction ([`db::readers`]).
    pub reads: Pool,
    pub clock: SharedClock,
    pub outbox_signal: OutboxSignal,
    /// The catalogue requests are judged against, read through its version ([`super::catalog_cache`]).
    pub catalog: Arc<CatalogCache>,
    /// The queue that writes concurrent requests together.
    intake: Arc<Intake>,
}

impl BookingDesk {
    /// A desk whose reads go to `pool` too; [`Self::with_reads`] gives them a pool of their own.
    pub fn new(pool: Pool, clock: SharedClock, outbox_signal: OutboxSignal) -> Self {
        let intake = Intake::new(pool.clone(), clock.clone(), outbox_signal.clone());
        let catalog = Arc::new(CatalogCache::new(pool.clone()));
        Self { reads: pool.clone(), pool, clock, outbox_signal, catalog, intake }
    }

    pub fn with_reads(self, reads: Pool) -> Self {
        Self { catalog: Arc::new(CatalogCache::new(reads.clone())), reads, ..self }
    }

    /// Writes the messages a change of this booking causes into the outbox, in one statement,
    /// for the relay once the caller committed (`self.outbox_signal.hand`).
    pub(super) async fn send(
        &self,
        connection: &mut Connection,
        messages: Vec<Message>,
        booking_id: BookingId,
    ) -> Result<outbox::Handed, sqlx::Error> {
        let envelopes = self.envelopes(messages, booking_id);
        outbox::enqueue_handed(connection, envelopes, self.clock.now_millis(), &self.outbox_signal).await
    }

    /// The envelopes of the messages a change of this booking causes, now.
    pub(super) fn envelopes(&self, messages: Vec<Message>, booking_id: BookingId) -> Vec<Envelope> {
        messages
            .into_iter()
            .map(|message| message.into_envelope(booking_id.to_string(), None, self.clock.now()))
            .collect()
    }

    /// Everything the rules need to judge `employee`'s requests for `room_type` at `resort`
    /// checking in from `from`: gathered once, so a guided flow can try each choice it offers.
    /// `resort` is as `catalog` has it, and `employee` as the caller found them this turn (the
    /// chat's caller, the admin API's lookup): neither is read again.
    pub async fn facts(
        &self,
        catalog: &Snapshot,
        employee: &Employee,
        resort: &Resort,
        room_type: &RoomType,
        from: NaiveDate,
    ) -> Result<rules::Facts, sqlx::Error> {
        let employee_id = employee.id;
        let policy = catalog.policy();
        let today = self.clock.today();
        // Three reads that do not depend on each other, at once on the read connections.
        let (counted, balance, held) = tokio::try_join!(
            limits::counted(&self.reads, employee_id, resort.id, &policy, today),
            resort_workers::point::balance(&self.reads, employee_id),
            occupancy::taken_per_night(&self.reads, room_type.id, from, resort.max_nights),
        )?;
        Ok(rules::Facts {
            parties: rules::Parties { employee_active: employee.active, resort_active: resort.active },
            window: resort.window(),
            blackouts: catalog.blackouts(resort.id).to_vec(),
            capacity: room_type.capacity,
            policy: resort.policy(room_type),
            limits: policy.limits_at(resort),
            counted,
            balance,
            rooms: room_type.rooms,
            held,
            reserved: catalog
                .undrawn_for(room_type.id)
                .iter()
                .flat_map(|lottery| {
                    lottery
                        .slots
                        .iter()
                        .flat_map(|slot| slot.stay().nights().collect::<Vec<_>>())
                        .map(|night| (lottery.name.clone(), night))
                })
                .collect(),
        })
    }

    /// Judges a request against gathered facts: the stay's own shape first (a past check-in, no
    /// nights), then the rules. The request does, and so does every step of a guided flow that
    /// offers a choice, so both say the same.
    pub fn judge(&self, facts: &rules::Facts, ask: &Ask) -> Result<Stay, RequestError> {
        let stay = Stay::new(ask.check_in, ask.nights, self.clock.today(), u32::MAX)?;
        let request = rules::Request { check_in: ask.check_in, nights: ask.nights, guests: ask.guests };
        rules::evaluate_for(request, facts, self.clock.now()).map_err(RequestError::Rule)?;
        Ok(stay)
    }

    /// [`Self::facts`] and [`Self::judge`] for one request; the room type it is for.
    pub async fn check<'r>(
        &self,
        catalog: &Snapshot,
        employee: &Employee,
        resort: &'r Resort,
        ask: &Ask,
    ) -> Result<(Stay, &'r RoomType), RequestError> {
        let room_type = resort.room_type(ask.room_type_id).ok_or(RequestError::ChooseRoomType)?;
        let facts = self.facts(catalog, employee, resort, room_type, ask.check_in).await?;
        Ok((self.judge(&facts, ask)?, room_type))
    }

    /// Validates and records a booking, and starts its saga by asking for the points.
    /// A repeated idempotency key returns the booking it created the first time.
    pub async fn request(
        &self,
        catalog: &Snapshot,
        employee: &Employee,
        resort: &Resort,
        ask: Ask,
        idempotency_key: Option<&str>,
    ) -> Result<Booking, RequestError> {
        if let Some(existing) = self.by_idempotency_key(idempotency_key).await? {
            return Ok(existing);
        }
        let employee_id = employee.id;
        let (stay, room_type) = self.check(catalog, employee, resort, &ask).await?;
        let now = self.clock.now_millis();
        let mut booking = Booking::requested(employee_id, resort, room_type, stay, ask.guests, now);
        // A reference collision is rare (one in a billion per pair); draw again a few times. A
        // night taken by another active booking of the employee is the overlap refusal, unless
        // that booking went away meanwhile, when the insert is simply tried again.
        for _ in 0..5 {
            match self.insert(&booking, room_type, idempotency_key).await {
                Ok(Inserted::Yes) => return Ok(booking),
                Ok(Inserted::NoRoom(night)) => return Err(RequestError::Rule(rules::Refusal::NoRoom { night })),
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
    /// transaction, if the bookings accepted before it leave a room of the type on each of its
    /// nights (see [`occupancy`]); requests waiting at the same time share the transaction
    /// ([`intake`](super::intake)).
    async fn insert(
        &self,
        booking: &Booking,
        room_type: &RoomType,
        idempotency_key: Option<&str>,
    ) -> Result<Inserted, InsertError> {
        self.intake.insert(booking, room_type.rooms, idempotency_key).await
    }

    /// A new booking inside a caller's transaction (a lottery's draw makes its winners'
    /// bookings in its own, a waitlist offer its booking); the caller commits and wakes the relay.
    pub(crate) async fn insert_in(
        &self,
        transaction: &mut Connection,
        booking: &Booking,
        idempotency_key: Option<&str>,
    ) -> Result<(), InsertError> {
        let envelopes = intake::insert_all(transaction, &[(booking, idempotency_key)], &self.clock).await?;
        outbox::enqueue_all(transaction, &envelopes, self.clock.now_millis()).await?;
        Ok(())
    }

    /// The reference of the employee's active booking that holds one of the stay's nights.
    pub(crate) async fn holder_of_nights(
        &self,
        employee_id: EmployeeId,
        stay: &Stay,
    ) -> Result<Option<String>, sqlx::Error> {
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

    /// What cancelling now would give back, by the resort's cancellation policy (everything if
    /// the resort is gone): the one figure the quote shows and the cancel then carries.
    pub async fn refund_quote(&self, booking: &Booking) -> Result<i64, sqlx::Error> {
        Ok(self
            .cancel_terms(booking)
            .await?
            .map_or(booking.points, |terms| terms.refund(booking.points, booking.check_in, self.clock.today())))
    }

    /// The resort's cancellation terms for this booking (`None` if the resort is gone).
    pub async fn cancel_terms(&self, booking: &Booking) -> Result<Option<resort_core::resort::Policy>, sqlx::Error> {
        let resort = catalog::get(&self.pool, booking.resort_id).await?;
        Ok(resort.and_then(|resort| resort.room_types.first().map(|room_type| resort.policy(room_type))))
    }

    /// Starts a cancel: the room is released first, then the quoted points are refunded.
    /// `requested_by` is the employee asking, or `None` for an admin.
    pub async fn cancel(
        &self,
        booking_id: BookingId,
        requested_by: Option<EmployeeId>,
    ) -> Result<Booking, CancelError> {
        self.start_cancel(booking_id, requested_by, false).await
    }

    /// An admin's cancel; `full_refund` gives back every point whatever the resort's late
    /// terms (a stay cancelled for the company's reasons, not the guest's).
    pub async fn cancel_as_admin(&self, booking_id: BookingId, full_refund: bool) -> Result<Booking, CancelError> {
        self.start_cancel(booking_id, None, full_refund).await
    }

    async fn start_cancel(
        &self,
        booking_id: BookingId,
        requested_by: Option<EmployeeId>,
        full_refund: bool,
    ) -> Result<Booking, CancelError> {
        let mut booking = self.get(booking_id).await?.ok_or(CancelError::NotFound)?;
        if requested_by.is_some_and(|employee| employee != booking.employee_id) {
            return Err(CancelError::NotYours);
        }
        let transition =
            saga::request_cancel(&booking.saga_state()).map_err(|_| CancelError::NotCancellable(booking.status))?;
        let refund = if full_refund { booking.points } else { self.refund_quote(&booking).await? };
        // The employee's own cancel with fewer than the free-cancel days left may count against
        // a yearly limit; an admin's never does.
        let late = requested_by.is_some()
            && self
                .cancel_terms(&booking)
                .await?
                .is_some_and(|terms| terms.is_late(booking.check_in, self.clock.today()));
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
        if late {
            sqlx::query("UPDATE booking SET late_cancel = 1 WHERE id = $1")
                .bind(booking.id.to_string())
                .execute(&mut *transaction)
                .await?;
        }
        record_step(&mut transaction, booking.id, saga::step::CANCEL_REQUESTED, None, now).await?;
        let mut messages = commands::messages(transition.commands, &booking, &commands::Context::default());
        messages.push(Message::Booking(booking.snapshot()));
        let handed = self.send(&mut transaction, messages, booking.id).await?;
        transaction.commit().await?;
        self.outbox_signal.hand(handed);
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
        let before = serde_json::to_value(&booking).unwrap_or_default();
        let decided = self.record_decision(booking, decision, manager_name, None).await?;
        // Every manager's decision is in the audit trail, as an admin's is.
        let actor = crate::audit::Actor {
            kind: crate::audit::ActorKind::Manager,
            id: manager_id.to_string(),
            name: manager_name.to_owned(),
        };
        let action = if decision == Decision::Approve { "booking.approve" } else { "booking.reject" };
        let after = serde_json::to_value(&decided).unwrap_or_default();
        let target = crate::audit::Target::new("booking", decided.id);
        let change = crate::audit::Change::changed(action, target, before, after);
        crate::audit::append(&self.pool, self.clock.now_millis(), &actor, change).await?;
        Ok(decided)
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
        let (command, step) = saga::decide_room(decision);
        record_step(&mut transaction, booking.id, step, None, now).await?;
        let context = commands::Context { resort: None, decided_by: Some(decided_by) };
        let handed =
            self.send(&mut transaction, commands::messages(vec![command], &booking, &context), booking.id).await?;
        transaction.commit().await?;
        self.outbox_signal.hand(handed);
        booking.decision = Some(decision.as_str().to_owned());
        booking.decided_by = Some(decided_by.to_owned());
        booking.decision_note = note.map(str::to_owned);
        Ok(booking)
    }
}
