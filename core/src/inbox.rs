//! The idempotent consumer: how every component handles a message.
//!
//! For each delivery the [`Consumer`] opens a transaction, records `(consumer, message_id)` in
//! `inbox_message`, lets the [`Handler`] apply its effect, writes the messages the handler
//! returns into the outbox, and commits; only then does it ack. A redelivered message finds its
//! inbox row and is acked with no second effect. Errors are sorted in one place
//! ([`HandleError`]): *retry* (the database was busy or away) is tried again with growing
//! delays, a bounded number of times; *reject* (a payload that cannot be read, a broken rule)
//! goes straight to `dead_letter`, where an operator can see and replay it.

use crate::bus::{Delivery, Transport};
use crate::clock::SharedClock;
use crate::db::{self, Connection, Pool};
use crate::message::{Envelope, Message};
use crate::outbox::{self, OutboxSignal};
use crate::shutdown::Shutdown;
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tracing::Instrument;

/// Deliveries already waiting are handled together in one transaction, up to this many.
const MAX_BATCH: usize = 64;

/// What a handler wants sent because of the message it handled.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub message: Message,
    pub correlation_id: String,
}

impl Outgoing {
    pub fn new(message: Message, correlation_id: impl ToString) -> Self {
        Self { message, correlation_id: correlation_id.to_string() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Worth trying again later.
    #[error("retry: {0}")]
    Retry(String),
    /// Will never succeed as it is: park it as a dead letter.
    #[error("reject: {0}")]
    Reject(String),
}

impl From<sqlx::Error> for HandleError {
    fn from(error: sqlx::Error) -> Self {
        if db::is_transient(&error) { Self::Retry(error.to_string()) } else { Self::Reject(error.to_string()) }
    }
}

/// One message of a batch, with the envelope it came in and the span its log lines go in (the
/// consumer, the message type and the booking's correlation id).
pub struct Incoming<'e> {
    pub message: Message,
    pub envelope: &'e Envelope,
    pub span: tracing::Span,
}

impl<'e> Incoming<'e> {
    /// A message handled on its own, logging in the caller's span.
    pub fn new(message: Message, envelope: &'e Envelope) -> Self {
        Self { message, envelope, span: tracing::Span::current() }
    }
}

#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Applies the message's effect inside the consumer's transaction and returns what to send.
    async fn handle(
        &self,
        message: Message,
        envelope: &Envelope,
        connection: &mut Connection,
    ) -> Result<Vec<Outgoing>, HandleError>;

    /// Applies a batch (messages never handled before, in delivery order) inside the consumer's
    /// one transaction; what each message caused, in the same order. By default one
    /// [`Self::handle`] each. A handler whose effect is a row per message overrides it to write
    /// the whole batch with one statement per kind of row: the cost of a statement, not of
    /// its rows, is what a batch of small messages pays.
    async fn handle_batch(
        &self,
        batch: Vec<Incoming<'_>>,
        connection: &mut Connection,
    ) -> Result<Vec<Vec<Outgoing>>, HandleError> {
        handle_each(self, batch, connection).await
    }

    /// Runs after the transaction committed, e.g. to wake a loop that sends what it wrote.
    fn after_commit(&self) {}

    /// Runs after the transaction was abandoned: whatever was noted for `after_commit` did
    /// not happen.
    fn after_rollback(&self) {}
}

/// A batch message by message, each [`Handler::handle`] in its span: the default
/// `handle_batch`, and the way back for a handler that applies only some batches set-wise.
pub async fn handle_each<H: Handler + ?Sized>(
    handler: &H,
    batch: Vec<Incoming<'_>>,
    connection: &mut Connection,
) -> Result<Vec<Vec<Outgoing>>, HandleError> {
    let mut caused = Vec::with_capacity(batch.len());
    for Incoming { message, envelope, span } in batch {
        caused.push(handler.handle(message, envelope, connection).instrument(span).await?);
    }
    Ok(caused)
}

/// `handle` for a handler that does its work in `handle_batch`: the message as a batch of one.
pub async fn handle_as_batch<H: Handler + ?Sized>(
    handler: &H,
    message: Message,
    envelope: &Envelope,
    connection: &mut Connection,
) -> Result<Vec<Outgoing>, HandleError> {
    let mut caused = handler.handle_batch(vec![Incoming::new(message, envelope)], connection).await?;
    Ok(caused.pop().unwrap_or_default())
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 5, first_delay: Duration::from_millis(50) }
    }
}

/// Everything a consumer needs besides its handler.
#[derive(Clone)]
pub struct ConsumerContext {
    pub pool: Pool,
    pub transport: Arc<dyn Transport>,
    pub clock: SharedClock,
    pub outbox_signal: OutboxSignal,
    pub retry: RetryPolicy,
    /// Deliveries handled at once (the prefetch).
    pub concurrency: usize,
}

pub struct Consumer {
    /// The queue and inbox name, e.g. `point`.
    pub name: &'static str,
    pub bindings: &'static [&'static str],
    pub handler: Arc<dyn Handler>,
}

impl Consumer {
    /// Subscribes now (so nothing published afterwards is unroutable), then handles deliveries
    /// on a task until shutdown; deliveries in flight finish first.
    pub async fn start(
        self,
        context: ConsumerContext,
        shutdown: Shutdown,
    ) -> Result<tokio::task::JoinHandle<()>, crate::bus::BusError> {
        let subscription = context.transport.subscribe(self.name, self.bindings).await?;
        Ok(tokio::spawn(self.consume(subscription, context, shutdown)))
    }

    async fn consume(
        self,
        mut subscription: crate::bus::Subscription,
        context: ConsumerContext,
        mut shutdown: Shutdown,
    ) {
        let permits = Arc::new(Semaphore::new(context.concurrency));
        let this = Arc::new(self);
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            let first = tokio::select! {
                delivery = subscription.deliveries.recv() => match delivery { Some(delivery) => delivery, None => break },
                _ = shutdown.wait() => break,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match subscription.deliveries.try_recv() {
                    Ok(delivery) => batch.push(delivery),
                    Err(_) => break,
                }
            }
            let permit = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
            let (this, context, shutdown) = (this.clone(), context.clone(), shutdown.clone());
            tasks.spawn(async move {
                this.process_batch(batch, &context, shutdown).await;
                drop(permit);
            });
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Group commit: the whole batch in one transaction. If anything in it fails, nothing of it
    /// is kept and each message goes through [`Self::process`] on its own, with its retries
    /// and dead letter, so one bad message cannot hold the others back.
    async fn process_batch(&self, mut batch: Vec<Delivery>, context: &ConsumerContext, shutdown: Shutdown) {
        if batch.len() == 1 {
            let delivery = batch.pop().expect("the batch has one delivery");
            return self.process(delivery, context, shutdown).await;
        }
        let envelopes: Vec<&Envelope> = batch.iter().map(|delivery| &delivery.envelope).collect();
        match self.handle_together(&envelopes, context).await {
            Ok(()) => batch.into_iter().for_each(Delivery::ack),
            Err(error) => {
                tracing::debug!(consumer = self.name, %error, size = batch.len(), "batch failed; handling its messages one by one");
                for delivery in batch {
                    self.process(delivery, context, shutdown.clone()).await;
                }
            }
        }
    }

    /// Applies one delivery as the consume loop does — inbox row, effects and caused messages in
    /// one transaction — and says whether it was new (a redelivery is skipped). For tests of a
    /// handler and for tools; the consume loop batches instead.
    pub async fn apply(&self, envelope: &Envelope, context: &ConsumerContext) -> Result<bool, HandleError> {
        let fresh = self.handle_together_fresh(&[envelope], context).await?;
        Ok(fresh.contains(&envelope.message_id.to_string()))
    }

    /// Applies deliveries together as the consume loop applies a batch (one transaction); the
    /// ids handled for the first time.
    pub async fn apply_batch(
        &self,
        envelopes: &[&Envelope],
        context: &ConsumerContext,
    ) -> Result<HashSet<String>, HandleError> {
        self.handle_together_fresh(envelopes, context).await
    }

    async fn handle_together(&self, envelopes: &[&Envelope], context: &ConsumerContext) -> Result<(), HandleError> {
        self.handle_together_fresh(envelopes, context).await.map(drop)
    }

    async fn handle_together_fresh(
        &self,
        envelopes: &[&Envelope],
        context: &ConsumerContext,
    ) -> Result<HashSet<String>, HandleError> {
        let outcome = self.try_together(envelopes, context).await;
        match &outcome {
            Ok(fresh) => {
                let metrics = crate::metrics::global();
                for envelope in envelopes.iter().filter(|envelope| fresh.contains(&envelope.message_id.to_string())) {
                    let labels = [("consumer", self.name), ("type", envelope.message_type.as_str())];
                    metrics.increment("resortbot_messages_consumed_total", &labels);
                }
                self.handler.after_commit();
            }
            Err(_) => self.handler.after_rollback(),
        }
        outcome
    }

    /// One transaction for the messages; returns the ids handled for the first time.
    async fn try_together(
        &self,
        envelopes: &[&Envelope],
        context: &ConsumerContext,
    ) -> Result<HashSet<String>, HandleError> {
        let now = context.clock.now_millis();
        let mut transaction = context.pool.begin().await?;
        let fresh = record_in_inbox(&mut transaction, self.name, envelopes, now).await?;
        // A message twice in one batch (a redelivery that met its first delivery) is handled once.
        let mut seen = HashSet::new();
        let mut batch = Vec::with_capacity(fresh.len());
        for envelope in envelopes.iter().copied() {
            let id = envelope.message_id.to_string();
            if fresh.contains(&id) && seen.insert(id) {
                let message = Message::decode(envelope).map_err(|error| HandleError::Reject(error.to_string()))?;
                // Every log line of the handling carries the booking's correlation id.
                let span = tracing::info_span!(
                    "message",
                    consumer = self.name,
                    correlation_id = %envelope.correlation_id,
                    message_type = %envelope.message_type
                );
                batch.push(Incoming { message, envelope, span });
            }
        }
        let spans: Vec<_> =
            batch.iter().map(|incoming| (incoming.envelope.message_id, incoming.span.clone())).collect();
        let handled = self.handler.handle_batch(batch, &mut transaction).await?;
        let mut caused = Vec::new();
        for ((cause, span), items) in spans.into_iter().zip(handled) {
            span.in_scope(|| tracing::debug!(caused = items.len(), "handled"));
            for item in items {
                caused.push(item.message.into_envelope(item.correlation_id, Some(cause), context.clock.now()));
            }
        }
        let handed = outbox::enqueue_handed(&mut transaction, caused, now, &context.outbox_signal).await?;
        transaction.commit().await?;
        context.outbox_signal.hand(handed);
        Ok(fresh)
    }

    async fn process(&self, delivery: Delivery, context: &ConsumerContext, mut shutdown: Shutdown) {
        let envelope = &delivery.envelope;
        let mut delay = context.retry.first_delay;
        for attempt in 1..=context.retry.attempts {
            let error = match self.handle_together(&[envelope], context).await {
                Ok(()) => return delivery.ack(),
                Err(error) => error,
            };
            let last_attempt = attempt == context.retry.attempts;
            match error {
                HandleError::Retry(reason) if !last_attempt => {
                    tracing::debug!(consumer = self.name, message_id = %envelope.message_id, correlation_id = %envelope.correlation_id, %reason, attempt, "retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        // Not acked: the message is delivered again after the restart.
                        _ = shutdown.wait() => return,
                    }
                    delay *= 2;
                }
                HandleError::Retry(reason) | HandleError::Reject(reason) => {
                    tracing::error!(consumer = self.name, message_id = %envelope.message_id, correlation_id = %envelope.correlation_id, message_type = %envelope.message_type, %reason, attempt, "dead-lettering message");
                    let now = context.clock.now_millis();
                    match crate::dead_letter::park(&context.pool, self.name, envelope, &reason, attempt, now).await {
                        Ok(()) => {
                            let labels = [("consumer", self.name), ("type", envelope.message_type.as_str())];
                            crate::metrics::global().increment("resortbot_messages_dead_lettered_total", &labels);
                            return delivery.ack();
                        }
                        // Unacked, the message comes again rather than vanishing.
                        Err(error) => return tracing::error!(%error, "could not store dead letter"),
                    }
                }
            }
        }
    }
}

/// Records the batch's messages in the inbox in one statement; returns the ids seen for the
/// first time (the others were handled before and are skipped).
async fn record_in_inbox(
    connection: &mut Connection,
    consumer: &str,
    envelopes: &[&Envelope],
    now: i64,
) -> Result<HashSet<String>, sqlx::Error> {
    let ids: Vec<String> =
        envelopes.iter().map(|envelope| envelope.message_id.to_string()).collect::<HashSet<_>>().into_iter().collect();
    let rows = db::values_rows(ids.len(), 4, 1, "{1}, {2}, {3}, {4}");
    let sql = format!(
        "INSERT INTO inbox_message (consumer, message_id, created_at, updated_at) VALUES {rows} ON CONFLICT DO NOTHING RETURNING message_id"
    );
    // Only numbered placeholders are formatted into the text; every value is bound, row by row
    // in order (see `db::formatted`). Prepared and cached only for a single message: the text
    // varies with the batch size and would crowd out the statements that repeat.
    let mut query = sqlx::query_scalar::<_, String>(crate::db::formatted(connection, sql)).persistent(ids.len() == 1);
    for id in &ids {
        query = query.bind(consumer).bind(id.clone()).bind(now).bind(now);
    }
    Ok(query.fetch_all(&mut *connection).await?.into_iter().collect())
}
