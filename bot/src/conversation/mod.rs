//! The conversation layer: one chat turn in, one platform-neutral [`Reply`] out.
//!
//! Adapters (Kakao, Telegram, Discord, the web console) only translate their wire format into a
//! [`ChatUser`] and an [`Input`], call [`Conversation::turn`] and render the [`Reply`] back; everything a
//! person can do in a chat is decided here, once, for every platform. Presses are read into the
//! same [`command::Command`]s as typed text and authorised the same way, so a forged button
//! payload can do no more than typing.
//!
//! Refusals (bad dates, someone else's booking, a second press) are part of the conversation
//! and come back as localised replies; only unexpected failures are logged, and the person gets
//! an apology with no internal detail.
//!
//! ```text
//! user: 예약 설악 오션 2026-12-24 2박
//! bot:  예약 요청을 접수했습니다. 참조번호 R7K2QH3 · 설악 오션 · 12월 24일(목) → 26일(토), 2박 · 300포인트
//!       진행 상황은 알림으로 보내 드릴게요.
//! (push) 예약이 확정되었습니다. R7K2QH3 · 설악 오션 · 12월 24일(목) → 26일(토), 2박 · 300포인트
//! ```

pub mod calendar;
pub mod command;
pub mod flow;
pub mod press;
pub mod render;
pub mod reply;

mod cancel;
mod guided;
mod limits;
mod lottery;
mod manager;
mod waitlist;

use crate::booking::catalog_cache::Snapshot;
use crate::booking::{Ask, BookingDesk, RequestError};
use crate::catalog;
use crate::identity::{self, Caller, Employee, IdentityError, Platform};
use command::{Command, OneShot};
pub use reply::{Button, Calendar, Reply, ReplyKind, ReplyMessage};
use resort_core::clock::SharedClock;
use resort_core::db::Pool;
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::stay::{StayError, parse_date};
use resort_workers::mypage;
use std::sync::Arc;

/// Who is talking, as the platform identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatUser {
    pub platform: Platform,
    pub user_id: String,
    /// The platform's language hint for this message, if it gave one.
    pub locale_hint: Option<Locale>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// A button or quick-reply payload.
    Press(String),
}

#[derive(Clone)]
pub struct Conversation {
    pub pool: Pool,
    pub clock: SharedClock,
    pub desk: BookingDesk,
}

impl Conversation {
    /// Where a turn's lookups go: the desk's read pool (`resort_core::db::readers`); writes
    /// and transactions use `pool`.
    fn reads(&self) -> &Pool {
        &self.desk.reads
    }
}

/// Why a turn ended without doing what was asked.
enum Failure {
    /// A localised refusal to show as it is.
    Refuse(Reply),
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        Failure::Internal(Box::new(error))
    }
}

type TurnResult = Result<Reply, Failure>;

fn refuse(text: String) -> Failure {
    Failure::Refuse(Reply::text(text))
}

/// One linked employee's turn.
struct Turn<'a> {
    user: &'a ChatUser,
    locale: Locale,
    employee: Employee,
    is_manager: bool,
    /// `catalog_version` as this turn began.
    catalog_version: Option<i64>,
}

/// Longest text a person may send in one turn.
pub const MAX_INPUT_CHARS: usize = 1000;

impl Conversation {
    /// One turn as every adapter runs it: an overlong text is refused before it is read, and a
    /// turn that runs past `budget` (what the platform waits for an answer) is cut off with an
    /// apology, its transaction rolled back.
    pub async fn turn(&self, user: &ChatUser, input: Input, budget: std::time::Duration) -> Reply {
        let locale = user.locale_hint.unwrap_or_default();
        if let Input::Text(text) = &input
            && text.chars().count() > MAX_INPUT_CHARS
        {
            return Reply::text(locale.text("error-too-long"));
        }
        match tokio::time::timeout(budget, self.handle(user, input)).await {
            Ok(reply) => reply,
            Err(_) => {
                tracing::error!(platform = user.platform.as_str(), user_id = %user.user_id, "chat turn exceeded its time budget");
                Reply::text(locale.text("error-internal"))
            }
        }
    }

    pub async fn handle(&self, user: &ChatUser, input: Input) -> Reply {
        let caller = match identity::whoami(self.reads(), user.platform, &user.user_id).await {
            Ok(caller) => caller,
            Err(error) => return self.apologise(user.locale_hint.unwrap_or_default(), &error),
        };
        let locale = caller.as_ref().and_then(|caller| caller.employee.locale).or(user.locale_hint).unwrap_or_default();
        let command = match input {
            Input::Text(text) => command::parse_text(&text),
            Input::Press(press) => press::decode(&press),
        };
        let continues_dialog = command.continues_dialog();
        let menu = caller.as_ref().map(|caller| render::menu(locale, caller.is_manager)).unwrap_or_default();
        let reply = match self.respond(user, caller, locale, command).await {
            Ok(reply) if continues_dialog => reply.kind(ReplyKind::Update),
            Ok(reply) => reply,
            Err(Failure::Refuse(reply)) => reply.kind(ReplyKind::Refusal),
            Err(Failure::Internal(error)) => self.apologise(locale, error.as_ref()),
        };
        // No answer strands anyone: one without choices of its own (a refusal, a decision just
        // made, an apology) offers the menu. An empty reply (an ignored press) stays empty.
        if reply.messages.is_empty() || !reply.quick_replies.is_empty() || reply.all_buttons().next().is_some() {
            reply
        } else {
            reply.quick(menu)
        }
    }

    /// The catalogue this turn judges by: as of the version its caller's lookup read.
    async fn catalog(&self, turn: &Turn<'_>) -> Result<Arc<Snapshot>, sqlx::Error> {
        match turn.catalog_version {
            Some(version) => self.desk.catalog.snapshot_at(version).await,
            None => self.desk.catalog.snapshot().await,
        }
    }

    fn apologise(&self, locale: Locale, error: &(dyn std::error::Error + 'static)) -> Reply {
        tracing::error!(error = %error, source = ?error.source(), "chat turn failed");
        Reply::text(locale.text("error-internal"))
    }

    async fn respond(&self, user: &ChatUser, caller: Option<Caller>, locale: Locale, command: Command) -> TurnResult {
        if command == Command::Ignore {
            return Ok(Reply::default());
        }
        let Some(caller) = caller else {
            return match command {
                Command::Link(code) => self.link(user, locale, &code).await,
                Command::Help => Ok(Reply::text(locale.text("help-unlinked"))),
                _ => Err(refuse(locale.text("error-not-linked"))),
            };
        };
        // Written only when the platform reports a different language than last time.
        if let Some(hint) = user.locale_hint.filter(|hint| caller.locale_hint != Some(*hint)) {
            identity::remember_locale_hint(&self.pool, user.platform, &user.user_id, hint, self.clock.now_millis())
                .await?;
        }
        let turn = Turn {
            user,
            locale,
            employee: caller.employee,
            is_manager: caller.is_manager,
            catalog_version: caller.catalog_version,
        };
        match command {
            Command::Link(code) => self.link(user, locale, &code).await,
            Command::Help => Ok(self.help(&turn)),
            Command::Book(Some(one_shot)) => self.book_one_shot(&turn, one_shot).await,
            Command::BookUsage => Err(refuse(locale.text("error-book-usage"))),
            Command::MyBookings => self.history(&turn, 0).await,
            Command::MyBookingsFrom(from) => self.history(&turn, from).await,
            Command::Points => self.points(&turn).await,
            Command::PointsHistory => self.points_history(&turn).await,
            Command::Limits => self.limits(&turn).await,
            Command::LotteryList => self.lotteries(&turn).await,
            Command::LotteryApply(name, slots) => self.apply_to_lottery(&turn, &name, &slots).await,
            Command::LotteryWithdraw(name) => self.withdraw_from_lottery(&turn, name.as_deref()).await,
            Command::LotteryPick(payload) => self.pick_lottery_slot(&turn, &payload).await,
            Command::LotteryConfirm(payload) => self.confirm_lottery_picks(&turn, &payload).await,
            Command::CancelList => self.cancel_list(&turn).await,
            Command::CancelQuote(reference) => self.cancel_quote(&turn, &reference).await,
            Command::CancelConfirm(reference) => self.cancel_confirm(&turn, &reference).await,
            Command::WaitlistJoin(one_shot) => self.waitlist_join(&turn, one_shot).await,
            Command::WaitlistJoinStay(stay) => self.waitlist_join_pressed(&turn, &stay).await,
            Command::WaitlistUsage => Err(refuse(locale.text("error-waitlist-usage"))),
            Command::WaitlistList => self.waitlist_list(&turn).await,
            Command::WaitlistLeave(date) => self.waitlist_leave(&turn, &date).await,
            Command::OfferAccept(entry) => self.offer_accept(&turn, entry.as_deref()).await,
            Command::OfferDecline(entry) => self.offer_decline(&turn, entry.as_deref()).await,
            // `대기` alone: a manager's pending approvals, everyone else's waitlist.
            Command::Pending(_) if !turn.is_manager => self.waitlist_list(&turn).await,
            Command::Pending(from) => self.pending(&turn, from).await,
            Command::Approve(reference) => {
                self.decide(&turn, &reference, resort_core::booking::Decision::Approve).await
            }
            Command::Reject(reference) => self.decide(&turn, &reference, resort_core::booking::Decision::Reject).await,
            Command::Arrivals => self.arrivals(&turn).await,
            flow_command => self.guided(&turn, flow_command).await,
        }
    }

    async fn link(&self, user: &ChatUser, locale: Locale, code: &str) -> TurnResult {
        let subject = identity::chat_subject(user.platform, &user.user_id);
        let now = self.clock.now_millis();
        match identity::link(&self.pool, user.platform, &user.user_id, code, user.locale_hint, now, &subject).await {
            Ok(employee) => {
                let locale = employee.locale.unwrap_or(locale);
                let managed = catalog::managed_by(self.reads(), employee.id).await?;
                let text = locale.text_with("link-done", &[text_arg("name", employee.name)]);
                Ok(Reply::text(text).quick(render::menu(locale, !managed.is_empty())))
            }
            Err(IdentityError::BadLinkCode) => Err(refuse(locale.text("error-bad-link-code"))),
            Err(IdentityError::Inactive) => Err(refuse(locale.text("error-inactive-employee"))),
            Err(IdentityError::TooManyAttempts { retry_at }) => Err(refuse(
                locale.text_with("error-link-locked", &[text_arg("time", render::korean_clock_time(retry_at))]),
            )),
            Err(IdentityError::Database(error)) => Err(error.into()),
            Err(other) => Err(Failure::Internal(Box::new(other))),
        }
    }

    fn help(&self, turn: &Turn<'_>) -> Reply {
        let mut text = turn.locale.text_with("help", &[text_arg("name", turn.employee.name.clone())]);
        if turn.is_manager {
            text.push_str("\n\n");
            text.push_str(&turn.locale.text("help-manager"));
        }
        Reply::text(text).quick(render::menu(turn.locale, turn.is_manager))
    }

    /// A booking in one message. The name words are the resort's name and maybe a room type's
    /// after it; at a resort with several types and none named, the person chooses one (with
    /// the rest of the stay kept), never a guess.
    async fn book_one_shot(&self, turn: &Turn<'_>, one_shot: OneShot) -> TurnResult {
        let locale = turn.locale;
        let (catalog, resort, type_words) = self.resort_and_type(turn, &one_shot.name).await?.ok_or_else(|| {
            refuse(locale.text_with("error-unknown-resort", &[text_arg("name", one_shot.name.clone())]))
        })?;
        let check_in = parse_date(&one_shot.check_in).map_err(|error| refuse(stay_error(locale, error)))?;
        let nights = command::parse_nights(&one_shot.nights).ok_or_else(|| refuse(locale.text("error-bad-nights")))?;
        let guests = one_shot.guests.unwrap_or(1);
        if guests == 0 {
            return Err(refuse(locale.text("error-bad-guests")));
        }
        let room_type = if type_words.is_empty() {
            match resort.room_type(None) {
                Some(only) => only,
                None => {
                    let prefilled = flow::Prefilled { check_in, nights, guests };
                    return self.start_at(turn, &resort, Some(prefilled)).await;
                }
            }
        } else {
            waitlist::named_room_type(locale, &resort, &type_words)?
        };
        let ask = Ask { room_type_id: Some(room_type.id), check_in, nights, guests };
        self.request_booking(turn, &catalog, &resort, ask, None).await
    }

    /// Splits typed name words into a resort and what follows its name (a room type's name):
    /// the longest run of leading words that names a resort wins. With the catalogue it was
    /// found in, which the request is then judged by.
    async fn resort_and_type(
        &self,
        turn: &Turn<'_>,
        name: &str,
    ) -> Result<Option<(Arc<Snapshot>, catalog::Resort, String)>, sqlx::Error> {
        let catalog = self.catalog(turn).await?;
        let words: Vec<&str> = name.split_whitespace().collect();
        for split in (1..=words.len()).rev() {
            if let Some(resort) = catalog.find_by_name(&words[..split].join(" ")) {
                let (resort, type_words) = (resort.clone(), words[split..].join(" "));
                return Ok(Some((catalog, resort, type_words)));
            }
        }
        Ok(None)
    }

    async fn request_booking(
        &self,
        turn: &Turn<'_>,
        catalog: &Snapshot,
        resort: &catalog::Resort,
        ask: Ask,
        idempotency_key: Option<&str>,
    ) -> TurnResult {
        let locale = turn.locale;
        match self.desk.request(catalog, &turn.employee, resort, ask, idempotency_key).await {
            Ok(booking) => {
                let stay =
                    render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
                let room_type = resort
                    .room_type(Some(booking.room_type_id))
                    .map_or_else(|| booking.room_type_name.clone(), |room_type| room_type.display_name(locale));
                let text = locale.text_with(
                    "booking-requested",
                    &[
                        text_arg("reference", booking.reference),
                        text_arg("stay", stay),
                        text_arg("room_type", room_type),
                        number_arg("guests", i64::from(booking.guests)),
                    ],
                );
                Ok(Reply::text(text).quick(render::menu(locale, turn.is_manager)))
            }
            Err(error) => {
                // A full stay's refusal also offers to wait for exactly that stay.
                let join = waitlist::join_button(locale, &error, resort, &ask);
                Err(with_button(request_refusal(locale, error, Some(resort.id)), join))
            }
        }
    }

    /// `내 예약`: upcoming stays first (soonest first), then the past (latest first), a page at a
    /// time, so an upcoming stay is never hidden behind old ones.
    async fn history(&self, turn: &Turn<'_>, from: u32) -> TurnResult {
        const PAGE: i64 = 10;
        let locale = turn.locale;
        let (entries, upcoming, total) =
            mypage::history(self.reads(), turn.employee.id, self.clock.today(), i64::from(from), PAGE).await?;
        if entries.is_empty() {
            return Ok(Reply::text(locale.text("history-empty")).quick(render::menu(locale, turn.is_manager)));
        }
        let mut lines = vec![locale.text_with(
            "history-title-page",
            &[
                number_arg("first", i64::from(from) + 1),
                number_arg("last", i64::from(from) + entries.len() as i64),
                number_arg("total", total),
            ],
        )];
        for (index, entry) in entries.into_iter().enumerate() {
            let position = i64::from(from) + index as i64;
            if position == 0 && upcoming > 0 {
                lines.push(locale.text("history-upcoming"));
            }
            if position == upcoming {
                lines.push(locale.text("history-past"));
            }
            let check_in = parse_date(&entry.check_in).unwrap_or_default();
            let stay = render::stay_line(
                locale,
                &entry.resort_name,
                check_in,
                u32::try_from(entry.nights).unwrap_or(0),
                entry.points,
            );
            let status = resort_core::booking::BookingStatus::parse(&entry.status)
                .map(|status| render::status(locale, status))
                .unwrap_or(entry.status);
            let reason = entry
                .reason
                .as_deref()
                .and_then(resort_core::booking::RejectReason::parse)
                .map(|reason| format!(" ({})", render::reason(locale, reason)));
            lines.push(format!("• {} · {} · {}{}", entry.reference, stay, status, reason.unwrap_or_default()));
        }
        let shown = i64::from(from) + PAGE;
        let more = (shown < total).then(|| {
            let next = u32::try_from(shown).unwrap_or(u32::MAX);
            Button::new(locale.text("button-more"), press::encode(&Command::MyBookingsFrom(next)))
        });
        // A quick reply, not a card button: a card's text is cut at 400 characters on Kakao.
        Ok(Reply::text(lines.join("\n")).quick(more.into_iter().chain(render::menu(locale, turn.is_manager)).collect()))
    }

    async fn points(&self, turn: &Turn<'_>) -> TurnResult {
        let balance = mypage::balance(self.reads(), turn.employee.id).await?.unwrap_or(0);
        let text = turn.locale.text_with("points-balance", &[number_arg("points", balance)]);
        let history = Button::new(turn.locale.text("menu-points-history"), press::encode(&Command::PointsHistory));
        Ok(Reply::with_buttons(text, vec![history]).quick(render::menu(turn.locale, turn.is_manager)))
    }

    /// `포인트 내역`: the latest ten movements, each with what it was for.
    async fn points_history(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let menu = render::menu(locale, turn.is_manager);
        let entries = resort_workers::point::ledger(self.reads(), turn.employee.id, None, 10).await?;
        if entries.is_empty() {
            return Ok(Reply::text(locale.text("points-history-none")).quick(menu));
        }
        let balance = resort_workers::point::balance(self.reads(), turn.employee.id).await?;
        let mut lines = vec![locale.text_with("points-history-title", &[number_arg("balance", balance)])];
        for entry in &entries {
            let booking = match entry.booking_id.as_deref().and_then(resort_core::id::BookingId::parse) {
                Some(id) => self.desk.get(id).await?,
                None => None,
            };
            let what = match booking {
                Some(booking) => locale.text_with(
                    "points-history-booking",
                    &[text_arg("reference", booking.reference), text_arg("resort", booking.resort_name)],
                ),
                None => entry.reason.clone(),
            };
            let day = chrono::DateTime::from_timestamp_millis(entry.at)
                .map(|at| at.with_timezone(&resort_core::clock::korea()).date_naive())
                .unwrap_or_default();
            lines.push(locale.text_with(
                "points-history-line",
                &[
                    text_arg("date", render::date(locale, day)),
                    text_arg("kind", locale.text(&format!("ledger-kind-{}", entry.kind))),
                    text_arg("delta", format!("{:+}", entry.delta)),
                    number_arg("balance_after", entry.balance_after),
                    text_arg("what", what),
                ],
            ));
        }
        Ok(Reply::text(lines.join("\n")).quick(menu))
    }
}

/// A refusal with one more button in front (its first message's).
fn with_button(failure: Failure, button: Option<Button>) -> Failure {
    match (failure, button) {
        (Failure::Refuse(mut reply), Some(button)) => {
            match reply.messages.first_mut() {
                Some(first) => first.buttons.insert(0, button),
                None => reply = Reply::with_buttons(String::new(), vec![button]),
            }
            Failure::Refuse(reply)
        }
        (failure, _) => failure,
    }
}

/// Why a booking request was turned away, as the person reads it. A rule another choice of
/// date, nights or guests would pass comes with a button that starts choosing at `resort`.
fn request_refusal(locale: Locale, error: RequestError, resort: Option<resort_core::id::ResortId>) -> Failure {
    match error {
        RequestError::Stay(error) => refuse(stay_error(locale, error)),
        RequestError::Rule(refusal) => {
            let text = rule_refusal(locale, &refusal);
            match resort.filter(|_| guided::fixable_by_choosing(&refusal)) {
                Some(resort) => {
                    let choose = Button::new(
                        locale.text("button-choose-again"),
                        press::encode(&Command::FlowResort(resort.to_string())),
                    );
                    Failure::Refuse(Reply::with_buttons(text, vec![choose]))
                }
                None => refuse(text),
            }
        }
        RequestError::ChooseRoomType => refuse(locale.text("flow-expired")),
        RequestError::Overlap(reference) => {
            refuse(locale.text_with("error-overlap", &[text_arg("reference", reference)]))
        }
        RequestError::Database(error) => error.into(),
    }
}

/// A broken booking rule, with what would pass (chats and the admin API say it the same way).
pub fn rule_refusal(locale: Locale, refusal: &resort_core::rules::Refusal) -> String {
    use resort_core::rules::Refusal;
    match refusal {
        Refusal::OutsideWindow { last } => {
            locale.text_with("error-too-far-ahead", &[text_arg("last", render::date_with_year(locale, *last))])
        }
        Refusal::NotOpenYet { day, opens } => locale.text_with(
            "error-not-open-yet",
            &[
                text_arg("date", render::date_with_year(locale, *day)),
                text_arg("opens", render::date_with_year(locale, opens.date())),
                text_arg("time", opens.format("%H:%M").to_string()),
            ],
        ),
        Refusal::TooShortNotice { earliest } => locale
            .text_with("error-too-short-notice", &[text_arg("earliest", render::date_with_year(locale, *earliest))]),
        Refusal::InactiveEmployee => locale.text("error-inactive-employee"),
        Refusal::InactiveResort => locale.text("error-inactive-resort"),
        Refusal::Blackout { night, reason } => locale.text_with(
            "error-blackout",
            &[text_arg("night", render::date_with_year(locale, *night)), text_arg("reason", reason.clone())],
        ),
        Refusal::NightsOutOfRange { min, max } => locale.text_with(
            "error-nights-out-of-range",
            &[number_arg("min", i64::from(*min)), number_arg("max", i64::from(*max))],
        ),
        Refusal::Lottery { night, name } => locale.text_with(
            "error-lottery-night",
            &[text_arg("night", render::date_with_year(locale, *night)), text_arg("name", name.clone())],
        ),
        Refusal::TooManyGuests { capacity } => {
            locale.text_with("error-too-many-guests", &[number_arg("capacity", i64::from(*capacity))])
        }
        Refusal::InsufficientPoints { cost, balance } => {
            locale.text_with("error-insufficient-points", &[number_arg("cost", *cost), number_arg("balance", *balance)])
        }
        Refusal::NoRoom { night } => {
            locale.text_with("error-no-room-on", &[text_arg("date", render::date_with_year(locale, *night))])
        }
        Refusal::YearlyLimit { limit, year, this_year, used } => {
            let stays: Vec<String> = used
                .iter()
                .map(|stay| {
                    locale.text_with(
                        "limit-used-stay",
                        &[
                            text_arg("reference", stay.reference.clone()),
                            text_arg("date", render::date(locale, stay.check_in)),
                        ],
                    )
                })
                .collect();
            let (key, number) = match limit {
                resort_core::rules::Limit::Stays(number) => ("error-yearly-stays", number),
                resort_core::rules::Limit::Nights(number) => ("error-yearly-nights", number),
                resort_core::rules::Limit::StaysHere(number) => ("error-yearly-stays-here", number),
            };
            let nights_used: u32 = used.iter().map(|stay| stay.nights).sum();
            let when = if *this_year {
                locale.text("limit-when-this-year")
            } else {
                locale.text_with("limit-when-year", &[text_arg("year", year.to_string())])
            };
            locale.text_with(
                key,
                &[
                    number_arg("limit", i64::from(*number)),
                    text_arg("when", when),
                    text_arg("stays", stays.join(", ")),
                    number_arg("left", i64::from(number.saturating_sub(nights_used))),
                ],
            )
        }
    }
}

/// Why a stay cannot be, in words.
pub fn stay_error(locale: Locale, error: StayError) -> String {
    match error {
        StayError::BadDate => locale.text("error-bad-date"),
        StayError::CheckInPast => locale.text("error-check-in-past"),
        StayError::NoNights => locale.text("error-no-nights"),
        StayError::TooManyNights { max } => {
            locale.text_with("error-too-many-nights", &[number_arg("max", i64::from(max))])
        }
        StayError::TooFarAhead { last } => {
            locale.text_with("error-too-far-ahead", &[text_arg("last", render::date_with_year(locale, last))])
        }
    }
}
