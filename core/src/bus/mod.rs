//! The message bus: one topic exchange, one queue per consumer role.
//!
//! [`Transport`] is what the outbox relay publishes to and what consumers subscribe to. The
//! contract both transports keep:
//! - `publish` returns `Ok` only once every message is safe with the transport (a broker's
//!   publisher confirm; in-process, the consumer's ack after it committed). Until then the
//!   outbox row stays unpublished and the relay sends it again, so a crash loses nothing.
//! - A message that no queue is bound to is an error (unroutable), never silently dropped.
//! - A delivery that is dropped without [`Delivery::ack`] is not acknowledged, so it comes again.
//!
//! Delivery is at least once; consumers make it effectively once with their inbox.

mod amqp;
mod in_process;
mod topic;

pub use amqp::AmqpBus;
pub use in_process::InProcessBus;
pub use topic::matches as topic_matches;

use crate::message::Envelope;
use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("no queue is bound to {0}")]
    Unroutable(String),
    #[error("a consumer went away before acknowledging")]
    NotAcknowledged,
    #[error("transport unavailable: {0}")]
    Unavailable(String),
}

/// One message handed to a consumer.
#[derive(Debug)]
pub struct Delivery {
    pub envelope: Envelope,
    acknowledge: Option<oneshot::Sender<()>>,
}

impl Delivery {
    pub fn new(envelope: Envelope, acknowledge: oneshot::Sender<()>) -> Self {
        Self { envelope, acknowledge: Some(acknowledge) }
    }

    /// Tells the transport the message is handled (committed, or parked as a dead letter).
    pub fn ack(mut self) {
        if let Some(acknowledge) = self.acknowledge.take() {
            // The publisher may have given up waiting (shutdown); the inbox makes a resend harmless.
            let _ = acknowledge.send(());
        }
    }
}

/// The stream of deliveries for one queue.
pub struct Subscription {
    pub deliveries: mpsc::UnboundedReceiver<Delivery>,
}

#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Publishes a batch; `Ok` means every message in it is safe (see the module docs).
    async fn publish(&self, batch: Vec<Envelope>) -> Result<(), BusError>;

    /// Declares `queue`, binds it to the routing-key patterns (`*` one word, `#` any words) and
    /// starts consuming it.
    async fn subscribe(&self, queue: &str, bindings: &[&str]) -> Result<Subscription, BusError>;
}
