//! The booking saga end to end, as employees and managers live it.

use super::helpers::{in_days, reference_in, resort_body, spawn_app, template_buttons};
use super::kakao_standin::{push_button, push_text};
use chrono::Duration;
use reqwest::Method;

#[tokio::test]
async fn an_auto_approved_booking_is_confirmed_paid_and_pushed() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;

    let check_in = in_days(&app, 10);
    let ack = app.say("kim", &format!("예약 설악 오션 {check_in} 2박")).await;
    assert!(ack.contains("예약 요청을 접수했습니다"), "{ack}");
    let reference = reference_in(&ack);

    let push = app.kakao.wait_for("kim", "확정").await;
    assert!(push_text(&push).contains(&reference));
    assert_eq!(push["event"]["name"], "resortbot_alert");
    let booking = app.wait_for_status(&reference, "confirmed").await;
    assert_eq!(booking["points"], 200);
    assert_eq!(booking["check_in"], check_in);
    app.wait_for_points(&employee, 800).await;

    assert_eq!(app.kakao.refused(), 0, "every push matched the Event API's wire format");
    let (_, detail) = app.admin(Method::GET, &format!("/bookings/{}", booking["id"].as_str().unwrap()), None).await;
    let steps: Vec<&str> =
        detail["steps"].as_array().unwrap().iter().map(|step| step["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["requested", "point.deducted", "hotel.confirmed"]);
}

#[tokio::test]
async fn a_manager_approves_from_the_pushed_buttons_and_a_second_press_changes_nothing() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;

    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 20))).await);
    let request = app.kakao.wait_for("lee", &reference).await;
    assert!(push_text(&request).contains("김휴가"), "{request}");
    app.wait_for_status(&reference, "awaiting_approval").await;

    let approve = push_button(&request, "승인");
    let answer = app.press("lee", &approve).await;
    assert!(answer.contains("승인했습니다"), "{answer}");
    app.kakao.wait_for("kim", "확정").await;
    let booking = app.wait_for_status(&reference, "confirmed").await;
    assert_eq!(booking["decided_by"], "이매니저");
    app.wait_for_points(&employee, 900).await;

    let again = app.press("lee", &approve).await;
    assert!(again.contains("이미 처리했습니다"), "{again}");
    let rejected_late = app.press("lee", &push_button(&request, "거절")).await;
    assert!(rejected_late.contains("이미 처리했습니다"), "{rejected_late}");
    assert_eq!(app.booking(&reference).await["status"], "confirmed");
}

#[tokio::test]
async fn a_manager_rejection_refunds_the_employee_and_says_why() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;

    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 3박", in_days(&app, 20))).await);
    let request = app.kakao.wait_for("lee", &reference).await;
    app.wait_for_points(&employee, 700).await;
    app.press("lee", &push_button(&request, "거절")).await;

    let push = app.kakao.wait_for("kim", "거절되었습니다").await;
    assert!(push_text(&push).contains("담당자 거절") && push_text(&push).contains("300"), "{push}");
    let booking = app.wait_for_status(&reference, "rejected").await;
    assert_eq!(booking["reason"], "manager_rejected");
    app.wait_for_points(&employee, 1000).await;
}

/// Requests stays straight at the booking desk while no process runs, so every request passes
/// the up-front checks on the same facts (as racing requests do); returns the references. The
/// saga's own guards decide once the process is back.
async fn racing_requests(app: &mut super::helpers::TestApp, resort: &str, stays: &[(&str, &str, u32)]) -> Vec<String> {
    app.kill().await;
    let desk = resortbot::booking::BookingDesk::new(
        app.pool.clone(),
        std::sync::Arc::new(resort_core::clock::SystemClock),
        resort_core::outbox::OutboxSignal::new(),
    );
    let catalog = desk.catalog.snapshot().await.unwrap();
    let resort = catalog.resort(resort_core::id::ResortId::parse(resort).unwrap()).unwrap();
    let mut references = Vec::new();
    for (employee, check_in, nights) in stays {
        let ask = resortbot::booking::Ask {
            room_type_id: None,
            check_in: resort_core::stay::parse_date(check_in).unwrap(),
            nights: *nights,
            guests: 1,
        };
        let id = resort_core::id::EmployeeId::parse(employee).unwrap();
        let employee = resortbot::identity::get_employee(&app.pool, id).await.unwrap().unwrap();
        references.push(desk.request(&catalog, &employee, resort, ask, None).await.unwrap().reference);
    }
    references
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_points_no_longer_cover_when_its_turn_comes_is_rejected_and_nothing_is_taken() {
    let mut app = super::helpers::spawn_process().await;
    let resort = app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 250).await;
    let (first, second) = (in_days(&app, 5), in_days(&app, 10));
    let references = racing_requests(&mut app, &resort, &[(&employee, &first, 2), (&employee, &second, 2)]).await;
    let app = app.restart_process().await;
    app.wait_for_status(&references[0], "confirmed").await;
    let push = app.kakao.wait_for("kim", "거절되었습니다").await;
    assert!(push_text(&push).contains("포인트 부족"), "{push}");
    assert_eq!(app.wait_for_status(&references[1], "rejected").await["reason"], "insufficient_points");
    app.wait_for_points(&employee, 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_room_goes_to_one_booking_and_the_other_is_refunded() {
    let mut app = super::helpers::spawn_process().await;
    let resort = app.create_resort(resort_body("남해 별빛", 2, true)).await;
    let first = app.linked_employee("kim", "김휴가", 500).await;
    let second = app.linked_employee("park", "박여행", 500).await;
    let night = in_days(&app, 3);
    // Both are accepted for the two rooms; then one room closes (repairs) before the hotel
    // worker has taken either hold, so the hotel has one room for two accepted bookings.
    let references = racing_requests(&mut app, &resort, &[(&first, &night, 1), (&second, &night, 2)]).await;
    // The rules already count both on that night, though the hotel holds neither yet.
    let room_type = resort_core::id::RoomTypeId::parse(&resort).unwrap();
    let on_night = resort_core::stay::parse_date(&night).unwrap();
    let taken = resortbot::booking::occupancy::taken_per_night(&app.pool, room_type, on_night, 1).await.unwrap();
    assert_eq!(taken.get(&on_night), Some(&2), "{taken:?}");
    sqlx::query("UPDATE room_type SET rooms = 1 WHERE resort_id = $1").bind(&resort).execute(&app.pool).await.unwrap();
    let app = app.restart_process().await;
    app.wait_for_status(&references[0], "confirmed").await;
    let push = app.kakao.wait_for("park", "거절되었습니다").await;
    assert!(push_text(&push).contains("빈 객실 없음"), "{push}");
    assert_eq!(app.wait_for_status(&references[1], "rejected").await["reason"], "no_room");
    app.wait_for_points(&first, 400).await;
    app.wait_for_points(&second, 500).await;
}

#[tokio::test]
async fn a_request_past_its_approval_deadline_is_rejected_refunded_and_the_manager_told() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;

    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 30))).await);
    let request = app.kakao.wait_for("lee", &reference).await;
    app.wait_for_points(&employee, 900).await;

    app.clock.advance(Duration::hours(23));
    // The timer's own pass, run here on the same clock: nothing is due an hour early.
    let desk = resortbot::booking::BookingDesk::new(
        app.pool.clone(),
        app.clock.clone(),
        resort_core::outbox::OutboxSignal::new(),
    );
    let timers = resortbot::app::timers(&desk, Default::default());
    assert_eq!(timers.fire_due().await.unwrap(), 0, "not before the deadline");
    assert_eq!(app.booking(&reference).await["status"], "awaiting_approval", "not before the deadline");

    app.clock.advance(Duration::hours(2));
    let push = app.kakao.wait_for("kim", "거절되었습니다").await;
    assert!(push_text(&push).contains("승인 기한 초과"), "{push}");
    app.kakao.wait_for("lee", "승인 기한을 넘겨").await;
    assert_eq!(app.wait_for_status(&reference, "rejected").await["reason"], "manager_timed_out");
    app.wait_for_points(&employee, 1000).await;

    let late = app.press("lee", &push_button(&request, "승인")).await;
    assert!(late.contains("이미 처리되었습니다"), "{late}");
    // The app's timer loop and this pass share the timer: it fired once.
    assert_eq!(timers.fire_due().await.unwrap(), 0);
    let expiries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM saga_step WHERE booking_id = $1 AND step = $2")
        .bind(app.booking(&reference).await["id"].as_str().unwrap())
        .bind(resort_core::saga::decide_room(resort_core::booking::Decision::Expire).1)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(expiries, 1);
}

#[tokio::test]
async fn cancelling_early_refunds_everything_and_late_refunds_the_policy_share() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;

    let early = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(&app, 30))).await);
    let late = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 2박", in_days(&app, 2))).await);
    app.wait_for_status(&early, "confirmed").await;
    app.wait_for_status(&late, "confirmed").await;
    app.wait_for_points(&employee, 600).await;

    let quote = app.say_full("kim", &format!("취소 {early}")).await;
    assert!(super::helpers::template_text(&quote).contains("200포인트 중 200포인트"), "{quote}");
    let confirm = template_buttons(&quote).into_iter().find(|(label, _)| label == "취소 확정").unwrap().1;
    assert!(app.press("kim", &confirm).await.contains("취소를 진행합니다"));
    app.kakao.wait_for("kim", &format!("{early} 예약이 취소되었습니다. 200포인트")).await;
    app.wait_for_status(&early, "cancelled").await;
    app.wait_for_points(&employee, 800).await;

    let quote = app.say("kim", &format!("cancel {late}")).await;
    assert!(quote.contains("200포인트 중 100포인트"), "{quote}");
    app.press("kim", &format!("cx:{late}")).await;
    assert_eq!(app.wait_for_status(&late, "cancelled").await["refund_points"], 100);
    app.wait_for_points(&employee, 900).await;

    // The history is the mypage view: it catches up on its own time.
    super::helpers::wait_until("the history shows both cancels", || async {
        let history = app.say("kim", "내 예약").await;
        history.contains(&early) && history.contains(&late) && history.matches("취소됨").count() == 2
    })
    .await;
}

#[tokio::test]
async fn the_guided_flow_books_once_however_often_confirm_is_pressed() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;

    let resorts = app.say_full("kim", "예약").await;
    let resort_press = template_buttons(&resorts).into_iter().find(|(label, _)| label == "설악 오션").unwrap().1;
    let dates = app.press_full("kim", &resort_press).await;
    let (date, date_press) = template_buttons(&dates).into_iter().find(|(_, press)| press.starts_with("fd:")).unwrap();
    assert_eq!(date, in_days(&app, 0), "the first free date is today");
    let nights = app.press_full("kim", &date_press).await;
    assert!(template_buttons(&nights).iter().any(|(label, _)| label == "3박"));
    let guests = app.press_full("kim", "fn:3").await;
    let offered: Vec<String> = template_buttons(&guests).into_iter().map(|(label, _)| label).collect();
    assert_eq!(offered[..4], ["1명", "2명", "3명", "4명"], "up to the room's capacity: {offered:?}");
    let summary = app.press("kim", "fg:2").await;
    assert!(summary.contains("300포인트") && summary.contains("1000포인트 → 예약 후 700포인트"), "{summary}");
    assert!(summary.contains("기본 · 2명"), "{summary}");

    let first = app.press("kim", "fc").await;
    let reference = reference_in(&first);
    let second = app.press("kim", "fc").await;
    assert!(second.contains(&reference) && second.contains("이미 요청한 예약"), "{second}");
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&employee, 700).await;
    assert_eq!(app.bookings().await.len(), 1);
}

#[tokio::test]
async fn an_english_speaker_is_answered_and_alerted_in_english() {
    let app = spawn_app().await;
    app.create_resort(resort_body("Seorak", 5, true)).await;
    app.linked_employee("kim", "Kim", 1000).await;

    let ack = app.say_in("kim", &format!("book Seorak {} 2", in_days(&app, 4)), "en").await;
    assert!(ack.contains("Booking request received"), "{ack}");
    let push = app.kakao.wait_for("kim", "Your booking is confirmed").await;
    assert!(push_text(&push).contains("2 nights"), "{push}");
    super::helpers::wait_until("the balance view catches up", || async {
        app.say_in("kim", "points", "en").await.contains("Your balance is 800 points")
    })
    .await;
}

#[tokio::test]
async fn a_failing_push_is_retried_until_the_platform_takes_it() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    app.kakao.fail_next(1);

    app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 4))).await;
    super::helpers::wait_until("the first attempt fails", || async { app.kakao.failures_pending() == 0 }).await;
    // The retry time is set from the app's clock when the failure is recorded: wait for that.
    super::helpers::wait_until("the failure is recorded", || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM push_message WHERE attempts = 1 AND sent_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap()
            == 1
    })
    .await;
    assert!(app.kakao.pushes_to("kim").is_empty());
    // The retry is due 500 ms later on the app's clock.
    app.clock.advance(Duration::seconds(1));
    app.kakao.wait_for("kim", "확정").await;
    assert_eq!(app.kakao.pushes_to("kim").len(), 1);
}

#[tokio::test]
async fn a_manager_sees_pending_requests_decides_from_the_list_and_sees_todays_arrivals() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;
    assert!(app.say("lee", "오늘 체크인").await.contains("오늘 체크인하는 손님이 없습니다"));
    assert!(app.say("lee", "대기").await.contains("승인을 기다리는 요청이 없습니다"));

    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 0))).await);
    app.wait_for_status(&reference, "awaiting_approval").await;
    let pending = app.say_full("lee", "대기").await;
    let text = super::helpers::template_text(&pending);
    assert!(text.contains("요청 1건") && text.contains(&reference) && text.contains("김휴가"), "{text}");
    let approve = template_buttons(&pending).into_iter().find(|(label, _)| label == "승인").unwrap().1;
    app.press("lee", &approve).await;
    app.wait_for_status(&reference, "confirmed").await;

    let arrivals = app.say("lee", "arrivals").await;
    assert!(arrivals.contains("김휴가") && arrivals.contains(&reference), "{arrivals}");
    assert!(app.say("kim", "오늘 체크인").await.contains("담당자만"));
    let help = app.say("lee", "도움말").await;
    assert!(help.contains("이매니저님") && help.contains("담당자 메뉴"), "{help}");
    assert!(!app.say("kim", "help").await.contains("담당자 메뉴"));
}

#[tokio::test]
async fn an_employees_own_language_choice_wins_over_the_platforms_hint() {
    let app = spawn_app().await;
    app.create_resort(resort_body("Seorak", 5, true)).await;
    let (_, employee) = app
        .admin(
            Method::POST,
            "/employees",
            Some(serde_json::json!({ "employee_no": "E9", "name": "Jane", "locale": "en" })),
        )
        .await;
    let linked = app.say("jane", &format!("연결 {}", employee["link_code"].as_str().unwrap())).await;
    assert!(linked.contains("Jane, your account is linked"), "{linked}");
    assert!(app.say("jane", "포인트").await.contains("Your balance is 0 points"));
}
