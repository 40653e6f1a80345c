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
