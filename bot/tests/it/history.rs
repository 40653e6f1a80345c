//! `내 예약`: upcoming stays first, soonest first, then the past, latest first, a page at a time,
//! each stay in words with its weekdays.

use super::helpers::{in_days, reference_in, resort_body, spawn_app, template_buttons};
use chrono::Duration;

#[tokio::test]
async fn my_bookings_show_what_is_coming_first_and_page_through_the_rest() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 2, true)).await;
    app.linked_employee("kim", "김민준", 5000).await;
    let mut references = Vec::new();
    for day in 2..=12 {
        let reference = reference_in(&app.say("kim", &format!("예약 설악 오션 {} 1박", in_days(&app, day))).await);
        app.wait_for_status(&reference, "confirmed").await;
        references.push(reference);
    }
    // Five days on, the first three stays are past.
    app.clock.advance(Duration::days(5));
    let first = app.say_full("kim", "내 예약").await;
    let text = super::helpers::template_text(&first);
    let order: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("• ")).map(|line| &line[..7]).collect();
    let expected: Vec<&str> =
        references[3..].iter().chain(references[..3].iter().rev()).take(10).map(String::as_str).collect();
    assert_eq!(order, expected, "{text}");
    assert!(
        text.contains("내 예약 (11건 중 1–10)") && text.contains("다가오는 예약") && text.contains("지난 예약"),
        "{text}"
    );
    assert!(text.contains("→") && text.contains("1박"), "stays in words: {text}");
    let more = template_buttons(&first).into_iter().find(|(label, _)| label == "더 보기").expect("a more button");
    let second = app.press("kim", &more.1).await;
    assert!(second.contains("11건 중 11–11") && second.contains(&references[0]), "{second}");
    assert!(!second.contains("다가오는 예약"), "{second}");
}

/// A refusal never strands anyone: without choices of its own it carries the menu.
#[tokio::test]
async fn a_refusal_comes_with_the_menu() {
    let app = spawn_app().await;
    app.create_resort(resort_body("설악 오션", 2, true)).await;
    app.linked_employee("kim", "김민준", 1000).await;
    let refused = app.say_full("kim", "예약 설악 오션 2026-13-45 2박").await;
    assert!(super::helpers::template_text(&refused).contains("날짜"), "{refused}");
    let labels: Vec<String> = template_buttons(&refused).into_iter().map(|(label, _)| label).collect();
    assert!(labels.contains(&"예약하기".to_owned()) && labels.contains(&"내 예약".to_owned()), "{labels:?}");
    super::helpers::assert_valid_template(&refused);
}
