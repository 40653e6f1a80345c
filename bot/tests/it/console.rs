//! The web console's HTTP side: when it is served, and that nothing gets through it without a
//! session (the pages themselves are tested in a real browser by the `browser` target).

use super::helpers::{spawn_app, spawn_app_on_rabbitmq, spawn_app_with};
use serde_json::{Value, json};

#[tokio::test]
async fn the_console_is_on_in_the_embedded_mode_and_off_with_a_broker_unless_enabled() {
    let embedded = spawn_app().await;
    let page = embedded.http.get(format!("{}/", embedded.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(page.text().await.unwrap().contains("/assets/console.js"));

    let distributed = spawn_app_on_rabbitmq().await;
    assert_eq!(distributed.http.get(format!("{}/", distributed.address)).send().await.unwrap().status(), 404);
    let enabled = spawn_app_with(|config| config.console_enabled = Some(false)).await;
    assert_eq!(enabled.http.get(format!("{}/dashboard", enabled.address)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn nothing_goes_through_the_console_without_a_session() {
    let app = spawn_app().await;
    let post = |path: &str, body: Value, token: Option<&str>| {
        let mut request = app.http.post(format!("{}{path}", app.address)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let turn = post("/console/turn", json!({ "text": "포인트" }), None).await.unwrap();
    assert_eq!(turn.status(), 401);
    assert_eq!(post("/console/turn", json!({ "text": "포인트" }), Some("made-up")).await.unwrap().status(), 401);
    let events = app.http.get(format!("{}/console/events?token=made-up", app.address)).send().await.unwrap();
    assert_eq!(events.status(), 401);

    // Only the seeded demo people can be chosen; anyone else needs a link code.
    let (status, employee) =
        app.admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": "E9", "name": "직원" }))).await;
    assert_eq!(status, 201);
    let impersonate = post("/console/sessions", json!({ "as": "E9", "lang": "en" }), None).await.unwrap();
    assert_eq!(impersonate.status(), 400);
    assert_eq!(impersonate.json::<Value>().await.unwrap()["message"], "That is not a demo person.");
    let wrong = post("/console/sessions", json!({ "code": "WRONG123" }), None).await.unwrap();
    assert_eq!(wrong.status(), 400);
    let session = post("/console/sessions", json!({ "code": employee["link_code"] }), None).await.unwrap();
    assert_eq!(session.status(), 201);
    let token = session.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let reply: Value =
        post("/console/turn", json!({ "text": "포인트" }), Some(&token)).await.unwrap().json().await.unwrap();
    assert!(reply["messages"][0]["text"].as_str().unwrap().contains("0포인트"), "{reply}");
}

/// Opens a console session; the status and the answer.
async fn open_session(app: &super::helpers::TestApp, body: Value) -> (u16, Value) {
    let response = app.http.post(format!("{}/console/sessions", app.address)).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn real_people_with_the_demo_numbers_cannot_be_chosen_by_name() {
    // Demo seeding off, and real people who happen to have the demo file's numbers.
    let app = spawn_app_with(|config| config.seed_demo = false).await;
    for (number, name) in [("E1001", "진짜 직원"), ("M2001", "진짜 매니저")] {
        let (status, body) =
            app.admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": number, "name": name }))).await;
        assert_eq!(status, 201, "{body}");
    }
    let people: Value =
        app.http.get(format!("{}/console/people", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(people, json!([]), "nobody is offered");
    for number in ["E1001", "M2001"] {
        let (status, body) = open_session(&app, json!({ "as": number })).await;
        assert_eq!(status, 400, "{number}: {body}");
        assert!(body.get("token").is_none());
    }
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_account").fetch_one(&app.pool).await.unwrap();
    assert_eq!(links, 0, "no chat account was made");
}

#[tokio::test]
async fn with_demo_seeding_only_the_seeded_people_are_offered_and_choosing_one_issues_no_code() {
    let app = spawn_app_with(|config| config.seed_demo = true).await;
    // Someone added by an admin afterwards is not a demo person, whatever their number.
    let (status, _) = app
        .admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": "E0001", "name": "관리자가 만든" })))
        .await;
    assert_eq!(status, 201);
    let people: Value =
        app.http.get(format!("{}/console/people", app.address)).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = people.as_array().unwrap().iter().map(|person| person["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"김휴가") && names.contains(&"이매니저"), "{people}");
    assert!(!names.contains(&"관리자가 만든"), "{people}");
    assert_eq!(open_session(&app, json!({ "as": "E0001" })).await.0, 400);

    let codes_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM link_code").fetch_one(&app.pool).await.unwrap();
    let number = people[0]["employee_no"].as_str().unwrap();
    for _ in 0..3 {
        let (status, body) = open_session(&app, json!({ "as": number })).await;
        assert_eq!(status, 201, "{body}");
    }
    let codes_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM link_code").fetch_one(&app.pool).await.unwrap();
    assert_eq!(codes_after, codes_before, "a demo login adds no link code");
}

#[tokio::test]
async fn an_idle_console_session_lapses() {
    let app = spawn_app_with(|config| config.seed_demo = true).await;
    let (_, session) = open_session(&app, json!({ "as": "E1001" })).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let turn = |token: String| {
        app.http
            .post(format!("{}/console/turn", app.address))
            .bearer_auth(token)
            .json(&json!({ "text": "포인트" }))
            .send()
    };
    assert_eq!(turn(token.clone()).await.unwrap().status(), 200);
    app.clock.advance(chrono::Duration::hours(13));
    assert_eq!(turn(token).await.unwrap().status(), 401, "unused for longer than a session lasts");
}
