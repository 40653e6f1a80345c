//! A platform-neutral reply: messages with optional buttons, plus quick replies. Adapters turn
//! it into a Kakao template, a Telegram message with an inline keyboard, a Discord message with
//! components; the notifier stores it as JSON in `push_message`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub messages: Vec<ReplyMessage>,
    #[serde(default)]
    pub quick_replies: Vec<Button>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyMessage {
    pub text: String,
    #[serde(default)]
    pub buttons: Vec<Button>,
}

/// A button or quick reply. `press` is the compact payload that comes back when it is pressed
/// (at most 64 bytes, Telegram's limit for callback data); it is never trusted: every press is
/// authorised again as if the user had typed the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub press: String,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Self { messages: vec![ReplyMessage { text: text.into(), buttons: Vec::new() }], quick_replies: Vec::new() }
    }

    pub fn with_buttons(text: impl Into<String>, buttons: Vec<Button>) -> Self {
        Self { messages: vec![ReplyMessage { text: text.into(), buttons }], quick_replies: Vec::new() }
    }

    pub fn push(mut self, message: ReplyMessage) -> Self {
        self.messages.push(message);
        self
    }

    pub fn quick(mut self, buttons: Vec<Button>) -> Self {
        self.quick_replies.extend(buttons);
        self
    }

    /// All text of the reply, for logs, tests and platforms without rich messages.
    pub fn plain_text(&self) -> String {
        self.messages.iter().map(|message| message.text.as_str()).collect::<Vec<_>>().join("\n\n")
    }

    /// Every button and quick reply, in order.
    pub fn all_buttons(&self) -> impl Iterator<Item = &Button> {
        self.messages.iter().flat_map(|message| message.buttons.iter()).chain(self.quick_replies.iter())
    }
}

impl Button {
    pub fn new(label: impl Into<String>, press: impl Into<String>) -> Self {
        Self { label: label.into(), press: press.into() }
    }
}
