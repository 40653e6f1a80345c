//! `한도` / `limits`: this year's stays and nights used and left under the company's and each
//! resort's yearly limits, and how far ahead each resort can be booked, with when the next day
//! opens. Read from the same facts the rules judge by.

use super::{Conversation, Reply, Turn, TurnResult, render};
use crate::booking::limits;
use crate::catalog;
use chrono::Datelike;
use resort_core::i18n::{number_arg, text_arg};
use resort_core::rules;

/// Resorts listed with their windows; the rest are one `예약` away.
const MAX_RESORTS: usize = 6;

impl Conversation {
    pub(super) async fn limits(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let today = self.clock.today();
        let year = today.year();
        let policy = limits::get(self.reads()).await?;
        let resorts = catalog::list_active(self.reads()).await?;
        let mut lines = vec![locale.text_with("limits-title", &[text_arg("year", year.to_string())])];
        // Company-wide counts do not depend on the resort; any id will do for `here`.
        let anywhere = resorts.first().map(|resort| resort.id).unwrap_or_default();
        let counted = limits::counted(self.reads(), turn.employee.id, anywhere, &policy, today).await?;
        let everywhere = rules::Limits {
            yearly_stays: policy.yearly_stays,
            yearly_nights: policy.yearly_nights,
            ..rules::Limits::default()
        };
        let (stays_left, nights_left, _) = rules::left_in(year, &everywhere, &counted);
        let this_year: Vec<_> = counted.iter().filter(|stay| stay.check_in.year() == year).collect();
        let used_nights: u32 = this_year.iter().map(|stay| stay.nights).sum();
        lines.push(match (policy.yearly_stays, stays_left) {
            (Some(limit), Some(left)) => limit_line(turn, "limits-stays", limit, this_year.len() as u32, left),
            _ => locale.text_with("limits-stays-free", &[number_arg("used", this_year.len() as i64)]),
        });
        lines.push(match (policy.yearly_nights, nights_left) {
            (Some(limit), Some(left)) => limit_line(turn, "limits-nights", limit, used_nights, left),
            _ => locale.text_with("limits-nights-free", &[number_arg("used", i64::from(used_nights))]),
        });
        for resort in resorts.iter().filter(|resort| resort.yearly_stays_per_employee.is_some()) {
            let counted = limits::counted(self.reads(), turn.employee.id, resort.id, &policy, today).await?;
            let limits =
                rules::Limits { resort_yearly_stays: resort.yearly_stays_per_employee, ..rules::Limits::default() };
            if let (Some(limit), (_, _, Some(left))) =
                (resort.yearly_stays_per_employee, rules::left_in(year, &limits, &counted))
            {
                let used = limit - left.min(limit);
                lines.push(locale.text_with(
                    "limits-resort",
                    &[
                        text_arg("resort", resort.name.clone()),
                        number_arg("limit", i64::from(limit)),
                        number_arg("used", i64::from(used)),
                        number_arg("left", i64::from(left)),
                    ],
                ));
            }
        }
        if policy.late_cancel_counts {
            lines.push(locale.text("limits-late-cancel-counts"));
        }
        lines.push(String::new());
        lines.push(locale.text("limits-windows"));
        for resort in resorts.iter().take(MAX_RESORTS) {
            let open = rules::open(&resort.window(), self.clock.now());
            lines.push(locale.text_with(
                "limits-window-line",
                &[
                    text_arg("resort", resort.name.clone()),
                    text_arg("last", render::date_with_year(locale, open.last)),
                    text_arg("opens", render::date_with_year(locale, open.next.1.date())),
                    text_arg("time", open.next.1.format("%H:%M").to_string()),
                ],
            ));
        }
        Ok(Reply::text(lines.join("\n")).quick(render::menu(locale, turn.is_manager)))
    }
}

fn limit_line(turn: &Turn<'_>, key: &str, limit: u32, used: u32, left: u32) -> String {
    turn.locale.text_with(
        key,
        &[
            number_arg("limit", i64::from(limit)),
            number_arg("used", i64::from(used)),
            number_arg("left", i64::from(left)),
        ],
    )
}
