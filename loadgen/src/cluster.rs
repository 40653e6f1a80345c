//! The service under load: `resortbot` child processes on scratch storage, stopped and cleaned
//! up after each run, so runs do not see each other's data.

use anyhow::Context;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// SQL statements the services logged so far, over every run (only with `--count-statements`).
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// The statements counted so far; the difference of two readings is what happened between them.
pub fn statements_so_far() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

pub const ADMIN_TOKEN: &str = "loadgen";
pub const BOT_ID: &str = "loadgen-bot";
pub const SKILL_SECRET: &str = "loadgen-skill-secret";
const READY_DEADLINE: Duration = Duration::from_secs(60);
const STOP_DEADLINE: Duration = Duration::from_secs(30);

/// Where the runs put their data and messages, read from the loadgen's own configuration.
pub struct Layout {
    /// A PostgreSQL server on which each run creates (and drops) a database; `None`: SQLite files.
    postgres_server: Option<String>,
    amqp_url: Option<String>,
    /// The `resortbot` binary.
    resortbot: PathBuf,
    /// Whether the services log every statement for [`statements_so_far`] to count.
    count_statements: bool,
}

impl Layout {
    pub fn new(database_url: &str, amqp_url: Option<String>, resortbot: PathBuf, count_statements: bool) -> Self {
        let postgres_server = database_url.starts_with("postgres").then(|| database_url.to_owned());
        Self { postgres_server, amqp_url: amqp_url.filter(|url| !url.is_empty()), resortbot, count_statements }
    }

    pub fn counts_statements(&self) -> bool {
        self.count_statements
    }

    pub fn describe(&self) -> String {
        format!(
            "database {}, bus {}, {}",
            if self.postgres_server.is_some() { "PostgreSQL" } else { "SQLite" },
            if self.amqp_url.is_some() { "RabbitMQ" } else { "in-process" },
            if self.amqp_url.is_some() {
                "gateway and point, hotel and mypage workers as four processes"
            } else {
                "every role in one process"
            }
        )
    }
}

pub struct Broker {
    pub url: String,
    pub prefix: String,
}

pub struct Cluster {
    /// Base URL of the gateway's HTTP server.
    pub gateway: String,
    pub database_url: String,
    pub broker: Option<Broker>,
    processes: Vec<Child>,
    scratch: Scratch,
    resortbot: PathBuf,
    count_statements: bool,
    /// How long each role took from its start to a 200 from `/readyz`.
    ready_after: Vec<(String, Duration)>,
    /// The gateway's resident memory once every role was ready, in KiB (Linux only).
    rss_at_ready_kib: Option<u64>,
}

/// Storage to remove when the run ends.
enum Scratch {
    Directory(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server: String, name: String },
}

impl Cluster {
    pub async fn start(layout: &Layout, event_api_url: &str) -> anyhow::Result<Self> {
        let (database_url, scratch) = match &layout.postgres_server {
            Some(server) => {
                let name = format!("resortbot_loadgen_{}", uuid::Uuid::new_v4().simple());
                let admin = resort_core::db::connect(server).await.context("connecting to PostgreSQL")?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await?;
                admin.close().await;
                let (base, _) = server.rsplit_once('/').unwrap_or((server.as_str(), ""));
                (format!("{base}/{name}"), Scratch::Postgres { server: server.clone(), name })
            }
            None => {
                let directory = tempfile::tempdir()?;
                let url = format!("sqlite://{}", directory.path().join("loadgen.db").display());
                (url, Scratch::Directory(directory))
            }
        };
        let broker = layout
            .amqp_url
            .as_ref()
            .map(|url| Broker { url: url.clone(), prefix: format!("loadgen.{}.", uuid::Uuid::new_v4().simple()) });
        resort_core::db::connect_and_migrate(&database_url).await.context("migrating the scratch database")?;
        let roles: &[&[&str]] = match broker {
            Some(_) => &[&["gateway"], &["worker", "point"], &["worker", "hotel"], &["worker", "mypage"]],
            None => &[&["all"]],
        };
        let mut cluster = Self {
            gateway: String::new(),
            database_url,
            broker,
            processes: Vec::new(),
            scratch,
            resortbot: layout.resortbot.clone(),
            count_statements: layout.count_statements,
            ready_after: Vec::new(),
            rss_at_ready_kib: None,
        };
        for role in roles {
            let started = Instant::now();
            let address = cluster.spawn(role, event_api_url)?;
            wait_until_ready(&address).await.with_context(|| format!("starting `resortbot {}`", role.join(" ")))?;
            cluster.ready_after.push((role.join(" "), started.elapsed()));
            if cluster.gateway.is_empty() {
                cluster.gateway = address;
            }
        }
        cluster.rss_at_ready_kib = cluster.gateway_memory_kib("VmRSS");
        Ok(cluster)
    }

    /// When each role was ready and the gateway's memory: at ready, and the most it has held
    /// since it started (the kernel's high-water mark), read now.
    pub fn footprint(&self) -> String {
        let mib = |kib: Option<u64>| kib.map_or("n/a".to_owned(), |kib| format!("{:.0} MB", kib as f64 / 1024.0));
        let ready: Vec<String> =
            self.ready_after.iter().map(|(role, after)| format!("{role} {:.2} s", after.as_secs_f64())).collect();
        format!(
            "ready after start: {}; gateway RSS {} when ready, {} at most",
            ready.join(", "),
            mib(self.rss_at_ready_kib),
            mib(self.gateway_memory_kib("VmHWM")),
        )
    }

    /// A field of the gateway process's `/proc/PID/status`, in KiB.
    fn gateway_memory_kib(&self, field: &str) -> Option<u64> {
        let pid = self.processes.first()?.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|line| line.starts_with(&format!("{field}:")))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Starts one role; returns its base URL.
    fn spawn(&mut self, role: &[&str], event_api_url: &str) -> anyhow::Result<String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Command::new(&self.resortbot);
        command
            .args(role)
            .env("DATABASE_URL", &self.database_url)
            .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
            .env("ADMIN_TOKEN", ADMIN_TOKEN)
            .env("KAKAO_BOT_ID", BOT_ID)
            .env("KAKAO_SKILL_SECRET", SKILL_SECRET)
            .env("KAKAO_REST_API_KEY", "loadgen-key")
            .env("KAKAO_EVENT_API_URL", event_api_url)
            .env("SEED_DEMO", "false")
            .kill_on_drop(true);
        // The children's logs are kept only when asked for (`LOADGEN_CHILD_LOG`, a `RUST_LOG`
        // filter), on the load generator's standard error, so its own report stays readable.
        // Counting statements reads sqlx's log of each one instead.
        match (self.count_statements, std::env::var("LOADGEN_CHILD_LOG")) {
            (true, _) => command.env("RUST_LOG", "warn,sqlx::query=debug").stdout(Stdio::piped()),
            (false, Ok(filter)) => command.env("RUST_LOG", filter).stdout(Stdio::from(std::io::stderr())),
            (false, Err(_)) => command.env("RUST_LOG", "warn").stdout(Stdio::null()),
        };
        match &self.broker {
            Some(broker) => command.env("AMQP_URL", &broker.url).env("AMQP_PREFIX", &broker.prefix),
            None => command.env_remove("AMQP_URL"),
        };
        let mut child = command.spawn().context("starting a resortbot process")?;
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(count_statements(stdout));
        }
        self.processes.push(child);
        Ok(format!("http://127.0.0.1:{port}"))
    }

    /// Stops every process gracefully (SIGTERM, as an orchestrator would) and removes the scratch
    /// database and queues.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for process in &self.processes {
            if let Some(pid) = process.id() {
                let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status().await;
            }
        }
        for process in &mut self.processes {
            if tokio::time::timeout(STOP_DEADLINE, process.wait()).await.is_err() {
                process.kill().await?;
            }
        }
        if let Some(broker) = &self.broker {
            let bus = resort_core::bus::AmqpBus::connect(&broker.url, &broker.prefix).await?;
            bus.delete_topology(&["point", "hotel", "mypage", "booking", "notifier"]).await?;
        }
        if let Scratch::Postgres { server, name } = &self.scratch {
            let admin = resort_core::db::connect(server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&admin)
                .await?;
        }
        Ok(())
    }
}

/// Counts the lines sqlx logs for each statement a service runs, until the service exits.
async fn count_statements(stdout: tokio::process::ChildStdout) {
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("sqlx::query") {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn wait_until_ready(address: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + READY_DEADLINE;
    loop {
        let ready =
            http.get(format!("{address}/readyz")).send().await.is_ok_and(|response| response.status().is_success());
        if ready {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "{address}/readyz did not answer 200 within {READY_DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
