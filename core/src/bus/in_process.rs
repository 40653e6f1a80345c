//! The in-process transport of the embedded mode.
//!
//! It has no storage of its own: durability comes from the outbox. `publish` hands each message
//! to the bound queue's consumer and waits for the consumer's ack, which comes only after the
//! consumer committed its effect (with its inbox row) or parked the message as a dead letter.
//! The relay marks the outbox row published only then, so if the process dies anywhere in
//! between, the row is still unpublished at restart and is delivered again; the inbox turns
//! the second delivery into a no-op.

use super::{BusError, Delivery, Subscription, Transport};
use crate::message::Envelope;
use async_trait::async_trait;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{mpsc, oneshot};

struct Queue {
    name: String,
    bindings: Vec<String>,
    /// Competing consumers of the queue; deliveries go round-robin among the live ones.
    consumers: Vec<mpsc::UnboundedSender<Delivery>>,
    next: AtomicUsize,
}

#[derive(Default)]
pub struct InProcessBus {
    queues: Mutex<Vec<Queue>>,
}

impl InProcessBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hands the message to one consumer of every bound queue; returns the acks to wait for.
    fn route(&self, envelope: &Envelope) -> Result<Vec<oneshot::Receiver<()>>, BusError> {
        let mut queues = self.queues.lock().expect("bus lock is never held across a panic");
        let mut acks = Vec::new();
        for queue in queues.iter_mut() {
            if !queue.bindings.iter().any(|pattern| super::topic_matches(pattern, &envelope.message_type)) {
                continue;
            }
            queue.consumers.retain(|consumer| !consumer.is_closed());
            if queue.consumers.is_empty() {
                return Err(BusError::Unavailable(format!("queue {} has no consumer", queue.name)));
            }
            let index = queue.next.fetch_add(1, Ordering::Relaxed) % queue.consumers.len();
            let (acknowledge, acked) = oneshot::channel();
            queue.consumers[index]
                .send(Delivery::new(envelope.clone(), acknowledge))
                .map_err(|_| BusError::NotAcknowledged)?;
            acks.push(acked);
        }
        if acks.is_empty() {
            return Err(BusError::Unroutable(envelope.message_type.clone()));
        }
        Ok(acks)
    }
}

#[async_trait]
impl Transport for InProcessBus {
    async fn publish(&self, batch: Vec<Envelope>) -> Result<(), BusError> {
        let mut pending = Vec::new();
        for envelope in &batch {
            pending.extend(self.route(envelope)?);
        }
        for acked in futures::future::join_all(pending).await {
            acked.map_err(|_| BusError::NotAcknowledged)?;
        }
        Ok(())
    }

    async fn subscribe(&self, queue_name: &str, bindings: &[&str]) -> Result<Subscription, BusError> {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let mut queues = self.queues.lock().expect("bus lock is never held across a panic");
        match queues.iter_mut().find(|queue| queue.name == queue_name) {
            Some(queue) => queue.consumers.push(sender),
            None => queues.push(Queue {
                name: queue_name.to_owned(),
                bindings: bindings.iter().map(|binding| (*binding).to_owned()).collect(),
                consumers: vec![sender],
                next: AtomicUsize::new(0),
            }),
        }
        Ok(Subscription { deliveries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::BookingId;
    use crate::message::{BookingRef, Message};

    fn envelope(message: Message) -> Envelope {
        message.into_envelope("c", None, chrono::Utc::now())
    }

    #[tokio::test]
    async fn publish_completes_only_after_every_bound_queue_acknowledged() {
        let bus = std::sync::Arc::new(InProcessBus::new());
        let mut hotel = bus.subscribe("hotel", &["hotel.*"]).await.unwrap();
        let mut audit = bus.subscribe("audit", &["#"]).await.unwrap();
        let release = envelope(Message::HotelRelease(BookingRef { booking_id: BookingId::new() }));

        let publishing = tokio::spawn({
            let bus = bus.clone();
            async move { bus.publish(vec![release]).await }
        });
        hotel.deliveries.recv().await.unwrap().ack();
        tokio::task::yield_now().await;
        assert!(!publishing.is_finished(), "audit has not acknowledged yet");
        audit.deliveries.recv().await.unwrap().ack();
        publishing.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn an_unroutable_or_unacknowledged_message_is_an_error() {
        let bus = InProcessBus::new();
        let release = envelope(Message::HotelRelease(BookingRef { booking_id: BookingId::new() }));
        assert!(matches!(bus.publish(vec![release.clone()]).await, Err(BusError::Unroutable(_))));

        let mut hotel = bus.subscribe("hotel", &["hotel.#"]).await.unwrap();
        let dropper = tokio::spawn(async move { drop(hotel.deliveries.recv().await) });
        assert!(matches!(bus.publish(vec![release]).await, Err(BusError::NotAcknowledged)));
        dropper.await.unwrap();
    }
}
