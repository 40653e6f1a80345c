//! The approval deadline as a durable timer (`resort_core::timer`): set by the saga when a
//! booking starts waiting for a manager, fired once at the deadline by whichever gateway replica
//! gets there first. Firing records the `expire` decision unless a manager decided first (the
//! conditional update on `decision IS NULL`) and sends it to the hotel, in the timer's
//! transaction.

use super::desk::BookingDesk;
use super::store::record_step;
use async_trait::async_trait;
use resort_core::booking::Decision;
use resort_core::db::Connection;
use resort_core::id::BookingId;
use resort_core::saga;
use resort_core::timer::{TimerError, TimerHandler};
use std::sync::Arc;

/// The timer kind of an approval deadline; its subject is the booking id.
pub const APPROVAL_DEADLINE: &str = "approval_deadline";

/// The approval deadline's timer handler.
pub fn approval_deadline(desk: &BookingDesk) -> (&'static str, Arc<dyn TimerHandler>) {
    (APPROVAL_DEADLINE, Arc::new(ApprovalDeadline { desk: desk.clone() }))
}

struct ApprovalDeadline {
    desk: BookingDesk,
}

#[async_trait]
impl TimerHandler for ApprovalDeadline {
    async fn fire(&self, connection: &mut Connection, subject: &str, now: i64) -> Result<(), TimerError> {
        let Some(id) = BookingId::parse(subject) else {
            tracing::error!(%subject, "an approval deadline names no booking");
            return Ok(());
        };
        let recorded = sqlx::query(
            "UPDATE booking SET decision = 'expire', updated_at = $2 WHERE id = $1 AND status = 'awaiting_approval' AND decision IS NULL",
        )
        .bind(id.to_string())
        .bind(now)
        .execute(&mut *connection)
        .await?
        .rows_affected();
        if recorded == 0 {
            return Ok(());
        }
        let (command, step) = saga::decide_room(Decision::Expire);
        record_step(connection, id, step, None, now).await?;
        if let Some(booking) = super::store::load(connection, id).await? {
            let messages = super::commands::messages(vec![command], &booking, &Default::default());
            // The timer's loop commits and then wakes the relay for a look (`after_commit`).
            resort_core::outbox::enqueue_all(connection, &self.desk.envelopes(messages, id), now).await?;
        }
        Ok(())
    }

    fn after_commit(&self) {
        self.desk.outbox_signal.notify();
    }
}
