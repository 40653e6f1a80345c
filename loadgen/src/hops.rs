//! Where a booking's time goes: for every message the run's bookings caused, the time from the
//! writer's outbox row to the consumer starting to handle it (relay, broker and queue together),
//! per message type and consumer. Read from the outbox and inbox the run used.

use sqlx::Row;
use std::collections::BTreeMap;

pub struct Hop {
    pub message_type: String,
    pub consumer: String,
    pub count: usize,
    pub p50_millis: i64,
    pub p99_millis: i64,
}

pub async fn measure(database_url: &str) -> anyhow::Result<Vec<Hop>> {
    let pool = resort_core::db::connect(database_url).await?;
    let rows = sqlx::query(
        "SELECT o.message_type, i.consumer, i.created_at - o.created_at AS waited
         FROM outbox_message o JOIN inbox_message i ON i.message_id = o.message_id
         WHERE o.correlation_id IN (SELECT id FROM booking)",
    )
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    let mut waits: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for row in rows {
        let key = (row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?);
        waits.entry(key).or_default().push(row.try_get(2)?);
    }
    Ok(waits
        .into_iter()
        .map(|((message_type, consumer), mut waited)| {
            waited.sort_unstable();
            let at = |share: f64| waited[((waited.len() as f64 * share) as usize).min(waited.len() - 1)];
            Hop { count: waited.len(), p50_millis: at(0.5), p99_millis: at(0.99), message_type, consumer }
        })
        .collect())
}

impl Hop {
    pub fn line(&self) -> String {
        format!(
            "  {} → {}: {} messages, outbox row → handling p50 {} ms, p99 {} ms",
            self.message_type, self.consumer, self.count, self.p50_millis, self.p99_millis
        )
    }
}
