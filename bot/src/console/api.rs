//! The console's JSON endpoints: its words, the demo people, sessions, turns and alerts.

use super::strings;
use crate::app::AppState;
use crate::catalog;
use crate::conversation::{ChatUser, Input, Reply};
use crate::identity::{self, IdentityError, Platform};
use crate::seed;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use resort_core::i18n::Locale;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::convert::Infallible;

const MAX_TEXT_CHARS: usize = 1000;

#[derive(Deserialize)]
pub struct LanguageQuery {
    lang: Option<String>,
}

pub async fn strings(Query(query): Query<LanguageQuery>) -> Response {
    let locale = query.lang.as_deref().and_then(Locale::from_hint).unwrap_or_default();
    Json(strings::all(locale)).into_response()
}

#[derive(Serialize)]
struct Person {
    employee_no: String,
    name: String,
    manager: bool,
}

/// The seeded demo people that exist here (none in a deployment with real data).
pub async fn people(State(state): State<AppState>) -> Response {
    let result: Result<Vec<Person>, sqlx::Error> = async {
        let mut people = Vec::new();
        for employee in identity::list_employees(&state.pool).await? {
            if seed::is_demo_person(&employee.employee_no) {
                let manager = !catalog::managed_by(&state.pool, employee.id).await?.is_empty();
                people.push(Person { employee_no: employee.employee_no, name: employee.name, manager });
            }
        }
        Ok(people)
    }
    .await;
    match result {
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

pub async fn open_session(State(state): State<AppState>, Json(request): Json<SessionRequest>) -> Response {
    let hint = request.lang.as_deref().and_then(Locale::from_hint);
    let locale = hint.unwrap_or_default();
    let now = state.clock.now_millis();
    let linked = match (&request.demo_person, &request.code) {
        (Some(number), _) => {
            let employee = match identity::list_employees(&state.pool).await {
                Ok(employees) => employees
                    .into_iter()
                    .find(|employee| employee.employee_no == *number && seed::is_demo_person(number)),
                Err(error) => return internal(locale, &error),
            };
            let Some(employee) = employee else {
                return refusal(StatusCode::BAD_REQUEST, locale, "console-error-not-demo");
            };
            let account = format!("console-{}", employee.employee_no);
            let code = match identity::issue_link_code(&state.pool, employee.id, now).await {
                Ok(code) => code,
                Err(error) => return internal(locale, &error),
            };
            identity::link(&state.pool, Platform::Console, &account, &code.code, hint, now)
                .await
                .map(|employee| (account, employee))
        }
        (None, Some(code)) => {
            let account = format!("console-{}", uuid::Uuid::new_v4().simple());
            identity::link(&state.pool, Platform::Console, &account, code, hint, now)
                .await
                .map(|employee| (account, employee))
        }
        (None, None) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-request"),
    };
    let (account, employee) = match linked {
        Ok(linked) => linked,
        Err(IdentityError::BadLinkCode) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-link-code"),
        Err(error) => return internal(locale, &error),
    };
    let manager = match catalog::managed_by(&state.pool, employee.id).await {
        Ok(resorts) => !resorts.is_empty(),
        Err(error) => return internal(locale, &error),
    };
    let token = state.console.open_session(&account);
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
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(account) = state.console.account_of(token) else {
        return refusal(StatusCode::UNAUTHORIZED, locale, "error-unauthorized");
    };
    let input = match (request.press, request.text) {
        (Some(press), _) => Input::Press(press),
        (None, Some(text)) if text.chars().count() > MAX_TEXT_CHARS => {
            return Json(Reply::text(locale.text("error-too-long"))).into_response();
        }
        (None, Some(text)) => Input::Text(text),
        (None, None) => return refusal(StatusCode::BAD_REQUEST, locale, "error-bad-request"),
    };
    let user = ChatUser { platform: Platform::Console, user_id: account, locale_hint: hint };
    Json(state.conversation.handle(&user, input).await).into_response()
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
    let account = state.console.account_of(&query.token).ok_or(StatusCode::UNAUTHORIZED)?;
    let alerts = state.console.listen(&account);
    // "ready" first, so the page knows alerts will reach it from now on.
    let ready = futures::stream::once(async { Ok(Event::default().event("ready").data("ready")) });
    let alerts = futures::stream::unfold(alerts, |mut alerts| async move {
        let alert = alerts.recv().await?;
        Some((Ok(Event::default().event("alert").data(alert)), alerts))
    });
    let stream = futures::StreamExt::chain(ready, alerts);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn refusal(status: StatusCode, locale: Locale, id: &str) -> Response {
    (status, Json(json!({ "message": locale.text(id) }))).into_response()
}

fn internal(locale: Locale, error: &dyn std::error::Error) -> Response {
    tracing::error!(%error, "console request failed");
    refusal(StatusCode::INTERNAL_SERVER_ERROR, locale, "error-internal")
}
