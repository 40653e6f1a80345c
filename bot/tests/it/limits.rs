//! Yearly limits, points and rooms judged before a saga starts, room types and guest counts:
//! through the Kakao one-shot and guided flow and the admin API, with the same codes, on the
//! manual clock (in-process apps start at 2026-12-10 10:00 in Korea, a Thursday).

use super::helpers::{TestApp, in_days, reference_in, resort_body, spawn_app, template_buttons};
use reqwest::Method;
use serde_json::{Value, json};

/// Books in one message and waits until the booking is confirmed; returns its reference.
async fn book(app: &TestApp, user: &str, message: &str) -> String {
    let reply = app.say(user, message).await;
    let reference = reference_in(&reply);
    app.wait_for_status(&reference, "confirmed").await;
    reference
}

async fn admin_book(app: &TestApp, employee: &str, resort: &str, check_in: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({ "employee_id": employee, "resort_id": resort, "check_in": check_in, "nights": 1 });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.admin(Method::POST, "/bookings", Some(body)).await
}

#[tokio::test]
async fn yearly_limits_count_the_check_in_year_and_only_late_cancels_of_ones_own() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 5, true)).await;
    let kim = app.linked_employee("kim", "김휴가", 10_000).await;
    let (_, initial) = app.admin(Method::GET, "/policy", None).await;
    assert_eq!(initial, json!({ "yearly_stays": null, "yearly_nights": null, "late_cancel_counts": false }));
    let policy = json!({ "yearly_stays": 2, "yearly_nights": null, "late_cancel_counts": true });
    assert_eq!(app.admin(Method::PUT, "/policy", Some(policy.clone())).await, (200, policy));
    let (status, error) = app.admin(Method::PUT, "/policy", Some(json!({ "yearly_stays": 2 }))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "a full replace: {error}");

    // 2026-12-15 is 5 days ahead (late to cancel: free cancel is 7 days), 12-20 is 10.
    let late = book(&app, "kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 5))).await;
    let admin_cancelled = book(&app, "kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 10))).await;
    let refused = app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 18))).await;
    assert!(
        refused.contains(&format!(
            "올해 이용 한도(연 2회)를 모두 사용했습니다: {late}(12월 15일), {admin_cancelled}(12월 20일)"
        )),
        "{refused}"
    );
    let (status, error) = admin_book(&app, &kim, &resort, &in_days(&app, 18), json!({})).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("yearly_limit")), "{error}");
    assert_eq!(app.bookings().await.len(), 2, "a refusal books nothing");
    let limits = app.say("kim", "한도").await;
    assert!(limits.contains("연 2회 중 2회 사용, 0회 남음"), "{limits}");
    assert!(
        limits.contains("설악 오션: 2027년 2월 8일(월)까지 · 다음 날은 2026년 12월 11일(금) 09:00에 열림"),
        "{limits}"
    );

    // 2027 counts on its own: a check-in on 1 January is fine.
    let new_year = book(&app, "kim", "예약 설악 오션 2027-01-01 1박").await;

    // The employee's late cancel still counts; an admin's cancel never does.
    app.say("kim", &format!("취소 {late}")).await;
    app.press("kim", &format!("cx:{late}")).await;
    app.wait_for_status(&late, "cancelled").await;
    let still = app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 18))).await;
    assert!(still.contains("이용 한도(연 2회)"), "{still}");
    let (status, _) = app
        .admin(
            Method::POST,
            &format!("/bookings/{}/cancel", app.booking(&admin_cancelled).await["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 202);
    app.wait_for_status(&admin_cancelled, "cancelled").await;
    book(&app, "kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 18))).await;

    // An early cancel of one's own (22 days ahead) does not count: two more stays fit in 2027.
    app.say("kim", &format!("취소 {new_year}")).await;
    app.press("kim", &format!("cx:{new_year}")).await;
    app.wait_for_status(&new_year, "cancelled").await;
    book(&app, "kim", "예약 설악 오션 2027-01-03 1박").await;
    book(&app, "kim", "예약 설악 오션 2027-01-05 1박").await;
    let next_year = app.say("kim", "예약 설악 오션 2027-01-07 1박").await;
    assert!(next_year.contains("2027년 이용 한도(연 2회)"), "{next_year}");

    // Without counting late cancels, the late one no longer counts either.
    let lenient = json!({ "yearly_stays": 2, "yearly_nights": 3, "late_cancel_counts": false });
    app.admin(Method::PUT, "/policy", Some(lenient)).await;
    let nights = app.say("kim", &format!("예약 설악 오션 {} 3박", in_days(&app, 12))).await;
    assert!(nights.contains("숙박 한도(연 3박) 중 2박만 남았습니다"), "{nights}");
    let (status, error) = admin_book(&app, &kim, &resort, &in_days(&app, 12), json!({ "nights": 3 })).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("yearly_limit")), "{error}");
}

#[tokio::test]
async fn a_resort_limits_stays_per_employee_on_its_own() {
    let app = spawn_app().await;
    let mut body = resort_body("설악 오션", 5, true);
    body["yearly_stays_per_employee"] = json!(1);
    let limited = app.create_resort(body).await;
    app.create_resort(resort_body("제주 바람", 5, true)).await;
    app.linked_employee("kim", "김휴가", 10_000).await;
    let first = book(&app, "kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 5))).await;
    let refused = app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 8))).await;
    assert!(
        refused.contains(&format!("이 휴양소 이용 한도(연 1회)를 모두 사용했습니다: {first}(12월 15일)")),
        "{refused}"
    );
    book(&app, "kim", &format!("예약 제주 바람 {} 1박", in_days(&app, 8))).await;
    assert!(app.say("kim", "한도").await.contains("설악 오션: 연 1회 중 1회 사용, 0회 남음"));
    let (status, _) = app
        .admin(Method::PATCH, &format!("/resorts/{limited}"), Some(json!({ "yearly_stays_per_employee": null })))
        .await;
    assert_eq!(status, 200);
    book(&app, "kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 12))).await;
}

#[tokio::test]
async fn too_few_points_and_a_full_night_are_refused_before_anything_starts() {
    let app = spawn_app().await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    let poor = app.linked_employee("kim", "김휴가", 150).await;
    let night = in_days(&app, 5);
    let short = app.say_full("kim", &format!("예약 설악 오션 {night} 2박")).await;
    let text = super::helpers::template_text(&short);
    assert!(text.contains("포인트가 부족합니다: 필요 200포인트, 잔액 150포인트"), "{text}");
    let fix: Vec<String> = template_buttons(&short).into_iter().map(|(_, press)| press).collect();
    assert!(fix.contains(&format!("fr:{resort}")), "the refusal offers to choose again: {fix:?}");
    let (status, error) = admin_book(&app, &poor, &resort, &night, json!({ "nights": 2 })).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("insufficient_points")), "{error}");

    app.linked_employee("park", "박휴가", 1000).await;
    book(&app, "park", &format!("예약 설악 오션 {night} 1박")).await;
    let full = app.say("kim", &format!("예약 설악 오션 {night} 1박")).await;
    assert!(full.contains("2026년 12월 15일(화)에는 빈 객실이 없습니다"), "{full}");
    let (status, error) = admin_book(&app, &poor, &resort, &night, json!({})).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("no_room")), "{error}");
    assert_eq!(app.bookings().await.len(), 1, "only park's booking: the refusals started nothing");
    assert_eq!(app.points(&poor).await, 150, "no points moved");

    // The guided flow offers only the nights the points cover.
    app.press("kim", &format!("fr:{resort}")).await;
    let nights = app.press_full("kim", &format!("fd:{}", in_days(&app, 7))).await;
    let offered: Vec<String> = template_buttons(&nights).into_iter().map(|(label, _)| label).collect();
    assert!(offered.contains(&"1박".to_owned()) && !offered.contains(&"2박".to_owned()), "{offered:?}");
}

#[tokio::test]
async fn room_types_are_held_apart_and_a_room_takes_only_so_many_guests() {
    let app = spawn_app().await;
    let body = json!({ "name": "바다 마을", "region": "부산", "auto_approve": true, "room_types": [
        { "name": "스탠다드", "rooms": 1, "capacity": 2, "points_per_night": 100 },
        { "name": "디럭스", "rooms": 1, "capacity": 6, "points_per_night": 250 },
    ]});
    let resort = app.create_resort(body).await;
    let (_, types) = app.admin(Method::GET, &format!("/resorts/{resort}/room-types"), None).await;
    let id_of = |name: &str| {
        types["items"].as_array().unwrap().iter().find(|kind| kind["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (standard, deluxe) = (id_of("스탠다드"), id_of("디럭스"));
    assert_eq!(standard, resort, "the first type is the default and shares the resort's id");
    let (_, shown) = app.admin(Method::GET, &format!("/resorts/{resort}"), None).await;
    assert_eq!((shown["rooms"].as_i64(), shown["points_per_night"].as_i64()), (Some(2), Some(100)));
    let (status, error) = app.admin(Method::PATCH, &format!("/resorts/{resort}"), Some(json!({ "rooms": 4 }))).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("several_room_types")), "{error}");

    let kim = app.linked_employee("kim", "김휴가", 1000).await;
    app.linked_employee("park", "박휴가", 1000).await;
    let night = in_days(&app, 5);
    // No type named at a resort with several: a choice, never a guess.
    let choice = app.say_full("kim", &format!("예약 바다 마을 {night} 1박 3명")).await;
    assert!(super::helpers::template_text(&choice).contains("어떤 객실로 할까요?"), "{choice}");
    let presses: Vec<String> = template_buttons(&choice).into_iter().map(|(_, press)| press).collect();
    assert!(presses.contains(&format!("ft:{deluxe}")) && presses.contains(&format!("ft:{standard}")), "{presses:?}");
    assert!(app.bookings().await.is_empty());
    let too_small = app.press("kim", &format!("ft:{standard}")).await;
    assert!(too_small.contains("이 객실은 최대 2명까지"), "{too_small}");
    let summary = app.press("kim", &format!("ft:{deluxe}")).await;
    assert!(summary.contains("250포인트") && summary.contains("디럭스 · 3명"), "{summary}");
    let deluxe_booking = reference_in(&app.press("kim", "fc").await);
    app.wait_for_status(&deluxe_booking, "confirmed").await;
    assert_eq!(app.booking(&deluxe_booking).await["guests"], 3);

    // The standard room is still free that night, and then it is not; the deluxe is full.
    let standard_booking = book(&app, "park", &format!("예약 바다 마을 스탠다드 2명 {night} 1박")).await;
    assert_eq!(app.booking(&standard_booking).await["room_type_id"], standard.as_str());
    app.linked_employee("lee", "이휴가", 1000).await;
    assert!(app.say("lee", &format!("예약 바다 마을 스탠다드 {night} 1박")).await.contains("빈 객실이 없습니다"));
    let crowd = app.say("lee", &format!("예약 바다 마을 디럭스 {} 1박 7명", in_days(&app, 6))).await;
    assert!(crowd.contains("최대 6명"), "{crowd}");
    let unknown = app.say("lee", &format!("예약 바다 마을 펜트하우스 {night} 1박")).await;
    assert!(unknown.contains("'펜트하우스' 객실이 없습니다") && unknown.contains("스탠다드, 디럭스"), "{unknown}");
    let (status, error) =
        admin_book(&app, &kim, &resort, &in_days(&app, 6), json!({ "room_type_id": deluxe, "guests": 7 })).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("too_many_guests")), "{error}");
    let (status, error) = admin_book(&app, &kim, &resort, &in_days(&app, 6), json!({})).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_field")), "no type named: {error}");

    let (_, occupancy) = app.admin(Method::GET, "/occupancy?days=7", None).await;
    let resort_row =
        occupancy["items"].as_array().unwrap().iter().find(|row| row["resort_id"] == resort.as_str()).unwrap();
    assert_eq!(resort_row["nights"][5]["held"], 2);
    let held: Vec<(String, i64)> = resort_row["room_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| (kind["name"].as_str().unwrap().to_owned(), kind["nights"][5]["held"].as_i64().unwrap()))
        .collect();
    assert_eq!(held, [("스탠다드".to_owned(), 1), ("디럭스".to_owned(), 1)]);

    // A type's rooms cannot go below what a night holds; a new type starts empty.
    let path = format!("/resorts/{resort}/room-types/{deluxe}");
    let (status, error) = app.admin(Method::PATCH, &path, Some(json!({ "rooms": 0 }))).await;
    assert_eq!(
        (status, error["code"].as_str(), error["nights"].clone()),
        (409, Some("rooms_below_held"), json!([night]))
    );
    let (status, added) = app
        .admin(
            Method::POST,
            &format!("/resorts/{resort}/room-types"),
            Some(json!({ "name": "패밀리", "rooms": 2, "capacity": 5, "points_per_night": 180 })),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    let (status, error) = app
        .admin(
            Method::POST,
            &format!("/resorts/{resort}/room-types"),
            Some(json!({ "name": "패 밀리", "rooms": 2, "points_per_night": 180 })),
        )
        .await;
    assert_eq!((status, error["code"].as_str()), (409, Some("room_type_name_taken")), "{error}");
    book(&app, "lee", &format!("예약 바다 마을 패밀리 {night} 1박 5명")).await;
}
