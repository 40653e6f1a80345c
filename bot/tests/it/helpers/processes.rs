//! The real `resortbot` binary as child processes: one role each or all of them, killed or
//! terminated, and a caller that survives them.

use super::*;

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

pub(super) async fn start_process(
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

impl TestApp {
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
}
