//! The guided booking flow: resort → check-in → nights → confirm, one question per turn, with
//! the choices as quick replies (the check-in as a month [`calendar`]). The state is in [`super::flow`]; typed answers work as well as
//! presses, and a press from an old message is answered by asking the current question again.

use super::command::{self, Command};
use super::flow::{self, Flow};
use super::press;
use super::reply::Button;
use super::{Conversation, Reply, ReplyMessage, Turn, TurnResult, calendar, refuse, render};
use crate::catalog::{self, Resort};
use chrono::{Days, NaiveDate};
use resort_core::i18n::{number_arg, text_arg};
use resort_core::id::ResortId;
use resort_core::rules;
use resort_core::stay::{Stay, parse_date};
use resort_workers::{hotel, mypage};
use std::collections::HashMap;

/// Quick replies on one question (Kakao allows ten).
const MAX_CHOICES: usize = 10;

impl Conversation {
    pub(super) async fn guided(&self, turn: &Turn<'_>, command: Command) -> TurnResult {
        let (platform, user_id) = (turn.user.platform, turn.user.user_id.as_str());
        if command == Command::Book(None) {
            return self.enter(turn, Flow::ChooseResort).await;
        }
        let Some(current) = flow::load(&self.pool, platform, user_id).await? else {
            return Err(refuse(not_understood(turn, &command)));
        };
        match (current, command) {
            (_, Command::FlowQuit) => {
                flow::clear(&self.pool, platform, user_id).await?;
                Ok(Reply::text(turn.locale.text("flow-quit")).quick(render::menu(turn.locale, turn.is_manager)))
            }
            (current, Command::FlowBack) => self.enter(turn, current.back()).await,
            (Flow::ChooseResort, Command::FlowResort(answer) | Command::Other(answer)) => {
                let resort = match ResortId::parse(&answer) {
                    Some(id) => catalog::get(&self.pool, id).await?,
                    None => catalog::find_by_name(&self.pool, &answer).await?,
                };
                let resort = resort.ok_or_else(|| {
                    refuse(turn.locale.text_with("error-unknown-resort", &[text_arg("name", answer)]))
                })?;
                self.enter(turn, Flow::ChooseDate { resort_id: resort.id }).await
            }
            (Flow::ChooseDate { resort_id }, Command::FlowMonth(answer)) => {
                let month = calendar::parse_month(&answer).ok_or_else(|| refuse(turn.locale.text("flow-expired")))?;
                self.ask_date(turn, resort_id, Some(month)).await
            }
            (Flow::ChooseDate { resort_id }, Command::FlowDate(answer) | Command::Other(answer)) => {
                let resort = self.resort(turn, resort_id).await?;
                let check_in = parse_date(&answer).map_err(|error| refuse(super::stay_error(turn.locale, error)))?;
                self.check_rules(turn, &resort, check_in, resort.min_nights).await?;
                if self.nights_available(&resort, check_in).await? < resort.min_nights {
                    return Err(refuse(
                        turn.locale.text_with("error-no-room-on", &[text_arg("date", check_in.to_string())]),
                    ));
                }
                self.enter(turn, Flow::ChooseNights { resort_id, check_in }).await
            }
            (Flow::ChooseNights { resort_id, check_in }, Command::FlowNights(answer) | Command::Other(answer)) => {
                let resort = self.resort(turn, resort_id).await?;
                let nights =
                    command::parse_nights(&answer).ok_or_else(|| refuse(turn.locale.text("error-bad-nights")))?;
                self.check_rules(turn, &resort, check_in, nights).await?;
                let flow_id = uuid::Uuid::now_v7().to_string();
                self.enter(turn, Flow::Confirm { resort_id, check_in, nights, flow_id }).await
            }
            (Flow::Confirm { resort_id, check_in, nights, flow_id }, Command::FlowConfirm) => {
                let resort = self.resort(turn, resort_id).await?;
                let reply = self.request_booking(turn, &resort, check_in, nights, Some(&flow_id)).await?;
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
                reply.messages.insert(0, super::ReplyMessage::new(turn.locale.text("flow-stale"), Vec::new()));
                Ok(reply)
            }
        }
    }

    /// The stay's shape and the resort's rules, as the request will check them.
    async fn check_rules(
        &self,
        turn: &Turn<'_>,
        resort: &Resort,
        check_in: NaiveDate,
        nights: u32,
    ) -> Result<(), super::Failure> {
        match self.desk.check(turn.employee.active, resort, check_in, nights).await {
            Ok(_) => Ok(()),
            Err(error) => Err(super::request_refusal(turn.locale, error)),
        }
    }

    async fn enter(&self, turn: &Turn<'_>, next: Flow) -> TurnResult {
        flow::save(&self.pool, turn.user.platform, &turn.user.user_id, &next, self.clock.now_millis()).await?;
        self.ask(turn, &next).await
    }

    async fn resort(&self, turn: &Turn<'_>, id: ResortId) -> Result<Resort, super::Failure> {
        catalog::get(&self.pool, id).await?.ok_or_else(|| refuse(turn.locale.text("flow-expired")))
    }

    /// The question for a step, with its choices.
    async fn ask(&self, turn: &Turn<'_>, step: &Flow) -> TurnResult {
        let locale = turn.locale;
        let quit = Button::new(locale.text("button-quit"), press::encode(&Command::FlowQuit));
        match step {
            Flow::ChooseResort => {
                let resorts = catalog::list_active(&self.pool).await?;
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
            Flow::ChooseDate { resort_id } => self.ask_date(turn, *resort_id, None).await,
            Flow::ChooseNights { resort_id, check_in } => {
                let resort = self.resort(turn, *resort_id).await?;
                let longest = self.nights_available(&resort, *check_in).await?;
                let choices: Vec<Button> = (resort.min_nights
                    ..=longest.min(resort.max_nights).min(resort.min_nights + 6))
                    .map(|nights| {
                        Button::new(
                            locale.text_with("nights-label", &[number_arg("nights", i64::from(nights))]),
                            press::encode(&Command::FlowNights(nights.to_string())),
                        )
                    })
                    .collect();
                let text = locale.text_with(
                    "flow-ask-nights",
                    &[text_arg("check_in", check_in.to_string()), number_arg("max", i64::from(longest))],
                );
                Ok(Reply::choose(text, choices).quick(vec![back(locale), quit]))
            }
            Flow::Confirm { resort_id, check_in, nights, .. } => {
                let resort = self.resort(turn, *resort_id).await?;
                let stay = Stay { check_in: *check_in, nights: *nights };
                let cost = resort.policy().cost(&stay);
                let balance = mypage::balance(&self.pool, turn.employee.id).await?.unwrap_or(0);
                let line = render::stay_line(locale, &resort.name, *check_in, *nights, cost);
                let key = if balance >= cost { "flow-summary" } else { "flow-summary-short" };
                let text = locale.text_with(
                    key,
                    &[text_arg("stay", line), number_arg("balance", balance), number_arg("after", balance - cost)],
                );
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

    /// The check-in question: a month calendar of the days that still have rooms (by default
    /// the month of the first such day), paged within the booking window.
    async fn ask_date(&self, turn: &Turn<'_>, resort_id: ResortId, month: Option<NaiveDate>) -> TurnResult {
        let locale = turn.locale;
        let resort = self.resort(turn, resort_id).await?;
        let today = self.clock.today();
        // The days the resort's window opens now (the rules decide; the calendar only shows).
        let open = rules::open(&resort.window(), self.clock.now());
        let (first, last) = (open.first.max(today), open.last);
        let span = u32::try_from((last - today).num_days().max(0)).unwrap_or(0) + 1;
        let rooms_left = self.rooms_left(&resort, today, span + resort.max_nights).await?;
        let nights_from = |day: NaiveDate| {
            let nights = nights_in_a_row(&rooms_left, &resort, day);
            if nights >= resort.min_nights { nights } else { 0 }
        };
        let first_open = first.iter_days().take_while(|day| *day <= last).find(|day| nights_from(*day) > 0);
        let month = month.filter(|month| calendar::month_start(today) <= *month && *month <= last);
        let calendar = calendar::month(locale, month.or(first_open).unwrap_or(first), first, last, nights_from);
        let key = if first_open.is_some() { "flow-ask-date" } else { "flow-no-dates" };
        let text = locale.text_with(key, &[text_arg("resort", resort.name.clone())]);
        let mut message = ReplyMessage::new(text, Vec::new());
        message.calendar = Some(calendar);
        let choices = vec![back(locale), Button::new(locale.text("button-quit"), press::encode(&Command::FlowQuit))];
        Ok(Reply { messages: vec![message], ..Reply::default() }.quick(choices))
    }

    /// How many nights in a row from `check_in` still have a free room (at most the resort's
    /// longest stay).
    async fn nights_available(&self, resort: &Resort, check_in: NaiveDate) -> Result<u32, sqlx::Error> {
        let rooms_left = self.rooms_left(resort, check_in, resort.max_nights).await?;
        Ok(nights_in_a_row(&rooms_left, resort, check_in))
    }

    /// Rooms left per night for `days` nights from `from`.
    async fn rooms_left(
        &self,
        resort: &Resort,
        from: NaiveDate,
        days: u32,
    ) -> Result<HashMap<NaiveDate, i64>, sqlx::Error> {
        let held: HashMap<NaiveDate, i64> =
            hotel::held_per_night(&self.pool, &resort.id.to_string(), from, days).await?.into_iter().collect();
        Ok((0..days)
            .map(|offset| {
                let night = from + Days::new(u64::from(offset));
                (night, resort.rooms - held.get(&night).copied().unwrap_or(0))
            })
            .collect())
    }
}

fn nights_in_a_row(rooms_left: &HashMap<NaiveDate, i64>, resort: &Resort, check_in: NaiveDate) -> u32 {
    (0..resort.max_nights)
        .take_while(|offset| {
            let night = check_in.checked_add_days(Days::new(u64::from(*offset)));
            night.is_some_and(|night| rooms_left.get(&night).copied().unwrap_or(resort.rooms) > 0)
        })
        .count() as u32
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
