//! One role per process, as deployed: `resortbot gateway` and `resortbot worker point|hotel|
//! mypage`, on PostgreSQL and RabbitMQ, talking only through the broker and their own tables.

use super::helpers::{Client, TestApp};
use super::helpers::{
    book_auto_and_approved, fresh_broker, fresh_postgres_database, in_days, process_app, reference_in, resort_body,
    start_role, two_resorts_an_employee_and_a_manager, wait_until,
};
use super::kakao_standin::KakaoStandIn;
use std::sync::Arc;

/// A deployment in miniature: a fresh PostgreSQL database, a broker prefix and the Kakao
/// stand-in, on which role processes are started.
struct Cluster {
    directory: Arc<tempfile::TempDir>,
    database_url: String,
    kakao: KakaoStandIn,
    broker: (String, String),
}

impl Cluster {
    /// The cluster and its first gateway (which migrates the database for the workers); the
    /// gateway's handle drops the database and the broker names afterwards.
    async fn with_gateway() -> (Cluster, TestApp) {
        let (database_url, server) = fresh_postgres_database().await;
        let cluster = Cluster {
            directory: Arc::new(tempfile::tempdir().unwrap()),
            database_url,
            kakao: KakaoStandIn::start().await,
            broker: fresh_broker(),
        };
        let (gateway, address) = cluster.start(&["gateway"]).await;
        let mut app = process_app(
            cluster.directory.clone(),
            cluster.database_url.clone(),
            cluster.kakao.clone(),
            gateway,
            address,
        )
        .await;
        app.clean_up_afterwards(server, cluster.broker.clone());
        (cluster, app)
    }

    async fn start(&self, args: &[&str]) -> (tokio::process::Child, String) {
        start_role(self.directory.path(), &self.database_url, &self.kakao, Some(&self.broker), args).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saga_runs_across_four_processes_and_a_stopped_hotel_worker_only_delays_it() {
    let (cluster, app) = Cluster::with_gateway().await;
    let _point = cluster.start(&["worker", "point"]).await;
    let _mypage = cluster.start(&["worker", "mypage"]).await;
    let (mut hotel, _) = cluster.start(&["worker", "hotel"]).await;

    let kim = two_resorts_an_employee_and_a_manager(&app).await;
    let (auto, approved) = book_auto_and_approved(&app).await;
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {auto}")).await;
    app.say("kim", &format!("취소 {approved}")).await;
    app.press("kim", &format!("cx:{approved}")).await;
    app.wait_for_status(&approved, "cancelled").await;
    app.wait_for_points(&kim, 800).await;
    // The history is the mypage worker's view: it catches up on its own time.
    wait_until("the history shows the cancel", || async {
        let history = app.say("kim", "내 예약").await;
        history.contains(&auto) && history.contains(&approved) && history.contains("취소됨")
    })
    .await;

    // With the hotel worker gone, a booking is accepted and paid for, and waits.
    hotel.kill().await.unwrap();
    let waiting = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 40))).await);
    app.wait_for_status(&waiting, "points_deducted").await;
    app.wait_for_points(&kim, 700).await;
    assert!(app.kakao.pushes_to("kim").iter().all(|push| !super::kakao_standin::push_text(push).contains(&waiting)));

    let _hotel = cluster.start(&["worker", "hotel"]).await;
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {waiting}")).await;
    app.wait_for_status(&waiting, "confirmed").await;
}

#[tokio::test]
async fn a_single_role_without_a_broker_refuses_to_start() {
    let directory = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_resortbot"))
        .args(["worker", "hotel"])
        .env("DATABASE_URL", format!("sqlite://{}", directory.path().join("x.db").display()))
        .env_remove("AMQP_URL")
        .env("HTTP_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("AMQP_URL"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_every_role_with_workers_killed_at_random_leave_every_saga_whole() {
    const ROOMS: i64 = 4;
    let (cluster, app) = Cluster::with_gateway().await;
    const KINDS: [&[&str]; 3] = [&["worker", "point"], &["worker", "hotel"], &["worker", "mypage"]];
    let mut replicas = Vec::new();
    for kind in KINDS {
        replicas.push((cluster.start(kind).await.0, cluster.start(kind).await.0));
    }

    app.create_resort(resort_body("남해 별빛", ROOMS, true)).await;
    let mut employees = std::collections::HashMap::new();
    for index in 0..8 {
        employees.insert(app.linked_employee(&format!("guest{index}"), &format!("손님{index}"), 1000).await, index);
    }
    let nights = [in_days(&app, 5), in_days(&app, 15)];
    // A second gateway: half the chat traffic goes to each.
    let (_second_gateway, second_address) = cluster.start(&["gateway"]).await;
    let gateways = [Arc::new(Client::of(&app)), Arc::new(Client::at(&second_address))];
    let mut requests = tokio::task::JoinSet::new();
    for index in 0..8 {
        for (position, night) in nights.iter().enumerate() {
            let (client, night) = (gateways[(index + position) % 2].clone(), night.clone());
            requests.spawn(async move {
                client.try_say(&format!("guest{index}"), &format!("예약 남해 별빛 {night} 1박")).await
            });
        }
    }
    // One replica of each worker dies at a random moment of the stream and comes back.
    for (position, (first, _)) in replicas.iter_mut().enumerate() {
        let delay = u64::from(uuid::Uuid::new_v4().as_bytes()[0]);
        eprintln!("killing a {:?} replica after {delay} ms", KINDS[position]);
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        first.kill().await.unwrap();
        *first = cluster.start(KINDS[position]).await.0;
    }
    // Whichever gateway took it, a request is accepted while a room is left and refused up
    // front once the night's rooms are all accepted.
    let mut refused = 0;
    while let Some(answer) = requests.join_next().await {
        let answer = answer.unwrap().expect("the gateway stayed up and answered every request");
        if answer.contains("빈 객실이 없습니다") {
            refused += 1;
        } else {
            assert!(answer.contains("참조번호"), "{answer}");
        }
    }
    assert_eq!(refused, 16 - 2 * ROOMS as usize, "first accepted, first served, across two gateways");

    wait_until("every saga reaches a final state", || async {
        let bookings = app.bookings().await;
        bookings.len() == 2 * ROOMS as usize
            && bookings.iter().all(|booking| matches!(booking["status"].as_str(), Some("confirmed" | "rejected")))
    })
    .await;
    let bookings = app.bookings().await;
    for night in &nights {
        let confirmed = bookings
            .iter()
            .filter(|booking| booking["check_in"] == night.as_str() && booking["status"] == "confirmed")
            .count();
        let held: i64 = sqlx::query_scalar("SELECT held FROM room_night WHERE night = $1")
            .bind(night)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(held, confirmed as i64, "holds on {night} match confirmed bookings");
        assert_eq!(confirmed as i64, ROOMS, "every room of {night} was sold exactly once");
    }
    for (employee, index) in &employees {
        let paid: i64 = bookings
            .iter()
            .filter(|booking| booking["employee_id"] == employee.as_str() && booking["status"] == "confirmed")
            .map(|booking| booking["points"].as_i64().unwrap())
            .sum();
        app.wait_for_points(employee, 1000 - paid).await;
        let listed = bookings.iter().filter(|booking| booking["employee_id"] == employee.as_str()).count();
        wait_until("the history lists every booking", || async {
            app.say(&format!("guest{index}"), "내 예약").await.matches("• R").count() == listed
        })
        .await;
    }
}
