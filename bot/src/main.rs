//! The `resortbot` binary: `resortbot` (or `resortbot all`) runs every role in one process;
//! `resortbot gateway` and `resortbot worker point|hotel|mypage` run one role each (with
//! `AMQP_URL`); `resortbot migrate` applies the schema and exits. The benchmark is a binary of
//! its own (`resortbot-loadgen`, workspace member `loadgen`).

use anyhow::Context;
use resort_core::clock::SystemClock;
use resortbot::config::{Config, Role};
use std::sync::Arc;

/// mimalloc rather than glibc's malloc: under load glibc's allocator took about a sixth of the
/// embedded process's time (its arenas' locks, consolidating free chunks); see ADR 0031.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    // Before the runtime starts any thread: a missing .env is normal, and a present one only
    // fills variables the environment does not set.
    let _ = dotenvy::dotenv();
    let config = Config::from_environment();
    init_logging(&config);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(run(config))
}

async fn run(config: Config) -> anyhow::Result<()> {
    match config.role.unwrap_or(Role::All) {
        Role::Migrate => {
            resort_core::db::connect_and_migrate(&config.database_url).await.context("migrating the database")?;
            tracing::info!("migrations applied");
            Ok(())
        }
        _ => {
            let listener = tokio::net::TcpListener::bind(&config.http_addr)
                .await
                .with_context(|| format!("binding {}", config.http_addr))?;
            tracing::info!(address = %listener.local_addr()?, "resortbot listening");
            let (trigger, shutdown) = resort_core::shutdown::channel();
            tokio::spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutting down: finishing in-flight work");
                trigger.trigger();
            });
            resortbot::app::run(config, Arc::new(SystemClock), listener, shutdown).await
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_format == "json" {
        logs.json().with_current_span(true).with_span_list(false).init();
    } else {
        logs.init();
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
