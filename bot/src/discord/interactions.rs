//! `POST /discord/interactions`: Discord's signed interaction delivery.
//!
//! The raw body is verified against `X-Signature-Ed25519` over `X-Signature-Timestamp` + body
//! with the application's public key; anything that fails — including the deliberately bad
//! signatures Discord sends to test an endpoint — gets 401 and is not read further. A signed
//! timestamp more than five minutes away from now is refused too, so a captured request cannot
//! be replayed later, and an interaction's id is remembered for that window (in the database,
//! so on every replica), so a captured request cannot be played again within it either.

use crate::app::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serenity::all::Interaction;

pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
pub const MAX_CLOCK_DISTANCE_SECONDS: i64 = 5 * 60;

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(discord) = &state.discord else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let (signature, timestamp) = (header(SIGNATURE_HEADER), header(TIMESTAMP_HEADER));
    let now = state.clock.now().timestamp();
    if !is_fresh(timestamp, now) || discord.verifier.verify(signature, timestamp, &body).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match serde_json::from_slice::<Interaction>(&body) {
        Ok(interaction) => match discord.answer(interaction).await {
            Some(answer) => Json(answer).into_response(),
            None => StatusCode::UNAUTHORIZED.into_response(),
        },
        Err(error) => {
            tracing::warn!(%error, "discord interaction could not be read");
            StatusCode::BAD_REQUEST.into_response()
        }
    }
}

/// Whether a signed timestamp (Unix seconds) is within five minutes of `now`. Any number a
/// client sends is compared without overflow.
fn is_fresh(timestamp: &str, now: i64) -> bool {
    let Ok(signed_at) = timestamp.parse::<i64>() else {
        return false;
    };
    now.abs_diff(signed_at) <= MAX_CLOCK_DISTANCE_SECONDS.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_at_the_ends_of_the_integers_are_stale_not_a_panic() {
        let now = 1_800_000_000;
        assert!(is_fresh("1800000300", now));
        assert!(!is_fresh("1800000301", now));
        assert!(!is_fresh("-9223372036854775808", now));
        assert!(!is_fresh("9223372036854775807", now));
        assert!(!is_fresh("-9223372036854775808", i64::MAX));
    }
}
