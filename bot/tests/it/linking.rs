//! Linking a chat account with a code: guessing is limited per chat user (and per source address
//! on the console), the limit holds for attempts that race each other, and a new code revokes
//! the older ones.

use super::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

const LOCKED: &str = "이후에 다시 시도해 주세요";
const WRONG: &str = "연결 코드가 맞지 않거나";

async fn employee_with_code(app: &TestApp, number: &str) -> (String, String) {
    let (status, employee) = app
        .admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": number, "name": "연결할 사람" })))
        .await;
    assert_eq!(status, 201, "{employee}");
    (employee["id"].as_str().unwrap().to_owned(), employee["link_code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn after_five_wrong_codes_a_chat_user_is_refused_even_the_right_one_until_the_window_passes() {
    let app = spawn_app().await;
    let (_, code) = employee_with_code(&app, "E1").await;
    for attempt in 0..5 {
        let answer = app.say("guesser", &format!("연결 WRONG{attempt:03}")).await;
        assert!(answer.contains(WRONG), "{answer}");
    }
    let locked = app.say("guesser", &format!("연결 {code}")).await;
    assert!(locked.contains(LOCKED), "the right code is refused too: {locked}");
    // 10:00 KST now; the first failure leaves the window ten minutes later.
    assert!(locked.contains("10:10"), "{locked}");
    // Another chat user is not held up by this one.
    let (_, other_code) = employee_with_code(&app, "E2").await;
    assert!(app.say("someone-else", &format!("연결 {other_code}")).await.contains("연결되었습니다"));

    app.clock.advance(chrono::Duration::minutes(9));
    assert!(app.say("guesser", &format!("연결 {code}")).await.contains(LOCKED), "still inside the window");
    app.clock.advance(chrono::Duration::minutes(1));
    let linked = app.say("guesser", &format!("연결 {code}")).await;
    assert!(linked.contains("연결되었습니다"), "{linked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_guesses_at_once_check_at_most_five_codes() {
    let app = std::sync::Arc::new(spawn_app().await);
    let (_, code) = employee_with_code(&app, "E1").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let mut guesses = tokio::task::JoinSet::new();
    for attempt in 0..20 {
        let (app, barrier) = (app.clone(), barrier.clone());
        guesses.spawn(async move {
            barrier.wait().await;
            app.say("guesser", &format!("연결 WRONG{attempt:03}")).await
        });
    }
    let mut checked = 0;
    while let Some(answer) = guesses.join_next().await {
        let answer = answer.unwrap();
        assert!(answer.contains(WRONG) || answer.contains(LOCKED), "{answer}");
        checked += usize::from(answer.contains(WRONG));
    }
    // Attempts in flight count against each other, so a burst may even be refused whole.
    assert!(checked <= 5, "{checked} codes were checked");
    // Only checked codes count as failures; once five have failed, the right code is refused.
    for attempt in checked..5 {
        assert!(app.say("guesser", &format!("연결 AGAIN{attempt:03}")).await.contains(WRONG));
    }
    assert!(app.say("guesser", &format!("연결 {code}")).await.contains(LOCKED));
}

#[tokio::test]
async fn the_console_limits_link_codes_per_source_address() {
    let app = spawn_app().await;
    let (_, code) = employee_with_code(&app, "E1").await;
    let open =
        |code: String| app.http.post(format!("{}/console/sessions", app.address)).json(&json!({ "code": code })).send();
    for attempt in 0..5 {
        assert_eq!(open(format!("WRONG{attempt:03}")).await.unwrap().status(), 400);
    }
    let locked = open(code.clone()).await.unwrap();
    assert_eq!(locked.status(), 429);
    let message = locked.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_owned();
    assert!(message.contains(LOCKED), "{message}");
    app.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(open(code).await.unwrap().status(), 201);
}

#[tokio::test]
async fn a_new_code_revokes_the_older_unused_one() {
    let app = spawn_app().await;
    let (id, first) = employee_with_code(&app, "E1").await;
    let (status, issued) = app.admin(reqwest::Method::POST, &format!("/employees/{id}/link-code"), None).await;
    assert_eq!(status, 201, "{issued}");
    let second = issued["link_code"].as_str().unwrap().to_owned();
    assert!(app.say("first", &format!("연결 {first}")).await.contains(WRONG), "the old code is revoked");
    assert!(app.say("second", &format!("연결 {second}")).await.contains("연결되었습니다"));
}
