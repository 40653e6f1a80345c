//! The push loop: sends the alerts the notifier wrote to `push_message`, through the chat
//! platform of each row.
//!
//! Each platform plugs in a [`Pusher`]. A transient failure (the platform is down, a 5xx) is
//! tried again with a growing delay up to [`MAX_ATTEMPTS`]; a permanent one (the platform
//! refused the request, or no pusher is configured) is marked failed at once and logged. Sending
//! and marking are not one transaction — nothing can make an HTTP call and a commit atomic — so
//! a crash right after sending may send that alert again: alerts are at least once.
//!
//! Each platform's sends keep to its limits ([`pace`]): Telegram's 30 messages a second and one
//! a second per chat. A 429 with `retry_after` pauses that platform for exactly that long and
//! sends the alert again; it does not count as a failed attempt.

pub mod pace;

use crate::conversation::Reply;
use crate::identity::Platform;
use async_trait::async_trait;
use resort_core::clock::SharedClock;
use resort_core::db::{Connection, Pool};
use resort_core::shutdown::Shutdown;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const MAX_ATTEMPTS: i64 = 8;
const BATCH: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("temporarily unavailable: {0}")]
    Transient(String),
    #[error("refused: {0}")]
    Permanent(String),
    /// The platform's flood control: send nothing to it for this long, then try again.
    #[error("rate limited; retry after {0:?}")]
    RetryAfter(Duration),
}

/// One outgoing alert as a platform client receives it.
#[derive(Debug, Clone)]
pub struct Push {
    pub platform_user_id: String,
    pub booking_id: Option<String>,
    pub kind: String,
    pub reply: Reply,
    /// The sent message this alert replaces (a reference the platform's pusher returned),
    /// instead of sending a new one.
    pub edits: Option<String>,
}

impl Push {
    /// The recipient's id as the platform numbers its users; anything else is permanent.
    pub fn recipient<T: std::str::FromStr>(&self, platform: &str) -> Result<T, PushError> {
        self.platform_user_id
            .parse()
            .map_err(|_| PushError::Permanent(format!("not a {platform} user id: {}", self.platform_user_id)))
    }
}

#[async_trait]
pub trait Pusher: Send + Sync + 'static {
    /// Sends the alert; returns the platform's reference to the (first) message sent, where the
    /// platform can edit messages later.
    async fn send(&self, push: &Push) -> Result<Option<String>, PushError>;

    /// Replaces the sent message `sent` (a reference [`Pusher::send`] returned) with the alert,
    /// without buttons. Platforms that cannot edit never return references, so are never asked.
    async fn edit(&self, sent: &MessageRef, push: &Push) -> Result<(), PushError> {
        let _ = (sent, push);
        Err(PushError::Permanent("this platform does not edit sent messages".into()))
    }

    /// The platform's sending limits; none by default.
    fn pace(&self) -> pace::Pace {
        pace::Pace::default()
    }
}

/// A sent message as a platform names it: its chat (or channel) and the message in it, kept as
/// `"chat:message"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef {
    pub chat: i64,
    pub message: i64,
}

impl MessageRef {
    pub fn parse(text: &str) -> Result<Self, PushError> {
        text.split_once(':')
            .and_then(|(chat, message)| Some(Self { chat: chat.parse().ok()?, message: message.parse().ok()? }))
            .ok_or_else(|| PushError::Permanent(format!("not a message reference: {text}")))
    }
}

impl std::fmt::Display for MessageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.chat, self.message)
    }
}

/// Sends the alert, or makes the edit it asks for.
async fn deliver(pusher: &dyn Pusher, push: &Push) -> Result<Option<String>, PushError> {
    match &push.edits {
        Some(sent) => pusher.edit(&MessageRef::parse(sent)?, push).await.map(|()| None),
        None => pusher.send(push).await,
    }
}

/// An alert to queue: who gets it, about what, and what it says.
pub struct NewAlert<'a> {
    pub platform: &'a str,
    pub platform_user_id: &'a str,
    pub employee_id: resort_core::id::EmployeeId,
    /// The booking it is about, if any (a lottery's result for someone who did not win has none).
    pub booking_id: Option<resort_core::id::BookingId>,
    pub kind: &'a str,
    pub reply: &'a Reply,
    /// The platform's reference of a sent message this alert replaces.
    pub edits_ref: Option<&'a str>,
}

/// Queues an alert in the caller's transaction; the push loop sends it once that commits.
pub async fn queue(connection: &mut Connection, alert: NewAlert<'_>, now: i64) -> Result<(), sqlx::Error> {
    queue_all(connection, &[alert], now).await
}

/// Queues alerts in one statement, in the caller's transaction.
pub async fn queue_all(connection: &mut Connection, alerts: &[NewAlert<'_>], now: i64) -> Result<(), sqlx::Error> {
    if alerts.is_empty() {
        return Ok(());
    }
    let rows =
        resort_core::db::values_rows(alerts.len(), 11, 1, "{1}, {2}, {3}, {4}, {5}, {6}, {7}, 0, {8}, {9}, {10}, {11}");
    let sql = format!(
        "INSERT INTO push_message (id, platform, platform_user_id, employee_id, booking_id, kind, body, attempts, next_attempt_at, edits_ref, created_at, updated_at)
         VALUES {rows}"
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(alerts.len() == 1);
    for alert in alerts {
        query = query
            .bind(resort_core::id::MessageId::new().to_string())
            .bind(alert.platform.to_owned())
            .bind(alert.platform_user_id.to_owned())
            .bind(alert.employee_id.to_string())
            .bind(alert.booking_id.map(|id| id.to_string()))
            .bind(alert.kind.to_owned())
            .bind(serde_json::to_string(alert.reply).expect("a reply serializes"))
            .bind(now)
            .bind(alert.edits_ref.map(str::to_owned))
            .bind(now)
            .bind(now);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Queues an alert of `kind` to every chat account of an employee, each in its language, in the
/// caller's transaction.
pub async fn tell_employee(
    connection: &mut Connection,
    employee_id: resort_core::id::EmployeeId,
    kind: &str,
    booking_id: Option<resort_core::id::BookingId>,
    reply_in: impl Fn(resort_core::i18n::Locale) -> Reply,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (chosen, accounts) = crate::identity::accounts_of(connection, employee_id).await?;
    for account in accounts {
        let reply = reply_in(chosen.or(account.locale_hint).unwrap_or_default());
        let alert = NewAlert {
            platform: account.platform.as_str(),
            platform_user_id: &account.platform_user_id,
            employee_id,
            booking_id,
            kind,
            reply: &reply,
            edits_ref: None,
        };
        queue(connection, alert, now).await?;
    }
    Ok(())
}

/// A sent copy of an alert that the platform lets us edit.
#[derive(Debug, Clone)]
pub struct SentCopy {
    pub platform: String,
    pub platform_user_id: String,
    pub employee_id: String,
    pub platform_ref: String,
}

/// The sent, editable copies of a booking's alerts of one kind.
pub async fn sent_copies(
    connection: &mut Connection,
    booking_id: resort_core::id::BookingId,
    kind: &str,
) -> Result<Vec<SentCopy>, sqlx::Error> {
    Ok(sent_copies_of(connection, &[booking_id], kind).await?.remove(&booking_id).unwrap_or_default())
}

/// [`sent_copies`] of several bookings in one statement, by booking (a booking without any is
/// absent).
pub async fn sent_copies_of(
    connection: &mut Connection,
    booking_ids: &[resort_core::id::BookingId],
    kind: &str,
) -> Result<HashMap<resort_core::id::BookingId, Vec<SentCopy>>, sqlx::Error> {
    if booking_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = resort_core::db::placeholders(booking_ids.len(), 2);
    let sql = format!(
        "SELECT booking_id, platform, platform_user_id, employee_id, platform_ref FROM push_message
         WHERE kind = $1 AND platform_ref IS NOT NULL AND booking_id IN ({})",
        placeholders
    );
    let mut query =
        sqlx::query_as::<_, (String, String, String, String, String)>(resort_core::db::formatted(connection, sql))
            .persistent(booking_ids.len() == 1)
            .bind(kind.to_owned());
    for id in booking_ids {
        query = query.bind(id.to_string());
    }
    let mut copies: HashMap<resort_core::id::BookingId, Vec<SentCopy>> = HashMap::new();
    for (booking_id, platform, platform_user_id, employee_id, platform_ref) in query.fetch_all(&mut *connection).await?
    {
        let Some(booking_id) = resort_core::id::BookingId::parse(&booking_id) else { continue };
        copies.entry(booking_id).or_default().push(SentCopy { platform, platform_user_id, employee_id, platform_ref });
    }
    Ok(copies)
}

/// Wakes the push loop when the notifier committed new rows.
#[derive(Clone, Default)]
pub struct PushSignal(Arc<Notify>);

impl PushSignal {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

pub struct PushLoop {
    pool: Pool,
    clock: SharedClock,
    pushers: HashMap<Platform, Arc<dyn Pusher>>,
    /// One per platform, kept across batches.
    pacers: HashMap<Platform, pace::Pacer>,
    signal: PushSignal,
    poll_interval: Duration,
}

/// How often one alert is sent again after 429s within one pass before it is left for the next.
const RATE_LIMITED_TRIES: u32 = 5;

struct Due {
    id: String,
    platform: String,
    attempts: i64,
    push: Push,
}

impl PushLoop {
    pub fn new(
        pool: Pool,
        clock: SharedClock,
        pushers: HashMap<Platform, Arc<dyn Pusher>>,
        signal: PushSignal,
        poll_interval: Duration,
    ) -> Self {
        let pacers = pushers.iter().map(|(platform, pusher)| (*platform, pace::Pacer::new(pusher.pace()))).collect();
        Self { pool, clock, pushers, pacers, signal, poll_interval }
    }

    pub async fn run(self, mut shutdown: Shutdown) {
        loop {
            if let Err(error) = self.send_due().await {
                tracing::warn!(%error, "push loop could not read or mark alerts; retrying");
            }
            tokio::select! {
                _ = self.signal.0.notified() => {}
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = shutdown.wait() => return,
            }
        }
    }

    /// Sends every due alert at once, then marks the sent ones in one statement.
    async fn send_due(&self) -> Result<(), sqlx::Error> {
        let due = self.due().await?;
        let outcomes = futures::future::join_all(due.into_iter().map(|due| self.send(due))).await;
        let mut sent = Vec::new();
        for outcome in outcomes {
            if let Some((id, platform_ref)) = outcome? {
                if let Some(platform_ref) = platform_ref {
                    sqlx::query("UPDATE push_message SET platform_ref = $2 WHERE id = $1")
                        .bind(&id)
                        .bind(platform_ref)
                        .execute(&self.pool)
                        .await?;
                }
                sent.push(id);
            }
        }
        if sent.is_empty() {
            return Ok(());
        }
        let placeholders = resort_core::db::placeholders(sent.len(), 2);
        let sql = format!(
            "UPDATE push_message SET sent_at = $1, attempts = attempts + 1, updated_at = $1 WHERE id IN ({})",
            placeholders
        );
        // Only numbered placeholders are formatted into the text; every id is bound. Not
        // prepared and cached: the text varies with the number of ids.
        let mut query =
            sqlx::query(resort_core::db::formatted_in(&self.pool, sql)).persistent(false).bind(self.clock.now_millis());
        for id in sent {
            query = query.bind(id);
        }
        query.execute(&self.pool).await?;
        Ok(())
    }

    async fn due(&self) -> Result<Vec<Due>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, platform, platform_user_id, booking_id, kind, body, attempts, edits_ref FROM push_message
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(self.clock.now_millis())
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::new();
        for row in rows {
            let body: String = row.try_get("body")?;
            let Ok(reply) = serde_json::from_str::<Reply>(&body) else {
                let id: String = row.try_get("id")?;
                self.mark_failed(&id, "unreadable body").await?;
                continue;
            };
            due.push(Due {
                id: row.try_get("id")?,
                platform: row.try_get("platform")?,
                attempts: row.try_get("attempts")?,
                push: Push {
                    platform_user_id: row.try_get("platform_user_id")?,
                    booking_id: row.try_get("booking_id")?,
                    kind: row.try_get("kind")?,
                    reply,
                    edits: row.try_get("edits_ref")?,
                },
            });
        }
        Ok(due)
    }

    /// Sends one alert; returns its id and the platform's reference when the platform took it
    /// (marked by the caller), and records a failure itself.
    async fn send(&self, due: Due) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
        let platform = Platform::parse(&due.platform);
        let pusher = platform.and_then(|platform| self.pushers.get(&platform));
        let pacer = platform.and_then(|platform| self.pacers.get(&platform));
        let outcome = match (pusher, pacer) {
            (Some(pusher), Some(pacer)) => {
                let mut tries = 0;
                loop {
                    pacer.wait_turn(&due.push.platform_user_id).await;
                    match deliver(pusher.as_ref(), &due.push).await {
                        Err(PushError::RetryAfter(wait)) if tries < RATE_LIMITED_TRIES => {
                            tracing::info!(push_id = %due.id, ?wait, "rate limited; waiting as asked");
                            pacer.pause(wait);
                            tries += 1;
                        }
                        other => break other,
                    }
                }
            }
            _ => Err(PushError::Permanent(format!("no pusher configured for {}", due.platform))),
        };
        let now = self.clock.now_millis();
        match outcome {
            Ok(platform_ref) => return Ok(Some((due.id, platform_ref))),
            // Still limited after several tries: left due, for the next pass.
            Err(PushError::RetryAfter(_)) => {}
            Err(PushError::Transient(error)) if due.attempts + 1 < MAX_ATTEMPTS => {
                let delay_millis = 500 * (1_i64 << due.attempts.clamp(0, 10));
                tracing::warn!(push_id = %due.id, %error, attempt = due.attempts + 1, "push failed; will retry");
                sqlx::query("UPDATE push_message SET attempts = attempts + 1, next_attempt_at = $2, error = $3, updated_at = $4 WHERE id = $1")
                    .bind(&due.id)
                    .bind(now + delay_millis)
                    .bind(&error)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
            }
            Err(PushError::Transient(error) | PushError::Permanent(error)) => {
                tracing::error!(push_id = %due.id, platform = %due.platform, %error, "push given up");
                self.mark_failed(&due.id, &error).await?;
            }
        }
        Ok(None)
    }

    async fn mark_failed(&self, id: &str, error: &str) -> Result<(), sqlx::Error> {
        let now = self.clock.now_millis();
        sqlx::query("UPDATE push_message SET failed_at = $2, attempts = attempts + 1, error = $3, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(error)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
