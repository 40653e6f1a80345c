//! Durable timers fire once: on the manual clock, not before they are due, and once however many
//! replicas race for them or however often a pass runs.

use super::helpers::spawn_app;
use async_trait::async_trait;
use resort_core::clock::Clock;
use resort_core::db::Connection;
use resort_core::timer::{self, TimerError, TimerHandler, Timers};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts firings and writes one row per firing, in the firing transaction.
struct Counting(Arc<AtomicUsize>);

#[async_trait]
impl TimerHandler for Counting {
    async fn fire(&self, connection: &mut Connection, subject: &str, now: i64) -> Result<(), TimerError> {
        sqlx::query(
            "INSERT INTO saga_step (id, booking_id, step, created_at, updated_at) VALUES ($1, $2, 'fired', $3, $3)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(subject)
        .bind(now)
        .execute(&mut *connection)
        .await?;
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_timer_fires_once_however_many_replicas_race_for_it() {
    let app = spawn_app().await;
    let fired = Arc::new(AtomicUsize::new(0));
    let replica = || {
        let handler: Arc<dyn TimerHandler> = Arc::new(Counting(fired.clone()));
        Timers::new(app.pool.clone(), app.clock.clone(), vec![("test", handler)])
    };
    let replicas: Vec<Timers> = (0..4).map(|_| replica()).collect();
    let now = app.clock.now_millis();
    let mut connection = app.pool.acquire().await.unwrap();
    for subject in ["a", "b", "c"] {
        timer::schedule(&mut connection, "test", subject, now + 60_000, now).await.unwrap();
        timer::schedule(&mut connection, "test", subject, now + 1, now).await.unwrap();
    }
    drop(connection);
    assert_eq!(replicas[0].fire_due().await.unwrap(), 0, "a minute early");

    app.clock.advance(chrono::Duration::minutes(1));
    let passes = replicas.iter().map(|timers| timers.fire_due());
    let fired_per_pass: Vec<usize> = futures::future::join_all(passes).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(fired_per_pass.iter().sum::<usize>(), 3, "{fired_per_pass:?}");
    assert_eq!(fired.load(Ordering::SeqCst), 3);
    assert_eq!(replicas[1].fire_due().await.unwrap(), 0, "nothing fires twice");
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM saga_step WHERE step = 'fired'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(rows, 3);
}
