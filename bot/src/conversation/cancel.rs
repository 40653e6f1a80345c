//! Cancelling: choose a booking, see what the policy refunds, confirm.
//!
//! ```text
//! user: 취소 R7K2QH3
//! bot:  R7K2QH3 · 설악 오션 · 12월 24일(목) → 26일(토), 2박 · 300포인트
//!       지금 취소하면 150포인트를 돌려받습니다. [취소 확정] [유지]
//! user: (취소 확정)
//! bot:  R7K2QH3 취소를 진행합니다. 150포인트가 환불됩니다.
//! ```

use super::command::Command;
use super::press;
use super::reply::Button;
use super::{Conversation, Failure, Reply, Turn, TurnResult, refuse, render};
use crate::booking::{Booking, CancelError};
use resort_core::i18n::{number_arg, text_arg};

impl Conversation {
    pub(super) async fn cancel_list(&self, turn: &Turn<'_>) -> TurnResult {
        let locale = turn.locale;
        let cancellable: Vec<Booking> = self
            .desk
            .active_of(turn.employee.id)
            .await?
            .into_iter()
            .filter(|booking| booking.status.is_cancellable())
            .collect();
        if cancellable.is_empty() {
            return Ok(Reply::text(locale.text("cancel-none")).quick(render::menu(locale, turn.is_manager)));
        }
        let mut lines = vec![locale.text("cancel-choose")];
        let mut choices = Vec::new();
        for booking in cancellable.iter().take(10) {
            let stay =
                render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
            lines.push(format!("• {} · {}", booking.reference, stay));
            // Labelled with what people remember of a stay, not its code.
            let label = locale.text_with(
                "cancel-choice",
                &[
                    text_arg("resort", booking.resort_name.clone()),
                    text_arg("date", render::date(locale, booking.check_in)),
                ],
            );
            choices.push(Button::new(label, press::encode(&Command::CancelQuote(booking.reference.clone()))));
        }
        Ok(Reply::choose(lines.join("\n"), choices))
    }

    /// The employee's own booking by reference; anyone else's reads as unknown, so references
    /// cannot be probed.
    async fn own_booking(&self, turn: &Turn<'_>, reference: &str) -> Result<Booking, Failure> {
        match self.desk.by_reference(reference).await? {
            Some(booking) if booking.employee_id == turn.employee.id => Ok(booking),
            _ => Err(refuse(
                turn.locale.text_with("error-unknown-booking", &[text_arg("reference", reference.to_owned())]),
            )),
        }
    }

    pub(super) async fn cancel_quote(&self, turn: &Turn<'_>, reference: &str) -> TurnResult {
        let locale = turn.locale;
        let booking = self.own_booking(turn, reference).await?;
        if !booking.status.is_cancellable() {
            return Err(not_cancellable(turn, &booking));
        }
        let refund = self.desk.refund_quote(&booking).await?;
        let stay = render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
        // The terms in words, so a partial refund says why (a resort since removed refunds all).
        let rule = match self.desk.cancel_terms(&booking).await? {
            Some(terms) => render::refund_rule(locale, &terms, booking.check_in, self.clock.today()),
            None => String::new(),
        };
        let text = locale.text_with(
            "cancel-quote",
            &[
                text_arg("reference", booking.reference.clone()),
                text_arg("stay", stay),
                number_arg("refund", refund),
                number_arg("points", booking.points),
                text_arg("rule", rule),
            ],
        );
        let buttons = vec![
            Button::new(
                locale.text("button-cancel-confirm"),
                press::encode(&Command::CancelConfirm(booking.reference.clone())),
            ),
            Button::new(locale.text("button-cancel-keep"), press::encode(&Command::MyBookings)),
        ];
        Ok(Reply::with_buttons(text, buttons))
    }

    pub(super) async fn cancel_confirm(&self, turn: &Turn<'_>, reference: &str) -> TurnResult {
        let locale = turn.locale;
        let booking = self.own_booking(turn, reference).await?;
        match self.desk.cancel(booking.id, Some(turn.employee.id)).await {
            Ok(cancelling) => {
                let text = locale.text_with(
                    "cancel-started",
                    &[
                        text_arg("reference", cancelling.reference),
                        number_arg("refund", cancelling.refund_points.unwrap_or(0)),
                    ],
                );
                Ok(Reply::text(text).quick(render::menu(locale, turn.is_manager)))
            }
            Err(CancelError::NotCancellable(_)) => {
                let fresh = self.desk.get(booking.id).await?.unwrap_or(booking);
                Err(not_cancellable(turn, &fresh))
            }
            Err(CancelError::NotFound | CancelError::NotYours) => {
                Err(refuse(locale.text_with("error-unknown-booking", &[text_arg("reference", reference.to_owned())])))
            }
            Err(CancelError::Database(error)) => Err(error.into()),
        }
    }
}

fn not_cancellable(turn: &Turn<'_>, booking: &Booking) -> Failure {
    let status = render::status(turn.locale, booking.status);
    refuse(turn.locale.text_with(
        "error-not-cancellable",
        &[text_arg("reference", booking.reference.clone()), text_arg("status", status)],
    ))
}
