//! Booking throughput of the embedded mode, measured end to end.
//!
//! ```sh
//! cargo run --release -p resortbot --example booking_throughput -- [BOOKINGS] [CONCURRENCY] [RATE]
//! ```
//!
//! Starts the whole application in this process on a fresh SQLite file, with a loopback
//! stand-in for the Kakao Event API that timestamps every alert. Setup (employees, points,
//! linked accounts) is not measured. Then BOOKINGS one-shot bookings of an auto-approve resort
//! go through `POST /kakao/skill`, CONCURRENCY at a time; for each one the time from sending the
//! webhook to receiving its confirmation push is recorded. It prints confirmed bookings per
//! second (first webhook to last push) and the p50/p99 of that latency, then checks that every
//! booking was confirmed and every point accounted for.
//!
//! Without RATE the load is closed-loop (the next webhook goes out as soon as one answers), which
//! finds the highest rate; the latency then mostly measures the queue in front of the saga. With
//! RATE (bookings per second) the webhooks go out on a fixed schedule whatever the answers do,
//! which measures the latency at that load.
//!
//! By default it runs embedded (SQLite file, in-process bus). `BENCH_DATABASE_URL` (a
//! PostgreSQL server URL) runs it on a new database there, dropped afterwards; `BENCH_AMQP_URL`
//! sends its messages through that RabbitMQ broker under a fresh name prefix, deleted afterwards.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use resort_core::clock::{Clock, SystemClock};
use resortbot::config::{Config, Secret};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EMPLOYEES: usize = 100;
const ADMIN_TOKEN: &str = "bench";

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut arguments = std::env::args().skip(1);
    let bookings: usize = arguments.next().map(|text| text.parse()).transpose()?.unwrap_or(2000);
    let concurrency: usize = arguments.next().map(|text| text.parse()).transpose()?.unwrap_or(64);
    let rate: Option<f64> = arguments.next().map(|text| text.parse()).transpose()?;

    let arrivals: Arrivals = Arc::default();
    let event_api = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let event_api_url = format!("http://{}", event_api.local_addr()?);
    let router = axum::Router::new().route("/v2/bots/{bot}/talk", post(record_push)).with_state(arrivals.clone());
    tokio::spawn(async move { axum::serve(event_api, router).await });

    let directory = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database_url = format!("sqlite://{}", directory.path().join("bench.db").display());
    let postgres = match std::env::var("BENCH_DATABASE_URL") {
        Ok(server) => {
            let name = format!("resortbot_bench_{}", uuid::Uuid::new_v4().simple());
            let admin = resort_core::db::connect(&server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await?;
            let (base, _) = server.rsplit_once('/').unwrap_or((server.as_str(), ""));
            config.database_url = format!("{base}/{name}");
            Some((admin, name))
        }
        Err(_) => None,
    };
    if let Ok(url) = std::env::var("BENCH_AMQP_URL") {
        config.amqp_url = Some(url);
        config.amqp_prefix = format!("bench.{}.", uuid::Uuid::new_v4().simple());
    }
    let broker = config.amqp_url.clone().map(|url| (url, config.amqp_prefix.clone()));
    println!(
        "database {}, bus {}",
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        if broker.is_some() { "RabbitMQ" } else { "in-process" }
    );
    config.seed_demo = false;
    config.admin_token = Some(Secret::new(ADMIN_TOKEN));
    config.kakao_bot_id = Some("bench-bot".into());
    config.kakao_rest_api_key = Some(Secret::new("bench-key"));
    config.kakao_event_api_url = event_api_url;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let (trigger, shutdown) = resort_core::shutdown::channel();
    let app = tokio::spawn(resortbot::app::run(config, Arc::new(SystemClock), listener, shutdown));
    let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    while http.get(format!("{address}/healthz")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let per_employee = bookings.div_ceil(EMPLOYEES);
    let admin = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{address}/api/v1{path}")).bearer_auth(ADMIN_TOKEN)
    };
    let resort = json!({ "name": "Bench Resort", "region": "bench", "rooms": 10_000, "points_per_night": 100, "auto_approve": true });
    admin(reqwest::Method::POST, "/resorts").json(&resort).send().await?.error_for_status()?;
    let mut employee_ids = Vec::new();
    for index in 0..EMPLOYEES {
        let created: Value = admin(reqwest::Method::POST, "/employees")
            .json(&json!({ "employee_no": format!("B{index}"), "name": format!("bench {index}") }))
            .send()
            .await?
            .json()
            .await?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let grant = json!({ "amount": 100 * per_employee, "reason": "bench" });
        admin(reqwest::Method::POST, &format!("/employees/{id}/points"))
            .json(&grant)
            .send()
            .await?
            .error_for_status()?;
        say(
            &http,
            &address,
            &format!("u{index}"),
            &format!("link {}", created["link_code"].as_str().unwrap_or_default()),
        )
        .await?;
        employee_ids.push(id);
    }
    for id in &employee_ids {
        while admin(reqwest::Method::GET, &format!("/employees/{id}")).send().await?.json::<Value>().await?["points"]
            != json!(100 * per_employee)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    let today = SystemClock.today();
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for number in 0..bookings {
        if let Some(rate) = rate {
            tokio::time::sleep_until((started + Duration::from_secs_f64(number as f64 / rate)).into()).await;
        }
        let permit = permits.clone().acquire_owned().await?;
        let (http, address, sent) = (http.clone(), address.clone(), sent.clone());
        let (employee, night) = (number % EMPLOYEES, 1 + number / EMPLOYEES);
        let check_in = today + chrono::Days::new(night as u64);
        tasks.spawn(async move {
            let at = Instant::now();
            let reply = say(&http, &address, &format!("u{employee}"), &format!("book Bench Resort {check_in} 1")).await;
            drop(permit);
            let reference = reply.ok().and_then(|text| {
                text.split_whitespace().find(|word| word.len() == 7 && word.starts_with('R')).map(str::to_owned)
            });
            if let Some(reference) = reference {
                sent.lock().expect("no panics while locked").insert(reference, at);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let accepted = sent.lock().expect("no panics while locked").len();
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals.lock().expect("no panics while locked").len() < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let arrivals = arrivals.lock().expect("no panics while locked").clone();
    let last = arrivals.values().max().copied().unwrap_or(started);
    let sent = sent.lock().expect("no panics while locked").clone();
    let mut latencies: Vec<Duration> =
        sent.iter().filter_map(|(reference, at)| arrivals.get(reference).map(|pushed| *pushed - *at)).collect();
    latencies.sort();
    let percentile = |share: f64| {
        latencies
            .get(((latencies.len() as f64 * share) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };

    let elapsed = (last - started).as_secs_f64();
    println!("bookings sent {bookings}, accepted {accepted}, confirmed and pushed {}", latencies.len());
    println!("confirmed bookings/s {:.0}", latencies.len() as f64 / elapsed);
    println!(
        "webhook → confirmation push p50 {:.1} ms, p99 {:.1} ms",
        percentile(0.50).as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3
    );

    let all: Vec<Value> = admin(reqwest::Method::GET, "/bookings").send().await?.json().await?;
    let confirmed = all.iter().filter(|booking| booking["status"] == "confirmed").count();
    let mut spent = 0;
    for id in &employee_ids {
        spent += 100 * per_employee as i64
            - admin(reqwest::Method::GET, &format!("/employees/{id}")).send().await?.json::<Value>().await?["points"]
                .as_i64()
                .unwrap_or(0);
    }
    println!(
        "check: {confirmed} confirmed of {} listed (the list shows at most 500); points spent {spent} = {} expected",
        all.len(),
        100 * latencies.len()
    );
    trigger.trigger();
    app.await??;
    if let Some((url, prefix)) = broker {
        let bus = resort_core::bus::AmqpBus::connect(&url, &prefix).await?;
        bus.delete_topology(&["point", "hotel", "mypage", "booking", "notifier"]).await?;
    }
    if let Some((admin, name)) = postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&admin)
            .await?;
    }
    Ok(())
}

async fn say(http: &reqwest::Client, address: &str, user: &str, utterance: &str) -> anyhow::Result<String> {
    let payload = json!({ "userRequest": { "utterance": utterance, "lang": "en", "user": { "id": user } }, "bot": { "id": "bench-bot" } });
    let body: Value = http.post(format!("{address}/kakao/skill")).json(&payload).send().await?.json().await?;
    Ok(body["template"]["outputs"][0]["simpleText"]["text"].as_str().unwrap_or_default().to_owned())
}

async fn record_push(State(arrivals): State<Arrivals>, Json(body): Json<Value>) -> Json<Value> {
    let text = body["event"]["data"]["text"].as_str().unwrap_or_default();
    if text.contains("confirmed")
        && let Some(reference) = text.split_whitespace().find(|word| word.len() == 7 && word.starts_with('R'))
    {
        arrivals.lock().expect("no panics while locked").insert(reference.to_owned(), Instant::now());
    }
    Json(json!({ "taskId": "bench", "status": "SUCCESS", "timestamp": 0 }))
}
