//! `POST /telegram/webhook`: Telegram's update delivery.
//!
//! A call is accepted only with the registered secret in `X-Telegram-Bot-Api-Secret-Token`
//! (compared in constant time); without a configured secret every call is refused, so the
//! endpoint is never open. A body that is not an update is logged and acknowledged with 200 —
//! Telegram would otherwise send it again and again — and has no effect.

use crate::app::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use subtle::ConstantTimeEq;
use teloxide::types::Update;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(telegram) = &state.telegram else {
        return StatusCode::NOT_FOUND;
    };
    let Some(secret) = &telegram.webhook_secret else {
        return StatusCode::UNAUTHORIZED;
    };
    let given = headers.get(SECRET_HEADER).map(|value| value.as_bytes()).unwrap_or_default();
    if !bool::from(given.ct_eq(secret.expose().as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    match serde_json::from_slice::<Update>(&body) {
        Ok(update) => telegram.handle(update).await,
        Err(error) => tracing::warn!(%error, "telegram webhook body is not an update; acknowledged and ignored"),
    }
    StatusCode::OK
}

/// Telegram's rule for a webhook secret.
pub fn is_valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_follow_telegrams_alphabet() {
        assert!(super::is_valid_secret("abc_DEF-123"));
        assert!(!super::is_valid_secret(""));
        assert!(!super::is_valid_secret("has space"));
        assert!(!super::is_valid_secret(&"a".repeat(257)));
    }
}
