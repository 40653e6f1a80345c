//! At-least-once delivery made effectively once: every message of finished sagas is delivered
//! again to every consumer, through the real relay, and nothing changes.

use super::helpers::{book_auto_and_approved, spawn_app, two_resorts_an_employee_and_a_manager, wait_until};
use sqlx::Row;

#[tokio::test]
async fn delivering_every_message_again_to_every_consumer_has_no_second_effect() {
    let app = spawn_app().await;
    let kim = two_resorts_an_employee_and_a_manager(&app).await;
    let (auto, _) = book_auto_and_approved(&app).await;
    app.say("kim", &format!("cancel {auto}")).await;
    app.press("kim", &format!("cx:{auto}")).await;
    app.wait_for_status(&auto, "cancelled").await;
    app.wait_for_points(&kim, 900).await;
    app.kakao.wait_for("kim", "취소되었습니다").await;

    let snapshot = || async {
        let counts: Vec<i64> = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM point_ledger), (SELECT CAST(COALESCE(SUM(held), 0) AS BIGINT) FROM room_night),
                    (SELECT COUNT(*) FROM push_message), (SELECT COUNT(*) FROM saga_step WHERE step NOT LIKE '%.%'),
                    (SELECT COUNT(*) FROM mypage_booking), (SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM mypage_balance),
                    (SELECT COUNT(*) FROM dead_letter)",
        )
        .fetch_one(&app.pool)
        .await
        .map(|row| (0..7).map(|index| row.get::<i64, _>(index)).collect())
        .unwrap();
        counts
    };
    wait_until("the outbox drains", || async { resort_core::outbox::backlog(&app.pool).await.unwrap() == 0 }).await;
    let before = snapshot().await;
    let inbox_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox_message").fetch_one(&app.pool).await.unwrap();
    let pushes_before = app.kakao.pushes().len();

    let redelivered = sqlx::query("UPDATE outbox_message SET published_at = NULL, claimed_until = NULL")
        .execute(&app.pool)
        .await
        .unwrap()
        .rows_affected();
    assert!(redelivered >= 20, "the sagas sent {redelivered} messages");
    wait_until("every message is delivered and acknowledged again", || async {
        resort_core::outbox::backlog(&app.pool).await.unwrap() == 0
    })
    .await;

    assert_eq!(snapshot().await, before);
    let inbox_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox_message").fetch_one(&app.pool).await.unwrap();
    assert_eq!(inbox_after, inbox_before, "every redelivery found its inbox row");
    assert_eq!(app.kakao.pushes().len(), pushes_before);
    assert_eq!(app.points(&kim).await, 900);
}
