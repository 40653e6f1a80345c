//! The hotel worker: holds rooms of a room type night by night, records the manager's decision,
//! releases.
//!
//! A hold takes one room of its type on every night of the stay or none: each night is a conditional
//! upsert (`WHERE held < rooms`), and when one night is full the nights already taken in the
//! same transaction are given back (and the hold row removed) before answering
//! `hotel.unavailable`. The CHECK on
//! `room_night` makes over-holding impossible even for code that forgets the condition.
//! Decisions apply only to a pending hold, so a second press, a late deadline or a decision on
//! a released hold changes nothing. The worker does what a command says: `hotel.hold` says
//! whether the hold is firm (the saga read the resort's policy), `hotel.decide` says what a
//! rejection's reason is.
//!
//! A batch of holds that come from no offer is judged the same way in memory and written in four
//! statements ([`holds`]).

use async_trait::async_trait;
use chrono::NaiveDate;
use resort_core::booking::{Decision, RejectReason};
use resort_core::db::Connection;
use resort_core::id::BookingId;
use resort_core::inbox::{Consumer, HandleError, Handler, Incoming, Outgoing};
use resort_core::message::{BookingRef, Envelope, HotelConfirmed, HotelHold, HotelRejected, HotelUnavailable, Message};
use resort_core::stay::{Stay, parse_date};
use sqlx::Row;
use std::sync::Arc;

mod holds;
pub mod offer;

pub const QUEUE: &str = "hotel";
pub const BINDINGS: &[&str] = &["hotel.hold", "hotel.decide", "hotel.release", "hotel.offer", "hotel.pass"];

pub fn consumer() -> Consumer {
    Consumer { name: QUEUE, bindings: BINDINGS, handler: Arc::new(HotelWorker) }
}

pub struct HotelWorker;

#[async_trait]
impl Handler for HotelWorker {
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError> {
        let now = envelope.occurred_at.timestamp_millis();
        let mut offers = Vec::new();
        let answer = match message {
            Message::HotelHold(hold) => self.hold(connection, hold, now).await?,
            Message::HotelDecide(decide) => {
                // The hold records what happened to the room, not who decided: an approval
                // makes it firm, a rejection or an expiry releases it. The decision itself is
                // the booking side's record.
                let new_status = if decide.decision == Decision::Approve { "confirmed" } else { "released" };
                let decided = sqlx::query(
                    "UPDATE room_hold SET status = $2, updated_at = $3 WHERE booking_id = $1 AND status = 'pending'",
                )
                .bind(decide.booking_id.to_string())
                .bind(new_status)
                .bind(now)
                .execute(&mut *connection)
                .await?
                .rows_affected();
                if decided == 0 {
                    return Ok(Vec::new());
                }
                match decide.decision {
                    Decision::Approve => Some(Message::HotelConfirmed(HotelConfirmed {
                        booking_id: decide.booking_id,
                        decided_by: decide.decided_by,
                    })),
                    Decision::Reject | Decision::Expire => {
                        let freed = give_back_nights(connection, decide.booking_id, now).await?;
                        offers = offer::freed(connection, &freed, now).await?;
                        Some(Message::HotelRejected(HotelRejected {
                            booking_id: decide.booking_id,
                            reason: decide.reason.unwrap_or_else(|| fallback_reason(decide.decision)),
                            decided_by: decide.decided_by,
                        }))
                    }
                }
            }
            Message::HotelRelease(release) => {
                let released = sqlx::query(
                    "UPDATE room_hold SET status = 'released', updated_at = $2 WHERE booking_id = $1 AND status IN ('pending', 'confirmed')",
                )
                .bind(release.booking_id.to_string())
                .bind(now)
                .execute(&mut *connection)
                .await?
                .rows_affected();
                if released == 1 {
                    let freed = give_back_nights(connection, release.booking_id, now).await?;
                    offers = offer::freed(connection, &freed, now).await?;
                } else {
                    // An accepted offer's booking that never reached its hold (points short).
                    offers = offer::pass(connection, release.booking_id, now).await?;
                }
                // Answered even when nothing was held any more, so the cancel can go on.
                Some(Message::HotelReleased(release))
            }
            Message::HotelPass(passed) => {
                offers = offer::pass(connection, passed.booking_id, now).await?;
                None
            }
            Message::HotelOffer(free) => {
                let stay = Freed {
                    resort_id: free.resort_id.to_string(),
                    room_type_id: free.room_type_id.to_string(),
                    stay: Stay { check_in: free.check_in, nights: free.nights },
                };
                offers = offer::freed(connection, &stay, now).await?;
                None
            }
            _ => return Err(super::not_mine(QUEUE, envelope)),
        };
        let mut outgoing: Vec<Outgoing> =
            answer.into_iter().map(|message| Outgoing::new(message, &envelope.correlation_id)).collect();
        outgoing.extend(offers.into_iter().map(|offered| {
            let offer_id = offered.offer_id;
            Outgoing::new(Message::HotelOffered(offered), offer_id)
        }));
        Ok(outgoing)
    }

    /// A batch of holds that come from no offer (the bulk of the traffic) is applied set-wise
    /// ([`holds`]); anything else message by message.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        let plain_holds = batch.len() > 1
            && batch.iter().all(
                |incoming| matches!(&incoming.message, Message::HotelHold(hold) if hold.from_offer == Some(false)),
            );
        if !plain_holds {
            return resort_core::inbox::handle_each(self, batch, connection).await;
        }
        let now = batch.iter().map(|incoming| incoming.envelope.occurred_at.timestamp_millis()).max().unwrap_or(0);
        let (holds, correlations): (Vec<HotelHold>, Vec<&str>) = batch
            .iter()
            .filter_map(|incoming| match &incoming.message {
                Message::HotelHold(hold) => Some((hold.clone(), incoming.envelope.correlation_id.as_str())),
                _ => None,
            })
            .unzip();
        let answers = holds::hold_all(connection, &holds, now).await?;
        Ok(answers
            .into_iter()
            .zip(correlations)
            .map(|(answer, correlation_id)| {
                answer.into_iter().map(|message| Outgoing::new(message, correlation_id)).collect()
            })
            .collect())
    }
}

impl HotelWorker {
    async fn hold(
        &self,
        connection: &mut Connection,
        hold: HotelHold,
        now: i64,
    ) -> Result<Option<Message>, HandleError> {
        // An accepted offer's room is held already: the offer becomes the hold. A hold that says
        // it is not from an offer skips the look.
        let from_offer = hold.from_offer != Some(false) && offer::take(connection, hold.booking_id, now).await?;
        // The hold row goes in first: its primary key turns a repeated command into a no-op.
        let status = if hold.auto_approve { "confirmed" } else { "pending" };
        let inserted = sqlx::query(
            "INSERT INTO room_hold (booking_id, resort_id, room_type_id, check_in, nights, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (booking_id) DO NOTHING",
        )
        .bind(hold.booking_id.to_string())
        .bind(hold.resort_id.to_string())
        .bind(hold.room_type().to_string())
        .bind(hold.check_in.to_string())
        .bind(i64::from(hold.nights))
        .bind(status)
        .bind(now)
        .execute(&mut *connection)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        let room = Room {
            room_type_id: hold.room_type().to_string(),
            resort_id: hold.resort_id.to_string(),
            rooms: hold.rooms,
        };
        let stay = Stay { check_in: hold.check_in, nights: hold.nights };
        if !from_offer && let Err(night) = take_nights(connection, &room, stay, now).await? {
            sqlx::query("DELETE FROM room_hold WHERE booking_id = $1")
                .bind(hold.booking_id.to_string())
                .execute(&mut *connection)
                .await?;
            return Ok(Some(Message::HotelUnavailable(HotelUnavailable { booking_id: hold.booking_id, night })));
        }
        Ok(Some(if hold.auto_approve {
            Message::HotelConfirmed(HotelConfirmed { booking_id: hold.booking_id, decided_by: None })
        } else {
            Message::HotelHeld(BookingRef { booking_id: hold.booking_id })
        }))
    }
}

/// A room type's inventory, as a hold or an offer takes from it.
pub(crate) struct Room {
    pub room_type_id: String,
    pub resort_id: String,
    /// Its rooms per night now.
    pub rooms: i64,
}

/// Nights given back by a hold or an offer: what the waitlist may be offered.
pub(crate) struct Freed {
    pub resort_id: String,
    pub room_type_id: String,
    pub stay: Stay,
}

/// Takes one room on every night of `stay` or none: `Err(night)` names the first full night,
/// after the nights taken before it were given back.
pub(crate) async fn take_nights(
    connection: &mut Connection,
    room: &Room,
    stay: Stay,
    now: i64,
) -> Result<Result<(), NaiveDate>, sqlx::Error> {
    let nights: Vec<NaiveDate> = stay.nights().collect();
    for (taken, night) in nights.iter().enumerate() {
        if !take_night(connection, room, *night, now).await? {
            for earlier in &nights[..taken] {
                give_back_night(connection, &room.room_type_id, *earlier, now).await?;
            }
            return Ok(Err(*night));
        }
    }
    Ok(Ok(()))
}

/// Takes one room of the type on `night` if one is free.
async fn take_night(connection: &mut Connection, room: &Room, night: NaiveDate, now: i64) -> Result<bool, sqlx::Error> {
    if room.rooms < 1 {
        return Ok(false);
    }
    // One statement: the first hold of a night creates its row, later ones add to it while a
    // room is left. The room count follows the resort's current inventory, carried by the command.
    let taken = sqlx::query(
        "INSERT INTO room_night (room_type_id, resort_id, night, rooms, held, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)
         ON CONFLICT (room_type_id, night) DO UPDATE SET rooms = excluded.rooms, held = room_night.held + 1, updated_at = excluded.updated_at
         WHERE room_night.held < excluded.rooms",
    )
    .bind(&room.room_type_id)
    .bind(&room.resort_id)
    .bind(night.to_string())
    .bind(room.rooms)
    .bind(now)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

async fn give_back_night(
    connection: &mut Connection,
    room_type_id: &str,
    night: NaiveDate,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE room_night SET held = held - 1, updated_at = $3 WHERE room_type_id = $1 AND night = $2")
        .bind(room_type_id)
        .bind(night.to_string())
        .bind(now)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The reason of a rejection sent before the saga named it in the command.
fn fallback_reason(decision: Decision) -> RejectReason {
    if decision == Decision::Expire { RejectReason::ManagerTimedOut } else { RejectReason::ManagerRejected }
}

/// Gives back the nights of a released hold; what came free.
async fn give_back_nights(connection: &mut Connection, booking_id: BookingId, now: i64) -> Result<Freed, HandleError> {
    let row = sqlx::query("SELECT resort_id, room_type_id, check_in, nights FROM room_hold WHERE booking_id = $1")
        .bind(booking_id.to_string())
        .fetch_one(&mut *connection)
        .await?;
    Ok(give_back_stay(connection, &row, now).await?)
}

/// Gives back every night of the stay a hold's or an offer's row names (its `resort_id`,
/// `room_type_id`, `check_in`, `nights`); what came free.
pub(crate) async fn give_back_stay(
    connection: &mut Connection,
    row: &sqlx::any::AnyRow,
    now: i64,
) -> Result<Freed, sqlx::Error> {
    let room_type_id: String = row.try_get("room_type_id")?;
    let check_in: String = row.try_get("check_in")?;
    let nights: i64 = row.try_get("nights")?;
    let check_in = parse_date(&check_in).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
    let stay = Stay { check_in, nights: u32::try_from(nights).unwrap_or(0) };
    for night in stay.nights() {
        give_back_night(connection, &room_type_id, night, now).await?;
    }
    Ok(Freed { resort_id: row.try_get("resort_id")?, room_type_id, stay })
}

/// The nights from `from` on on which a room type holds more than `rooms` rooms: what a smaller
/// room count would overbook.
pub async fn nights_holding_more_than(
    pool: &resort_core::db::Pool,
    room_type_id: &str,
    rooms: i64,
    from: NaiveDate,
) -> Result<Vec<NaiveDate>, sqlx::Error> {
    let nights: Vec<String> = sqlx::query_scalar(
        "SELECT night FROM room_night WHERE room_type_id = $1 AND night >= $2 AND held > $3 ORDER BY night",
    )
    .bind(room_type_id)
    .bind(from.to_string())
    .bind(rooms)
    .fetch_all(pool)
    .await?;
    Ok(nights.iter().filter_map(|night| parse_date(night).ok()).collect())
}

/// Rooms of a type held per night, from `from` for `days` days: for availability and reports.
pub async fn held_per_night(
    pool: &resort_core::db::Pool,
    room_type_id: &str,
    from: NaiveDate,
    days: u32,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    let until = Stay { check_in: from, nights: days }.check_out();
    let rows = sqlx::query(
        "SELECT night, held FROM room_night WHERE room_type_id = $1 AND night >= $2 AND night < $3 ORDER BY night",
    )
    .bind(room_type_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let night: String = row.try_get("night")?;
            let night = parse_date(&night).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
            Ok((night, row.try_get("held")?))
        })
        .collect()
}
