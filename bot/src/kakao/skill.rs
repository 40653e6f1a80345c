//! Kakao i Open Builder skill payload (v2) in, `version: "2.0"` skill response out.
//!
//! Payloads are read leniently: unknown fields are ignored, every field has a default, and the
//! snake_case duplicates that real payloads carry are accepted as aliases. Responses respect
//! the platform's limits (1–3 outputs, 10 quick replies, 3 buttons per card, 14-character
//! labels, 1000 characters of simple text, 400 of card description), cutting rather than
//! letting Kakao reject the whole answer.

use crate::conversation::reply::shorten;
use crate::conversation::{Button, Reply};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const MAX_OUTPUTS: usize = 3;
const MAX_QUICK_REPLIES: usize = 10;
const MAX_CARD_BUTTONS: usize = 3;
const MAX_LABEL: usize = 14;
const MAX_SIMPLE_TEXT: usize = 1000;
const MAX_CARD_DESCRIPTION: usize = 400;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SkillPayload {
    #[serde(alias = "user_request")]
    pub user_request: UserRequest,
    pub bot: Bot,
    pub action: Action,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserRequest {
    pub utterance: String,
    pub lang: Option<String>,
    pub user: User,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct User {
    /// The botUserKey: stable per user and bot.
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Bot {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Action {
    /// The `extra` map of the pressed button or quick reply.
    #[serde(alias = "client_extra")]
    pub client_extra: Option<Map<String, Value>>,
}

impl SkillPayload {
    /// The press payload our buttons put in `extra.cmd`, if this call is a press.
    pub fn pressed(&self) -> Option<&str> {
        self.action.client_extra.as_ref()?.get("cmd")?.as_str()
    }
}

/// Renders a reply as a skill response.
pub fn render(reply: &Reply) -> Value {
    let mut outputs: Vec<Value> = Vec::new();
    let messages = &reply.messages;
    // More messages than outputs: the last output carries the remaining texts without buttons;
    // every text names its booking reference, so the typed commands still reach it.
    let (shown, folded) =
        if messages.len() > MAX_OUTPUTS { messages.split_at(MAX_OUTPUTS - 1) } else { (&messages[..], &messages[..0]) };
    for message in shown {
        if message.buttons.is_empty() {
            outputs.push(simple_text(&message.text));
        } else {
            let buttons: Vec<Value> = message.buttons.iter().take(MAX_CARD_BUTTONS).map(button).collect();
            outputs.push(json!({ "textCard": {
                "description": shorten(&message.text, MAX_CARD_DESCRIPTION),
                "buttons": buttons,
                "buttonLayout": "vertical",
            }}));
        }
    }
    if !folded.is_empty() {
        let rest: Vec<&str> = folded.iter().map(|message| message.text.as_str()).collect();
        outputs.push(simple_text(&rest.join("\n\n")));
    }
    if outputs.is_empty() {
        outputs.push(simple_text(" "));
    }
    // Kakao has no select menu: a message's choices are quick replies, before the reply's own.
    let choices = reply.messages.iter().flat_map(|message| message.choices.iter());
    let quick_replies: Vec<Value> = calendar_choices(reply)
        .iter()
        .chain(choices)
        .chain(reply.quick_replies.iter())
        .take(MAX_QUICK_REPLIES)
        .map(button)
        .collect();
    let mut template = json!({ "outputs": outputs });
    if !quick_replies.is_empty() {
        template["quickReplies"] = Value::Array(quick_replies);
    }
    json!({ "version": "2.0", "template": template })
}

/// Kakao has no button grid: a calendar becomes quick replies of its open days (as dates),
/// then the month paging, leaving room for the reply's own quick replies.
fn calendar_choices(reply: &Reply) -> Vec<Button> {
    let Some(calendar) = reply.messages.iter().find_map(|message| message.calendar.as_ref()) else {
        return Vec::new();
    };
    let paging: Vec<Button> = calendar.previous.iter().chain(calendar.next.iter()).cloned().collect();
    let room = MAX_QUICK_REPLIES.saturating_sub(paging.len() + reply.quick_replies.len());
    calendar
        .open_days()
        .take(room)
        .map(|day| Button::new(day.date.to_string(), day.press.clone()))
        .chain(paging)
        .collect()
}

fn simple_text(text: &str) -> Value {
    json!({ "simpleText": { "text": shorten(text, MAX_SIMPLE_TEXT) } })
}

/// A message button: pressing it sends the label as the utterance and our payload as extra.
fn button(button: &Button) -> Value {
    let label = shorten(&button.label, MAX_LABEL);
    json!({ "label": label, "action": "message", "messageText": label, "extra": { "cmd": button.press } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::ReplyMessage;

    #[test]
    fn a_payload_with_snake_case_fields_and_extras_is_read() {
        let body = r#"{"user_request":{"utterance":"승인","lang":"kr","user":{"id":"u1","type":"botUserKey","properties":{"plusfriend_user_key":"x"}}},
                       "bot":{"id":"b1"},"action":{"client_extra":{"cmd":"ap:R1234567"}},"somethingNew":1}"#;
        let payload: SkillPayload = serde_json::from_str(body).unwrap();
        assert_eq!(payload.user_request.user.id, "u1");
        assert_eq!(payload.pressed(), Some("ap:R1234567"));
        assert_eq!(payload.bot.id, "b1");
    }

    #[test]
    fn rendering_respects_kakao_limits() {
        let many_buttons: Vec<Button> =
            (0..5).map(|index| Button::new(format!("a very long label number {index}"), format!("p{index}"))).collect();
        let mut reply = Reply::with_buttons("x".repeat(500), many_buttons.clone())
            .quick([many_buttons.clone(), many_buttons.clone(), many_buttons].concat());
        for index in 0..4 {
            reply = reply.push(ReplyMessage::new(format!("more {index}"), Vec::new()));
        }
        let rendered = render(&reply);
        assert_eq!(rendered["version"], "2.0");
        let outputs = rendered["template"]["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 3);
        let card = &outputs[0]["textCard"];
        assert_eq!(card["buttons"].as_array().unwrap().len(), 3);
        assert!(card["description"].as_str().unwrap().chars().count() <= 400);
        assert!(card["buttons"][0]["label"].as_str().unwrap().chars().count() <= 14);
        assert_eq!(card["buttons"][0]["extra"]["cmd"], "p0");
        assert!(outputs[2]["simpleText"]["text"].as_str().unwrap().contains("more 3"));
        assert_eq!(rendered["template"]["quickReplies"].as_array().unwrap().len(), 10);
    }
}
