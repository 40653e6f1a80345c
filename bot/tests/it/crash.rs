//! A process killed mid-saga loses nothing and applies nothing twice: the real binary is killed
//! with SIGKILL and started again on the same database.

use super::helpers::{in_days, reference_in, resort_body, spawn_process, wait_until};
use resort_core::clock::SystemClock;
use resort_core::id::{EmployeeId, ResortId};
use resort_core::outbox::OutboxSignal;
use resortbot::booking::BookingDesk;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_committed_but_never_published_completes_after_a_restart() {
    let mut app = spawn_process().await;
    let resort_id = app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    app.kill().await;

    // With no process running, the booking side commits a booking and its first command:
    // exactly the state a crash between commit and publish leaves behind.
    let desk = BookingDesk::new(app.pool.clone(), Arc::new(SystemClock), OutboxSignal::new());
    let catalog = desk.catalog.snapshot().await.unwrap();
    let resort = catalog.resort(ResortId::parse(&resort_id).unwrap()).unwrap();
    let check_in = resort_core::stay::parse_date(&in_days(&app, 6)).unwrap();
    let ask = resortbot::booking::Ask { room_type_id: None, check_in, nights: 2, guests: 1 };
    let found = resortbot::identity::get_employee(&app.pool, EmployeeId::parse(&employee).unwrap()).await.unwrap();
    let booking = desk.request(&catalog, &found.unwrap(), resort, ask, None).await.unwrap();
    assert!(resort_core::outbox::backlog(&app.pool).await.unwrap() >= 2);

    let restarted = app.restart_process().await;
    restarted.kakao.wait_for("kim", &booking.reference).await;
    restarted.wait_for_status(&booking.reference, "confirmed").await;
    restarted.wait_for_points(&employee, 800).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_process_at_a_random_moment_of_a_booking_stream_leaves_every_saga_whole() {
    const ROOMS: i64 = 4;
    let mut app = spawn_process().await;
    app.create_resort(resort_body("남해 별빛", ROOMS, true)).await;
    let mut employees = HashMap::new();
    for index in 0..8 {
        employees.insert(app.linked_employee(&format!("guest{index}"), &format!("손님{index}"), 1000).await, index);
    }
    let nights = [in_days(&app, 5), in_days(&app, 15)];
    let delay_millis = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * 2;
    eprintln!("killing after {delay_millis} ms");

    let app_for_requests = Arc::new(super::helpers::Client::of(&app));
    let mut requests = tokio::task::JoinSet::new();
    for index in 0..8 {
        for night in &nights {
            let (client, night) = (app_for_requests.clone(), night.clone());
            requests.spawn(async move {
                client.try_say(&format!("guest{index}"), &format!("예약 남해 별빛 {night} 1박")).await
            });
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(delay_millis)).await;
    app.kill().await;
    let mut acknowledged = Vec::new();
    while let Some(answer) = requests.join_next().await {
        if let Some(text) = answer.unwrap().filter(|text| text.contains("참조번호")) {
            acknowledged.push(reference_in(&text));
        }
    }

    let app = app.restart_process().await;
    wait_until("every saga reaches a final state", || async {
        app.bookings().await.iter().all(|booking| matches!(booking["status"].as_str(), Some("confirmed" | "rejected")))
    })
    .await;
    let bookings = app.bookings().await;
    for reference in &acknowledged {
        assert!(
            bookings.iter().any(|booking| booking["reference"] == reference.as_str()),
            "acknowledged {reference} was lost"
        );
    }
    for night in &nights {
        let confirmed = bookings
            .iter()
            .filter(|booking| booking["check_in"] == night.as_str() && booking["status"] == "confirmed")
            .count();
        let held: Option<i64> = sqlx::query("SELECT held FROM room_night WHERE night = $1")
            .bind(night)
            .fetch_optional(&app.pool)
            .await
            .unwrap()
            .map(|row| row.get("held"));
        assert_eq!(held.unwrap_or(0), confirmed as i64, "holds on {night} match confirmed bookings");
        assert!(confirmed as i64 <= ROOMS);
    }
    for employee in employees.keys() {
        let paid: i64 = bookings
            .iter()
            .filter(|booking| booking["employee_id"] == employee.as_str() && booking["status"] == "confirmed")
            .map(|booking| booking["points"].as_i64().unwrap())
            .sum();
        app.wait_for_points(employee, 1000 - paid).await;
    }
    for booking in bookings.iter().filter(|booking| booking["status"] == "confirmed") {
        let user_key = format!("guest{}", employees[booking["employee_id"].as_str().unwrap()]);
        app.kakao.wait_for(&user_key, booking["reference"].as_str().unwrap()).await;
    }
}
