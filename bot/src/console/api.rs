//! The console's JSON endpoints: its words, the demo people, sessions, turns and alerts.

use super::strings;
use crate::app::AppState;
use crate::catalog;
use crate::conversation::render::{self, korean_clock_time};
use crate::conversation::{ChatUser, Input};
use crate::identity::{self, IdentityError, Platform};
use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use resort_core::i18n::Locale;
use resort_core::i18n::text_arg;
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::net::SocketAddr;

/// A browser waits; a turn still ends with an apology past this.
const TURN_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Deserialize)]
pub struct LanguageQuery {
    lang: Option<String>,
}

pub async fn strings(Query(query): Query<LanguageQuery>) -> Response {
    let locale = query.lang.as_deref().and_then(Locale::from_hint).unwrap_or_default();
    Json(strings::all(locale)).into_response()
}

/// The people the demo seed created in this database, while demo seeding is on (nobody else,
/// and nobody at all in a deployment with real data).
pub async fn people(State(state): State<AppState>) -> Response {
    if !state.config.seed_demo {
        return Json(Vec::<identity::DemoPerson>::new()).into_response();
    }
    match identity::demo_people(&state.pool).await {
        Ok(people) => Json(people).into_response(),
        Err(error) => internal(Locale::default(), &error),
    }
}

#[derive(Deserialize)]
pub struct SessionRequest {
    /// A demo person's employee number.
    #[serde(rename = "as")]
    demo_person: Option<String>,
    /// A link code, as on any chat platform.
    code: Option<String>,
    lang: Option<String>,
}

/// Opens a tab's session: as a demo person (only those the demo seed created here, and only
/// while demo seeding is on), or with a link code like any chat platform, limited per source
/// address like the chat platforms are per user.
pub async fn open_session(
    State(state): State<AppState>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    Json(request): Json<SessionRequest>,
) -> Response {
    let hint = request.lang.as_deref().and_then(Locale::from_hint);
    let locale = hint.unwrap_or_default();
    let now = state.clock.now_millis();
    let linked = match (&request.demo_person, &request.code) {
        (Some(number), _) => {
            let account = format!("console-demo-{number}");
            let demo = match state.config.seed_demo {
                true => identity::attach_demo_person(&state.pool, Platform::Console, &account, number, hint, now).await,
                false => Ok(None),
            };
            match demo {
                Ok(Some(employee)) => Ok((account, employee)),
                Ok(None) => return refusal(StatusCode::BAD_REQUEST, locale, "console-error-not-demo"),
                Err(error) => return internal(locale, &error),
            }
        }
        (None, Some(code)) => {
            let account = format!("console-{}", uuid::Uuid::new_v4().simple());
            let subject = format!("console-address:{}", source.ip());
            identity::link(&state.pool, Platform::Console, &account, code, hint, now, &subject)
                .await
                .map(|employee| (account, employee))
        }
        (None, None) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-request"),
    };
    let (account, employee) = match linked {
        Ok(linked) => linked,
        Err(IdentityError::BadLinkCode) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-link-code"),
        Err(IdentityError::TooManyAttempts { retry_at }) => {
            let text = locale.text_with("error-link-locked", &[text_arg("time", korean_clock_time(retry_at))]);
            return (StatusCode::TOO_MANY_REQUESTS, Json(json!({ "message": text }))).into_response();
        }
        Err(error) => return internal(locale, &error),
    };
    let manager = match catalog::managed_by(&state.pool, employee.id).await {
        Ok(resorts) => !resorts.is_empty(),
        Err(error) => return internal(locale, &error),
    };
    let token = state.console.open_session(&account, source.ip(), now);
    (StatusCode::CREATED, Json(json!({ "token": token, "name": employee.name, "manager": manager }))).into_response()
}

#[derive(Deserialize)]
pub struct TurnRequest {
    text: Option<String>,
    press: Option<String>,
    lang: Option<String>,
}

pub async fn turn(State(state): State<AppState>, headers: HeaderMap, Json(request): Json<TurnRequest>) -> Response {
    let hint = request.lang.as_deref().and_then(Locale::from_hint);
    let locale = hint.unwrap_or_default();
    let token = crate::bearer::token(&headers).unwrap_or_default();
    let Some(account) = state.console.account_of(token, state.clock.now_millis()) else {
        return refusal(StatusCode::UNAUTHORIZED, locale, "error-unauthorized");
    };
    let input = match (request.press, request.text) {
        (Some(press), _) => Input::Press(press),
        (None, Some(text)) => Input::Text(text),
        (None, None) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-request"),
    };
    let user = ChatUser { platform: Platform::Console, user_id: account.clone(), locale_hint: hint };
    let reply = state.conversation.turn(&user, input, TURN_BUDGET).await;
    // The page keeps the main menu docked above the composer; every turn brings it in the
    // person's language and role, so it follows a language switch or a new manager role.
    let menu = match identity::whoami(&state.pool, Platform::Console, &account).await {
        Ok(Some(caller)) => render::menu(caller.employee.locale.unwrap_or(locale), caller.is_manager),
        _ => Vec::new(),
    };
    let mut body = serde_json::to_value(&reply).unwrap_or_default();
    body["menu"] = serde_json::to_value(&menu).unwrap_or_default();
    Json(body).into_response()
}

#[derive(Deserialize)]
pub struct EventsQuery {
    token: String,
}

/// The tab's alerts as server-sent events (`EventSource` cannot send headers, so the token
/// comes in the query).
pub async fn events(
    State(state): State<AppState>,
    Query(query): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let account = state.console.account_of(&query.token, state.clock.now_millis()).ok_or(StatusCode::UNAUTHORIZED)?;
    let alerts = state.console.listen(&account);
    let closed = state.console.closed();
    // "ready" first, so the page knows alerts will reach it from now on.
    let ready = futures::stream::once(async { Ok(Event::default().event("ready").data("ready")) });
    let alerts = futures::stream::unfold(alerts, |mut alerts| async move {
        let alert = alerts.recv().await?;
        Some((Ok(Event::default().event("alert").data(alert)), alerts))
    });
    // The stream ends when the server shuts down, so an open tab does not hold up its exit.
    let stream = futures::StreamExt::take_until(futures::StreamExt::chain(ready, alerts), closed);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn refusal(status: StatusCode, locale: Locale, id: &str) -> Response {
    (status, Json(json!({ "message": locale.text(id) }))).into_response()
}

fn internal(locale: Locale, error: &dyn std::error::Error) -> Response {
    tracing::error!(%error, "console request failed");
    refusal(StatusCode::INTERNAL_SERVER_ERROR, locale, "error-internal")
}
