//! Talking to the app as Kakao would: skill calls, and reading the templates that come back.

use super::*;

/// The reference ("R" and six symbols) in a reply.
pub fn reference_in(text: &str) -> String {
    let position = text
        .find("참조번호 ")
        .or_else(|| text.find("Reference "))
        .unwrap_or_else(|| panic!("no reference in {text:?}"));
    let after = &text[position..];
    let start = after.find('R').unwrap();
    after[start..start + 7].to_owned()
}

/// Every text of a skill response, outputs and quick-reply labels excluded.
pub fn template_text(body: &Value) -> String {
    let outputs = body["template"]["outputs"].as_array().cloned().unwrap_or_default();
    outputs
        .iter()
        .map(|output| {
            output["simpleText"]["text"]
                .as_str()
                .or_else(|| output["textCard"]["description"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every button and quick reply of a skill response as (label, press).
pub fn template_buttons(body: &Value) -> Vec<(String, String)> {
    let template = &body["template"];
    let mut all = Vec::new();
    for output in template["outputs"].as_array().cloned().unwrap_or_default() {
        for button in output["textCard"]["buttons"].as_array().cloned().unwrap_or_default() {
            all.push(button);
        }
    }
    all.extend(template["quickReplies"].as_array().cloned().unwrap_or_default());
    all.iter()
        .map(|button| {
            (button["label"].as_str().unwrap().to_owned(), button["extra"]["cmd"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// What Kakao's builder would refuse: the checks of the platform's documented limits.
pub fn assert_valid_template(body: &Value) {
    assert_eq!(body["version"], "2.0", "{body}");
    let outputs = body["template"]["outputs"].as_array().expect("outputs");
    assert!((1..=3).contains(&outputs.len()), "{body}");
    for output in outputs {
        if let Some(text) = output["simpleText"]["text"].as_str() {
            assert!(text.chars().count() <= 1000);
        } else {
            let card = &output["textCard"];
            assert!(card["description"].as_str().unwrap().chars().count() <= 400, "{body}");
            let buttons = card["buttons"].as_array().unwrap();
            assert!(buttons.len() <= 3);
            for button in buttons {
                assert!(button["label"].as_str().unwrap().chars().count() <= 14);
                assert!(button["action"] == "message" && button["messageText"].is_string());
            }
        }
    }
    let quick = body["template"]["quickReplies"].as_array().cloned().unwrap_or_default();
    assert!(quick.len() <= 10, "{body}");
    for reply in quick {
        assert!(reply["label"].as_str().unwrap().chars().count() <= 14);
    }
}

impl TestApp {
    pub async fn kakao_raw(&self, body: Vec<u8>, secret: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/kakao/skill", self.address))
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            request = request.header("X-Kakao-Skill-Secret", secret);
        }
        let response = request.timeout(Duration::from_secs(5)).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn kakao(&self, user_key: &str, utterance: &str, press: Option<&str>, lang: &str) -> Value {
        let mut payload = json!({
            "intent": { "id": "i", "name": "fallback" },
            "userRequest": { "timezone": "Asia/Seoul", "utterance": utterance, "lang": lang,
                             "user": { "id": user_key, "type": "botUserKey", "properties": { "botUserKey": user_key } } },
            "bot": { "id": BOT_ID, "name": "resortbot" },
            "action": { "id": "a", "name": "skill", "params": {}, "detailParams": {} },
        });
        if let Some(press) = press {
            payload["action"]["clientExtra"] = json!({ "cmd": press });
            payload["flow"] = json!({ "trigger": { "type": "CARD_BUTTON_BLOCK" } });
        }
        let (status, body) = self.kakao_raw(serde_json::to_vec(&payload).unwrap(), Some(SKILL_SECRET)).await;
        assert_eq!(status, 200, "{body}");
        assert_valid_template(&body);
        body
    }

    /// Sends a typed message; returns the whole response text.
    pub async fn say(&self, user_key: &str, utterance: &str) -> String {
        template_text(&self.kakao(user_key, utterance, None, "ko").await)
    }

    pub async fn say_in(&self, user_key: &str, utterance: &str, lang: &str) -> String {
        template_text(&self.kakao(user_key, utterance, None, lang).await)
    }

    /// Presses a button (its payload arrives as `clientExtra.cmd`).
    pub async fn press(&self, user_key: &str, press: &str) -> String {
        template_text(&self.kakao(user_key, "", Some(press), "ko").await)
    }

    pub async fn say_full(&self, user_key: &str, utterance: &str) -> Value {
        self.kakao(user_key, utterance, None, "ko").await
    }

    pub async fn press_full(&self, user_key: &str, press: &str) -> Value {
        self.kakao(user_key, "", Some(press), "ko").await
    }

    // ── Admin API ────────────────────────────────────────────────────────────────────────────
}
