//! Reports as a welfare team opens them: CSV with a byte-order mark and headers in the reader's
//! language, parsed back; filters by dates and resort; unknown or unreadable parameters refused;
//! the points ledger a page at a time, and in chat.

use super::helpers::{ADMIN_TOKEN, TestApp, in_days, reference_in, resort_body, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// A report's status, content type and rows (the header first), read as a spreadsheet would.
async fn report(app: &TestApp, path: &str, language: &str) -> (u16, String, Vec<Vec<String>>) {
    let response = app
        .http
        .get(format!("{}/api/v1/reports/{path}", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = response.bytes().await.unwrap();
    if status != 200 {
        return (status, String::from_utf8_lossy(&body).into_owned(), Vec::new());
    }
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark first");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&body[3..]);
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (status, content_type, rows)
}

#[tokio::test]
async fn bookings_occupancy_and_points_reports_parse_back_with_their_filters() {
    let app = spawn_app().await;
    let seorak = app.create_resort(resort_body("설악 오션", 2, true)).await;
    let jeju = app.create_resort(resort_body("제주, 바람", 2, true)).await;
    let kim = app.linked_employee("kim", "김민준", 1000).await;
    let first = in_days(&app, 10);
    let kept = reference_in(&app.say("kim", &format!("예약 설악 오션 {first} 2박")).await);
    let gone = reference_in(&app.say("kim", &format!("예약 제주, 바람 {} 1박", in_days(&app, 20))).await);
    app.wait_for_status(&kept, "confirmed").await;
    app.wait_for_status(&gone, "confirmed").await;
    app.press("kim", &format!("cx:{gone}")).await;
    app.wait_for_status(&gone, "cancelled").await;
    app.wait_for_points(&kim, 800).await;

    let (status, content_type, rows) = report(&app, "bookings.csv", "ko").await;
    assert_eq!((status, content_type.as_str()), (200, "text/csv; charset=utf-8"));
    assert_eq!(rows[0][0..3], ["참조번호", "상태", "사유"]);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = rows.iter().find(|row| row[0] == kept).unwrap();
    assert_eq!(
        (row[1].as_str(), row[6].as_str(), row[8].as_str(), row[10].as_str()),
        ("확정", "설악 오션", first.as_str(), "2")
    );
    assert!(rows.iter().any(|row| row[0] == gone && row[6] == "제주, 바람"), "a comma survives quoting");
    let (_, _, only) = report(&app, &format!("bookings.csv?resort_id={seorak}"), "en").await;
    assert_eq!(only[0][0], "reference");
    assert_eq!(only.len(), 2);
    assert_eq!(only[1][1], "confirmed");
    let (_, _, later) = report(&app, &format!("bookings.csv?from={}", in_days(&app, 15)), "ko").await;
    assert_eq!(later.len(), 2, "from is the check-in");

    let (_, _, occupancy) =
        report(&app, &format!("occupancy.csv?resort_id={seorak}&from={first}&to={first}"), "ko").await;
    assert_eq!(occupancy[1], [first.as_str(), "설악 오션", "기본", "2", "1", "1"]);
    let (_, _, jeju_nights) = report(&app, &format!("occupancy.csv?resort_id={jeju}"), "ko").await;
    assert_eq!(jeju_nights.len(), 61, "60 nights by default");
    assert!(jeju_nights[1..].iter().all(|row| row[4] == "0"), "the cancelled stay holds nothing");

    let (_, _, points) = report(&app, "points.csv", "ko").await;
    let kinds: Vec<(&str, &str)> = points[1..].iter().map(|row| (row[3].as_str(), row[4].as_str())).collect();
    assert_eq!(kinds, [("지급", "1000"), ("차감", "-200"), ("차감", "-100"), ("환불", "100")], "oldest first");
    let (_, _, seorak_points) = report(&app, &format!("points.csv?resort_id={seorak}"), "ko").await;
    assert_eq!(seorak_points.len(), 2, "only its booking's deduction: {seorak_points:?}");

    for (query, status_code, code, field) in [
        ("limit=5", 400, "invalid_parameter", "limit"),
        ("from=2026-13-01", 400, "invalid_parameter", "from"),
        ("from=2027-01-10&to=2027-01-01", 422, "invalid_range", "to"),
    ] {
        let (status, body, _) = report(&app, &format!("bookings.csv?{query}"), "ko").await;
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((status, body["code"].as_str(), body["field"].as_str()), (status_code, Some(code), Some(field)));
    }
}

#[tokio::test]
async fn the_ledger_pages_with_a_cursor_and_reads_in_chat() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 2, true)).await;
    let kim = app.linked_employee("kim", "김민준", 1000).await;
    for (index, reason) in ["우수 사원", "장기 근속"].iter().enumerate() {
        let grant = json!({ "amount": 100 * (index as i64 + 1), "reason": reason });
        assert_eq!(app.admin(Method::POST, &format!("/employees/{kim}/points"), Some(grant)).await.0, 202);
    }
    app.wait_for_points(&kim, 1300).await;
    let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, 10))).await);
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 1200).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/employees/{kim}/ledger?limit=3&cursor={cursor}"),
            None => format!("/employees/{kim}/ledger?limit=3"),
        };
        let (status, page) = app.admin(Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|item| item["delta"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, [-100, 200, 100, 1000], "newest first, every entry once");
    let (status, error) = app.admin(Method::GET, &format!("/employees/{kim}/ledger?limit=0"), None).await;
    assert_eq!((status, error["field"].as_str()), (400, Some("limit")));
    assert_eq!(app.admin(Method::GET, &format!("/employees/{kim}/ledger?page=2"), None).await.0, 400);

    let history = app.say("kim", "포인트 내역").await;
    assert!(history.contains("잔액 1200포인트"), "{history}");
    assert!(history.contains(&format!("차감 -100포인트 → 1200포인트 · 예약 {reference} (설악 오션)")), "{history}");
    assert!(history.contains("지급 +200포인트 → 1300포인트 · 장기 근속"), "{history}");
}
