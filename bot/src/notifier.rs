//! The notifier: turns booking events into alerts for the people concerned.
//!
//! It is a consumer like the workers (queue `notifier`), but its effect is rows in
//! `push_message`, one per chat account, rendered in the recipient's language; the push loop
//! ([`crate::push`]) sends them. Writing instead of sending inside the consumer's transaction
//! keeps slow platform APIs from holding the database, and an alert that was written is sent
//! even if the process dies first.
//!
//! | event | who hears | what |
//! | --- | --- | --- |
//! | `booking.awaiting_approval` | the resort's managers | the request, with Approve / Reject |
//! | `booking.confirmed` | the employee | confirmed |
//! | `booking.rejected` | the employee (and managers on a timeout) | why, and the refund |
//! | `booking.cancelled` | the employee | the refund |
//!
//! Once a booking that waited for approval moves on, every manager's copy of the approval
//! request that the platform can edit (Telegram, Discord) is replaced by the outcome, its
//! buttons gone: an alert row that names the sent message in `edits_ref`.

use crate::catalog;
use crate::conversation::{Reply, render};
use crate::identity;
use crate::push::{self, PushSignal};
use async_trait::async_trait;
use resort_core::booking::{BookingStatus, RejectReason};
use resort_core::clock::SharedClock;
use resort_core::db::Connection;
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::id::EmployeeId;
use resort_core::inbox::{Consumer, HandleError, Handler, Outgoing};
use resort_core::message::{BookingSnapshot, Envelope, Message};
use std::sync::Arc;

pub const QUEUE: &str = "notifier";
pub const BINDINGS: &[&str] =
    &["booking.awaiting_approval", "booking.confirmed", "booking.rejected", "booking.cancelled"];

pub fn consumer(clock: SharedClock, push_signal: PushSignal) -> Consumer {
    Consumer { name: QUEUE, bindings: BINDINGS, handler: Arc::new(Notifier { clock, push_signal }) }
}

pub struct Notifier {
    clock: SharedClock,
    push_signal: PushSignal,
}

#[async_trait]
impl Handler for Notifier {
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError> {
        let Message::Booking(booking) = message else {
            return Err(HandleError::Reject(format!("the notifier does not handle {}", envelope.message_type)));
        };
        if booking.status != BookingStatus::AwaitingApproval {
            self.close_approval_requests(connection, &booking).await?;
        }
        match booking.status {
            BookingStatus::AwaitingApproval => {
                let guest = identity::name_of(&mut *connection, booking.employee_id).await?.unwrap_or_default();
                // A manager does not decide their own booking, so they are not asked to.
                let managers = catalog::manager_ids(connection, booking.resort_id).await?;
                for manager in managers.into_iter().filter(|manager| *manager != booking.employee_id) {
                    self.tell(connection, manager, &booking, "approval_request", |locale| {
                        Reply::with_buttons(
                            render::approval_request(locale, &guest, &booking),
                            render::approve_reject_buttons(locale, &booking.reference),
                        )
                    })
                    .await?;
                }
            }
            BookingStatus::Confirmed => {
                self.tell(connection, booking.employee_id, &booking, "confirmed", |locale| {
                    Reply::text(employee_text(locale, "push-confirmed", &booking, 0))
                })
                .await?;
            }
            BookingStatus::Rejected => {
                // What the saga refunded (nothing when the points were never taken).
                let refund = booking.refund_points.unwrap_or(0);
                self.tell(connection, booking.employee_id, &booking, "rejected", |locale| {
                    let reason = booking.reason.map(|reason| render::reason(locale, reason)).unwrap_or_default();
                    let stay = render::stay_line(
                        locale,
                        &booking.resort_name,
                        booking.check_in,
                        booking.nights,
                        booking.points,
                    );
                    Reply::text(locale.text_with(
                        "push-rejected",
                        &[
                            text_arg("reference", booking.reference.clone()),
                            text_arg("stay", stay),
                            text_arg("reason", reason),
                            number_arg("refund", refund),
                        ],
                    ))
                })
                .await?;
                if booking.reason == Some(RejectReason::ManagerTimedOut) {
                    for manager in catalog::manager_ids(connection, booking.resort_id).await? {
                        self.tell(connection, manager, &booking, "timed_out", |locale| {
                            Reply::text(locale.text_with(
                                "push-timed-out-manager",
                                &[text_arg("reference", booking.reference.clone())],
                            ))
                        })
                        .await?;
                    }
                }
            }
            BookingStatus::Cancelled => {
                let refund = booking.refund_points.unwrap_or(0);
                self.tell(connection, booking.employee_id, &booking, "cancelled", |locale| {
                    Reply::text(employee_text(locale, "push-cancelled", &booking, refund))
                })
                .await?;
            }
            _ => {}
        }
        Ok(Vec::new())
    }

    fn after_commit(&self) {
        self.push_signal.notify();
    }
}

impl Notifier {
    /// Queues an edit of every sent, editable approval request of the booking: the request with
    /// its outcome, without buttons.
    async fn close_approval_requests(
        &self,
        connection: &mut Connection,
        booking: &BookingSnapshot,
    ) -> Result<(), HandleError> {
        let copies = push::sent_copies(connection, booking.booking_id, "approval_request").await?;
        if copies.is_empty() {
            return Ok(());
        }
        let guest = identity::name_of(&mut *connection, booking.employee_id).await?.unwrap_or_default();
        let now = self.clock.now_millis();
        for copy in copies {
            let manager = EmployeeId::parse(&copy.employee_id)
                .ok_or_else(|| HandleError::Reject(format!("bad employee id {}", copy.employee_id)))?;
            let (chosen, accounts) = identity::accounts_of(connection, manager).await?;
            let hint = accounts
                .iter()
                .find(|account| {
                    account.platform.as_str() == copy.platform && account.platform_user_id == copy.platform_user_id
                })
                .and_then(|account| account.locale_hint);
            let locale = chosen.or(hint).unwrap_or_default();
            let reply = Reply::text(approval_outcome(locale, &guest, booking, now));
            let alert = push::NewAlert {
                platform: &copy.platform,
                platform_user_id: &copy.platform_user_id,
                employee_id: manager,
                booking_id: Some(booking.booking_id),
                kind: "approval_closed",
                reply: &reply,
                edits_ref: Some(&copy.platform_ref),
            };
            push::queue(connection, alert, now).await?;
        }
        Ok(())
    }

    /// Queues one alert per chat account of `recipient`, each in that account's language.
    async fn tell(
        &self,
        connection: &mut Connection,
        recipient: EmployeeId,
        booking: &BookingSnapshot,
        kind: &str,
        compose: impl Fn(Locale) -> Reply,
    ) -> Result<(), HandleError> {
        let (chosen, accounts) = identity::accounts_of(connection, recipient).await?;
        if accounts.is_empty() {
            tracing::info!(employee_id = %recipient, booking_id = %booking.booking_id, kind, "no linked chat account to alert");
        }
        let now = self.clock.now_millis();
        for account in accounts {
            let locale = chosen.or(account.locale_hint).unwrap_or_default();
            let reply = compose(locale);
            let alert = push::NewAlert {
                platform: account.platform.as_str(),
                platform_user_id: &account.platform_user_id,
                employee_id: recipient,
                booking_id: Some(booking.booking_id),
                kind,
                reply: &reply,
                edits_ref: None,
            };
            push::queue(connection, alert, now).await?;
        }
        Ok(())
    }
}

/// An approval request as it reads once the booking moved on: who decided, or what happened.
fn approval_outcome(locale: Locale, guest: &str, booking: &BookingSnapshot, now: i64) -> String {
    let stay = render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
    let mut args = vec![
        text_arg("guest", guest.to_owned()),
        text_arg("reference", booking.reference.clone()),
        text_arg("stay", stay),
        text_arg("time", render::day_and_time(locale, now)),
    ];
    let decided = match (booking.status, booking.reason, &booking.decided_by) {
        (BookingStatus::Confirmed, _, Some(manager)) => Some(("decision-approved", manager)),
        (BookingStatus::Rejected, Some(RejectReason::ManagerRejected), Some(manager)) => {
            Some(("decision-rejected", manager))
        }
        _ => None,
    };
    if let Some((id, manager)) = decided {
        args.push(text_arg("manager", manager.clone()));
        return locale.text_with(id, &args);
    }
    let mut status = render::status(locale, booking.status);
    if let Some(reason) = booking.reason {
        status = format!("{status} ({})", render::reason(locale, reason));
    }
    args.push(text_arg("status", status));
    locale.text_with("approval-closed", &args)
}

fn employee_text(locale: Locale, id: &str, booking: &BookingSnapshot, refund: i64) -> String {
    let stay = render::stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
    locale.text_with(
        id,
        &[text_arg("reference", booking.reference.clone()), text_arg("stay", stay), number_arg("refund", refund)],
    )
}
