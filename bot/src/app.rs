//! Assembling the process: the database, the bus, every consumer and loop, and the HTTP
//! server, all joined under one shutdown signal.
//!
//! [`run`] is what `main` calls and what the tests call with a listener on port 0, a fresh
//! database and, where time matters, a manual clock.

use crate::booking::BookingDesk;
use crate::config::{Config, Role, Secret, WorkerKind};
use crate::console::hub::ConsoleHub;
use crate::console::pusher::ConsolePusher;
use crate::conversation::Conversation;
use crate::discord::Discord;
use crate::discord::pusher::DiscordPusher;
use crate::identity::Platform;
use crate::kakao::event_api::KakaoEventApi;
use crate::push::{PushLoop, PushSignal, Pusher};
use crate::telegram::Telegram;
use crate::telegram::pusher::TelegramPusher;
use crate::{admin, booking, console, discord, health, kakao, notifier, seed, telegram};
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use resort_core::bus::{AmqpBus, InProcessBus, Transport};
use resort_core::clock::SharedClock;
use resort_core::db::{self, Pool};
use resort_core::inbox::{ConsumerContext, RetryPolicy};
use resort_core::outbox::{OutboxSignal, Relay};
use resort_core::shutdown::Shutdown;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Webhook bodies are small; anything larger is refused before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Batches each consumer handles at once. One: a consumer's batches touch the same rows (a
/// night's rooms, an employee's balance, a booking's version), so on PostgreSQL concurrent
/// batches mostly deadlock or conflict and fall back to one message at a time (measured: about
/// five times slower). The batch itself is what makes a consumer fast; the roles still run in
/// parallel with each other.
const CONSUMER_CONCURRENCY: usize = 1;
/// How long shutdown waits for open HTTP connections: well inside the pod's 45 s grace period,
/// leaving time for the consumers to finish what they hold.
const HTTP_DRAIN: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub clock: SharedClock,
    pub desk: BookingDesk,
    pub conversation: Conversation,
    pub outbox_signal: OutboxSignal,
    pub admin_token: Secret,
    /// The broker connection, when messages travel through RabbitMQ.
    pub broker: Option<Arc<AmqpBus>>,
    /// The Telegram bot, when a token is configured.
    pub telegram: Option<Arc<Telegram>>,
    /// The Discord application, when configured.
    pub discord: Option<Arc<Discord>>,
    /// The web console's sessions and open tabs.
    pub console: Arc<ConsoleHub>,
}

pub fn router(state: AppState) -> Router {
    let console = if console_enabled(&state.config) { console::router() } else { Router::new() };
    Router::new()
        .merge(console)
        .route("/kakao/skill", post(kakao::skill))
        .route("/telegram/webhook", post(telegram::webhook::receive))
        .route("/discord/interactions", post(discord::interactions::receive))
        .nest("/api/v1", admin::router(state.clone()))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route_layer(axum::middleware::from_fn(health::track_requests))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// `/healthz`, `/readyz` and `/metrics` alone, for worker processes.
pub fn health_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route_layer(axum::middleware::from_fn(health::track_requests))
        .with_state(state)
}

/// Runs the configured role (every role by default) in this process until `shutdown` fires, then waits for the loops to finish
/// what they hold.
pub async fn run(config: Config, clock: SharedClock, listener: TcpListener, shutdown: Shutdown) -> anyhow::Result<()> {
    let role = config.role.unwrap_or(Role::All);
    if role != Role::All && config.amqp_url.is_none() {
        anyhow::bail!("a single role reaches the others only through RabbitMQ: set AMQP_URL (or run `resortbot all`)");
    }
    let pool = db::connect_and_migrate(&config.database_url).await.context("opening the database")?;
    if role.is_gateway() {
        crate::booking::claim_nights_of_older_bookings(&pool).await.context("claiming the nights of older bookings")?;
        crate::catalog::key_older_names(&pool).await.context("keying the names of older resorts")?;
    }
    if config.seed_demo && role.is_gateway() {
        seed::seed_if_empty(&pool, &clock, listener.local_addr().context("reading the listen address")?)
            .await
            .context("seeding demo data")?;
    }
    let admin_token = config.admin_token.clone().unwrap_or_else(|| {
        let token = Secret::new(uuid::Uuid::new_v4().simple().to_string());
        tracing::warn!(token = token.expose(), "ADMIN_TOKEN is not set; generated one for this run");
        token
    });
    if role.is_gateway() && config.kakao_skill_secret.is_none() {
        // The embedded demo stays easy to try; anything else is never silently open.
        let demo = role == Role::All && config.seed_demo;
        if !demo && !config.kakao_allow_unauthenticated {
            anyhow::bail!(
                "KAKAO_SKILL_SECRET is not set: outside the embedded demo the Kakao skill webhook needs it \
                 (or KAKAO_ALLOW_UNAUTHENTICATED=true to accept unauthenticated calls)"
            );
        }
        tracing::warn!("KAKAO_SKILL_SECRET is not set; the Kakao skill webhook accepts unauthenticated calls");
    }
    let poll_interval = Duration::from_millis(config.poll_interval_ms);
    let outbox_signal = OutboxSignal::new();
    let push_signal = PushSignal::default();
    let broker = match &config.amqp_url {
        Some(url) => {
            Some(Arc::new(AmqpBus::connect(url, &config.amqp_prefix).await.context("connecting to RabbitMQ")?))
        }
        None => None,
    };
    let transport: Arc<dyn Transport> = match &broker {
        Some(broker) => broker.clone(),
        None => Arc::new(InProcessBus::new()),
    };
    let context = ConsumerContext {
        pool: pool.clone(),
        transport: transport.clone(),
        clock: clock.clone(),
        outbox_signal: outbox_signal.clone(),
        retry: RetryPolicy::default(),
        concurrency: CONSUMER_CONCURRENCY,
    };
    let consumers = match role {
        Role::All => vec![
            resort_workers::point::consumer(),
            resort_workers::hotel::consumer(),
            resort_workers::mypage::consumer(),
            booking::orchestrator::consumer(clock.clone(), push_signal.clone()),
            notifier::consumer(clock.clone(), push_signal.clone()),
        ],
        Role::Gateway => {
            vec![
                booking::orchestrator::consumer(clock.clone(), push_signal.clone()),
                notifier::consumer(clock.clone(), push_signal.clone()),
            ]
        }
        Role::Worker { kind: WorkerKind::Point } => vec![resort_workers::point::consumer()],
        Role::Worker { kind: WorkerKind::Hotel } => vec![resort_workers::hotel::consumer()],
        Role::Worker { kind: WorkerKind::Mypage } => vec![resort_workers::mypage::consumer()],
        Role::Migrate => Vec::new(),
    };
    let mut loops = Vec::new();
    for consumer in consumers {
        let name = consumer.name;
        loops.push(
            consumer
                .start(context.clone(), shutdown.clone())
                .await
                .with_context(|| format!("subscribing consumer {name}"))?,
        );
    }
    let reads = resort_core::db::readers(&pool).await.context("opening the read connections")?;
    let desk = BookingDesk::new(pool.clone(), clock.clone(), outbox_signal.clone()).with_reads(reads);
    let relay = Relay::new(pool.clone(), transport, clock.clone(), outbox_signal.clone(), poll_interval);
    loops.push(tokio::spawn(relay.run(shutdown.clone())));
    let conversation = Conversation { pool: pool.clone(), clock: clock.clone(), desk: desk.clone() };
    let console_hub = Arc::new(ConsoleHub::default());
    let (telegram, discord) = match role.is_gateway() {
        true => (
            Telegram::from_config(&config, conversation.clone())?.map(Arc::new),
            Discord::from_config(&config, conversation.clone())?.map(Arc::new),
        ),
        false => (None, None),
    };
    if role.is_gateway() {
        let timer_interval = Duration::from_millis(config.approval_timer_interval_ms);
        loops.push(tokio::spawn(timers(&desk, push_signal.clone()).run(timer_interval, shutdown.clone())));
        let push_loop = PushLoop::new(
            pool.clone(),
            clock.clone(),
            pushers(&config, telegram.as_deref(), discord.as_deref(), &console_hub),
            push_signal,
            poll_interval,
        );
        loops.push(tokio::spawn(push_loop.run(shutdown.clone())));
    }
    if let Some(telegram) = telegram.clone() {
        let shutdown = shutdown.clone();
        loops.push(tokio::spawn(async move { telegram.run(shutdown).await }));
    }
    if let Some(discord) = discord.clone() {
        let shutdown = shutdown.clone();
        loops.push(tokio::spawn(async move { discord.run(shutdown).await }));
    }

    let state = AppState {
        config: Arc::new(config),
        pool: pool.clone(),
        clock,
        desk,
        conversation,
        outbox_signal,
        admin_token,
        broker,
        telegram,
        discord,
        console: console_hub,
    };
    let server_shutdown = shutdown.clone();
    let limits = crate::server::Limits {
        max_connections: state.config.http_max_connections,
        header_timeout: Duration::from_millis(state.config.http_header_timeout_ms),
        drain: HTTP_DRAIN,
    };
    // A worker serves only its health endpoints.
    if role.is_gateway() && console_enabled(&state.config) {
        let address = listener.local_addr().context("reading the listen address")?;
        tracing::info!("web console at http://{address}/ and the dashboard at http://{address}/dashboard");
    }
    let console = state.console.clone();
    let routes = if role.is_gateway() { router(state) } else { health_router(state) };
    crate::server::serve(listener, routes, limits, server_shutdown, move || console.close()).await;
    for handle in loops {
        handle.await.context("a background loop panicked")?;
    }
    pool.close().await;
    Ok(())
}

/// The chat platforms alerts can go to, as configured.
fn pushers(
    config: &Config,
    telegram: Option<&Telegram>,
    discord: Option<&Discord>,
    console: &Arc<ConsoleHub>,
) -> HashMap<Platform, Arc<dyn Pusher>> {
    let mut pushers: HashMap<Platform, Arc<dyn Pusher>> = HashMap::new();
    match (&config.kakao_bot_id, &config.kakao_rest_api_key) {
        (Some(bot_id), Some(key)) => {
            let api = KakaoEventApi::new(&config.kakao_event_api_url, bot_id, key.expose(), &config.kakao_event_name);
            pushers.insert(Platform::Kakao, Arc::new(api));
        }
        _ => tracing::warn!("KAKAO_BOT_ID or KAKAO_REST_API_KEY is not set; Kakao users get no alerts"),
    }
    if let Some(telegram) = telegram {
        pushers.insert(Platform::Telegram, Arc::new(TelegramPusher { bot: telegram.bot.clone() }));
    }
    if let Some(discord) = discord {
        pushers.insert(Platform::Discord, Arc::new(DiscordPusher { http: discord.http.clone() }));
    }
    if console_enabled(config) {
        pushers.insert(Platform::Console, Arc::new(ConsolePusher { hub: console.clone() }));
    }
    pushers
}

/// The console is on in the embedded mode unless switched off, and off elsewhere unless
/// switched on.
fn console_enabled(config: &Config) -> bool {
    let embedded = matches!(config.role, None | Some(Role::All)) && config.amqp_url.is_none();
    config.console_enabled.unwrap_or(embedded)
}

/// The gateway's durable timers and what each kind does: approval deadlines, lottery draws and
/// waitlist offers' deadlines.
pub fn timers(desk: &BookingDesk, push_signal: PushSignal) -> resort_core::timer::Timers {
    resort_core::timer::Timers::new(
        desk.pool.clone(),
        desk.clock.clone(),
        vec![
            booking::timer::approval_deadline(desk),
            crate::lottery::draw::handler(desk, push_signal.clone()),
            crate::waitlist::offer::expiry(desk, push_signal),
        ],
    )
}
