//! A [`Reply`] as Telegram messages: plain text (no parse mode, so nothing in a resort name or
//! a chat line can turn into markup) with an inline keyboard.
//!
//! A calendar becomes a grid — the month with paging, the weekdays, then a row per week — and
//! choices and other buttons are packed a few to a row. Quick replies ride on the last message.
//! `callback_data` is at most 64 bytes on Telegram; every press the conversation makes is
//! shorter, and a longer one is dropped rather than sent to fail the whole message.

use crate::conversation::reply::shorten;
use crate::conversation::{Button, Calendar, Reply};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Telegram's limits.
pub const MAX_TEXT_CHARS: usize = 4096;
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;
/// A row of ordinary buttons holds at most this many, and about this many characters.
const ROW_BUTTONS: usize = 3;
const ROW_CHARS: usize = 24;

#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

pub fn render(reply: &Reply) -> Vec<Outgoing> {
    reply
        .messages_with_quick_replies()
        .map(|(message, quick_replies)| {
            let mut rows = Vec::new();
            let mut text = message.text.clone();
            if let Some(calendar) = &message.calendar {
                text = format!("{text}\n{}", calendar.legend);
                rows.extend(calendar_rows(calendar));
            }
            rows.extend(pack(&message.choices));
            rows.extend(pack(&message.buttons));
            rows.extend(pack(quick_replies));
            let keyboard = (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows));
            Outgoing { text: fit(&text), keyboard }
        })
        .collect()
}

fn calendar_rows(calendar: &Calendar) -> Vec<Vec<InlineKeyboardButton>> {
    let ignored = |label: &str| key(&Button::new(label, crate::conversation::reply::IGNORED_PRESS));
    let mut heading = Vec::new();
    heading.extend(calendar.previous.iter().map(key));
    heading.push(ignored(&calendar.title));
    heading.extend(calendar.next.iter().map(key));
    let mut rows = vec![heading, calendar.weekdays.iter().map(|weekday| ignored(weekday)).collect()];
    let mut cells: Vec<Option<InlineKeyboardButton>> = (0..calendar.leading_blanks()).map(|_| ignored(" ")).collect();
    cells.extend(calendar.days.iter().map(|day| key(&Button::new(day.label.clone(), day.press.clone()))));
    while !cells.len().is_multiple_of(7) {
        cells.push(ignored(" "));
    }
    rows.extend(cells.chunks(7).map(<[_]>::to_vec));
    rows.into_iter().map(|row| row.into_iter().flatten().collect()).collect()
}

/// Packs buttons into rows that fit a phone screen.
fn pack(buttons: &[Button]) -> Vec<Vec<InlineKeyboardButton>> {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    let mut row_chars = 0;
    for button in buttons {
        let Some(key) = key(button) else { continue };
        let chars = button.label.chars().count();
        match rows.last_mut() {
            Some(row) if row.len() < ROW_BUTTONS && row_chars + chars <= ROW_CHARS => {
                row.push(key);
                row_chars += chars;
            }
            _ => {
                rows.push(vec![key]);
                row_chars = chars;
            }
        }
    }
    rows
}

fn key(button: &Button) -> Option<InlineKeyboardButton> {
    if button.press.is_empty() || button.press.len() > MAX_CALLBACK_DATA_BYTES {
        tracing::error!(press = %button.press, "a press does not fit Telegram's callback data; button left out");
        return None;
    }
    // Telegram refuses an empty button label.
    let label = if button.label.trim().is_empty() { "\u{00a0}".to_owned() } else { button.label.clone() };
    Some(InlineKeyboardButton::callback(label, button.press.clone()))
}

/// Telegram refuses an empty text as well as a long one.
fn fit(text: &str) -> String {
    if text.trim().is_empty() { "…".to_owned() } else { shorten(text, MAX_TEXT_CHARS) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::ReplyMessage;
    use crate::conversation::calendar;
    use chrono::NaiveDate;
    use resort_core::i18n::Locale;
    use teloxide::types::InlineKeyboardButtonKind;

    fn data(key: &InlineKeyboardButton) -> &str {
        match &key.kind {
            InlineKeyboardButtonKind::CallbackData(data) => data,
            other => panic!("not a callback button: {other:?}"),
        }
    }

    #[test]
    fn a_calendar_is_a_week_grid_under_its_heading() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let month = calendar::month(Locale::Ko, day("2026-12-01"), day("2026-12-03"), day("2027-01-31"), |_| {
            crate::conversation::reply::DayMark::Open(2)
        });
        let mut message = ReplyMessage::new("날짜", Vec::new());
        message.calendar = Some(month);
        let reply = Reply { messages: vec![message], ..Reply::default() }.quick(vec![Button::new("뒤로", "fb")]);
        let rendered = render(&reply);
        let rows = &rendered[0].keyboard.as_ref().unwrap().inline_keyboard;
        assert_eq!(rows[0].len(), 2, "no previous month before the window, the title and the next month");
        assert_eq!(data(&rows[0][1]), "fm:2027-01");
        assert_eq!(rows[1].len(), 7);
        // 2026-12-01 is a Tuesday: one blank, then the 1st and 2nd (before the window), then the 3rd.
        assert_eq!(data(&rows[2][0]), "fx");
        assert_eq!(data(&rows[2][1]), "fx");
        assert_eq!(data(&rows[2][3]), "fd:2026-12-03");
        assert_eq!(rows[2][3].text, "3·2");
        assert!(rows[2..7].iter().all(|week| week.len() == 7));
        assert_eq!(data(&rows.last().unwrap()[0]), "fb");
        assert!(rendered[0].text.contains("최대 박수"));
    }

    #[test]
    fn long_texts_are_cut_and_oversized_presses_left_out() {
        let reply = Reply::with_buttons(
            "가".repeat(5000),
            vec![Button::new("ok", "ap:R1"), Button::new("too long", "x".repeat(65)), Button::new("", "fq")],
        );
        let rendered = render(&reply);
        assert_eq!(rendered[0].text.chars().count(), MAX_TEXT_CHARS);
        let keys: Vec<&InlineKeyboardButton> =
            rendered[0].keyboard.as_ref().unwrap().inline_keyboard.iter().flatten().collect();
        assert_eq!(keys.iter().map(|key| data(key)).collect::<Vec<_>>(), ["ap:R1", "fq"]);
        assert!(keys.iter().all(|key| !key.text.is_empty()));
    }
}
