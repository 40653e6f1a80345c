//! The broker itself restarted in the middle of a stream of bookings. The test runs a private
//! RabbitMQ node of its own (own ports, own data directory, own epmd), so stopping it disturbs
//! nobody else, and removes it afterwards.

use super::helpers::{in_days, reference_in, resort_body, spawn_app_with};
use std::process::{Command, Stdio};
use std::time::Duration;

const SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const CONTROL: &str = "/usr/lib/rabbitmq/bin/rabbitmqctl";

struct PrivateBroker {
    directory: tempfile::TempDir,
    /// The server processes started, reaped when the node is removed.
    servers: std::sync::Mutex<Vec<std::process::Child>>,
    node: String,
    amqp_port: u16,
    epmd_port: u16,
    dist_port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl PrivateBroker {
    fn new() -> Self {
        let directory = tempfile::tempdir().unwrap();
        let (amqp_port, epmd_port, dist_port) = (free_port(), free_port(), free_port());
        for folder in ["mnesia", "log", "home"] {
            std::fs::create_dir_all(directory.path().join(folder)).unwrap();
        }
        std::fs::write(
            directory.path().join("rabbitmq.conf"),
            format!("listeners.tcp.default = 127.0.0.1:{amqp_port}\nloopback_users = none\n"),
        )
        .unwrap();
        std::fs::write(directory.path().join("enabled_plugins"), "[].\n").unwrap();
        let node = format!("resortbot{}@localhost", uuid::Uuid::new_v4().simple());
        Self { directory, servers: std::sync::Mutex::default(), node, amqp_port, epmd_port, dist_port }
    }

    fn command(&self, program: &str) -> Command {
        let path = self.directory.path();
        let mut command = Command::new(program);
        command
            .env("HOME", path.join("home"))
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", self.amqp_port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", path.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", path.join("log"))
            .env("RABBITMQ_CONFIG_FILE", path.join("rabbitmq.conf"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", path.join("enabled_plugins"))
            .env("RABBITMQ_PID_FILE", path.join("rabbit.pid"))
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    fn control(&self, args: &[&str]) -> bool {
        let pid_file = self.directory.path().join("rabbit.pid");
        let mut command = self.command(CONTROL);
        command.args(["-n", &self.node]).args(args).arg(pid_file);
        command.status().is_ok_and(|status| status.success())
    }

    /// Starts the node and waits until it accepts connections.
    async fn start(&self) {
        let server = self.command(SERVER).spawn().expect("rabbitmq-server starts");
        self.servers.lock().unwrap().push(server);
        let waited = tokio::task::block_in_place(|| self.control(&["wait", "--timeout", "120"]));
        assert!(waited, "the private RabbitMQ node came up");
    }

    async fn stop(&self) {
        assert!(tokio::task::block_in_place(|| self.control(&["stop"])), "the private RabbitMQ node stopped");
    }

    fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.amqp_port)
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.control(&["stop"]);
        for mut server in self.servers.lock().unwrap().drain(..) {
            let _ = server.kill();
            let _ = server.wait();
        }
        let _ = Command::new("epmd")
            .args(["-port", &self.epmd_port.to_string(), "-kill"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_stream_loses_nothing_and_applies_nothing_twice() {
    let broker = PrivateBroker::new();
    broker.start().await;
    let url = broker.url();
    let app = spawn_app_with(|config| config.amqp_url = Some(url)).await;
    app.create_resort(resort_body("설악 오션", 50, true)).await;
    let mut employees = Vec::new();
    for index in 0..4 {
        employees.push(app.linked_employee(&format!("guest{index}"), &format!("손님{index}"), 1000).await);
    }
    let first = reference_in(&app.say("guest0", &format!("예약 설악 오션 {} 1박", in_days(&app, 3))).await);
    app.wait_for_status(&first, "confirmed").await;

    // Bookings keep arriving while the broker goes down and comes back.
    let client = std::sync::Arc::new(super::helpers::Client::of(&app));
    let stream = tokio::spawn({
        let client = client.clone();
        let nights: Vec<String> = (10..14).map(|days| in_days(&app, days)).collect();
        async move {
            let mut references = Vec::new();
            for (round, night) in nights.iter().enumerate() {
                for index in 0..4 {
                    let answer =
                        client.try_say(&format!("guest{index}"), &format!("예약 설악 오션 {night} 1박")).await.unwrap();
                    references.push(reference_in(&answer));
                }
                tokio::time::sleep(Duration::from_millis(300 * (round as u64 + 1))).await;
            }
            references
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    broker.stop().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    broker.start().await;
    let references = stream.await.unwrap();
    assert_eq!(references.len(), 16, "the gateway accepted every booking during the outage");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let bookings = app.bookings().await;
        if bookings.len() == 17 && bookings.iter().all(|booking| booking["status"] == "confirmed") {
            break;
        }
        if tokio::time::Instant::now() >= deadline {
            let (_, dead_letters) = app.admin(reqwest::Method::GET, "/dead-letters", None).await;
            let unpublished = unpublished(&app.pool).await;
            panic!(
                "not every booking was confirmed: {bookings:#?}\ndead letters: {dead_letters:#}\nunpublished: {unpublished:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.wait_for_points(&employees[0], 500).await;
    for employee in &employees[1..] {
        app.wait_for_points(employee, 600).await;
    }
    // The alerts follow the saga on their own time (the notifier's subscription may still be
    // reconnecting); each must arrive.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for reference in references.iter().chain([&first]) {
        let told = |pushes: Vec<serde_json::Value>| {
            pushes.iter().any(|push| {
                super::kakao_standin::push_text(push).contains(&format!("확정되었습니다. 참조번호 {reference}"))
            })
        };
        while !told(app.kakao.pushes()) {
            if tokio::time::Instant::now() >= deadline {
                let alerts: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT kind, sent_at, failed_at FROM push_message WHERE booking_id = (SELECT id FROM booking WHERE reference = $1)",
                )
                .bind(reference)
                .fetch_all(&app.pool)
                .await
                .unwrap();
                let unpublished = unpublished(&app.pool).await;
                panic!(
                    "{reference} was confirmed but nobody was told; its alerts: {alerts:?}; unpublished: {unpublished:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The outbox rows not published yet, with their claims: where a lost message would be.
async fn unpublished(pool: &resort_core::db::Pool) -> Vec<(String, Option<i64>)> {
    sqlx::query_as("SELECT message_type, claimed_until FROM outbox_message WHERE published_at IS NULL")
        .fetch_all(pool)
        .await
        .unwrap()
}
