//! Lotteries in chat: `추첨` lists the open ones with their numbered slots, close time and seed
//! commitment; `추첨 신청 <이름> <번호…>` applies with up to three slots in order of preference;
//! `추첨 취소 [<이름>]` withdraws before the close (the name may be left out while one lottery
//! is open).

use super::{Conversation, Reply, Turn, TurnResult, refuse, render, rule_refusal};
use crate::catalog;
use crate::lottery::{self, ApplyError};
use resort_core::i18n::{number_arg, text_arg};

impl Conversation {
    pub(super) async fn lotteries(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let open = lottery::open_at(&self.pool, self.clock.now_millis()).await?;
        if open.is_empty() {
            return Ok(Reply::text(locale.text("lottery-none")).quick(render::menu(locale, turn.is_manager)));
        }
        let mut lines = vec![locale.text("lottery-title")];
        for lottery in &open {
            let resort = catalog::get(&self.pool, lottery.resort_id).await?;
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
        Ok(Reply::text(lines.join("\n")).quick(render::menu(locale, turn.is_manager)))
    }

    pub(super) async fn apply_to_lottery(&self, turn: &Turn<'_>, name: &str, slots: &[String]) -> TurnResult {
        let locale = turn.locale;
        let now = self.clock.now_millis();
        let typed = (!name.trim().is_empty()).then_some(name);
        let lottery = lottery::find_open(&self.pool, typed, now)
            .await?
            .ok_or_else(|| refuse(locale.text_with("error-unknown-lottery", &[text_arg("name", name)])))?;
        let preferences: Option<Vec<usize>> =
            slots.iter().map(|number| number.parse::<usize>().ok().and_then(|number| number.checked_sub(1))).collect();
        let preferences = preferences.unwrap_or_default();
        let resort = catalog::get(&self.pool, lottery.resort_id)
            .await?
            .ok_or_else(|| refuse(locale.text_with("error-unknown-lottery", &[text_arg("name", name)])))?;
        match lottery::apply(&self.desk, &lottery, &resort, turn.employee.id, &preferences).await {
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
        let lottery = lottery::find_open(&self.pool, name, now).await?.ok_or_else(|| {
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
