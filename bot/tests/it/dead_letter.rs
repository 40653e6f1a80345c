//! A message that keeps failing is parked as a dead letter, everything else keeps flowing, and
//! an operator replays it from the admin API once the cause is fixed.

use super::helpers::{in_days, reference_in, resort_body, spawn_app, wait_until};
use reqwest::Method;

#[tokio::test]
async fn a_failing_message_is_parked_others_flow_and_a_replay_completes_it_once_fixed() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;

    // An operator's mistake: the point worker's ledger is gone, so every deduction fails.
    sqlx::query("ALTER TABLE point_ledger RENAME TO point_ledger_away").execute(&app.pool).await.unwrap();
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 5))).await);
    let parked = {
        let mut parked = serde_json::Value::Null;
        wait_until("the deduction is parked as a dead letter", || async {
            let letters = app.list_all("/dead-letters").await;
            letters.iter().any(|letter| letter["consumer"] == "point" && letter["message_type"] == "point.deduct")
        })
        .await;
        let letters = app.list_all("/dead-letters").await;
        parked.clone_from(&letters[0]);
        parked
    };
    // Everything else flowed: the history already shows the request, nothing was charged.
    wait_until("the history shows the request", || async {
        let history = app.say("kim", "내 예약").await;
        history.contains(&reference) && history.contains("요청됨")
    })
    .await;
    assert_eq!(app.booking(&reference).await["status"], "requested");
    assert_eq!(app.points(&kim).await, 1000);

    sqlx::query("ALTER TABLE point_ledger_away RENAME TO point_ledger").execute(&app.pool).await.unwrap();
    let replay = format!("/dead-letters/{}/replay", parked["id"].as_str().unwrap());
    let (status, body) = app.admin(Method::POST, &replay, None).await;
    assert_eq!(status, 202, "{body}");
    app.kakao.wait_for("kim", &format!("확정되었습니다. 참조번호 {reference}")).await;
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 900).await;

    let (status, body) = app.admin(Method::POST, &replay, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_replayed")));
    assert_eq!(app.admin(Method::POST, "/dead-letters/nothing/replay", None).await.0, 404);
    app.wait_for_points(&kim, 900).await;
}

#[tokio::test]
async fn history_and_points_answer_while_the_booking_side_is_unavailable() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 5))).await);
    app.wait_for_status(&reference, "confirmed").await;
    wait_until("the history shows the booking confirmed", || async {
        let history = app.say("kim", "내 예약").await;
        history.contains(&reference) && history.contains("확정")
    })
    .await;

    // The booking side's storage is gone; the mypage view is not.
    sqlx::query("ALTER TABLE booking RENAME TO booking_away").execute(&app.pool).await.unwrap();
    let refused = app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 9))).await;
    assert!(refused.contains("죄송합니다"), "booking needs the booking side: {refused}");
    let history = app.say("kim", "내 예약").await;
    assert!(history.contains(&reference) && history.contains("확정"), "{history}");
    wait_until("the balance view shows the payment", || async {
        app.say("kim", "포인트").await.contains("900포인트")
    })
    .await;
    sqlx::query("ALTER TABLE booking_away RENAME TO booking").execute(&app.pool).await.unwrap();
}
