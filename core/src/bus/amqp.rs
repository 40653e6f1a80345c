//! The RabbitMQ transport (lapin), selected by `AMQP_URL`.
//!
//! Topology, declared idempotently by whoever needs it: one durable topic exchange; per consumer
//! role one durable quorum queue bound to its routing-key patterns, dead-lettering into a
//! `<queue>.dead` queue through a dead-letter exchange. Every name carries the configured
//! prefix, so several deployments (or tests) can share a broker.
//!
//! Publishing keeps the [`Transport`] contract: each message is persistent, `mandatory` and
//! carries the envelope's id, correlation id and type as AMQP properties; `publish` returns only
//! once the broker confirmed every message of the batch (confirms are pipelined: all are sent,
//! then all awaited), and a message the broker returns as unroutable is an error. Consuming uses
//! manual acks with a bounded prefetch; a delivery our consumer drops unacknowledged is
//! requeued, and a body that is not an envelope at all is rejected to the dead-letter queue.
//!
//! A lost connection is not fatal: the publisher reopens its channel on the next publish (the
//! relay retries what failed), and each subscription reconnects with growing delays, declares
//! its topology again and resumes; deliveries that were not acknowledged come again.

use super::{BusError, Delivery, Subscription, Transport};
use crate::message::Envelope;
use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions, BasicRejectOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Deliveries in flight per consumer before the broker waits for acks.
const PREFETCH: u16 = 200;
const RECONNECT_FIRST_DELAY: Duration = Duration::from_millis(100);
/// The longest a (re)connection may take. A broker that is still starting can accept the TCP
/// connection and never finish the handshake; without a deadline the attempt, and everything
/// waiting on it, would hang for good.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

async fn within_deadline<T>(attempt: impl Future<Output = Result<T, BusError>>) -> Result<T, BusError> {
    tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err(BusError::Unavailable("connecting to RabbitMQ took too long".into())))
}
const RECONNECT_MAX_DELAY: Duration = Duration::from_secs(5);

/// Where and under which names: what every (re)connection needs.
#[derive(Clone)]
struct Endpoint {
    url: String,
    prefix: String,
}

pub struct AmqpBus {
    endpoint: Endpoint,
    /// The confirming publisher channel, reopened on demand after the connection was lost.
    publisher: tokio::sync::Mutex<Option<(Connection, Channel)>>,
    /// Whether the publisher's connection was up when last used or checked (for readiness).
    connected: Arc<AtomicBool>,
}

fn unavailable(error: lapin::Error) -> BusError {
    BusError::Unavailable(error.to_string())
}

impl Endpoint {
    fn exchange(&self) -> String {
        format!("{}resortbot", self.prefix)
    }

    fn dead_letter_exchange(&self) -> String {
        format!("{}resortbot.dead", self.prefix)
    }

    fn queue_name(&self, queue: &str) -> String {
        format!("{}{queue}", self.prefix)
    }

    /// A new connection (named after the prefix, so operators can tell whose it is), a channel
    /// on it and the exchanges declared.
    async fn open(&self) -> Result<(Connection, Channel), BusError> {
        let properties =
            ConnectionProperties::default().with_connection_name(format!("{}resortbot", self.prefix).into());
        let connection = Connection::connect(&self.url, properties).await.map_err(unavailable)?;
        let channel = connection.create_channel().await.map_err(unavailable)?;
        let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        channel
            .exchange_declare(self.exchange().into(), ExchangeKind::Topic, durable, FieldTable::default())
            .await
            .map_err(unavailable)?;
        channel
            .exchange_declare(self.dead_letter_exchange().into(), ExchangeKind::Direct, durable, FieldTable::default())
            .await
            .map_err(unavailable)?;
        Ok((connection, channel))
    }

    /// Declares a role's queue with its dead-letter queue and bindings.
    async fn declare_queue(&self, channel: &Channel, queue: &str, bindings: &[String]) -> Result<String, BusError> {
        let name = self.queue_name(queue);
        let dead = format!("{name}.dead");
        let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
        let mut quorum = FieldTable::default();
        quorum.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
        channel.queue_declare(dead.clone().into(), durable, quorum.clone()).await.map_err(unavailable)?;
        channel
            .queue_bind(
                dead.into(),
                self.dead_letter_exchange().into(),
                name.clone().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(unavailable)?;
        let mut arguments = quorum;
        arguments.insert("x-dead-letter-exchange".into(), AMQPValue::LongString(self.dead_letter_exchange().into()));
        arguments.insert("x-dead-letter-routing-key".into(), AMQPValue::LongString(name.clone().into()));
        channel.queue_declare(name.clone().into(), durable, arguments).await.map_err(unavailable)?;
        for binding in bindings {
            channel
                .queue_bind(
                    name.clone().into(),
                    self.exchange().into(),
                    binding.clone().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(unavailable)?;
        }
        Ok(name)
    }

    /// Opens a connection that consumes `queue`.
    async fn consume(
        &self,
        queue: &str,
        bindings: &[String],
    ) -> Result<(Connection, Channel, lapin::Consumer), BusError> {
        let (connection, channel) = self.open().await?;
        let name = self.declare_queue(&channel, queue, bindings).await?;
        channel.basic_qos(PREFETCH, BasicQosOptions::default()).await.map_err(unavailable)?;
        let tag = format!("{name}-{}", uuid::Uuid::new_v4());
        let consumer = channel
            .basic_consume(name.into(), tag.into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .map_err(unavailable)?;
        Ok((connection, channel, consumer))
    }
}

impl AmqpBus {
    /// Connects once to fail fast on a wrong URL; later losses are recovered by reconnecting.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, BusError> {
        let endpoint = Endpoint { url: url.to_owned(), prefix: prefix.to_owned() };
        let (connection, channel) = endpoint.open().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await.map_err(unavailable)?;
        let connected = Arc::new(AtomicBool::new(true));
        Ok(Self { endpoint, publisher: tokio::sync::Mutex::new(Some((connection, channel))), connected })
    }

    /// Whether the connection to the broker is up (for readiness).
    pub fn is_connected(&self) -> bool {
        if let Ok(publisher) = self.publisher.try_lock() {
            let up = publisher.as_ref().is_some_and(|(connection, _)| connection.status().connected());
            self.connected.store(up, Ordering::Relaxed);
        }
        self.connected.load(Ordering::Relaxed)
    }

    /// The publisher channel, reopened if its connection was lost.
    async fn publisher_channel(&self) -> Result<Channel, BusError> {
        let mut publisher = self.publisher.lock().await;
        if let Some((connection, channel)) = publisher.as_ref()
            && connection.status().connected()
            && channel.status().connected()
        {
            return Ok(channel.clone());
        }
        *publisher = None;
        self.connected.store(false, Ordering::Relaxed);
        let (connection, channel) = within_deadline(self.endpoint.open()).await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await.map_err(unavailable)?;
        tracing::info!("reconnected to RabbitMQ for publishing");
        *publisher = Some((connection, channel.clone()));
        self.connected.store(true, Ordering::Relaxed);
        Ok(channel)
    }

    /// Deletes the queues of these roles, their dead-letter queues and the exchanges (tests
    /// clean up their prefix with it).
    pub async fn delete_topology(&self, queues: &[&str]) -> Result<(), BusError> {
        let channel = self.publisher_channel().await?;
        for queue in queues {
            let name = self.endpoint.queue_name(queue);
            for doomed in [name.clone(), format!("{name}.dead")] {
                channel.queue_delete(doomed.into(), QueueDeleteOptions::default()).await.map_err(unavailable)?;
            }
        }
        for exchange in [self.endpoint.exchange(), self.endpoint.dead_letter_exchange()] {
            channel.exchange_delete(exchange.into(), ExchangeDeleteOptions::default()).await.map_err(unavailable)?;
        }
        Ok(())
    }
}

#[async_trait]
impl Transport for AmqpBus {
    async fn publish(&self, batch: Vec<Envelope>) -> Result<(), BusError> {
        let channel = self.publisher_channel().await?;
        let mandatory = BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() };
        let exchange = self.endpoint.exchange();
        let mut confirms = Vec::with_capacity(batch.len());
        for envelope in &batch {
            let body = serde_json::to_vec(envelope).expect("an envelope always serializes");
            let properties = BasicProperties::default()
                .with_message_id(envelope.message_id.to_string().into())
                .with_correlation_id(envelope.correlation_id.clone().into())
                .with_type(envelope.message_type.clone().into())
                .with_content_type("application/json".into())
                .with_delivery_mode(2)
                .with_timestamp(u64::try_from(envelope.occurred_at.timestamp()).unwrap_or_default());
            let confirm = channel
                .basic_publish(
                    exchange.clone().into(),
                    envelope.message_type.clone().into(),
                    mandatory,
                    &body,
                    properties,
                )
                .await
                .map_err(unavailable)?;
            confirms.push((confirm, &envelope.message_type));
        }
        for (confirm, message_type) in confirms {
            match confirm.await.map_err(unavailable)? {
                Confirmation::Ack(None) => {}
                Confirmation::Ack(Some(_)) => return Err(BusError::Unroutable(message_type.clone())),
                Confirmation::Nack(_) => return Err(BusError::NotAcknowledged),
                Confirmation::NotRequested => return Err(BusError::Unavailable("publisher confirms are off".into())),
            }
        }
        Ok(())
    }

    /// Declares and starts consuming now (so errors surface and later publishes are routable),
    /// then keeps consuming on a task that reconnects whenever the connection is lost.
    async fn subscribe(&self, queue: &str, bindings: &[&str]) -> Result<Subscription, BusError> {
        let bindings: Vec<String> = bindings.iter().map(|binding| (*binding).to_owned()).collect();
        let first = self.endpoint.consume(queue, &bindings).await?;
        let (sender, deliveries) = mpsc::unbounded_channel();
        let (endpoint, queue) = (self.endpoint.clone(), queue.to_owned());
        tokio::spawn(async move {
            let mut current = Some(first);
            let mut delay = RECONNECT_FIRST_DELAY;
            loop {
                let (connection, channel, consumer) = match current.take() {
                    Some(live) => live,
                    None => match within_deadline(endpoint.consume(&queue, &bindings)).await {
                        Ok(live) => {
                            tracing::info!(%queue, "reconnected to RabbitMQ for consuming");
                            delay = RECONNECT_FIRST_DELAY;
                            live
                        }
                        Err(error) => {
                            tracing::warn!(%queue, %error, "RabbitMQ unavailable; retrying");
                            tokio::time::sleep(delay).await;
                            delay = (delay * 2).min(RECONNECT_MAX_DELAY);
                            if sender.is_closed() {
                                return;
                            }
                            continue;
                        }
                    },
                };
                let stopped = forward(consumer, &sender, &queue).await;
                // Closing hands every unacknowledged delivery back to the broker.
                let _ = channel.close(200, "consumer stopped".into()).await;
                let _ = connection.close(200, "consumer stopped".into()).await;
                if stopped {
                    return;
                }
                tracing::warn!(%queue, "lost the RabbitMQ connection; reconnecting");
            }
        });
        Ok(Subscription { deliveries })
    }
}

/// Hands deliveries to our consumer until the stream ends (`false`: the connection was lost)
/// or our consumer stopped (`true`).
async fn forward(mut consumer: lapin::Consumer, sender: &mpsc::UnboundedSender<Delivery>, queue: &str) -> bool {
    while let Some(Ok(delivery)) = consumer.next().await {
        let Ok(envelope) = serde_json::from_slice::<Envelope>(&delivery.data) else {
            tracing::error!(%queue, "message is not an envelope; rejecting it to the dead-letter queue");
            let _ = delivery.acker.reject(BasicRejectOptions { requeue: false }).await;
            continue;
        };
        let (acknowledge, acknowledged) = oneshot::channel();
        if sender.send(Delivery::new(envelope, acknowledge)).is_err() {
            // Our consumer stopped: leave the message to the broker for the next one.
            let _ = delivery.acker.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() }).await;
            return true;
        }
        tokio::spawn(async move {
            // After a reconnection the old channel is gone and so is this ack: the broker
            // delivers the message again and the consumer's inbox recognises it.
            let _ = match acknowledged.await {
                Ok(()) => delivery.acker.ack(BasicAckOptions::default()).await,
                Err(_) => delivery.acker.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() }).await,
            };
        });
    }
    sender.is_closed()
}
