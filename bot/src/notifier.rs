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
use crate::push::PushSignal;
use async_trait::async_trait;
use resort_core::booking::{BookingStatus, RejectReason};
use resort_core::clock::SharedClock;
use resort_core::db::Connection;
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::id::{EmployeeId, MessageId};
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
                // Points were never taken when they were insufficient; otherwise all come back.
                let refund = if booking.reason == Some(RejectReason::InsufficientPoints) { 0 } else { booking.points };
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
        let copies: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT platform, platform_user_id, employee_id, platform_ref FROM push_message
             WHERE booking_id = $1 AND kind = 'approval_request' AND platform_ref IS NOT NULL",
        )
        .bind(booking.booking_id.to_string())
        .fetch_all(&mut *connection)
        .await?;
        if copies.is_empty() {
            return Ok(());
        }
        let guest = identity::name_of(&mut *connection, booking.employee_id).await?.unwrap_or_default();
        let now = self.clock.now_millis();
        for (platform, platform_user_id, manager, platform_ref) in copies {
            let manager =
                EmployeeId::parse(&manager).ok_or_else(|| HandleError::Reject(format!("bad employee id {manager}")))?;
            let (chosen, accounts) = identity::accounts_of(connection, manager).await?;
            let hint = accounts
                .iter()
                .find(|account| account.platform.as_str() == platform && account.platform_user_id == platform_user_id)
                .and_then(|account| account.locale_hint);
            let locale = chosen.or(hint).unwrap_or_default();
            let body = serde_json::to_string(&Reply::text(approval_outcome(locale, &guest, booking, now)))
                .expect("a reply serializes");
            sqlx::query(
                "INSERT INTO push_message (id, platform, platform_user_id, employee_id, booking_id, kind, body, attempts, next_attempt_at, edits_ref, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'approval_closed', $6, 0, $7, $8, $7, $7)",
            )
            .bind(MessageId::new().to_string())
            .bind(&platform)
            .bind(&platform_user_id)
            .bind(manager.to_string())
            .bind(booking.booking_id.to_string())
            .bind(body)
            .bind(now)
            .bind(&platform_ref)
            .execute(&mut *connection)
            .await?;
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
            let body = serde_json::to_string(&compose(locale)).expect("a reply serializes");
            sqlx::query(
                "INSERT INTO push_message (id, platform, platform_user_id, employee_id, booking_id, kind, body, attempts, next_attempt_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $8)",
            )
            .bind(MessageId::new().to_string())
            .bind(account.platform.as_str())
            .bind(&account.platform_user_id)
            .bind(recipient.to_string())
            .bind(booking.booking_id.to_string())
            .bind(kind)
            .bind(body)
            .bind(now)
            .execute(&mut *connection)
            .await?;
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
        text_arg("time", render::korean_time(now)),
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
