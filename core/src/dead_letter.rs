//! Dead letters (table `dead_letter`, written by the consumers of [`crate::inbox`]): messages a
//! consumer rejected or gave up on, parked with the reason for an operator to see, and replayed
//! once on request. This module is the table's only writer.

use crate::db::{Connection, Pool};
use crate::id::MessageId;
use crate::message::Envelope;
use crate::outbox;
use serde::Serialize;
use sqlx::Row;

/// A parked message as an operator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub consumer: String,
    pub message_id: String,
    pub message_type: String,
    pub error: String,
    pub attempts: i64,
    #[serde(serialize_with = "crate::clock::as_rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::as_rfc3339_or_null")]
    pub replayed_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("no such dead letter")]
    NotFound,
    #[error("the dead letter was replayed already")]
    AlreadyReplayed,
    #[error("the parked envelope cannot be read")]
    Malformed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Parks a message with why it could not be handled.
pub async fn park(
    pool: &Pool,
    consumer: &str,
    envelope: &Envelope,
    error: &str,
    attempts: u32,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dead_letter (id, consumer, message_id, message_type, envelope, error, attempts, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(MessageId::new().to_string())
    .bind(consumer)
    .bind(envelope.message_id.to_string())
    .bind(&envelope.message_type)
    .bind(serde_json::to_string(envelope).expect("an envelope always serializes"))
    .bind(error)
    .bind(i64::from(attempts))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Dead letters newest first, after `before` (the `(created_at, id)` of a previous page's last).
pub async fn list(pool: &Pool, before: Option<(i64, String)>, limit: i64) -> Result<Vec<DeadLetter>, sqlx::Error> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT id, consumer, message_id, message_type, error, attempts, created_at, replayed_at FROM dead_letter
         WHERE created_at < $1 OR (created_at = $1 AND id < $2) OR $2 = ''
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(before_at)
    .bind(before_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DeadLetter {
                id: row.try_get("id")?,
                consumer: row.try_get("consumer")?,
                message_id: row.try_get("message_id")?,
                message_type: row.try_get("message_type")?,
                error: row.try_get("error")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
                replayed_at: row.try_get("replayed_at")?,
            })
        })
        .collect()
}

/// Makes a dead letter's message deliverable again, with its original id: consumers that
/// applied it skip it through their inboxes, the one that failed gets another chance. Once per
/// dead letter; if it fails again it comes back as a new one. Returns the message replayed; the
/// caller wakes the relay.
pub async fn replay(pool: &Pool, id: &str, now: i64) -> Result<Envelope, ReplayError> {
    let mut transaction = pool.begin().await?;
    let envelope: Option<String> = sqlx::query_scalar(
        "UPDATE dead_letter SET replayed_at = $2, updated_at = $2 WHERE id = $1 AND replayed_at IS NULL RETURNING envelope",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(envelope) = envelope else {
        // Inside the transaction: on SQLite it holds the only connection.
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM dead_letter WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?;
        return Err(if exists.is_some() { ReplayError::AlreadyReplayed } else { ReplayError::NotFound });
    };
    let envelope: Envelope = serde_json::from_str(&envelope).map_err(|_| ReplayError::Malformed)?;
    requeue(&mut transaction, &envelope, now).await?;
    transaction.commit().await?;
    Ok(envelope)
}

/// Puts the message back in the outbox as unpublished and unclaimed (or writes it again if its
/// row is gone).
async fn requeue(connection: &mut Connection, envelope: &Envelope, now: i64) -> Result<(), sqlx::Error> {
    if !outbox::requeue(connection, envelope.message_id, now).await? {
        outbox::enqueue(connection, envelope, now).await?;
    }
    Ok(())
}
