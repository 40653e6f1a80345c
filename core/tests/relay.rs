//! The outbox relay on a SQLite file: started on a backlog larger than one look (`FETCH_LIMIT`,
//! 1,024 rows), it sends all of it without waiting for its poll or a wake, each row once, and
//! marks every row published.

use async_trait::async_trait;
use chrono::Utc;
use resort_core::bus::{BusError, Subscription, Transport};
use resort_core::clock::SystemClock;
use resort_core::id::{BookingId, MessageId};
use resort_core::message::{BookingRef, Message};
use resort_core::outbox::{self, OutboxSignal, Relay};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records what it is handed and accepts it.
#[derive(Default)]
struct Recorder(Mutex<Vec<MessageId>>);

#[async_trait]
impl Transport for Recorder {
    async fn publish(&self, batch: Vec<resort_core::message::Envelope>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(batch.iter().map(|envelope| envelope.message_id));
        Ok(())
    }

    async fn subscribe(&self, _queue: &str, _bindings: &[&str]) -> Result<Subscription, BusError> {
        Err(BusError::Unavailable("a recorder has no queues".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_larger_than_one_look_goes_out_at_once_each_row_once() {
    const ROWS: usize = 1_500;
    let file = std::env::temp_dir().join(format!("relay-{}.db", uuid::Uuid::new_v4().simple()));
    let pool = resort_core::db::connect_and_migrate(&format!("sqlite://{}", file.display())).await.unwrap();
    let envelopes: Vec<_> = (0..ROWS)
        .map(|_| {
            Message::HotelRelease(BookingRef { booking_id: BookingId::new() }).into_envelope("c", None, Utc::now())
        })
        .collect();
    let mut connection = pool.acquire().await.unwrap();
    for chunk in envelopes.chunks(500) {
        outbox::enqueue_all(&mut connection, chunk, Utc::now().timestamp_millis()).await.unwrap();
    }
    drop(connection);

    let recorder = Arc::new(Recorder::default());
    let signal = OutboxSignal::new();
    // A poll far beyond the test, and nobody wakes the relay: only its own looks send the rows.
    let relay =
        Relay::new(pool.clone(), recorder.clone(), Arc::new(SystemClock), signal.clone(), Duration::from_secs(3600));
    let (trigger, shutdown) = resort_core::shutdown::channel();
    let running = tokio::spawn(relay.run(shutdown));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox::backlog(&pool).await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} rows still unpublished",
            outbox::backlog(&pool).await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    trigger.trigger();
    running.await.unwrap();

    let sent = recorder.0.lock().unwrap().clone();
    let distinct: HashSet<_> = sent.iter().collect();
    assert_eq!((sent.len(), distinct.len()), (ROWS, ROWS), "every row once");
    assert!(envelopes.iter().all(|envelope| distinct.contains(&envelope.message_id)));
    pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
