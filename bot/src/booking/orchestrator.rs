//! The booking saga's orchestrator: the `booking` consumer turns each worker report into the
//! next step, using the pure rules in `resort_core::saga`.
//!
//! For each report it asks `saga::decide` what comes next for the booking as it stands, and in
//! the consumer's one transaction writes the new state (conditional on the version it read), a
//! `saga_step` row, the commands to send and, for a state people are shown
//! (`BookingStatus::is_announced`), a `booking.<status>` event for readers. A report that does
//! not move the booking is still written down as a step, so the admin API shows what arrived
//! and when. A batch of reports is applied set-wise ([`BookingSaga::handle_batch`]): the
//! bookings read in one statement, each resort's policy once, the steps in one insert and one
//! update per booking, whatever the batch's size.
//!
//! The consumer also hears the hotel's offers of freed rooms to the waitlist (`hotel.offered`),
//! which `crate::waitlist::offer` turns into an offer in chat.

use crate::booking;
use crate::catalog;
use async_trait::async_trait;
use resort_core::booking::BookingStatus;
use resort_core::clock::SharedClock;
use resort_core::db::Connection;
use resort_core::id::{BookingId, ResortId};
use resort_core::inbox::{Consumer, HandleError, Handler, Incoming, Outgoing};
use resort_core::message::{Envelope, Message};
use resort_core::saga::{self, SagaEvent};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tracing::Instrument;

pub const QUEUE: &str = "booking";
pub const BINDINGS: &[&str] = &[
    "point.deducted",
    "point.rejected",
    "point.refunded",
    "hotel.held",
    "hotel.unavailable",
    "hotel.confirmed",
    "hotel.rejected",
    "hotel.released",
    "hotel.offered",
];

pub fn consumer(clock: SharedClock, push_signal: crate::push::PushSignal) -> Consumer {
    let saga = BookingSaga { clock, push_signal, observed: Mutex::default() };
    Consumer { name: QUEUE, bindings: BINDINGS, handler: Arc::new(saga) }
}

pub struct BookingSaga {
    clock: SharedClock,
    /// Woken after a commit that queued an offer's alert.
    push_signal: crate::push::PushSignal,
    /// Metrics of the transaction under way, recorded once it commits.
    observed: Mutex<Vec<Observation>>,
}

enum Observation {
    /// A report arrived this long after the booking was requested.
    Step { step: String, seconds: f64 },
    /// The booking reached a final state.
    Final(BookingStatus),
    /// An offer's alert was queued.
    Offered,
}

/// A message of a batch, read once.
enum Item {
    Offered(resort_core::message::HotelOffered),
    /// A worker's report: which booking it is about and what it says.
    Report((BookingId, SagaEvent)),
}

/// Which booking a report is about and what it says.
fn read_report(message: Message) -> Option<(BookingId, SagaEvent)> {
    Some(match message {
        Message::PointDeducted(moved) => (moved.booking_id, SagaEvent::PointsDeducted),
        Message::PointRejected(rejected) => (rejected.booking_id, SagaEvent::PointsRejected),
        Message::PointRefunded(moved) => (moved.booking_id, SagaEvent::PointsRefunded),
        Message::HotelHeld(held) => (held.booking_id, SagaEvent::RoomHeld),
        Message::HotelUnavailable(unavailable) => (unavailable.booking_id, SagaEvent::RoomUnavailable),
        Message::HotelConfirmed(confirmed) => {
            (confirmed.booking_id, SagaEvent::RoomConfirmed { decided_by: confirmed.decided_by })
        }
        Message::HotelRejected(rejected) => {
            (rejected.booking_id, SagaEvent::RoomRejected { reason: rejected.reason, decided_by: rejected.decided_by })
        }
        Message::HotelReleased(released) => (released.booking_id, SagaEvent::RoomReleased),
        _ => return None,
    })
}

#[async_trait]
impl Handler for BookingSaga {
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError> {
        resort_core::inbox::handle_as_batch(self, message, envelope, connection).await
    }

    /// The batch's reports in order, each moving its booking in memory; then one statement for
    /// every step row and one version-checked update for every booking moved (a booking two reports
    /// move in one batch is written once, at its last state). The bookings are read in one
    /// statement and each resort's policy once.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        let now = self.clock.now_millis();
        let mut items = Vec::with_capacity(batch.len());
        for Incoming { message, envelope, span } in batch {
            let item = match message {
                Message::HotelOffered(offered) => Item::Offered(offered),
                other => {
                    let report = read_report(other).ok_or_else(|| {
                        HandleError::Reject(format!("the saga does not handle {}", envelope.message_type))
                    })?;
                    Item::Report(report)
                }
            };
            items.push((item, envelope, span));
        }
        // In id order, which is also the order the bookings are written in: concurrent batches
        // lock the same rows in the same order.
        let ids: Vec<BookingId> = items
            .iter()
            .filter_map(|(item, _, _)| match item {
                Item::Report((booking_id, _)) => Some(*booking_id),
                Item::Offered(_) => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Each booking with the version it was read at, to write it once against that.
        let mut bookings: HashMap<BookingId, (booking::Booking, i64)> = booking::store::load_many(connection, &ids)
            .await?
            .into_iter()
            .map(|(id, found)| {
                let version = found.version;
                (id, (found, version))
            })
            .collect();
        let mut resorts: HashMap<ResortId, Option<catalog::Resort>> = HashMap::new();
        let mut steps = Vec::new();
        let mut caused = Vec::with_capacity(items.len());
        for (item, envelope, span) in items {
            let (booking_id, event) = match item {
                Item::Offered(offered) => {
                    let (answers, alerted) =
                        crate::waitlist::offer::on_offered(connection, &offered, now).instrument(span).await?;
                    if alerted {
                        self.observe(Observation::Offered);
                    }
                    caused.push(answers.into_iter().map(|answer| Outgoing::new(answer, offered.offer_id)).collect());
                    continue;
                }
                Item::Report(report) => report,
            };
            let (booking, _) =
                bookings.get_mut(&booking_id).ok_or_else(|| HandleError::Reject(format!("no booking {booking_id}")))?;
            steps.push((booking_id, envelope.message_type.clone(), Some(envelope.message_id)));
            let seconds = (now - booking.created_at).max(0) as f64 / 1000.0;
            self.observe(Observation::Step { step: envelope.message_type.clone(), seconds });
            let resort = match saga::needs_policy(&event) {
                true => match resorts.get(&booking.resort_id) {
                    Some(known) => known.clone(),
                    None => {
                        let found = catalog::get_with(connection, booking.resort_id).await?;
                        resorts.insert(booking.resort_id, found.clone());
                        found
                    }
                },
                false => None,
            };
            caused.push(
                self.advance(connection, booking, &event, resort.as_ref(), envelope, now).instrument(span).await?,
            );
        }
        booking::store::record_steps(connection, &steps, now).await?;
        let moved: Vec<(&booking::Booking, i64)> = ids
            .iter()
            .filter_map(|booking_id| bookings.get(booking_id))
            .filter(|(booking, read_version)| booking.version != *read_version)
            .map(|(booking, read_version)| (booking, *read_version))
            .collect();
        if !booking::store::save_all_transitions_from(connection, &moved, now).await? {
            return Err(HandleError::Retry("a booking of the batch changed meanwhile".into()));
        }
        Ok(caused)
    }
    fn after_commit(&self) {
        let metrics = resort_core::metrics::global();
        for observation in self.observed.lock().expect("saga metrics lock").drain(..) {
            match observation {
                Observation::Offered => self.push_signal.notify(),
                Observation::Step { step, seconds } => {
                    metrics.observe_seconds("resortbot_saga_step_seconds", &[("step", &step)], seconds)
                }
                Observation::Final(state) => {
                    metrics.increment("resortbot_bookings_total", &[("state", state.as_str())])
                }
            }
        }
    }

    fn after_rollback(&self) {
        self.observed.lock().expect("saga metrics lock").clear();
    }
}

impl BookingSaga {
    /// Moves the booking in memory as the report says (its version counts the step) and returns
    /// what that causes; nothing if the report does not move it (it is still written down as a
    /// step).
    async fn advance(
        &self,
        connection: &mut Connection,
        booking: &mut booking::Booking,
        event: &SagaEvent,
        resort: Option<&catalog::Resort>,
        envelope: &Envelope,
        now: i64,
    ) -> Result<Vec<Outgoing>, HandleError> {
        let booking_id = booking.id;
        let policy = resort.map(|resort| saga::Policy {
            auto_approve: resort.auto_approve || booking.preapproved,
            approval_hours: resort.approval_hours,
            stay_begins_at: Some(resort.stay_begins_at(booking.check_in)),
        });
        let Some(transition) = saga::decide(&booking.saga_state(), event, policy, now) else {
            tracing::debug!(%booking_id, status = %booking.status, message_type = %envelope.message_type, "report does not move the booking");
            return Ok(Vec::new());
        };
        let status_changed = transition.status != booking.status;
        booking.status = transition.status;
        booking.reason = transition.reason.or(booking.reason);
        booking.decided_by = transition.decided_by.or(booking.decided_by.clone());
        booking.refund_points = transition.refund_points.or(booking.refund_points);
        booking.approval_deadline_at = transition.approval_deadline_at.or(booking.approval_deadline_at);
        booking.version += 1;
        if let Some(deadline) = transition.approval_deadline_at {
            resort_core::timer::schedule(
                connection,
                super::timer::APPROVAL_DEADLINE,
                &booking_id.to_string(),
                deadline,
                now,
            )
            .await?;
        }
        let mut outgoing = Vec::new();
        let context = super::commands::Context { resort, decided_by: None };
        for command in transition.commands {
            let message = super::commands::message(command, booking, &context)
                .map_err(|error| HandleError::Reject(error.to_string()))?;
            outgoing.push(Outgoing::new(message, booking_id));
        }
        if status_changed && booking.status.is_announced() {
            outgoing.push(Outgoing::new(Message::Booking(booking.snapshot()), booking_id));
            if matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Rejected | BookingStatus::Cancelled) {
                self.observe(Observation::Final(booking.status));
            }
        }
        Ok(outgoing)
    }

    fn observe(&self, observation: Observation) {
        self.observed.lock().expect("saga metrics lock").push(observation);
    }
}
