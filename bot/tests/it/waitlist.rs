//! The waitlist end to end: joining a full stay from a refusal's button or in one message,
//! positions, an offer chain (cancel → offer to the first → expiry on the manual clock → offer to
//! the second → accept → confirmed, points exact), a cancel racing direct bookings for the last
//! night never overselling, and a lottery's losers waiting in draw order.

use super::helpers::{TestApp, in_days, reference_in, resort_body, spawn_app, template_buttons, wait_until};
use super::kakao_standin::{push_button, push_text};
use chrono::Duration;
use reqwest::Method;
use resort_core::clock::Clock;
use serde_json::{Value, json};

async fn waitlist(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.admin(Method::GET, &format!("/waitlist{query}"), None).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Rooms of the resort's only type held on a night.
async fn held_on(app: &TestApp, resort_id: &str, night: &str) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(MAX(held), 0) FROM room_night WHERE room_type_id = $1 AND night = $2")
        .bind(resort_id)
        .bind(night)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_freed_room_is_offered_in_turn_expires_to_the_next_and_is_booked_on_accept() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    let (status, _) = app.admin(Method::PATCH, &format!("/resorts/{resort}"), Some(json!({ "offer_hours": 3 }))).await;
    assert_eq!(status, 200);
    let kim = app.linked_employee("kim", "김민준", 1000).await;
    let lee = app.linked_employee("lee", "이서연", 1000).await;
    let park = app.linked_employee("park", "박지훈", 1000).await;
    app.linked_employee("choi", "최유진", 1000).await;
    let check_in = in_days(&app, 20);
    let booked = app.say("kim", &format!("예약 설악 오션 {check_in} 2박")).await;
    let reference = reference_in(&booked);
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 800).await;

    // A full stay's refusal offers to wait for exactly it; joining twice is refused.
    let refused = app.say_full("lee", &format!("예약 설악 오션 {check_in} 2박")).await;
    let join = template_buttons(&refused).into_iter().find(|(label, _)| label == "대기 신청").expect("a join button");
    let joined = app.press("lee", &join.1).await;
    assert!(joined.contains("대기 신청이 접수되었습니다") && joined.contains("1번째"), "{joined}");
    assert!(app.press("lee", &join.1).await.contains("이미 같은 일정으로 대기 중"));
    let typed = app.say("park", &format!("대기 신청 설악 오션 {check_in} 2박")).await;
    assert!(typed.contains("2번째"), "{typed}");
    assert!(app.say("park", "대기 목록").await.contains("2번째"));
    assert!(app.say("park", "대기").await.contains("2번째"), "대기 alone is the waitlist for a non-manager");
    let free_day = in_days(&app, 30);
    assert!(app.say("choi", &format!("대기 신청 설악 오션 {free_day} 1박")).await.contains("빈 객실이 있어"));
    assert!(app.say("choi", "대기 신청 설악").await.contains("대기 신청 휴양소 2026-12-24 2박"));
    let items = waitlist(&app, &format!("?resort_id={resort}&check_in={check_in}")).await;
    let order: Vec<(&str, &str, i64)> = items
        .iter()
        .map(|item| {
            (
                item["employee_id"].as_str().unwrap(),
                item["status"].as_str().unwrap(),
                item["position"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(order, [(lee.as_str(), "waiting", 1), (park.as_str(), "waiting", 2)]);
    assert_eq!(app.admin(Method::GET, "/waitlist?resort=5", None).await.0, 400, "unknown filters are refused");

    // The cancel frees the room, and the same transaction holds it for the first in line.
    let quote = app.say("kim", &format!("취소 {reference}")).await;
    assert!(quote.contains("돌려받습니다"), "{quote}");
    app.press("kim", &format!("cx:{reference}")).await;
    app.wait_for_status(&reference, "cancelled").await;
    let offer = app.kakao.wait_for("lee", "기다리시던 객실이 났습니다").await;
    assert!(push_text(&offer).contains("200포인트"), "{offer}");
    assert_eq!(held_on(&app, &resort, &check_in).await, 1, "the offer holds the room");
    let direct = app.say("choi", &format!("예약 설악 오션 {check_in} 2박")).await;
    assert!(direct.contains("빈 객실이 없습니다"), "a room on offer is not for direct booking: {direct}");
    assert!(app.say("park", "대기 수락").await.contains("객실 제안이 없습니다"), "nothing offered to park yet");

    // Unanswered, the offer expires at its deadline and passes to the next.
    app.clock.advance(Duration::hours(3) - Duration::minutes(1));
    assert!(waitlist(&app, "").await.iter().any(|item| item["status"] == "offered"));
    app.clock.advance(Duration::minutes(2));
    app.kakao.wait_for("lee", "수락 시간이 지나").await;
    let second = app.kakao.wait_for("park", "기다리시던 객실이 났습니다").await;
    assert!(app.press("lee", &push_button(&offer, "수락")).await.contains("객실 제안이 없습니다"), "too late");
    let statuses: Vec<String> =
        waitlist(&app, "").await.iter().map(|item| item["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(statuses, ["expired", "offered"]);

    // Accepted, the booking goes through the saga; the points are taken then, exactly once.
    let accepted = app.press("park", &push_button(&second, "수락")).await;
    assert!(accepted.contains("객실 제안을 수락했습니다"), "{accepted}");
    let booking = app.wait_for_status(&reference_in(&accepted), "confirmed").await;
    assert_eq!((booking["check_in"].as_str(), booking["nights"].as_i64()), (Some(check_in.as_str()), Some(2)));
    app.wait_for_points(&park, 800).await;
    app.wait_for_points(&lee, 1000).await;
    app.wait_for_points(&kim, 1000).await;
    assert_eq!(held_on(&app, &resort, &check_in).await, 1);
    assert_eq!(waitlist(&app, "").await[1]["status"], "accepted");
    assert!(app.press("park", &push_button(&second, "수락")).await.contains("객실 제안이 없습니다"), "once");
}

#[tokio::test]
async fn declining_or_leaving_passes_the_room_on_and_a_later_stay_is_not_offered_a_shorter_room() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    app.linked_employee("kim", "김민준", 1000).await;
    app.linked_employee("lee", "이서연", 1000).await;
    app.linked_employee("park", "박지훈", 1000).await;
    let jung = app.linked_employee("jung", "정하은", 1000).await;
    let check_in = in_days(&app, 20);
    let day_after = in_days(&app, 21);
    let first = reference_in(&app.say("kim", &format!("예약 설악 오션 {check_in} 1박")).await);
    let second = reference_in(&app.say("kim", &format!("예약 설악 오션 {day_after} 1박")).await);
    app.wait_for_status(&first, "confirmed").await;
    app.wait_for_status(&second, "confirmed").await;
    // lee wants both nights, park one, jung the first: only a whole stay that fits is offered.
    assert!(app.say("lee", &format!("대기 신청 설악 오션 {check_in} 2박")).await.contains("1번째"));
    assert!(app.say("park", &format!("대기 신청 설악 오션 {check_in} 1박")).await.contains("2번째"));
    let joined = app.say_in("jung", &format!("waitlist 설악 오션 {check_in} 1 nights"), "en").await;
    assert!(joined.contains("number 3"), "{joined}");
    app.press("kim", &format!("cx:{first}")).await;
    let offer = app.kakao.wait_for("park", "기다리시던 객실이 났습니다").await;
    assert!(app.kakao.pushes_to("lee").iter().all(|push| !push_text(push).contains("객실이 났습니다")));

    let declined = app.press("park", &push_button(&offer, "거절")).await;
    assert!(declined.contains("거절했습니다"), "{declined}");
    app.kakao.wait_for("jung", "A room you were waiting for is free").await;
    let left = app.say_in("jung", &format!("leave waitlist {check_in}"), "en").await;
    assert!(left.contains("Left 1 waitlist entry"), "{left}");
    // Nobody is left for one night: the room is free again, and bookable.
    wait_until("the room is given back", || async { held_on(&app, &resort, &check_in).await == 0 }).await;
    let statuses: Vec<(String, String)> = waitlist(&app, "")
        .await
        .iter()
        .map(|item| (item["employee_id"].as_str().unwrap().to_owned(), item["status"].as_str().unwrap().to_owned()))
        .collect();
    assert!(statuses.contains(&(jung.clone(), "left".to_owned())), "{statuses:?}");
    assert!(statuses.iter().filter(|(_, status)| status == "waiting").count() == 1, "lee still waits: {statuses:?}");
    assert!(app.say_in("jung", &format!("leave waitlist {check_in}"), "en").await.contains("not waiting"));
}

#[tokio::test]
async fn a_room_added_to_a_full_type_is_offered_to_the_first_in_line() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    app.linked_employee("kim", "김민준", 1000).await;
    app.linked_employee("lee", "이서연", 1000).await;
    let check_in = in_days(&app, 20);
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {check_in} 1박")).await);
    app.wait_for_status(&reference, "confirmed").await;
    assert!(app.say("lee", &format!("대기 신청 설악 오션 {check_in} 1박")).await.contains("1번째"));
    let (status, _) = app.admin(Method::PATCH, &format!("/resorts/{resort}"), Some(json!({ "rooms": 2 }))).await;
    assert_eq!(status, 200);
    app.kakao.wait_for("lee", "기다리시던 객실이 났습니다").await;
    assert_eq!(held_on(&app, &resort, &check_in).await, 2, "the new room is held for lee");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_an_offer_and_direct_bookings_racing_for_the_last_room_never_oversell() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    let kim = app.linked_employee("kim", "김민준", 1000).await;
    app.linked_employee("lee", "이서연", 1000).await;
    let mut rivals = Vec::new();
    for index in 0..6 {
        rivals.push(app.linked_employee(&format!("rival{index}"), "rival", 1000).await);
    }
    let check_in = in_days(&app, 20);
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {check_in} 1박")).await);
    let booking = app.wait_for_status(&reference, "confirmed").await;
    assert!(app.say("lee", &format!("대기 신청 설악 오션 {check_in} 1박")).await.contains("1번째"));

    let booking_id = booking["id"].as_str().unwrap().to_owned();
    let cancel = app.admin(Method::POST, &format!("/bookings/{booking_id}/cancel"), Some(json!({}))).await;
    let direct = rivals.iter().map(|rival| {
        let body = json!({ "employee_id": rival, "resort_id": resort, "check_in": check_in, "nights": 1 });
        app.admin(Method::POST, "/bookings", Some(body))
    });
    let (cancelled, attempts) = tokio::join!(async { cancel }, futures::future::join_all(direct));
    assert_eq!(cancelled.0, 202, "{cancelled:?}");
    app.wait_for_status(&reference, "cancelled").await;
    // Every rival's booking ends, confirmed or turned away with its points back.
    for (status, body) in &attempts {
        if *status == 202 || *status == 201 {
            let reference = body["reference"].as_str().unwrap();
            wait_until("a rival's booking ends", || async {
                let status = app.booking(reference).await["status"].clone();
                status == "confirmed" || status == "rejected"
            })
            .await;
        }
    }
    wait_until("the room is settled", || async {
        let offered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM room_offer WHERE status = 'open'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let confirmed = app.bookings().await.iter().filter(|booking| booking["status"] == "confirmed").count();
        offered + i64::try_from(confirmed).unwrap() == 1
    })
    .await;
    assert_eq!(held_on(&app, &resort, &check_in).await, 1, "one room, held once");
    for rival in &rivals {
        let confirmed =
            app.bookings().await.iter().any(|b| b["employee_id"] == rival.as_str() && b["status"] == "confirmed");
        app.wait_for_points(rival, if confirmed { 900 } else { 1000 }).await;
    }
    app.wait_for_points(&kim, 1000).await;
}

#[tokio::test]
async fn a_lotterys_losers_wait_in_draw_order_and_a_winners_cancel_goes_to_the_first() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    let users = ["kim", "lee", "park"];
    for user in users {
        app.linked_employee(user, user, 1000).await;
    }
    let at = |offset: Duration| (app.clock.now() + offset).to_rfc3339();
    let body = json!({
        "name": "겨울 성수기", "resort_id": resort, "slots": [{ "check_in": in_days(&app, 40), "nights": 2 }],
        "applications_open_at": at(-Duration::hours(1)), "applications_close_at": at(Duration::hours(1)),
    });
    let (status, created) = app.admin(Method::POST, "/lotteries", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for user in users {
        assert!(app.say(user, "추첨 신청 겨울 성수기 1").await.contains("신청했습니다"));
    }
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let drawn = super::helpers::wait_until_value("the draw", || async {
        let (_, lottery) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
        (lottery["status"] == "drawn").then_some(lottery)
    })
    .await;
    let employee_of = |application_id: &Value| {
        let applications = drawn["applications"].as_array().unwrap();
        applications.iter().find(|application| &application["id"] == application_id).unwrap()["employee_id"].clone()
    };
    let order: Vec<Value> = drawn["order"].as_array().unwrap().iter().map(employee_of).collect();
    let waiting: Vec<Value> = waitlist(&app, "").await.iter().map(|item| item["employee_id"].clone()).collect();
    assert_eq!(waiting, order[1..], "the losers wait in draw order");

    let winner = drawn["results"].as_array().unwrap().iter().find(|result| !result["booking_id"].is_null()).unwrap();
    let booking_id = winner["booking_id"].as_str().unwrap().to_owned();
    wait_until("the win is confirmed", || async {
        app.admin(Method::GET, &format!("/bookings/{booking_id}"), None).await.1["status"] == "confirmed"
    })
    .await;
    app.admin(Method::POST, &format!("/bookings/{booking_id}/cancel"), Some(json!({}))).await;
    let items = waitlist(&app, "").await;
    let first_loser = order[1].as_str().unwrap();
    wait_until("the first loser is offered the room", || async {
        waitlist(&app, "").await.iter().any(|item| item["employee_id"] == first_loser && item["status"] == "offered")
    })
    .await;
    assert_eq!(items.len(), 2);
}
