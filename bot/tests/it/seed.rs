//! The embedded demo: an empty database gets demo resorts and people, once.

use super::helpers::{test_config, wait_until};
use super::kakao_standin::KakaoStandIn;
use resort_core::clock::SystemClock;
use resort_core::db::Pool;
use std::sync::Arc;

/// Starts the app, waits until `ready` holds, and stops it gracefully.
async fn run_until<F, Fut>(config: resortbot::config::Config, ready: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (trigger, shutdown) = resort_core::shutdown::channel();
    let running = tokio::spawn(resortbot::app::run(config, Arc::new(SystemClock), listener, shutdown));
    wait_until("the demo is in place", ready).await;
    trigger.trigger();
    running.await.unwrap().unwrap();
}

async fn count(pool: &Pool, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap_or(-1)
}

#[tokio::test]
async fn an_empty_database_is_seeded_once_with_demo_resorts_people_and_points() {
    let directory = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", directory.path().join("demo.db").display());
    let kakao = KakaoStandIn::start().await;
    let mut config = test_config(&database_url, &kakao);
    config.seed_demo = true;
    let demo_points = "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM point_account";

    let pool = resort_core::db::connect_and_migrate(&database_url).await.unwrap();
    run_until(config.clone(), || async { count(&pool, demo_points).await == 1300 }).await;
    run_until(config, || async { count(&pool, "SELECT COUNT(*) FROM inbox_message").await > 0 }).await;

    assert_eq!(count(&pool, "SELECT COUNT(*) FROM resort").await, 3);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM employee").await, 2);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM resort_manager").await, 2);
    assert_eq!(count(&pool, demo_points).await, 1300, "the demo grants were applied once");
}
