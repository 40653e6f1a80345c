//! A platform-neutral reply: messages with optional buttons, plus quick replies. Adapters turn
//! it into a Kakao template, a Telegram message with an inline keyboard, a Discord message with
//! components; the notifier stores it as JSON in `push_message`.
//!
//! A reply also says how it relates to the press that caused it ([`ReplyKind`]), so platforms
//! that can edit a message move a dialog forward in place and show refusals as a notice, while
//! platforms that cannot simply send it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub messages: Vec<ReplyMessage>,
    #[serde(default)]
    pub quick_replies: Vec<Button>,
    #[serde(default)]
    pub kind: ReplyKind,
}

/// What a reply is to the person's last input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// Something new to show.
    #[default]
    Message,
    /// The next step of the dialog the pressed button belonged to: a platform that can edit
    /// messages replaces the pressed one with the first message of this reply.
    Update,
    /// Nothing was done and the text says why: a platform that can shows it as a notice to
    /// the presser and leaves the pressed message as it was.
    Refusal,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyMessage {
    pub text: String,
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// The answers to this message's question, one to pick (a resort, a number of nights, a
    /// booking): quick replies on Kakao, buttons on Telegram, a select menu on Discord.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Button>,
    /// A month to pick a date from, drawn as a grid where buttons can form one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<Calendar>,
}

/// One month of check-in dates. Every day is there, so a grid lines up under the weekdays; a
/// day nobody can check in on has `nights == 0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// The month, e.g. "2026년 12월".
    pub title: String,
    /// Weekday headings, Monday first.
    pub weekdays: Vec<String>,
    /// What the cells' labels mean.
    pub legend: String,
    pub days: Vec<CalendarDay>,
    pub previous: Option<Button>,
    pub next: Option<Button>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// How many nights in a row can start here (0: none).
    pub nights: u32,
    /// Why a day can or cannot be chosen, for pages that style it.
    #[serde(default)]
    pub mark: DayMark,
    /// The short label of the day's cell, e.g. "24·3".
    pub label: String,
    pub press: String,
}

/// What a calendar day is for someone checking in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "nights")]
pub enum DayMark {
    /// Open, for up to this many nights in a row.
    Open(u32),
    /// Every room of the type is taken.
    Full,
    /// Inside a blackout period.
    Blackout,
    /// The next day of the window, which opens at the resort's opening time.
    NotOpenYet,
    /// A night a lottery gives away: not booked directly until its draw.
    Lottery,
    /// Before the first check-in or past the window: a blank cell.
    #[default]
    Closed,
}

/// The press of a cell that only decorates a grid (a heading, a padding day).
pub const IGNORED_PRESS: &str = super::press::IGNORED;

impl Calendar {
    /// How many blank cells come before the 1st in a week that starts on Monday.
    pub fn leading_blanks(&self) -> usize {
        use chrono::Datelike;
        self.days.first().map(|day| day.date.weekday().num_days_from_monday() as usize).unwrap_or(0)
    }

    /// The days one can check in on.
    pub fn open_days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.iter().filter(|day| day.nights > 0)
    }

    /// The days one can check in on, and the full ones one can wait for: what a platform that
    /// lists days rather than drawing the month offers (choosing a full day offers the waitlist).
    pub fn open_or_full_days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.iter().filter(|day| day.nights > 0 || day.mark == DayMark::Full)
    }
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
        Self::with_buttons(text, Vec::new())
    }

    pub fn with_buttons(text: impl Into<String>, buttons: Vec<Button>) -> Self {
        Self { messages: vec![ReplyMessage::new(text, buttons)], quick_replies: Vec::new(), kind: ReplyKind::Message }
    }

    pub fn push(mut self, message: ReplyMessage) -> Self {
        self.messages.push(message);
        self
    }

    pub fn quick(mut self, buttons: Vec<Button>) -> Self {
        self.quick_replies.extend(buttons);
        self
    }

    /// One message asking a question with `choices` as the answers.
    pub fn choose(text: impl Into<String>, choices: Vec<Button>) -> Self {
        let mut reply = Self::text(text);
        reply.messages[0].choices = choices;
        reply
    }

    pub fn kind(mut self, kind: ReplyKind) -> Self {
        self.kind = kind;
        self
    }

    /// All text of the reply, for logs, tests and platforms without rich messages.
    pub fn plain_text(&self) -> String {
        self.messages.iter().map(|message| message.text.as_str()).collect::<Vec<_>>().join("\n\n")
    }

    /// Each message with the quick replies that go under it: the last message carries them.
    pub fn messages_with_quick_replies(&self) -> impl Iterator<Item = (&ReplyMessage, &[Button])> {
        let last = self.messages.len().saturating_sub(1);
        self.messages.iter().enumerate().map(move |(index, message)| {
            let quick: &[Button] = if index == last { &self.quick_replies } else { &[] };
            (message, quick)
        })
    }

    /// Every button and quick reply, in order.
    pub fn all_buttons(&self) -> impl Iterator<Item = &Button> {
        self.messages
            .iter()
            .flat_map(|message| message.choices.iter().chain(message.buttons.iter()))
            .chain(self.quick_replies.iter())
    }
}

/// `text` cut to at most `max_chars` characters, ending in `…` where it was cut: every
/// platform has its own limits, and a cut text is better than a refused message.
pub fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl ReplyMessage {
    pub fn new(text: impl Into<String>, buttons: Vec<Button>) -> Self {
        Self { text: text.into(), buttons, choices: Vec::new(), calendar: None }
    }
}

impl Button {
    pub fn new(label: impl Into<String>, press: impl Into<String>) -> Self {
        Self { label: label.into(), press: press.into() }
    }
}
