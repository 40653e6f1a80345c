//! What a resort's manager can do from a chat: see pending requests, approve or reject them,
//! and see today's arrivals. Every decision is checked against `resort_manager` on the server,
//! whatever button it came from.
//!
//! ```text
//! (push) 승인 요청: 김휴가님 · R7K2QH3 · 설악 오션 · 12월 24일(목) → 26일(토), 2박 · 300포인트
//!        11월 25일(수) 15:00까지 결정해 주세요. [승인] [거절]
//! manager: (승인)
//! bot:     김휴가님 · R7K2QH3 · 설악 오션 · 12월 24일(목) → 26일(토), 2박 · 300포인트
//!          ✅ 박담당님이 승인했습니다 (11월 24일(화) 15:03).
//! manager: (승인)            ← a second press
//! bot:     R7K2QH3은(는) 박담당님이 이미 처리했습니다 (상태: 확정).
//! ```

use super::command::Command;
use super::{Button, press};
use super::{Conversation, Reply, ReplyMessage, Turn, TurnResult, refuse, render};
use crate::booking::DecideError;
use crate::identity;
use resort_core::booking::Decision;
use resort_core::i18n::{number_arg, text_arg};

/// Pending requests shown per turn (Kakao shows three messages per answer; the rest are a
/// press away).
const PENDING_PAGE: i64 = 3;

impl Conversation {
    /// A page of the requests waiting for this manager, oldest first, with a button to the
    /// next page: a long list would not fit a chat turn's time budget nor a chat screen.
    pub(super) async fn pending(&self, turn: &Turn<'_>, from: u32) -> TurnResult {
        let locale = turn.locale;
        if !turn.is_manager {
            return Err(refuse(locale.text("error-not-manager")));
        }
        let (pending, total) = self.desk.pending_for(turn.employee.id, i64::from(from), PENDING_PAGE).await?;
        if total == 0 {
            return Ok(Reply::text(locale.text("pending-none")).quick(render::menu(locale, true)));
        }
        let shown_to = i64::from(from) + pending.len() as i64;
        let mut reply = Reply::text(locale.text_with(
            "pending-title-page",
            &[number_arg("count", total), number_arg("first", i64::from(from) + 1), number_arg("last", shown_to)],
        ));
        for booking in &pending {
            let guest = identity::name_of(self.reads(), booking.employee_id).await?.unwrap_or_default();
            let text = render::approval_request(locale, &guest, &booking.snapshot());
            reply = reply.push(ReplyMessage::new(text, render::approve_reject_buttons(locale, &booking.reference)));
        }
        let mut quick = Vec::new();
        if shown_to < total {
            quick.push(Button::new(locale.text("button-next-page"), press::encode(&Command::Pending(shown_to as u32))));
        }
        quick.extend(render::menu(locale, true));
        Ok(reply.quick(quick))
    }

    pub(super) async fn decide(&self, turn: &Turn<'_>, reference: &str, decision: Decision) -> TurnResult {
        let locale = turn.locale;
        if !turn.is_manager {
            return Err(refuse(locale.text("error-not-manager")));
        }
        let reference_arg = || text_arg("reference", reference.to_owned());
        match self.desk.decide(reference, decision, turn.employee.id, &turn.employee.name).await {
            Ok(booking) => {
                // The request as the manager saw it, and who decided when: platforms that can
                // edit put this in place of the request, so its buttons are gone.
                let guest = identity::name_of(self.reads(), booking.employee_id).await?.unwrap_or_default();
                let stay =
                    render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
                let id = if decision == Decision::Approve { "decision-approved" } else { "decision-rejected" };
                Ok(Reply::text(locale.text_with(
                    id,
                    &[
                        text_arg("guest", guest),
                        text_arg("reference", booking.reference),
                        text_arg("stay", stay),
                        text_arg("manager", turn.employee.name.clone()),
                        text_arg("time", render::day_and_time(locale, self.clock.now_millis())),
                    ],
                )))
            }
            Err(DecideError::NotFound) => Err(refuse(locale.text_with("error-unknown-booking", &[reference_arg()]))),
            Err(DecideError::NotManager) => Err(refuse(locale.text_with("error-not-manager-of", &[reference_arg()]))),
            Err(DecideError::OwnBooking) => Err(refuse(locale.text_with("error-own-booking", &[reference_arg()]))),
            Err(DecideError::AlreadyDecided(booking)) => {
                let status = render::status(locale, booking.status);
                let mut args = vec![text_arg("reference", booking.reference), text_arg("status", status)];
                let id = match booking.decided_by {
                    Some(manager) => {
                        args.push(text_arg("manager", manager));
                        "error-already-decided-by"
                    }
                    None => "error-already-decided",
                };
                Err(refuse(locale.text_with(id, &args)))
            }
            Err(DecideError::Database(error)) => Err(error.into()),
        }
    }

    pub(super) async fn arrivals(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        if !turn.is_manager {
            return Err(refuse(locale.text("error-not-manager")));
        }
        let arrivals = self.desk.arrivals_for(turn.employee.id).await?;
        if arrivals.is_empty() {
            return Ok(Reply::text(locale.text("arrivals-none")));
        }
        let mut lines = vec![locale.text("arrivals-title")];
        for booking in &arrivals {
            let guest = identity::name_of(self.reads(), booking.employee_id).await?.unwrap_or_default();
            let stay =
                render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
            lines.push(format!("• {guest} · {} · {stay}", booking.reference));
        }
        Ok(Reply::text(lines.join("\n")))
    }
}
