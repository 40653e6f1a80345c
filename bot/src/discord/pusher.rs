//! Alerts to Discord as DMs: open (or reuse) the DM channel with the linked user, then send.
//!
//! A user who does not accept DMs from the bot (403, Discord code 50007) cannot get this alert
//! however often it is tried: it is marked failed at once and logged, and the other alerts go
//! on. Rate limits, server errors and network trouble are retried by the push loop.
//!
//! A sent alert's reference is `channel:message`; an alert that edits one replaces its
//! content and removes its components.

use super::components;
use crate::push::{MessageRef, Push, PushError, Pusher};
use async_trait::async_trait;
use serenity::all::{Builder, ChannelId, CreateMessage, EditMessage, Http, MessageId, UserId};
use std::sync::Arc;

/// Discord's code for "Cannot send messages to this user".
pub const CANNOT_MESSAGE_USER: isize = 50007;

pub struct DiscordPusher {
    pub http: Arc<Http>,
}

#[async_trait]
impl Pusher for DiscordPusher {
    async fn send(&self, push: &Push) -> Result<Option<String>, PushError> {
        let user: std::num::NonZeroU64 = push.recipient("discord")?;
        let channel = UserId::new(user.get()).create_dm_channel(&self.http).await.map_err(classify)?;
        let mut first = None;
        for message in components::render(&push.reply) {
            let create = CreateMessage::new().content(message.content).components(message.rows);
            let sent = create.execute(&self.http, (channel.id, None)).await.map_err(classify)?;
            let reference = MessageRef { chat: sent.channel_id.get() as i64, message: sent.id.get() as i64 };
            first.get_or_insert(reference.to_string());
        }
        Ok(first)
    }

    /// Replaces the content of a sent DM with the alert's, without components.
    async fn edit(&self, sent: &MessageRef, push: &Push) -> Result<(), PushError> {
        // Discord's snowflakes are positive 63-bit numbers, so they round-trip through i64.
        let id = |value: i64| u64::try_from(value).ok().filter(|id| *id != 0);
        let (Some(channel), Some(message)) = (id(sent.chat), id(sent.message)) else {
            return Err(PushError::Permanent(format!("not a discord message reference: {sent}")));
        };
        let (channel, message) = (ChannelId::new(channel), MessageId::new(message));
        let content = components::render_one(&push.reply).content;
        let edit = EditMessage::new().content(content).components(Vec::new());
        channel.edit_message(&self.http, message, edit).await.map(drop).map_err(classify)
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
