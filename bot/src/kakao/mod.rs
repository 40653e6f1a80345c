//! The Kakao adapter: the skill webhook (`POST /kakao/skill`) and the Event API pusher.
//!
//! Kakao signs nothing, so a call is trusted only when it carries the shared secret header
//! `X-Kakao-Skill-Secret` (compared in constant time) and names our bot id. The answer must
//! arrive within Kakao's 5 s; a turn that takes longer is cut at 4.5 s with an apology, and its
//! transaction rolls back.

pub mod event_api;
pub mod skill;

use crate::app::AppState;
use crate::conversation::{ChatUser, Input, Reply};
use crate::identity::Platform;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use resort_core::i18n::Locale;
use std::time::Duration;
use subtle::ConstantTimeEq;

pub const SECRET_HEADER: &str = "x-kakao-skill-secret";
/// Kakao waits 5 s for an answer.
const TURN_BUDGET: Duration = Duration::from_millis(4500);

pub async fn skill(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(secret) = &state.config.kakao_skill_secret {
        let given = headers.get(SECRET_HEADER).map(|value| value.as_bytes()).unwrap_or_default();
        if !bool::from(given.ct_eq(secret.expose().as_bytes())) {
            return refusal(StatusCode::UNAUTHORIZED, Locale::Ko, "error-unauthorized");
        }
    }
    let Ok(payload) = serde_json::from_slice::<skill::SkillPayload>(&body) else {
        return refusal(StatusCode::BAD_REQUEST, Locale::Ko, "error-bad-request");
    };
    let hint = payload.user_request.lang.as_deref().and_then(Locale::from_hint);
    let locale = hint.unwrap_or_default();
    if let Some(bot_id) = &state.config.kakao_bot_id
        && payload.bot.id != *bot_id
    {
        return refusal(StatusCode::FORBIDDEN, locale, "error-wrong-bot");
    }
    let user_id = payload.user_request.user.id.trim();
    if user_id.is_empty() || user_id.len() > 128 {
        return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-request");
    }
    let input = match payload.pressed() {
        Some(press) => Input::Press(press.to_owned()),
        None => Input::Text(payload.user_request.utterance.clone()),
    };
    let user = ChatUser { platform: Platform::Kakao, user_id: user_id.to_owned(), locale_hint: hint };
    Json(skill::render(&state.conversation.turn(&user, input, TURN_BUDGET).await)).into_response()
}

/// A refusal still answers with a valid template, so whoever calls sees the reason.
fn refusal(status: StatusCode, locale: Locale, id: &str) -> Response {
    (status, Json(skill::render(&Reply::text(locale.text(id))))).into_response()
}
