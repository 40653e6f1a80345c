//! Lotteries in chat: `추첨` lists the open ones with their numbered slots, close time and seed
//! commitment; `추첨 신청 <이름> <번호…>` applies with up to three slots in order of preference;
//! `추첨 취소 [<이름>]` withdraws before the close (the name may be left out while one lottery
//! is open). Where there is no free text (Discord), or for anyone who prefers buttons, each open
//! lottery in the list has an apply button: the slots are picked one by one in order of
//! preference, then confirmed. The picks so far travel in the button's payload
//! (`lp:<lottery id>:2,1`), so nothing is kept between presses and an old button still means
//! exactly what it says.

use super::command::Command;
use super::{Button, Conversation, Reply, Turn, TurnResult, press, refuse, render, rule_refusal};
use crate::catalog;
use crate::lottery::{self, ApplyError};
use resort_core::i18n::{number_arg, text_arg};

impl Conversation {
    pub(super) async fn lotteries(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let open = lottery::open_at(self.reads(), self.clock.now_millis()).await?;
        if open.is_empty() {
            return Ok(Reply::text(locale.text("lottery-none")).quick(render::menu(locale, turn.is_manager)));
        }
        let mut lines = vec![locale.text("lottery-title")];
        for lottery in &open {
            let resort = catalog::get(self.reads(), lottery.resort_id).await?;
            let resort_name = resort.as_ref().map_or_else(String::new, |resort| resort.name.clone());
            lines.push(locale.text_with(
                "lottery-line",
                &[
                    text_arg("name", lottery.name.clone()),
                    text_arg("resort", resort_name.clone()),
                    text_arg("closes", render::moment(locale, lottery.applications_close_at)),
                    text_arg("commitment", lottery.seed_commitment.clone()),
                ],
            ));
            for (index, slot) in lottery.slots.iter().enumerate() {
                let points = resort.as_ref().map_or(0, |resort| lottery::draw::cost(resort, lottery, *slot));
                lines.push(locale.text_with(
                    "lottery-slot-line",
                    &[
                        number_arg("number", i64::try_from(index + 1).unwrap_or(0)),
                        text_arg("stay", render::stay_line(locale, &resort_name, slot.check_in, slot.nights, points)),
                        number_arg("rooms", i64::from(slot.rooms)),
                    ],
                ));
            }
        }
        lines.push(locale.text_with("lottery-how", &[text_arg("example", open[0].name.clone())]));
        let apply_buttons = open
            .iter()
            .take(3)
            .map(|lottery| {
                let label = locale.text_with("button-lottery-apply", &[text_arg("name", lottery.name.clone())]);
                Button::new(label, press::encode(&Command::LotteryPick(format!("{}:", lottery.id))))
            })
            .collect();
        Ok(Reply::with_buttons(lines.join("\n"), apply_buttons).quick(render::menu(locale, turn.is_manager)))
    }

    /// A press of the apply flow: `<lottery id>:<picks so far>` shows the next choice.
    pub(super) async fn pick_lottery_slot(&self, turn: &Turn<'_>, payload: &str) -> TurnResult {
        let locale = turn.locale;
        let (lottery, picks) = self.picked(turn, payload).await?;
        let resort = catalog::get(self.reads(), lottery.resort_id).await?;
        let resort_name = resort.as_ref().map_or_else(String::new, |resort| resort.name.clone());
        let mut choices = Vec::new();
        if picks.len() < lottery::MAX_PREFERENCES {
            for (index, slot) in lottery.slots.iter().enumerate().filter(|(index, _)| !picks.contains(index)) {
                let mut next = picks.clone();
                next.push(index);
                let label = locale.text_with(
                    "button-lottery-slot",
                    &[
                        number_arg("number", i64::try_from(index + 1).unwrap_or(0)),
                        text_arg("date", render::date(locale, slot.check_in)),
                        number_arg("nights", i64::from(slot.nights)),
                    ],
                );
                choices.push(Button::new(label, press::encode(&Command::LotteryPick(payload_of(&lottery.id, &next)))));
            }
        }
        let numbers: Vec<String> = picks.iter().map(|slot| (slot + 1).to_string()).collect();
        let text = if picks.is_empty() {
            locale.text_with(
                "lottery-pick-first",
                &[text_arg("name", lottery.name.clone()), text_arg("resort", resort_name)],
            )
        } else {
            locale.text_with(
                "lottery-pick-next",
                &[text_arg("name", lottery.name.clone()), text_arg("slots", numbers.join(" → "))],
            )
        };
        let mut buttons = Vec::new();
        if !picks.is_empty() {
            let confirm = Command::LotteryConfirm(payload_of(&lottery.id, &picks));
            buttons.push(Button::new(locale.text("button-lottery-confirm"), press::encode(&confirm)));
            let again = Command::LotteryPick(payload_of(&lottery.id, &[]));
            buttons.push(Button::new(locale.text("button-choose-again"), press::encode(&again)));
        }
        let mut reply = Reply::choose(text, choices);
        reply.messages[0].buttons = buttons;
        Ok(reply)
    }

    /// The apply flow's confirm: applies with the picks in the payload.
    pub(super) async fn confirm_lottery_picks(&self, turn: &Turn<'_>, payload: &str) -> TurnResult {
        let (lottery, picks) = self.picked(turn, payload).await?;
        let numbers: Vec<String> = picks.iter().map(|slot| (slot + 1).to_string()).collect();
        self.apply_to(turn, lottery, &numbers).await
    }

    /// The open lottery and the 0-based picks a payload names.
    async fn picked(&self, turn: &Turn<'_>, payload: &str) -> Result<(lottery::Lottery, Vec<usize>), super::Failure> {
        let locale = turn.locale;
        let (id, picks) = payload.split_once(':').unwrap_or((payload, ""));
        let mut connection = self.pool.acquire().await?;
        let lottery = lottery::get(&mut connection, id)
            .await?
            .filter(|lottery| lottery.status(self.clock.now_millis()) == lottery::Status::Open)
            .ok_or_else(|| refuse(locale.text("error-lottery-closed")))?;
        let picks: Option<Vec<usize>> = picks
            .split(',')
            .filter(|pick| !pick.is_empty())
            .map(|pick| pick.parse::<usize>().ok().and_then(|pick| pick.checked_sub(1)))
            .collect();
        let picks = picks
            .filter(|picks| {
                picks.len() <= lottery::MAX_PREFERENCES
                    && picks.iter().all(|pick| *pick < lottery.slots.len())
                    && picks.iter().enumerate().all(|(index, pick)| !picks[..index].contains(pick))
            })
            .ok_or_else(|| refuse(locale.text("flow-expired")))?;
        Ok((lottery, picks))
    }

    pub(super) async fn apply_to_lottery(&self, turn: &Turn<'_>, name: &str, slots: &[String]) -> TurnResult {
        let locale = turn.locale;
        let now = self.clock.now_millis();
        let typed = (!name.trim().is_empty()).then_some(name);
        let lottery = lottery::find_open(self.reads(), typed, now)
            .await?
            .ok_or_else(|| refuse(locale.text_with("error-unknown-lottery", &[text_arg("name", name)])))?;
        self.apply_to(turn, lottery, slots).await
    }

    /// Applies to an open lottery with slot numbers as people count them (from 1).
    async fn apply_to(&self, turn: &Turn<'_>, lottery: lottery::Lottery, slots: &[String]) -> TurnResult {
        let locale = turn.locale;
        let name = lottery.name.clone();
        let preferences: Option<Vec<usize>> =
            slots.iter().map(|number| number.parse::<usize>().ok().and_then(|number| number.checked_sub(1))).collect();
        let preferences = preferences.unwrap_or_default();
        let catalog = self.catalog(turn).await?;
        let resort = catalog
            .resort(lottery.resort_id)
            .ok_or_else(|| refuse(locale.text_with("error-unknown-lottery", &[text_arg("name", name.clone())])))?;
        match lottery::apply(&self.desk, &catalog, &lottery, resort, &turn.employee, &preferences).await {
            Ok(_) => {
                let numbers: Vec<String> = preferences.iter().map(|slot| (slot + 1).to_string()).collect();
                let text = locale.text_with(
                    "lottery-applied",
                    &[
                        text_arg("name", lottery.name.clone()),
                        text_arg("slots", numbers.join(" → ")),
                        text_arg("draws", render::moment(locale, lottery.draw_at)),
                    ],
                );
                Ok(Reply::text(text).quick(render::menu(locale, turn.is_manager)))
            }
            Err(ApplyError::NotOpen) => Err(refuse(locale.text("error-lottery-closed"))),
            Err(ApplyError::AlreadyApplied) => {
                Err(refuse(locale.text_with("error-lottery-applied", &[text_arg("name", lottery.name.clone())])))
            }
            Err(ApplyError::BadPreferences) => Err(refuse(locale.text_with(
                "error-lottery-slots",
                &[number_arg("slots", i64::try_from(lottery.slots.len()).unwrap_or(0))],
            ))),
            Err(ApplyError::Rule { slot, refusal }) => Err(refuse(locale.text_with(
                "error-lottery-rule",
                &[
                    number_arg("number", i64::try_from(slot + 1).unwrap_or(0)),
                    text_arg("rule", rule_refusal(locale, &refusal)),
                ],
            ))),
            Err(ApplyError::Database(error)) => Err(error.into()),
        }
    }

    pub(super) async fn withdraw_from_lottery(&self, turn: &Turn<'_>, name: Option<&str>) -> TurnResult {
        let locale = turn.locale;
        let now = self.clock.now_millis();
        let lottery = lottery::find_open(self.reads(), name, now).await?.ok_or_else(|| {
            refuse(locale.text_with("error-unknown-lottery", &[text_arg("name", name.unwrap_or_default())]))
        })?;
        match lottery::withdraw(&self.pool, &lottery, turn.employee.id, now).await {
            Ok(true) => {
                Ok(Reply::text(locale.text_with("lottery-withdrawn", &[text_arg("name", lottery.name.clone())]))
                    .quick(render::menu(locale, turn.is_manager)))
            }
            Ok(false) => Err(refuse(locale.text_with("error-lottery-not-applied", &[text_arg("name", lottery.name)]))),
            Err(ApplyError::Database(error)) => Err(error.into()),
            Err(_) => Err(refuse(locale.text("error-lottery-closed"))),
        }
    }
}

/// The apply flow's payload: the lottery and the picks so far, numbered from 1.
fn payload_of(lottery_id: &str, picks: &[usize]) -> String {
    let numbers: Vec<String> = picks.iter().map(|pick| (pick + 1).to_string()).collect();
    format!("{lottery_id}:{}", numbers.join(","))
}
