//! The application in this process: `spawn_app()` on port 0 with a fresh database, a manual
//! clock starting at a fixed instant and the Kakao stand-in; its configuration; its end.

use super::*;

pub const ADMIN_TOKEN: &str = "admin-token";
pub const SKILL_SECRET: &str = "skill-secret";

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub pool: Pool,
    pub clock: Arc<ManualClock>,
    pub kakao: KakaoStandIn,
    pub http: reqwest::Client,
    pub(super) shutdown: Option<ShutdownTrigger>,
    pub(super) running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Set when the app runs as a separate `resortbot` process.
    pub(super) child: Option<tokio::process::Child>,
    pub(super) directory: std::sync::Arc<tempfile::TempDir>,
    /// The server to drop this test's database from, on PostgreSQL.
    pub(super) postgres_server: Option<String>,
    /// The broker URL and name prefix whose topology is removed afterwards.
    pub(super) broker: Option<(String, String)>,
}

/// The configuration every test app starts from: everything on, nothing seeded.
pub fn test_config(database_url: &str, kakao: &KakaoStandIn) -> Config {
    let mut config = Config::defaults();
    // Nothing from the environment decides where a test's data and messages go.
    config.role = None;
    config.amqp_url = None;
    config.amqp_prefix = String::new();
    config.database_url = database_url.to_owned();
    config.seed_demo = false;
    config.admin_token = Some(Secret::new(ADMIN_TOKEN));
    config.kakao_skill_secret = Some(Secret::new(SKILL_SECRET));
    config.kakao_allow_unauthenticated = false;
    config.metrics_token = None;
    config.kakao_bot_id = Some(BOT_ID.to_owned());
    config.kakao_rest_api_key = Some(Secret::new(REST_API_KEY));
    config.kakao_event_api_url = kakao.url.clone();
    config.telegram_bot_token = None;
    config.telegram_webhook_url = None;
    config.telegram_webhook_secret = None;
    config.discord_bot_token = None;
    config.discord_application_id = None;
    config.discord_public_key = None;
    config.discord_guild_id = None;
    config.console_enabled = None;
    config.approval_timer_interval_ms = 50;
    config.poll_interval_ms = 100;
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_on_rabbitmq() -> TestApp {
    let (url, prefix) = fresh_broker();
    let mut app = spawn_app_with(|config| {
        config.amqp_url = Some(url.clone());
        config.amqp_prefix = prefix.clone();
    })
    .await;
    app.broker = Some((url, prefix));
    app
}

/// Where an in-process app's manual clock starts: a fixed instant (a Thursday in the middle of a
/// month, 10:00 in Korea), so that no test depends on the day it runs.
pub fn test_start() -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-10T01:00:00Z").expect("a valid instant").to_utc()
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_at(test_start(), adjust).await
}

/// The app with its manual clock starting at `start`, for tests whose assertions depend on the
/// calendar (what a month view shows, what lies within the next weeks).
pub async fn spawn_app_at(start: chrono::DateTime<Utc>, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let directory = tempfile::tempdir().unwrap();
    let (database_url, postgres_server) = fresh_database(directory.path()).await;
    let kakao = KakaoStandIn::start().await;
    let clock = Arc::new(ManualClock::new(start));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (trigger, shutdown) = resort_core::shutdown::channel();
    let mut config = test_config(&database_url, &kakao);
    adjust(&mut config);
    let running = tokio::spawn(resortbot::app::run(config, clock.clone(), listener, shutdown));
    let http = reqwest::Client::new();
    wait_until("the app answers /healthz", || async { http.get(format!("{address}/healthz")).send().await.is_ok() })
        .await;
    let pool = resort_core::db::connect(&database_url).await.unwrap();
    TestApp {
        address,
        database_url,
        pool,
        clock,
        kakao,
        http,
        shutdown: Some(trigger),
        running: Some(running),
        child: None,
        directory: std::sync::Arc::new(directory),
        postgres_server,
        broker: None,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(trigger) = self.shutdown.take() {
            trigger.trigger();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
        }
        if let Some(server) = self.postgres_server.take() {
            drop_database(server, &self.database_url);
        }
        if let Some((url, prefix)) = self.broker.take() {
            delete_topology(url, prefix);
        }
    }
}

impl TestApp {
    /// Hands this app the clean-up of a PostgreSQL database and a broker prefix.
    pub fn clean_up_afterwards(&mut self, postgres_server: String, broker: (String, String)) {
        self.postgres_server = Some(postgres_server);
        self.broker = Some(broker);
    }

    /// The broker name prefix of an app on RabbitMQ.
    pub fn broker_prefix(&self) -> Option<String> {
        self.broker.as_ref().map(|(_, prefix)| prefix.clone())
    }

    /// Stops the app gracefully and waits until every loop has returned.
    pub async fn stop(&mut self) {
        if let Some(trigger) = self.shutdown.take() {
            trigger.trigger();
        }
        if let Some(running) = self.running.take() {
            running.await.unwrap().unwrap();
        }
    }

    // ── Kakao, as the platform calls the skill ───────────────────────────────────────────────
}
