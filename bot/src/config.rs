//! The one configuration of the process, read once from the environment (and `.env`) in
//! `main` and passed down. Every variable is listed in the README and `.env.example`.
//! Secrets are wrapped in [`Secret`], whose `Debug` prints nothing of them.

use clap::{CommandFactory, FromArgMatches, Parser};
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// Discord's REST API; any other base URL is a stand-in.
pub const DISCORD_API_URL: &str = "https://discord.com";

#[derive(Debug, Clone, Parser)]
#[command(name = "resortbot", version, about = "Book the company's holiday resorts by chat")]
pub struct Config {
    /// What to run.
    #[command(subcommand)]
    pub role: Option<Role>,

    /// Database: `sqlite://FILE` (embedded default) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://resortbot.db")]
    pub database_url: String,

    /// RabbitMQ, e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`. Unset: the in-process bus.
    #[arg(long, env = "AMQP_URL")]
    pub amqp_url: Option<String>,

    /// Prefix of every exchange and queue name, so several deployments can share a broker.
    #[arg(long, env = "AMQP_PREFIX", default_value = "")]
    pub amqp_prefix: String,

    /// `json`: one JSON object per log line, with the fields of the span it was written in (a
    /// consumer's lines carry the booking's `correlation_id`). Anything else: readable text.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,

    /// Log filter in `tracing-subscriber`'s syntax (e.g. `info,sqlx=warn`).
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn")]
    pub log_filter: String,

    /// Address the HTTP server listens on.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: String,

    /// HTTP connections served at once; more wait in the accept queue until one closes.
    #[arg(long, env = "HTTP_MAX_CONNECTIONS", default_value_t = 512)]
    pub http_max_connections: usize,

    /// How long a client may take to send a request's headers, and how long an idle keep-alive
    /// connection stays open, in milliseconds.
    #[arg(long, env = "HTTP_HEADER_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub http_header_timeout_ms: u64,

    /// Bearer token of the admin API. Unset: a random token is made and printed at start.
    #[arg(long, env = "ADMIN_TOKEN")]
    pub admin_token: Option<Secret>,

    /// Bearer token `/metrics` wants (give it to the scraper). Unset: the admin token.
    #[arg(long, env = "METRICS_TOKEN")]
    pub metrics_token: Option<Secret>,

    /// Let the Kakao skill webhook take unauthenticated calls outside the embedded demo (no
    /// `KAKAO_SKILL_SECRET`). Without it, such a gateway refuses to start.
    #[arg(long, env = "KAKAO_ALLOW_UNAUTHENTICATED", default_value_t = false, action = clap::ArgAction::Set)]
    pub kakao_allow_unauthenticated: bool,

    /// Shared secret Kakao sends in `X-Kakao-Skill-Secret`. Unset: skill calls are not
    /// authenticated (a warning is logged); set it in every deployment.
    #[arg(long, env = "KAKAO_SKILL_SECRET")]
    pub kakao_skill_secret: Option<Secret>,

    /// The Kakao bot id: skill calls naming another bot are refused, and alerts go to it.
    #[arg(long, env = "KAKAO_BOT_ID")]
    pub kakao_bot_id: Option<String>,

    /// REST API key of the Kakao app, for the Event API (`Authorization: KakaoAK ...`).
    #[arg(long, env = "KAKAO_REST_API_KEY")]
    pub kakao_rest_api_key: Option<Secret>,

    /// Base URL of the Kakao bot API (tests point it at a stand-in).
    #[arg(long, env = "KAKAO_EVENT_API_URL", default_value = "https://bot-api.kakao.com")]
    pub kakao_event_api_url: String,

    /// Name of the event block that shows resortbot's alerts.
    #[arg(long, env = "KAKAO_EVENT_NAME", default_value = "resortbot_alert")]
    pub kakao_event_name: String,

    /// Token of the Telegram bot (from @BotFather). Unset: no Telegram.
    #[arg(long, env = "TELEGRAM_BOT_TOKEN")]
    pub telegram_bot_token: Option<Secret>,

    /// Base URL of the Telegram Bot API (tests point it at a stand-in).
    #[arg(long, env = "TELEGRAM_API_URL", default_value = "https://api.telegram.org")]
    pub telegram_api_url: String,

    /// Public URL of `POST /telegram/webhook`, registered with `setWebhook` at start. Unset:
    /// the bot long-polls `getUpdates` instead, which works from a laptop.
    #[arg(long, env = "TELEGRAM_WEBHOOK_URL")]
    pub telegram_webhook_url: Option<String>,

    /// Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (1–256 of `A-Z a-z 0-9 _ -`).
    /// Unset with a webhook URL: a random one is made at start and registered.
    #[arg(long, env = "TELEGRAM_WEBHOOK_SECRET")]
    pub telegram_webhook_secret: Option<Secret>,

    /// Token of the Discord bot, for command registration and DMs. Discord is on when this,
    /// `DISCORD_APPLICATION_ID` and `DISCORD_PUBLIC_KEY` are all set.
    #[arg(long, env = "DISCORD_BOT_TOKEN")]
    pub discord_bot_token: Option<Secret>,

    /// The Discord application's id.
    #[arg(long, env = "DISCORD_APPLICATION_ID")]
    pub discord_application_id: Option<u64>,

    /// The application's Ed25519 public key (hex), to verify `POST /discord/interactions`.
    #[arg(long, env = "DISCORD_PUBLIC_KEY")]
    pub discord_public_key: Option<String>,

    /// Register the slash commands to this server only (instant) instead of globally.
    #[arg(long, env = "DISCORD_GUILD_ID")]
    pub discord_guild_id: Option<u64>,

    /// Base URL of Discord's REST API (tests point it at a stand-in).
    #[arg(long, env = "DISCORD_API_URL", default_value = DISCORD_API_URL)]
    pub discord_api_url: String,

    /// Serve the web chat console and the dashboard (`/`, `/dashboard`). Unset: on when
    /// everything runs in one process without RabbitMQ (the embedded mode), off otherwise.
    #[arg(long, env = "CONSOLE_ENABLED")]
    pub console_enabled: Option<bool>,

    /// Seed demo resorts and people into an empty database.
    #[arg(long, env = "SEED_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// How often the durable timers (approval deadlines, lottery draws) look for what is due, in
    /// milliseconds.
    #[arg(long, env = "APPROVAL_TIMER_INTERVAL_MS", default_value_t = 5000)]
    pub approval_timer_interval_ms: u64,

    /// How often the outbox relay and the push loop look for work they were not woken for.
    #[arg(long, env = "POLL_INTERVAL_MS", default_value_t = 500)]
    pub poll_interval_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Subcommand)]
pub enum Role {
    /// Everything in one process (the default).
    All,
    /// The gateway: webhooks, admin API, the booking saga, the approval timer and the notifier.
    Gateway,
    /// One worker: point, hotel or mypage.
    Worker {
        #[arg(value_enum)]
        kind: WorkerKind,
    },
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorkerKind {
    Point,
    Hotel,
    Mypage,
}

impl Role {
    /// Whether this process talks to people: webhooks, admin API, alerts, demo data.
    pub fn is_gateway(self) -> bool {
        matches!(self, Role::All | Role::Gateway)
    }
}

impl Config {
    /// The defaults with no environment, for tests and tools.
    pub fn defaults() -> Self {
        Self::parse_from(["resortbot"])
    }

    /// The configuration from the command line and the environment, where a variable set to
    /// nothing (`DISCORD_APPLICATION_ID=` in a `.env` copied from `.env.example`, or an empty
    /// key of a Kubernetes Secret) counts as unset rather than as an empty value.
    pub fn from_environment() -> Self {
        let command = without_blank_env(Self::command(), |name| std::env::var_os(name));
        let matches = command.get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}

/// The command with the environment variables that are set but empty taken out of it.
fn without_blank_env(
    command: clap::Command,
    lookup: impl Fn(&std::ffi::OsStr) -> Option<std::ffi::OsString>,
) -> clap::Command {
    command.mut_args(|arg| {
        let blank = arg.get_env().and_then(&lookup).is_some_and(|value| value.is_empty());
        if blank { arg.env(None) } else { arg }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{OsStr, OsString};

    #[test]
    fn a_blank_variable_is_unset_and_a_set_one_still_counts() {
        let environment = |name: &OsStr| match name.to_str() {
            Some("DISCORD_APPLICATION_ID" | "CONSOLE_ENABLED" | "AMQP_URL") => Some(OsString::new()),
            _ => None,
        };
        let command = without_blank_env(Config::command(), environment);
        let discord = command.get_arguments().find(|arg| arg.get_id() == "discord_application_id").unwrap();
        assert_eq!(discord.get_env(), None);
        let database = command.get_arguments().find(|arg| arg.get_id() == "database_url").unwrap();
        assert_eq!(database.get_env(), Some(OsStr::new("DATABASE_URL")));
    }
}
