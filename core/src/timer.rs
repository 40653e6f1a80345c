//! Durable timers: "do this at time T, once", across restarts and replicas. A timer is a row of
//! `timer` (kind, subject, due time) written in the transaction of the change that wants it. Any
//! process running [`Timers`] fires a due timer by marking it fired and running its kind's
//! [`TimerHandler`] in one transaction: the conditional mark lets exactly one replica win, and a
//! handler that fails rolls the mark back, so the timer fires again on the next pass (later each
//! time). Time comes from the shared clock, so tests drive timers with the manual clock and ask
//! [`Timers::fire_due`] instead of sleeping.
//!
//! Kinds in use: `approval_deadline` (subject: a booking), and the lottery draw.

use crate::clock::SharedClock;
use crate::db::{Connection, Pool};
use crate::shutdown::Shutdown;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Due timers fired in one pass, at most.
const BATCH: i64 = 100;

/// How much later a timer whose handler failed is tried again, per failure so far.
const RETRY_MILLIS: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum TimerError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The handler could not do its work now; the timer is tried again later.
    #[error("{0}")]
    Failed(String),
}

/// What a kind of timer does when it fires, inside the firing transaction.
#[async_trait]
pub trait TimerHandler: Send + Sync + 'static {
    async fn fire(&self, connection: &mut Connection, subject: &str, now: i64) -> Result<(), TimerError>;

    /// Called once the firing transaction committed (to wake the relay, say).
    fn after_commit(&self) {}
}

/// Sets a timer of `kind` for `subject` at `due_at`; a kind has at most one timer per subject,
/// so setting it again (a redelivered message, a repeated call) changes nothing.
pub async fn schedule(
    connection: &mut Connection,
    kind: &str,
    subject: &str,
    due_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO timer (id, kind, subject, due_at, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(format!("{kind}:{subject}"))
    .bind(kind)
    .bind(subject)
    .bind(due_at)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The timers of one process and what each kind does.
#[derive(Clone)]
pub struct Timers {
    pool: Pool,
    clock: SharedClock,
    handlers: Arc<HashMap<&'static str, Arc<dyn TimerHandler>>>,
}

impl Timers {
    pub fn new(pool: Pool, clock: SharedClock, handlers: Vec<(&'static str, Arc<dyn TimerHandler>)>) -> Self {
        Self { pool, clock, handlers: Arc::new(handlers.into_iter().collect()) }
    }

    /// Fires every timer due now whose kind this process handles; returns how many fired.
    pub async fn fire_due(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now_millis();
        let due: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, kind, subject, attempts FROM timer WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await?;
        let mut fired = 0;
        for (id, kind, subject, attempts) in due {
            let Some(handler) = self.handlers.get(kind.as_str()) else { continue };
            match self.fire_one(handler.as_ref(), &id, &subject, now).await {
                Ok(true) => {
                    handler.after_commit();
                    fired += 1;
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(timer = %id, %error, attempts, "a timer could not fire; it is tried again later");
                    sqlx::query("UPDATE timer SET attempts = attempts + 1, due_at = $2, updated_at = $3 WHERE id = $1")
                        .bind(&id)
                        .bind(now + RETRY_MILLIS * (attempts + 1))
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                }
            }
        }
        Ok(fired)
    }

    /// Marks the timer fired and runs its handler, together; `false` if another replica won.
    async fn fire_one(
        &self,
        handler: &dyn TimerHandler,
        id: &str,
        subject: &str,
        now: i64,
    ) -> Result<bool, TimerError> {
        let mut transaction = self.pool.begin().await?;
        let marked = sqlx::query("UPDATE timer SET fired_at = $2, updated_at = $2 WHERE id = $1 AND fired_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if marked == 0 {
            return Ok(false);
        }
        handler.fire(&mut transaction, subject, now).await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// Fires due timers every `interval` until shutdown.
    pub async fn run(self, interval: Duration, mut shutdown: Shutdown) {
        loop {
            if let Err(error) = self.fire_due().await {
                tracing::warn!(%error, "timers could not be read; retrying");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.wait() => return,
            }
        }
    }
}
