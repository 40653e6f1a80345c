//! Many people racing for few rooms: the database's guards decide, and no point goes astray.

use super::helpers::{in_days, reference_in, resort_body, spawn_app, wait_until};
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_bookings_for_three_rooms_confirm_exactly_three_and_conserve_points() {
    let app = std::sync::Arc::new(spawn_app().await);
    app.create_resort(resort_body("남해 별빛", 3, true)).await;
    let mut employees = Vec::new();
    for index in 0..20 {
        employees.push(app.linked_employee(&format!("guest{index}"), &format!("손님{index}"), 1000).await);
    }
    let night = in_days(&app, 7);

    let mut requests = tokio::task::JoinSet::new();
    for index in 0..20 {
        let (app, night) = (app.clone(), night.clone());
        requests
            .spawn(async move { app.say(&format!("guest{index}"), &format!("예약 남해 별빛 {night} 2박")).await });
    }
    // Acceptance counts the rooms: the first three are accepted with a reference, and every
    // other one is refused up front for the full night, however far the hotel has got.
    let mut refused_up_front = 0;
    while let Some(reply) = requests.join_next().await {
        let reply = reply.unwrap();
        if reply.contains("빈 객실이 없습니다") {
            refused_up_front += 1;
        } else {
            reference_in(&reply);
        }
    }
    wait_until("every booking is final", || async {
        app.bookings().await.iter().all(|booking| matches!(booking["status"].as_str(), Some("confirmed" | "rejected")))
    })
    .await;

    let bookings = app.bookings().await;
    let confirmed = bookings.iter().filter(|booking| booking["status"] == "confirmed").count();
    assert_eq!((bookings.len(), confirmed, refused_up_front), (3, 3, 17), "first accepted, first served");
    for employee in &employees {
        let paid = bookings
            .iter()
            .any(|booking| booking["employee_id"] == employee.as_str() && booking["status"] == "confirmed");
        app.wait_for_points(employee, if paid { 800 } else { 1000 }).await;
    }
    let held: Vec<i64> = sqlx::query("SELECT held FROM room_night ORDER BY night")
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<i64, _>("held"))
        .collect();
    assert_eq!(held, [3, 3], "three rooms held on each of the two nights");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_identical_bookings_of_one_employee_at_once_leave_exactly_one_for_the_night() {
    let app = std::sync::Arc::new(spawn_app().await);
    app.create_resort(resort_body("남해 별빛", 5, true)).await;
    let employee = app.linked_employee("eager", "성급한", 1000).await;
    let night = in_days(&app, 7);

    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, night, barrier) = (app.clone(), night.clone(), barrier.clone());
        requests.spawn(async move {
            barrier.wait().await;
            app.say("eager", &format!("예약 남해 별빛 {night} 1박")).await
        });
    }
    let mut accepted = 0;
    while let Some(reply) = requests.join_next().await {
        let reply = reply.unwrap();
        if reply.contains("예약 요청을 접수했습니다") {
            accepted += 1;
        } else {
            assert!(reply.contains("같은 기간에 이미 예약"), "the refusal is the overlap message: {reply}");
        }
    }
    assert_eq!(accepted, 1, "one request was accepted");
    wait_until("every booking is final", || async {
        app.bookings().await.iter().all(|booking| matches!(booking["status"].as_str(), Some("confirmed" | "rejected")))
    })
    .await;
    let bookings = app.bookings().await;
    assert_eq!(bookings.iter().filter(|booking| booking["status"] == "confirmed").count(), 1, "{bookings:?}");
    app.wait_for_points(&employee, 900).await;
    let held: i64 = sqlx::query_scalar("SELECT held FROM room_night").fetch_one(&app.pool).await.unwrap();
    assert_eq!(held, 1, "one room held for the night");
}

#[tokio::test]
async fn a_cancelled_booking_gives_its_nights_back_to_the_employee() {
    let app = spawn_app().await;
    app.create_resort(resort_body("남해 별빛", 5, true)).await;
    app.linked_employee("eager", "성급한", 1000).await;
    let night = in_days(&app, 7);
    let first = reference_in(&app.say("eager", &format!("예약 남해 별빛 {night} 2박")).await);
    app.wait_for_status(&first, "confirmed").await;
    let refused = app.say("eager", &format!("예약 남해 별빛 {} 1박", in_days(&app, 8))).await;
    assert!(refused.contains(&format!("같은 기간에 이미 예약({first})")), "{refused}");
    app.press("eager", &format!("cq:{first}")).await;
    app.press("eager", &format!("cx:{first}")).await;
    app.wait_for_status(&first, "cancelled").await;
    let again = reference_in(&app.say("eager", &format!("예약 남해 별빛 {} 1박", in_days(&app, 8))).await);
    app.wait_for_status(&again, "confirmed").await;
}
