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
use tokio::sync::{mpsc, oneshot};

/// Deliveries in flight per consumer before the broker waits for acks.
const PREFETCH: u16 = 200;

pub struct AmqpBus {
    connection: Connection,
    publisher: Channel,
    prefix: String,
}

fn unavailable(error: lapin::Error) -> BusError {
    BusError::Unavailable(error.to_string())
}

impl AmqpBus {
    /// Connects, opens a confirming publisher channel and declares the exchanges.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, BusError> {
        let connection = Connection::connect(url, ConnectionProperties::default()).await.map_err(unavailable)?;
        let publisher = connection.create_channel().await.map_err(unavailable)?;
        publisher.confirm_select(ConfirmSelectOptions::default()).await.map_err(unavailable)?;
        let bus = Self { connection, publisher, prefix: prefix.to_owned() };
        let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        bus.publisher
            .exchange_declare(bus.exchange().into(), ExchangeKind::Topic, durable, FieldTable::default())
            .await
            .map_err(unavailable)?;
        bus.publisher
            .exchange_declare(bus.dead_letter_exchange().into(), ExchangeKind::Direct, durable, FieldTable::default())
            .await
            .map_err(unavailable)?;
        Ok(bus)
    }

    fn exchange(&self) -> String {
        format!("{}resortbot", self.prefix)
    }

    fn dead_letter_exchange(&self) -> String {
        format!("{}resortbot.dead", self.prefix)
    }

    fn queue_name(&self, queue: &str) -> String {
        format!("{}{queue}", self.prefix)
    }

    /// Whether the connection to the broker is up (for readiness).
    pub fn is_connected(&self) -> bool {
        self.connection.status().connected()
    }

    /// Declares a role's queue with its dead-letter queue and bindings.
    async fn declare_queue(&self, channel: &Channel, queue: &str, bindings: &[&str]) -> Result<String, BusError> {
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
                    (*binding).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(unavailable)?;
        }
        Ok(name)
    }

    /// Deletes the queues of these roles, their dead-letter queues and the exchanges (tests
    /// clean up their prefix with it).
    pub async fn delete_topology(&self, queues: &[&str]) -> Result<(), BusError> {
        for queue in queues {
            let name = self.queue_name(queue);
            for doomed in [name.clone(), format!("{name}.dead")] {
                self.publisher.queue_delete(doomed.into(), QueueDeleteOptions::default()).await.map_err(unavailable)?;
            }
        }
        for exchange in [self.exchange(), self.dead_letter_exchange()] {
            self.publisher
                .exchange_delete(exchange.into(), ExchangeDeleteOptions::default())
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }
}

#[async_trait]
impl Transport for AmqpBus {
    async fn publish(&self, batch: Vec<Envelope>) -> Result<(), BusError> {
        let mandatory = BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() };
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
            let confirm = self
                .publisher
                .basic_publish(
                    self.exchange().into(),
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

    async fn subscribe(&self, queue: &str, bindings: &[&str]) -> Result<Subscription, BusError> {
        let channel = self.connection.create_channel().await.map_err(unavailable)?;
        let name = self.declare_queue(&channel, queue, bindings).await?;
        channel.basic_qos(PREFETCH, BasicQosOptions::default()).await.map_err(unavailable)?;
        let mut consumer = channel
            .basic_consume(
                name.clone().into(),
                format!("{name}-{}", uuid::Uuid::new_v4()).into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(unavailable)?;
        let (sender, deliveries) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(delivery)) = consumer.next().await {
                let Ok(envelope) = serde_json::from_slice::<Envelope>(&delivery.data) else {
                    tracing::error!(queue = %name, "message is not an envelope; rejecting it to the dead-letter queue");
                    let _ = delivery.acker.reject(BasicRejectOptions { requeue: false }).await;
                    continue;
                };
                let (acknowledge, acknowledged) = oneshot::channel();
                if sender.send(Delivery::new(envelope, acknowledge)).is_err() {
                    // Our consumer stopped: leave the message to the broker for the next one.
                    let _ =
                        delivery.acker.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() }).await;
                    break;
                }
                tokio::spawn(async move {
                    let _ = match acknowledged.await {
                        Ok(()) => delivery.acker.ack(BasicAckOptions::default()).await,
                        Err(_) => {
                            delivery.acker.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() }).await
                        }
                    };
                });
            }
            // Closing the channel hands every unacknowledged delivery back to the broker.
            let _ = channel.close(200, "consumer stopped".into()).await;
        });
        Ok(Subscription { deliveries })
    }
}
