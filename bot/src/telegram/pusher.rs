//! Alerts to Telegram: each one is sent to the private chat of the linked user (in a private
//! chat the chat id is the user id).
//!
//! A person who blocked the bot, deleted their account or never started it gets a 403: that is
//! permanent for this alert, which is marked failed at once so it does not hold up the others.
//! Flood control (429) and network trouble are transient and retried by the push loop.

use super::keyboard;
use crate::push::{Push, PushError, Pusher};
use async_trait::async_trait;
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

pub struct TelegramPusher {
    pub bot: Bot,
}

#[async_trait]
impl Pusher for TelegramPusher {
    async fn push(&self, push: &Push) -> Result<(), PushError> {
        let chat_id: i64 = push
            .platform_user_id
            .parse()
            .map_err(|_| PushError::Permanent(format!("not a telegram user id: {}", push.platform_user_id)))?;
        for message in keyboard::render(&push.reply) {
            super::send(&self.bot, ChatId(chat_id), &message).await.map_err(classify)?;
        }
        Ok(())
    }
}

fn classify(error: RequestError) -> PushError {
    match error {
        RequestError::RetryAfter(_) | RequestError::Network(_) | RequestError::Io(_) => {
            PushError::Transient(error.to_string())
        }
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots
            | ApiError::ChatNotFound,
        ) => PushError::Permanent(format!("the user cannot receive messages: {error}")),
        other => PushError::Permanent(other.to_string()),
    }
}
