//! The broker alone: persistent, confirmed publishes to a scratch quorum queue (the kind the
//! roles consume from), consumed and acknowledged, with as many round trips in flight as the
//! product keeps (its prefetch). What a booking costs can then be read against this.

use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Confirmation, Connection, ConnectionProperties};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Round trips in flight at once.
const IN_FLIGHT: usize = 200;

pub struct RoundTrip {
    pub messages: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

pub async fn measure(url: &str, prefix: &str, messages: usize) -> anyhow::Result<RoundTrip> {
    let connection = Connection::connect(url, ConnectionProperties::default()).await?;
    let publisher = connection.create_channel().await?;
    publisher.confirm_select(ConfirmSelectOptions::default()).await?;
    let consumer_channel = connection.create_channel().await?;
    consumer_channel.basic_qos(IN_FLIGHT as u16, BasicQosOptions::default()).await?;
    let queue = format!("{prefix}loadgen.probe");
    let mut quorum = FieldTable::default();
    quorum.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    publisher.queue_declare(queue.clone().into(), durable, quorum).await?;
    let mut deliveries = consumer_channel
        .basic_consume(queue.clone().into(), "probe".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await?;

    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; messages]));
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let publishing = {
        let (sent_at, slots, queue) = (sent_at.clone(), slots.clone(), queue.clone());
        tokio::spawn(async move {
            let mut confirms = tokio::task::JoinSet::new();
            for number in 0..messages {
                slots.acquire().await?.forget();
                sent_at.lock().expect("no panics while locked")[number] = Some(Instant::now());
                let body = (number as u64).to_be_bytes();
                let properties = BasicProperties::default().with_delivery_mode(2);
                let mandatory = BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() };
                let confirm =
                    publisher.basic_publish("".into(), queue.clone().into(), mandatory, &body, properties).await?;
                confirms.spawn(async move { matches!(confirm.await, Ok(Confirmation::Ack(None))) });
            }
            let mut unconfirmed = 0;
            while let Some(confirmed) = confirms.join_next().await {
                unconfirmed += usize::from(!confirmed.unwrap_or(false));
            }
            anyhow::ensure!(unconfirmed == 0, "{unconfirmed} probe messages were not confirmed");
            anyhow::Ok(())
        })
    };

    let mut latencies = Vec::with_capacity(messages);
    while latencies.len() < messages {
        let delivery = tokio::time::timeout(Duration::from_secs(30), deliveries.next())
            .await
            .map_err(|_| anyhow::anyhow!("the probe queue stopped delivering"))?
            .ok_or_else(|| anyhow::anyhow!("the probe consumer was cancelled"))??;
        let number = u64::from_be_bytes(delivery.data.as_slice().try_into()?) as usize;
        delivery.acker.ack(BasicAckOptions::default()).await?;
        let sent = sent_at.lock().expect("no panics while locked")[number];
        latencies.push(sent.map(|at| at.elapsed()).unwrap_or_default());
        slots.add_permits(1);
    }
    let elapsed = started.elapsed();
    publishing.await??;
    consumer_channel.queue_delete(queue.into(), QueueDeleteOptions::default()).await?;
    let _ = connection.close(200, "probe done".into()).await;

    latencies.sort();
    let percentile = |share: f64| latencies[((messages as f64 * share) as usize).min(messages - 1)];
    Ok(RoundTrip {
        messages,
        per_second: messages as f64 / elapsed.as_secs_f64(),
        p50: percentile(0.5),
        p99: percentile(0.99),
    })
}
