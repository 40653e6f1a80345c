//! The booking rules a resort sets, through a chat and the admin API, at their boundaries on the
//! manual clock (in-process apps start at 2026-12-10 10:00 in Korea).

use super::helpers::{in_days, reference_in, resort_body, spawn_app};
use serde_json::json;

#[tokio::test]
async fn the_window_opens_a_day_at_nine_and_notice_and_nights_are_enforced() {
    let app = spawn_app().await;
    let mut body = resort_body("남해 별빛", 3, true);
    body["book_ahead_days"] = json!(30);
    body["opens_at"] = json!("09:00");
    body["min_notice_days"] = json!(2);
    body["min_nights"] = json!(2);
    body["max_nights"] = json!(4);
    let resort = app.create_resort(body).await;
    let (_, shown) = app.admin(reqwest::Method::GET, &format!("/resorts/{resort}"), None).await;
    assert_eq!((shown["book_ahead_days"].as_i64(), shown["opens_at"].as_str()), (Some(30), Some("09:00")));
    app.linked_employee("kim", "김휴가", 1000).await;

    // 2026-12-10 10:00: open up to 2027-01-09, from 2026-12-12; the 10th opens tomorrow at 09:00.
    let beyond = app.say("kim", &format!("예약 남해 별빛 {} 2박", in_days(&app, 32))).await;
    assert!(beyond.contains("체크인은 2027년 1월 9일(토)까지"), "{beyond}");
    let next = app.say("kim", &format!("예약 남해 별빛 {} 2박", in_days(&app, 31))).await;
    assert!(next.contains("2027년 1월 10일(일)은 2026년 12월 11일(금) 09:00부터"), "{next}");
    let soon = app.say("kim", &format!("예약 남해 별빛 {} 2박", in_days(&app, 1))).await;
    assert!(soon.contains("2026년 12월 12일(토)부터"), "{soon}");
    let short = app.say("kim", &format!("예약 남해 별빛 {} 1박", in_days(&app, 5))).await;
    assert!(short.contains("최소 2박, 최대 4박"), "{short}");
    assert!(app.bookings().await.is_empty(), "a refusal books nothing");

    // The next morning at 08:59:59 that day is still not open; at 09:00:00 it is.
    app.clock.advance(chrono::Duration::seconds((22 * 60 + 59) * 60 + 59));
    let last = "2027-01-10";
    let early = app.say("kim", &format!("예약 남해 별빛 {last} 2박")).await;
    assert!(early.contains("2027년 1월 10일(일)은 2026년 12월 11일(금) 09:00부터"), "{early}");
    assert!(app.bookings().await.is_empty());
    app.clock.advance(chrono::Duration::seconds(1));
    let booked = reference_in(&app.say("kim", &format!("예약 남해 별빛 {last} 2박")).await);
    app.wait_for_status(&booked, "confirmed").await;
}

#[tokio::test]
async fn the_guided_calendar_offers_only_the_days_and_nights_the_rules_allow() {
    let app = spawn_app().await;
    let mut body = resort_body("남해 별빛", 3, true);
    body["book_ahead_days"] = json!(10);
    body["min_notice_days"] = json!(3);
    body["min_nights"] = json!(2);
    let resort = app.create_resort(body).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    app.press("kim", "m:book").await;
    let calendar = app.press_full("kim", &format!("fr:{resort}")).await;
    let presses: Vec<String> =
        super::helpers::template_buttons(&calendar).into_iter().map(|(_, press)| press).collect();
    let days: Vec<&str> = presses.iter().filter_map(|press| press.strip_prefix("fd:")).collect();
    assert_eq!(days.first().copied(), Some(in_days(&app, 3).as_str()), "{presses:?}");
    assert!(days.iter().all(|day| *day <= in_days(&app, 10).as_str()), "{presses:?}");
    // The day after the window opens tomorrow morning; two days after is beyond it.
    let tomorrow = app.press("kim", &format!("fd:{}", in_days(&app, 11))).await;
    assert!(tomorrow.contains("09:00부터"), "{tomorrow}");
    let beyond = app.press("kim", &format!("fd:{}", in_days(&app, 12))).await;
    assert!(beyond.contains("까지 예약할 수 있습니다"), "{beyond}");
    let nights = app.press_full("kim", &format!("fd:{}", in_days(&app, 3))).await;
    let offered: Vec<String> = super::helpers::template_buttons(&nights)
        .into_iter()
        .filter_map(|(_, press)| press.strip_prefix("fn:").map(str::to_owned))
        .collect();
    assert_eq!(offered.first().map(String::as_str), Some("2"), "no one-night stays: {offered:?}");
}

#[tokio::test]
async fn the_rules_fields_are_validated() {
    let app = spawn_app().await;
    for (field, value) in [("opens_at", json!("25:00")), ("book_ahead_days", json!(731)), ("min_nights", json!(6))] {
        let mut body = resort_body("남해 별빛", 3, true);
        body[field] = value;
        let (status, error) = app.admin(reqwest::Method::POST, "/resorts", Some(body)).await;
        assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "{field}: {error}");
        assert!(error["message"].as_str().unwrap().contains(field), "{error}");
    }
}

#[tokio::test]
async fn a_blackout_refuses_stays_over_its_nights_with_the_admins_reason_until_it_is_removed() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("남해 별빛", 3, true)).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    let path = format!("/resorts/{resort}/blackouts");
    let body = json!({ "from": in_days(&app, 10), "to": in_days(&app, 11), "reason": "시설 점검" });
    let (status, blackout) = app.admin(reqwest::Method::POST, &path, Some(body)).await;
    assert_eq!(status, 201, "{blackout}");
    let (status, error) = app
        .admin(
            reqwest::Method::POST,
            &path,
            Some(json!({ "from": in_days(&app, 5), "to": in_days(&app, 4), "reason": "x" })),
        )
        .await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "{error}");
    let (_, listed) = app.admin(reqwest::Method::GET, &path, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let refused = app.say("kim", &format!("예약 남해 별빛 {} 2박", in_days(&app, 9))).await;
    assert!(refused.contains("2026년 12월 20일(일)은 예약할 수 없습니다: 시설 점검"), "{refused}");
    assert!(app.bookings().await.is_empty());
    // Checking out on the blackout's first night is fine.
    let before = reference_in(&app.say("kim", &format!("예약 남해 별빛 {} 2박", in_days(&app, 8))).await);
    app.wait_for_status(&before, "confirmed").await;

    let id = blackout["id"].as_str().unwrap();
    let (status, _) = app.admin(reqwest::Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = app.admin(reqwest::Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!(status, 404);
    let after = reference_in(&app.say("kim", &format!("예약 남해 별빛 {} 1박", in_days(&app, 11))).await);
    app.wait_for_status(&after, "confirmed").await;
}

#[tokio::test]
async fn the_room_count_cannot_go_below_what_a_night_already_holds() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("남해 별빛", 3, true)).await;
    for guest in ["kim", "park"] {
        app.linked_employee(guest, guest, 1000).await;
        let reference = reference_in(&app.say(guest, &format!("예약 남해 별빛 {} 1박", in_days(&app, 5))).await);
        app.wait_for_status(&reference, "confirmed").await;
    }
    let path = format!("/resorts/{resort}");
    let (status, error) = app.admin(reqwest::Method::PATCH, &path, Some(json!({ "rooms": 1 }))).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("rooms_below_held")), "{error}");
    assert_eq!(error["nights"], json!([in_days(&app, 5)]));
    assert!(error["message"].as_str().unwrap().contains(&in_days(&app, 5)), "{error}");
    let (_, shown) = app.admin(reqwest::Method::GET, &path, None).await;
    assert_eq!(shown["rooms"], 3, "nothing changed");
    assert_eq!(app.admin(reqwest::Method::PATCH, &path, Some(json!({ "rooms": 2 }))).await.0, 200);
}

#[tokio::test]
async fn an_approval_deadline_never_falls_after_the_stay_begins() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let manager = app.linked_employee("lee", "이매니저", 0).await;
    app.make_manager(&resort, &manager).await;
    app.linked_employee("kim", "김휴가", 1000).await;
    app.linked_employee("park", "박여행", 1000).await;

    // 10:00 on the check-in day: the 24 hours are cut to 15:00, when guests check in.
    let today = in_days(&app, 0);
    let reference = reference_in(&app.say("kim", &format!("예약 제주 바람 {today} 1박")).await);
    let waiting = app.wait_for_status(&reference, "awaiting_approval").await;
    let check_in = chrono::DateTime::parse_from_rfc3339(&format!("{today}T15:00:00+09:00")).unwrap();
    let deadline = chrono::DateTime::parse_from_rfc3339(waiting["approval_deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(deadline, check_in);

    // From 15:00 a manager could no longer decide before the stay begins.
    app.clock.advance(chrono::Duration::hours(5));
    let late = app.say("park", &format!("예약 제주 바람 {today} 1박")).await;
    assert!(late.contains("2026년 12월 11일(금)부터"), "{late}");
}

#[tokio::test]
async fn an_inactive_employee_cannot_link_or_book_and_an_inactive_resort_is_offered_nowhere() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("남해 별빛", 3, true)).await;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let (_, left) =
        app.admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": "E9", "name": "퇴사자" }))).await;
    let left_id = left["id"].as_str().unwrap();
    let (status, shown) =
        app.admin(reqwest::Method::PATCH, &format!("/employees/{left_id}"), Some(json!({ "active": false }))).await;
    assert_eq!((status, shown["active"].as_bool()), (200, Some(false)), "{shown}");
    let refused = app.say("left", &format!("연결 {}", left["link_code"].as_str().unwrap())).await;
    assert!(refused.contains("이 직원 계정은"), "{refused}");

    let (status, _) =
        app.admin(reqwest::Method::PATCH, &format!("/employees/{kim}"), Some(json!({ "active": false }))).await;
    assert_eq!(status, 200);
    let no = app.say("kim", &format!("예약 남해 별빛 {} 1박", in_days(&app, 5))).await;
    assert!(no.contains("이 직원 계정은"), "{no}");
    app.admin(reqwest::Method::PATCH, &format!("/employees/{kim}"), Some(json!({ "active": true }))).await;

    let (status, _) =
        app.admin(reqwest::Method::PATCH, &format!("/resorts/{resort}"), Some(json!({ "active": false }))).await;
    assert_eq!(status, 200);
    let closed = app.say("kim", &format!("예약 남해 별빛 {} 1박", in_days(&app, 5))).await;
    assert!(closed.contains("예약을 받지 않습니다"), "{closed}");
    let choices = app.press("kim", "m:book").await;
    assert!(!choices.contains("남해 별빛") && choices.contains("설악 오션"), "{choices}");
    assert!(app.bookings().await.is_empty());
}

#[tokio::test]
async fn an_admin_books_for_an_employee_through_the_same_rules_and_codes() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("남해 별빛", 3, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    let book = |check_in: String, nights: u32| json!({ "employee_id": kim, "resort_id": resort, "check_in": check_in, "nights": nights });
    let (status, booking) = app.admin(reqwest::Method::POST, "/bookings", Some(book(in_days(&app, 5), 2))).await;
    assert_eq!(status, 202, "{booking}");
    app.wait_for_status(booking["reference"].as_str().unwrap(), "confirmed").await;

    let (status, error) = app.admin(reqwest::Method::POST, "/bookings", Some(book(in_days(&app, 62), 1))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("outside_window")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("까지 예약할 수 있습니다"), "{error}");
    let (status, error) = app.admin(reqwest::Method::POST, "/bookings", Some(book(in_days(&app, 6), 1))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("overlap")), "{error}");
    let (status, error) = app.admin(reqwest::Method::POST, "/bookings", Some(book(in_days(&app, 20), 9))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("nights_out_of_range")), "{error}");
    let mut stranger = book(in_days(&app, 20), 1);
    stranger["employee_id"] = json!(uuid::Uuid::now_v7().to_string());
    let (status, error) = app.admin(reqwest::Method::POST, "/bookings", Some(stranger)).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "{error}");
    let english = app
        .http
        .post(format!("{}/api/v1/bookings", app.address))
        .bearer_auth(super::helpers::ADMIN_TOKEN)
        .header("accept-language", "en")
        .json(&book(in_days(&app, 62), 1))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = english.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Check-ins can be booked up to"), "{body}");
    assert_eq!(app.bookings().await.len(), 1, "refusals book nothing");
}

/// Every gateway keeps the catalogue in memory and reads only its version per request: a second
/// replica (its own desk and copy, the same database) judges by each admin change as soon as it
/// has committed — a new blackout, the yearly policy, a resort taken out of service.
#[tokio::test]
async fn another_gateway_judges_by_an_admins_change_as_soon_as_it_commits() {
    use resort_core::clock::Clock;
    use resortbot::booking::{Ask, BookingDesk, RequestError};
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("남해 별빛", 3, true)).await;
    let employee = app.linked_employee("kim", "김휴가", 1000).await;
    let replica = BookingDesk::new(app.pool.clone(), app.clock.clone(), Default::default());
    let employee_id = resort_core::id::EmployeeId::parse(&employee).unwrap();
    let employee = resortbot::identity::get_employee(&app.pool, employee_id).await.unwrap().unwrap();
    let resort_id = resort_core::id::ResortId::parse(&resort).unwrap();
    let ask = |days: u64| Ask {
        room_type_id: None,
        check_in: app.clock.today() + chrono::Days::new(days),
        nights: 1,
        guests: 1,
    };
    let request = |days: u64| {
        let (replica, employee) = (replica.clone(), employee.clone());
        async move {
            let catalog = replica.catalog.snapshot().await.unwrap();
            let resort = catalog.resort(resort_id).unwrap();
            replica.request(&catalog, &employee, resort, ask(days), None).await
        }
    };
    let refusal = |result: Result<_, RequestError>| match result {
        Err(RequestError::Rule(refusal)) => refusal.code(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    // The replica's copy is loaded by its first request.
    let first = request(3).await.unwrap();
    app.wait_for_status(&first.reference, "confirmed").await;

    let blackout = json!({ "from": in_days(&app, 5), "to": in_days(&app, 5), "reason": "시설 점검" });
    assert_eq!(app.admin(reqwest::Method::POST, &format!("/resorts/{resort}/blackouts"), Some(blackout)).await.0, 201);
    assert_eq!(refusal(request(5).await), "blackout");

    let policy = json!({ "yearly_stays": 1, "yearly_nights": null, "late_cancel_counts": false });
    assert_eq!(app.admin(reqwest::Method::PUT, "/policy", Some(policy)).await.0, 200);
    assert_eq!(refusal(request(7).await), "yearly_limit");
    let lenient = json!({ "yearly_stays": null, "yearly_nights": null, "late_cancel_counts": false });
    assert_eq!(app.admin(reqwest::Method::PUT, "/policy", Some(lenient)).await.0, 200);

    let patch = json!({ "active": false });
    assert_eq!(app.admin(reqwest::Method::PATCH, &format!("/resorts/{resort}"), Some(patch)).await.0, 200);
    assert_eq!(refusal(request(7).await), "inactive_resort");
    assert_eq!(app.bookings().await.len(), 1, "no refusal booked anything");
}
