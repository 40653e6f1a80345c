//! The transactional outbox and its relay.
//!
//! A component never publishes directly. It writes the messages its state change causes into
//! `outbox_message` in the same transaction as the change ([`enqueue`]), so either both happen or
//! neither does. The [`Relay`] then publishes unpublished rows and marks them published only after
//! the transport said they are safe. A crash between commit and publish leaves the row
//! unpublished, and the relay of the restarted process sends it: nothing is lost, and consumers'
//! inboxes make the occasional second copy harmless. When several processes share the outbox,
//! each relay claims the rows it publishes for a short lease under a token of its own, so a row
//! goes out once, and only the holder of its current claim can mark it published.
//!
//! Rows a transaction of this process writes on the hot paths (a consumer's caused messages, new
//! bookings) are born claimed by this process's relay ([`enqueue_handed`]) and handed to it
//! after the commit ([`OutboxSignal::hand`]): it publishes them without a statement to find
//! them, so a message costs the writer its insert and the mark, and waits for no look.

use crate::bus::Transport;
use crate::clock::SharedClock;
use crate::db::{self, Backend, Connection, Pool};
use crate::id::MessageId;
use crate::message::Envelope;
use crate::shutdown::Shutdown;
use chrono::DateTime;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Rows claimed per look.
const FETCH_LIMIT: i64 = 1024;
/// Messages published together (one transport call).
const CHUNK: usize = 64;
/// How long a publish may wait for the transport's confirmation. A broker that dies between
/// receiving a message and confirming it may never answer; the rows are then sent again.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a relay holds the rows it claimed. Rows of a relay that died are published by
/// another (or the restarted one) after this; so are rows whose publish is still waiting for a
/// slow broker's confirmation, a duplicate the consumers' inboxes drop. Kept short because a
/// dead process's rows wait this long.
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
    insert_rows(connection, envelopes, now_millis, None).await
}

/// Writes messages into the outbox as [`enqueue_all`] does, born claimed by the relay of this
/// process when one serves `signal`: once the transaction committed, [`OutboxSignal::hand`]
/// gives them to that relay, which publishes them without reading them back. If the process
/// dies first, the claim lapses like any other and a relay's look sends them.
pub async fn enqueue_handed(
    connection: &mut Connection,
    envelopes: Vec<Envelope>,
    now_millis: i64,
    signal: &OutboxSignal,
) -> Result<Handed, sqlx::Error> {
    let claim = signal.0.relay_token.get().map(|token| (token.as_str(), now_millis + CLAIM_MILLIS));
    insert_rows(connection, &envelopes, now_millis, claim).await?;
    Ok(Handed { claimed_until: claim.map(|(_, until)| until), envelopes })
}

/// The outbox rows in one statement, unclaimed or claimed under `(token, until)`.
async fn insert_rows(
    connection: &mut Connection,
    envelopes: &[Envelope],
    now_millis: i64,
    claim: Option<(&str, i64)>,
) -> Result<(), sqlx::Error> {
    if envelopes.is_empty() {
        return Ok(());
    }
    let rows = crate::db::values_rows(envelopes.len(), 10, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}");
    let sql = format!(
        "INSERT INTO outbox_message (message_id, message_type, correlation_id, causation_id, occurred_at, payload, created_at, updated_at, claim_token, claimed_until) VALUES {rows}"
    );
    // Only numbered placeholders are formatted into the text; every value is bound, each row
    // its own in order (see `db::formatted`). Not prepared and cached: the text varies with the
    // number of rows.
    let mut query = sqlx::query(crate::db::formatted(connection, sql)).persistent(envelopes.len() == 1);
    for envelope in envelopes {
        query = query
            .bind(envelope.message_id.to_string())
            .bind(envelope.message_type.clone())
            .bind(envelope.correlation_id.clone())
            .bind(envelope.causation_id.map(|id| id.to_string()))
            .bind(envelope.occurred_at.timestamp_millis())
            .bind(envelope.payload.to_string())
            .bind(now_millis)
            .bind(now_millis)
            .bind(claim.map(|(token, _)| token.to_owned()))
            .bind(claim.map(|(_, until)| until));
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Rows [`enqueue_handed`] wrote, to give to the relay once their transaction committed.
#[must_use = "hand the rows to the relay after the commit, or they wait for their claim to lapse"]
pub struct Handed {
    /// The claim's end when the rows were born claimed; `None` when no relay served the signal.
    claimed_until: Option<i64>,
    envelopes: Vec<Envelope>,
}

/// Tells the relay of this process about rows committed here, so they do not wait for the next
/// poll: [`Self::notify`] for rows it must look for, [`Self::hand`] for rows born claimed for it,
/// which it publishes without a look. The poll still runs, for rows written by another process
/// or before a restart.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<SignalState>);

#[derive(Default)]
struct SignalState {
    wake: Notify,
    /// Whether some row waits for a look.
    look: AtomicBool,
    /// Set by the relay that serves this signal: the claim its handed rows are born under.
    relay_token: OnceLock<String>,
    /// Handed rows the relay has not taken yet.
    handed: Mutex<Vec<Handed>>,
}

impl OutboxSignal {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows were committed for a look to find.
    pub fn notify(&self) {
        self.0.look.store(true, Ordering::Release);
        self.0.wake.notify_one();
    }

    /// Rows of [`enqueue_handed`] were committed: to the relay with them (or, if none serves this
    /// signal, a look finds them).
    pub fn hand(&self, handed: Handed) {
        if handed.envelopes.is_empty() {
            return;
        }
        if handed.claimed_until.is_none() {
            return self.notify();
        }
        self.0.handed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(handed);
        self.0.wake.notify_one();
    }

    /// The handed rows whose claim still holds at `now`. A lapsed one is left to a look (which may
    /// already have taken it under a claim of its own), and one is asked for.
    fn take_handed(&self, now: i64) -> Vec<Envelope> {
        let handed = std::mem::take(&mut *self.0.handed.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let (holding, lapsed): (Vec<_>, Vec<_>) =
            handed.into_iter().partition(|handed| handed.claimed_until.is_some_and(|until| until > now));
        if !lapsed.is_empty() {
            self.0.look.store(true, Ordering::Release);
        }
        holding.into_iter().flat_map(|handed| handed.envelopes).collect()
    }

    fn take_look(&self) -> bool {
        self.0.look.swap(false, Ordering::AcqRel)
    }

    async fn notified(&self) {
        self.0.wake.notified().await;
    }
}

pub struct Relay {
    pool: Pool,
    transport: Arc<dyn Transport>,
    clock: SharedClock,
    signal: OutboxSignal,
    poll_interval: Duration,
    /// The claim that rows handed to this relay are born under.
    token: String,
}

/// Rows one look of the relay claimed, under its token.
struct Claimed {
    token: String,
    envelopes: Vec<Envelope>,
}

impl Relay {
    pub fn new(
        pool: Pool,
        transport: Arc<dyn Transport>,
        clock: SharedClock,
        signal: OutboxSignal,
        poll_interval: Duration,
    ) -> Self {
        let token = signal.0.relay_token.get_or_init(|| uuid::Uuid::new_v4().simple().to_string()).clone();
        Self { pool, transport, clock, signal, poll_interval, token }
    }

    /// Publishes until shutdown: what is handed to it at once, and what a look finds when rows
    /// were committed for one, after a look that filled its limit, and on every poll. Chunks
    /// already handed to the transport finish first.
    pub async fn run(self, mut shutdown: Shutdown) {
        let mut chunks = tokio::task::JoinSet::new();
        let (marks, published) = mpsc::unbounded_channel();
        let marker = tokio::spawn(mark_as_they_come(self.pool.clone(), self.clock.clone(), published));
        // The first look finds what was left before the start.
        let mut look = true;
        let mut next_poll = tokio::time::Instant::now() + self.poll_interval;
        loop {
            for chunk in self.signal.take_handed(self.clock.now_millis()).chunks(CHUNK) {
                chunks.spawn(self.publish_chunk(self.token.clone(), chunk.to_vec(), marks.clone()));
            }
            // A look that filled its limit may have left rows behind: look again at once.
            let mut full = false;
            let asked = self.signal.take_look();
            if look || asked {
                next_poll = tokio::time::Instant::now() + self.poll_interval;
                match self.claim().await {
                    Ok(Claimed { token, envelopes }) => {
                        full = envelopes.len() as i64 >= FETCH_LIMIT;
                        for chunk in envelopes.chunks(CHUNK) {
                            chunks.spawn(self.publish_chunk(token.clone(), chunk.to_vec(), marks.clone()));
                        }
                    }
                    Err(error) => tracing::warn!(%error, "outbox relay could not read the outbox; retrying"),
                }
            }
            while chunks.try_join_next().is_some() {}
            look = full;
            if full {
                continue;
            }
            tokio::select! {
                _ = self.signal.notified() => {}
                _ = tokio::time::sleep_until(next_poll) => look = true,
                _ = shutdown.wait() => break,
            }
        }
        while chunks.join_next().await.is_some() {}
        // Every chunk is done: the marker marks what is left and ends.
        drop(marks);
        let _ = marker.await;
    }

    /// Claims unpublished rows nobody holds, oldest first (UUIDv7 ids sort by time), under a
    /// new token. A row is claimed again only once its lease ran out or its claim was cleared,
    /// and then it is published again, even if an older publish of it is still under way: that
    /// one can no longer mark it (the token changed), and consumers drop the duplicate. On
    /// PostgreSQL the candidates are locked with `SKIP LOCKED`, so relays of several processes
    /// claim disjoint rows without waiting for each other; the outer conditions are repeated so a
    /// row claimed meanwhile is re-checked and skipped, never taken twice. SQLite has one writer
    /// at a time and needs neither.
    async fn claim(&self) -> Result<Claimed, sqlx::Error> {
        let now = self.clock.now_millis();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let lock = match db::backend_of(&self.pool) {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox_message SET claimed_until = $1, claim_token = $4
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
            .bind(&token)
            .fetch_all(&self.pool)
            .await?;
        let mut envelopes = Vec::new();
        for row in rows {
            match envelope_from_row(&row) {
                Some(envelope) => envelopes.push(envelope),
                None => {
                    let message_id: String = row.try_get("message_id")?;
                    tracing::error!(%message_id, "outbox row is unreadable and stays unpublished");
                }
            }
        }
        Ok(Claimed { token, envelopes })
    }

    /// Publishes a chunk; what went out is marked by the marker, what did not is handed back.
    fn publish_chunk(
        &self,
        token: String,
        chunk: Vec<Envelope>,
        marks: mpsc::UnboundedSender<Published>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let (pool, transport, signal) = (self.pool.clone(), self.transport.clone(), self.signal.clone());
        async move {
            let ids: Vec<String> = chunk.iter().map(|envelope| envelope.message_id.to_string()).collect();
            let types: Vec<String> = chunk.iter().map(|envelope| envelope.message_type.clone()).collect();
            let outcome = tokio::time::timeout(PUBLISH_TIMEOUT, transport.publish(chunk))
                .await
                .unwrap_or_else(|_| Err(crate::bus::BusError::Unavailable("no confirmation in time".into())));
            match outcome {
                Ok(()) => {
                    for message_type in &types {
                        crate::metrics::global()
                            .increment("resortbot_messages_published_total", &[("type", message_type)]);
                    }
                    let _ = marks.send(Published { token, ids });
                }
                Err(error) => {
                    tracing::warn!(%error, "publishing from the outbox failed; will retry");
                    if let Err(error) = release_claims(&pool, &ids, &token).await {
                        tracing::warn!(%error, "could not release outbox claims; they lapse by themselves");
                    }
                    // The released rows are looked for again now. A chunk that went out wakes
                    // nobody: every commit that wrote rows since has woken the relay itself, and
                    // a look that wakes for nothing costs the writer a statement.
                    signal.notify();
                }
            }
        }
    }
}

/// Rows a chunk published, under the claim it held.
struct Published {
    token: String,
    ids: Vec<String>,
}

/// Rows marked in one statement at most (well under either database's limit of bound values).
const MARK_LIMIT: usize = 500;

/// The marker: takes the first published chunk and every other one already waiting, and marks
/// them with one statement per claim token (most carry this relay's own). Marking is off the
/// way of every message, so chunks that went out while a mark ran are marked together next.
async fn mark_as_they_come(pool: Pool, clock: SharedClock, mut published: mpsc::UnboundedReceiver<Published>) {
    while let Some(first) = published.recv().await {
        let mut by_token: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |Published { token, ids }| by_token.entry(token).or_default().extend(ids);
        add(first);
        while let Ok(more) = published.try_recv() {
            add(more);
        }
        for (token, ids) in by_token {
            for ids in ids.chunks(MARK_LIMIT) {
                if let Err(error) = mark_published(&pool, ids, &token, clock.now_millis()).await {
                    // Left unpublished, the rows are sent again: a duplicate, never a loss.
                    tracing::warn!(%error, "could not mark outbox rows published");
                }
            }
        }
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

/// Marks rows published, those still held under this publisher's token. A row whose claim
/// changed meanwhile (an operator's replay cleared it, or another look took it over after the
/// lease ran out) must go out again, so it is left alone.
async fn mark_published(pool: &Pool, ids: &[String], token: &str, now_millis: i64) -> Result<(), sqlx::Error> {
    let placeholders = crate::db::placeholders(ids.len(), 3);
    let sql = format!(
        "UPDATE outbox_message SET published_at = $1, updated_at = $1
         WHERE message_id IN ({}) AND published_at IS NULL AND claim_token = $2",
        placeholders
    );
    // Only numbered placeholders are formatted into the text; every id is bound. Not prepared
    // and cached: the text varies with the chunk size.
    let mut query = sqlx::query(crate::db::formatted_in(pool, sql)).persistent(false).bind(now_millis).bind(token);
    for id in ids {
        query = query.bind(id);
    }
    query.execute(pool).await?;
    Ok(())
}

/// Hands rows back for the next look, those still held under this publisher's token.
async fn release_claims(pool: &Pool, ids: &[String], token: &str) -> Result<(), sqlx::Error> {
    let placeholders = crate::db::placeholders(ids.len(), 2);
    let sql = format!(
        "UPDATE outbox_message SET claimed_until = NULL, claim_token = NULL WHERE claim_token = $1 AND message_id IN ({})",
        placeholders
    );
    // Only numbered placeholders are formatted into the text; every id is bound.
    let mut query = sqlx::query(crate::db::formatted_in(pool, sql)).persistent(false).bind(token);
    for id in ids {
        query = query.bind(id);
    }
    query.execute(pool).await?;
    Ok(())
}

/// Marks a message unpublished and unclaimed, so a relay sends it again (a dead letter's
/// replay); `false` when the outbox has no row for it.
pub async fn requeue(connection: &mut Connection, message_id: MessageId, now: i64) -> Result<bool, sqlx::Error> {
    let requeued = sqlx::query(
        "UPDATE outbox_message SET published_at = NULL, claimed_until = NULL, claim_token = NULL, updated_at = $2 WHERE message_id = $1",
    )
    .bind(message_id.to_string())
    .bind(now)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    Ok(requeued == 1)
}

/// Rows not yet published: the relay's backlog.
pub async fn backlog(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox_message WHERE published_at IS NULL").fetch_one(pool).await
}
