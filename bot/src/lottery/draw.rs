//! The draw, fired once by the durable timer at `draw_at`: every application's weight from its
//! factors, the order from the seed (`resort_core::lottery::order`), slots by serial dictatorship
//! (an applicant is passed over for a slot they cannot afford or whose nights they already
//! booked), a booking through the normal saga for each winner, and a result pushed to every
//! applicant, all in the timer's one transaction. Who did not win joins the waitlist of each
//! slot they asked for, in draw order. [`verify`] recomputes the same from what is
//! stored.

use super::{Application, DRAW, Lottery};
use crate::booking::{Booking, BookingDesk};
use crate::catalog::{self, Resort};
use crate::conversation::{Reply, render};
use async_trait::async_trait;
use chrono::{Days, NaiveDate};
use resort_core::db::Connection;
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::id::EmployeeId;
use resort_core::lottery::{self as draw, Entry, Factors, Seed};
use resort_core::timer::{TimerError, TimerHandler};
use std::sync::Arc;

/// The draw's timer handler.
pub fn handler(desk: &BookingDesk, push_signal: crate::push::PushSignal) -> (&'static str, Arc<dyn TimerHandler>) {
    (DRAW, Arc::new(Draw { desk: desk.clone(), push_signal }))
}

struct Draw {
    desk: BookingDesk,
    push_signal: crate::push::PushSignal,
}

#[async_trait]
impl TimerHandler for Draw {
    async fn fire(&self, connection: &mut Connection, subject: &str, now: i64) -> Result<(), TimerError> {
        let Some(lottery) = super::get(connection, subject).await? else {
            tracing::error!(lottery = %subject, "a draw names no lottery");
            return Ok(());
        };
        if lottery.drawn_at.is_some() {
            return Ok(());
        }
        let Some(resort) = catalog::get_with(connection, lottery.resort_id).await? else {
            return Err(TimerError::Failed(format!("the resort of lottery {} is gone", lottery.id)));
        };
        let seed = Seed::from_hex(&lottery.seed).ok_or_else(|| TimerError::Failed("the seed is malformed".into()))?;
        let applications = super::applications(connection, &lottery.id).await?;
        let draw_day = chrono::DateTime::from_timestamp_millis(now)
            .unwrap_or_default()
            .with_timezone(&resort_core::clock::korea())
            .date_naive();
        let mut entries = Vec::with_capacity(applications.len());
        let mut factors_of = std::collections::HashMap::new();
        for application in &applications {
            let factors = factors(connection, application.employee_id, draw_day).await?;
            factors_of.insert(application.id.clone(), factors);
            let weight = lottery.weights.weight(&factors);
            sqlx::query("UPDATE lottery_application SET weight = $2, factors = $3, updated_at = $4 WHERE id = $1")
                .bind(&application.id)
                .bind(weight.to_string())
                .bind(serde_json::to_string(&factors).expect("factors serialize"))
                .bind(now)
                .execute(&mut *connection)
                .await?;
            entries.push(Entry { id: application.id.clone(), weight, preferences: application.preferences.clone() });
        }
        let order = draw::order(&seed, &entries);
        // Who can take which slot, judged now: enough points, and no booking of theirs already
        // on those nights.
        let mut can_take = std::collections::HashSet::new();
        for application in &applications {
            let balance = resort_workers::point::balance_of(connection, application.employee_id).await?;
            for slot_index in &application.preferences {
                let slot = lottery.slots[*slot_index];
                let cost = cost(&resort, &lottery, slot);
                if cost <= balance
                    && !has_booking_on(connection, application.employee_id, slot.check_in, slot.nights).await?
                {
                    can_take.insert((application.id.clone(), *slot_index));
                }
            }
        }
        let rooms: Vec<u32> = lottery.slots.iter().map(|slot| slot.rooms).collect();
        let results =
            draw::assign(&order, &entries, &rooms, |entry, slot| can_take.contains(&(entry.id.clone(), slot)));
        for (application_id, slot_index) in &results {
            let Some(slot_index) = slot_index else { continue };
            let application = applications.iter().find(|application| &application.id == application_id).expect("drawn");
            let booking = self.book(connection, &lottery, &resort, application, *slot_index, now).await?;
            sqlx::query(
                "UPDATE lottery_application SET slot_index = $2, booking_id = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(application_id)
            .bind(i64::try_from(*slot_index).unwrap_or(0))
            .bind(booking.id.to_string())
            .bind(now)
            .execute(&mut *connection)
            .await?;
        }
        // Who did not win waits for each slot they asked for, in draw order.
        let losers: Vec<(EmployeeId, Vec<resort_core::stay::Stay>)> = results
            .iter()
            .filter(|(_, slot)| slot.is_none())
            .filter_map(|(application_id, _)| applications.iter().find(|application| &application.id == application_id))
            .map(|application| {
                let stays = application.preferences.iter().map(|index| lottery.slots[*index].stay()).collect();
                (application.employee_id, stays)
            })
            .collect();
        crate::waitlist::join_losers(connection, &lottery.id, lottery.resort_id, lottery.room_type_id, &losers, now)
            .await?;
        sqlx::query("UPDATE lottery SET draw_order = $2, drawn_at = $3, updated_at = $3 WHERE id = $1")
            .bind(&lottery.id)
            .bind(serde_json::to_string(&order).expect("order serializes"))
            .bind(now)
            .execute(&mut *connection)
            .await?;
        crate::catalog::changed(&mut *connection).await?;
        for (place, (application_id, slot_index)) in results.iter().enumerate() {
            let application = applications.iter().find(|application| &application.id == application_id).expect("drawn");
            let weight = entries.iter().find(|entry| &entry.id == application_id).map_or(1.0, |entry| entry.weight);
            let factors = factors_of.get(application_id).copied().unwrap_or_default();
            let result = Outcome {
                lottery: &lottery,
                resort: &resort,
                slot: *slot_index,
                place: place + 1,
                of: results.len(),
                weight,
                factors,
            };
            self.tell(connection, application.employee_id, &result, now).await?;
        }
        tracing::info!(lottery = %lottery.id, applications = applications.len(), winners = results.iter().filter(|(_, slot)| slot.is_some()).count(), "lottery drawn");
        Ok(())
    }

    fn after_commit(&self) {
        self.desk.outbox_signal.notify();
        self.push_signal.notify();
    }
}

impl Draw {
    /// A winner's booking, approved in advance unless the lottery asks a manager; the saga
    /// deducts the points as for any booking.
    async fn book(
        &self,
        connection: &mut Connection,
        lottery: &Lottery,
        resort: &Resort,
        application: &Application,
        slot_index: usize,
        now: i64,
    ) -> Result<Booking, TimerError> {
        let slot = lottery.slots[slot_index];
        let room_type = resort
            .room_type(Some(lottery.room_type_id))
            .ok_or_else(|| TimerError::Failed(format!("the room type of lottery {} is gone", lottery.id)))?;
        let booking = Booking {
            preapproved: !lottery.manager_approval,
            origin: resort_core::booking::Origin::Lottery,
            ..Booking::requested(application.employee_id, resort, room_type, slot.stay(), 1, now)
        };
        let key = format!("lottery:{}", application.id);
        self.desk
            .insert_in(connection, &booking, Some(&key))
            .await
            .map_err(|error| TimerError::Failed(format!("a winner's booking could not be made: {error:?}")))?;
        Ok(booking)
    }

    /// Queues the result for each chat account of the applicant, in its language.
    async fn tell(
        &self,
        connection: &mut Connection,
        employee_id: EmployeeId,
        outcome: &Outcome<'_>,
        now: i64,
    ) -> Result<(), TimerError> {
        let reply_in = |locale| Reply::text(outcome.text(locale));
        crate::push::tell_employee(connection, employee_id, "lottery_result", None, reply_in, now).await?;
        Ok(())
    }
}

/// What one applicant is told.
struct Outcome<'a> {
    lottery: &'a Lottery,
    resort: &'a Resort,
    slot: Option<usize>,
    place: usize,
    of: usize,
    weight: f64,
    factors: Factors,
}

impl Outcome<'_> {
    fn text(&self, locale: Locale) -> String {
        match self.slot {
            Some(index) => {
                let slot = self.lottery.slots[index];
                let stay = render::stay_line(
                    locale,
                    &self.resort.name,
                    slot.check_in,
                    slot.nights,
                    cost(self.resort, self.lottery, slot),
                );
                locale.text_with("lottery-won", &[text_arg("name", self.lottery.name.clone()), text_arg("stay", stay)])
            }
            None => {
                let mut reasons = Vec::new();
                if self.factors.recent_stay {
                    reasons.push(locale.text("lottery-factor-recent-stay"));
                }
                if self.factors.no_shows > 0 {
                    reasons.push(
                        locale.text_with(
                            "lottery-factor-no-show",
                            &[number_arg("count", i64::from(self.factors.no_shows))],
                        ),
                    );
                }
                if self.factors.never_won {
                    reasons.push(locale.text("lottery-factor-never-won"));
                }
                if reasons.is_empty() {
                    reasons.push(locale.text("lottery-factor-base"));
                }
                locale.text_with(
                    "lottery-lost",
                    &[
                        text_arg("name", self.lottery.name.clone()),
                        number_arg("place", i64::try_from(self.place).unwrap_or(0)),
                        number_arg("of", i64::try_from(self.of).unwrap_or(0)),
                        text_arg("weight", format!("{:.3}", self.weight)),
                        text_arg("factors", reasons.join(", ")),
                    ],
                )
            }
        }
    }
}

/// What a slot costs in the lottery's room type.
pub fn cost(resort: &Resort, lottery: &Lottery, slot: super::Slot) -> i64 {
    resort
        .room_type(Some(lottery.room_type_id))
        .map_or(i64::MAX, |room_type| resort.policy(room_type).cost(&slot.stay()))
}

/// The weight's factors for an employee at a draw on `day`: a confirmed stay checking out in
/// the 12 months before, and whether any lottery ever gave them a slot. No-shows are not recorded
/// yet, so that factor has no data.
async fn factors(connection: &mut Connection, employee_id: EmployeeId, day: NaiveDate) -> Result<Factors, sqlx::Error> {
    let year_before = day.checked_sub_days(Days::new(365)).unwrap_or(day);
    let stays: Vec<(String, i64)> = sqlx::query_as(
        "SELECT check_in, nights FROM booking WHERE employee_id = $1 AND status = 'confirmed' AND check_in <= $2",
    )
    .bind(employee_id.to_string())
    .bind(day.to_string())
    .fetch_all(&mut *connection)
    .await?;
    let recent_stay = stays.iter().any(|(check_in, nights)| {
        resort_core::stay::parse_date(check_in)
            .ok()
            .and_then(|check_in| check_in.checked_add_days(Days::new(u64::try_from(*nights).unwrap_or(0))))
            .is_some_and(|check_out| year_before <= check_out && check_out <= day)
    });
    let won: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM lottery_application WHERE employee_id = $1 AND slot_index IS NOT NULL",
    )
    .bind(employee_id.to_string())
    .fetch_one(&mut *connection)
    .await?;
    Ok(Factors { recent_stay, no_shows: 0, never_won: won == 0 })
}

/// Whether the employee has an active booking on one of those nights.
async fn has_booking_on(
    connection: &mut Connection,
    employee_id: EmployeeId,
    check_in: NaiveDate,
    nights: u32,
) -> Result<bool, sqlx::Error> {
    let check_out = check_in.checked_add_days(Days::new(u64::from(nights))).unwrap_or(check_in);
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM booking_night WHERE employee_id = $1 AND night >= $2 AND night < $3")
            .bind(employee_id.to_string())
            .bind(check_in.to_string())
            .bind(check_out.to_string())
            .fetch_one(&mut *connection)
            .await?;
    Ok(taken > 0)
}

/// Recomputes a drawn lottery from what is stored: the commitment from the seed, the order from
/// the seed and the recorded weights, and the slots from the order and preferences (taking the
/// recorded results' passes-over as given). `Ok(())`, or what differs.
pub fn verify(lottery: &Lottery, applications: &[Application]) -> Result<(), Vec<String>> {
    let mut differences = Vec::new();
    let Some(seed) = Seed::from_hex(&lottery.seed) else {
        return Err(vec!["the seed is not 32 bytes of hex".into()]);
    };
    if seed.commitment() != lottery.seed_commitment {
        differences.push("the seed does not match the commitment".into());
    }
    let entries: Vec<Entry> = applications
        .iter()
        .map(|application| Entry {
            id: application.id.clone(),
            weight: application.weight.unwrap_or(f64::NAN),
            preferences: application.preferences.clone(),
        })
        .collect();
    let order = draw::order(&seed, &entries);
    if lottery.draw_order.as_ref() != Some(&order) {
        differences.push("the order does not follow from the seed and the weights".into());
    }
    // Every slot given went to someone in order whose preference it was, and never over its rooms.
    let mut given = vec![0u32; lottery.slots.len()];
    for application in applications {
        if let Some(slot) = application.slot_index {
            if !application.preferences.contains(&slot) {
                differences.push(format!("application {} got slot {slot}, which it did not ask for", application.id));
            }
            if let Some(count) = given.get_mut(slot) {
                *count += 1;
            }
        }
    }
    for (index, (count, slot)) in given.iter().zip(&lottery.slots).enumerate() {
        if *count > slot.rooms {
            differences.push(format!("slot {index} was given {count} times for {} rooms", slot.rooms));
        }
    }
    if differences.is_empty() { Ok(()) } else { Err(differences) }
}
