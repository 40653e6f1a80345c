//! Who decides a booking that waits for approval: a manager of the resort, never the guest
//! themselves; the deadline; or an admin through the admin API.

use super::helpers::{in_days, reference_in, resort_body, spawn_app};
use super::kakao_standin::push_button;
use serde_json::json;

#[tokio::test]
async fn a_manager_cannot_approve_their_own_booking_and_another_manager_can() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let lee = app.linked_employee("lee", "이매니저", 1000).await;
    let park = app.linked_employee("park", "박매니저", 0).await;
    app.make_manager(&resort, &lee).await;
    app.make_manager(&resort, &park).await;

    let reference = reference_in(&app.say("lee", &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
    let request = app.kakao.wait_for("park", &reference).await;
    app.wait_for_status(&reference, "awaiting_approval").await;
    assert!(
        app.kakao.pushes_to("lee").iter().all(|push| !push.to_string().contains("ap:")),
        "the guest gets no approve button: {:?}",
        app.kakao.pushes_to("lee")
    );
    let refused = app.say("lee", &format!("승인 {reference}")).await;
    assert!(refused.contains("본인의 예약"), "{refused}");
    let pressed = app.press("lee", &format!("ap:{reference}")).await;
    assert!(pressed.contains("본인의 예약"), "{pressed}");
    assert!(!app.say("lee", "대기").await.contains(&reference), "not among the manager's own pending requests");
    assert_eq!(app.booking(&reference).await["status"], "awaiting_approval");

    app.press("park", &push_button(&request, "승인")).await;
    let booking = app.wait_for_status(&reference, "confirmed").await;
    assert_eq!(booking["decided_by"], "박매니저");
}

#[tokio::test]
async fn an_admin_decides_a_booking_no_other_manager_can() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let lee = app.linked_employee("lee", "이매니저", 1000).await;
    app.make_manager(&resort, &lee).await;
    let reference = reference_in(&app.say("lee", &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
    let booking = app.wait_for_status(&reference, "awaiting_approval").await;
    let path = format!("/bookings/{}/decision", booking["id"].as_str().unwrap());

    let (status, error) = app.admin(reqwest::Method::POST, &path, Some(json!({ "decision": "maybe" }))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "{error}");
    let long = "가".repeat(501);
    let (status, _) =
        app.admin(reqwest::Method::POST, &path, Some(json!({ "decision": "approve", "reason": long }))).await;
    assert_eq!(status, 422);
    assert_eq!(app.booking(&reference).await["status"], "awaiting_approval", "a refused request changed nothing");

    let body = json!({ "decision": "approve", "reason": "담당자 본인 예약" });
    let (status, decided) = app.admin(reqwest::Method::POST, &path, Some(body.clone())).await;
    assert_eq!(status, 202, "{decided}");
    let confirmed = app.wait_for_status(&reference, "confirmed").await;
    assert_eq!(confirmed["decided_by"], "관리자");
    assert_eq!(confirmed["decision_note"], "담당자 본인 예약");
    let (status, again) = app.admin(reqwest::Method::POST, &path, Some(body)).await;
    assert_eq!((status, again["code"].as_str()), (409, Some("not_awaiting_approval")), "{again}");
    let (status, _) = app
        .admin(
            reqwest::Method::POST,
            "/bookings/0190a3c4-0000-7000-8000-000000000000/decision",
            Some(json!({ "decision": "reject" })),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_long_pending_list_comes_a_page_at_a_time() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 10, false)).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;
    let mut references = Vec::new();
    for index in 0..7 {
        let guest = format!("guest{index}");
        app.linked_employee(&guest, &format!("손님{index}"), 1000).await;
        let reference = reference_in(&app.say(&guest, &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
        app.wait_for_status(&reference, "awaiting_approval").await;
        references.push(reference);
    }
    let first = app.say_full("lee", "대기").await;
    let text = super::helpers::template_text(&first);
    assert!(text.contains("7건 중 1–3번째"), "{text}");
    assert!(references[..3].iter().all(|reference| text.contains(reference.as_str())), "{text}");
    assert!(!text.contains(references[3].as_str()));
    super::helpers::assert_valid_template(&first);
    let next = super::helpers::template_buttons(&first);
    let (_, press) = next.iter().find(|(label, _)| label == "다음 요청").expect("a next-page button");
    let second = super::helpers::template_text(&app.press_full("lee", press).await);
    assert!(second.contains("4–6번째") && second.contains(references[5].as_str()), "{second}");
    let last = app.press_full("lee", "pp:6").await;
    assert!(super::helpers::template_text(&last).contains("7–7번째"));
    assert!(super::helpers::template_buttons(&last).iter().all(|(label, _)| label != "다음 요청"));
}
