//! Long polling: `getUpdates` in a loop when there is no public webhook URL, so a bot runs from
//! a laptop with only its token.
//!
//! Updates are handled one after another, in Telegram's order, and the offset moves past each
//! one only after it was handled: a process that dies mid-batch gets the rest again. A batch
//! that does not parse as a whole is read update by update, and the unreadable ones are logged
//! and skipped — otherwise one malformed update would stall the bot forever.

use super::Telegram;
use resort_core::shutdown::Shutdown;
use serde_json::Value;
use std::time::Duration;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;

/// Seconds Telegram holds a `getUpdates` call open; below teloxide's 17 s request timeout.
const LONG_POLL_SECONDS: u32 = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub async fn run(telegram: &Telegram, mut shutdown: Shutdown) {
    let mut offset: i32 = 0;
    let mut backoff = Duration::from_millis(500);
    loop {
        let request = telegram
            .bot
            .get_updates()
            .offset(offset)
            .timeout(LONG_POLL_SECONDS)
            .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
        let batch = tokio::select! {
            result = request.send() => result,
            _ = shutdown.wait() => return,
        };
        let updates = match batch {
            Ok(updates) => updates.into_iter().map(Ok).collect(),
            Err(RequestError::InvalidJson { raw, .. }) => read_one_by_one(&raw),
            Err(error) => {
                tracing::warn!(%error, "telegram getUpdates failed; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.wait() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        for update in updates {
            match update {
                Ok(update) => {
                    offset = offset.max(update.id.0 as i32 + 1);
                    telegram.handle(update).await;
                }
                Err(update_id) => offset = offset.max(update_id + 1),
            }
        }
    }
}

/// The updates of a response that did not parse as a whole; an unreadable one is its id.
fn read_one_by_one(raw: &str) -> Vec<Result<Update, i32>> {
    let results = serde_json::from_str::<Value>(raw)
        .ok()
        .and_then(|body| body.get("result").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    results
        .into_iter()
        .filter_map(|value| {
            let id = value.get("update_id").and_then(Value::as_i64)?;
            Some(serde_json::from_value::<Update>(value).map_err(|error| {
                tracing::warn!(%error, update_id = id, "telegram update is malformed; skipped");
                id as i32
            }))
        })
        .collect()
}
