//! The Discord adapter, on the HTTP interactions model (no gateway connection): slash commands
//! and component presses arrive signed at `POST /discord/interactions`, replies go back in the
//! HTTP response, alerts go out as DMs through serenity's REST client.
//!
//! Every invocation and press becomes a turn of the conversation layer — a slash command as
//! the text command of the same name, a button or select option as its press — so the rules,
//! and the re-authorisation of every press, are the same as on every other platform. Replies
//! are ephemeral (they carry personal data); a press that moves a dialog on updates the message
//! it was on (type 7), a refusal is an ephemeral note and leaves that message alone.
//!
//! Discord wants the first answer within 3 s. A turn that is not done in [`ANSWER_WITHIN`] is
//! answered with a deferral, and its reply edits that answer when it is ready.

pub mod commands;
pub mod components;
pub mod interactions;
pub mod pusher;

use crate::config::{self, Config, Secret};
use crate::conversation::{ChatUser, Conversation, Input, Reply, ReplyKind};
use crate::identity::Platform;
use anyhow::Context;
use components::Outgoing;
use resort_core::i18n::Locale;
use resort_core::shutdown::Shutdown;
use serenity::all::{
    ApplicationId, Builder, Command, ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, GuildId, Http, HttpBuilder, Interaction,
};
use serenity::interactions_endpoint::Verifier;
use std::sync::Arc;
use std::time::Duration;

/// How long a turn may run before the interaction is deferred (Discord's limit is 3 s).
const ANSWER_WITHIN: Duration = Duration::from_millis(2200);
/// A deferred turn still gets an apology after this long.
const TURN_BUDGET: Duration = Duration::from_secs(10);

pub struct Discord {
    pub http: Arc<Http>,
    pub(crate) verifier: Verifier,
    conversation: Conversation,
    guild_id: Option<GuildId>,
}

impl Discord {
    /// The adapter for the configured application, or `None` when Discord is not configured.
    pub fn from_config(config: &Config, conversation: Conversation) -> anyhow::Result<Option<Self>> {
        let public_key = config.discord_public_key.as_deref();
        let (token, application_id, public_key) =
            match (&config.discord_bot_token, config.discord_application_id, public_key) {
                (None, None, None) => return Ok(None),
                (Some(token), Some(application_id), Some(public_key)) => (token, application_id, public_key),
                _ => {
                    anyhow::bail!(
                        "Discord needs DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and DISCORD_PUBLIC_KEY together"
                    )
                }
            };
        let verifier = Verifier::try_new(parse_public_key(public_key)?)
            .map_err(|_| anyhow::anyhow!("DISCORD_PUBLIC_KEY is not an Ed25519 public key"))?;
        Ok(Some(Self {
            http: Arc::new(http_client(token, application_id, &config.discord_api_url)),
            verifier,
            conversation,
            guild_id: config.discord_guild_id.map(GuildId::new),
        }))
    }

    /// Registers the slash commands, retrying until it works or the process stops.
    pub async fn run(&self, mut shutdown: Shutdown) {
        let mut backoff = Duration::from_millis(500);
        loop {
            let registered = match self.guild_id {
                Some(guild) => guild.set_commands(&self.http, commands::definitions()).await,
                None => Command::set_global_commands(&self.http, commands::definitions()).await,
            };
            match registered {
                Ok(_) => return,
                Err(error) => tracing::warn!(%error, "registering the Discord commands failed; trying again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.wait() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
    }

    /// The answer to one verified interaction, or `None` when this interaction was delivered
    /// before (a replay: nothing is done).
    pub async fn answer(self: &Arc<Self>, interaction: Interaction) -> Option<CreateInteractionResponse> {
        let (user, input, token, is_press) = match &interaction {
            Interaction::Ping(_) => return Some(CreateInteractionResponse::Pong),
            Interaction::Command(command) => {
                let user = chat_user(&command.user.id.to_string(), &command.locale);
                (user, Input::Text(commands::as_text(command)), command.token.clone(), false)
            }
            Interaction::Component(press) => {
                let user = chat_user(&press.user.id.to_string(), &press.locale);
                (user, Input::Press(pressed(press)), press.token.clone(), true)
            }
            // Nothing offers autocompletion or modals; answer without effect.
            Interaction::Autocomplete(_) => {
                return Some(CreateInteractionResponse::Autocomplete(Default::default()));
            }
            _ => return Some(CreateInteractionResponse::Acknowledge),
        };
        let this = Arc::clone(self);
        let turn_user = user.clone();
        let interaction_id = interaction.id().to_string();
        let mut turn = tokio::spawn(async move { this.turn(&interaction_id, &turn_user, input).await });
        Some(match tokio::time::timeout(ANSWER_WITHIN, &mut turn).await {
            Ok(Ok(Some(reply))) => self.respond(reply, is_press),
            Ok(Ok(None)) => return None,
            Ok(Err(error)) => {
                tracing::error!(%error, "discord turn panicked");
                message(&Reply::text(user.locale_hint.unwrap_or_default().text("error-internal")))
            }
            Err(_) => {
                let this = Arc::clone(self);
                tokio::spawn(async move {
                    if let Ok(Some(reply)) = turn.await {
                        this.complete_deferred(&token, &reply).await;
                    }
                });
                if is_press {
                    CreateInteractionResponse::Acknowledge
                } else {
                    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true))
                }
            }
        })
    }

    /// The turn of an interaction seen for the first time; `None` for one delivered before.
    async fn turn(&self, interaction_id: &str, user: &ChatUser, input: Input) -> Option<Reply> {
        let locale = user.locale_hint.unwrap_or_default();
        let conversation = &self.conversation;
        // Discord signs a timestamp that counts as fresh five minutes either side of now, so
        // the id is remembered for ten minutes from now.
        let now = conversation.clock.now_millis();
        let until = now + 2 * interactions::MAX_CLOCK_DISTANCE_SECONDS * 1000;
        match crate::replay::first_sighting(&conversation.pool, "discord", interaction_id, now, until).await {
            Ok(true) => Some(conversation.turn(user, input, TURN_BUDGET).await),
            Ok(false) => {
                tracing::warn!(interaction = %interaction_id, "a discord interaction was delivered again; refused");
                None
            }
            Err(error) => {
                tracing::error!(%error, "could not remember a discord interaction");
                Some(Reply::text(locale.text("error-internal")))
            }
        }
    }

    /// The response for a reply ready in time.
    fn respond(&self, reply: Reply, is_press: bool) -> CreateInteractionResponse {
        if is_press && reply.messages.is_empty() {
            // A press on something that only decorates.
            return CreateInteractionResponse::Acknowledge;
        }
        let Outgoing { content, rows } = components::render_one(&reply);
        let data = CreateInteractionResponseMessage::new().content(content).components(rows);
        match (is_press, reply.kind) {
            (true, ReplyKind::Update) => CreateInteractionResponse::UpdateMessage(data),
            _ => CreateInteractionResponse::Message(data.ephemeral(true)),
        }
    }

    /// Edits a deferred answer into the reply (for a press, the message it was on).
    async fn complete_deferred(&self, token: &str, reply: &Reply) {
        let Outgoing { content, rows } = components::render_one(reply);
        let edit = EditInteractionResponse::new().content(content).components(rows);
        if let Err(error) = edit.execute(&self.http, token).await {
            tracing::warn!(%error, "could not complete a deferred discord interaction");
        }
    }
}

/// An ephemeral message.
fn message(reply: &Reply) -> CreateInteractionResponse {
    let Outgoing { content, rows } = components::render_one(reply);
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new().content(content).components(rows).ephemeral(true),
    )
}

/// The press behind a component: a button's custom id, or the chosen option of a select.
fn pressed(press: &ComponentInteraction) -> String {
    match &press.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values.first().cloned().unwrap_or_default(),
        _ => press.data.custom_id.clone(),
    }
}

fn chat_user(user_id: &str, locale: &str) -> ChatUser {
    ChatUser { platform: Platform::Discord, user_id: user_id.to_owned(), locale_hint: Locale::from_hint(locale) }
}

fn parse_public_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|index| hex.get(index..index + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<_>>()
        .context("DISCORD_PUBLIC_KEY is not hex")?;
    bytes.try_into().map_err(|_| anyhow::anyhow!("DISCORD_PUBLIC_KEY is not 32 bytes"))
}

/// serenity's client; pointed at another base URL (a stand-in), its rate limiter must be off,
/// since the limiter sends to discord.com whatever the proxy says.
fn http_client(token: &Secret, application_id: u64, api_url: &str) -> Http {
    let builder = HttpBuilder::new(token.expose()).application_id(ApplicationId::new(application_id));
    let api_url = api_url.trim_end_matches('/');
    if api_url == config::DISCORD_API_URL {
        builder.build()
    } else {
        builder.proxy(api_url).ratelimiter_disabled(true).build()
    }
}
