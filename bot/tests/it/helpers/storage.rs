//! Storage of one test: a SQLite file or a new PostgreSQL database, a broker name prefix, and
//! their removal afterwards.

/// Whether this is the PostgreSQL run of the suite (the `postgres` test target includes the
/// same modules as `it`; only the database differs).
pub fn on_postgres() -> bool {
    module_path!().starts_with("postgres::")
}

/// A database of its own for one test: a SQLite file in the test's directory, or a new
/// PostgreSQL database on the server of `TEST_DATABASE_URL`.
pub async fn fresh_database(directory: &std::path::Path) -> (String, Option<String>) {
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
pub fn drop_database(server: String, database_url: &str) {
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

/// The consumer roles, whose queues a RabbitMQ test removes afterwards.
pub(super) const QUEUES: &[&str] = &["point", "hotel", "mypage", "booking", "notifier"];

/// The app with its messages going through the RabbitMQ broker of `TEST_AMQP_URL` (default the
/// local one), under a name prefix of its own that is deleted afterwards.
/// The RabbitMQ broker of `TEST_AMQP_URL` with a fresh name prefix.
pub fn fresh_broker() -> (String, String) {
    let url = std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    (url, format!("test.{}.", uuid::Uuid::new_v4().simple()))
}

/// Removes a test's exchanges and queues, on a thread of its own since `Drop` cannot wait.
pub(super) fn delete_topology(url: String, prefix: String) {
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
