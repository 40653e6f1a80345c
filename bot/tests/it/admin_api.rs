//! The admin API's resources and its OpenAPI document.

use super::helpers::{in_days, reference_in, resort_body, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn resorts_employees_and_bookings_can_be_managed_and_read_back() {
    let app = spawn_app().await;
    let id = app.create_resort(resort_body("설악 오션", 3, true)).await;
    let (status, patched) =
        app.admin(Method::PATCH, &format!("/resorts/{id}"), Some(json!({ "rooms": 4, "auto_approve": false }))).await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["rooms"].as_i64(), patched["auto_approve"].as_bool(), patched["name"].as_str()),
        (Some(4), Some(false), Some("설악 오션"))
    );
    assert_eq!(app.admin(Method::GET, &format!("/resorts/{id}"), None).await.1["rooms"], 4);
    assert_eq!(app.admin(Method::PATCH, &format!("/resorts/{id}"), Some(json!({ "auto_approve": true }))).await.0, 200);

    let employee = app.linked_employee("kim", "김휴가", 500).await;
    let (status, detail) = app.admin(Method::GET, &format!("/employees/{employee}"), None).await;
    assert_eq!((status, detail["points"].as_i64(), detail["employee_no"].as_str()), (200, Some(500), Some("kim")));
    let (status, code) = app.admin(Method::POST, &format!("/employees/{employee}/link-code"), None).await;
    assert_eq!(status, 201);
    assert!(app.say("kim-phone", &format!("연결 {}", code["link_code"].as_str().unwrap())).await.contains("김휴가님"));

    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 30))).await);
    let booking = app.wait_for_status(&reference, "confirmed").await;
    let (_, mine) = app.admin(Method::GET, &format!("/bookings?employee_id={employee}&status=confirmed"), None).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (_, none) = app.admin(Method::GET, "/bookings?status=cancelled", None).await;
    assert!(none["items"].as_array().unwrap().is_empty());

    let (status, cancelling) =
        app.admin(Method::POST, &format!("/bookings/{}/cancel", booking["id"].as_str().unwrap()), None).await;
    assert_eq!((status, cancelling["status"].as_str()), (202, Some("cancelling")));
    app.wait_for_status(&reference, "cancelled").await;
    app.wait_for_points(&employee, 500).await;
    let (status, again) =
        app.admin(Method::POST, &format!("/bookings/{}/cancel", booking["id"].as_str().unwrap()), None).await;
    assert_eq!((status, again["code"].as_str()), (409, Some("not_cancellable")));
    // The push reached both linked accounts of the employee.
    app.kakao.wait_for("kim", "취소되었습니다").await;
    app.kakao.wait_for("kim-phone", "취소되었습니다").await;

    assert_eq!(app.admin(Method::GET, "/dead-letters", None).await.1, json!({ "items": [], "next_cursor": null }));
    let ready = app.http.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // A graceful stop returns only when every consumer and loop has finished, without error.
    let mut app = app;
    app.stop().await;
    assert!(app.http.get(format!("{}/healthz", app.address)).send().await.is_err());
}

#[tokio::test]
async fn the_openapi_document_describes_every_admin_route() {
    let app = spawn_app().await;
    let document: serde_json::Value =
        app.http.get(format!("{}/api/v1/openapi.json", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    let source = include_str!("../../src/admin/mod.rs");
    let routes: Vec<&str> = source
        .lines()
        .filter_map(|line| line.trim().strip_prefix(".route(\""))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert!(routes.len() >= 11, "{routes:?}");
    for route in routes {
        assert!(document["paths"].get(route).is_some(), "{route} is not in the OpenAPI document");
    }
}

/// Unknown routes, wrong methods and bodies that are not JSON answer with the API's own JSON
/// error, in the caller's language, and change nothing; managers are listed and removed; a
/// booking is found by the reference people quote.
#[tokio::test]
async fn every_refusal_is_a_json_error_and_managers_and_references_can_be_looked_up() {
    let app = spawn_app().await;
    let raw = |method: Method, path: &str| {
        app.http
            .request(method, format!("{}/api/v1{path}", app.address))
            .bearer_auth(super::helpers::ADMIN_TOKEN)
            .header("accept-language", "en")
    };
    let read = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        (status, response.json::<serde_json::Value>().await.unwrap_or_default())
    };
    let (status, body) = read(raw(Method::GET, "/nowhere").send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{body}");
    let (status, body) = read(raw(Method::DELETE, "/resorts").send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (405, Some("method_not_allowed")), "{body}");
    assert_eq!(body["message"], "This path does not take that method.");
    let form = serde_json::to_string(&resort_body("설악 오션", 3, true)).unwrap();
    let (status, body) = read(raw(Method::POST, "/resorts").body(form.clone()).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (415, Some("unsupported_media_type")), "no content type: {body}");
    let (status, _) =
        read(raw(Method::POST, "/resorts").header("content-type", "text/plain").body(form).send().await.unwrap()).await;
    assert_eq!(status, 415);
    assert_eq!(app.admin(Method::GET, "/resorts", None).await.1["items"], json!([]), "nothing was created");

    let resort = app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = app.linked_employee("kim", "김민준", 1000).await;
    let lee = app.linked_employee("lee", "이서연", 1000).await;
    app.make_manager(&resort, &lee).await;
    let (status, managers) = app.admin(Method::GET, &format!("/resorts/{resort}/managers"), None).await;
    assert_eq!(status, 200);
    assert_eq!(managers["items"], json!([{ "employee_id": lee, "name": "이서연" }]));
    let path = format!("/resorts/{resort}/managers/{lee}");
    assert_eq!(app.admin(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(app.admin(Method::DELETE, &path, None).await.0, 404, "once");
    assert_eq!(app.admin(Method::GET, &format!("/resorts/{resort}/managers"), None).await.1["items"], json!([]));
    assert!(app.say("lee", "대기").await.contains("대기 중인 신청이 없습니다"), "no longer a manager");

    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 10))).await);
    let (status, found) =
        app.admin(Method::GET, &format!("/bookings?reference={}", reference.to_lowercase()), None).await;
    assert_eq!(status, 200);
    let found = &found["items"];
    assert_eq!((found.as_array().unwrap().len(), found[0]["employee_id"].as_str()), (1, Some(kim.as_str())));
    assert_eq!(app.admin(Method::GET, "/bookings?reference=RZZZZZZ", None).await.1["items"], json!([]));
    let (status, error) = app.admin(Method::GET, "/bookings?resort=x", None).await;
    assert_eq!((status, error["field"].as_str()), (400, Some("resort")), "{error}");
}
