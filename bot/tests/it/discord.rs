//! Discord end to end: signed interactions posted to `/discord/interactions` (signed with a
//! test Ed25519 key whose public half the app is given), answers read from the HTTP response as
//! Discord would, and serenity's REST calls (command registration, DMs) recorded by the
//! loopback stand-in.

use super::discord_standin::{APPLICATION_ID, BOT_TOKEN, DiscordStandIn, GUILD_ID};
use super::helpers::{TestApp, reference_in, resort_body, spawn_app_with, wait_until};
use chrono::{Datelike, Days, NaiveDate};
use ed25519_dalek::{Signer, SigningKey};
use reqwest::Method;
use resort_core::clock::Clock;
use resortbot::config::Secret;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

const KIM: u64 = 9001;
const LEE: u64 = 9002;
const PARK: u64 = 9003;
const EPHEMERAL: u64 = 64;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

struct Discord {
    app: TestApp,
    api: DiscordStandIn,
    key: SigningKey,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn spawn() -> Discord {
    let api = DiscordStandIn::start().await;
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let (api_url, public_key) = (api.url.clone(), hex(key.verifying_key().as_bytes()));
    let app = spawn_app_with(|config| {
        config.discord_bot_token = Some(Secret::new(BOT_TOKEN));
        config.discord_application_id = Some(APPLICATION_ID);
        config.discord_public_key = Some(public_key);
        config.discord_guild_id = Some(GUILD_ID);
        config.discord_api_url = api_url;
    })
    .await;
    let registration = format!("PUT /applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    wait_until("the commands are registered", || async { !api.calls(&registration).is_empty() }).await;
    Discord { app, api, key }
}

fn user(id: u64) -> Value {
    json!({ "id": id.to_string(), "username": format!("user{id}"), "discriminator": "0" })
}

fn interaction(kind: u8, user_id: u64, locale: &str, data: Value) -> Value {
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    json!({ "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": kind, "token": format!("tok-{id}"),
        "version": 1, "channel_id": "5", "user": user(user_id), "locale": locale, "entitlements": [],
        "attachment_size_limit": 8_388_608, "data": data })
}

/// The message an answer's data becomes, as Discord would send it back with a press.
fn message_of(data: &Value) -> Value {
    json!({ "id": "7", "channel_id": "5", "author": user(APPLICATION_ID), "content": data["content"],
        "timestamp": "2026-01-01T00:00:00+00:00", "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        "components": data.get("components").cloned().unwrap_or(json!([])) })
}

fn components(message: &Value) -> Vec<Value> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The custom id of the button labelled `label`.
fn button(message: &Value, label: &str) -> String {
    components(message)
        .into_iter()
        .find(|component| component["type"] == 2 && component["label"].as_str().unwrap_or_default().contains(label))
        .unwrap_or_else(|| panic!("no button {label:?} on {message:#}"))["custom_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The value of the select option whose label contains `label`.
fn option(message: &Value, label: &str) -> String {
    components(message)
        .into_iter()
        .filter(|component| component["type"] == 3)
        .flat_map(|select| select["options"].as_array().cloned().unwrap_or_default())
        .find(|option| option["label"].as_str().unwrap_or_default().contains(label))
        .unwrap_or_else(|| panic!("no option {label:?} on {message:#}"))["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn content(answer: &Value) -> String {
    answer["data"]["content"].as_str().unwrap_or_default().to_owned()
}

impl Discord {
    /// The app's time in Unix seconds, as Discord signs it.
    fn now(&self) -> i64 {
        self.app.clock.now().timestamp()
    }

    async fn post(&self, body: &[u8], timestamp: i64, signature: Option<String>) -> (u16, Value) {
        let timestamp = timestamp.to_string();
        let signature =
            signature.unwrap_or_else(|| hex(&self.key.sign(&[timestamp.as_bytes(), body].concat()).to_bytes()));
        let response = self
            .app
            .http
            .post(format!("{}/discord/interactions", self.app.address))
            .header("content-type", "application/json")
            .header("X-Signature-Ed25519", signature)
            .header("X-Signature-Timestamp", timestamp)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn interact(&self, interaction: &Value) -> Value {
        let (status, answer) = self.post(&serde_json::to_vec(interaction).unwrap(), self.now(), None).await;
        assert_eq!(status, 200, "{answer}");
        assert!(super::discord_standin::component_problem(&answer["data"]).is_none(), "{answer}");
        answer
    }

    async fn command(&self, user: u64, name: &str, options: Value) -> Value {
        self.interact(&interaction(2, user, "ko", json!({ "id": "1", "name": name, "type": 1, "options": options })))
            .await
    }

    async fn press(&self, user: u64, message: &Value, custom_id: &str) -> Value {
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        let mut press = interaction(3, user, "ko", data);
        press["message"] = message.clone();
        self.interact(&press).await
    }

    async fn select(&self, user: u64, message: &Value, value: &str) -> Value {
        let data = json!({ "custom_id": "pick", "component_type": 3, "values": [value] });
        let mut press = interaction(3, user, "ko", data);
        press["message"] = message.clone();
        self.interact(&press).await
    }

    /// A new employee with `points`, linked with `/link code`.
    async fn employee(&self, id: u64, name: &str, points: i64) -> String {
        let app = &self.app;
        let (status, employee) = app
            .admin(Method::POST, "/employees", Some(json!({ "employee_no": format!("dc{id}"), "name": name })))
            .await;
        assert_eq!(status, 201, "{employee}");
        let code = employee["link_code"].as_str().unwrap();
        let linked = self.command(id, "link", json!([{ "name": "code", "type": 3, "value": code }])).await;
        assert!(content(&linked).contains("연결되었습니다"), "{linked}");
        assert_eq!(linked["data"]["flags"], EPHEMERAL);
        let employee_id = employee["id"].as_str().unwrap().to_owned();
        if points > 0 {
            let grant = json!({ "amount": points, "reason": "test" });
            assert_eq!(app.admin(Method::POST, &format!("/employees/{employee_id}/points"), Some(grant)).await.0, 202);
            let expected = format!("{points}포인트");
            wait_until("the chat shows the granted points", || async {
                content(&self.command(id, "points", json!([])).await).contains(&expected)
            })
            .await;
        }
        employee_id
    }
}

fn next_month(app: &TestApp) -> NaiveDate {
    let today = app.clock.today();
    (today - Days::new(u64::from(today.day0()))).checked_add_months(chrono::Months::new(1)).unwrap()
}

#[tokio::test]
async fn ping_pongs_and_unsigned_stale_or_tampered_interactions_are_refused() {
    let discord = spawn().await;
    let ping =
        json!({ "id": "1", "application_id": APPLICATION_ID.to_string(), "type": 1, "token": "t", "version": 1 });
    let body = serde_json::to_vec(&ping).unwrap();
    let (status, answer) = discord.post(&body, discord.now(), None).await;
    assert_eq!((status, answer["type"].as_u64()), (200, Some(1)));

    assert_eq!(discord.post(&body, discord.now(), Some("00".repeat(64))).await.0, 401, "a bad signature");
    assert_eq!(discord.post(&body, discord.now(), Some("not hex".into())).await.0, 401);
    assert_eq!(discord.post(&body, discord.now() - 301, None).await.0, 401, "older than five minutes");
    let signed = hex(&discord.key.sign(&[discord.now().to_string().as_bytes(), body.as_slice()].concat()).to_bytes());
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(discord.post(&tampered, discord.now(), Some(signed)).await.0, 401, "a body that is not the one signed");
    assert_eq!(discord.post(&body, i64::MIN, None).await.0, 401, "a timestamp at the end of the integers");
    assert_eq!(discord.post(&body, i64::MAX, None).await.0, 401);
    let help = serde_json::to_vec(&interaction(2, KIM, "ko", json!({ "id": "1", "name": "help", "type": 1 }))).unwrap();
    assert_eq!(discord.post(&help, discord.now(), None).await.0, 200);
    assert_eq!(discord.post(&help, discord.now(), None).await.0, 401, "the same interaction delivered again");

    let registered = &discord.api.calls(&format!("PUT /applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands"))[0];
    let names: Vec<&str> =
        registered.as_array().unwrap().iter().map(|command| command["name"].as_str().unwrap()).collect();
    for name in ["link", "book", "cancel", "my", "points", "help", "arrivals"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let book = registered.as_array().unwrap().iter().find(|command| command["name"] == "book").unwrap();
    assert!(book["description"].as_str().unwrap().contains("예약"), "Korean by default: {book}");
    assert!(book["description_localizations"]["en-US"].as_str().unwrap().contains("Book"), "{book}");
    assert!(discord.api.calls("PUT /applications/4242/commands").is_empty(), "registered to the server only");
}

#[tokio::test]
async fn an_employee_links_and_books_through_the_components_to_a_confirmation_dm() {
    let discord = spawn().await;
    let app = &discord.app;
    app.create_resort(resort_body("설악 오션", 1, true)).await;
    let kim = discord.employee(KIM, "김휴가", 1000).await;

    let resorts = discord.command(KIM, "book", json!([])).await;
    assert_eq!(resorts["type"], 4);
    assert_eq!(resorts["data"]["flags"], EPHEMERAL, "personal data is ephemeral");
    let message = message_of(&resorts["data"]);
    let calendar = discord.select(KIM, &message, &option(&message, "설악 오션")).await;
    assert_eq!(calendar["type"], 7, "the same message moves on");
    let message = message_of(&calendar["data"]);
    let paged = discord.press(KIM, &message, &button(&message, "다음 달")).await;
    let message = message_of(&paged["data"]);
    let check_in = next_month(app) + Days::new(2);
    let nights = discord.select(KIM, &message, &option(&message, &check_in.to_string())).await;
    assert!(content(&nights).contains(&format!("{}월 {}일", check_in.month(), check_in.day())), "{nights}");
    let message = message_of(&nights["data"]);
    let guests = discord.select(KIM, &message, &option(&message, "2박")).await;
    let message = message_of(&guests["data"]);
    let summary = discord.select(KIM, &message, &option(&message, "2명")).await;
    assert!(content(&summary).contains("· 2명"), "{summary}");
    assert!(content(&summary).contains("잔액 1000포인트 → 예약 후 800포인트"), "{summary}");
    let message = message_of(&summary["data"]);
    let requested = discord.press(KIM, &message, &button(&message, "확정")).await;
    assert_eq!(requested["type"], 7);
    assert!(content(&requested).contains("예약 요청을 접수했습니다"), "{requested}");
    let reference = reference_in(&content(&requested));

    let dm = discord.api.wait_for_dm(KIM, "예약이 확정되었습니다").await;
    assert!(dm["content"].as_str().unwrap().contains(&reference), "{dm}");
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 800).await;
    assert!(discord.api.violations().is_empty(), "{:?}", discord.api.violations());
}

#[tokio::test]
async fn a_manager_decides_from_the_dm_buttons_and_nobody_else_can() {
    let discord = spawn().await;
    let app = &discord.app;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    let kim = discord.employee(KIM, "김휴가", 1000).await;
    let lee = discord.employee(LEE, "이매니저", 0).await;
    app.make_manager(&resort, &lee).await;

    let first = book_through_components(&discord, KIM, "제주 바람", 2).await;
    let request = discord.api.wait_for_dm(LEE, &first).await;
    assert!(request["content"].as_str().unwrap().contains("김휴가"), "{request}");
    let approved = discord.press(LEE, &request, &button(&request, "승인")).await;
    assert_eq!(approved["type"], 7);
    assert!(content(&approved).contains("✅ 이매니저님이 승인했습니다"), "{approved}");
    let presses = approved["data"]["components"].to_string();
    assert!(!presses.contains("\"ap:") && !presses.contains("\"rj:"), "the decision's buttons are removed: {approved}");
    assert!(presses.contains("\"pp:0\""), "the manager's menu comes back: {approved}");
    discord.api.wait_for_dm(KIM, "예약이 확정되었습니다").await;
    app.wait_for_status(&first, "confirmed").await;

    let again = discord.press(LEE, &request, &button(&request, "거절")).await;
    assert_eq!((again["type"].as_u64(), again["data"]["flags"].as_u64()), (Some(4), Some(EPHEMERAL)));
    assert!(content(&again).contains("이미 처리했습니다"), "{again}");

    let second = book_through_components(&discord, KIM, "제주 바람", 9).await;
    let request = discord.api.wait_for_dm(LEE, &second).await;
    let forged = discord.press(KIM, &request, &button(&request, "승인")).await;
    assert_eq!(forged["data"]["flags"], EPHEMERAL);
    assert!(content(&forged).contains("담당자"), "{forged}");
    assert_eq!(app.booking(&second).await["status"], "awaiting_approval");
    let rejected = discord.press(LEE, &request, &button(&request, "거절")).await;
    assert!(content(&rejected).contains("❌ 이매니저님이 거절했습니다"), "{rejected}");
    discord.api.wait_for_dm(KIM, "거절되었습니다").await;
    app.wait_for_status(&second, "rejected").await;
    app.wait_for_points(&kim, 900).await;
    assert!(discord.api.violations().is_empty(), "{:?}", discord.api.violations());
}

#[tokio::test]
async fn cancelling_shows_the_refund_before_the_confirm_button() {
    let discord = spawn().await;
    let app = &discord.app;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    let kim = discord.employee(KIM, "김휴가", 1000).await;
    let reference = book_through_components(&discord, KIM, "설악 오션", 2).await;
    app.wait_for_status(&reference, "confirmed").await;
    app.wait_for_points(&kim, 900).await;

    let list = discord.command(KIM, "cancel", json!([])).await;
    let message = message_of(&list["data"]);
    // The choice is labelled with the resort and the check-in, as people remember a stay.
    let check_in = next_month(app) + Days::new(2);
    let label = format!("설악 오션 {}월 {}일", check_in.month(), check_in.day());
    let quote = discord.select(KIM, &message, &option(&message, &label)).await;
    assert!(content(&quote).contains("100포인트 중 100포인트를 돌려받습니다"), "{quote}");
    let message = message_of(&quote["data"]);
    let started = discord.press(KIM, &message, &button(&message, "취소 확정")).await;
    assert!(content(&started).contains("100포인트가 환불됩니다"), "{started}");
    discord.api.wait_for_dm(KIM, "예약이 취소되었습니다").await;
    app.wait_for_status(&reference, "cancelled").await;
    app.wait_for_points(&kim, 1000).await;
}

/// `/book` through to Confirm for one night, `day` days after the 1st of next month; returns
/// the reference.
async fn book_through_components(discord: &Discord, user: u64, resort: &str, day: u64) -> String {
    let message = message_of(&discord.command(user, "book", json!([])).await["data"]);
    let message = message_of(&discord.select(user, &message, &option(&message, resort)).await["data"]);
    let message = message_of(&discord.press(user, &message, &button(&message, "다음 달")).await["data"]);
    let check_in = next_month(&discord.app) + Days::new(day);
    let message = message_of(&discord.select(user, &message, &option(&message, &check_in.to_string())).await["data"]);
    let message = message_of(&discord.select(user, &message, &option(&message, "1박")).await["data"]);
    let message = message_of(&discord.select(user, &message, &option(&message, "1명")).await["data"]);
    let requested = discord.press(user, &message, &button(&message, "확정")).await;
    reference_in(&content(&requested))
}

#[tokio::test]
async fn a_user_who_refuses_dms_does_not_hold_up_other_alerts() {
    let discord = spawn().await;
    let app = &discord.app;
    app.create_resort(resort_body("설악 오션", 3, true)).await;
    discord.employee(KIM, "김휴가", 1000).await;
    discord.employee(PARK, "박휴가", 1000).await;
    discord.api.refuse_dms(KIM);

    let kims = book_through_components(&discord, KIM, "설악 오션", 2).await;
    let parks = book_through_components(&discord, PARK, "설악 오션", 2).await;
    discord.api.wait_for_dm(PARK, "예약이 확정되었습니다").await;
    app.wait_for_status(&kims, "confirmed").await;
    app.wait_for_status(&parks, "confirmed").await;
    wait_until("kim's alert is given up after the 50007", || async {
        app.failed_pushes("discord", &KIM.to_string()).await == 1
    })
    .await;
    assert!(discord.api.dms_to(KIM).is_empty());
}

#[tokio::test]
async fn the_interactions_locale_chooses_the_language_until_the_user_has_one() {
    let discord = spawn().await;
    let english =
        discord.interact(&interaction(2, PARK, "en-US", json!({ "id": "1", "name": "book", "type": 1 }))).await;
    assert!(content(&english).contains("link your account"), "{english}");
    let korean = discord.interact(&interaction(2, PARK, "ko", json!({ "id": "1", "name": "book", "type": 1 }))).await;
    assert!(content(&korean).contains("계정을 연결해"), "{korean}");
    let unknown = discord
        .interact(&interaction(
            2,
            PARK,
            "ko",
            json!({ "id": "1", "name": "link", "type": 1,
        "options": [{ "name": "code", "type": 3, "value": "WRONG123" }] }),
        ))
        .await;
    assert!(content(&unknown).contains("연결 코드가 맞지 않거나"), "{unknown}");
}

#[tokio::test]
async fn a_turn_that_cannot_answer_in_time_is_deferred_and_then_completed() {
    let discord = spawn().await;
    let app = &discord.app;
    let (status, employee) =
        app.admin(Method::POST, "/employees", Some(json!({ "employee_no": "slow", "name": "느림보" }))).await;
    assert_eq!(status, 201);
    let code = employee["link_code"].as_str().unwrap().to_owned();
    // Another transaction holds the link code's row, so the link has to wait for it.
    let mut holder = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE link_code SET updated_at = updated_at WHERE code = $1")
        .bind(&code)
        .execute(&mut *holder)
        .await
        .unwrap();
    let link = interaction(
        2,
        KIM,
        "ko",
        json!({ "id": "1", "name": "link", "type": 1,
        "options": [{ "name": "code", "type": 3, "value": code }] }),
    );
    let answer = discord.interact(&link).await;
    assert_eq!(answer["type"], 5, "deferred within Discord's 3 s: {answer}");
    assert_eq!(answer["data"]["flags"], EPHEMERAL);
    holder.rollback().await.unwrap();

    let edit = format!("PATCH /webhooks/{APPLICATION_ID}/{}/messages/@original", link["token"].as_str().unwrap());
    wait_until("the deferred answer is completed", || async { !discord.api.calls(&edit).is_empty() }).await;
    let completed = &discord.api.calls(&edit)[0];
    assert!(completed["content"].as_str().unwrap().contains("느림보님, 계정이 연결되었습니다"), "{completed}");
}

#[tokio::test]
async fn once_one_manager_decides_every_managers_dm_shows_it_without_buttons() {
    let discord = spawn().await;
    let app = &discord.app;
    let resort = app.create_resort(resort_body("제주 바람", 3, false)).await;
    discord.employee(KIM, "김휴가", 1000).await;
    for (user, name) in [(LEE, "이매니저"), (PARK, "박매니저")] {
        let manager = discord.employee(user, name, 0).await;
        app.make_manager(&resort, &manager).await;
    }
    let reference = book_through_components(&discord, KIM, "제주 바람", 2).await;
    let request = discord.api.wait_for_dm(LEE, &reference).await;
    discord.api.wait_for_dm(PARK, &reference).await;
    wait_until("the requests' references are kept", || async { app.editable_approval_requests().await == 2 }).await;

    let rejected = discord.press(LEE, &request, &button(&request, "거절")).await;
    assert_eq!(rejected["type"], 7);
    app.wait_for_status(&reference, "rejected").await;
    wait_until("the other manager's DM shows the decision", || async {
        discord.api.dms_to(PARK).iter().any(|dm| {
            dm["content"].as_str().unwrap_or_default().contains("❌ 이매니저님이 거절했습니다")
                && dm["components"] == json!([])
        })
    })
    .await;
    assert!(discord.api.violations().is_empty(), "{:?}", discord.api.violations());
}

/// Discord has no free text: a lottery is applied to by picking slots in order with the
/// components, and a full day chosen in the calendar offers the waitlist, left again by button.
#[tokio::test]
async fn lotteries_and_the_waitlist_work_with_components_alone() {
    let discord = spawn().await;
    let app = &discord.app;
    let resort = app.create_resort(resort_body("설악 오션", 1, true)).await;
    discord.employee(KIM, "김휴가", 1000).await;
    discord.employee(LEE, "이휴가", 1000).await;
    let at = |hours: i64| (app.clock.now() + chrono::Duration::hours(hours)).to_rfc3339();
    let slot = |days: u64| (app.clock.today() + Days::new(days)).to_string();
    let body = json!({ "name": "겨울 성수기", "resort_id": resort,
        "slots": [{ "check_in": slot(40), "nights": 1 }, { "check_in": slot(45), "nights": 2 }],
        "applications_open_at": at(-1), "applications_close_at": at(24) });
    assert_eq!(app.admin(Method::POST, "/lotteries", Some(body)).await.0, 201);

    let list = message_of(&discord.command(KIM, "lottery", json!([])).await["data"]);
    let first = message_of(&discord.press(KIM, &list, &button(&list, "겨울 성수기")).await["data"]);
    assert!(first["content"].as_str().unwrap().contains("가장 원하는 일정"), "{first}");
    let second = message_of(&discord.select(KIM, &first, &option(&first, "2.")).await["data"]);
    assert!(second["content"].as_str().unwrap().contains("희망 순서: 2"), "{second}");
    let third = message_of(&discord.select(KIM, &second, &option(&second, "1.")).await["data"]);
    let applied = discord.press(KIM, &third, &button(&third, "이 순서로 신청")).await;
    assert!(content(&applied).contains("희망 순서 2 → 1"), "{applied}");
    let (_, lotteries) = app.admin(Method::GET, "/lotteries", None).await;
    assert_eq!(lotteries["items"][0]["applications"], 1);
    let again = discord.press(KIM, &third, &button(&third, "이 순서로 신청")).await;
    assert!(
        content(&again).contains("이미 '겨울 성수기' 추첨에 신청했습니다"),
        "an old button never applies twice: {again}"
    );

    // A full day in the calendar offers the waitlist for it.
    let reference = book_through_components(&discord, KIM, "설악 오션", 3).await;
    app.wait_for_status(&reference, "confirmed").await;
    let full_day = next_month(app) + Days::new(3);
    let message = message_of(&discord.command(LEE, "book", json!([])).await["data"]);
    let message = message_of(&discord.select(LEE, &message, &option(&message, "설악 오션")).await["data"]);
    let message = message_of(&discord.press(LEE, &message, &button(&message, "다음 달")).await["data"]);
    let refused = discord.select(LEE, &message, &option(&message, &format!("{full_day} (✕)"))).await;
    assert!(content(&refused).contains("빈 객실이 없습니다"), "{refused}");
    let message = message_of(&refused["data"]);
    let joined = discord.press(LEE, &message, &button(&message, "대기 신청")).await;
    assert!(content(&joined).contains("1번째"), "{joined}");
    let listed = message_of(&discord.command(LEE, "waitlist", json!([])).await["data"]);
    let left = discord.press(LEE, &listed, &button(&listed, "대기 취소")).await;
    assert!(content(&left).contains("대기 1건을 취소했습니다"), "{left}");
}
