//! What operations rely on: `/metrics` shows what happened, and SIGTERM mid-stream ends the
//! process cleanly, well within the pod's grace period, with nothing lost.

use super::helpers::{
    Client, in_days, process_app, reference_in, resort_body, spawn_process, spawn_process_with_env,
    start_role_with_env, wait_until,
};
use super::kakao_standin::KakaoStandIn;
use serde_json::Value;
use std::time::Duration;

/// The `terminationGracePeriodSeconds` of the manifests.
const GRACE_PERIOD: Duration = Duration::from_secs(45);

fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_a_booking_through_the_saga() {
    // A process of its own, so the counters are this test's alone.
    let app = spawn_process().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(&app, 10))).await);
    app.wait_for_status(&reference, "confirmed").await;

    let metrics = format!("{}/metrics", app.address);
    assert_eq!(app.http.get(&metrics).send().await.unwrap().status(), 401, "not for strangers");
    let wrong = app.http.get(&metrics).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    // The scheme is case-insensitive; without METRICS_TOKEN the admin token opens it.
    let scrape = || async {
        let request = app.http.get(&metrics).header("authorization", format!("bearer {}", super::helpers::ADMIN_TOKEN));
        request.send().await.unwrap().text().await.unwrap()
    };
    wait_until("the confirmation is counted and its event sent", || async {
        let text = scrape().await;
        metric(&text, "resortbot_bookings_total{state=\"confirmed\"}") == Some(1.0)
            && metric(&text, "resortbot_messages_published_total{type=\"booking.confirmed\"}").is_some()
    })
    .await;
    let text = scrape().await;
    assert!(text.contains("# TYPE resortbot_bookings_total counter"), "{text}");
    assert!(metric(&text, "resortbot_http_requests_total{route=\"/kakao/skill\",status=\"200\"}").unwrap() >= 3.0);
    assert_eq!(metric(&text, "resortbot_messages_consumed_total{consumer=\"point\",type=\"point.deduct\"}"), Some(1.0));
    assert_eq!(metric(&text, "resortbot_messages_consumed_total{consumer=\"hotel\",type=\"hotel.hold\"}"), Some(1.0));
    assert_eq!(metric(&text, "resortbot_saga_step_seconds_count{step=\"hotel.confirmed\"}"), Some(1.0));
    assert!(metric(&text, "resortbot_outbox_backlog").is_some(), "{text}");
    assert_eq!(metric(&text, "resortbot_bookings_total{state=\"rejected\"}"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_stream_exits_within_the_grace_period_and_loses_nothing() {
    let mut app = spawn_process().await;
    app.create_resort(resort_body("남해 별빛", 50, true)).await;
    let mut employees = Vec::new();
    for index in 0..8 {
        employees.push(app.linked_employee(&format!("guest{index}"), &format!("손님{index}"), 1000).await);
    }
    let client = std::sync::Arc::new(Client::of(&app));
    let mut requests = tokio::task::JoinSet::new();
    for index in 0..8 {
        for days in [5, 9, 13, 17, 21] {
            let (client, night) = (client.clone(), in_days(&app, days));
            requests.spawn(async move {
                client.try_say(&format!("guest{index}"), &format!("예약 남해 별빛 {night} 1박")).await
            });
        }
    }
    let delay_millis = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) / 4;
    eprintln!("SIGTERM after {delay_millis} ms");
    tokio::time::sleep(Duration::from_millis(delay_millis)).await;
    let (clean, took) = app.terminate().await;
    assert!(clean, "the process exits with success on SIGTERM");
    assert!(took < GRACE_PERIOD, "it took {took:?}");
    let mut acknowledged = Vec::new();
    while let Some(answer) = requests.join_next().await {
        if let Some(text) = answer.unwrap().filter(|text| text.contains("참조번호")) {
            acknowledged.push(reference_in(&text));
        }
    }

    let unfinished: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM booking WHERE status NOT IN ('confirmed', 'rejected')")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    eprintln!("stopped in {took:?} with {} requests acknowledged, {unfinished} sagas unfinished", acknowledged.len());
    let app = app.restart_process().await;
    wait_until("every saga reaches a final state", || async {
        app.bookings().await.iter().all(|booking| booking["status"] == "confirmed")
    })
    .await;
    let bookings = app.bookings().await;
    for reference in &acknowledged {
        assert!(bookings.iter().any(|booking| booking["reference"] == reference.as_str()), "{reference} was lost");
    }
    for employee in &employees {
        let paid: i64 = bookings
            .iter()
            .filter(|booking| booking["employee_id"] == employee.as_str())
            .map(|booking| booking["points"].as_i64().unwrap())
            .sum();
        app.wait_for_points(employee, 1000 - paid).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_bookings_correlation_id_through_every_consumer() {
    let directory = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let database_url = format!("sqlite://{}", directory.path().join("resortbot.db").display());
    let kakao = KakaoStandIn::start().await;
    let env = [("LOG_FORMAT", "json"), ("RUST_LOG", "info,resort_core=debug")];
    let (child, address) = start_role_with_env(directory.path(), &database_url, &kakao, None, &[], &env).await;
    let app = process_app(directory.clone(), database_url, kakao, child, address).await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 10))).await);
    let booking_id = app.wait_for_status(&reference, "confirmed").await["id"].as_str().unwrap().to_owned();

    let consumers_seen = || {
        let log = std::fs::read_to_string(directory.path().join("resortbot.log")).unwrap();
        let lines: Vec<Value> =
            log.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"))).collect();
        let mut consumers: Vec<String> = lines
            .iter()
            .filter(|line| line["span"]["correlation_id"] == booking_id.as_str())
            .filter_map(|line| line["span"]["consumer"].as_str().map(str::to_owned))
            .collect();
        consumers.sort();
        consumers.dedup();
        consumers
    };
    wait_until("every consumer logged the booking", || async {
        consumers_seen() == ["booking", "hotel", "mypage", "notifier", "point"]
    })
    .await;
}

#[tokio::test]
async fn a_gateway_without_a_kakao_secret_starts_only_as_the_demo_or_when_told_to() {
    let directory = tempfile::tempdir().unwrap();
    let kakao = super::kakao_standin::KakaoStandIn::start().await;
    let database_url = format!("sqlite://{}", directory.path().join("refused.db").display());
    let mut config = super::helpers::test_config(&database_url, &kakao);
    config.kakao_skill_secret = None;
    config.seed_demo = false;
    let clock = std::sync::Arc::new(resort_core::clock::ManualClock::new(super::helpers::test_start()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (_trigger, shutdown) = resort_core::shutdown::channel();
    let refused = resortbot::app::run(config, clock, listener, shutdown).await.unwrap_err();
    assert!(refused.to_string().contains("KAKAO_SKILL_SECRET"), "{refused:#}");

    for allow in [true, false] {
        let app = super::helpers::spawn_app_with(|config| {
            config.kakao_skill_secret = None;
            // Allowed explicitly, or the embedded demo.
            config.kakao_allow_unauthenticated = allow;
            config.seed_demo = !allow;
        })
        .await;
        let payload = serde_json::json!({ "userRequest": { "utterance": "help", "user": { "id": "u" } },
            "bot": { "id": super::kakao_standin::BOT_ID } });
        let (status, _) = app.kakao_raw(serde_json::to_vec(&payload).unwrap(), None).await;
        assert_eq!(status, 200, "allow = {allow}");
    }
}

/// Opens `count` connections that send nothing, or only the start of a request.
async fn idle_connections(address: &str, count: usize, partial: bool) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let host = address.trim_start_matches("http://").to_owned();
    let mut connections = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
        if partial {
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
        }
        connections.push(stream);
    }
    connections
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_are_closed_and_health_still_answers() {
    let app = super::helpers::spawn_app_with(|config| {
        config.http_max_connections = 64;
        config.http_header_timeout_ms = 500;
    })
    .await;
    let mut idle = idle_connections(&app.address, 1_050, false).await;
    idle.extend(idle_connections(&app.address, 50, true).await);
    let health = app.http.get(format!("{}/healthz", app.address)).timeout(Duration::from_secs(30)).send().await;
    assert_eq!(health.expect("/healthz answers with 1,100 idle connections open").status(), 200);
    // The server hangs up on connections that sent no complete request in time.
    use tokio::io::AsyncReadExt;
    for stream in idle.iter_mut().rev().take(60) {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "a connection was left open");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_while_an_event_stream_and_a_half_sent_request_are_open() {
    let mut app = spawn_process_with_env(&[("CONSOLE_ENABLED", "true"), ("HTTP_HEADER_TIMEOUT_MS", "10000")]).await;
    let (_, employee) = app
        .admin(reqwest::Method::POST, "/employees", Some(serde_json::json!({ "employee_no": "E1", "name": "직원" })))
        .await;
    let session: serde_json::Value = app
        .http
        .post(format!("{}/console/sessions", app.address))
        .json(&serde_json::json!({ "code": employee["link_code"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap();
    let mut events = app.http.get(format!("{}/console/events?token={token}", app.address)).send().await.unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.chunk().await.unwrap().is_some(), "the stream is open");
    let _half_sent = idle_connections(&app.address, 3, true).await;
    let _idle = idle_connections(&app.address, 3, false).await;
    let terminated = tokio::time::timeout(GRACE_PERIOD + Duration::from_secs(5), app.terminate()).await;
    let (clean, took) = terminated.expect("the process exits after SIGTERM");
    assert!(clean, "the process exits with success on SIGTERM");
    assert!(took < GRACE_PERIOD, "it took {took:?}");
}
