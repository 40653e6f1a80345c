//! The transactional outbox and its relay.
//!
//! A component never publishes directly. It writes the messages its state change causes into
//! `outbox_message` in the same transaction as the change ([`enqueue`]), so either both happen or
//! neither does. The [`Relay`] then publishes unpublished rows and marks them published only after
//! the transport said they are safe. A crash between commit and publish leaves the row
//! unpublished, and the relay of the restarted process sends it: nothing is lost, and consumers'
//! inboxes make the occasional second copy harmless. When several processes share the outbox,
//! each relay claims the rows it publishes for a short lease, so a row goes out once.

use crate::bus::Transport;
use crate::clock::SharedClock;
use crate::db::{self, Backend, Connection, Pool};
use crate::id::MessageId;
use crate::message::Envelope;
use crate::shutdown::Shutdown;
use chrono::DateTime;
use sqlx::Row;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Rows read per pass; also the most messages in flight at once.
const FETCH_LIMIT: i64 = 1024;
/// Messages published together (one transport call, one UPDATE marking them).
const CHUNK: usize = 64;
/// How long a publish may wait for the transport's confirmation. A broker that dies between
/// receiving a message and confirming it may never answer; the rows are then sent again.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a relay holds the rows it claimed. Rows of a relay that died are published by
/// another (or the restarted one) after this.
const CLAIM_MILLIS: i64 = 5_000;

/// Writes a message into the outbox as part of the caller's transaction.
pub async fn enqueue(connection: &mut Connection, envelope: &Envelope, now_millis: i64) -> Result<(), sqlx::Error> {
    enqueue_all(connection, std::slice::from_ref(envelope), now_millis).await
}

/// Writes messages into the outbox as part of the caller's transaction, in one statement.
pub async fn enqueue_all(
    connection: &mut Connection,
    envelopes: &[Envelope],
    now_millis: i64,
) -> Result<(), sqlx::Error> {
    if envelopes.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..envelopes.len())
        .map(|row| {
            let first = row * 6 + 2;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, $1, $1)",
                first,
                first + 1,
                first + 2,
                first + 3,
                first + 4,
                first + 5
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO outbox_message (message_id, message_type, correlation_id, causation_id, occurred_at, payload, created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    // Only numbered placeholders are formatted into the text; every value is bound. Not
    // prepared and cached: the text varies with the number of rows.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(envelopes.len() == 1).bind(now_millis);
    for envelope in envelopes {
        query = query
            .bind(envelope.message_id.to_string())
            .bind(envelope.message_type.clone())
            .bind(envelope.correlation_id.clone())
            .bind(envelope.causation_id.map(|id| id.to_string()))
            .bind(envelope.occurred_at.timestamp_millis())
            .bind(envelope.payload.to_string());
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Wakes the relay right after a commit that wrote outbox rows, so messages do not wait for the
/// next poll. The poll still runs, for rows written by another process or before a restart.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn notify(&self) {
        self.0.notify_one();
    }

    async fn notified(&self) {
        self.0.notified().await;
    }
}

pub struct Relay {
    pool: Pool,
    transport: Arc<dyn Transport>,
    clock: SharedClock,
    signal: OutboxSignal,
    poll_interval: Duration,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Relay {
    pub fn new(
        pool: Pool,
        transport: Arc<dyn Transport>,
        clock: SharedClock,
        signal: OutboxSignal,
        poll_interval: Duration,
    ) -> Self {
        Self { pool, transport, clock, signal, poll_interval, in_flight: Arc::default() }
    }

    /// Publishes until shutdown. Chunks already handed to the transport finish first.
    pub async fn run(self, mut shutdown: Shutdown) {
        let mut chunks = tokio::task::JoinSet::new();
        loop {
            match self.fetch_new().await {
                Ok(envelopes) => {
                    for chunk in envelopes.chunks(CHUNK) {
                        chunks.spawn(self.publish_chunk(chunk.to_vec()));
                    }
                }
                Err(error) => tracing::warn!(%error, "outbox relay could not read the outbox; retrying"),
            }
            while chunks.try_join_next().is_some() {}
            tokio::select! {
                _ = self.signal.notified() => {}
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = shutdown.wait() => break,
            }
        }
        while chunks.join_next().await.is_some() {}
    }

    /// Claims unpublished rows nobody else holds, oldest first (UUIDv7 ids sort by time), and
    /// returns those not already on their way from this relay. On PostgreSQL the candidates are
    /// locked with `SKIP LOCKED`, so relays of several processes claim disjoint rows without
    /// waiting for each other; the outer conditions are repeated so a row claimed meanwhile is
    /// re-checked and skipped, never taken twice. SQLite has one writer at a time and needs neither.
    async fn fetch_new(&self) -> Result<Vec<Envelope>, sqlx::Error> {
        let now = self.clock.now_millis();
        let lock = match db::backend_of(&self.pool) {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox_message SET claimed_until = $1
             WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2)
               AND message_id IN (SELECT message_id FROM outbox_message
                                  WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2)
                                  ORDER BY message_id LIMIT $3 {lock})
             RETURNING message_id, message_type, correlation_id, causation_id, occurred_at, payload"
        );
        // Only the fixed locking clause is formatted into the text; every value is bound.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now + CLAIM_MILLIS)
            .bind(now)
            .bind(FETCH_LIMIT)
            .fetch_all(&self.pool)
            .await?;
        let mut in_flight = self.in_flight.lock().expect("in-flight lock is never held across a panic");
        let mut envelopes = Vec::new();
        for row in rows {
            let message_id: String = row.try_get("message_id")?;
            if in_flight.contains(&message_id) {
                continue;
            }
            match envelope_from_row(&row) {
                Some(envelope) => {
                    in_flight.insert(message_id);
                    envelopes.push(envelope);
                }
                None => tracing::error!(%message_id, "outbox row is unreadable and stays unpublished"),
            }
        }
        Ok(envelopes)
    }

    fn publish_chunk(&self, chunk: Vec<Envelope>) -> impl Future<Output = ()> + Send + 'static {
        let (pool, transport, clock, signal, in_flight) = (
            self.pool.clone(),
            self.transport.clone(),
            self.clock.clone(),
            self.signal.clone(),
            self.in_flight.clone(),
        );
        async move {
            let ids: Vec<String> = chunk.iter().map(|envelope| envelope.message_id.to_string()).collect();
            let outcome = tokio::time::timeout(PUBLISH_TIMEOUT, transport.publish(chunk))
                .await
                .unwrap_or_else(|_| Err(crate::bus::BusError::Unavailable("no confirmation in time".into())));
            match outcome {
                Ok(()) => {
                    if let Err(error) = mark_published(&pool, &ids, clock.now_millis()).await {
                        // Left unpublished, the rows are sent again: a duplicate, never a loss.
                        tracing::warn!(%error, "could not mark outbox rows published");
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "publishing from the outbox failed; will retry");
                    // No longer in flight *before* the claims go: a look in between must not
                    // claim the released rows and then skip them as in flight, which would
                    // leave them claimed by nobody until the lease ran out.
                    forget(&in_flight, &ids);
                    if let Err(error) = release_claims(&pool, &ids).await {
                        tracing::warn!(%error, "could not release outbox claims; they lapse by themselves");
                    }
                    signal.notify();
                    return;
                }
            }
            forget(&in_flight, &ids);
            signal.notify();
        }
    }
}

fn forget(in_flight: &Mutex<HashSet<String>>, ids: &[String]) {
    let mut in_flight = in_flight.lock().expect("in-flight lock is never held across a panic");
    for id in ids {
        in_flight.remove(id);
    }
}

fn envelope_from_row(row: &sqlx::any::AnyRow) -> Option<Envelope> {
    let message_id: String = row.try_get("message_id").ok()?;
    let causation_id: Option<String> = row.try_get("causation_id").ok()?;
    let payload: String = row.try_get("payload").ok()?;
    Some(Envelope {
        message_id: MessageId::parse(&message_id)?,
        correlation_id: row.try_get("correlation_id").ok()?,
        causation_id: causation_id.as_deref().and_then(MessageId::parse),
        message_type: row.try_get("message_type").ok()?,
        version: crate::message::PAYLOAD_VERSION,
        occurred_at: DateTime::from_timestamp_millis(row.try_get("occurred_at").ok()?)?,
        payload: serde_json::from_str(&payload).ok()?,
    })
}

/// Marks rows published. A row without a claim was handed back meanwhile (an operator's replay
/// clears the claim) and must go out again, so it is left alone.
async fn mark_published(pool: &Pool, ids: &[String], now_millis: i64) -> Result<(), sqlx::Error> {
    let placeholders: Vec<String> = (0..ids.len()).map(|index| format!("${}", index + 2)).collect();
    let sql = format!(
        "UPDATE outbox_message SET published_at = $1, updated_at = $1
         WHERE message_id IN ({}) AND published_at IS NULL AND claimed_until IS NOT NULL",
        placeholders.join(", ")
    );
    // Only numbered placeholders are formatted into the text; every id is bound. Not prepared
    // and cached: the text varies with the chunk size.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).bind(now_millis);
    for id in ids {
        query = query.bind(id);
    }
    query.execute(pool).await?;
    Ok(())
}

async fn release_claims(pool: &Pool, ids: &[String]) -> Result<(), sqlx::Error> {
    let placeholders: Vec<String> = (0..ids.len()).map(|index| format!("${}", index + 1)).collect();
    let sql =
        format!("UPDATE outbox_message SET claimed_until = NULL WHERE message_id IN ({})", placeholders.join(", "));
    // Only numbered placeholders are formatted into the text; every id is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
    for id in ids {
        query = query.bind(id);
    }
    query.execute(pool).await?;
    Ok(())
}

/// Rows not yet published: the relay's backlog.
pub async fn backlog(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox_message WHERE published_at IS NULL").fetch_one(pool).await
}
