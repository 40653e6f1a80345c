//! Alerts to Telegram: each one is sent to the private chat of the linked user (in a private
//! chat the chat id is the user id).
//!
//! A person who blocked the bot, deleted their account or never started it gets a 403: that is
//! permanent for this alert, which is marked failed at once so it does not hold up the others.
//! Flood control (429) pauses Telegram's pushes for exactly the `retry_after` it names; network
//! trouble is transient and retried by the push loop. The push loop keeps to Telegram's limits
//! (30 messages a second, one a second per chat) so 429s stay rare.
//!
//! A sent alert's reference is `chat:message`; an alert that edits one replaces its text and
//! removes its buttons.

use super::keyboard;
use crate::push::{MessageRef, Push, PushError, Pusher};
use async_trait::async_trait;
use teloxide::prelude::*;
use teloxide::types::MessageId;
use teloxide::{ApiError, RequestError};

pub struct TelegramPusher {
    pub bot: Bot,
}

#[async_trait]
impl Pusher for TelegramPusher {
    async fn send(&self, push: &Push) -> Result<Option<String>, PushError> {
        let chat_id: i64 = push.recipient("telegram")?;
        let mut first = None;
        for message in keyboard::render(&push.reply) {
            let sent = super::send(&self.bot, ChatId(chat_id), &message).await.map_err(classify)?;
            first.get_or_insert(MessageRef { chat: sent.chat.id.0, message: i64::from(sent.id.0) }.to_string());
        }
        Ok(first)
    }

    /// Replaces the text of a sent message with the alert's, without buttons.
    async fn edit(&self, sent: &MessageRef, push: &Push) -> Result<(), PushError> {
        let message = i32::try_from(sent.message)
            .map_err(|_| PushError::Permanent(format!("not a telegram message id: {}", sent.message)))?;
        let text = keyboard::render(&push.reply).into_iter().next().map(|message| message.text).unwrap_or_default();
        match self.bot.edit_message_text(ChatId(sent.chat), MessageId(message), text).await {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }

    /// Telegram's broadcast limits are 30 messages a second in all and one a second per chat;
    /// we keep a little under both, so that a request arriving a few milliseconds late or early
    /// (and the replies to people chatting meanwhile) does not cross them.
    fn pace(&self) -> crate::push::pace::Pace {
        crate::push::pace::Pace { per_second: Some(28), per_chat: Some(std::time::Duration::from_millis(1050)) }
    }
}

fn classify(error: RequestError) -> PushError {
    match error {
        RequestError::RetryAfter(seconds) => PushError::RetryAfter(seconds.duration()),
        RequestError::Network(_) | RequestError::Io(_) => PushError::Transient(error.to_string()),
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
