//! A loopback stand-in for the Telegram Bot API: `POST /bot{token}/{method}`, methods matched
//! case-insensitively as the real API does (teloxide sends them in PascalCase). It keeps each
//! chat's messages as Telegram would — sent, edited, buttons removed — so a test reads what a
//! person would see and presses the buttons that are really there. It checks what the real API
//! refuses (empty or over-long text, callback data over 64 bytes, editing to the same content),
//! answers 403 for chats that blocked the bot, and feeds queued updates to `getUpdates`. With
//! [`TelegramStandIn::limit_rate`] it keeps Telegram's flood control: more than 30 messages in a
//! second, or two to one chat within a second, are answered 429 with `retry_after`, and anything
//! sent before that time passed is a violation.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub const TOKEN: &str = "123456:test-token";
pub const BOT_USERNAME: &str = "resort_test_bot";

#[derive(Clone, Default)]
pub struct TelegramStandIn {
    pub url: String,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    /// Each chat's messages by id, as they look now.
    chats: Arc<Mutex<BTreeMap<(i64, i64), Value>>>,
    blocked: Arc<Mutex<HashSet<i64>>>,
    updates: Arc<Mutex<Vec<Value>>>,
    update_arrived: Arc<Notify>,
    next_id: Arc<AtomicI64>,
    /// Requests the real API would have refused, with the reason.
    violations: Arc<Mutex<Vec<String>>>,
    flood: Arc<Mutex<Option<Flood>>>,
}

/// Telegram's flood control, once switched on.
#[derive(Default)]
struct Flood {
    /// Accepted messages in the last second.
    sent: VecDeque<tokio::time::Instant>,
    last_to: HashMap<i64, tokio::time::Instant>,
    /// Answer 429 to this many more messages whatever the rate.
    forced: usize,
    paused_until: Option<tokio::time::Instant>,
    /// 429s for going too fast (not the forced ones).
    over_limit: usize,
    answered_429: usize,
}

/// What the flood control says of one message.
enum FloodCheck {
    Accept,
    RetryAfter(u64),
}

impl TelegramStandIn {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stand_in = Self {
            url: format!("http://{}", listener.local_addr().unwrap()),
            next_id: Arc::new(AtomicI64::new(1000)),
            ..Self::default()
        };
        let router = Router::new().route("/{bot}/{method}", post(call)).with_state(stand_in.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        stand_in
    }

    pub fn block(&self, chat_id: i64) {
        self.blocked.lock().unwrap().insert(chat_id);
    }

    /// Every call of a method (lower case), in order.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        let calls = self.calls.lock().unwrap();
        calls.iter().filter(|(name, _)| name == method).map(|(_, body)| body.clone()).collect()
    }

    /// Switches Telegram's flood control on, answering 429 to the next `forced` messages too.
    pub fn limit_rate(&self, forced: usize) {
        *self.flood.lock().unwrap() = Some(Flood { forced, ..Flood::default() });
    }

    /// (429s for going too fast, all 429s answered).
    pub fn flood_answers(&self) -> (usize, usize) {
        self.flood.lock().unwrap().as_ref().map_or((0, 0), |flood| (flood.over_limit, flood.answered_429))
    }

    /// Flood control for a message to `chat_id`, if it is on.
    fn flood_check(&self, chat_id: i64) -> FloodCheck {
        let mut guard = self.flood.lock().unwrap();
        let Some(flood) = guard.as_mut() else { return FloodCheck::Accept };
        let now = tokio::time::Instant::now();
        const RETRY_AFTER: u64 = 1;
        if flood.paused_until.is_some_and(|until| now < until) {
            self.violations.lock().unwrap().push(format!("a message to {chat_id} before retry_after passed"));
            flood.answered_429 += 1;
            return FloodCheck::RetryAfter(RETRY_AFTER);
        }
        while flood.sent.front().is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1)) {
            flood.sent.pop_front();
        }
        let too_fast = flood.sent.len() >= 30
            || flood.last_to.get(&chat_id).is_some_and(|at| now.duration_since(*at) < Duration::from_secs(1));
        if flood.forced > 0 || too_fast {
            if flood.forced > 0 {
                flood.forced -= 1;
            } else {
                flood.over_limit += 1;
            }
            flood.answered_429 += 1;
            flood.paused_until = Some(now + Duration::from_secs(RETRY_AFTER));
            return FloodCheck::RetryAfter(RETRY_AFTER);
        }
        flood.sent.push_back(now);
        flood.last_to.insert(chat_id, now);
        FloodCheck::Accept
    }

    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().unwrap().clone()
    }

    /// The messages in a chat as they look now, oldest first.
    pub fn chat(&self, chat_id: i64) -> Vec<Value> {
        let chats = self.chats.lock().unwrap();
        chats.iter().filter(|((chat, _), _)| *chat == chat_id).map(|(_, message)| message.clone()).collect()
    }

    pub fn message(&self, chat_id: i64, message_id: i64) -> Value {
        self.chats.lock().unwrap()[&(chat_id, message_id)].clone()
    }

    /// Waits for a message in the chat whose text contains `needle`; returns it as it is now.
    pub async fn wait_for(&self, chat_id: i64, needle: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(message) = self.chat(chat_id).into_iter().rev().find(|message| text(message).contains(needle)) {
                return message;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no message in chat {chat_id} containing {needle:?}; the chat: {:#?}",
                self.chat(chat_id)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Queues an update for `getUpdates`, numbering it.
    pub fn feed(&self, mut update: Value) {
        update["update_id"] = json!(self.next_id.fetch_add(1, Ordering::SeqCst));
        self.updates.lock().unwrap().push(update);
        self.update_arrived.notify_waiters();
    }

    /// Updates fed and not yet confirmed by a later `getUpdates` offset.
    pub fn unconfirmed_updates(&self) -> usize {
        self.updates.lock().unwrap().len()
    }

    fn next_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    fn refuse(&self, reason: String) -> Json<Value> {
        self.violations.lock().unwrap().push(reason.clone());
        Json(json!({ "ok": false, "error_code": 400, "description": format!("Bad Request: {reason}") }))
    }

    /// Checks an inline keyboard the way the Bot API does.
    fn keyboard_problem(&self, body: &Value) -> Option<String> {
        let keyboard = body.get("reply_markup")?;
        for key in
            keyboard["inline_keyboard"].as_array()?.iter().flat_map(|row| row.as_array().cloned().unwrap_or_default())
        {
            let data = key["callback_data"].as_str().unwrap_or_default();
            if data.is_empty() || data.len() > 64 {
                return Some(format!("BUTTON_DATA_INVALID: {data:?}"));
            }
            if key["text"].as_str().unwrap_or_default().is_empty() {
                return Some("button text is empty".into());
            }
        }
        None
    }
}

/// The text of a message.
pub fn text(message: &Value) -> String {
    message["text"].as_str().unwrap_or_default().to_owned()
}

/// Every button of a message as (label, callback data).
pub fn buttons(message: &Value) -> Vec<(String, String)> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|key| {
            (
                key["text"].as_str().unwrap_or_default().to_owned(),
                key["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The callback data of the button whose label contains `label`.
pub fn button(message: &Value, label: &str) -> String {
    buttons(message)
        .into_iter()
        .find(|(text, _)| text.contains(label))
        .unwrap_or_else(|| panic!("no button {label:?} on {message:#}"))
        .1
}

/// A request body as JSON: the JSON itself, or the fields of a multipart form (teloxide sends
/// methods that can carry a file, like `setWebhook`, as `multipart/form-data`).
fn read_body(headers: &HeaderMap, body: &[u8]) -> Value {
    let content_type = headers.get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    };
    let body = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in body.split(&format!("--{}", boundary.trim_matches('"'))) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = head.split("name=\"").nth(1).and_then(|rest| rest.split('"').next()) else { continue };
        let value = value.trim_end_matches("\r\n");
        fields.insert(name.to_owned(), serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned())));
    }
    Value::Object(fields)
}

async fn call(
    State(stand_in): State<TelegramStandIn>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    if bot != format!("bot{TOKEN}") {
        return Json(json!({ "ok": false, "error_code": 404, "description": "Not Found" }));
    }
    let method = method.to_lowercase();
    let body = read_body(&headers, &body);
    stand_in.calls.lock().unwrap().push((method.clone(), body.clone()));
    let ok = |result: Value| Json(json!({ "ok": true, "result": result }));
    match method.as_str() {
        "getme" => ok(json!({ "id": 1, "is_bot": true, "first_name": "Resort", "username": BOT_USERNAME,
            "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "has_main_web_app": false })),
        "setmycommands" | "setwebhook" | "deletewebhook" | "answercallbackquery" => ok(json!(true)),
        "getwebhookinfo" => ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })),
        "sendmessage" => {
            let chat_id = body["chat_id"].as_i64().unwrap_or_default();
            if stand_in.blocked.lock().unwrap().contains(&chat_id) {
                return Json(
                    json!({ "ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user" }),
                );
            }
            if let FloodCheck::RetryAfter(seconds) = stand_in.flood_check(chat_id) {
                return Json(json!({ "ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {seconds}"),
                    "parameters": { "retry_after": seconds } }));
            }
            let text = body["text"].as_str().unwrap_or_default();
            if text.is_empty() || text.chars().count() > 4096 {
                return stand_in.refuse(format!("message text is empty or too long ({} chars)", text.chars().count()));
            }
            if let Some(problem) = stand_in.keyboard_problem(&body) {
                return stand_in.refuse(problem);
            }
            let id = stand_in.next_id();
            let mut message = json!({ "message_id": id, "date": 1_700_000_000, "chat": { "id": chat_id, "type": "private" },
                "from": { "id": 1, "is_bot": true, "first_name": "Resort" }, "text": text });
            if let Some(markup) = body.get("reply_markup") {
                message["reply_markup"] = markup.clone();
            }
            stand_in.chats.lock().unwrap().insert((chat_id, id), message.clone());
            ok(message)
        }
        "editmessagetext" | "editmessagereplymarkup" => {
            let key = (body["chat_id"].as_i64().unwrap_or_default(), body["message_id"].as_i64().unwrap_or_default());
            if let Some(problem) = stand_in.keyboard_problem(&body) {
                return stand_in.refuse(problem);
            }
            let Some(mut message) = stand_in.chats.lock().unwrap().get(&key).cloned() else {
                return stand_in.refuse("message to edit not found".into());
            };
            let before = message.clone();
            if method == "editmessagetext" {
                message["text"] = body["text"].clone();
            }
            match body.get("reply_markup") {
                Some(markup) => message["reply_markup"] = markup.clone(),
                None => {
                    message.as_object_mut().unwrap().remove("reply_markup");
                }
            }
            if message == before {
                // A real answer of the API rather than a wrong request.
                return Json(
                    json!({ "ok": false, "error_code": 400, "description": "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message" }),
                );
            }
            stand_in.chats.lock().unwrap().insert(key, message.clone());
            ok(message)
        }
        "getupdates" => {
            let offset = body["offset"].as_i64().unwrap_or(0);
            let wait = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0).min(1));
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let arrived = stand_in.update_arrived.notified();
                let pending: Vec<Value> = {
                    let mut updates = stand_in.updates.lock().unwrap();
                    updates.retain(|update| update["update_id"].as_i64().unwrap_or_default() >= offset);
                    updates.clone()
                };
                if !pending.is_empty() || tokio::time::Instant::now() >= deadline {
                    return ok(Value::Array(pending));
                }
                let _ = tokio::time::timeout_at(deadline, arrived).await;
            }
        }
        other => stand_in.refuse(format!("method {other} is not served by the stand-in")),
    }
}
