//! The same saga with its messages going through a real RabbitMQ broker instead of the
//! in-process bus: publisher confirms, quorum queues, manual acks.

use super::helpers::{
    book_auto_and_approved, in_days, reference_in, resort_body, spawn_app_on_rabbitmq,
    two_resorts_an_employee_and_a_manager, wait_until,
};
use super::kakao_standin::push_text;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_approvals_and_cancels_run_over_rabbitmq() {
    let app = spawn_app_on_rabbitmq().await;
    let ready: serde_json::Value =
        app.http.get(format!("{}/readyz", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!((ready["bus"].as_str(), ready["broker"].as_bool()), (Some("rabbitmq"), Some(true)), "{ready}");

    let kim = two_resorts_an_employee_and_a_manager(&app).await;
    let (auto, _) = book_auto_and_approved(&app).await;
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {auto}")).await;
    app.wait_for_points(&kim, 700).await;

    app.say("kim", &format!("취소 {auto}")).await;
    app.press("kim", &format!("cx:{auto}")).await;
    let cancelled = app.kakao.wait_for("kim", &format!("{auto} 예약이 취소되었습니다")).await;
    assert!(push_text(&cancelled).contains("200포인트"));
    app.wait_for_points(&kim, 900).await;
    wait_until("the history shows the cancel", || async { app.say("kim", "내 예약").await.contains("취소됨") }).await;

    // Every message once more through the broker: the inboxes turn all of it into no-ops.
    let pushes = app.kakao.pushes().len();
    sqlx::query("UPDATE outbox_message SET published_at = NULL, claimed_until = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    wait_until("the broker delivers everything again", || async {
        resort_core::outbox::backlog(&app.pool).await.unwrap() == 0
    })
    .await;
    app.wait_for_points(&kim, 900).await;
    assert_eq!(app.kakao.pushes().len(), pushes);
    assert_eq!(app.booking(&auto).await["status"], "cancelled");
}

/// Closes every broker connection of this prefix, as a network failure would; returns how many.
fn close_connections_of(prefix: &str) -> usize {
    let listing = std::process::Command::new("rabbitmqctl")
        .args(["list_connections", "pid", "client_properties", "--no-table-headers", "--silent"])
        .output()
        .expect("rabbitmqctl runs");
    let mut closed = 0;
    for line in String::from_utf8_lossy(&listing.stdout).lines().filter(|line| line.contains(prefix)) {
        let pid = line.split_whitespace().next().unwrap_or_default();
        let status =
            std::process::Command::new("rabbitmqctl").args(["close_connection", pid, "test: connection lost"]).status();
        closed += usize::from(status.is_ok_and(|status| status.success()));
    }
    closed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_and_consuming_resume_after_the_broker_connections_are_lost() {
    let app = spawn_app_on_rabbitmq().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let before = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 3))).await);
    app.wait_for_status(&before, "confirmed").await;

    let prefix = app.broker_prefix().expect("the app runs on RabbitMQ");
    let closed = close_connections_of(&prefix);
    assert!(closed >= 6, "the publisher and five consumers each had a connection; closed {closed}");

    let after = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 9))).await);
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {after}")).await;
    app.wait_for_status(&after, "confirmed").await;
    app.wait_for_points(&kim, 800).await;
    wait_until("readiness sees the broker again", || async {
        let ready: serde_json::Value =
            app.http.get(format!("{}/readyz", app.address)).send().await.unwrap().json().await.unwrap();
        ready["broker"] == true
    })
    .await;
}
