//! The outbox relay on a SQLite file: started on a backlog larger than one look (`FETCH_LIMIT`,
//! 1,024 rows), it sends all of it without waiting for its poll or a wake, each row once, and
//! marks every row published. Rows handed to it after their commit go out without a look; rows
//! born claimed for a relay that never got them go out through another's look once the claim
//! lapsed.

use async_trait::async_trait;
use chrono::Utc;
use resort_core::bus::{BusError, Subscription, Transport};
use resort_core::clock::{Clock, ManualClock, SharedClock, SystemClock};
use resort_core::id::{BookingId, MessageId};
use resort_core::message::{BookingRef, Envelope, Message};
use resort_core::outbox::{self, OutboxSignal, Relay};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records what it is handed and accepts it.
#[derive(Default)]
struct Recorder(Mutex<Vec<MessageId>>);

#[async_trait]
impl Transport for Recorder {
    async fn publish(&self, batch: Vec<Envelope>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(batch.iter().map(|envelope| envelope.message_id));
        Ok(())
    }

    async fn subscribe(&self, _queue: &str, _bindings: &[&str]) -> Result<Subscription, BusError> {
        Err(BusError::Unavailable("a recorder has no queues".into()))
    }
}

/// A relay on `pool` with a poll far beyond any test, so what it sends came from its own looks
/// or was handed to it, and what stops it.
struct Running {
    recorder: Arc<Recorder>,
    signal: OutboxSignal,
    trigger: resort_core::shutdown::ShutdownTrigger,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn start(pool: &resort_core::db::Pool, clock: SharedClock) -> Self {
        let recorder = Arc::new(Recorder::default());
        let signal = OutboxSignal::new();
        let relay = Relay::new(pool.clone(), recorder.clone(), clock, signal.clone(), Duration::from_secs(3600));
        let (trigger, shutdown) = resort_core::shutdown::channel();
        Self { recorder, signal, trigger, task: tokio::spawn(relay.run(shutdown)) }
    }

    /// Waits until nothing is left unpublished, stops the relay and checks it sent each once.
    async fn finish(self, pool: &resort_core::db::Pool, envelopes: &[Envelope]) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while outbox::backlog(pool).await.unwrap() > 0 {
            let left = outbox::backlog(pool).await.unwrap();
            assert!(tokio::time::Instant::now() < deadline, "{left} rows still unpublished");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.trigger.trigger();
        self.task.await.unwrap();
        let sent = self.recorder.0.lock().unwrap().clone();
        let distinct: HashSet<_> = sent.iter().collect();
        assert_eq!((sent.len(), distinct.len()), (envelopes.len(), envelopes.len()), "every row once");
        assert!(envelopes.iter().all(|envelope| distinct.contains(&envelope.message_id)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_larger_than_one_look_goes_out_at_once_each_row_once() {
    let (pool, file) = database().await;
    let envelopes = releases(1_500);
    let mut connection = pool.acquire().await.unwrap();
    for chunk in envelopes.chunks(500) {
        outbox::enqueue_all(&mut connection, chunk, Utc::now().timestamp_millis()).await.unwrap();
    }
    drop(connection);
    // Nobody wakes the relay: only its own looks send the rows.
    Running::start(&pool, Arc::new(SystemClock)).finish(&pool, &envelopes).await;
    remove(pool, file).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_handed_after_their_commit_go_out_without_a_look() {
    let (pool, file) = database().await;
    // Its first look finds nothing: what it sends, it was handed. Rows born claimed for it are
    // never taken by a look before their claim lapses.
    let relay = Running::start(&pool, Arc::new(SystemClock));
    let envelopes = releases(200);
    for batch in envelopes.chunks(50) {
        let mut transaction = pool.begin().await.unwrap();
        let now = Utc::now().timestamp_millis();
        let handed = outbox::enqueue_handed(&mut transaction, batch.to_vec(), now, &relay.signal).await.unwrap();
        transaction.commit().await.unwrap();
        relay.signal.hand(handed);
    }
    relay.finish(&pool, &envelopes).await;
    remove(pool, file).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_born_claimed_for_a_relay_that_never_got_them_go_out_once_the_claim_lapsed() {
    let (pool, file) = database().await;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    // The process that wrote them died after its commit, before handing them to its relay.
    let dead = OutboxSignal::new();
    let _dead_relay =
        Relay::new(pool.clone(), Arc::new(Recorder::default()), clock.clone(), dead.clone(), Duration::from_secs(3600));
    let envelopes = releases(30);
    let mut transaction = pool.begin().await.unwrap();
    let _never_handed =
        outbox::enqueue_handed(&mut transaction, envelopes.clone(), clock.now_millis(), &dead).await.unwrap();
    transaction.commit().await.unwrap();

    let relay = Running::start(&pool, clock.clone());
    clock.advance(chrono::Duration::seconds(6));
    relay.signal.notify();
    relay.finish(&pool, &envelopes).await;
    remove(pool, file).await;
}

async fn database() -> (resort_core::db::Pool, std::path::PathBuf) {
    let file = std::env::temp_dir().join(format!("relay-{}.db", uuid::Uuid::new_v4().simple()));
    let pool = resort_core::db::connect_and_migrate(&format!("sqlite://{}", file.display())).await.unwrap();
    (pool, file)
}

fn releases(count: usize) -> Vec<Envelope> {
    (0..count)
        .map(|_| {
            Message::HotelRelease(BookingRef { booking_id: BookingId::new() }).into_envelope("c", None, Utc::now())
        })
        .collect()
}

async fn remove(pool: resort_core::db::Pool, file: std::path::PathBuf) {
    pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
