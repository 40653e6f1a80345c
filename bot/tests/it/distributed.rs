//! One role per process, as deployed: `resortbot gateway` and `resortbot worker point|hotel|
//! mypage`, on PostgreSQL and RabbitMQ, talking only through the broker and their own tables.

use super::helpers::{
    fresh_broker, fresh_postgres_database, in_days, process_app, reference_in, resort_body, start_role,
};
use super::kakao_standin::{KakaoStandIn, push_button};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saga_runs_across_four_processes_and_a_stopped_hotel_worker_only_delays_it() {
    let directory = Arc::new(tempfile::tempdir().unwrap());
    let (database_url, server) = fresh_postgres_database().await;
    let broker = fresh_broker();
    let kakao = KakaoStandIn::start().await;
    let start = |args: &'static [&'static str]| {
        let (directory, database_url, kakao, broker) =
            (directory.clone(), database_url.clone(), kakao.clone(), broker.clone());
        async move { start_role(directory.path(), &database_url, &kakao, Some(&broker), args).await }
    };
    // The gateway first: it migrates the database; the workers find it ready.
    let (gateway, address) = start(&["gateway"]).await;
    let mut app = process_app(directory.clone(), database_url.clone(), kakao.clone(), gateway, address).await;
    app.clean_up_afterwards(server, broker.clone());
    let _point = start(&["worker", "point"]).await;
    let _mypage = start(&["worker", "mypage"]).await;
    let (mut hotel, _) = start(&["worker", "hotel"]).await;

    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;

    let auto = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(&app, 10))).await);
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {auto}")).await;
    let approved = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
    let request = app.kakao.wait_for("lee", &approved).await;
    app.press("lee", &push_button(&request, "승인")).await;
    app.wait_for_status(&approved, "confirmed").await;
    app.say("kim", &format!("취소 {approved}")).await;
    app.press("kim", &format!("cx:{approved}")).await;
    app.wait_for_status(&approved, "cancelled").await;
    app.wait_for_points(&kim, 800).await;
    let history = app.say("kim", "내 예약").await;
    assert!(history.contains(&auto) && history.contains("취소됨"), "{history}");

    // With the hotel worker gone, a booking is accepted and paid for, and waits.
    hotel.kill().await.unwrap();
    let waiting = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 40))).await);
    app.wait_for_status(&waiting, "points_deducted").await;
    app.wait_for_points(&kim, 700).await;
    assert!(app.kakao.pushes_to("kim").iter().all(|push| !super::kakao_standin::push_text(push).contains(&waiting)));

    let _hotel = start(&["worker", "hotel"]).await;
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
