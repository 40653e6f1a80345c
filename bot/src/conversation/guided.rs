//! The guided booking flow: resort → room type → check-in → nights → guests → confirm, one
//! question per turn, with the choices as quick replies (the check-in as a month [`calendar`]).
//! The room type is asked only where there are several, the guests only where a room takes more
//! than one. Every choice offered passed the booking rules (`BookingDesk::judge`), and an answer
//! that breaks one is refused with the same question again, so the person can pick another.
//! The state is in [`super::flow`]; typed answers work as well as presses, and a press from an
//! old message is answered by asking the current question again.

use super::command::{self, Command};
use super::flow::{self, Flow, Prefilled};
use super::press;
use super::reply::{Button, DayMark};
use super::{Conversation, Failure, Reply, ReplyMessage, Turn, TurnResult, calendar, refuse, render};
use crate::booking::catalog_cache::Snapshot;
use crate::booking::{Ask, RequestError};
use crate::catalog::{self, Resort, RoomType};
use chrono::{Days, NaiveDate};
use resort_core::i18n::{number_arg, text_arg};
use resort_core::id::{ResortId, RoomTypeId};
use resort_core::rules::{self, Refusal};
use resort_core::stay::{Stay, parse_date};
use std::collections::HashMap;
use std::sync::Arc;

/// Quick replies on one question (Kakao allows ten).
const MAX_CHOICES: usize = 10;

/// Which way the flow moves, for the steps it skips (one room type, one guest).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Back,
}

impl Conversation {
    pub(super) async fn guided(&self, turn: &Turn<'_>, command: Command) -> TurnResult {
        let (platform, user_id) = (turn.user.platform, turn.user.user_id.as_str());
        if command == Command::Book(None) {
            return self.enter(turn, Flow::ChooseResort, Direction::Forward).await;
        }
        // A resort's button starts booking there, from any message: refusals carry one.
        if let Command::FlowResort(answer) = &command
            && let Some(resort_id) = ResortId::parse(answer)
        {
            let resort = self.resort(turn, resort_id).await?;
            return self.start_at(turn, &resort, None).await;
        }
        let Some(current) = flow::load(self.reads(), platform, user_id).await? else {
            return Err(refuse(not_understood(turn, &command)));
        };
        match (current, command) {
            (_, Command::FlowQuit) => {
                flow::clear(&self.pool, platform, user_id).await?;
                Ok(Reply::text(turn.locale.text("flow-quit")).quick(render::menu(turn.locale, turn.is_manager)))
            }
            (current, Command::FlowBack) => self.enter(turn, current.back(), Direction::Back).await,
            (Flow::ChooseResort, Command::Other(answer)) => {
                let resort = self.catalog(turn).await?.find_by_name(&answer).cloned().ok_or_else(|| {
                    refuse(turn.locale.text_with("error-unknown-resort", &[text_arg("name", answer)]))
                })?;
                self.start_at(turn, &resort, None).await
            }
            (
                current @ Flow::ChooseRoomType { resort_id, prefilled },
                Command::FlowRoomType(answer) | Command::Other(answer),
            ) => {
                let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
                let room_type = RoomTypeId::parse(&answer)
                    .and_then(|id| resort.room_type(Some(id)))
                    .or_else(|| resort.room_types.iter().find(|room_type| room_type.answers_to(&answer)))
                    .ok_or_else(|| refuse(unknown_room_type(turn, &resort, &answer)))?;
                let next = match prefilled {
                    Some(stay) => {
                        let ask = Ask {
                            room_type_id: Some(room_type.id),
                            check_in: stay.check_in,
                            nights: stay.nights,
                            guests: stay.guests,
                        };
                        self.check_step(turn, &current, &catalog, &resort, &ask).await?;
                        confirm(resort_id, &ask, room_type.id)
                    }
                    None => Flow::ChooseDate { resort_id, room_type_id: room_type.id },
                };
                self.enter(turn, next, Direction::Forward).await
            }
            (Flow::ChooseDate { resort_id, room_type_id }, Command::FlowMonth(answer)) => {
                let month = calendar::parse_month(&answer).ok_or_else(|| refuse(turn.locale.text("flow-expired")))?;
                self.ask_date(turn, resort_id, room_type_id, Some(month)).await
            }
            (
                current @ Flow::ChooseDate { resort_id, room_type_id },
                Command::FlowDate(answer) | Command::Other(answer),
            ) => {
                let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
                let check_in = parse_date(&answer).map_err(|error| refuse(super::stay_error(turn.locale, error)))?;
                let ask = Ask { room_type_id: Some(room_type_id), check_in, nights: resort.min_nights, guests: 1 };
                self.check_step(turn, &current, &catalog, &resort, &ask).await?;
                self.enter(turn, Flow::ChooseNights { resort_id, room_type_id, check_in }, Direction::Forward).await
            }
            (
                current @ Flow::ChooseNights { resort_id, room_type_id, check_in },
                Command::FlowNights(answer) | Command::Other(answer),
            ) => {
                let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
                let nights =
                    command::parse_nights(&answer).ok_or_else(|| refuse(turn.locale.text("error-bad-nights")))?;
                let ask = Ask { room_type_id: Some(room_type_id), check_in, nights, guests: 1 };
                self.check_step(turn, &current, &catalog, &resort, &ask).await?;
                let next = Flow::ChooseGuests { resort_id, room_type_id, check_in, nights };
                self.enter(turn, next, Direction::Forward).await
            }
            (
                current @ Flow::ChooseGuests { resort_id, room_type_id, check_in, nights },
                Command::FlowGuests(answer) | Command::Other(answer),
            ) => {
                let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
                let guests =
                    command::parse_guests(&answer).ok_or_else(|| refuse(turn.locale.text("error-bad-guests")))?;
                let ask = Ask { room_type_id: Some(room_type_id), check_in, nights, guests };
                self.check_step(turn, &current, &catalog, &resort, &ask).await?;
                self.enter(turn, confirm(resort_id, &ask, room_type_id), Direction::Forward).await
            }
            (Flow::Confirm { resort_id, room_type_id, check_in, nights, guests, flow_id }, Command::FlowConfirm) => {
                let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
                let ask = Ask { room_type_id: Some(room_type_id), check_in, nights, guests };
                let reply = self.request_booking(turn, &catalog, &resort, ask, Some(&flow_id)).await?;
                flow::save(&self.pool, platform, user_id, &Flow::Done { flow_id }, self.clock.now_millis()).await?;
                Ok(reply)
            }
            (Flow::Done { flow_id }, Command::FlowConfirm) => match self.desk.by_idempotency_key(Some(&flow_id)).await?
            {
                Some(booking) => Err(refuse(
                    turn.locale.text_with("flow-already-requested", &[text_arg("reference", booking.reference)]),
                )),
                None => Err(refuse(turn.locale.text("flow-expired"))),
            },
            (Flow::Done { .. }, command) => Err(refuse(not_understood(turn, &command))),
            (current, _) => {
                // A press from an older message, or an answer to a different question.
                let mut reply = self.ask(turn, &current).await?;
                reply.messages.insert(0, ReplyMessage::new(turn.locale.text("flow-stale"), Vec::new()));
                Ok(reply)
            }
        }
    }

    /// Starts booking at a resort: its room types first, then the rest. A one-shot booking that
    /// did not name a type of several brings its stay along.
    pub(super) async fn start_at(&self, turn: &Turn<'_>, resort: &Resort, prefilled: Option<Prefilled>) -> TurnResult {
        if !resort.active {
            return Err(refuse(turn.locale.text("error-inactive-resort")));
        }
        self.enter(turn, Flow::ChooseRoomType { resort_id: resort.id, prefilled }, Direction::Forward).await
    }

    /// The booking rules for a step's answer; a broken one is refused with the step's question
    /// again, so the person can choose something that passes.
    async fn check_step(
        &self,
        turn: &Turn<'_>,
        step: &Flow,
        catalog: &Snapshot,
        resort: &Resort,
        ask: &Ask,
    ) -> Result<(), Failure> {
        match self.desk.check(catalog, &turn.employee, resort, ask).await {
            Ok(_) => Ok(()),
            Err(RequestError::Database(error)) => Err(error.into()),
            Err(error) => {
                // A full day offers the waitlist for the stay chosen so far (at the date step,
                // the resort's shortest).
                let join = super::waitlist::join_button(turn.locale, &error, resort, ask);
                let failure = super::with_button(super::request_refusal(turn.locale, error, None), join);
                let Failure::Refuse(refusal) = failure else {
                    return Err(Failure::Internal("a refusal that is not one".into()));
                };
                let mut reply = self.ask(turn, step).await?;
                reply.messages.splice(0..0, refusal.messages);
                Err(Failure::Refuse(reply))
            }
        }
    }

    /// Moves to `next`, past a step with nothing to choose (one room type, one guest).
    async fn enter(&self, turn: &Turn<'_>, next: Flow, direction: Direction) -> TurnResult {
        let next = self.settle(next, direction).await?;
        flow::save(&self.pool, turn.user.platform, &turn.user.user_id, &next, self.clock.now_millis()).await?;
        self.ask(turn, &next).await
    }

    async fn settle(&self, step: Flow, direction: Direction) -> Result<Flow, Failure> {
        Ok(match step {
            Flow::ChooseRoomType { resort_id, prefilled: None } => {
                match catalog::get(self.reads(), resort_id).await?.as_ref().and_then(|resort| resort.room_type(None)) {
                    Some(_) if direction == Direction::Back => Flow::ChooseResort,
                    Some(only) => Flow::ChooseDate { resort_id, room_type_id: only.id },
                    None => Flow::ChooseRoomType { resort_id, prefilled: None },
                }
            }
            Flow::ChooseGuests { resort_id, room_type_id, check_in, nights } => {
                let resort = catalog::get(self.reads(), resort_id).await?;
                let one_guest = resort
                    .as_ref()
                    .and_then(|resort| resort.room_type(Some(room_type_id)))
                    .is_some_and(|room_type| room_type.capacity <= 1);
                match (one_guest, direction) {
                    (false, _) => Flow::ChooseGuests { resort_id, room_type_id, check_in, nights },
                    (true, Direction::Back) => Flow::ChooseNights { resort_id, room_type_id, check_in },
                    (true, Direction::Forward) => {
                        let ask = Ask { room_type_id: Some(room_type_id), check_in, nights, guests: 1 };
                        confirm(resort_id, &ask, room_type_id)
                    }
                }
            }
            other => other,
        })
    }

    async fn resort(&self, turn: &Turn<'_>, id: ResortId) -> Result<Resort, Failure> {
        Ok(self.catalog_and_resort(turn, id).await?.1)
    }

    /// The catalogue as of now and the flow's resort in it, for a step that also judges by it.
    async fn catalog_and_resort(&self, turn: &Turn<'_>, id: ResortId) -> Result<(Arc<Snapshot>, Resort), Failure> {
        let catalog = self.catalog(turn).await?;
        let resort = catalog.resort(id).cloned().ok_or_else(|| refuse(turn.locale.text("flow-expired")))?;
        Ok((catalog, resort))
    }

    /// The question for a step, with its choices.
    async fn ask(&self, turn: &Turn<'_>, step: &Flow) -> TurnResult {
        let locale = turn.locale;
        let quit = Button::new(locale.text("button-quit"), press::encode(&Command::FlowQuit));
        match step {
            Flow::ChooseResort => {
                let resorts = catalog::list_active(self.reads()).await?;
                let mut lines = vec![locale.text("flow-ask-resort")];
                let mut choices = Vec::new();
                for resort in resorts.iter().take(MAX_CHOICES - 1) {
                    lines.push(locale.text_with(
                        "flow-resort-line",
                        &[
                            text_arg("name", resort.name.clone()),
                            text_arg("region", resort.region.clone()),
                            number_arg("points", resort.points_per_night),
                        ],
                    ));
                    choices.push(Button::new(
                        resort.name.clone(),
                        press::encode(&Command::FlowResort(resort.id.to_string())),
                    ));
                }
                Ok(Reply::choose(lines.join("\n"), choices).quick(vec![quit]))
            }
            Flow::ChooseRoomType { resort_id, prefilled } => {
                let resort = self.resort(turn, *resort_id).await?;
                let mut lines = vec![match prefilled {
                    Some(stay) => locale.text_with(
                        "flow-ask-room-type-for",
                        &[
                            text_arg("resort", resort.name.clone()),
                            text_arg("check_in", render::date_with_year(locale, stay.check_in)),
                            number_arg("nights", i64::from(stay.nights)),
                        ],
                    ),
                    None => locale.text_with("flow-ask-room-type", &[text_arg("resort", resort.name.clone())]),
                }];
                let mut choices = Vec::new();
                for room_type in resort.room_types.iter().take(MAX_CHOICES - 1) {
                    lines.push(room_type_line(turn, room_type));
                    choices.push(Button::new(
                        room_type.display_name(locale),
                        press::encode(&Command::FlowRoomType(room_type.id.to_string())),
                    ));
                }
                Ok(Reply::choose(lines.join("\n"), choices).quick(vec![back(locale), quit]))
            }
            Flow::ChooseDate { resort_id, room_type_id } => self.ask_date(turn, *resort_id, *room_type_id, None).await,
            Flow::ChooseNights { resort_id, room_type_id, check_in } => {
                let (catalog, resort) = self.catalog_and_resort(turn, *resort_id).await?;
                let room_type = self.room_type(turn, &resort, *room_type_id)?;
                // Only the counts that pass every rule: the window, the limits, the points, rooms.
                let facts = self.desk.facts(&catalog, &turn.employee, &resort, room_type, *check_in).await?;
                let allowed: Vec<u32> = (resort.min_nights..=resort.max_nights)
                    .filter(|nights| {
                        let ask =
                            Ask { room_type_id: Some(room_type.id), check_in: *check_in, nights: *nights, guests: 1 };
                        self.desk.judge(&facts, &ask).is_ok()
                    })
                    .take(MAX_CHOICES - 3)
                    .collect();
                let choices: Vec<Button> = allowed
                    .iter()
                    .map(|nights| {
                        Button::new(
                            locale.text_with("nights-label", &[number_arg("nights", i64::from(*nights))]),
                            press::encode(&Command::FlowNights(nights.to_string())),
                        )
                    })
                    .collect();
                let text = locale.text_with(
                    "flow-ask-nights",
                    &[
                        text_arg("check_in", render::date_with_year(locale, *check_in)),
                        number_arg("max", i64::from(allowed.last().copied().unwrap_or(0))),
                    ],
                );
                Ok(Reply::choose(text, choices).quick(vec![back(locale), quit]))
            }
            Flow::ChooseGuests { resort_id, room_type_id, .. } => {
                let resort = self.resort(turn, *resort_id).await?;
                let room_type = self.room_type(turn, &resort, *room_type_id)?;
                let choices: Vec<Button> = (1..=room_type.capacity.min(MAX_CHOICES as u32 - 3))
                    .map(|guests| {
                        Button::new(
                            locale.text_with("guests-label", &[number_arg("guests", i64::from(guests))]),
                            press::encode(&Command::FlowGuests(guests.to_string())),
                        )
                    })
                    .collect();
                let text = locale.text_with("flow-ask-guests", &[number_arg("max", i64::from(room_type.capacity))]);
                Ok(Reply::choose(text, choices).quick(vec![back(locale), quit]))
            }
            Flow::Confirm { resort_id, room_type_id, check_in, nights, guests, .. } => {
                let resort = self.resort(turn, *resort_id).await?;
                let room_type = self.room_type(turn, &resort, *room_type_id)?;
                let stay = Stay { check_in: *check_in, nights: *nights };
                let policy = resort.policy(room_type);
                let cost = policy.cost(&stay);
                let balance = resort_workers::point::balance(self.reads(), turn.employee.id).await?;
                let line = render::stay_line(locale, &resort.name, *check_in, *nights, cost);
                let text = locale.text_with(
                    "flow-summary",
                    &[
                        text_arg("stay", line),
                        text_arg("room_type", room_type.display_name(locale)),
                        number_arg("guests", i64::from(*guests)),
                        number_arg("balance", balance),
                        number_arg("after", balance - cost),
                    ],
                );
                // A peak price says so, with the usual one beside it.
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                let question = lines.pop().unwrap_or_default();
                lines.extend(render::surcharge_lines(locale, &policy, &stay));
                lines.push(question);
                let text = lines.join("\n");
                let buttons = vec![
                    Button::new(locale.text("button-confirm"), press::encode(&Command::FlowConfirm)),
                    back(locale),
                    quit,
                ];
                Ok(Reply::with_buttons(text, buttons))
            }
            Flow::Done { .. } => Ok(Reply::text(locale.text("flow-expired"))),
        }
    }

    fn room_type<'r>(&self, turn: &Turn<'_>, resort: &'r Resort, id: RoomTypeId) -> Result<&'r RoomType, Failure> {
        resort.room_type(Some(id)).ok_or_else(|| refuse(turn.locale.text("flow-expired")))
    }

    /// The check-in question: a month calendar (by default the month of the first open day),
    /// paged within the booking window. A day is open for the nights in a row that have a room of
    /// the type and no blackout; full, blacked-out and not-yet-open days are marked apart.
    async fn ask_date(
        &self,
        turn: &Turn<'_>,
        resort_id: ResortId,
        room_type_id: RoomTypeId,
        month: Option<NaiveDate>,
    ) -> TurnResult {
        let locale = turn.locale;
        let (catalog, resort) = self.catalog_and_resort(turn, resort_id).await?;
        let room_type = self.room_type(turn, &resort, room_type_id)?;
        let today = self.clock.today();
        // The days the resort's window opens now (the rules decide; the calendar only shows).
        let open = rules::open(&resort.window(), self.clock.now());
        let (first, last) = (open.first.max(today), open.last);
        let shown_last = open.next.0.max(last);
        let span = u32::try_from((shown_last - today).num_days().max(0)).unwrap_or(0) + 1;
        let rooms_left = self.rooms_left(room_type, today, span + resort.max_nights).await?;
        let blackouts = catalog.blackouts(resort.id);
        let blacked_out =
            |night: NaiveDate| blackouts.iter().any(|blackout| blackout.from <= night && night <= blackout.to);
        let drawn_for: Vec<NaiveDate> = catalog
            .undrawn_for(room_type.id)
            .iter()
            .flat_map(|lottery| lottery.slots.iter().flat_map(|slot| slot.stay().nights().collect::<Vec<_>>()))
            .collect();
        let in_lottery = |night: NaiveDate| drawn_for.contains(&night);
        let mark = |day: NaiveDate| {
            if day > last {
                return if day == open.next.0 { DayMark::NotOpenYet } else { DayMark::Closed };
            }
            if blacked_out(day) {
                return DayMark::Blackout;
            }
            if in_lottery(day) {
                return DayMark::Lottery;
            }
            let nights = (0..resort.max_nights)
                .take_while(|offset| {
                    day.checked_add_days(Days::new(u64::from(*offset))).is_some_and(|night| {
                        rooms_left.get(&night).copied().unwrap_or(room_type.rooms) > 0
                            && !blacked_out(night)
                            && !in_lottery(night)
                    })
                })
                .count() as u32;
            if nights >= resort.min_nights { DayMark::Open(nights) } else { DayMark::Full }
        };
        let first_open =
            first.iter_days().take_while(|day| *day <= last).find(|day| matches!(mark(*day), DayMark::Open(_)));
        let month = month.filter(|month| calendar::month_start(today) <= *month && *month <= shown_last);
        let calendar = calendar::month(locale, month.or(first_open).unwrap_or(first), first, shown_last, mark);
        let key = if first_open.is_some() { "flow-ask-date" } else { "flow-no-dates" };
        let text = locale.text_with(
            key,
            &[
                text_arg("resort", resort.name.clone()),
                text_arg("opens", render::date_with_year(locale, open.next.1.date())),
                text_arg("time", open.next.1.format("%H:%M").to_string()),
            ],
        );
        let mut message = ReplyMessage::new(text, Vec::new());
        message.calendar = Some(calendar);
        let choices = vec![back(locale), Button::new(locale.text("button-quit"), press::encode(&Command::FlowQuit))];
        Ok(Reply { messages: vec![message], ..Reply::default() }.quick(choices))
    }

    /// Rooms of a type left per night for `days` nights from `from`.
    async fn rooms_left(
        &self,
        room_type: &RoomType,
        from: NaiveDate,
        days: u32,
    ) -> Result<HashMap<NaiveDate, i64>, sqlx::Error> {
        let taken = crate::booking::occupancy::taken_per_night(self.reads(), room_type.id, from, days).await?;
        Ok((0..days)
            .filter_map(|offset| from.checked_add_days(Days::new(u64::from(offset))))
            .map(|night| (night, room_type.rooms - taken.get(&night).copied().unwrap_or(0)))
            .collect())
    }
}

/// The confirm step of a request, with a fresh flow id (the booking's idempotency key).
fn confirm(resort_id: ResortId, ask: &Ask, room_type_id: RoomTypeId) -> Flow {
    Flow::Confirm {
        resort_id,
        room_type_id,
        check_in: ask.check_in,
        nights: ask.nights,
        guests: ask.guests,
        flow_id: uuid::Uuid::now_v7().to_string(),
    }
}

/// "• 디럭스 · 최대 6명 · 1박 180포인트 · 3실"
pub(super) fn room_type_line(turn: &Turn<'_>, room_type: &RoomType) -> String {
    turn.locale.text_with(
        "flow-room-type-line",
        &[
            text_arg("name", room_type.display_name(turn.locale)),
            number_arg("capacity", i64::from(room_type.capacity)),
            number_arg("points", room_type.points_per_night),
            number_arg("rooms", room_type.rooms),
        ],
    )
}

fn unknown_room_type(turn: &Turn<'_>, resort: &Resort, typed: &str) -> String {
    let names: Vec<String> = resort.room_types.iter().map(|room_type| room_type.display_name(turn.locale)).collect();
    turn.locale.text_with(
        "error-unknown-room-type",
        &[text_arg("resort", resort.name.clone()), text_arg("name", typed), text_arg("types", names.join(", "))],
    )
}

fn back(locale: resort_core::i18n::Locale) -> Button {
    Button::new(locale.text("button-back"), press::encode(&Command::FlowBack))
}

fn not_understood(turn: &Turn<'_>, command: &Command) -> String {
    match command {
        Command::Other(_) => turn.locale.text("error-not-understood"),
        _ => turn.locale.text("flow-expired"),
    }
}

/// Whether a refusal is about the dates or nights, which another choice in the guided flow
/// can fix.
pub(super) fn fixable_by_choosing(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::OutsideWindow { .. }
            | Refusal::NotOpenYet { .. }
            | Refusal::TooShortNotice { .. }
            | Refusal::NightsOutOfRange { .. }
            | Refusal::Blackout { .. }
            | Refusal::TooManyGuests { .. }
            | Refusal::InsufficientPoints { .. }
            | Refusal::NoRoom { .. }
            | Refusal::YearlyLimit { limit: rules::Limit::Nights(_), .. }
    )
}
