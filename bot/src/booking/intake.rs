//! How a new booking is written, and group commit for the requests that arrive together.
//!
//! A request that passed the rules is accepted or refused inside the transaction that inserts
//! it: the room type's active bookings are counted per night there ([`occupancy`]), so the
//! first accepted are the ones served. Every transaction on the one SQLite writer connection
//! costs a hand-off between threads per statement, and a request's own is seven of them (begin,
//! the count, the nights, the booking, its first step, its messages, commit). In a 09:00 rush
//! hundreds of requests wait for that connection at once, each for its own seven.
//!
//! So requests queue here, in the order they arrive, and one task writes whatever is waiting
//! in one transaction: one count per room type, then each request judged in arrival order
//! against that count and the requests admitted before it in the batch, then one multi-row
//! insert per table for the admitted. The order of acceptance is still the order of arrival,
//! and the count is the same count, so a batch accepts exactly whom one-by-one would. If the
//! batch's transaction fails (a unique key: two requests of one employee for the same night, a
//! repeated idempotency key, a reference drawn twice; or the database), nothing of it is kept
//! and every request of it runs again on its own, where each such case has its answer. Nothing
//! waits for a batch to fill: the queue is drained as it stands, so a request alone is written
//! at once.
//!
//! A request whose caller goes away (a webhook timed out) stays queued and is written: what
//! was accepted stays accepted, and the idempotency key finds it when the caller asks again.

use super::commands;
use super::model::Booking;
use super::occupancy;
use super::store::{self, claim_nights_of, record_steps};
use chrono::NaiveDate;
use resort_core::clock::SharedClock;
use resort_core::db::{self, Backend, Connection, Pool};
use resort_core::id::RoomTypeId;
use resort_core::message::{Envelope, Message};
use resort_core::outbox::{self, OutboxSignal};
use resort_core::rules;
use resort_core::saga;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Requests written in one transaction, at most: about a thousand bound values per statement.
const MAX_BATCH: usize = 64;

/// Why inserting a new booking failed.
#[derive(Debug)]
pub(crate) enum InsertError {
    /// One of its nights belongs to another active booking of the same employee.
    NightTaken,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for InsertError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// What a request's insert came to, short of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inserted {
    Yes,
    /// Every room of the type is taken on this night by bookings accepted before it.
    NoRoom(NaiveDate),
}

/// A request waiting for its turn: the booking, the rooms its type has, its idempotency key.
struct Pending {
    booking: Booking,
    rooms: i64,
    idempotency_key: Option<String>,
    answer: oneshot::Sender<Result<Inserted, InsertError>>,
}

/// What the writing task needs; the desk's own pool, clock and relay signal.
#[derive(Clone)]
struct Writer {
    pool: Pool,
    backend: Backend,
    clock: SharedClock,
    outbox_signal: OutboxSignal,
}

/// The queue of requests and the task that writes them, started by the first request.
pub(super) struct Intake {
    writer: Writer,
    queue: OnceLock<mpsc::UnboundedSender<Pending>>,
}

impl Intake {
    pub(super) fn new(pool: Pool, clock: SharedClock, outbox_signal: OutboxSignal) -> Arc<Self> {
        let backend = db::backend_of(&pool);
        Arc::new(Self { writer: Writer { pool, backend, clock, outbox_signal }, queue: OnceLock::new() })
    }

    /// Inserts the booking if the bookings accepted before it leave a room of the type on each
    /// of its nights, written together with whatever other requests are waiting.
    pub(super) async fn insert(
        &self,
        booking: &Booking,
        rooms: i64,
        idempotency_key: Option<&str>,
    ) -> Result<Inserted, InsertError> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(write_as_they_come(self.writer.clone(), receiver));
            sender
        });
        let (answer, answered) = oneshot::channel();
        let pending =
            Pending { booking: booking.clone(), rooms, idempotency_key: idempotency_key.map(str::to_owned), answer };
        if queue.send(pending).is_err() {
            return Err(InsertError::Database(sqlx::Error::PoolClosed));
        }
        answered.await.unwrap_or(Err(InsertError::Database(sqlx::Error::PoolClosed)))
    }
}

/// The writing task: takes the first request waiting and every other one already behind it.
async fn write_as_they_come(writer: Writer, mut queue: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        writer.write(batch).await;
    }
}

impl Writer {
    /// The batch in one transaction; if that fails, each request on its own.
    async fn write(&self, batch: Vec<Pending>) {
        if batch.len() > 1 {
            let requests: Vec<_> = batch.iter().map(Request::of).collect();
            match self.admit(&requests).await {
                Ok(outcomes) => {
                    for (pending, outcome) in batch.into_iter().zip(outcomes) {
                        let _ = pending.answer.send(Ok(outcome));
                    }
                    return;
                }
                Err(error) => tracing::debug!(?error, size = batch.len(), "request batch failed; writing one by one"),
            }
        }
        for pending in batch {
            let outcome = self.admit(&[Request::of(&pending)]).await.map(|outcomes| outcomes[0]);
            let _ = pending.answer.send(outcome);
        }
    }

    /// One transaction: counts, judges in order, inserts the admitted; an outcome per request.
    async fn admit(&self, requests: &[Request<'_>]) -> Result<Vec<Inserted>, InsertError> {
        let mut transaction = self.pool.begin().await?;
        let mut taken = self.count(&mut transaction, requests).await?;
        let mut outcomes = Vec::with_capacity(requests.len());
        let mut admitted = Vec::with_capacity(requests.len());
        for request in requests {
            let stay = request.booking.stay();
            let booked = taken.entry(request.booking.room_type_id).or_default();
            match rules::first_full_night(&stay, booked, request.rooms) {
                Some(night) => outcomes.push(Inserted::NoRoom(night)),
                None => {
                    for night in stay.nights() {
                        *booked.entry(night).or_insert(0) += 1;
                    }
                    admitted.push((request.booking, request.idempotency_key));
                    outcomes.push(Inserted::Yes);
                }
            }
        }
        if admitted.is_empty() {
            return Ok(outcomes);
        }
        let envelopes = insert_all(&mut transaction, &admitted, &self.clock).await?;
        let handed =
            outbox::enqueue_handed(&mut transaction, envelopes, self.clock.now_millis(), &self.outbox_signal).await?;
        transaction.commit().await?;
        self.outbox_signal.hand(handed);
        Ok(outcomes)
    }

    /// The active bookings per room type and night over the batch's stays, after taking (on
    /// PostgreSQL) the lock of every (room type, night) the batch touches, in one global order.
    async fn count(
        &self,
        connection: &mut Connection,
        requests: &[Request<'_>],
    ) -> Result<HashMap<RoomTypeId, HashMap<NaiveDate, i64>>, sqlx::Error> {
        let mut spans: HashMap<RoomTypeId, (NaiveDate, NaiveDate)> = HashMap::new();
        let mut nights = Vec::new();
        for request in requests {
            let stay = request.booking.stay();
            let span = spans.entry(request.booking.room_type_id).or_insert((stay.check_in, stay.check_out()));
            span.0 = span.0.min(stay.check_in);
            span.1 = span.1.max(stay.check_out());
            nights.extend(stay.nights().map(|night| (request.booking.room_type_id, night)));
        }
        occupancy::lock_nights(connection, self.backend, nights).await?;
        let mut taken = HashMap::new();
        for (room_type_id, (from, until)) in spans {
            let span = resort_core::stay::Stay { check_in: from, nights: (until - from).num_days() as u32 };
            taken.insert(room_type_id, occupancy::booked_per_night(&mut *connection, room_type_id, &span).await?);
        }
        Ok(taken)
    }
}

/// A queued request as the transaction reads it.
struct Request<'p> {
    booking: &'p Booking,
    rooms: i64,
    idempotency_key: Option<&'p str>,
}

impl<'p> Request<'p> {
    fn of(pending: &'p Pending) -> Self {
        Self { booking: &pending.booking, rooms: pending.rooms, idempotency_key: pending.idempotency_key.as_deref() }
    }
}

/// Writes new bookings with their nights and first steps, one statement per table, inside the
/// caller's transaction, and returns their first messages for the caller to write into the
/// outbox (the request's batch hands them to the relay, the others leave them for a look). The
/// nights go first, so a night taken by the same employee ([`InsertError::NightTaken`]) is told
/// apart from the bookings' own unique keys. The request's batch, a lottery's draw and a
/// waitlist offer all write new bookings here.
pub(crate) async fn insert_all(
    connection: &mut Connection,
    bookings: &[(&Booking, Option<&str>)],
    clock: &SharedClock,
) -> Result<Vec<Envelope>, InsertError> {
    let all: Vec<&Booking> = bookings.iter().map(|(booking, _)| *booking).collect();
    match claim_nights_of(connection, &all).await {
        Err(error) if db::is_unique_violation(&error) => return Err(InsertError::NightTaken),
        other => other?,
    }
    store::insert_bookings(connection, bookings).await?;
    let mut steps = Vec::with_capacity(bookings.len());
    let mut envelopes = Vec::with_capacity(bookings.len() * 2);
    for booking in &all {
        let (started, step) = saga::start(booking.points);
        steps.push((booking.id, step.to_owned(), None));
        let mut messages = commands::messages(started.commands, booking, &commands::Context::default());
        messages.push(Message::Booking(booking.snapshot()));
        envelopes.extend(
            messages.into_iter().map(|message| message.into_envelope(booking.id.to_string(), None, clock.now())),
        );
    }
    let created_at = all.iter().map(|booking| booking.created_at).max().unwrap_or_else(|| clock.now_millis());
    record_steps(connection, &steps, created_at).await?;
    Ok(envelopes)
}
