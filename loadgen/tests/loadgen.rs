//! `resortbot-loadgen` run as an operator runs it, against the workspace's own `resortbot`
//! binary: embedded (SQLite, one process), and four processes over PostgreSQL and RabbitMQ
//! (`TEST_DATABASE_URL`, `TEST_AMQP_URL`). It must book through the service, see every
//! confirmation pushed, find the invariants intact and say so.

use std::path::PathBuf;

/// `cargo test --workspace` builds every binary before it runs a test, so `resortbot` is in the
/// same directory as this package's binary.
fn resortbot() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_resortbot-loadgen")).with_file_name("resortbot")
}

async fn run(database_url: &str, amqp_url: Option<&str>) -> String {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_resortbot-loadgen"));
    command.args([
        "--bookings",
        "60",
        "--concurrency",
        "8",
        "--employees",
        "6",
        "--runs",
        "1",
        "--probe-messages",
        "300",
    ]);
    command.arg("--resortbot").arg(resortbot()).env("DATABASE_URL", database_url);
    match amqp_url {
        Some(url) => command.env("AMQP_URL", url),
        None => command.env_remove("AMQP_URL"),
    };
    let output = command.kill_on_drop(true).output().await.unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("sent 60, accepted 60, confirmed 60 (60 pushed)"), "{printed}");
    assert!(printed.contains("invariants hold"), "{printed}");
    assert!(printed.contains("median of 1 runs"), "{printed}");
    assert!(printed.contains("point.deduct → point: 60 messages"), "{printed}");
    printed
}

#[tokio::test]
async fn the_load_generator_books_through_the_embedded_service_and_checks_the_invariants() {
    let printed = run("sqlite://unused.db", None).await;
    assert!(printed.contains("every role in one process"), "{printed}");
}

#[tokio::test]
async fn the_load_generator_books_through_four_processes_on_postgres_and_rabbitmq() {
    let server =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let broker = std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let printed = run(&server, Some(&broker)).await;
    assert!(printed.contains("four processes"), "{printed}");
    assert!(printed.contains("raw broker round trip"), "{printed}");
}
