//! A loopback stand-in for Discord's REST API under `/api/v10`, as serenity calls it when its
//! proxy points here: command registration (global and per server), DM channels, channel
//! messages and interaction follow-ups. It checks the bot token and Discord's component limits,
//! records everything, and refuses DMs to users who do not accept them (403, code 50007).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const BOT_TOKEN: &str = "discord-bot-token";
pub const APPLICATION_ID: u64 = 4242;
pub const GUILD_ID: u64 = 777;
/// DM channels are numbered from the user's id.
const CHANNEL_OFFSET: u64 = 1_000_000;

#[derive(Clone, Default)]
pub struct DiscordStandIn {
    pub url: String,
    /// (method and path, body) of every call.
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    /// (user id, message) of every DM.
    dms: Arc<Mutex<Vec<(u64, Value)>>>,
    no_dms: Arc<Mutex<HashSet<u64>>>,
    violations: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

type Reply = (StatusCode, Json<Value>);

impl DiscordStandIn {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stand_in = Self {
            url: format!("http://{}", listener.local_addr().unwrap()),
            next_id: Arc::new(AtomicU64::new(5000)),
            ..Self::default()
        };
        let router = Router::new()
            .route("/api/v10/applications/{app}/commands", put(register_global))
            .route("/api/v10/applications/{app}/guilds/{guild}/commands", put(register_guild))
            .route("/api/v10/users/@me/channels", post(open_dm))
            .route("/api/v10/channels/{channel}/messages", post(send_message))
            .route("/api/v10/channels/{channel}/messages/{message}", patch(edit_message))
            .route("/api/v10/webhooks/{app}/{token}", post(follow_up))
            .route("/api/v10/webhooks/{app}/{token}/messages/@original", patch(edit_original))
            .with_state(stand_in.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        stand_in
    }

    pub fn refuse_dms(&self, user: u64) {
        self.no_dms.lock().unwrap().insert(user);
    }

    pub fn calls(&self, path_prefix: &str) -> Vec<Value> {
        let calls = self.calls.lock().unwrap();
        calls.iter().filter(|(path, _)| path.starts_with(path_prefix)).map(|(_, body)| body.clone()).collect()
    }

    pub fn dms_to(&self, user: u64) -> Vec<Value> {
        self.dms.lock().unwrap().iter().filter(|(to, _)| *to == user).map(|(_, message)| message.clone()).collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().unwrap().clone()
    }

    /// Waits for a DM to `user` whose content contains `needle`.
    pub async fn wait_for_dm(&self, user: u64, needle: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(dm) =
                self.dms_to(user).into_iter().find(|dm| dm["content"].as_str().unwrap_or_default().contains(needle))
            {
                return dm;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no DM to {user} containing {needle:?}; got {:#?}",
                self.dms_to(user)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn record(&self, call: String, headers: &HeaderMap, body: &Value) -> Option<Reply> {
        self.calls.lock().unwrap().push((call.clone(), body.clone()));
        let authorised =
            headers.get("authorization").and_then(|value| value.to_str().ok()) == Some(&format!("Bot {BOT_TOKEN}"));
        if !authorised && !call.contains(" /webhooks/") {
            return Some((StatusCode::UNAUTHORIZED, Json(json!({ "code": 0, "message": "401: Unauthorized" }))));
        }
        if let Some(problem) = component_problem(body) {
            self.violations.lock().unwrap().push(format!("{call}: {problem}"));
            return Some((
                StatusCode::BAD_REQUEST,
                Json(json!({ "code": 50035, "message": format!("Invalid Form Body: {problem}") })),
            ));
        }
        None
    }

    fn message(&self, channel: u64, body: &Value) -> Value {
        json!({ "id": self.next_id.fetch_add(1, Ordering::SeqCst).to_string(), "channel_id": channel.to_string(),
            "author": { "id": APPLICATION_ID.to_string(), "username": "resortbot", "discriminator": "0" },
            "content": body["content"].clone(), "timestamp": "2026-01-01T00:00:00+00:00", "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false, "type": 0, "components": body.get("components").cloned().unwrap_or(json!([])) })
    }
}

/// Discord's limits on a message body: 2000 characters, five rows of five buttons, 25 options,
/// custom ids up to 100 characters.
pub fn component_problem(body: &Value) -> Option<String> {
    if body["content"].as_str().is_some_and(|content| content.chars().count() > 2000) {
        return Some("content longer than 2000".into());
    }
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > 5 {
        return Some(format!("{} action rows", rows.len()));
    }
    for row in rows {
        let components = row["components"].as_array().cloned().unwrap_or_default();
        if components.is_empty() || components.len() > 5 {
            return Some(format!("a row of {} components", components.len()));
        }
        for component in components {
            let id = component["custom_id"].as_str().unwrap_or_default();
            if id.is_empty() || id.chars().count() > 100 {
                return Some(format!("custom_id {id:?}"));
            }
            if component["options"].as_array().is_some_and(|options| options.len() > 25 || options.is_empty()) {
                return Some("select options".into());
            }
        }
    }
    None
}

async fn register_global(
    State(stand_in): State<DiscordStandIn>,
    Path(app): Path<u64>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    register(stand_in, format!("PUT /applications/{app}/commands"), headers, body)
}

async fn register_guild(
    State(stand_in): State<DiscordStandIn>,
    Path((app, guild)): Path<(u64, u64)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    register(stand_in, format!("PUT /applications/{app}/guilds/{guild}/commands"), headers, body)
}

fn register(stand_in: DiscordStandIn, call: String, headers: HeaderMap, body: Value) -> Reply {
    if let Some(refusal) = stand_in.record(call, &headers, &body) {
        return refusal;
    }
    (StatusCode::OK, Json(json!([])))
}

async fn open_dm(State(stand_in): State<DiscordStandIn>, headers: HeaderMap, Json(body): Json<Value>) -> Reply {
    if let Some(refusal) = stand_in.record("POST /users/@me/channels".into(), &headers, &body) {
        return refusal;
    }
    let user: u64 = body["recipient_id"].as_str().and_then(|id| id.parse().ok()).unwrap_or_default();
    (
        StatusCode::OK,
        Json(json!({ "id": (user + CHANNEL_OFFSET).to_string(), "type": 1,
        "recipients": [{ "id": user.to_string(), "username": format!("user{user}"), "discriminator": "0" }] })),
    )
}

async fn send_message(
    State(stand_in): State<DiscordStandIn>,
    Path(channel): Path<u64>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    if let Some(refusal) = stand_in.record(format!("POST /channels/{channel}/messages"), &headers, &body) {
        return refusal;
    }
    let user = channel - CHANNEL_OFFSET;
    if stand_in.no_dms.lock().unwrap().contains(&user) {
        return (StatusCode::FORBIDDEN, Json(json!({ "code": 50007, "message": "Cannot send messages to this user" })));
    }
    let message = stand_in.message(channel, &body);
    stand_in.dms.lock().unwrap().push((user, message.clone()));
    (StatusCode::OK, Json(message))
}

/// Edits a DM in place, as the client would show it afterwards.
async fn edit_message(
    State(stand_in): State<DiscordStandIn>,
    Path((channel, message)): Path<(u64, u64)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    if let Some(refusal) = stand_in.record(format!("PATCH /channels/{channel}/messages/{message}"), &headers, &body) {
        return refusal;
    }
    let mut dms = stand_in.dms.lock().unwrap();
    let id = message.to_string();
    let Some((_, stored)) = dms.iter_mut().find(|(_, stored)| stored["id"].as_str() == Some(id.as_str())) else {
        return (StatusCode::NOT_FOUND, Json(json!({ "code": 10008, "message": "Unknown Message" })));
    };
    for field in ["content", "components"] {
        if let Some(value) = body.get(field) {
            stored[field] = value.clone();
        }
    }
    (StatusCode::OK, Json(stored.clone()))
}

async fn follow_up(
    State(stand_in): State<DiscordStandIn>,
    Path((app, token)): Path<(u64, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    answer_by_webhook(stand_in, format!("POST /webhooks/{app}/{token}"), headers, body)
}

async fn edit_original(
    State(stand_in): State<DiscordStandIn>,
    Path((app, token)): Path<(u64, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Reply {
    answer_by_webhook(stand_in, format!("PATCH /webhooks/{app}/{token}/messages/@original"), headers, body)
}

/// Follow-ups and edits of an interaction's answer authenticate by the token in the path.
fn answer_by_webhook(stand_in: DiscordStandIn, call: String, headers: HeaderMap, body: Value) -> Reply {
    if let Some(refusal) = stand_in.record(call, &headers, &body) {
        return refusal;
    }
    (StatusCode::OK, Json(stand_in.message(1, &body)))
}
