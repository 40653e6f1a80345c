//! The Telegram adapter: updates in (webhook `POST /telegram/webhook`, or long polling when no
//! public URL is configured), the conversation's replies out through the Bot API, and alerts
//! pushed to every Telegram chat a person linked.
//!
//! teloxide is used as a typed Bot API client and for its update types; the conversation layer
//! is the dispatcher, so the same rules serve Kakao, Telegram and the rest, and its state lives
//! in our own `conversation` table rather than a teloxide storage.
//!
//! A button press moves the pressed message on in place (`editMessageText`, or
//! `editMessageReplyMarkup` when only the buttons change); a refusal is shown as an alert on the
//! press and leaves the message alone. Every callback query is answered, also when nothing
//! happens, so the client stops spinning. Callback data is only ever a command to re-check.
//!
//! Every answer carries personal data (bookings, points, link codes), so in a group, supergroup
//! or channel nothing is answered there: the reply goes to the person's private chat with the
//! bot, and the group only hears that it did — or, when the person never opened a private chat
//! with the bot (Telegram refuses a bot that writes first), a prompt to open one.
//!
//! A webhook call counts as delivered once its turn ran: if sending the answer fails, the
//! effect is already committed, so the call still gets 200 rather than a retry that would
//! repeat the turn.

pub mod commands;
pub mod keyboard;
pub mod polling;
pub mod pusher;
pub mod webhook;

use crate::config::{Config, Secret};
use crate::conversation::reply::shorten;
use crate::conversation::{ChatUser, Conversation, Input, Reply, ReplyKind};
use crate::identity::Platform;
use anyhow::Context;
use keyboard::Outgoing;
use resort_core::i18n::Locale;
use resort_core::shutdown::Shutdown;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, CallbackQuery, MessageId, UpdateKind};
use teloxide::{ApiError, RequestError};

/// How long one turn may take before the person gets an apology instead.
const TURN_BUDGET: Duration = Duration::from_secs(10);
/// Telegram's limit for the text of a callback answer.
const MAX_ALERT_CHARS: usize = 200;

pub struct Telegram {
    pub bot: Bot,
    pub conversation: Conversation,
    /// What `X-Telegram-Bot-Api-Secret-Token` must say; no webhook call is accepted without one.
    pub webhook_secret: Option<Secret>,
    pub webhook_url: Option<reqwest::Url>,
    /// The bot's username, once `getMe` told it (for the link to a private chat).
    username: std::sync::OnceLock<String>,
}

impl Telegram {
    /// The adapter for the configured bot, or `None` when no token is set.
    pub fn from_config(config: &Config, conversation: Conversation) -> anyhow::Result<Option<Self>> {
        let Some(token) = &config.telegram_bot_token else {
            return Ok(None);
        };
        let api_url = reqwest::Url::parse(config.telegram_api_url.trim_end_matches('/'))
            .context("TELEGRAM_API_URL is not a URL")?;
        let webhook_url = config
            .telegram_webhook_url
            .as_deref()
            .map(reqwest::Url::parse)
            .transpose()
            .context("TELEGRAM_WEBHOOK_URL is not a URL")?;
        let webhook_secret = match (&config.telegram_webhook_secret, &webhook_url) {
            (Some(secret), _) => Some(secret.clone()),
            // Registered with setWebhook at start, so Telegram learns it from us.
            (None, Some(_)) => Some(Secret::new(uuid::Uuid::new_v4().simple().to_string())),
            (None, None) => None,
        };
        if let Some(secret) = &webhook_secret
            && !webhook::is_valid_secret(secret.expose())
        {
            anyhow::bail!("TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A-Z, a-z, 0-9, _ and -");
        }
        let bot = Bot::new(token.expose()).set_api_url(api_url);
        Ok(Some(Self { bot, conversation, webhook_secret, webhook_url, username: std::sync::OnceLock::new() }))
    }

    /// Registers the bot with Telegram (commands, and the webhook or its removal), retrying
    /// until it works, then long-polls when there is no webhook. Returns at shutdown.
    pub async fn run(&self, mut shutdown: Shutdown) {
        let mut backoff = Duration::from_millis(500);
        loop {
            match self.register().await {
                Ok(()) => break,
                Err(error) => tracing::warn!(%error, "registering the telegram bot failed; trying again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.wait() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
        if self.webhook_url.is_none() {
            polling::run(self, shutdown).await;
        }
    }

    async fn register(&self) -> Result<(), RequestError> {
        let me = self.bot.get_me().await?;
        let _ = self.username.set(me.username().to_owned());
        tracing::info!(
            username = %me.username(),
            "telegram bot ready; people link with /link CODE or https://t.me/{}?start=CODE",
            me.username()
        );
        self.bot.set_my_commands(commands::menu(Locale::Ko)).await?;
        self.bot.set_my_commands(commands::menu(Locale::Ko)).language_code("ko").await?;
        self.bot.set_my_commands(commands::menu(Locale::En)).language_code("en").await?;
        match (&self.webhook_url, &self.webhook_secret) {
            (Some(url), Some(secret)) => {
                self.bot
                    .set_webhook(url.clone())
                    .secret_token(secret.expose())
                    .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
                    .await?;
            }
            // getUpdates is refused while a webhook is set.
            _ => {
                self.bot.delete_webhook().await?;
            }
        }
        Ok(())
    }

    /// One update, whatever it is; anything but a message or a button press is ignored.
    pub async fn handle(&self, update: Update) {
        match update.kind {
            UpdateKind::Message(message) => self.on_message(message).await,
            UpdateKind::CallbackQuery(query) => self.on_press(query).await,
            UpdateKind::Error(_) => {
                tracing::warn!(update_id = update.id.0, "telegram update could not be read; ignored")
            }
            _ => tracing::debug!(update_id = update.id.0, "telegram update of another kind ignored"),
        }
    }

    async fn on_message(&self, message: Message) {
        let Some(from) = message.from.as_ref().filter(|from| !from.is_bot) else {
            return;
        };
        let user = chat_user(from);
        let text = message.text().or(message.caption()).unwrap_or_default();
        let reply = self.conversation.turn(&user, Input::Text(text.to_owned()), TURN_BUDGET).await;
        if message.chat.is_private() {
            self.send_all(message.chat.id, &keyboard::render(&reply)).await;
        } else {
            self.answer_privately(&user, from.id, message.chat.id, &reply).await;
        }
    }

    /// Sends a reply to the person's private chat instead of the group it was asked in, and
    /// tells the group only whether it went.
    async fn answer_privately(&self, user: &ChatUser, person: UserId, group: ChatId, reply: &Reply) {
        let locale = user.locale_hint.unwrap_or_default();
        let note = if self.send_all(ChatId(person.0 as i64), &keyboard::render(reply)).await {
            locale.text("telegram-answered-privately")
        } else {
            let link = self.username.get().map(|name| format!("https://t.me/{name}")).unwrap_or_default();
            locale.text_with("telegram-open-private-chat", &[resort_core::i18n::text_arg("link", link)])
        };
        if let Err(error) = self.bot.send_message(group, note).await {
            tracing::warn!(%error, chat_id = group.0, "could not send a note to a telegram group");
        }
    }

    async fn on_press(&self, query: CallbackQuery) {
        let user = chat_user(&query.from);
        let reply = match query.data.as_deref() {
            Some(data) => self.conversation.turn(&user, Input::Press(data.to_owned()), TURN_BUDGET).await,
            None => Reply::default(),
        };
        let pressed = query.regular_message();
        let chat_id = pressed.map_or(ChatId(query.from.id.0 as i64), |message| message.chat.id);
        // A press on a message in a group is answered in private, like a message there.
        let in_group = pressed.is_some_and(|message| !message.chat.is_private());
        let (pressed, chat_id) = if in_group { (None, ChatId(query.from.id.0 as i64)) } else { (pressed, chat_id) };
        let mut answer = self.bot.answer_callback_query(query.id.clone());
        if reply.kind == ReplyKind::Refusal {
            answer = answer.text(shorten(&reply.plain_text(), MAX_ALERT_CHARS)).show_alert(true);
        }
        if let Err(error) = answer.await {
            tracing::warn!(%error, "could not answer a telegram callback query");
        }
        if reply.kind == ReplyKind::Refusal {
            // An alert has no buttons: what a refusal offers to do next (join the waitlist for
            // a full day) follows as a message of its own; the pressed message stays as it was.
            let offers: Vec<_> = reply
                .messages
                .iter()
                .filter(|message| !message.buttons.is_empty() && message.calendar.is_none())
                .cloned()
                .collect();
            if !offers.is_empty() {
                let offers = Reply { messages: offers, ..Reply::default() };
                self.send_all(chat_id, &keyboard::render(&offers)).await;
            }
            return;
        }
        let mut outgoing = keyboard::render(&reply);
        if reply.kind == ReplyKind::Update
            && let Some(pressed) = pressed
            && !outgoing.is_empty()
        {
            let first = outgoing.remove(0);
            if !self.edit(chat_id, pressed.id, pressed.text(), &first).await {
                outgoing.insert(0, first);
            }
        }
        self.send_all(chat_id, &outgoing).await;
    }

    /// Replaces a pressed message; `false` when it could not be edited (then it is sent anew).
    async fn edit(&self, chat_id: ChatId, message_id: MessageId, old_text: Option<&str>, new: &Outgoing) -> bool {
        let result = if old_text == Some(new.text.as_str()) {
            let mut request = self.bot.edit_message_reply_markup(chat_id, message_id);
            if let Some(keyboard) = &new.keyboard {
                request = request.reply_markup(keyboard.clone());
            }
            request.await.map(drop)
        } else {
            // Without a keyboard the edit removes the old buttons.
            let mut request = self.bot.edit_message_text(chat_id, message_id, new.text.clone());
            if let Some(keyboard) = &new.keyboard {
                request = request.reply_markup(keyboard.clone());
            }
            request.await.map(drop)
        };
        match result {
            Ok(()) | Err(RequestError::Api(ApiError::MessageNotModified)) => true,
            Err(error) => {
                tracing::warn!(%error, "could not edit a telegram message; sending the answer anew");
                false
            }
        }
    }

    /// Sends the messages in order; `false` if one could not be sent (the rest are not tried).
    async fn send_all(&self, chat_id: ChatId, messages: &[Outgoing]) -> bool {
        for message in messages {
            if let Err(error) = send(&self.bot, chat_id, message).await {
                tracing::warn!(%error, chat_id = chat_id.0, "could not send a telegram reply");
                return false;
            }
        }
        true
    }
}

/// Sends one message; returns it as Telegram has it.
pub async fn send(bot: &Bot, chat_id: ChatId, message: &Outgoing) -> Result<Message, RequestError> {
    let mut request = bot.send_message(chat_id, message.text.clone());
    if let Some(keyboard) = &message.keyboard {
        request = request.reply_markup(keyboard.clone());
    }
    request.await
}

fn chat_user(from: &teloxide::types::User) -> ChatUser {
    ChatUser {
        platform: Platform::Telegram,
        user_id: from.id.0.to_string(),
        locale_hint: from.language_code.as_deref().and_then(Locale::from_hint),
    }
}
