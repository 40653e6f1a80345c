//! A [`Reply`] as Discord messages: text content and components.
//!
//! A message's choices, and a calendar's open days, become a select menu (at most 25 options);
//! buttons become rows of at most five; quick replies ride on the last message. Discord allows
//! five rows per message, so quick replies fill only the rows left. A `custom_id` or option
//! value holds a press (at most 100 characters), which is only ever a command to re-check.

use crate::conversation::reply::shorten;
use crate::conversation::{Button, Reply, ReplyMessage};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

/// The custom id of a select menu; the chosen option's value is the press.
pub const SELECT_ID: &str = "pick";
pub const MAX_CONTENT_CHARS: usize = 2000;
const MAX_ROWS: usize = 5;
const ROW_BUTTONS: usize = 5;
const MAX_OPTIONS: usize = 25;
const MAX_LABEL_CHARS: usize = 80;
const MAX_CUSTOM_ID_CHARS: usize = 100;

#[derive(Debug, Clone)]
pub struct Outgoing {
    pub content: String,
    pub rows: Vec<CreateActionRow>,
}

/// The whole reply as one message, for an interaction's single answer: texts joined, rows
/// in order up to Discord's five (the texts name every booking, so typed commands reach what
/// lost its buttons).
pub fn render_one(reply: &Reply) -> Outgoing {
    let messages = render(reply);
    let content = messages.iter().map(|message| message.content.as_str()).collect::<Vec<_>>().join("\n\n");
    let mut rows: Vec<CreateActionRow> = messages.into_iter().flat_map(|message| message.rows).collect();
    rows.truncate(MAX_ROWS);
    let content = if content.trim().is_empty() { "…".to_owned() } else { shorten(&content, MAX_CONTENT_CHARS) };
    Outgoing { content, rows }
}

/// Each message of the reply on its own, for DMs.
pub fn render(reply: &Reply) -> Vec<Outgoing> {
    reply.messages_with_quick_replies().map(|(message, quick)| render_message(message, quick)).collect()
}

fn render_message(message: &ReplyMessage, quick_replies: &[Button]) -> Outgoing {
    let mut content = message.text.clone();
    let mut rows = Vec::new();
    let mut options: Vec<Button> = message.choices.clone();
    let mut buttons: Vec<Button> = message.buttons.clone();
    if let Some(calendar) = &message.calendar {
        content = format!("{content}\n{}\n{}", calendar.title, calendar.legend);
        options.extend(
            calendar
                .open_or_full_days()
                .map(|day| Button::new(format!("{} ({})", day.date, day.label), day.press.clone())),
        );
        buttons.extend(calendar.previous.iter().chain(calendar.next.iter()).cloned());
    }
    if let Some(menu) = select_menu(&options) {
        rows.push(menu);
    }
    rows.extend(button_rows(&buttons, ButtonStyle::Primary));
    rows.extend(button_rows(quick_replies, ButtonStyle::Secondary));
    rows.truncate(MAX_ROWS);
    let content = if content.trim().is_empty() { "…".to_owned() } else { shorten(&content, MAX_CONTENT_CHARS) };
    Outgoing { content, rows }
}

fn select_menu(options: &[Button]) -> Option<CreateActionRow> {
    let options: Vec<CreateSelectMenuOption> = options
        .iter()
        .filter(|option| fits(option))
        .take(MAX_OPTIONS)
        .map(|option| CreateSelectMenuOption::new(label(option), option.press.clone()))
        .collect();
    if options.is_empty() {
        return None;
    }
    let menu = CreateSelectMenu::new(SELECT_ID, CreateSelectMenuKind::String { options }).min_values(1).max_values(1);
    Some(CreateActionRow::SelectMenu(menu))
}

fn button_rows(buttons: &[Button], style: ButtonStyle) -> Vec<CreateActionRow> {
    let keys: Vec<CreateButton> = buttons
        .iter()
        .filter(|button| fits(button))
        .map(|button| CreateButton::new(button.press.clone()).label(label(button)).style(style))
        .collect();
    keys.chunks(ROW_BUTTONS).map(|row| CreateActionRow::Buttons(row.to_vec())).collect()
}

fn fits(button: &Button) -> bool {
    let fits = !button.press.is_empty() && button.press.chars().count() <= MAX_CUSTOM_ID_CHARS;
    if !fits {
        tracing::error!(press = %button.press, "a press does not fit Discord's custom id; left out");
    }
    fits
}

fn label(button: &Button) -> String {
    if button.label.trim().is_empty() { "·".to_owned() } else { shorten(&button.label, MAX_LABEL_CHARS) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_become_a_select_and_rows_stay_within_discords_limits() {
        let choices: Vec<Button> =
            (0..30).map(|index| Button::new(format!("resort {index}"), format!("fr:{index}"))).collect();
        let quick: Vec<Button> = (0..30).map(|index| Button::new(format!("q{index}"), format!("m:{index}"))).collect();
        let reply = Reply::choose("x".repeat(2500), choices)
            .quick(quick)
            .push(ReplyMessage::new("", vec![Button::new("ok", "ap:R1"), Button::new("bad", "x".repeat(101))]));
        let rendered = render(&reply);
        assert_eq!(rendered.len(), 2);
        assert_eq!(rendered[0].content.chars().count(), MAX_CONTENT_CHARS);
        let first = serde_json::to_value(&rendered[0].rows).unwrap();
        assert_eq!(first[0]["components"][0]["custom_id"], SELECT_ID);
        assert_eq!(first[0]["components"][0]["options"].as_array().unwrap().len(), 25);
        assert_eq!(rendered[0].rows.len(), 1, "quick replies ride on the last message only");
        let last = serde_json::to_value(&rendered[1].rows).unwrap();
        assert_eq!(last[0]["components"].as_array().unwrap().len(), 1, "an oversized custom id is left out");
        assert_eq!(last[0]["components"][0]["custom_id"], "ap:R1");
        assert_eq!(rendered[1].rows.len(), MAX_ROWS);
        assert!(last.as_array().unwrap().iter().all(|row| row["components"].as_array().unwrap().len() <= 5));
        assert_eq!(rendered[1].content, "…");
    }
}
