//! The casts and stories several tests share.

use super::*;

/// The usual cast: 제주 바람 (manager approval, run by 이매니저 on Kakao account `lee`), 설악 오션
/// (approved automatically) and 김휴가 with 1000 points on account `kim`; returns kim's id.
pub async fn two_resorts_an_employee_and_a_manager(app: &TestApp) -> String {
    let approval_resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&approval_resort, &manager).await;
    kim
}

/// kim books 설악 오션 (2 nights, auto) and 제주 바람 (1 night), which lee approves from the
/// pushed button; returns both references once both are confirmed.
pub async fn book_auto_and_approved(app: &TestApp) -> (String, String) {
    let auto = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(app, 10))).await);
    let approved = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(app, 20))).await);
    let request = app.kakao.wait_for("lee", &approved).await;
    app.press("lee", &push_button(&request, "승인")).await;
    app.wait_for_status(&auto, "confirmed").await;
    app.wait_for_status(&approved, "confirmed").await;
    (auto, approved)
}

/// A check-in date `days` from the app's today.
pub fn in_days(app: &TestApp, days: u64) -> String {
    use resort_core::clock::Clock;
    (app.clock.today() + chrono::Days::new(days)).to_string()
}

/// A resort for tests: auto-approve unless said otherwise.
pub fn resort_body(name: &str, rooms: i64, auto_approve: bool) -> Value {
    json!({ "name": name, "region": "강원", "rooms": rooms, "points_per_night": 100, "max_nights": 5,
            "auto_approve": auto_approve, "approval_hours": 24, "free_cancel_days": 7, "late_refund_percent": 50 })
}
