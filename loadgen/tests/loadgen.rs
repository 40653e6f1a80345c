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

/// Runs the load generator with `args`, expecting success; returns what it printed.
async fn loadgen(database_url: &str, amqp_url: Option<&str>, args: &[&str]) -> String {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_resortbot-loadgen"));
    command.args(args);
    command.arg("--resortbot").arg(resortbot()).env("DATABASE_URL", database_url);
    match amqp_url {
        Some(url) => command.env("AMQP_URL", url),
        None => command.env_remove("AMQP_URL"),
    };
    let output = command.kill_on_drop(true).output().await.unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    printed
}

/// The `--json` line: the last one, one object with every figure named.
fn json_line(printed: &str) -> serde_json::Value {
    let last = printed.lines().last().unwrap_or_default();
    let figures: serde_json::Value = serde_json::from_str(last).unwrap_or_else(|error| panic!("{error}: {last}"));
    for field in [
        "mode",
        "bookings",
        "confirmed",
        "confirmed_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "reply_p99_ms",
        "broker_round_trips_per_s",
        "db_commits_per_s",
        "messages_per_booking",
        "deliveries_per_booking",
        "statements_per_booking",
        "commits_per_booking",
        "inversions",
        "invariants_ok",
    ] {
        assert!(figures.get(field).is_some(), "{field} is missing: {figures}");
    }
    figures
}

async fn run(database_url: &str, amqp_url: Option<&str>) -> String {
    let printed = loadgen(
        database_url,
        amqp_url,
        &[
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
            "--count-statements",
            "--json",
        ],
    )
    .await;
    let figures = json_line(&printed);
    assert_eq!((figures["mode"].as_str(), figures["confirmed"].as_f64()), (Some("closed"), Some(60.0)), "{figures}");
    assert_eq!(figures["invariants_ok"], true);
    assert!(
        figures["db_commits_per_s"].as_f64().unwrap() > 0.0
            && figures["deliveries_per_booking"].as_f64().unwrap() > 0.0
    );
    // A booking is a request, two saga steps and the workers' writes: many statements, and
    // far fewer than a hundred.
    let statements = figures["statements_per_booking"].as_f64().unwrap();
    assert!((5.0..100.0).contains(&statements), "{figures}");
    assert!(printed.contains("sent 60, accepted 60, confirmed 60 (60 pushed)"), "{printed}");
    assert!(printed.contains("invariants hold"), "{printed}");
    assert!(printed.contains("median of 1 runs"), "{printed}");
    assert!(printed.contains("point.deduct → point: 60 messages"), "{printed}");
    // The gateway's memory is read from /proc: a figure, never "n/a", on this Linux machine.
    assert!(printed.contains(" MB when ready, ") && printed.contains(" MB at most"), "{printed}");
    printed
}

#[tokio::test]
async fn the_load_generator_books_through_the_embedded_service_and_checks_the_invariants() {
    let printed = run("sqlite://unused.db", None).await;
    assert!(printed.contains("every role in one process"), "{printed}");
    assert!(printed.contains("ready after start: all "), "{printed}");
    assert!(json_line(&printed)["commits_per_booking"].is_null(), "SQLite keeps no transaction counter");
}

/// The 09:00 rush, small: 150 people for 4 rooms within a second. Exactly 4 accepted and
/// confirmed, the rest turned away at once with their points untouched (the invariants), every
/// webhook answered, and no inversion.
#[tokio::test]
async fn the_rush_confirms_exactly_the_rooms_and_counts_inversions() {
    let args =
        ["--rush", "150", "--rooms", "4", "--concurrency", "16", "--runs", "1", "--probe-messages", "0", "--json"];
    let printed = loadgen("sqlite://unused.db", None, &args).await;
    assert!(printed.contains("rush of 150"), "{printed}");
    let figures = json_line(&printed);
    assert_eq!((figures["mode"].as_str(), figures["confirmed"].as_f64()), (Some("rush"), Some(4.0)), "{figures}");
    assert!(figures["statements_per_booking"].is_null(), "counted only when asked: {figures}");
    assert_eq!(figures["invariants_ok"], true, "{printed}");
    // Acceptance counts the rooms, so nobody accepted after a refusal is served: no inversion.
    assert_eq!(figures["inversions"].as_f64(), Some(0.0), "{figures}");
    assert!(figures["reply_p99_ms"].as_f64().unwrap() > 0.0, "{figures}");
    assert!(printed.contains("accepted 4, refused up front 146"), "{printed}");
}

#[tokio::test]
async fn the_load_generator_books_through_four_processes_on_postgres_and_rabbitmq() {
    let server =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let broker = std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let printed = run(&server, Some(&broker)).await;
    assert!(printed.contains("four processes"), "{printed}");
    assert!(printed.contains("ready after start: gateway "), "{printed}");
    assert!(printed.contains(", worker mypage "), "{printed}");
    assert!(printed.contains("raw broker round trip"), "{printed}");
    let figures = json_line(&printed);
    assert!(figures["commits_per_booking"].as_f64().unwrap() > 1.0, "a booking takes several transactions: {figures}");
    assert!(figures["broker_round_trips_per_s"].as_f64().unwrap() > 0.0);
}
