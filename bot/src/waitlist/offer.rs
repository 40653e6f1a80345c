//! An offer of a freed room, from the hotel's `hotel.offered` to the employee's answer.
//!
//! - [`on_offered`] (in the booking consumer's transaction): the entry becomes `offered` with a
//!   deadline (the resort's `offer_hours`), a `waitlist_offer` timer is set, and the employee is
//!   pushed the stay, its cost and Accept / Decline buttons. An entry that left meanwhile hands
//!   the room straight back (`hotel.pass`).
//! - [`accept`]: judged by the booking rules with the offer's own room counted free; a booking
//!   whose id is the offer's goes through the normal saga (points deducted then; the hotel turns
//!   the offer into its hold). A refusal (points spent meanwhile, a limit) passes the offer on.
//! - [`decline`] and the deadline's timer ([`expiry`]) pass the room to the next entry.
//!
//! Each step changes the entry's status with a conditional update, so an answer and the
//! deadline racing settle once.

use super::{Entry, Status};
use crate::booking::catalog_cache::Snapshot;
use crate::booking::{Ask, Booking, BookingDesk, RequestError};
use crate::catalog;
use crate::conversation::command::Command;
use crate::conversation::{Button, Reply, press, render};
use async_trait::async_trait;
use resort_core::booking::Origin;
use resort_core::db::Connection;
use resort_core::i18n::{Locale, text_arg};
use resort_core::id::EmployeeId;
use resort_core::message::{BookingRef, HotelOffered, Message};
use resort_core::rules::Refusal;
use resort_core::timer::{TimerError, TimerHandler};
use std::sync::Arc;

/// The timer kind of an offer's deadline; its subject is the entry id.
pub const EXPIRY: &str = "waitlist_offer";

/// What the booking consumer does with `hotel.offered`: the messages to send back (a pass when
/// the entry is no longer waiting) and whether an alert was queued.
pub async fn on_offered(
    connection: &mut Connection,
    offered: &HotelOffered,
    now: i64,
) -> Result<(Vec<Message>, bool), sqlx::Error> {
    let pass = || vec![Message::HotelPass(BookingRef { booking_id: offered.offer_id })];
    let Some(resort) = catalog::get_with(connection, offered.resort_id).await? else {
        return Ok((pass(), false));
    };
    let expires_at = now + resort.offer_hours * 3600 * 1000;
    let marked = sqlx::query(
        "UPDATE waitlist_entry SET status = 'offered', offer_id = $2, offer_expires_at = $3, updated_at = $4 WHERE id = $1 AND status = 'waiting'",
    )
    .bind(&offered.waitlist_entry_id)
    .bind(offered.offer_id.to_string())
    .bind(expires_at)
    .bind(now)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    let Some(entry) = super::get(connection, &offered.waitlist_entry_id).await?.filter(|_| marked == 1) else {
        return Ok((pass(), false));
    };
    resort_core::timer::schedule(connection, EXPIRY, &entry.id, expires_at, now).await?;
    let room_type = resort.room_type(Some(entry.room_type_id));
    let points = room_type.map_or(0, |room_type| resort.policy(room_type).cost(&entry.stay()));
    let reply_in = |locale: Locale| {
        let stay = render::stay_line(locale, &resort.name, entry.check_in, entry.nights, points);
        let room_type = room_type.map_or_else(String::new, |room_type| room_type.display_name(locale));
        let text = locale.text_with(
            "waitlist-offer",
            &[
                text_arg("stay", stay),
                text_arg("room_type", room_type),
                text_arg("until", render::moment(locale, expires_at)),
            ],
        );
        Reply::with_buttons(text, answer_buttons(locale, &entry.id))
    };
    crate::push::tell_employee(connection, entry.employee_id, "waitlist_offer", None, reply_in, now).await?;
    Ok((Vec::new(), true))
}

/// Accept and Decline for an entry's offer.
pub fn answer_buttons(locale: Locale, entry_id: &str) -> Vec<Button> {
    vec![
        Button::new(
            locale.text("button-offer-accept"),
            press::encode(&Command::OfferAccept(Some(entry_id.to_owned()))),
        ),
        Button::new(
            locale.text("button-offer-decline"),
            press::encode(&Command::OfferDecline(Some(entry_id.to_owned()))),
        ),
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// No offer of this employee's is open (none, someone else's, answered, expired).
    #[error("no open offer")]
    NoOffer,
    /// The offer could not be taken and passed on.
    #[error("the offer breaks a booking rule and passed on")]
    Refused(Refusal),
    /// One of the stay's nights is in another active booking of the employee's; passed on.
    #[error("overlaps booking {0}; passed on")]
    Overlap(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The employee's open offer: the one named, or their only one (the soonest to expire if
/// several).
async fn open_offer(desk: &BookingDesk, employee_id: EmployeeId, entry_id: Option<&str>) -> Result<Entry, AnswerError> {
    let now = desk.clock.now_millis();
    let open = super::live_of(&desk.pool, employee_id)
        .await?
        .into_iter()
        .filter(|entry| entry.status == Status::Offered && entry.offer_expires_at.is_some_and(|at| now < at))
        .filter(|entry| entry_id.is_none_or(|id| entry.id == id))
        .min_by_key(|entry| entry.offer_expires_at);
    open.ok_or(AnswerError::NoOffer)
}

/// Takes the offer: a booking through the saga, its id the offer's, judged by `catalog`.
pub async fn accept(
    desk: &BookingDesk,
    catalog: &Snapshot,
    employee: &crate::identity::Employee,
    entry_id: Option<&str>,
) -> Result<Booking, AnswerError> {
    let employee_id = employee.id;
    let entry = open_offer(desk, employee_id, entry_id).await?;
    let offer_id = entry.offer_id.ok_or(AnswerError::NoOffer)?;
    let resort = catalog.resort(entry.resort_id).ok_or(AnswerError::NoOffer)?;
    let room_type = resort.room_type(Some(entry.room_type_id)).ok_or(AnswerError::NoOffer)?;
    let mut facts = desk.facts(catalog, employee, resort, room_type, entry.check_in).await?;
    super::count_offer_free(&mut facts, &entry);
    let ask =
        Ask { room_type_id: Some(room_type.id), check_in: entry.check_in, nights: entry.nights, guests: entry.guests };
    let stay = match desk.judge(&facts, &ask) {
        Ok(stay) => stay,
        Err(RequestError::Rule(refusal)) => {
            pass_on(desk, &entry, Status::Declined).await?;
            return Err(AnswerError::Refused(refusal));
        }
        Err(RequestError::Database(error)) => return Err(error.into()),
        Err(_) => {
            pass_on(desk, &entry, Status::Declined).await?;
            return Err(AnswerError::NoOffer);
        }
    };
    let now = desk.clock.now_millis();
    let booking = Booking {
        id: offer_id,
        origin: Origin::Offer,
        ..Booking::requested(employee_id, resort, room_type, stay, entry.guests, now)
    };
    let mut transaction = desk.pool.begin().await?;
    if !set_status(&mut transaction, &entry, Status::Accepted, now).await? {
        return Err(AnswerError::NoOffer);
    }
    match desk.insert_in(&mut transaction, &booking, Some(&format!("offer:{}", entry.id))).await {
        Ok(()) => {}
        Err(crate::booking::InsertError::NightTaken) => {
            drop(transaction);
            pass_on(desk, &entry, Status::Declined).await?;
            let reference = desk.holder_of_nights(employee_id, &stay).await?.unwrap_or_default();
            return Err(AnswerError::Overlap(reference));
        }
        Err(crate::booking::InsertError::Database(error)) => return Err(error.into()),
    }
    transaction.commit().await?;
    desk.outbox_signal.notify();
    Ok(booking)
}

/// Declines the offer: the room passes to the next entry.
pub async fn decline(
    desk: &BookingDesk,
    employee_id: EmployeeId,
    entry_id: Option<&str>,
) -> Result<Entry, AnswerError> {
    let entry = open_offer(desk, employee_id, entry_id).await?;
    if !pass_on(desk, &entry, Status::Declined).await? {
        return Err(AnswerError::NoOffer);
    }
    Ok(entry)
}

/// Ends an offered entry with `status` and hands its room back to the hotel, once.
async fn pass_on(desk: &BookingDesk, entry: &Entry, status: Status) -> Result<bool, sqlx::Error> {
    let now = desk.clock.now_millis();
    let mut transaction = desk.pool.begin().await?;
    if !pass_in(desk, &mut transaction, entry, status, now).await? {
        return Ok(false);
    }
    transaction.commit().await?;
    desk.outbox_signal.notify();
    Ok(true)
}

async fn pass_in(
    desk: &BookingDesk,
    connection: &mut Connection,
    entry: &Entry,
    status: Status,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(offer_id) = entry.offer_id else { return Ok(false) };
    if !set_status(connection, entry, status, now).await? {
        return Ok(false);
    }
    super::send(desk, connection, Message::HotelPass(BookingRef { booking_id: offer_id }), &offer_id.to_string())
        .await?;
    Ok(true)
}

/// Moves an offered entry on, if it is still offered.
async fn set_status(connection: &mut Connection, entry: &Entry, status: Status, now: i64) -> Result<bool, sqlx::Error> {
    let changed =
        sqlx::query("UPDATE waitlist_entry SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'offered'")
            .bind(&entry.id)
            .bind(status.as_str())
            .bind(now)
            .execute(&mut *connection)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

/// The offer deadline's timer handler.
pub fn expiry(desk: &BookingDesk, push_signal: crate::push::PushSignal) -> (&'static str, Arc<dyn TimerHandler>) {
    (EXPIRY, Arc::new(Expiry { desk: desk.clone(), push_signal }))
}

struct Expiry {
    desk: BookingDesk,
    push_signal: crate::push::PushSignal,
}

#[async_trait]
impl TimerHandler for Expiry {
    async fn fire(&self, connection: &mut Connection, subject: &str, now: i64) -> Result<(), TimerError> {
        let Some(entry) = super::get(connection, subject).await? else {
            tracing::error!(%subject, "an offer deadline names no waitlist entry");
            return Ok(());
        };
        if entry.status != Status::Offered || !pass_in(&self.desk, connection, &entry, Status::Expired, now).await? {
            return Ok(());
        }
        let resort = catalog::get_with(connection, entry.resort_id).await?;
        let resort_name = resort.map_or_else(String::new, |resort| resort.name);
        let reply_in = |locale: Locale| {
            let stay = render::stay_without_points(locale, &resort_name, entry.check_in, entry.nights);
            Reply::text(locale.text_with("waitlist-offer-expired", &[text_arg("stay", stay)]))
        };
        crate::push::tell_employee(connection, entry.employee_id, "waitlist_offer_expired", None, reply_in, now)
            .await?;
        Ok(())
    }

    fn after_commit(&self) {
        self.desk.outbox_signal.notify();
        self.push_signal.notify();
    }
}
