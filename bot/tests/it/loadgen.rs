//! `resortbot loadgen` run as an operator runs it: embedded in the SQLite run of the suite, four
//! processes over PostgreSQL and RabbitMQ in the PostgreSQL run. It must book through the
//! service, see every confirmation pushed, find the invariants intact and say so.

use super::helpers::{fresh_broker, on_postgres};

#[tokio::test]
async fn the_load_generator_books_through_the_service_and_checks_the_invariants() {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_resortbot"));
    command.args([
        "loadgen",
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
    if on_postgres() {
        let server =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        command.env("DATABASE_URL", server).env("AMQP_URL", fresh_broker().0);
    } else {
        command.env("DATABASE_URL", "sqlite://unused.db").env_remove("AMQP_URL");
    }
    let output = command.kill_on_drop(true).output().await.unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("sent 60, accepted 60, confirmed 60 (60 pushed)"), "{printed}");
    assert!(printed.contains("invariants hold"), "{printed}");
    assert!(printed.contains("median of 1 runs"), "{printed}");
    assert!(printed.contains("point.deduct → point: 60 messages"), "{printed}");
    if on_postgres() {
        assert!(printed.contains("four processes"), "{printed}");
        assert!(printed.contains("raw broker round trip"), "{printed}");
    } else {
        assert!(printed.contains("every role in one process"), "{printed}");
    }
}
