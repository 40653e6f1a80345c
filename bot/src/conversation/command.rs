//! Reading what a person typed or pressed into a [`Command`].
//!
//! Korean and English words are accepted whatever the user's language:
//!
//! | Korean | English | command |
//! | --- | --- | --- |
//! | `연결 CODE` | `link CODE` | link this chat account |
//! | `예약 설악 2026-12-24 2박` | `book Seorak 2026-12-24 2` | book in one message |
//! | `예약` | `book` | guided booking |
//! | `취소` / `취소 REF` | `cancel` / `cancel REF` | choose / quote a cancel |
//! | `내 예약` | `my bookings` | history |
//! | `포인트` | `points` | balance |
//! | `도움말` | `help` | help |
//! | `대기`, `승인 REF`, `거절 REF`, `오늘 체크인` | `pending`, `approve REF`, `reject REF`, `arrivals` | managers |
//!
//! A leading `/` is allowed (`/book`, and Telegram's `/book@resort_bot` in groups), and
//! `/start CODE` — a Telegram deep link — links like `link CODE`.
//!
//! Presses are read by [`super::press`].

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Link(String),
    /// `None` starts the guided flow.
    Book(Option<OneShot>),
    /// `예약` with some but not all of resort, date and nights.
    BookUsage,
    CancelList,
    CancelQuote(String),
    CancelConfirm(String),
    MyBookings,
    Points,
    Help,
    /// The manager's pending requests, from this many into the list (a page at a time).
    Pending(u32),
    Approve(String),
    Reject(String),
    Arrivals,
    FlowResort(String),
    FlowDate(String),
    /// Show another month of the check-in calendar (`YYYY-MM`).
    FlowMonth(String),
    FlowNights(String),
    FlowConfirm,
    FlowBack,
    FlowQuit,
    /// A press on something that only decorates (a calendar heading): nothing to do.
    Ignore,
    /// Anything else: an answer inside the guided flow, or not understood.
    Other(String),
}

impl Command {
    /// Whether this moves on the dialog of the message whose button was pressed (rather than
    /// starting something new), so that message can be replaced by the answer.
    pub fn continues_dialog(&self) -> bool {
        matches!(
            self,
            Command::FlowResort(_)
                | Command::FlowDate(_)
                | Command::FlowMonth(_)
                | Command::FlowNights(_)
                | Command::FlowConfirm
                | Command::FlowBack
                | Command::FlowQuit
                | Command::CancelQuote(_)
                | Command::CancelConfirm(_)
                | Command::Approve(_)
                | Command::Reject(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneShot {
    pub resort: String,
    pub check_in: String,
    pub nights: String,
}

pub fn parse_text(text: &str) -> Command {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut lower: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
    if let Some(first) = lower.first_mut()
        && first.starts_with('/')
    {
        // `/book@resort_bot` is how Telegram addresses one bot among several in a group.
        *first = first[1..].split('@').next().unwrap_or_default().to_owned();
    }
    let first = lower.first().map(String::as_str).unwrap_or_default();
    let rest = &words[words.len().min(1)..];
    let joined = lower.join(" ");
    match (first, rest) {
        ("연결" | "link" | "start", [code]) => Command::Link((*code).to_owned()),
        _ if matches!(joined.as_str(), "내 예약" | "내예약" | "my bookings" | "my" | "history") => {
            Command::MyBookings
        }
        _ if matches!(joined.as_str(), "오늘 체크인" | "오늘체크인" | "arrivals") => Command::Arrivals,
        ("예약" | "book", []) => Command::Book(None),
        ("예약" | "book", [resort @ .., check_in, nights]) if !resort.is_empty() => Command::Book(Some(OneShot {
            resort: resort.join(" "),
            check_in: (*check_in).to_owned(),
            nights: (*nights).to_owned(),
        })),
        ("예약" | "book", _) => Command::BookUsage,
        ("취소" | "cancel", []) => Command::CancelList,
        ("취소" | "cancel", [reference]) => Command::CancelQuote((*reference).to_owned()),
        ("포인트" | "points" | "point", []) => Command::Points,
        ("도움말" | "help" | "start" | "?", _) => Command::Help,
        ("대기" | "pending", []) => Command::Pending(0),
        ("승인" | "approve", [reference]) => Command::Approve((*reference).to_owned()),
        ("거절" | "reject", [reference]) => Command::Reject((*reference).to_owned()),
        ("그만" | "stop" | "quit", []) => Command::FlowQuit,
        _ => Command::Other(text.trim().to_owned()),
    }
}

/// Reads `2`, `2박`, `2 nights`-style night counts.
pub fn parse_nights(text: &str) -> Option<u32> {
    let trimmed = text.trim().to_lowercase();
    let digits = trimmed.trim_end_matches("nights").trim_end_matches("night").trim_end_matches('박').trim();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_and_english_commands_read_the_same() {
        assert_eq!(parse_text("연결 ab12cd34"), Command::Link("ab12cd34".into()));
        assert_eq!(parse_text("link AB12CD34"), Command::Link("AB12CD34".into()));
        assert_eq!(parse_text("내 예약"), Command::MyBookings);
        assert_eq!(parse_text("My Bookings"), Command::MyBookings);
        assert_eq!(parse_text("오늘 체크인"), Command::Arrivals);
        assert_eq!(parse_text("승인 R7K2QH3"), Command::Approve("R7K2QH3".into()));
        assert_eq!(parse_text("/help"), Command::Help);
        assert_eq!(parse_text("/start AB12CD34"), Command::Link("AB12CD34".into()));
        assert_eq!(parse_text("/start"), Command::Help);
        assert_eq!(parse_text("/points@resort_bot"), Command::Points);
        assert_eq!(parse_text("/my"), Command::MyBookings);
    }

    #[test]
    fn a_one_shot_booking_takes_the_last_two_words_as_date_and_nights() {
        let expected = OneShot { resort: "설악 오션".into(), check_in: "2026-12-24".into(), nights: "2박".into() };
        assert_eq!(parse_text("예약 설악 오션 2026-12-24 2박"), Command::Book(Some(expected)));
        assert_eq!(parse_text("예약"), Command::Book(None));
        assert_eq!(parse_text("book Jeju"), Command::BookUsage);
        assert_eq!(parse_nights("2박"), Some(2));
        assert_eq!(parse_nights("3 nights"), Some(3));
        assert_eq!(parse_nights("many"), None);
    }

    #[test]
    fn presses_decode_to_the_same_commands_as_text() {
        use crate::conversation::press::decode as parse_press;
        assert_eq!(parse_press("ap:R7K2QH3"), parse_text("approve R7K2QH3"));
        assert_eq!(parse_press("m:my"), Command::MyBookings);
        assert_eq!(parse_press("fc"), Command::FlowConfirm);
        assert_eq!(parse_press("fm:2026-12"), Command::FlowMonth("2026-12".into()));
        assert_eq!(parse_press("fx"), Command::Ignore);
        assert_eq!(parse_press("zz:1"), Command::Other("zz:1".into()));
    }
}
