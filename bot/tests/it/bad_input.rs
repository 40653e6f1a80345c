//! Every kind of bad input gets a clear, localized answer and changes nothing.

use super::helpers::{
    SKILL_SECRET, TestApp, assert_valid_template, in_days, reference_in, resort_body, spawn_app, template_text,
};
use super::kakao_standin::push_button;
use reqwest::Method;
use serde_json::json;

/// Bookings and the balance, to compare before and after a refusal.
async fn state_of(app: &TestApp, employee: &str) -> (usize, i64) {
    (app.bookings().await.len(), app.points(employee).await)
}

#[tokio::test]
async fn malformed_oversized_and_unauthenticated_webhook_calls_are_refused_with_a_template() {
    let app = spawn_app().await;
    let (status, body) = app.kakao_raw(b"{not json".to_vec(), Some(SKILL_SECRET)).await;
    assert_eq!(status, 400);
    assert_valid_template(&body);
    assert!(template_text(&body).contains("요청 형식이 올바르지 않습니다"));

    let (status, _) = app.kakao_raw(vec![b' '; 70 * 1024], Some(SKILL_SECRET)).await;
    assert_eq!(status, 413);

    let payload =
        json!({ "userRequest": { "utterance": "도움말", "user": { "id": "kim" } }, "bot": { "id": "bot-1" } });
    let (status, body) = app.kakao_raw(serde_json::to_vec(&payload).unwrap(), Some("wrong")).await;
    assert_eq!(status, 401);
    assert!(template_text(&body).contains("인증되지 않은"));
    let (status, _) = app.kakao_raw(serde_json::to_vec(&payload).unwrap(), None).await;
    assert_eq!(status, 401);

    let other_bot = json!({ "userRequest": { "utterance": "help", "lang": "en", "user": { "id": "kim" } }, "bot": { "id": "bot-2" } });
    let (status, body) = app.kakao_raw(serde_json::to_vec(&other_bot).unwrap(), Some(SKILL_SECRET)).await;
    assert_eq!(status, 403);
    assert!(template_text(&body).contains("not sent to this bot"), "{body}");
}

#[tokio::test]
async fn an_unlinked_user_is_told_to_link_and_a_bad_or_used_code_links_nothing() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let refused = app.say("stranger", &format!("예약 설악 오션 {} 1박", in_days(&app, 3))).await;
    assert!(refused.contains("먼저 계정을 연결해 주세요"), "{refused}");
    assert!(app.bookings().await.is_empty());

    assert!(app.say("stranger", "연결 ZZZZZZZZ").await.contains("연결 코드가 맞지 않거나"));
    let (_, employee) =
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "E1", "name": "김휴가" }))).await;
    let code = employee["link_code"].as_str().unwrap();
    assert!(app.say("kim", &format!("연결 {code}")).await.contains("연결되었습니다"));
    assert!(app.say("stranger", &format!("연결 {code}")).await.contains("연결 코드가 맞지 않거나"));
    assert!(app.say("stranger", "포인트").await.contains("먼저 계정을 연결해 주세요"));
}

#[tokio::test]
async fn bad_bookings_are_refused_with_the_reason_and_nothing_is_booked() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let before = state_of(&app, &employee).await;

    let cases = [
        (format!("예약 없는리조트 {} 1박", in_days(&app, 3)), "휴양소를 찾을 수 없습니다"),
        (
            format!(
                "예약 설악 오션 {} 1박",
                resort_core::clock::Clock::today(app.clock.as_ref()) - chrono::Days::new(3)
            ),
            "이미 지났습니다",
        ),
        (format!("예약 설악 오션 {} 0박", in_days(&app, 3)), "최소 1박"),
        (format!("예약 설악 오션 {} 6박", in_days(&app, 3)), "최대 5박"),
        ("예약 설악 오션 2026-02-30 1박".to_owned(), "YYYY-MM-DD"),
        (format!("예약 설악 오션 {} 많이", in_days(&app, 3)), "숫자로"),
        ("예약 설악".to_owned(), "형식으로 보내거나"),
        ("뭐라고요".to_owned(), "잘 이해하지 못했어요"),
        ("x".repeat(1200), "너무 깁니다"),
        (format!("예약 설악 오션 {} 1박", in_days(&app, 366)), "체크인은"),
        ("예약 설악 오션 9999-12-31 1박".to_owned(), "체크인은"),
        ("예약 설악 오션 +262142-12-31 1박".to_owned(), "체크인은"),
    ];
    for (utterance, expected) in cases {
        let answer = app.say("kim", &utterance).await;
        assert!(answer.contains(expected), "{utterance:?} → {answer}");
    }
    assert_eq!(state_of(&app, &employee).await, before);

    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 3박", in_days(&app, 10))).await);
    app.wait_for_status(&reference, "confirmed").await;
    let overlap = app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 11))).await;
    assert!(overlap.contains(&reference) && overlap.contains("이미 예약"), "{overlap}");
    assert_eq!(app.bookings().await.len(), 1);
}

#[tokio::test]
async fn nobody_can_cancel_or_decide_what_is_not_theirs() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let other_resort = app.create_resort(resort_body("남해 별빛", 3, false)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let park = app.linked_employee("park", "박여행", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    let other_manager = app.linked_employee("choi", "최매니저", 0).await;
    app.make_manager(&resort, &manager).await;
    app.make_manager(&other_resort, &other_manager).await;

    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
    let request = app.kakao.wait_for("lee", &reference).await;
    app.wait_for_points(&kim, 900).await;
    let before = (state_of(&app, &kim).await, app.points(&park).await);

    assert!(app.say("park", &format!("취소 {reference}")).await.contains("찾을 수 없습니다"));
    assert!(app.press("park", &format!("cx:{reference}")).await.contains("찾을 수 없습니다"));
    assert!(app.say("kim", "취소 R000000").await.contains("찾을 수 없습니다"));
    assert!(app.press("park", &push_button(&request, "승인")).await.contains("담당자만"));
    assert!(app.press("choi", &push_button(&request, "승인")).await.contains("담당자가 아닙니다"));
    assert!(app.say("choi", "승인 R000000").await.contains("찾을 수 없습니다"));
    assert!(app.press("kim", "zz:unknown").await.contains("잘 이해하지 못했어요"));

    assert_eq!((state_of(&app, &kim).await, app.points(&park).await), before);
    assert_eq!(app.booking(&reference).await["status"], "awaiting_approval");
    assert_eq!(app.booking(&reference).await["decided_by"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_admin_api_refuses_bad_requests_with_a_code_and_a_localized_message() {
    let app = spawn_app().await;
    let response = app.http.get(format!("{}/api/v1/resorts", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");

    let raw = app
        .http
        .post(format!("{}/api/v1/resorts", app.address))
        .bearer_auth(super::helpers::ADMIN_TOKEN)
        .header("accept-language", "en-US,en;q=0.9")
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert!(raw.json::<serde_json::Value>().await.unwrap()["message"].as_str().unwrap().contains("not valid JSON"));

    let (status, body) = app.admin(Method::POST, "/resorts", Some(resort_body("", 3, true))).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")));
    assert!(body["message"].as_str().unwrap().contains("name"));
    // The scheme of the admin token is case-insensitive.
    let lower = app
        .http
        .get(format!("{}/api/v1/resorts", app.address))
        .header("authorization", format!("bearer {}", super::helpers::ADMIN_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);
    let mut negative = resort_body("음수", 3, true);
    negative["late_refund_percent"] = json!(140);
    assert_eq!(app.admin(Method::POST, "/resorts", Some(negative)).await.0, 422);

    let id = app.create_resort(resort_body("설악 오션", 3, true)).await;
    let (status, body) = app.admin(Method::POST, "/resorts", Some(resort_body("설악 오션", 3, true))).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("resort_name_taken")));
    // Names that differ only in spaces or case would shadow each other in typed commands.
    for shadow in ["설악오션", " 설악  오션 ", "설악 오 션"] {
        let (status, body) = app.admin(Method::POST, "/resorts", Some(resort_body(shadow, 3, true))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("resort_name_taken")), "{shadow:?}");
    }
    let other = app.create_resort(resort_body("Ocean View", 3, true)).await;
    let (status, _) =
        app.admin(Method::PATCH, &format!("/resorts/{other}"), Some(json!({ "name": "oceanview" }))).await;
    assert_eq!(status, 200, "renaming to its own name in other spaces and case is fine");
    let (status, _) = app.admin(Method::PATCH, &format!("/resorts/{other}"), Some(json!({ "name": "설악오션" }))).await;
    assert_eq!(status, 409);
    assert_eq!(app.admin(Method::PATCH, &format!("/resorts/{id}"), Some(json!({ "rooms": -1 }))).await.0, 422);
    assert_eq!(app.admin(Method::GET, "/resorts/not-an-id", None).await.0, 404);
    assert_eq!(app.admin(Method::GET, &format!("/resorts/{}", uuid::Uuid::now_v7()), None).await.0, 404);
    let (status, body) = app
        .admin(Method::POST, &format!("/resorts/{id}/managers"), Some(json!({ "employee_id": uuid::Uuid::now_v7() })))
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")));

    let (_, employee) =
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "E1", "name": "김휴가" }))).await;
    let (status, body) =
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "E1", "name": "다른 사람" }))).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("employee_no_taken")));
    assert_eq!(
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "E2", "name": "x", "locale": "fr" })))
            .await
            .0,
        422
    );
    let employee_id = employee["id"].as_str().unwrap();
    for amount in [0, 100_000_000, -100_000_000] {
        let grant = json!({ "amount": amount, "reason": "test" });
        assert_eq!(app.admin(Method::POST, &format!("/employees/{employee_id}/points"), Some(grant)).await.0, 422);
    }
    // A deduction is a grant below zero, never below the balance.
    let deduction = json!({ "amount": -5, "reason": "test" });
    let (status, error) = app.admin(Method::POST, &format!("/employees/{employee_id}/points"), Some(deduction)).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("insufficient_points")), "{error}");
    assert_eq!(app.admin(Method::GET, "/bookings?status=lost", None).await.0, 400);
    assert_eq!(app.admin(Method::POST, &format!("/bookings/{}/cancel", uuid::Uuid::now_v7()), None).await.0, 404);

    assert_eq!(app.admin(Method::GET, "/resorts", None).await.1["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.admin(Method::GET, "/employees", None).await.1["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.points(employee_id).await, 0);
}

#[tokio::test]
async fn dates_at_the_end_of_the_calendar_are_refused_in_the_guided_flow_too() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let before = state_of(&app, &employee).await;
    app.press("kim", "m:book").await;
    app.press("kim", &format!("fr:{resort}")).await;
    for press in ["fd:+262142-12-31", "fd:9999-12-31", "fm:+262142-12", "fm:9999-12"] {
        let answer = app.press("kim", press).await;
        assert!(!answer.is_empty() && !answer.contains("죄송합니다"), "{press} → {answer}");
    }
    let far = app.press("kim", "fd:+262142-12-31").await;
    assert!(far.contains("체크인은"), "{far}");
    // Still on the date question: a date within the window goes on to the nights.
    let next = app.press("kim", &format!("fd:{}", in_days(&app, 3))).await;
    assert!(next.contains("박"), "{next}");
    assert_eq!(state_of(&app, &employee).await, before);
}
