//! The Kakao Event API client: proactive alerts to a user of the channel.
//!
//! `POST {KAKAO_EVENT_API_URL}/v2/bots/{KAKAO_BOT_ID}/talk` with `Authorization: KakaoAK
//! {KAKAO_REST_API_KEY}` triggers the block that has the configured event name for the user.
//! The alert's text and buttons travel in `event.data` (the block shows
//! `{{#current.event.data.text}}`; when it is wired to this skill, the buttons' `press` values
//! come back as `clientExtra.cmd`), and the booking id in `params`.

use crate::push::{Push, PushError, Pusher};
use async_trait::async_trait;
use serde_json::json;
use std::time::Duration;

pub struct KakaoEventApi {
    http: reqwest::Client,
    talk_url: String,
    authorization: String,
    event_name: String,
}

impl KakaoEventApi {
    pub fn new(base_url: &str, bot_id: &str, rest_api_key: &str, event_name: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds with static settings");
        Self {
            http,
            talk_url: format!("{}/v2/bots/{}/talk", base_url.trim_end_matches('/'), bot_id),
            authorization: format!("KakaoAK {rest_api_key}"),
            event_name: event_name.to_owned(),
        }
    }
}

#[async_trait]
impl Pusher for KakaoEventApi {
    async fn send(&self, push: &Push) -> Result<Option<String>, PushError> {
        let buttons: Vec<_> =
            push.reply.all_buttons().map(|button| json!({ "label": button.label, "press": button.press })).collect();
        let body = json!({
            "event": { "name": self.event_name, "data": { "text": push.reply.plain_text(), "kind": push.kind, "buttons": buttons } },
            "user": [{ "type": "botUserKey", "id": push.platform_user_id }],
            "params": { "booking_id": push.booking_id.clone().unwrap_or_default() },
        });
        let response = self
            .http
            .post(&self.talk_url)
            .header("Authorization", &self.authorization)
            .json(&body)
            .send()
            .await
            .map_err(|error| PushError::Transient(error.to_string()))?;
        let status = response.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(PushError::Transient(format!("Event API answered {status}")));
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(PushError::Permanent(format!("Event API answered {status}: {text}")));
        }
        let answer: serde_json::Value =
            response.json().await.map_err(|error| PushError::Transient(error.to_string()))?;
        match answer.get("status").and_then(|status| status.as_str()) {
            // The Event API cannot edit what it sent: no reference to keep.
            Some("SUCCESS") => Ok(None),
            other => Err(PushError::Permanent(format!("Event API status {other:?}"))),
        }
    }
}
