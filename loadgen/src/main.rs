//! `resortbot-loadgen`: how many bookings per second the product confirms, and how fast.
//!
//! A workspace member of its own, so the product carries no benchmark: it drives the `resortbot`
//! binary (by default the one next to this binary, else `--resortbot` / `RESORTBOT_BIN`).
//!
//! Each run starts the service as child processes on a scratch database and (with
//! `AMQP_URL`) a scratch queue prefix: one `resortbot all` process embedded, or a gateway and the
//! three workers as separate processes over RabbitMQ. It creates employees through the admin API,
//! links them through the Kakao skill, then has them book an auto-approve resort through
//! `POST /kakao/skill`, timing each booking from its webhook to its confirmation push, which
//! arrives at the load generator's own stand-in of the Kakao Event API. Afterwards it checks the
//! invariants in the database (no saga left open, points conserved, holds = confirmed nights) and,
//! with a broker, times the raw round trip of a persistent, confirmed message through a scratch
//! queue, so the booking rate can be read against what the broker alone does.
//!
//! Besides the throughput modes (closed loop, or `--rate` paced), `--rush N --rooms R` runs the
//! 09:00 rush (see [`rush`]). Every run also measures the database's own commit rate in the same
//! run ([`db_probe`]); `--json` ends the output with one JSON line of the medians.
//!
//! The load generator is a measuring tool, not part of the product: its output is for the operator
//! and stays in English.

mod broker_probe;
mod cluster;
mod db_probe;
mod drive;
mod hops;
mod invariants;
mod report;
mod rush;

use anyhow::Context;
use clap::Parser;
use report::RunFigures;
use std::path::PathBuf;

/// What to run; every figure has a default that gives stable medians on a small machine.
#[derive(Debug, Clone, Parser)]
#[command(name = "resortbot-loadgen", version, about = "Measure resortbot under load")]
pub struct LoadgenArgs {
    /// `sqlite://…` (each run on a new SQLite file) or a PostgreSQL server on which each run
    /// creates and drops a database of its own.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://loadgen.db")]
    pub database_url: String,
    /// RabbitMQ: the gateway and the workers as four processes under a scratch prefix. Unset:
    /// everything in one process on the in-process bus.
    #[arg(long, env = "AMQP_URL")]
    pub amqp_url: Option<String>,
    /// The `resortbot` binary to run. Unset: the one next to this binary.
    #[arg(long, env = "RESORTBOT_BIN")]
    pub resortbot: Option<PathBuf>,
    /// Bookings per run.
    #[arg(long, default_value_t = 2000)]
    pub bookings: usize,
    /// Webhooks in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Bookings per second on a fixed schedule (open loop). Unset: closed loop, as fast as answered.
    #[arg(long)]
    pub rate: Option<u32>,
    /// Virtual employees the bookings are spread over.
    #[arg(long, default_value_t = 100)]
    pub employees: usize,
    /// Runs, each on a fresh cluster; the summary gives their medians.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Messages in the raw broker round-trip measurement.
    #[arg(long, default_value_t = 20_000)]
    pub probe_messages: usize,
    /// The 09:00 rush: this many employees each book the same stay within one second.
    #[arg(long)]
    pub rush: Option<usize>,
    /// Rooms of the resort in the rush.
    #[arg(long, default_value_t = 100)]
    pub rooms: usize,
    /// End with one JSON object of the medians, on a line of its own.
    #[arg(long)]
    pub json: bool,
    /// Count the SQL statements per booking from the services' log of each one. The logging
    /// slows them, so read the times of such a run with that in mind.
    #[arg(long)]
    pub count_statements: bool,
}

impl LoadgenArgs {
    pub fn mode(&self) -> &'static str {
        match (self.rush, self.rate) {
            (Some(_), _) => "rush",
            (None, Some(_)) => "paced",
            (None, None) => "closed",
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = LoadgenArgs::parse();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(run(args))
}

/// Runs the load `args.runs` times and prints each run and the medians. Fails when a run broke an
/// invariant, so a script (or a test) can rely on the exit status.
async fn run(args: LoadgenArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.bookings > 0 && args.concurrency > 0 && args.employees > 0 && args.runs > 0);
    anyhow::ensure!(args.rush != Some(0) && args.rooms > 0, "a rush needs people and rooms");
    let resortbot = match &args.resortbot {
        Some(path) => path.clone(),
        None => std::env::current_exe().context("finding this binary")?.with_file_name("resortbot"),
    };
    anyhow::ensure!(
        resortbot.exists(),
        "no resortbot binary at {} (build it, or pass --resortbot)",
        resortbot.display()
    );
    let layout = cluster::Layout::new(&args.database_url, args.amqp_url.clone(), resortbot, args.count_statements);
    println!("{}", layout.describe());
    let mut runs = Vec::with_capacity(args.runs);
    for number in 1..=args.runs {
        let figures = run_once(&args, &layout).await?;
        println!("run {number}: {}", figures.line());
        runs.push(figures);
    }
    println!("{}", report::summary(&runs));
    if args.json {
        println!("{}", report::json(args.mode(), &runs));
    }
    let broken: Vec<String> = runs.iter().flat_map(|run| run.invariants.violations.clone()).collect();
    anyhow::ensure!(broken.is_empty(), "invariants broken: {}", broken.join("; "));
    Ok(())
}

async fn run_once(args: &LoadgenArgs, layout: &cluster::Layout) -> anyhow::Result<RunFigures> {
    let pushes = drive::PushRecorder::start().await?;
    let cluster = cluster::Cluster::start(layout, &pushes.url).await?;
    let outcome = async {
        let (load, rush) = match args.rush {
            Some(_) => {
                let (load, rush) = rush::drive(&cluster.gateway, &cluster.database_url, args, &pushes).await?;
                println!("{}", rush.line(&load));
                (load, Some(rush))
            }
            None => (drive::drive(&cluster.gateway, &cluster.database_url, args, &pushes).await?, None),
        };
        println!("{}", cluster.footprint());
        let last_transaction = db_probe::write_transactions_so_far(&cluster.database_url).await?;
        let statements = match layout.counts_statements() {
            true => {
                // The last log lines may still be on their way through the pipe.
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                Some(cluster::statements_so_far() - load.first_statement)
            }
            false => None,
        };
        let mut invariants = invariants::check(&cluster.database_url, &load).await?;
        if let Some(rush) = &rush {
            invariants.violations.extend(rush.violations.iter().cloned());
        }
        let deliveries = db_probe::deliveries(&cluster.database_url).await?;
        let commits = db_probe::commits_per_second(&cluster.database_url, args.concurrency).await?;
        for hop in hops::measure(&cluster.database_url).await? {
            println!("{}", hop.line());
        }
        let probe = match &cluster.broker {
            Some(broker) if args.probe_messages > 0 => {
                Some(broker_probe::measure(&broker.url, &broker.prefix, args.probe_messages).await?)
            }
            _ => None,
        };
        let write_transactions = load.first_transaction.zip(last_transaction).map(|(first, last)| last - first);
        anyhow::Ok(RunFigures {
            load,
            invariants,
            probe,
            rush,
            deliveries,
            commits_per_second: commits,
            write_transactions,
            statements,
        })
    }
    .await;
    cluster.stop().await?;
    outcome
}
