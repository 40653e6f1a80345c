//! The virtual employees: set up through the admin API and the Kakao skill, then booking through
//! the skill while a stand-in Kakao Event API times each confirmation push.

use super::LoadgenArgs;
use super::cluster::{ADMIN_TOKEN, BOT_ID, SKILL_SECRET};
use axum::Json;
use axum::extract::State;
use axum::routing::post;
use resort_core::clock::{Clock, SystemClock};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const RESORT: &str = "Loadgen Resort";
pub const POINTS_PER_NIGHT: i64 = 100;
/// How long to wait for the last confirmation push before counting the rest as missing.
const DRAIN_DEADLINE: Duration = Duration::from_secs(120);

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// A loopback stand-in of the Kakao Event API that records when each booking's confirmation
/// alert arrived, by the booking reference in its text.
pub struct PushRecorder {
    pub url: String,
    arrivals: Arrivals,
    server: tokio::task::JoinHandle<()>,
}

impl PushRecorder {
    pub async fn start() -> anyhow::Result<Self> {
        let arrivals: Arrivals = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let router = axum::Router::new().route("/v2/bots/{bot}/talk", post(record_push)).with_state(arrivals.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { url, arrivals, server })
    }

    pub fn count(&self) -> usize {
        self.arrivals.lock().expect("no panics while locked").len()
    }

    fn snapshot(&self) -> HashMap<String, Instant> {
        self.arrivals.lock().expect("no panics while locked").clone()
    }
}

impl Drop for PushRecorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn record_push(State(arrivals): State<Arrivals>, Json(body): Json<Value>) -> Json<Value> {
    let text = body["event"]["data"]["text"].as_str().unwrap_or_default();
    if text.contains("confirmed")
        && let Some(reference) = reference_in(text)
    {
        arrivals.lock().expect("no panics while locked").insert(reference, Instant::now());
    }
    Json(json!({ "taskId": "loadgen", "status": "SUCCESS", "timestamp": 0 }))
}

pub fn reference_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|word| {
            word.len() == 7
                && word.starts_with('R')
                && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .map(str::to_owned)
}

/// What one run of bookings did, as seen from outside.
pub struct Load {
    pub sent: usize,
    pub accepted: usize,
    pub granted_points: i64,
    pub points_per_night: i64,
    /// Webhook → confirmation push, sorted.
    pub latencies: Vec<Duration>,
    /// Webhook → its reply, sorted.
    pub replies: Vec<Duration>,
    /// First webhook to last confirmation push.
    pub elapsed: Duration,
    /// The PostgreSQL server's transaction id when the measured part began (after the set-up).
    pub first_transaction: Option<i64>,
    /// The statements counted when the measured part began (with `--count-statements`).
    pub first_statement: u64,
}

impl Load {
    pub fn confirmed_per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    pub fn percentile(&self, share: f64) -> Duration {
        percentile(&self.latencies, share)
    }

    pub fn reply_percentile(&self, share: f64) -> Duration {
        percentile(&self.replies, share)
    }
}

/// The value below which `share` of the sorted `values` fall.
pub fn percentile(values: &[Duration], share: f64) -> Duration {
    let index = ((values.len() as f64 * share) as usize).min(values.len().saturating_sub(1));
    values.get(index).copied().unwrap_or_default()
}

pub async fn drive(
    gateway: &str,
    database_url: &str,
    args: &LoadgenArgs,
    pushes: &PushRecorder,
) -> anyhow::Result<Load> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let per_employee = args.bookings.div_ceil(args.employees) as i64;
    let granted_each = POINTS_PER_NIGHT * per_employee;
    set_up(&http, gateway, args.employees, granted_each, 10_000).await?;
    let first_transaction = super::db_probe::write_transactions_so_far(database_url).await?;
    let first_statement = super::cluster::statements_so_far();

    let today = SystemClock.today();
    let sent: Arrivals = Arc::default();
    let replies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let permits = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for number in 0..args.bookings {
        if let Some(rate) = args.rate {
            tokio::time::sleep_until((started + Duration::from_secs_f64(number as f64 / f64::from(rate))).into()).await;
        }
        let permit = permits.clone().acquire_owned().await?;
        let (http, gateway, sent, replies) = (http.clone(), gateway.to_owned(), sent.clone(), replies.clone());
        // Every employee books consecutive single nights, so no booking overlaps another.
        let (employee, night) = (number % args.employees, 1 + number / args.employees);
        let check_in = today + chrono::Days::new(night as u64);
        tasks.spawn(async move {
            let at = Instant::now();
            let reply = say(&http, &gateway, &user(employee), &format!("book {RESORT} {check_in} 1")).await;
            replies.lock().expect("no panics while locked").push(at.elapsed());
            drop(permit);
            if let Some(reference) = reply.ok().as_deref().and_then(reference_in) {
                sent.lock().expect("no panics while locked").insert(reference, at);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let sent = sent.lock().expect("no panics while locked").clone();
    let deadline = Instant::now() + DRAIN_DEADLINE;
    while pushes.count() < sent.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut replies = replies.lock().expect("no panics while locked").clone();
    replies.sort();
    let mut load = outcome(args.bookings, &sent, pushes, replies, granted_each * args.employees as i64, started);
    load.first_transaction = first_transaction;
    load.first_statement = first_statement;
    Ok(load)
}

/// The load as measured: which sent bookings got their confirmation pushed, and when.
pub fn outcome(
    sent_count: usize,
    sent: &HashMap<String, Instant>,
    pushes: &PushRecorder,
    replies: Vec<Duration>,
    granted_points: i64,
    started: Instant,
) -> Load {
    let arrivals = pushes.snapshot();
    let last = arrivals.values().max().copied().unwrap_or(started);
    let mut latencies: Vec<Duration> =
        sent.iter().filter_map(|(reference, at)| arrivals.get(reference).map(|pushed| *pushed - *at)).collect();
    latencies.sort();
    Load {
        sent: sent_count,
        accepted: sent.len(),
        granted_points,
        points_per_night: POINTS_PER_NIGHT,
        latencies,
        replies,
        elapsed: last.saturating_duration_since(started),
        first_transaction: None,
        first_statement: 0,
    }
}

/// One auto-approve resort with `rooms` rooms, and `employees` linked employees with `points`
/// each, set up a few at a time. Not measured.
pub async fn set_up(
    http: &reqwest::Client,
    gateway: &str,
    employees: usize,
    points: i64,
    rooms: usize,
) -> anyhow::Result<()> {
    let admin = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{gateway}/api/v1{path}")).bearer_auth(ADMIN_TOKEN)
    };
    let resort = json!({ "name": RESORT, "region": "loadgen", "rooms": rooms, "points_per_night": POINTS_PER_NIGHT,
                         "auto_approve": true, "min_notice_days": 0 });
    admin(reqwest::Method::POST, "/resorts").json(&resort).send().await?.error_for_status()?;
    let permits = Arc::new(tokio::sync::Semaphore::new(SET_UP_IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..employees {
        let (http, gateway, permits) = (http.clone(), gateway.to_owned(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let admin = |method: reqwest::Method, path: &str| {
                http.request(method, format!("{gateway}/api/v1{path}")).bearer_auth(ADMIN_TOKEN)
            };
            let created: Value = admin(reqwest::Method::POST, "/employees")
                .json(&json!({ "employee_no": format!("L{index}"), "name": format!("loadgen {index}") }))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let id = created["id"].as_str().unwrap_or_default().to_owned();
            admin(reqwest::Method::POST, &format!("/employees/{id}/points"))
                .json(&json!({ "amount": points, "reason": "loadgen" }))
                .send()
                .await?
                .error_for_status()?;
            let code = created["link_code"].as_str().unwrap_or_default();
            say(&http, &gateway, &user(index), &format!("link {code}")).await?;
            anyhow::Ok(id)
        });
    }
    let mut ids = Vec::with_capacity(employees);
    while let Some(id) = tasks.join_next().await {
        ids.push(id??);
    }
    // Grants travel through the point worker; wait until every one has landed.
    for id in &ids {
        let deadline = Instant::now() + DRAIN_DEADLINE;
        loop {
            let employee: Value = admin(reqwest::Method::GET, &format!("/employees/{id}")).send().await?.json().await?;
            if employee["points"] == json!(points) {
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "the points granted to {id} never arrived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    Ok(())
}

/// Employees being set up at once.
const SET_UP_IN_FLIGHT: usize = 16;

pub fn user(index: usize) -> String {
    format!("loadgen-user-{index}")
}

pub async fn say(http: &reqwest::Client, gateway: &str, user: &str, utterance: &str) -> anyhow::Result<String> {
    let payload = json!({
        "userRequest": { "utterance": utterance, "lang": "en", "user": { "id": user } },
        "bot": { "id": BOT_ID },
    });
    let body: Value = http
        .post(format!("{gateway}/kakao/skill"))
        .header("X-Kakao-Skill-Secret", SKILL_SECRET)
        .json(&payload)
        .send()
        .await?
        .json()
        .await?;
    Ok(body["template"]["outputs"][0]["simpleText"]["text"].as_str().unwrap_or_default().to_owned())
}
