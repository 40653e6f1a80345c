//! The database's own commit rate, measured in the same run on the same database: single-row
//! insert transactions at the load's concurrency, through the same pool settings the product
//! uses. Bookings/s ÷ this rate says how much of the database's commit capacity a booking takes;
//! on PostgreSQL the transaction ids a run used say how many write transactions a booking costs.

use sqlx::Row;
use std::time::Instant;

/// Transactions of the probe.
const TRANSACTIONS: usize = 2_000;

pub async fn commits_per_second(database_url: &str, concurrency: usize) -> anyhow::Result<f64> {
    let pool = resort_core::db::connect(database_url).await?;
    sqlx::query("CREATE TABLE loadgen_commit_probe (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)").execute(&pool).await?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let workers = concurrency.clamp(1, TRANSACTIONS);
    for worker in 0..workers {
        let pool = pool.clone();
        tasks.spawn(async move {
            for id in (worker..TRANSACTIONS).step_by(workers) {
                let mut transaction = pool.begin().await?;
                sqlx::query("INSERT INTO loadgen_commit_probe (id, at) VALUES ($1, $2)")
                    .bind(id as i64)
                    .bind(0_i64)
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let rate = TRANSACTIONS as f64 / started.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE loadgen_commit_probe").execute(&pool).await?;
    pool.close().await;
    Ok(rate)
}

/// Write transactions the PostgreSQL server has begun so far: its transaction id, which every
/// writing transaction takes one of (reading it takes one more). Immediate, unlike the statistics
/// counters, which backends report only when idle. Server-wide, so nothing else should write
/// meanwhile. `None` on SQLite, which keeps no such counter.
pub async fn write_transactions_so_far(database_url: &str) -> anyhow::Result<Option<i64>> {
    if !database_url.starts_with("postgres") {
        return Ok(None);
    }
    let pool = resort_core::db::connect(database_url).await?;
    let row = sqlx::query("SELECT CAST(txid_current() AS BIGINT) AS id").fetch_one(&pool).await?;
    pool.close().await;
    Ok(Some(row.try_get("id")?))
}

/// Deliveries (a consumer taking a message) the run's bookings caused, from the inbox.
pub async fn deliveries(database_url: &str) -> anyhow::Result<i64> {
    let pool = resort_core::db::connect(database_url).await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_message i JOIN outbox_message o ON o.message_id = i.message_id
         WHERE o.correlation_id IN (SELECT id FROM booking)",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    Ok(count)
}
