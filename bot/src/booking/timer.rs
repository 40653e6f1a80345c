//! The approval deadline: a booking waiting for a manager past its resort's deadline gets the
//! `expire` decision. The deadline is a column, not a sleeping task, so it survives restarts, and
//! any gateway replica may fire it (the conditional update lets one win).

use super::desk::BookingDesk;
use super::store::record_step;
use resort_core::booking::Decision;
use resort_core::id::BookingId;
use resort_core::saga;
use resort_core::shutdown::Shutdown;
use std::time::Duration;

impl BookingDesk {
    /// The durable approval timer: every booking whose deadline has passed without a decision
    /// gets the `expire` decision. The deadline is a column, not a sleeping task, so it survives
    /// restarts and any gateway replica may fire it (the conditional update lets one win).
    pub async fn expire_overdue(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now_millis();
        let overdue: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM booking WHERE status = 'awaiting_approval' AND decision IS NULL AND approval_deadline_at <= $1 ORDER BY approval_deadline_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut expired = 0;
        for id in overdue.iter().filter_map(|id| BookingId::parse(id)) {
            let mut transaction = self.pool.begin().await?;
            let recorded = sqlx::query(
                "UPDATE booking SET decision = 'expire', updated_at = $2 WHERE id = $1 AND status = 'awaiting_approval' AND decision IS NULL",
            )
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if recorded == 1 {
                let (command, step) = saga::decide_room(Decision::Expire);
                record_step(&mut transaction, id, step, None, now).await?;
                let Some(booking) = super::store::load(&mut transaction, id).await? else { continue };
                let messages = super::commands::messages(vec![command], &booking, &Default::default());
                self.send(&mut transaction, messages, id).await?;
                transaction.commit().await?;
                expired += 1;
            }
        }
        if expired > 0 {
            self.outbox_signal.notify();
        }
        Ok(expired)
    }
}

/// Fires passed approval deadlines every `interval` until shutdown.
pub async fn run_approval_timer(desk: BookingDesk, interval: Duration, mut shutdown: Shutdown) {
    loop {
        match desk.expire_overdue().await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "approval deadlines passed"),
            Err(error) => tracing::warn!(%error, "approval timer could not read bookings; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.wait() => return,
        }
    }
}
