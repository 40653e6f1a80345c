//! The 09:00 rush: `rush` employees each send one one-shot booking for the same stay within one
//! second, against a resort with `rooms` rooms. Exactly `rooms` may be confirmed; everyone else
//! is refused up front or rejected for no room, with every point back. Measured: each webhook's
//! reply time, how long after the last request every booking is final, and fairness as
//! *inversions* — confirmed bookings accepted (in the order the gateway took them, their
//! time-ordered ids) after some booking that was turned away for no room.

use super::LoadgenArgs;
use super::drive::{self, Load, POINTS_PER_NIGHT, PushRecorder, RESORT};
use resort_core::clock::{Clock, SystemClock};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The whole rush is sent within this window.
const WINDOW: Duration = Duration::from_secs(1);
/// How long the bookings may take to become final before the run gives up waiting.
const SETTLE_DEADLINE: Duration = Duration::from_secs(120);
/// Requests in flight at most, so the load generator's own sockets are not what is measured.
const IN_FLIGHT: usize = 512;

pub struct Rush {
    /// The last request sent → every booking final.
    pub settled_after: Duration,
    pub refused_up_front: usize,
    pub inversions: i64,
    pub violations: Vec<String>,
}

pub async fn drive(
    gateway: &str,
    database_url: &str,
    args: &LoadgenArgs,
    pushes: &PushRecorder,
) -> anyhow::Result<(Load, Rush)> {
    let people = args.rush.unwrap_or_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(IN_FLIGHT).build()?;
    drive::set_up(&http, gateway, people, POINTS_PER_NIGHT, args.rooms).await?;
    let check_in = SystemClock.today() + chrono::Days::new(1);
    let first_transaction = super::db_probe::write_transactions_so_far(database_url).await?;
    let first_statement = super::cluster::statements_so_far();

    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let replies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..people {
        // Spread evenly over the window, as people pressing at 09:00:00.x would.
        tokio::time::sleep_until((started + WINDOW.mul_f64(index as f64 / people as f64)).into()).await;
        let permit = permits.clone().acquire_owned().await?;
        let (http, gateway) = (http.clone(), gateway.to_owned());
        let (sent, replies, refused) = (sent.clone(), replies.clone(), refused.clone());
        tasks.spawn(async move {
            let at = Instant::now();
            let reply = drive::say(&http, &gateway, &drive::user(index), &format!("book {RESORT} {check_in} 1")).await;
            replies.lock().expect("no panics while locked").push(at.elapsed());
            drop(permit);
            match reply.ok().as_deref().and_then(drive::reference_in) {
                Some(reference) => {
                    sent.lock().expect("no panics while locked").insert(reference, at);
                }
                None => {
                    refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let last_sent = Instant::now();
    let settled_after = settle(database_url).await?.saturating_duration_since(last_sent);
    // The confirmations are pushed after the bookings are final; give the pushes their moment.
    let confirmed = confirmed_count(database_url).await?;
    let deadline = Instant::now() + SETTLE_DEADLINE;
    while (pushes.count() as i64) < confirmed && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent = sent.lock().expect("no panics while locked").clone();
    let mut replies = replies.lock().expect("no panics while locked").clone();
    replies.sort();
    let mut load = drive::outcome(people, &sent, pushes, replies, POINTS_PER_NIGHT * people as i64, started);
    load.first_transaction = first_transaction;
    load.first_statement = first_statement;
    let refused_up_front = refused.load(std::sync::atomic::Ordering::Relaxed);
    let (inversions, mut violations) = judge(database_url, args.rooms.min(people) as i64).await?;
    if load.replies.len() != people {
        violations.push(format!("{} of {people} webhooks answered", load.replies.len()));
    }
    Ok((load, Rush { settled_after, refused_up_front, inversions, violations }))
}

async fn confirmed_count(database_url: &str) -> anyhow::Result<i64> {
    let pool = resort_core::db::connect(database_url).await?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM booking WHERE status = 'confirmed'").fetch_one(&pool).await?;
    pool.close().await;
    Ok(count)
}

/// Waits until no booking is still on its way; returns when that was seen.
async fn settle(database_url: &str) -> anyhow::Result<Instant> {
    let pool = resort_core::db::connect(database_url).await?;
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM booking WHERE status NOT IN ('confirmed', 'rejected', 'cancelled')",
        )
        .fetch_one(&pool)
        .await?;
        if open == 0 {
            pool.close().await;
            return Ok(Instant::now());
        }
        anyhow::ensure!(Instant::now() < deadline, "{open} bookings still open {SETTLE_DEADLINE:?} after the rush");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Exactly `rooms` confirmed, every other booking rejected for no room, and how many confirmed
/// bookings were accepted after one turned away.
async fn judge(database_url: &str, rooms: i64) -> anyhow::Result<(i64, Vec<String>)> {
    let pool = resort_core::db::connect(database_url).await?;
    let rows = sqlx::query("SELECT id, status, reason FROM booking ORDER BY id").fetch_all(&pool).await?;
    pool.close().await;
    let mut violations = Vec::new();
    let mut confirmed = 0;
    let mut turned_away_yet = false;
    let mut inversions = 0;
    for row in &rows {
        let status: String = row.try_get("status")?;
        let reason: Option<String> = row.try_get("reason")?;
        match (status.as_str(), reason.as_deref()) {
            ("confirmed", _) => {
                confirmed += 1;
                if turned_away_yet {
                    inversions += 1;
                }
            }
            ("rejected", Some("no_room")) => turned_away_yet = true,
            (status, reason) => {
                violations.push(format!("a booking ended {status} ({reason:?}), not confirmed or no room"))
            }
        }
    }
    if confirmed != rooms {
        violations.push(format!("{confirmed} confirmed for {rooms} rooms"));
    }
    Ok((inversions, violations))
}

impl Rush {
    pub fn line(&self, load: &Load) -> String {
        format!(
            "rush of {}: accepted {}, refused up front {}, confirmed {}; webhook reply p50 {:.1} ms, p99 {:.1} ms; every booking final {:.0} ms after the last request; {} inversions",
            load.sent,
            load.accepted,
            self.refused_up_front,
            load.latencies.len(),
            load.reply_percentile(0.5).as_secs_f64() * 1e3,
            load.reply_percentile(0.99).as_secs_f64() * 1e3,
            self.settled_after.as_secs_f64() * 1e3,
            self.inversions,
        )
    }
}
