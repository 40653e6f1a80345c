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
        requests.spawn(async move {
            reference_in(&app.say(&format!("guest{index}"), &format!("예약 남해 별빛 {night} 2박")).await)
        });
    }
    let mut references = Vec::new();
    while let Some(reference) = requests.join_next().await {
        references.push(reference.unwrap());
    }
    wait_until("every booking is final", || async {
        app.bookings().await.iter().all(|booking| matches!(booking["status"].as_str(), Some("confirmed" | "rejected")))
    })
    .await;

    let bookings = app.bookings().await;
    assert_eq!(bookings.len(), 20);
    let confirmed = bookings.iter().filter(|booking| booking["status"] == "confirmed").count();
    let no_room = bookings.iter().filter(|booking| booking["reason"] == "no_room").count();
    assert_eq!((confirmed, no_room), (3, 17));
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
