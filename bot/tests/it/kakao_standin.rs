//! A loopback stand-in for Kakao's Event API (`POST /v2/bots/{botId}/talk`). It checks what
//! the real API checks — the `KakaoAK` key, 1 to 100 distinct users of an allowed id type, an
//! event name — records every accepted push, and can be told to fail the next calls with 500.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const BOT_ID: &str = "bot-1";
pub const REST_API_KEY: &str = "rest-key";

#[derive(Clone, Default)]
pub struct KakaoStandIn {
    pub url: String,
    pushes: Arc<Mutex<Vec<Value>>>,
    failures_left: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl KakaoStandIn {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stand_in = Self { url: format!("http://{}", listener.local_addr().unwrap()), ..Self::default() };
        let router = Router::new().route("/v2/bots/{bot_id}/talk", post(talk)).with_state(stand_in.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        stand_in
    }

    /// The next `count` calls answer 500, as an outage would.
    pub fn fail_next(&self, count: usize) {
        self.failures_left.store(count, Ordering::SeqCst);
    }

    /// Failures ordered with [`Self::fail_next`] not yet served.
    pub fn failures_pending(&self) -> usize {
        self.failures_left.load(Ordering::SeqCst)
    }

    pub fn pushes(&self) -> Vec<Value> {
        self.pushes.lock().unwrap().clone()
    }

    /// Pushes to one user.
    pub fn pushes_to(&self, user_key: &str) -> Vec<Value> {
        self.pushes().into_iter().filter(|push| push["user"][0]["id"] == user_key).collect()
    }

    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Waits for a push to `user_key` whose text contains `needle`.
    pub async fn wait_for(&self, user_key: &str, needle: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(push) = self.pushes_to(user_key).into_iter().find(|push| push_text(push).contains(needle)) {
                return push;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no push to {user_key} containing {needle:?}; got {:#?}",
                self.pushes_to(user_key)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn push_text(push: &Value) -> String {
    push["event"]["data"]["text"].as_str().unwrap_or_default().to_owned()
}

/// The press payload of the push's button with this label.
pub fn push_button(push: &Value, label: &str) -> String {
    let buttons = push["event"]["data"]["buttons"].as_array().cloned().unwrap_or_default();
    let button =
        buttons.iter().find(|button| button["label"] == label).unwrap_or_else(|| panic!("no {label} button in {push}"));
    button["press"].as_str().unwrap().to_owned()
}

async fn talk(
    State(stand_in): State<KakaoStandIn>,
    Path(bot_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let refuse = |status: StatusCode, message: &str| {
        stand_in.refused.fetch_add(1, Ordering::SeqCst);
        (status, Json(json!({ "status": "FAIL", "message": message })))
    };
    if headers.get("authorization").and_then(|value| value.to_str().ok()) != Some(&format!("KakaoAK {REST_API_KEY}")) {
        return refuse(StatusCode::UNAUTHORIZED, "invalid KakaoAK key");
    }
    if bot_id != BOT_ID {
        return refuse(StatusCode::NOT_FOUND, "unknown bot");
    }
    let users = body["user"].as_array().cloned().unwrap_or_default();
    let distinct: HashSet<String> = users.iter().map(|user| user["id"].to_string()).collect();
    let types_ok = users
        .iter()
        .all(|user| matches!(user["type"].as_str(), Some("botUserKey" | "plusfriendUserKey" | "appUserId")));
    if users.is_empty()
        || users.len() > 100
        || distinct.len() != users.len()
        || !types_ok
        || body["event"]["name"].as_str().is_none()
    {
        return refuse(StatusCode::BAD_REQUEST, "invalid event request");
    }
    if stand_in.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "status": "ERROR" })));
    }
    stand_in.pushes.lock().unwrap().push(body);
    (StatusCode::OK, Json(json!({ "taskId": uuid::Uuid::new_v4().to_string(), "status": "SUCCESS", "timestamp": 0 })))
}
