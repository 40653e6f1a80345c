//! Telegram end to end: the app's real Bot API client against the loopback stand-in, updates
//! delivered through `POST /telegram/webhook` (and by long polling in one test), every screen
//! read from the chat as the stand-in keeps it and every press taken from a real button.

use super::helpers::{TestApp, in_days, reference_in, resort_body, spawn_app_with, wait_until};
use super::telegram_standin::{TOKEN, TelegramStandIn, button, buttons, text};
use chrono::{Datelike, Days, NaiveDate};
use reqwest::Method;
use resort_core::clock::Clock;
use resortbot::config::Secret;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, Ordering};

const KIM: i64 = 7001;
const LEE: i64 = 7002;
const PARK: i64 = 7003;
const WEBHOOK_SECRET: &str = "tg-secret_1";
const WEBHOOK_URL: &str = "https://resortbot.example/telegram/webhook";

static NEXT_UPDATE: AtomicI64 = AtomicI64::new(1);

struct Telegram {
    app: TestApp,
    api: TelegramStandIn,
}

/// The app with a Telegram bot on the stand-in: on a webhook, or long polling.
async fn spawn(webhook: bool) -> Telegram {
    let api = TelegramStandIn::start().await;
    let api_url = api.url.clone();
    let app = spawn_app_with(|config| {
        config.telegram_bot_token = Some(Secret::new(TOKEN));
        config.telegram_api_url = api_url;
        config.telegram_webhook_secret = Some(Secret::new(WEBHOOK_SECRET));
        config.telegram_webhook_url = webhook.then(|| WEBHOOK_URL.to_owned());
    })
    .await;
    let registered = if webhook { "setwebhook" } else { "deletewebhook" };
    wait_until("the bot registered with Telegram", || async { !api.calls(registered).is_empty() }).await;
    Telegram { app, api }
}

fn from(user: i64) -> Value {
    json!({ "id": user, "is_bot": false, "first_name": format!("user{user}"), "language_code": "ko" })
}

fn message_update(user: i64, text: &str) -> Value {
    let id = NEXT_UPDATE.fetch_add(1, Ordering::SeqCst);
    json!({ "update_id": id, "message": { "message_id": id, "date": 1_700_000_000,
        "chat": { "id": user, "type": "private" }, "from": from(user), "text": text } })
}

fn press_update(user: i64, message: &Value, data: &str) -> (Value, String) {
    let id = NEXT_UPDATE.fetch_add(1, Ordering::SeqCst);
    let query_id = format!("cbq-{id}");
    let update = json!({ "update_id": id, "callback_query": { "id": query_id, "from": from(user),
        "chat_instance": "ci", "data": data, "message": message } });
    (update, query_id)
}

impl Telegram {
    async fn post(&self, body: Vec<u8>, secret: Option<&str>) -> u16 {
        let mut request = self
            .app
            .http
            .post(format!("{}/telegram/webhook", self.app.address))
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn deliver(&self, update: &Value) {
        assert_eq!(self.post(serde_json::to_vec(update).unwrap(), Some(WEBHOOK_SECRET)).await, 200);
    }

    /// Sends a text; returns the messages it added to the chat.
    async fn say(&self, user: i64, text: &str) -> Vec<Value> {
        let before = self.last_message_id(user);
        self.deliver(&message_update(user, text)).await;
        self.api.chat(user).into_iter().filter(|message| message["message_id"].as_i64() > before).collect()
    }

    /// The text of the last message a text added.
    async fn say_last(&self, user: i64, said: &str) -> Value {
        self.say(user, said).await.pop().unwrap_or_else(|| panic!("no answer to {said:?}"))
    }

    /// Presses a button of a message as it is in the chat; returns the answer to the callback
    /// query (there must be exactly one).
    async fn press(&self, user: i64, message: &Value, data: &str) -> Value {
        let (update, query_id) = press_update(user, message, data);
        self.deliver(&update).await;
        let answers: Vec<Value> = self
            .api
            .calls("answercallbackquery")
            .into_iter()
            .filter(|answer| answer["callback_query_id"] == query_id)
            .collect();
        assert_eq!(answers.len(), 1, "every press is answered once: {answers:?}");
        answers[0].clone()
    }

    /// Presses the button labelled `label` on the message and returns the message as it is now.
    async fn press_button(&self, user: i64, message: &Value, label: &str) -> Value {
        let answer = self.press(user, message, &button(message, label)).await;
        assert_ne!(answer["show_alert"], true, "pressing {label:?} was refused: {answer}");
        self.api.message(user, message["message_id"].as_i64().unwrap())
    }

    fn last_message_id(&self, user: i64) -> Option<i64> {
        self.api.chat(user).last().and_then(|message| message["message_id"].as_i64())
    }

    /// A new employee with `points`, linked from Telegram by the `/start CODE` deep link.
    async fn employee(&self, user: i64, name: &str, points: i64) -> String {
        let app = &self.app;
        let (status, employee) = app
            .admin(Method::POST, "/employees", Some(json!({ "employee_no": format!("tg{user}"), "name": name })))
            .await;
        assert_eq!(status, 201, "{employee}");
        let id = employee["id"].as_str().unwrap().to_owned();
        let linked = self.say_last(user, &format!("/start {}", employee["link_code"].as_str().unwrap())).await;
        assert!(text(&linked).contains("연결되었습니다"), "{linked}");
        if points > 0 {
            let grant = json!({ "amount": points, "reason": "test" });
            assert_eq!(app.admin(Method::POST, &format!("/employees/{id}/points"), Some(grant)).await.0, 202);
            app.wait_for_points(&id, points).await;
            // The chat shows the mypage view of the balance, which follows the ledger on its own time.
            let expected = format!("{points}포인트");
            wait_until("the chat shows the granted points", || async {
                text(&self.say_last(user, "/points").await).contains(&expected)
            })
            .await;
        }
        id
    }
}

/// The first day of the month after the app's today.
fn next_month(app: &TestApp) -> NaiveDate {
    let today = app.clock.today();
    let first = today - Days::new(u64::from(today.day0()));
    first.checked_add_months(chrono::Months::new(1)).unwrap()
}

#[tokio::test]
async fn the_bot_registers_its_commands_in_korean_and_english_and_its_webhook_with_the_secret() {
    let telegram = spawn(true).await;
    let webhook = &telegram.api.calls("setwebhook")[0];
    assert_eq!(webhook["url"], WEBHOOK_URL);
    assert_eq!(webhook["secret_token"], WEBHOOK_SECRET);
    let menus = telegram.api.calls("setmycommands");
    let menu_in = |language: Option<&str>| {
        menus
            .iter()
            .find(|menu| menu["language_code"].as_str() == language)
            .unwrap_or_else(|| panic!("no menu for {language:?}: {menus:?}"))
            .clone()
    };
    let described = |menu: &Value, command: &str| {
        menu["commands"].as_array().unwrap().iter().find(|entry| entry["command"] == command).unwrap()["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for command in ["start", "link", "book", "cancel", "my", "points", "help", "arrivals"] {
        assert!(!described(&menu_in(Some("en")), command).is_empty());
    }
    assert!(described(&menu_in(Some("ko")), "book").contains("예약"));
    assert!(described(&menu_in(None), "arrivals").contains("체크인"), "Korean is the default menu");
    assert!(described(&menu_in(Some("en")), "arrivals").contains("Checking in"));
    assert!(!telegram.api.calls("getme").is_empty());
    assert!(telegram.api.calls("getupdates").is_empty(), "a webhook bot does not poll");
}

#[tokio::test]
async fn an_employee_links_by_deep_link_and_books_through_the_calendar_to_a_confirmation() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    let kim = telegram.employee(KIM, "김휴가", 1000).await;
    telegram.employee(PARK, "박휴가", 1000).await;
    // Park takes the only room on the 3rd of next month.
    let taken = next_month(app) + Days::new(2);
    let ack = telegram.say_last(PARK, &format!("예약 설악 오션 {taken} 1박")).await;
    let parks = reference_in(&text(&ack));
    app.wait_for_status(&parks, "confirmed").await;
    // The 13th and 14th of next month are closed for maintenance.
    let closed = taken + Days::new(10);
    let blackout =
        json!({ "from": closed.to_string(), "to": (closed + Days::new(1)).to_string(), "reason": "시설 점검" });
    app.admin(reqwest::Method::POST, &format!("/resorts/{resort}/blackouts"), Some(blackout)).await;
    // The 21st and 22nd go by lottery.
    let drawn = taken + Days::new(18);
    let at = |hours: i64| (app.clock.now() + chrono::Duration::hours(hours)).to_rfc3339();
    let lottery = json!({ "name": "연말", "resort_id": resort, "slots": [{ "check_in": drawn.to_string(), "nights": 2 }],
        "applications_open_at": at(-1), "applications_close_at": at(24) });
    assert_eq!(app.admin(reqwest::Method::POST, "/lotteries", Some(lottery)).await.0, 201);

    let resorts = telegram.say_last(KIM, "/book").await;
    assert!(text(&resorts).contains("설악 오션"), "{resorts}");
    let calendar = telegram.press_button(KIM, &resorts, "설악 오션").await;
    assert_eq!(calendar["message_id"], resorts["message_id"], "the same message moves on");
    assert!(text(&calendar).contains("체크인 날짜"), "{calendar}");
    let calendar = telegram.press_button(KIM, &calendar, "다음 달").await;
    assert!(!telegram.api.calls("editmessagereplymarkup").is_empty(), "paging changes only the buttons");
    let title = format!("{}년 {}월", taken.year(), taken.month());
    assert!(buttons(&calendar).iter().any(|(label, _)| *label == title), "{calendar}");
    let cell =
        |date: NaiveDate| buttons(&calendar).into_iter().find(|(_, data)| *data == format!("fd:{date}")).unwrap().0;
    assert_eq!(cell(taken), "✕", "a full day is marked");
    assert_eq!(cell(taken - Days::new(1)), format!("{}·1", taken.day() - 1), "one night before the full day");
    assert_eq!(cell(taken + Days::new(1)), format!("{}·5", taken.day() + 1));
    assert_eq!(
        (cell(closed), cell(closed + Days::new(1))),
        ("휴무".to_owned(), "휴무".to_owned()),
        "blacked out, not full"
    );
    assert_eq!(cell(closed - Days::new(1)), format!("{}·1", closed.day() - 1), "stays end before the blackout");
    assert_eq!((cell(drawn), cell(drawn + Days::new(1))), ("추첨".to_owned(), "추첨".to_owned()), "lottery nights");
    assert_eq!(cell(drawn - Days::new(1)), format!("{}·1", drawn.day() - 1), "stays end before a lottery's nights");

    let refused = telegram.press(KIM, &calendar, &format!("fd:{taken}")).await;
    assert_eq!(refused["show_alert"], true);
    assert!(refused["text"].as_str().unwrap().contains("빈 객실이 없습니다"), "{refused}");
    assert_eq!(telegram.api.message(KIM, calendar["message_id"].as_i64().unwrap()), calendar, "a refusal leaves it");
    // What the refusal offers follows as a message: waiting for that full day.
    let offer = telegram.api.wait_for(KIM, "빈 객실이 없습니다").await;
    let joined = telegram.press(KIM, &offer, &button(&offer, "대기 신청")).await;
    assert_ne!(joined["show_alert"], true, "{joined}");
    telegram.api.wait_for(KIM, "대기 신청이 접수되었습니다").await;

    let check_in = taken + Days::new(1);
    let nights = telegram.press_button(KIM, &calendar, &format!("{}·5", check_in.day())).await;
    assert!(text(&nights).contains(&format!("{}월 {}일", check_in.month(), check_in.day())), "{nights}");
    let guests = telegram.press_button(KIM, &nights, "2박").await;
    assert!(text(&guests).contains("몇 분이 묵으시나요?"), "{guests}");
    let summary = telegram.press_button(KIM, &guests, "3명").await;
    assert!(text(&summary).contains("· 3명"), "{summary}");
    assert!(text(&summary).contains("잔액 1000포인트 → 예약 후 800포인트"), "{summary}");
    let requested = telegram.press_button(KIM, &summary, "확정").await;
    assert!(text(&requested).contains("예약 요청을 접수했습니다"), "{requested}");
    assert_eq!(requested["message_id"], resorts["message_id"]);
    let reference = reference_in(&text(&requested));

    let push = telegram.api.wait_for(KIM, "예약이 확정되었습니다").await;
    assert!(text(&push).contains(&reference), "{push}");
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 800).await;
    assert!(telegram.api.violations().is_empty(), "{:?}", telegram.api.violations());
}

#[tokio::test]
async fn a_manager_approves_and_rejects_from_the_pushed_buttons_and_only_once() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let kim = telegram.employee(KIM, "김휴가", 1000).await;
    let lee = telegram.employee(LEE, "이매니저", 0).await;
    app.make_manager(&resort, &lee).await;

    let first = reference_in(&text(&telegram.say_last(KIM, &format!("예약 제주 바람 {} 1박", in_days(app, 20))).await));
    let request = telegram.api.wait_for(LEE, &first).await;
    assert!(text(&request).contains("김휴가"), "{request}");
    let approved = telegram.press_button(LEE, &request, "승인").await;
    assert!(text(&approved).contains("✅ 이매니저님이 승인했습니다"), "{approved}");
    let presses = approved["reply_markup"].to_string();
    assert!(!presses.contains("\"ap:") && !presses.contains("\"rj:"), "the decision's buttons are gone: {approved}");
    assert!(presses.contains("\"pp:0\""), "the manager's menu comes back: {approved}");
    telegram.api.wait_for(KIM, "예약이 확정되었습니다").await;
    app.wait_for_status(&first, "confirmed").await;

    // A second press (from a copy of the message that still had buttons) changes nothing.
    let again = telegram.press(LEE, &request, &button(&request, "거절")).await;
    assert_eq!(again["show_alert"], true);
    assert!(again["text"].as_str().unwrap().contains("이미 처리했습니다"), "{again}");
    assert_eq!(app.booking(&first).await["status"], "confirmed");

    let second =
        reference_in(&text(&telegram.say_last(KIM, &format!("예약 제주 바람 {} 1박", in_days(app, 30))).await));
    let request = telegram.api.wait_for(LEE, &second).await;
    // Someone who does not manage the resort presses Approve: refused, nothing changes.
    let forged = telegram.press(KIM, &request, &button(&request, "승인")).await;
    assert_eq!(forged["show_alert"], true);
    assert!(forged["text"].as_str().unwrap().contains("담당자"), "{forged}");
    assert_eq!(app.booking(&second).await["status"], "awaiting_approval");

    let rejected = telegram.press_button(LEE, &request, "거절").await;
    assert!(text(&rejected).contains("❌ 이매니저님이 거절했습니다"), "{rejected}");
    let push = telegram.api.wait_for(KIM, "거절되었습니다").await;
    assert!(text(&push).contains("담당자 거절"), "{push}");
    app.wait_for_status(&second, "rejected").await;
    app.wait_for_points(&kim, 900).await;
    assert!(telegram.api.violations().is_empty(), "{:?}", telegram.api.violations());
}

#[tokio::test]
async fn cancelling_shows_the_refund_before_and_after() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = telegram.employee(KIM, "김휴가", 1000).await;
    let reference =
        reference_in(&text(&telegram.say_last(KIM, &format!("예약 설악 오션 {} 2박", in_days(app, 20))).await));
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 800).await;
    // The confirmation is pushed after the status moved; once it is in, the chat's last
    // message is the answer to what is typed next.
    telegram.api.wait_for(KIM, "예약이 확정되었습니다").await;

    let list = telegram.say_last(KIM, "/cancel").await;
    let check_in = app.clock.today() + Days::new(20);
    // The choice reads as the stay, its reference in the text above.
    assert!(text(&list).contains(&reference) && text(&list).contains("→"), "{list}");
    let label = format!("설악 오션 {}월 {}일", check_in.month(), check_in.day());
    let quote = telegram.press_button(KIM, &list, &label).await;
    assert!(text(&quote).contains("200포인트 중 200포인트를 돌려받습니다"), "{quote}");
    let started = telegram.press_button(KIM, &quote, "취소 확정").await;
    assert!(text(&started).contains("200포인트가 환불됩니다"), "{started}");
    let push = telegram.api.wait_for(KIM, "예약이 취소되었습니다").await;
    assert!(text(&push).contains("200포인트가 환불되었습니다"), "{push}");
    app.wait_for_status(&reference, "cancelled").await;
    app.wait_for_points(&kim, 1000).await;
}

#[tokio::test]
async fn forged_or_stale_callback_data_is_answered_and_changes_nothing() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = telegram.employee(KIM, "김휴가", 1000).await;
    let reference =
        reference_in(&text(&telegram.say_last(KIM, &format!("예약 설악 오션 {} 1박", in_days(app, 20))).await));
    app.wait_for_status(&reference, "confirmed").await;
    telegram.employee(PARK, "박휴가", 0).await;
    let menu = telegram.say_last(PARK, "/help").await;

    for forged in [format!("cx:{reference}"), format!("ap:{reference}"), "cx:NOPE".to_owned(), "zz:1".to_owned()] {
        let answer = telegram.press(PARK, &menu, &forged).await;
        assert_eq!(answer["show_alert"], true, "{forged}: {answer}");
    }
    // A press from an old message inside no flow: answered, nothing booked.
    let stale = telegram.press(PARK, &menu, "fc").await;
    assert_eq!(stale["show_alert"], true, "{stale}");
    assert_eq!(app.booking(&reference).await["status"], "confirmed");
    app.wait_for_points(&kim, 900).await;
    assert_eq!(app.bookings().await.len(), 1);
    assert_eq!(telegram.api.message(PARK, menu["message_id"].as_i64().unwrap()), menu);
}

#[tokio::test]
async fn the_webhook_needs_the_secret_and_shrugs_off_malformed_updates() {
    let telegram = spawn(true).await;
    let update = serde_json::to_vec(&message_update(KIM, "/help")).unwrap();
    assert_eq!(telegram.post(update.clone(), None).await, 401);
    assert_eq!(telegram.post(update.clone(), Some("wrong")).await, 401);
    assert!(telegram.api.calls("sendmessage").is_empty(), "nothing was processed");

    assert_eq!(telegram.post(b"{not json".to_vec(), Some(WEBHOOK_SECRET)).await, 200);
    let odd = json!({ "update_id": 9, "message": { "no": "fields" } });
    assert_eq!(telegram.post(serde_json::to_vec(&odd).unwrap(), Some(WEBHOOK_SECRET)).await, 200);
    assert!(telegram.api.calls("sendmessage").is_empty(), "malformed updates have no effect");

    // An unlinked person gets the linking instructions.
    let answer = telegram.say_last(KIM, "/book").await;
    assert!(text(&answer).contains("연결"), "{answer}");
    let bad_code = telegram.say_last(KIM, "/start WRONG123").await;
    assert!(text(&bad_code).contains("연결 코드가 맞지 않거나"), "{bad_code}");
}

#[tokio::test]
async fn a_person_who_blocked_the_bot_does_not_hold_up_other_alerts() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    telegram.employee(KIM, "김휴가", 1000).await;
    telegram.employee(PARK, "박휴가", 1000).await;
    telegram.api.block(KIM);

    telegram.say(KIM, &format!("예약 설악 오션 {} 1박", in_days(app, 20))).await;
    let parks =
        reference_in(&text(&telegram.say_last(PARK, &format!("예약 설악 오션 {} 1박", in_days(app, 25))).await));
    telegram.api.wait_for(PARK, "예약이 확정되었습니다").await;
    app.wait_for_status(&parks, "confirmed").await;
    wait_until("kim's alert is given up after the 403", || async {
        app.failed_pushes("telegram", &KIM.to_string()).await == 1
    })
    .await;
}

#[tokio::test]
async fn long_polling_serves_the_same_conversation() {
    let telegram = spawn(false).await;
    let app = &telegram.app;
    let (status, employee) =
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "poll", "name": "최폴링" }))).await;
    assert_eq!(status, 201);
    let code = employee["link_code"].as_str().unwrap().to_owned();

    telegram.api.feed(json!({ "message": { "message_id": 1, "date": 1_700_000_000, "no": "chat" } }));
    telegram.api.feed(message_update(KIM, &format!("/start {code}")));
    telegram.api.wait_for(KIM, "최폴링님, 계정이 연결되었습니다").await;
    telegram.api.feed(message_update(KIM, "/points"));
    telegram.api.wait_for(KIM, "포인트 잔액은 0포인트입니다").await;
    wait_until("handled updates are confirmed by the next offset", || async {
        telegram.api.unconfirmed_updates() == 0
    })
    .await;
    assert_eq!(telegram.api.chat(KIM).len(), 2, "each update was handled once");
    assert!(telegram.api.calls("setwebhook").is_empty());
}

#[tokio::test]
async fn once_one_manager_decides_every_managers_copy_shows_it_without_buttons() {
    let telegram = spawn(true).await;
    let app = &telegram.app;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    telegram.employee(KIM, "김휴가", 1000).await;
    for (user, name) in [(LEE, "이매니저"), (PARK, "박매니저")] {
        let manager = telegram.employee(user, name, 0).await;
        app.make_manager(&resort, &manager).await;
    }
    let reference =
        reference_in(&text(&telegram.say_last(KIM, &format!("예약 제주 바람 {} 1박", in_days(app, 20))).await));
    let lees = telegram.api.wait_for(LEE, &reference).await;
    let parks = telegram.api.wait_for(PARK, &reference).await;
    assert!(!buttons(&parks).is_empty());
    wait_until("the requests' references are kept", || async { app.editable_approval_requests().await == 2 }).await;

    telegram.press_button(LEE, &lees, "승인").await;
    app.wait_for_status(&reference, "confirmed").await;
    wait_until("the other manager's copy shows the decision", || async {
        let copy = telegram.api.message(PARK, parks["message_id"].as_i64().unwrap());
        text(&copy).contains("✅ 이매니저님이 승인했습니다") && copy.get("reply_markup").is_none()
    })
    .await;
    assert!(text(&telegram.api.message(PARK, parks["message_id"].as_i64().unwrap())).contains(&reference));
}

fn group_update(user: i64, group: i64, text: &str) -> Value {
    let id = NEXT_UPDATE.fetch_add(1, Ordering::SeqCst);
    json!({ "update_id": id, "message": { "message_id": id, "date": 1_700_000_000,
        "chat": { "id": group, "type": "supergroup", "title": "휴양소 모임" }, "from": from(user), "text": text } })
}

#[tokio::test]
async fn personal_answers_asked_in_a_group_go_to_the_private_chat_and_never_to_the_group() {
    const GROUP: i64 = -100_777;
    const STRANGER: i64 = 4242;
    let telegram = spawn(true).await;
    telegram.employee(KIM, "김휴가", 1000).await;
    let before = telegram.api.chat(KIM).len();

    telegram.deliver(&group_update(KIM, GROUP, "/points@resort_bot")).await;
    let group: Vec<String> = telegram.api.chat(GROUP).iter().map(text).collect();
    assert_eq!(group.len(), 1, "{group:?}");
    assert!(group[0].contains("개인 대화로 보내"), "{group:?}");
    assert!(!group[0].contains("포인트입니다") && !group[0].contains("1000"), "no balance in the group: {group:?}");
    let private = &telegram.api.chat(KIM)[before..];
    assert!(private.iter().any(|message| text(message).contains("1000포인트")), "{private:?}");

    // Someone the bot cannot write to first gets a prompt in the group, and nothing personal.
    telegram.api.block(STRANGER);
    telegram.deliver(&group_update(STRANGER, GROUP, "/my@resort_bot")).await;
    let prompt = text(telegram.api.chat(GROUP).last().unwrap());
    assert!(prompt.contains("개인 대화를 열고") && prompt.contains("https://t.me/"), "{prompt}");
}

/// A lottery's results for 500 applicants go out through Telegram's flood control: under its
/// rate and per-chat limits, waiting exactly as long as a 429 says, none lost or sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_lottery_results_keep_to_telegrams_limits_and_arrive_once_each() {
    const APPLICANTS: i64 = 500;
    let telegram = spawn(true).await;
    let app = &telegram.app;
    let resort = app.create_resort(resort_body("설악 오션", 5, true)).await;
    let users: Vec<i64> = (0..APPLICANTS).map(|index| 90_000 + index).collect();
    let mut employees = Vec::new();
    let telegram = &telegram;
    for chunk in users.chunks(25) {
        let linked = chunk.iter().map(|user| async move {
            let (_, employee) = app
                .admin(
                    Method::POST,
                    "/employees",
                    Some(json!({ "employee_no": format!("tg{user}"), "name": "신청자" })),
                )
                .await;
            let id = employee["id"].as_str().unwrap().to_owned();
            telegram
                .deliver(&message_update(*user, &format!("/start {}", employee["link_code"].as_str().unwrap())))
                .await;
            let grant = json!({ "amount": 1000, "reason": "test" });
            assert_eq!(app.admin(Method::POST, &format!("/employees/{id}/points"), Some(grant)).await.0, 202);
            id
        });
        employees.extend(futures::future::join_all(linked).await);
    }
    for id in &employees {
        app.wait_for_points(id, 1000).await;
    }
    let at = |offset: chrono::Duration| (app.clock.now() + offset).to_rfc3339();
    let body = json!({ "name": "여름 성수기", "resort_id": resort, "slots": [{ "check_in": in_days(app, 40), "nights": 1 }],
        "applications_open_at": at(-chrono::Duration::hours(1)), "applications_close_at": at(chrono::Duration::hours(1)) });
    let (status, lottery) = app.admin(Method::POST, "/lotteries", Some(body)).await;
    assert_eq!(status, 201, "{lottery}");
    for id in &employees {
        sqlx::query(
            "INSERT INTO lottery_application (id, lottery_id, employee_id, preferences, created_at, updated_at) VALUES ($1, $2, $3, '[0]', 0, 0)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(lottery["id"].as_str().unwrap())
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    }

    // Flood control on from here, with the first three results answered 429 whatever the rate.
    telegram.api.limit_rate(3);
    app.clock.advance(chrono::Duration::hours(1) + chrono::Duration::seconds(1));
    let result_count = |user: i64| {
        telegram
            .api
            .chat(user)
            .iter()
            .filter(|message| {
                let text = text(message);
                text.contains("당첨되었습니다") || text.contains("추첨 순서")
            })
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while users.iter().any(|user| result_count(*user) == 0) {
        assert!(std::time::Instant::now() < deadline, "results still missing");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The five winners' confirmations come after their results, a second apart in each chat.
    let winners: Vec<i64> = users
        .iter()
        .copied()
        .filter(|user| telegram.api.chat(*user).iter().any(|message| text(message).contains("당첨되었습니다")))
        .collect();
    assert_eq!(winners.len(), 5);
    for winner in &winners {
        telegram.api.wait_for(*winner, "예약이 확정되었습니다").await;
    }
    assert!(users.iter().all(|user| result_count(*user) == 1), "every result exactly once");
    let (over_limit, answered_429) = telegram.api.flood_answers();
    assert_eq!(over_limit, 0, "never faster than Telegram allows");
    assert!(answered_429 >= 3, "the forced 429s were answered: {answered_429}");
    assert_eq!(telegram.api.violations(), Vec::<String>::new(), "nothing sent before retry_after passed");
    let failed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM push_message WHERE failed_at IS NOT NULL OR sent_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(failed, 0, "no alert lost or left");
}
