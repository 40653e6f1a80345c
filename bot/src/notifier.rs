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
//!
//! A batch of events is looked up once (the sent approval requests of every booking that moved
//! on, the chat accounts of every booking's employee) and its alerts are written in one insert:
//! the cost of a statement, not of its rows, is what a batch pays.

use crate::catalog;
use crate::conversation::{Reply, render};
use crate::identity;
use crate::identity::ChatAccount;
use crate::push::{self, PushSignal};
use async_trait::async_trait;
use resort_core::booking::{BookingStatus, RejectReason};
use resort_core::clock::SharedClock;
use resort_core::db::Connection;
use resort_core::i18n::{Locale, number_arg, text_arg};
use resort_core::id::{BookingId, EmployeeId};
use resort_core::inbox::{Consumer, HandleError, Handler, Incoming, Outgoing};
use resort_core::message::{BookingSnapshot, Envelope, Message};
use std::collections::HashMap;
use std::sync::Arc;
use tracing::Instrument;

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
        resort_core::inbox::handle_as_batch(self, message, envelope, connection).await
    }

    /// A batch's lookups are made once for all of it (the sent approval requests of every
    /// booking that moved on, the chat accounts of every booking's employee) and its alerts are
    /// written in one insert.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        let mut bookings = Vec::with_capacity(batch.len());
        for Incoming { message, envelope, span } in batch {
            let Message::Booking(booking) = message else {
                return Err(HandleError::Reject(format!("the notifier does not handle {}", envelope.message_type)));
            };
            bookings.push((booking, span));
        }
        let moved_on: Vec<BookingId> = bookings
            .iter()
            .filter(|(booking, _)| booking.status != BookingStatus::AwaitingApproval)
            .map(|(booking, _)| booking.booking_id)
            .collect();
        let employees: Vec<EmployeeId> = bookings.iter().map(|(booking, _)| booking.employee_id).collect();
        let mut alerts = Alerts {
            approval_requests: push::sent_copies_of(connection, &moved_on, "approval_request").await?,
            accounts: identity::accounts_of_many(connection, &employees).await?,
            queued: Vec::new(),
        };
        for (booking, span) in &bookings {
            self.notify(connection, &mut alerts, booking).instrument(span.clone()).await?;
        }
        let queued: Vec<push::NewAlert<'_>> = alerts.queued.iter().map(Queued::as_new).collect();
        push::queue_all(connection, &queued, self.clock.now_millis()).await?;
        Ok(vec![Vec::new(); bookings.len()])
    }

    fn after_commit(&self) {
        self.push_signal.notify();
    }
}

/// What a batch looked up once, and the alerts it will write.
struct Alerts {
    approval_requests: HashMap<BookingId, Vec<push::SentCopy>>,
    accounts: HashMap<EmployeeId, (Option<Locale>, Vec<ChatAccount>)>,
    queued: Vec<Queued>,
}

impl Alerts {
    /// An employee's chat accounts, looked up once per batch.
    async fn accounts_of(
        &mut self,
        connection: &mut Connection,
        employee_id: EmployeeId,
    ) -> Result<(Option<Locale>, Vec<ChatAccount>), sqlx::Error> {
        if let Some(found) = self.accounts.get(&employee_id) {
            return Ok(found.clone());
        }
        let found = identity::accounts_of(connection, employee_id).await?;
        self.accounts.insert(employee_id, found.clone());
        Ok(found)
    }
}

/// An alert composed and waiting for the batch's insert.
struct Queued {
    platform: String,
    platform_user_id: String,
    employee_id: EmployeeId,
    booking_id: BookingId,
    kind: &'static str,
    reply: Reply,
    edits_ref: Option<String>,
}

impl Queued {
    fn as_new(&self) -> push::NewAlert<'_> {
        push::NewAlert {
            platform: &self.platform,
            platform_user_id: &self.platform_user_id,
            employee_id: self.employee_id,
            booking_id: Some(self.booking_id),
            kind: self.kind,
            reply: &self.reply,
            edits_ref: self.edits_ref.as_deref(),
        }
    }
}

impl Notifier {
    /// The alerts one booking event causes.
    async fn notify(
        &self,
        connection: &mut Connection,
        alerts: &mut Alerts,
        booking: &BookingSnapshot,
    ) -> Result<(), HandleError> {
        if booking.status != BookingStatus::AwaitingApproval {
            self.close_approval_requests(connection, alerts, booking).await?;
        }
        match booking.status {
            BookingStatus::AwaitingApproval => {
                let guest = identity::name_of(&mut *connection, booking.employee_id).await?.unwrap_or_default();
                // A manager does not decide their own booking, so they are not asked to.
                let managers = catalog::manager_ids(connection, booking.resort_id).await?;
                for manager in managers.into_iter().filter(|manager| *manager != booking.employee_id) {
                    self.tell(connection, alerts, manager, booking, "approval_request", |locale| {
                        Reply::with_buttons(
                            render::approval_request(locale, &guest, booking),
                            render::approve_reject_buttons(locale, &booking.reference),
                        )
                    })
                    .await?;
                }
            }
            BookingStatus::Confirmed => {
                self.tell(connection, alerts, booking.employee_id, booking, "confirmed", |locale| {
                    Reply::text(employee_text(locale, "push-confirmed", booking, 0))
                })
                .await?;
            }
            BookingStatus::Rejected => {
                // What the saga refunded (nothing when the points were never taken).
                let refund = booking.refund_points.unwrap_or(0);
                self.tell(connection, alerts, booking.employee_id, booking, "rejected", |locale| {
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
                        self.tell(connection, alerts, manager, booking, "timed_out", |locale| {
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
                self.tell(connection, alerts, booking.employee_id, booking, "cancelled", |locale| {
                    Reply::text(employee_text(locale, "push-cancelled", booking, refund))
                })
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Queues an edit of every sent, editable approval request of the booking: the request with
    /// its outcome, without buttons.
    async fn close_approval_requests(
        &self,
        connection: &mut Connection,
        alerts: &mut Alerts,
        booking: &BookingSnapshot,
    ) -> Result<(), HandleError> {
        // Cloned, not taken: a booking that moves on twice in one batch edits its requests twice,
        // the later outcome last, as two batches would.
        let Some(copies) = alerts.approval_requests.get(&booking.booking_id).cloned() else {
            return Ok(());
        };
        let guest = identity::name_of(&mut *connection, booking.employee_id).await?.unwrap_or_default();
        let now = self.clock.now_millis();
        for copy in copies {
            let manager = EmployeeId::parse(&copy.employee_id)
                .ok_or_else(|| HandleError::Reject(format!("bad employee id {}", copy.employee_id)))?;
            let (chosen, accounts) = alerts.accounts_of(connection, manager).await?;
            let hint = accounts
                .iter()
                .find(|account| {
                    account.platform.as_str() == copy.platform && account.platform_user_id == copy.platform_user_id
                })
                .and_then(|account| account.locale_hint);
            let locale = chosen.or(hint).unwrap_or_default();
            alerts.queued.push(Queued {
                platform: copy.platform,
                platform_user_id: copy.platform_user_id,
                employee_id: manager,
                booking_id: booking.booking_id,
                kind: "approval_closed",
                reply: Reply::text(approval_outcome(locale, &guest, booking, now)),
                edits_ref: Some(copy.platform_ref),
            });
        }
        Ok(())
    }

    /// Queues one alert per chat account of `recipient`, each in that account's language.
    async fn tell(
        &self,
        connection: &mut Connection,
        alerts: &mut Alerts,
        recipient: EmployeeId,
        booking: &BookingSnapshot,
        kind: &'static str,
        compose: impl Fn(Locale) -> Reply,
    ) -> Result<(), HandleError> {
        let (chosen, accounts) = alerts.accounts_of(connection, recipient).await?;
        if accounts.is_empty() {
            tracing::info!(employee_id = %recipient, booking_id = %booking.booking_id, kind, "no linked chat account to alert");
        }
        for account in accounts {
            let locale = chosen.or(account.locale_hint).unwrap_or_default();
            alerts.queued.push(Queued {
                platform: account.platform.as_str().to_owned(),
                platform_user_id: account.platform_user_id,
                employee_id: recipient,
                booking_id: booking.booking_id,
                kind,
                reply: compose(locale),
                edits_ref: None,
            });
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
