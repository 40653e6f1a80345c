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
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, none) = app.admin(Method::GET, "/bookings?status=cancelled", None).await;
    assert!(none.as_array().unwrap().is_empty());

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

    assert_eq!(app.admin(Method::GET, "/dead-letters", None).await.1, json!([]));
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
