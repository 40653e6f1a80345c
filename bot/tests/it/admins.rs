//! Named admins and viewers, the audit trail of every write and manager decision, lists a page
//! at a time, the dashboard's actions (cancel with a full refund, deduct points) and figures.

use super::helpers::{
    TestApp, book_auto_and_approved, in_days, reference_in, resort_body, spawn_app,
    two_resorts_an_employee_and_a_manager,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn as_token(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.http.request(method, format!("{}/api/v1{path}", app.address)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    app.list_all(&format!("/audit{query}")).await
}

#[tokio::test]
async fn named_admins_act_under_their_names_and_viewers_only_read() {
    let app = spawn_app().await;
    let (status, park) = app.admin(Method::POST, "/admins", Some(json!({ "name": "박복지", "role": "admin" }))).await;
    assert_eq!((status, park["role"].as_str(), park["name"].as_str()), (201, Some("admin"), Some("박복지")), "{park}");
    let park_token = park["token"].as_str().unwrap().to_owned();
    let (status, viewer) =
        app.admin(Method::POST, "/admins", Some(json!({ "name": "최감사", "role": "viewer" }))).await;
    assert_eq!(status, 201);
    let viewer_token = viewer["token"].as_str().unwrap().to_owned();
    for (body, field) in
        [(json!({ "name": "x", "role": "owner" }), "role"), (json!({ "name": " ", "role": "admin" }), "name")]
    {
        let (status, error) = app.admin(Method::POST, "/admins", Some(body)).await;
        assert_eq!((status, error["field"].as_str()), (422, Some(field)), "{error}");
    }

    // Lists never show a token, and the digest is not the token.
    let listed = app.list_all("/admins").await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|admin| admin.get("token").is_none()), "{listed:?}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_sha256 FROM admin_account").fetch_all(&app.pool).await.unwrap();
    assert!(!stored.contains(&park_token));

    // The viewer reads everything and changes nothing.
    assert_eq!(as_token(&app, &viewer_token, Method::GET, "/resorts", None).await.0, 200);
    let (status, error) =
        as_token(&app, &viewer_token, Method::POST, "/resorts", Some(resort_body("설악 오션", 3, true))).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("forbidden")), "{error}");
    assert!(app.list_all("/resorts").await.is_empty(), "the viewer created nothing");
    assert_eq!(as_token(&app, "not-a-token", Method::GET, "/resorts", None).await.0, 401);

    // A named admin's write is in the trail under their name, with the resort after it.
    let (status, resort) =
        as_token(&app, &park_token, Method::POST, "/resorts", Some(resort_body("설악 오션", 3, true))).await;
    assert_eq!(status, 201);
    let resort_id = resort["id"].as_str().unwrap();
    let park_id = park["id"].as_str().unwrap();
    let rows = audit(&app, &format!("?actor={park_id}")).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], json!({ "kind": "admin", "id": park_id, "name": "박복지" }));
    assert_eq!(
        (rows[0]["action"].as_str(), rows[0]["target"]["id"].as_str()),
        (Some("resort.create"), Some(resort_id))
    );
    assert_eq!(rows[0]["after"]["name"], "설악 오션");
    assert!(rows[0]["before"].is_null());
    assert!(chrono::DateTime::parse_from_rfc3339(rows[0]["at"].as_str().unwrap()).is_ok(), "{}", rows[0]["at"]);
    // The bootstrap token created the two admins.
    let bootstrap = audit(&app, "?actor=bootstrap").await;
    assert_eq!(bootstrap.iter().filter(|row| row["action"] == "admin.create").count(), 2);
}

#[tokio::test]
async fn every_write_and_every_manager_decision_leaves_one_audit_row() {
    let app = spawn_app().await;
    let kim = two_resorts_an_employee_and_a_manager(&app).await;
    let (auto, approved) = book_auto_and_approved(&app).await;
    // The writes go to 제주 바람, so 설악 오션 keeps its one room type for the one-shot bookings below.
    let resorts = app.list_all("/resorts").await;
    let resort =
        resorts.iter().find(|resort| resort["name"] == "제주 바람").unwrap()["id"].as_str().unwrap().to_owned();
    let writes = [
        (Method::PATCH, format!("/resorts/{resort}"), Some(json!({ "max_nights": 4 }))),
        (
            Method::POST,
            format!("/resorts/{resort}/blackouts"),
            Some(json!({ "from": in_days(&app, 40), "to": in_days(&app, 41), "reason": "공사" })),
        ),
        (
            Method::POST,
            format!("/resorts/{resort}/room-types"),
            Some(json!({ "name": "디럭스", "rooms": 1, "capacity": 4, "points_per_night": 200 })),
        ),
        (
            Method::PUT,
            "/policy".to_owned(),
            Some(json!({ "yearly_stays": 5, "yearly_nights": null, "late_cancel_counts": false })),
        ),
        (Method::POST, format!("/employees/{kim}/link-code"), None),
        (Method::PATCH, format!("/employees/{kim}"), Some(json!({ "active": true }))),
    ];
    for (method, path, body) in writes {
        let (status, answer) = app.admin(method.clone(), &path, body).await;
        assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    }
    let actions: Vec<String> =
        audit(&app, "").await.iter().map(|row| row["action"].as_str().unwrap().to_owned()).collect();
    for action in [
        "resort.create",
        "employee.create",
        "employee.points.grant",
        "resort.manager.add",
        "booking.approve",
        "resort.update",
        "blackout.create",
        "room_type.create",
        "policy.update",
        "employee.link_code",
        "employee.update",
    ] {
        assert!(actions.iter().any(|done| done == action), "{action} is missing from {actions:?}");
    }
    // The manager's decision from the chat button, under the manager's name.
    let approved_id = app.booking(&approved).await["id"].as_str().unwrap().to_owned();
    let decision = audit(&app, &format!("?target={approved_id}")).await;
    assert_eq!(decision.len(), 1, "{decision:?}");
    assert_eq!(
        (decision[0]["actor"]["kind"].as_str(), decision[0]["actor"]["name"].as_str()),
        (Some("manager"), Some("이매니저"))
    );
    assert_eq!(
        (decision[0]["before"]["status"].as_str(), decision[0]["after"]["decision"].as_str()),
        (Some("awaiting_approval"), Some("approve"))
    );
    // A link code is a secret: the trail keeps when it expires, not the code.
    let link = audit(&app, &format!("?target={kim}")).await;
    assert!(link.iter().all(|row| !row.to_string().contains("link_code\":\"")), "{link:?}");

    // Cancelling late (half back by the resort's terms) with the full-refund override gives back
    // every point, with the reason kept.
    let late = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 3))).await);
    let booking = app.wait_for_status(&late, "confirmed").await;
    let id = booking["id"].as_str().unwrap();
    let body = json!({ "reason": "리조트 사정", "full_refund": true });
    let (status, cancelling) = app.admin(Method::POST, &format!("/bookings/{id}/cancel"), Some(body)).await;
    assert_eq!((status, cancelling["refund_points"].as_i64()), (202, Some(100)), "{cancelling}");
    app.wait_for_status(&late, "cancelled").await;
    let (_, plain) = app
        .admin(Method::POST, &format!("/bookings/{}/cancel", app.booking(&auto).await["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(plain["refund_points"], 200, "not late: everything back anyway");
    let rows = audit(&app, &format!("?target={id}")).await;
    assert_eq!(
        (rows[0]["action"].as_str(), rows[0]["reason"].as_str()),
        (Some("booking.cancel.full_refund"), Some("리조트 사정"))
    );
    assert_eq!(rows[0]["before"]["status"], "confirmed");
    let (status, error) =
        app.admin(Method::POST, &format!("/bookings/{id}/cancel"), Some(json!({ "refund": "all" }))).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("refund")),
        "an unknown field is refused by name: {error}"
    );

    // A deduction with its reason; more than the balance is refused and changes nothing.
    // 1000 granted, 200 + 100 + 100 paid, all but the approved stay's 100 refunded.
    app.wait_for_status(&auto, "cancelled").await;
    let balance = 900;
    app.wait_for_points(&kim, balance).await;
    let (status, error) = app
        .admin(
            Method::POST,
            &format!("/employees/{kim}/points"),
            Some(json!({ "amount": -(balance + 1), "reason": "정정" })),
        )
        .await;
    assert_eq!((status, error["code"].as_str()), (409, Some("insufficient_points")), "{error}");
    let (status, _) = app
        .admin(
            Method::POST,
            &format!("/employees/{kim}/points"),
            Some(json!({ "amount": -100, "reason": "중복 지급 정정" })),
        )
        .await;
    assert_eq!(status, 202);
    app.wait_for_points(&kim, balance - 100).await;
    let deduction = audit(&app, &format!("?target={kim}")).await;
    assert_eq!(
        (deduction[0]["action"].as_str(), deduction[0]["reason"].as_str()),
        (Some("employee.points.deduct"), Some("중복 지급 정정"))
    );
    assert_eq!(
        (deduction[0]["before"]["points"].as_i64(), deduction[0]["after"]["points"].as_i64()),
        (Some(balance), Some(balance - 100))
    );

    // Nothing refused was recorded, and `from`/`to` narrow by day.
    assert_eq!(audit(&app, "").await.iter().filter(|row| row["action"] == "employee.points.deduct").count(), 1);
    let today = in_days(&app, 0);
    assert!(!audit(&app, &format!("?from={today}&to={today}")).await.is_empty());
    assert!(audit(&app, &format!("?from={}", in_days(&app, 1))).await.is_empty());
}

#[tokio::test]
async fn every_list_pages_with_a_cursor_and_refuses_what_it_does_not_know() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 5, true)).await;
    app.linked_employee("kim", "김휴가", 5000).await;
    let mut references = Vec::new();
    for days in 10..15 {
        references.push(reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, days))).await));
    }
    let (status, first) = app.admin(Method::GET, "/bookings?limit=2", None).await;
    assert_eq!((status, first["items"].as_array().unwrap().len()), (200, 2), "{first}");
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        seen.extend(
            page["items"].as_array().unwrap().iter().map(|booking| booking["reference"].as_str().unwrap().to_owned()),
        );
        let Some(cursor) = page["next_cursor"].as_str() else { break };
        page = app.admin(Method::GET, &format!("/bookings?limit=2&cursor={cursor}"), None).await.1;
    }
    let mut expected = references.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");

    // Filters by check-in days, both ends included.
    let (_, ranged) =
        app.admin(Method::GET, &format!("/bookings?from={}&to={}", in_days(&app, 11), in_days(&app, 12)), None).await;
    assert_eq!(ranged["items"].as_array().unwrap().len(), 2, "{ranged}");

    for list in [
        "/resorts",
        "/employees",
        "/bookings",
        "/lotteries",
        "/waitlist",
        "/dead-letters",
        "/occupancy",
        "/admins",
        "/audit",
    ] {
        for (query, field) in
            [("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"), ("sort=name", "sort")]
        {
            let (status, error) = app.admin(Method::GET, &format!("{list}?{query}"), None).await;
            assert_eq!(
                (status, error["code"].as_str(), error["field"].as_str()),
                (400, Some("invalid_parameter"), Some(field)),
                "{list}?{query}: {error}"
            );
        }
        let (status, page) = app.admin(Method::GET, list, None).await;
        assert_eq!(status, 200, "{list}: {page}");
        assert!(page["items"].is_array() && page.get("next_cursor").is_some(), "{list}: {page}");
    }
    let (status, error) = app.admin(Method::GET, "/resorts?cursor=nothing-here", None).await;
    assert_eq!((status, error["field"].as_str()), (400, Some("cursor")));
}

#[tokio::test]
async fn the_overview_has_every_figure_in_one_answer_and_streams_changes() {
    let app = spawn_app().await;
    two_resorts_an_employee_and_a_manager(&app).await;
    let (auto, _) = book_auto_and_approved(&app).await;
    let (status, overview) = app.admin(Method::GET, "/overview", None).await;
    assert_eq!(status, 200, "{overview}");
    let seorak = overview["occupancy"].as_array().unwrap().iter().find(|resort| resort["name"] == "설악 오션").unwrap();
    assert_eq!(seorak["nights"].as_array().unwrap().len(), 60);
    assert_eq!((seorak["nights"][10]["held"].as_i64(), seorak["nights"][12]["held"].as_i64()), (Some(1), Some(0)));
    let today = overview["bookings_per_day"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (today["day"].as_str(), today["confirmed"].as_i64()),
        (Some(in_days(&app, 0).as_str()), Some(2)),
        "{today}"
    );
    let points: Vec<(String, i64)> = overview["points_per_resort"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resort| (resort["name"].as_str().unwrap().to_owned(), resort["points"].as_i64().unwrap()))
        .collect();
    assert!(
        points.contains(&("설악 오션".to_owned(), 200)) && points.contains(&("제주 바람".to_owned(), 100)),
        "{points:?}"
    );
    let approval = &overview["approval"][0];
    assert_eq!((approval["name"].as_str(), approval["decided"].as_i64()), (Some("제주 바람"), Some(1)), "{approval}");

    // The event stream sends the figures at once, then again when a booking changes.
    let mut stream = app
        .http
        .get(format!("{}/api/v1/overview/events", app.address))
        .bearer_auth(super::helpers::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    // The next event, past keep-alive comments (`:`).
    let mut read_event = async || loop {
        while !seen.contains("\n\n") {
            seen.push_str(&String::from_utf8_lossy(&stream.chunk().await.unwrap().unwrap()));
        }
        let (event, rest) = seen.split_once("\n\n").map(|(event, rest)| (event.to_owned(), rest.to_owned())).unwrap();
        seen = rest;
        if !event.starts_with(':') {
            return event;
        }
    };
    let first = read_event().await;
    assert!(first.starts_with("event: overview") && first.contains("bookings_per_day"), "{first}");
    let id = app.booking(&auto).await["id"].as_str().unwrap().to_owned();
    app.admin(Method::POST, &format!("/bookings/{id}/cancel"), None).await;
    let next = read_event().await;
    assert!(next.contains("\"cancelled\":1"), "a change is streamed: {next}");
}
