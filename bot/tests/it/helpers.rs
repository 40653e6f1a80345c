//! `spawn_app()`: the real application on port 0 with a fresh SQLite file, a manual clock and
//! the Kakao stand-in; plus drivers that talk to it the way Kakao and an admin would.

use super::kakao_standin::{BOT_ID, KakaoStandIn, REST_API_KEY, push_button};
use chrono::Utc;
use resort_core::clock::ManualClock;
use resort_core::db::Pool;
use resort_core::shutdown::ShutdownTrigger;
use resortbot::config::{Config, Secret};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub const ADMIN_TOKEN: &str = "admin-token";
pub const SKILL_SECRET: &str = "skill-secret";

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub pool: Pool,
    pub clock: Arc<ManualClock>,
    pub kakao: KakaoStandIn,
    pub http: reqwest::Client,
    shutdown: Option<ShutdownTrigger>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Set when the app runs as a separate `resortbot` process.
    child: Option<tokio::process::Child>,
    directory: std::sync::Arc<tempfile::TempDir>,
    /// The server to drop this test's database from, on PostgreSQL.
    postgres_server: Option<String>,
    /// The broker URL and name prefix whose topology is removed afterwards.
    broker: Option<(String, String)>,
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

/// Whether this is the PostgreSQL run of the suite (the `postgres` test target includes the
/// same modules as `it`; only the database differs).
pub fn on_postgres() -> bool {
    module_path!().starts_with("postgres::")
}

/// A database of its own for one test: a SQLite file in the test's directory, or a new
/// PostgreSQL database on the server of `TEST_DATABASE_URL`.
async fn fresh_database(directory: &std::path::Path) -> (String, Option<String>) {
    if !on_postgres() {
        return (format!("sqlite://{}", directory.join("resortbot.db").display()), None);
    }
    let (url, server) = fresh_postgres_database().await;
    (url, Some(server))
}

/// A new PostgreSQL database on the server of `TEST_DATABASE_URL`; returns its URL and the
/// server's, to drop it afterwards.
pub async fn fresh_postgres_database() -> (String, String) {
    let server =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("resortbot_test_{}", uuid::Uuid::new_v4().simple());
    let admin = resort_core::db::connect(&server).await.expect("TEST_DATABASE_URL reaches a PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    admin.close().await;
    let (base, _) = server.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
    (format!("{base}/{name}"), server)
}

/// Drops a test's PostgreSQL database, on a thread of its own since `Drop` cannot wait.
fn drop_database(server: String, database_url: &str) {
    let name = database_url.rsplit('/').next().unwrap_or_default().to_owned();
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            if let Ok(admin) = resort_core::db::connect(&server).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&admin)
                    .await;
            }
        })
    })
    .join();
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The consumer roles, whose queues a RabbitMQ test removes afterwards.
const QUEUES: &[&str] = &["point", "hotel", "mypage", "booking", "notifier"];

/// The app with its messages going through the RabbitMQ broker of `TEST_AMQP_URL` (default the
/// local one), under a name prefix of its own that is deleted afterwards.
/// The RabbitMQ broker of `TEST_AMQP_URL` with a fresh name prefix.
pub fn fresh_broker() -> (String, String) {
    let url = std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    (url, format!("test.{}.", uuid::Uuid::new_v4().simple()))
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

/// Removes a test's exchanges and queues, on a thread of its own since `Drop` cannot wait.
fn delete_topology(url: String, prefix: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            if let Ok(bus) = resort_core::bus::AmqpBus::connect(&url, &prefix).await {
                let _ = bus.delete_topology(QUEUES).await;
            }
        })
    })
    .join();
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

/// The real `resortbot` binary as a child process on a fresh database.
pub async fn spawn_process() -> TestApp {
    spawn_process_with_env(&[]).await
}

/// [`spawn_process`] with more environment variables for the process.
pub async fn spawn_process_with_env(env: &[(&str, &str)]) -> TestApp {
    let directory = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let kakao = KakaoStandIn::start().await;
    let (database_url, postgres_server) = fresh_database(directory.path()).await;
    let mut env = env.to_vec();
    env.push(("RUST_LOG", "warn"));
    let (child, address) = start_role_with_env(directory.path(), &database_url, &kakao, None, &[], &env).await;
    let mut app = process_app(directory, database_url, kakao, child, address).await;
    app.postgres_server = postgres_server;
    app
}

async fn start_process(
    directory: std::sync::Arc<tempfile::TempDir>,
    database_url: String,
    kakao: KakaoStandIn,
) -> TestApp {
    let (child, address) = start_role(directory.path(), &database_url, &kakao, None, &[]).await;
    process_app(directory, database_url, kakao, child, address).await
}

/// A [`TestApp`] around a running process (the gateway, or everything).
pub async fn process_app(
    directory: std::sync::Arc<tempfile::TempDir>,
    database_url: String,
    kakao: KakaoStandIn,
    child: tokio::process::Child,
    address: String,
) -> TestApp {
    let pool = resort_core::db::connect(&database_url).await.unwrap();
    TestApp {
        address,
        database_url,
        pool,
        clock: Arc::new(ManualClock::new(Utc::now())),
        kakao,
        http: reqwest::Client::new(),
        shutdown: None,
        running: None,
        child: Some(child),
        directory,
        postgres_server: None,
        broker: None,
    }
}

/// The real binary running `args` (a role, or nothing for all of them), optionally on RabbitMQ
/// (`broker` = URL and name prefix); returns once it answers `/healthz`.
pub async fn start_role(
    directory: &std::path::Path,
    database_url: &str,
    kakao: &KakaoStandIn,
    broker: Option<&(String, String)>,
    args: &[&str],
) -> (tokio::process::Child, String) {
    start_role_with_env(directory, database_url, kakao, broker, args, &[("RUST_LOG", "warn")]).await
}

/// [`start_role`] with more environment variables (they win over the usual ones).
pub async fn start_role_with_env(
    directory: &std::path::Path,
    database_url: &str,
    kakao: &KakaoStandIn,
    broker: Option<&(String, String)>,
    args: &[&str],
    env: &[(&str, &str)],
) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = test_config(database_url, kakao);
    let log = std::fs::OpenOptions::new().create(true).append(true).open(directory.join("resortbot.log")).unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_resortbot"));
    match broker {
        Some((url, prefix)) => command.env("AMQP_URL", url).env("AMQP_PREFIX", prefix),
        None => command.env_remove("AMQP_URL").env_remove("AMQP_PREFIX"),
    };
    let child = command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("KAKAO_SKILL_SECRET", SKILL_SECRET)
        .env("KAKAO_BOT_ID", BOT_ID)
        .env("KAKAO_REST_API_KEY", REST_API_KEY)
        .env("KAKAO_EVENT_API_URL", kakao.url.as_str())
        .env("SEED_DEMO", "false")
        .env("POLL_INTERVAL_MS", config.poll_interval_ms.to_string())
        .env("APPROVAL_TIMER_INTERVAL_MS", config.approval_timer_interval_ms.to_string())
        .envs(env.iter().copied())
        .current_dir(directory)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the resortbot binary starts");
    let address = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_until("the process answers /healthz", || async {
        http.get(format!("{address}/healthz")).send().await.is_ok()
    })
    .await;
    (child, address)
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

    /// Kills the process outright (SIGKILL): no shutdown code runs.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("only a process can be killed");
        child.kill().await.unwrap();
    }

    /// Sends SIGTERM, as Kubernetes does at a pod's end, and waits for the process to exit;
    /// returns whether it exited cleanly and how long it took.
    pub async fn terminate(&mut self) -> (bool, std::time::Duration) {
        let mut child = self.child.take().expect("only a process can be terminated");
        let pid = child.id().expect("the process is running").to_string();
        let started = std::time::Instant::now();
        let sent = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
        assert!(sent.success());
        let status = child.wait().await.unwrap();
        (status.success(), started.elapsed())
    }

    /// Starts the binary again on the same database and the same Kakao stand-in; the new
    /// handle takes over dropping the database.
    pub async fn restart_process(&mut self) -> TestApp {
        let mut restarted = start_process(self.directory.clone(), self.database_url.clone(), self.kakao.clone()).await;
        restarted.postgres_server = self.postgres_server.take();
        restarted
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

    pub async fn kakao_raw(&self, body: Vec<u8>, secret: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/kakao/skill", self.address))
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            request = request.header("X-Kakao-Skill-Secret", secret);
        }
        let response = request.timeout(Duration::from_secs(5)).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn kakao(&self, user_key: &str, utterance: &str, press: Option<&str>, lang: &str) -> Value {
        let mut payload = json!({
            "intent": { "id": "i", "name": "fallback" },
            "userRequest": { "timezone": "Asia/Seoul", "utterance": utterance, "lang": lang,
                             "user": { "id": user_key, "type": "botUserKey", "properties": { "botUserKey": user_key } } },
            "bot": { "id": BOT_ID, "name": "resortbot" },
            "action": { "id": "a", "name": "skill", "params": {}, "detailParams": {} },
        });
        if let Some(press) = press {
            payload["action"]["clientExtra"] = json!({ "cmd": press });
            payload["flow"] = json!({ "trigger": { "type": "CARD_BUTTON_BLOCK" } });
        }
        let (status, body) = self.kakao_raw(serde_json::to_vec(&payload).unwrap(), Some(SKILL_SECRET)).await;
        assert_eq!(status, 200, "{body}");
        assert_valid_template(&body);
        body
    }

    /// Sends a typed message; returns the whole response text.
    pub async fn say(&self, user_key: &str, utterance: &str) -> String {
        template_text(&self.kakao(user_key, utterance, None, "ko").await)
    }

    pub async fn say_in(&self, user_key: &str, utterance: &str, lang: &str) -> String {
        template_text(&self.kakao(user_key, utterance, None, lang).await)
    }

    /// Presses a button (its payload arrives as `clientExtra.cmd`).
    pub async fn press(&self, user_key: &str, press: &str) -> String {
        template_text(&self.kakao(user_key, "", Some(press), "ko").await)
    }

    pub async fn say_full(&self, user_key: &str, utterance: &str) -> Value {
        self.kakao(user_key, utterance, None, "ko").await
    }

    pub async fn press_full(&self, user_key: &str, press: &str) -> Value {
        self.kakao(user_key, "", Some(press), "ko").await
    }

    // ── Admin API ────────────────────────────────────────────────────────────────────────────

    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.address)).bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn create_resort(&self, body: Value) -> String {
        let (status, resort) = self.admin(reqwest::Method::POST, "/resorts", Some(body)).await;
        assert_eq!(status, 201, "{resort}");
        resort["id"].as_str().unwrap().to_owned()
    }

    /// An employee with `points`, linked from the Kakao account `user_key`.
    pub async fn linked_employee(&self, user_key: &str, name: &str, points: i64) -> String {
        let (status, employee) = self
            .admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": user_key, "name": name })))
            .await;
        assert_eq!(status, 201, "{employee}");
        let id = employee["id"].as_str().unwrap().to_owned();
        if points > 0 {
            let grant = json!({ "amount": points, "reason": "test" });
            assert_eq!(self.admin(reqwest::Method::POST, &format!("/employees/{id}/points"), Some(grant)).await.0, 202);
            self.wait_for_points(&id, points).await;
        }
        let linked = self.say(user_key, &format!("연결 {}", employee["link_code"].as_str().unwrap())).await;
        assert!(linked.contains("연결되었습니다"), "{linked}");
        // The chat shows the mypage view of the balance, which follows the ledger on its own time.
        if points > 0 {
            let expected = format!("{points}포인트");
            wait_until("the chat shows the granted points", || async {
                self.say(user_key, "포인트").await.contains(&expected)
            })
            .await;
        }
        id
    }

    pub async fn make_manager(&self, resort_id: &str, employee_id: &str) {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/resorts/{resort_id}/managers"),
                Some(json!({ "employee_id": employee_id })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    /// Approval requests whose sent message the platform's reference was kept for.
    pub async fn editable_approval_requests(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_message WHERE kind = 'approval_request' AND platform_ref IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// Alerts to one chat account that the push loop gave up on.
    pub async fn failed_pushes(&self, platform: &str, user_id: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_message WHERE platform = $1 AND platform_user_id = $2 AND failed_at IS NOT NULL",
        )
        .bind(platform)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    pub async fn points(&self, employee_id: &str) -> i64 {
        self.admin(reqwest::Method::GET, &format!("/employees/{employee_id}"), None).await.1["points"].as_i64().unwrap()
    }

    pub async fn wait_for_points(&self, employee_id: &str, expected: i64) {
        let mut last = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            last = self.points(employee_id).await;
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("balance of {employee_id} stayed {last}, expected {expected}");
    }

    pub async fn booking(&self, reference: &str) -> Value {
        let (_, bookings) = self.admin(reqwest::Method::GET, "/bookings", None).await;
        bookings
            .as_array()
            .unwrap()
            .iter()
            .find(|booking| booking["reference"] == reference)
            .cloned()
            .unwrap_or(Value::Null)
    }

    pub async fn bookings(&self) -> Vec<Value> {
        self.admin(reqwest::Method::GET, "/bookings", None).await.1.as_array().unwrap().clone()
    }

    /// Waits until the booking reaches `status`, and returns it.
    pub async fn wait_for_status(&self, reference: &str, status: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let booking = self.booking(reference).await;
            if booking["status"] == status {
                return booking;
            }
            assert!(tokio::time::Instant::now() < deadline, "booking {reference} is {booking}, expected {status}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
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

/// The reference ("R" and six symbols) in a reply.
pub fn reference_in(text: &str) -> String {
    let position = text
        .find("참조번호 ")
        .or_else(|| text.find("Reference "))
        .unwrap_or_else(|| panic!("no reference in {text:?}"));
    let after = &text[position..];
    let start = after.find('R').unwrap();
    after[start..start + 7].to_owned()
}

/// Every text of a skill response, outputs and quick-reply labels excluded.
pub fn template_text(body: &Value) -> String {
    let outputs = body["template"]["outputs"].as_array().cloned().unwrap_or_default();
    outputs
        .iter()
        .map(|output| {
            output["simpleText"]["text"]
                .as_str()
                .or_else(|| output["textCard"]["description"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every button and quick reply of a skill response as (label, press).
pub fn template_buttons(body: &Value) -> Vec<(String, String)> {
    let template = &body["template"];
    let mut all = Vec::new();
    for output in template["outputs"].as_array().cloned().unwrap_or_default() {
        for button in output["textCard"]["buttons"].as_array().cloned().unwrap_or_default() {
            all.push(button);
        }
    }
    all.extend(template["quickReplies"].as_array().cloned().unwrap_or_default());
    all.iter()
        .map(|button| {
            (button["label"].as_str().unwrap().to_owned(), button["extra"]["cmd"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// What Kakao's builder would refuse: the checks of the platform's documented limits.
pub fn assert_valid_template(body: &Value) {
    assert_eq!(body["version"], "2.0", "{body}");
    let outputs = body["template"]["outputs"].as_array().expect("outputs");
    assert!((1..=3).contains(&outputs.len()), "{body}");
    for output in outputs {
        if let Some(text) = output["simpleText"]["text"].as_str() {
            assert!(text.chars().count() <= 1000);
        } else {
            let card = &output["textCard"];
            assert!(card["description"].as_str().unwrap().chars().count() <= 400, "{body}");
            let buttons = card["buttons"].as_array().unwrap();
            assert!(buttons.len() <= 3);
            for button in buttons {
                assert!(button["label"].as_str().unwrap().chars().count() <= 14);
                assert!(button["action"] == "message" && button["messageText"].is_string());
            }
        }
    }
    let quick = body["template"]["quickReplies"].as_array().cloned().unwrap_or_default();
    assert!(quick.len() <= 10, "{body}");
    for reply in quick {
        assert!(reply["label"].as_str().unwrap().chars().count() <= 14);
    }
}

/// Polls `condition` until it holds, failing the test after 15 s.
pub async fn wait_until<F, Fut>(what: &str, condition: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !condition().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The usual cast: 제주 바람 (manager approval, run by 이매니저 on Kakao account `lee`), 설악 오션
/// (approved automatically) and 김휴가 with 1000 points on account `kim`; returns kim's id.
pub async fn two_resorts_an_employee_and_a_manager(app: &TestApp) -> String {
    let approval_resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&approval_resort, &manager).await;
    kim
}

/// kim books 설악 오션 (2 nights, auto) and 제주 바람 (1 night), which lee approves from the
/// pushed button; returns both references once both are confirmed.
pub async fn book_auto_and_approved(app: &TestApp) -> (String, String) {
    let auto = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(app, 10))).await);
    let approved = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(app, 20))).await);
    let request = app.kakao.wait_for("lee", &approved).await;
    app.press("lee", &push_button(&request, "승인")).await;
    app.wait_for_status(&auto, "confirmed").await;
    app.wait_for_status(&approved, "confirmed").await;
    (auto, approved)
}

/// A check-in date `days` from the app's today.
pub fn in_days(app: &TestApp, days: u64) -> String {
    use resort_core::clock::Clock;
    (app.clock.today() + chrono::Days::new(days)).to_string()
}

/// A resort for tests: auto-approve unless said otherwise.
pub fn resort_body(name: &str, rooms: i64, auto_approve: bool) -> Value {
    json!({ "name": name, "region": "강원", "rooms": rooms, "points_per_night": 100, "max_nights": 5,
            "auto_approve": auto_approve, "approval_hours": 24, "free_cancel_days": 7, "late_refund_percent": 50 })
}

/// A Kakao caller that survives the app going away: for traffic aimed at a process that is
/// about to be killed.
pub struct Client {
    address: String,
    http: reqwest::Client,
}

impl Client {
    pub fn of(app: &TestApp) -> Self {
        Self::at(&app.address)
    }

    /// A caller of the skill webhook at `address` (another gateway replica).
    pub fn at(address: &str) -> Self {
        Self { address: address.to_owned(), http: reqwest::Client::new() }
    }

    /// The reply text, or `None` if the process did not answer.
    pub async fn try_say(&self, user_key: &str, utterance: &str) -> Option<String> {
        let payload = json!({ "userRequest": { "utterance": utterance, "lang": "ko", "user": { "id": user_key } }, "bot": { "id": BOT_ID } });
        let response = self
            .http
            .post(format!("{}/kakao/skill", self.address))
            .header("X-Kakao-Skill-Secret", SKILL_SECRET)
            .json(&payload)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(template_text(&response.json().await.ok()?))
    }
}
