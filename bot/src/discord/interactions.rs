//! `POST /discord/interactions`: Discord's signed interaction delivery.
//!
//! The raw body is verified against `X-Signature-Ed25519` over `X-Signature-Timestamp` + body
//! with the application's public key; anything that fails — including the deliberately bad
//! signatures Discord sends to test an endpoint — gets 401 and is not read further. A signed
//! timestamp more than five minutes away from now is refused too, so a captured request cannot
//! be replayed later.

use crate::app::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serenity::all::Interaction;
use std::time::{SystemTime, UNIX_EPOCH};

pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
const MAX_CLOCK_DISTANCE_SECONDS: i64 = 5 * 60;

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(discord) = &state.discord else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let (signature, timestamp) = (header(SIGNATURE_HEADER), header(TIMESTAMP_HEADER));
    if !is_fresh(timestamp) || discord.verifier.verify(signature, timestamp, &body).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match serde_json::from_slice::<Interaction>(&body) {
        Ok(interaction) => Json(discord.answer(interaction).await).into_response(),
        Err(error) => {
            tracing::warn!(%error, "discord interaction could not be read");
            StatusCode::BAD_REQUEST.into_response()
        }
    }
}

/// Whether a signed timestamp (Unix seconds) is within five minutes of now.
fn is_fresh(timestamp: &str) -> bool {
    let Ok(signed_at) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|since| since.as_secs() as i64).unwrap_or_default();
    (now - signed_at).abs() <= MAX_CLOCK_DISTANCE_SECONDS
}
