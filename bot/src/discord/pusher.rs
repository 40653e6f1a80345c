//! Alerts to Discord as DMs: open (or reuse) the DM channel with the linked user, then send.
//!
//! A user who does not accept DMs from the bot (403, Discord code 50007) cannot get this alert
//! however often it is tried: it is marked failed at once and logged, and the other alerts go
//! on. Rate limits, server errors and network trouble are retried by the push loop.

use super::components;
use crate::push::{Push, PushError, Pusher};
use async_trait::async_trait;
use serenity::all::{Builder, CreateMessage, Http, UserId};
use std::sync::Arc;

/// Discord's code for "Cannot send messages to this user".
pub const CANNOT_MESSAGE_USER: isize = 50007;

pub struct DiscordPusher {
    pub http: Arc<Http>,
}

#[async_trait]
impl Pusher for DiscordPusher {
    async fn push(&self, push: &Push) -> Result<(), PushError> {
        let user: u64 = push
            .platform_user_id
            .parse()
            .ok()
            .filter(|id| *id != 0)
            .ok_or_else(|| PushError::Permanent(format!("not a discord user id: {}", push.platform_user_id)))?;
        let channel = UserId::new(user).create_dm_channel(&self.http).await.map_err(classify)?;
        for message in components::render(&push.reply) {
            let create = CreateMessage::new().content(message.content).components(message.rows);
            create.execute(&self.http, (channel.id, None)).await.map_err(classify)?;
        }
        Ok(())
    }
}

fn classify(error: serenity::Error) -> PushError {
    if let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response)) = &error {
        let status = response.status_code.as_u16();
        if response.error.code == CANNOT_MESSAGE_USER {
            return PushError::Permanent(format!("the user does not accept DMs from the bot: {error}"));
        }
        if status == 429 || status >= 500 {
            return PushError::Transient(error.to_string());
        }
        return PushError::Permanent(error.to_string());
    }
    // The request did not get an answer (network) or the answer did not read: try again.
    PushError::Transient(error.to_string())
}
