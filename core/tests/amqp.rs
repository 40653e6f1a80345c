//! The RabbitMQ transport against the real broker of `TEST_AMQP_URL` (default the local one),
//! under a name prefix of its own per test.

use chrono::Utc;
use futures::StreamExt;
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use resort_core::bus::{AmqpBus, BusError, Transport};
use resort_core::id::BookingId;
use resort_core::message::{BookingRef, Envelope, Message};
use std::time::Duration;

fn broker_url() -> String {
    std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

fn release() -> Envelope {
    Message::HotelRelease(BookingRef { booking_id: BookingId::new() }).into_envelope("c", None, Utc::now())
}

async fn fresh_bus() -> (AmqpBus, String) {
    let prefix = format!("test.{}.", uuid::Uuid::new_v4().simple());
    (AmqpBus::connect(&broker_url(), &prefix).await.expect("TEST_AMQP_URL reaches RabbitMQ"), prefix)
}

#[tokio::test]
async fn an_acknowledged_message_is_delivered_once_and_a_dropped_one_comes_back() {
    let (bus, _) = fresh_bus().await;
    let mut hotel = bus.subscribe("hotel", &["hotel.*"]).await.unwrap();
    let first = release();
    let publishing = bus.publish(vec![first.clone()]);
    tokio::time::timeout(Duration::from_secs(10), publishing).await.unwrap().unwrap();

    let delivery = tokio::time::timeout(Duration::from_secs(10), hotel.deliveries.recv()).await.unwrap().unwrap();
    assert_eq!(delivery.envelope, first);
    drop(delivery);
    let again = tokio::time::timeout(Duration::from_secs(10), hotel.deliveries.recv()).await.unwrap().unwrap();
    assert_eq!(again.envelope.message_id, first.message_id, "a dropped delivery is requeued");
    again.ack();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), hotel.deliveries.recv()).await.is_err(),
        "an acked one is not"
    );
    bus.delete_topology(&["hotel"]).await.unwrap();
}

#[tokio::test]
async fn an_unroutable_message_is_an_error_not_a_silent_loss() {
    let (bus, _) = fresh_bus().await;
    let outcome = bus.publish(vec![release()]).await;
    assert!(matches!(outcome, Err(BusError::Unroutable(ref kind)) if kind == "hotel.release"), "{outcome:?}");
    bus.delete_topology(&[]).await.unwrap();
}

#[tokio::test]
async fn a_body_that_is_not_an_envelope_goes_to_the_dead_letter_queue() {
    let (bus, prefix) = fresh_bus().await;
    let _hotel = bus.subscribe("hotel", &["hotel.*"]).await.unwrap();
    let connection = Connection::connect(&broker_url(), ConnectionProperties::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .basic_publish(
            format!("{prefix}resortbot").into(),
            "hotel.release".into(),
            BasicPublishOptions::default(),
            b"not json",
            BasicProperties::default(),
        )
        .await
        .unwrap();
    let dead = format!("{prefix}hotel.dead");
    let mut consumer = channel
        .basic_consume(dead.clone().into(), "check".into(), Default::default(), FieldTable::default())
        .await
        .unwrap();
    let parked = tokio::time::timeout(Duration::from_secs(10), consumer.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(parked.data, b"not json");
    let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    assert!(channel.queue_declare(dead.into(), passive, FieldTable::default()).await.is_ok());
    drop(consumer);
    bus.delete_topology(&["hotel"]).await.unwrap();
}
