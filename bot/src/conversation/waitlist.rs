//! The waitlist in chat: `대기 신청 <resort> <date> <N>박` (or the 대기 신청 button a full stay's
//! refusal carries) joins, `대기 목록` shows the entries with their positions, `대기 취소 <date>`
//! leaves, and an offered room is answered with its buttons or `대기 수락` / `대기 거절`.

use super::command::{Command, OneShot};
use super::{Button, Conversation, Reply, Turn, TurnResult, press, refuse, render, rule_refusal, stay_error};
use crate::booking::catalog_cache::Snapshot;
use crate::booking::{Ask, RequestError};
use crate::catalog::{self, Resort, RoomType};
use crate::waitlist::{self, JoinError, Status, offer::AnswerError};
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::id::RoomTypeId;
use resort_core::stay::{Stay, parse_date};

/// The 대기 신청 button for exactly the stay asked for, when the refusal is a full house.
pub(super) fn join_button(locale: Locale, error: &RequestError, resort: &Resort, ask: &Ask) -> Option<Button> {
    let (RequestError::Rule(refusal), Some(room_type)) = (error, resort.room_type(ask.room_type_id)) else {
        return None;
    };
    if !waitlist::answers(refusal) {
        return None;
    }
    let stay = format!("{}:{}:{}:{}", room_type.id, ask.check_in, ask.nights, ask.guests);
    Some(Button::new(locale.text("button-waitlist-join"), press::encode(&Command::WaitlistJoinStay(stay))))
}

/// The room type named by the words after a resort's name, or the refusal listing its types.
pub(super) fn named_room_type<'r>(
    locale: Locale,
    resort: &'r Resort,
    words: &str,
) -> Result<&'r RoomType, super::Failure> {
    resort.room_types.iter().find(|room_type| room_type.answers_to(words)).ok_or_else(|| {
        let names: Vec<String> = resort.room_types.iter().map(|room_type| room_type.display_name(locale)).collect();
        refuse(locale.text_with(
            "error-unknown-room-type",
            &[text_arg("resort", resort.name.clone()), text_arg("name", words), text_arg("types", names.join(", "))],
        ))
    })
}

impl Conversation {
    /// `대기 신청` typed: the resort (and type, where it has several), date, nights and guests as
    /// for a one-shot booking.
    pub(super) async fn waitlist_join(&self, turn: &Turn<'_>, one_shot: OneShot) -> TurnResult {
        let locale = turn.locale;
        let (catalog, resort, type_words) = self.resort_and_type(turn, &one_shot.name).await?.ok_or_else(|| {
            refuse(locale.text_with("error-unknown-resort", &[text_arg("name", one_shot.name.clone())]))
        })?;
        let check_in = parse_date(&one_shot.check_in).map_err(|error| refuse(stay_error(locale, error)))?;
        let nights = super::command::parse_nights(&one_shot.nights)
            .filter(|nights| *nights >= 1)
            .ok_or_else(|| refuse(locale.text("error-bad-nights")))?;
        let guests = one_shot.guests.unwrap_or(1);
        if guests == 0 {
            return Err(refuse(locale.text("error-bad-guests")));
        }
        let room_type = if type_words.is_empty() {
            resort.room_type(None).ok_or_else(|| {
                let names: Vec<String> =
                    resort.room_types.iter().map(|room_type| room_type.display_name(locale)).collect();
                refuse(locale.text_with(
                    "error-waitlist-room-type",
                    &[text_arg("resort", resort.name.clone()), text_arg("types", names.join(", "))],
                ))
            })?
        } else {
            named_room_type(locale, &resort, &type_words)?
        };
        self.join_stay(turn, &catalog, &resort, room_type, Stay { check_in, nights }, guests).await
    }

    /// The 대기 신청 button: `<room type id>:<date>:<nights>:<guests>`.
    pub(super) async fn waitlist_join_pressed(&self, turn: &Turn<'_>, stay: &str) -> TurnResult {
        let locale = turn.locale;
        let expired = || refuse(locale.text("flow-expired"));
        let parts: Vec<&str> = stay.split(':').collect();
        let [room_type_id, check_in, nights, guests] = parts.as_slice() else { return Err(expired()) };
        let room_type_id = RoomTypeId::parse(room_type_id).ok_or_else(expired)?;
        let check_in = parse_date(check_in).map_err(|_| expired())?;
        let nights: u32 = nights.parse().ok().filter(|nights| *nights >= 1).ok_or_else(expired)?;
        let guests: u32 = guests.parse().ok().filter(|guests| *guests >= 1).ok_or_else(expired)?;
        let catalog = self.catalog(turn).await?;
        let resort = catalog
            .resorts()
            .iter()
            .find(|resort| resort.room_type(Some(room_type_id)).is_some())
            .ok_or_else(expired)?;
        let room_type = resort.room_type(Some(room_type_id)).ok_or_else(expired)?;
        self.join_stay(turn, &catalog, resort, room_type, Stay { check_in, nights }, guests).await
    }

    async fn join_stay(
        &self,
        turn: &Turn<'_>,
        catalog: &Snapshot,
        resort: &Resort,
        room_type: &RoomType,
        stay: Stay,
        guests: u32,
    ) -> TurnResult {
        let locale = turn.locale;
        let menu = render::menu(locale, turn.is_manager);
        match waitlist::join(&self.desk, catalog, &turn.employee, resort, room_type, stay, guests).await {
            Ok(entry) => {
                let text = locale.text_with(
                    "waitlist-joined",
                    &[
                        text_arg("stay", render::stay_without_points(locale, &resort.name, stay.check_in, stay.nights)),
                        text_arg("room_type", room_type.display_name(locale)),
                        number_arg("position", i64::from(entry.position.unwrap_or(1))),
                        number_arg("hours", resort.offer_hours),
                    ],
                );
                Ok(Reply::text(text).quick(menu))
            }
            Err(JoinError::RoomsFree) => {
                let book = Button::new(
                    locale.text("button-choose-again"),
                    press::encode(&Command::FlowResort(resort.id.to_string())),
                );
                Err(super::Failure::Refuse(Reply::with_buttons(locale.text("error-waitlist-rooms-free"), vec![book])))
            }
            Err(JoinError::AlreadyWaiting) => Err(refuse(locale.text("error-waitlist-already"))),
            Err(JoinError::Rule(refusal)) => Err(refuse(rule_refusal(locale, &refusal))),
            Err(JoinError::Stay(error)) => Err(refuse(stay_error(locale, error))),
            Err(JoinError::Database(error)) => Err(error.into()),
        }
    }

    /// `대기 목록`: the employee's live entries, each with its position or its open offer.
    pub(super) async fn waitlist_list(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let menu = render::menu(locale, turn.is_manager);
        let entries = waitlist::of_employee(self.reads(), turn.employee.id).await?;
        if entries.is_empty() {
            return Ok(Reply::text(locale.text("waitlist-none")).quick(menu));
        }
        let mut reply = Reply::text(locale.text("waitlist-title"));
        for entry in &entries {
            let resort = catalog::get(self.reads(), entry.resort_id).await?;
            let resort_name = resort.as_ref().map_or_else(String::new, |resort| resort.name.clone());
            let stay = render::stay_without_points(locale, &resort_name, entry.check_in, entry.nights);
            match entry.status {
                Status::Offered => {
                    let until = render::moment(locale, entry.offer_expires_at.unwrap_or_default());
                    let text =
                        locale.text_with("waitlist-line-offered", &[text_arg("stay", stay), text_arg("until", until)]);
                    reply =
                        reply.push(super::ReplyMessage::new(text, waitlist::offer::answer_buttons(locale, &entry.id)));
                }
                _ => {
                    let text = locale.text_with(
                        "waitlist-line",
                        &[text_arg("stay", stay), number_arg("position", i64::from(entry.position.unwrap_or(1)))],
                    );
                    let leave = Button::new(
                        locale.text("button-waitlist-leave"),
                        press::encode(&Command::WaitlistLeave(entry.check_in.to_string())),
                    );
                    reply = reply.push(super::ReplyMessage::new(text, vec![leave]));
                }
            }
        }
        let example = entries[0].check_in.to_string();
        reply = reply.push(super::ReplyMessage::new(
            locale.text_with("waitlist-how-to-leave", &[text_arg("date", example)]),
            Vec::new(),
        ));
        Ok(reply.quick(menu))
    }

    /// `대기 취소 <date>`: leaves every entry checking in then.
    pub(super) async fn waitlist_leave(&self, turn: &Turn<'_>, date: &str) -> TurnResult {
        let locale = turn.locale;
        let check_in = parse_date(date).map_err(|error| refuse(stay_error(locale, error)))?;
        let left = waitlist::leave(&self.desk, turn.employee.id, check_in).await?;
        if left.is_empty() {
            return Err(refuse(locale.text_with(
                "error-waitlist-not-waiting",
                &[text_arg("date", render::date_with_year(locale, check_in))],
            )));
        }
        let text = locale.text_with(
            "waitlist-left",
            &[text_arg("date", render::date_with_year(locale, check_in)), number_arg("count", left.len() as i64)],
        );
        Ok(Reply::text(text).quick(render::menu(locale, turn.is_manager)))
    }

    pub(super) async fn offer_accept(&self, turn: &Turn<'_>, entry_id: Option<&str>) -> TurnResult {
        let locale = turn.locale;
        let catalog = self.catalog(turn).await?;
        match waitlist::offer::accept(&self.desk, &catalog, &turn.employee, entry_id).await {
            Ok(booking) => {
                let stay =
                    render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
                let text = locale.text_with(
                    "waitlist-offer-accepted",
                    &[text_arg("reference", booking.reference), text_arg("stay", stay)],
                );
                Ok(Reply::text(text).quick(render::menu(locale, turn.is_manager)))
            }
            Err(error) => Err(answer_refusal(locale, error)),
        }
    }

    pub(super) async fn offer_decline(&self, turn: &Turn<'_>, entry_id: Option<&str>) -> TurnResult {
        let locale = turn.locale;
        match waitlist::offer::decline(&self.desk, turn.employee.id, entry_id).await {
            Ok(_) => {
                Ok(Reply::text(locale.text("waitlist-offer-declined")).quick(render::menu(locale, turn.is_manager)))
            }
            Err(error) => Err(answer_refusal(locale, error)),
        }
    }
}

fn answer_refusal(locale: Locale, error: AnswerError) -> super::Failure {
    match error {
        AnswerError::NoOffer => refuse(locale.text("error-no-offer")),
        AnswerError::Refused(refusal) => {
            refuse(locale.text_with("error-offer-passed-on", &[text_arg("reason", rule_refusal(locale, &refusal))]))
        }
        AnswerError::Overlap(reference) => refuse(locale.text_with(
            "error-offer-passed-on",
            &[text_arg("reason", locale.text_with("error-overlap", &[text_arg("reference", reference)]))],
        )),
        AnswerError::Database(error) => error.into(),
    }
}
