//! The notifier on a batch of booking events, as the consume loop hands it one: every event
//! alerts its own people, in their own language, whatever else shares the batch.

use super::helpers::spawn_app;
use chrono::NaiveDate;
use resort_core::booking::BookingStatus;
use resort_core::bus::InProcessBus;
use resort_core::id::{BookingId, EmployeeId, ResortId};
use resort_core::inbox::{ConsumerContext, RetryPolicy};
use resort_core::message::{BookingSnapshot, Envelope, Message};
use std::sync::Arc;

fn snapshot(employee: &str, reference: &str, status: BookingStatus, refund: Option<i64>) -> Message {
    Message::Booking(BookingSnapshot {
        booking_id: BookingId::new(),
        reference: reference.to_owned(),
        employee_id: EmployeeId::parse(employee).unwrap(),
        resort_id: ResortId::new(),
        resort_name: "제주 바람".to_owned(),
        check_in: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
        nights: 2,
        points: 200,
        status,
        reason: None,
        refund_points: refund,
        decided_by: None,
        approval_deadline_at: None,
        version: 3,
    })
}

#[tokio::test]
async fn a_batch_of_events_alerts_each_employee_once_in_their_language() {
    let app = spawn_app().await;
    let lee = app.linked_employee("lee", "이하나", 0).await;
    let kim = app.linked_employee("kim", "Kim", 0).await;
    // Kim chose English (as the chat's language command records it).
    sqlx::query("UPDATE employee SET locale = 'en' WHERE id = $1").bind(&kim).execute(&app.pool).await.unwrap();
    let (status, unlinked) = app
        .admin(reqwest::Method::POST, "/employees", Some(serde_json::json!({ "employee_no": "x9", "name": "나혼자" })))
        .await;
    assert_eq!(status, 201);
    let unlinked = unlinked["id"].as_str().unwrap().to_owned();

    let messages = [
        snapshot(&lee, "AAA-1111", BookingStatus::Confirmed, None),
        snapshot(&kim, "BBB-2222", BookingStatus::Cancelled, Some(200)),
        snapshot(&unlinked, "CCC-3333", BookingStatus::Confirmed, None),
        snapshot(&lee, "DDD-4444", BookingStatus::Cancelled, Some(100)),
    ];
    let envelopes: Vec<Envelope> =
        messages.into_iter().map(|message| message.into_envelope("test", None, chrono::Utc::now())).collect();
    let batch: Vec<&Envelope> = envelopes.iter().collect();
    let context = ConsumerContext {
        pool: app.pool.clone(),
        transport: Arc::new(InProcessBus::new()),
        clock: app.clock.clone(),
        outbox_signal: Default::default(),
        retry: RetryPolicy::default(),
        concurrency: 1,
    };
    let notifier = resortbot::notifier::consumer(app.clock.clone(), Default::default());
    assert_eq!(notifier.apply_batch(&batch, &context).await.unwrap().len(), envelopes.len());

    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT platform_user_id, kind, body FROM push_message WHERE kind IN ('confirmed', 'cancelled') ORDER BY body",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut alerts: Vec<(String, String, String)> = rows
        .into_iter()
        .map(|(user, kind, body)| {
            let reference = ["AAA-1111", "BBB-2222", "CCC-3333", "DDD-4444"]
                .into_iter()
                .find(|reference| body.contains(reference))
                .unwrap_or("none");
            (user, kind, reference.to_owned())
        })
        .collect();
    alerts.sort();
    let expected =
        [("kim", "cancelled", "BBB-2222"), ("lee", "cancelled", "DDD-4444"), ("lee", "confirmed", "AAA-1111")];
    assert_eq!(
        alerts,
        expected.map(|(user, kind, reference)| (user.to_owned(), kind.to_owned(), reference.to_owned()))
    );
    let kims: String = sqlx::query_scalar("SELECT body FROM push_message WHERE platform_user_id = 'kim'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(kims.contains("is cancelled"), "in English: {kims}");
    let lees: Vec<String> = sqlx::query_scalar("SELECT body FROM push_message WHERE platform_user_id = 'lee'")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(lees.iter().all(|body| body.contains("예약이")), "in Korean: {lees:?}");
    // The same batch again alerts nobody twice.
    assert!(notifier.apply_batch(&batch, &context).await.unwrap().is_empty());
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_message WHERE kind IN ('confirmed', 'cancelled')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 3);
}
