//! A peak-season lottery end to end: created with a seed commitment, its nights closed to direct
//! booking, applications in chat, the draw once on the durable timer, winners booked through the
//! saga, results pushed, and the draw checked by the README's own Python recipe (an independent
//! implementation of the documented algorithm) and by `verify`.

use super::helpers::{TestApp, resort_body, spawn_app};
use chrono::Duration;
use reqwest::Method;
use resort_core::clock::Clock;
use serde_json::{Value, json};

/// Runs the README's verification recipe on a lottery's `GET` output.
fn python_verifies(lottery: &Value) -> Result<String, String> {
    let readme = include_str!("../../../README.md");
    let start = readme.find("```python\n").expect("the README has the recipe") + "```python\n".len();
    let recipe = &readme[start..start + readme[start..].find("```").unwrap()];
    let mut child = std::process::Command::new("python3")
        .args(["-c", recipe])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(lottery.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    if output.status.success() { Ok(text(&output.stdout)) } else { Err(text(&output.stderr)) }
}

fn at(app: &TestApp, offset: Duration) -> String {
    (app.clock.now() + offset).to_rfc3339()
}

#[tokio::test]
async fn a_lottery_draws_once_books_its_winners_and_anyone_can_check_the_draw() {
    let app = spawn_app().await;
    // Manual approval: lottery wins skip it unless the lottery asks for it.
    let resort = app.create_resort(resort_body("설악 오션", 2, false)).await;
    let mut applicants = Vec::new();
    for user in ["kim", "park", "lee", "choi", "jung"] {
        applicants.push((user, app.linked_employee(user, user, 1000).await));
    }
    let poor = app.linked_employee("han", "han", 100).await;
    let body = json!({
        "name": "여름 성수기", "resort_id": resort,
        "slots": [{ "check_in": "2027-01-20", "nights": 2 }, { "check_in": "2027-01-25", "nights": 2 }],
        "applications_open_at": at(&app, -Duration::hours(1)),
        "applications_close_at": at(&app, Duration::days(1)),
        "draw_at": at(&app, Duration::days(1) + Duration::hours(1)),
    });
    let (status, created) = app.admin(Method::POST, "/lotteries", Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let commitment = created["seed_commitment"].as_str().unwrap().to_owned();
    assert_eq!(commitment.len(), 64);
    assert!(created.get("seed").is_none(), "the seed stays secret: {created}");
    assert_eq!(created["slots"][0]["rooms"], 2);
    assert_eq!(app.admin(Method::POST, "/lotteries", Some(body)).await.0, 409, "names are unique");

    // Its nights are closed to direct booking until the draw.
    let direct = app.say("kim", "예약 설악 오션 2027-01-21 1박").await;
    assert!(direct.contains("'여름 성수기' 추첨으로 배정됩니다"), "{direct}");
    let (status, error) = app
        .admin(
            Method::POST,
            "/bookings",
            Some(json!({ "employee_id": poor, "resort_id": resort, "check_in": "2027-01-21", "nights": 1 })),
        )
        .await;
    assert_eq!((status, error["code"].as_str()), (422, Some("lottery")), "{error}");

    let listed = app.say("kim", "추첨").await;
    assert!(listed.contains("여름 성수기") && listed.contains(&commitment) && listed.contains("2."), "{listed}");
    let applied = app.say("kim", "추첨 신청 여름 성수기 2 1").await;
    assert!(applied.contains("희망 순서 2 → 1"), "{applied}");
    assert!(app.say("kim", "추첨 신청 여름 성수기 1").await.contains("이미 '여름 성수기' 추첨에 신청했습니다"));
    assert!(app.say("kim", "추첨 취소").await.contains("철회했습니다"));
    assert!(app.say("kim", "추첨 신청 여름 2 1").await.contains("신청했습니다"), "a part of the name will do");
    for (user, _) in &applicants[1..] {
        let applied = app.say(user, "lottery apply 여름 성수기 1 2").await;
        assert!(applied.contains("신청했습니다"), "in the user's language: {applied}");
    }
    assert!(app.say("han", "추첨 신청 여름 성수기 1").await.contains("포인트가 부족합니다"));
    assert!(app.say("park", "추첨 신청 여름 성수기 3").await.contains("1부터 2까지"), "no slot 3");
    let (_, closed) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
    assert_eq!((closed["status"].as_str(), closed["applications"].as_i64()), (Some("open"), Some(5)));

    // Past the close but before the draw nothing is drawn; then the timer draws once.
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let (_, closed) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
    assert_eq!(closed["status"], "closed");
    assert!(app.say("lee", "추첨 취소").await.contains("찾을 수 없습니다"), "no withdrawing after the close");
    app.clock.advance(Duration::hours(1));
    let drawn = super::helpers::wait_until_value("the draw", || async {
        let (_, lottery) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
        (lottery["status"] == "drawn").then_some(lottery)
    })
    .await;
    assert_eq!(
        python_verifies(&drawn),
        Ok("ok: the seed matches its commitment and the order follows from it\n".into())
    );
    assert_eq!(app.admin(Method::GET, &format!("/lotteries/{id}/verify"), None).await.1, json!({ "ok": true }));
    let order: Vec<&str> = drawn["order"].as_array().unwrap().iter().map(|id| id.as_str().unwrap()).collect();
    assert_eq!(order.len(), 5);
    let results = drawn["results"].as_array().unwrap();
    let winners: Vec<&Value> = results.iter().filter(|result| !result["slot_index"].is_null()).collect();
    assert_eq!(winners.len(), 4, "two slots of two rooms: {results:?}");
    // Serial dictatorship: the first four in order all got a slot, the fifth none.
    let loser =
        results.iter().find(|result| result["slot_index"].is_null()).unwrap()["application_id"].as_str().unwrap();
    assert_eq!(order[4], loser);
    for application in drawn["applications"].as_array().unwrap() {
        assert_eq!(application["weight"], 1.5, "never won before: {application}");
    }

    // Winners' bookings go through the saga without a manager; everyone hears the result.
    for winner in &winners {
        let booking_id = winner["booking_id"].as_str().unwrap();
        super::helpers::wait_until("a winner's booking is confirmed", || async {
            let (_, booking) = app.admin(Method::GET, &format!("/bookings/{booking_id}"), None).await;
            booking["status"] == "confirmed"
        })
        .await;
    }
    let losing_user = {
        let application =
            drawn["applications"].as_array().unwrap().iter().find(|application| application["id"] == loser).unwrap();
        applicants.iter().find(|(_, employee)| application["employee_id"] == employee.as_str()).unwrap().0
    };
    let told = app.kakao.wait_for(losing_user, "추첨 순서 5/5번째").await;
    assert!(super::kakao_standin::push_text(&told).contains("가중치 1.500"), "{told}");
    for (user, _) in applicants.iter().filter(|(user, _)| *user != losing_user) {
        app.kakao.wait_for(user, "당첨되었습니다").await;
    }

    // Nothing fires twice, and a tampered order no longer verifies.
    let desk = resortbot::booking::BookingDesk::new(app.pool.clone(), app.clock.clone(), Default::default());
    assert_eq!(resortbot::app::timers(&desk, Default::default()).fire_due().await.unwrap(), 0);
    assert_eq!(app.bookings().await.len(), 4);
    let reversed: Vec<&str> = order.iter().rev().copied().collect();
    sqlx::query("UPDATE lottery SET draw_order = $1 WHERE id = $2")
        .bind(serde_json::to_string(&reversed).unwrap())
        .bind(&id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, tampered) = app.admin(Method::GET, &format!("/lotteries/{id}/verify"), None).await;
    assert_eq!(tampered["ok"], false, "{tampered}");
    let (_, changed) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
    assert!(python_verifies(&changed).unwrap_err().contains("the order does not follow from the seed"));
}

/// The real binary killed after the applications close and before the draw: restarted after
/// `draw_at` passed, it draws once, and each winner has exactly one booking.
#[tokio::test]
async fn a_process_killed_between_the_close_and_the_draw_draws_once_after_its_restart() {
    let mut app = super::helpers::spawn_process().await;
    let resort = app.create_resort(resort_body("설악 오션", 2, true)).await;
    for user in ["kim", "park", "lee"] {
        app.linked_employee(user, user, 1000).await;
        // Applications open a moment ago in real time: the process runs on the wall clock.
    }
    let now = chrono::Utc::now();
    let body = json!({
        "name": "겨울 성수기", "resort_id": resort,
        "slots": [{ "check_in": (now + Duration::days(40)).date_naive().to_string(), "nights": 1 }],
        "applications_open_at": (now - Duration::hours(1)).to_rfc3339(),
        "applications_close_at": (now + Duration::seconds(3)).to_rfc3339(),
        "draw_at": (now + Duration::seconds(4)).to_rfc3339(),
    });
    let (status, created) = app.admin(Method::POST, "/lotteries", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for user in ["kim", "park", "lee"] {
        assert!(app.say(user, "추첨 신청 겨울 성수기 1").await.contains("신청했습니다"));
    }
    tokio::time::sleep(std::time::Duration::from_millis(
        u64::try_from((now + Duration::seconds(3) - chrono::Utc::now()).num_milliseconds().max(0)).unwrap() + 100,
    ))
    .await;
    let (_, closed) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
    assert_eq!(closed["status"], "closed", "between the close and the draw");
    app.kill().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    let app = app.restart_process().await;
    let drawn = super::helpers::wait_until_value("the draw after the restart", || async {
        let (_, lottery) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
        (lottery["status"] == "drawn").then_some(lottery)
    })
    .await;
    let winners: Vec<&str> =
        drawn["results"].as_array().unwrap().iter().filter_map(|result| result["booking_id"].as_str()).collect();
    assert_eq!(winners.len(), 2);
    for booking_id in &winners {
        super::helpers::wait_until("a winner's booking is confirmed", || async {
            app.admin(Method::GET, &format!("/bookings/{booking_id}"), None).await.1["status"] == "confirmed"
        })
        .await;
    }
    assert_eq!(app.bookings().await.len(), 2, "one booking per winner, drawn once");
    let fired: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM timer WHERE kind = 'lottery_draw' AND fired_at IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(fired, 1);
}

/// Two gateway replicas' timers racing for one draw: one draws, the other finds nothing due.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_racing_for_a_draw_draw_it_once() {
    let app = super::helpers::spawn_app_with(|config| config.approval_timer_interval_ms = 3_600_000).await;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    for user in ["kim", "park", "lee"] {
        app.linked_employee(user, user, 1000).await;
    }
    let body = json!({
        "name": "겨울 성수기", "resort_id": resort,
        "slots": [{ "check_in": super::helpers::in_days(&app, 40), "nights": 1 }],
        "applications_open_at": at(&app, -Duration::hours(1)), "applications_close_at": at(&app, Duration::hours(1)),
    });
    let (_, created) = app.admin(Method::POST, "/lotteries", Some(body)).await;
    let id = created["id"].as_str().unwrap().to_owned();
    for user in ["kim", "park", "lee"] {
        assert!(app.say(user, "추첨 신청 겨울 성수기 1").await.contains("신청했습니다"));
    }
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let replica = || {
        let desk = resortbot::booking::BookingDesk::new(app.pool.clone(), app.clock.clone(), Default::default());
        resortbot::app::timers(&desk, Default::default())
    };
    let (first, second) = (replica(), replica());
    let (a, b) = tokio::join!(first.fire_due(), second.fire_due());
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one of them drew");
    let (_, drawn) = app.admin(Method::GET, &format!("/lotteries/{id}"), None).await;
    assert_eq!(drawn["status"], "drawn");
    let applications: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lottery_application WHERE slot_index IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(applications, 1, "one room, one winner");
    let booked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM booking").fetch_one(&app.pool).await.unwrap();
    assert_eq!(booked, 1);
    let waiting = app.admin(Method::GET, "/waitlist", None).await.1["items"].as_array().unwrap().len();
    assert_eq!(waiting, 2, "the two who lost wait, once each");
}
