//! Reading what a person typed or pressed into a [`Command`].
//!
//! Korean and English words are accepted whatever the user's language:
//!
//! | Korean | English | command |
//! | --- | --- | --- |
//! | `연결 CODE` | `link CODE` | link this chat account |
//! | `예약 설악 디럭스 2026-12-24 2박 4명` | `book Seorak Deluxe 2026-12-24 2 nights 4 guests` | book in one message (room type and guests optional, in any order after the name) |
//! | `예약` | `book` | guided booking |
//! | `취소` / `취소 REF` | `cancel` / `cancel REF` | choose / quote a cancel |
//! | `내 예약` | `my bookings` | history |
//! | `포인트` | `points` | balance |
//! | `포인트 내역` | `points history` | the latest movements of one's points, with why |
//! | `한도` | `limits` | this year's limits, used and left |
//! | `추첨` / `추첨 신청 이름 2 1` / `추첨 취소 [이름]` | `lottery` / `lottery apply NAME 2 1` / `lottery withdraw [NAME]` | open lotteries, apply with slots in order of preference, withdraw |
//! | `대기 신청 설악 2026-12-24 2박` | `waitlist Seorak 2026-12-24 2 nights` | join the waitlist for a full stay (room type and guests as for a booking) |
//! | `대기 목록` | `waitlist` | the employee's waitlist entries and positions |
//! | `대기 취소 2026-12-24` | `leave waitlist 2026-12-24` | leave the waitlist for that check-in |
//! | `대기 수락` / `대기 거절` | `accept offer` / `decline offer` | answer a room offered from the waitlist |
//! | `도움말` | `help` | help |
//! | `대기`, `승인 REF`, `거절 REF`, `오늘 체크인` | `pending`, `approve REF`, `reject REF`, `arrivals` | managers |
//!
//! The menu's own labels typed by hand (`예약하기`, `예약 취소`, `승인 대기`, …) do what pressing
//! them does.
//!
//! `대기` alone is a manager's pending approvals; everyone else gets their waitlist, as with
//! `대기 목록`. Every waitlist command has a second word, so the two never meet.
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
    /// `내 예약` from this many entries in (the 더 보기 button).
    MyBookingsFrom(u32),
    Points,
    PointsHistory,
    Limits,
    LotteryList,
    /// A lottery's name (maybe empty) and the slot numbers as typed, most wanted first.
    LotteryApply(String, Vec<String>),
    LotteryWithdraw(Option<String>),
    /// The apply flow's buttons: `<lottery id>:<picks so far, from 1>`; confirming applies.
    LotteryPick(String),
    LotteryConfirm(String),
    /// Join the waitlist for a stay typed as for a one-shot booking.
    WaitlistJoin(OneShot),
    /// Join the waitlist for an exact stay, pressed: `<room type id>:<YYYY-MM-DD>:<nights>:<guests>`.
    WaitlistJoinStay(String),
    /// `대기 신청` without a readable stay.
    WaitlistUsage,
    WaitlistList,
    /// Leave the waitlist for a check-in date (as typed).
    WaitlistLeave(String),
    /// Answer a room offered from the waitlist: the entry pressed, or the employee's open offer.
    OfferAccept(Option<String>),
    OfferDecline(Option<String>),
    Help,
    /// The manager's pending requests, from this many into the list (a page at a time).
    Pending(u32),
    Approve(String),
    Reject(String),
    Arrivals,
    FlowResort(String),
    FlowRoomType(String),
    FlowDate(String),
    /// Show another month of the check-in calendar (`YYYY-MM`).
    FlowMonth(String),
    FlowNights(String),
    FlowGuests(String),
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
                | Command::FlowRoomType(_)
                | Command::FlowGuests(_)
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
                | Command::LotteryPick(_)
                | Command::LotteryConfirm(_)
                | Command::OfferAccept(Some(_))
                | Command::OfferDecline(Some(_))
        )
    }
}

/// A booking in one message. `name` is the resort's name, maybe followed by a room type's;
/// which is which is decided against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneShot {
    pub name: String,
    pub check_in: String,
    pub nights: String,
    pub guests: Option<u32>,
}

/// Reads the words after `예약`: a date (the first word with a digit and a `-`, `/` or `.`), a
/// night count (`2박`, `2 nights`, or else the word after the date), an optional guest
/// count (`4명`, `4인`, `4 guests`) anywhere, and the name words left over, in their order
/// wherever they stand (`설악 오션 2027-01-10 2박 디럭스` names the type last). `None` unless a name,
/// a date and a night count are all there.
fn one_shot(words: &[&str]) -> Option<OneShot> {
    let lower: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
    let mut used = vec![false; words.len()];
    let mut count_with = |units: &[&str], suffixes: &[&str]| -> Option<String> {
        for index in 0..words.len() {
            if used[index] {
                continue;
            }
            let word = lower[index].as_str();
            if let Some(number) = suffixes.iter().find_map(|suffix| word.strip_suffix(suffix))
                && !number.is_empty()
                && number.chars().all(|character| character.is_ascii_digit())
            {
                used[index] = true;
                return Some(number.to_owned());
            }
            if word.chars().all(|character| character.is_ascii_digit())
                && lower.get(index + 1).is_some_and(|next| units.contains(&next.as_str()))
            {
                used[index] = true;
                used[index + 1] = true;
                return Some(word.to_owned());
            }
        }
        None
    };
    let guests = count_with(&["guests", "guest", "people", "persons"], &["명", "인"]);
    let mut nights = count_with(&["nights", "night"], &["박"]);
    let date_index = (0..words.len()).find(|index| {
        let word = &lower[*index];
        !used[*index] && word.contains(|character: char| character.is_ascii_digit()) && word.contains(['-', '/', '.'])
    })?;
    used[date_index] = true;
    if nights.is_none() {
        // The word after the date is the night count, readable or not ("많이" is told so).
        let next = (date_index + 1..words.len()).find(|index| !used[*index])?;
        used[next] = true;
        nights = Some(lower[next].clone());
    }
    let name: Vec<&str> = (0..words.len()).filter(|index| !used[*index]).map(|index| words[index]).collect();
    if name.is_empty() {
        return None;
    }
    Some(OneShot {
        name: name.join(" "),
        check_in: words[date_index].to_owned(),
        nights: nights?,
        guests: match guests {
            Some(count) => Some(count.parse().ok()?),
            None => None,
        },
    })
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
        _ if matches!(joined.as_str(), "포인트 내역" | "포인트내역" | "points history" | "history of points") => {
            Command::PointsHistory
        }
        // The menu's labels, typed as they read (a press of them sends its own payload).
        _ if matches!(joined.as_str(), "예약하기" | "예약 하기") => Command::Book(None),
        ("예약", ["취소"]) => Command::CancelList,
        ("예약", ["취소", reference]) => Command::CancelQuote((*reference).to_owned()),
        ("승인", ["대기"]) => Command::Pending(0),
        ("예약" | "book", []) => Command::Book(None),
        ("예약" | "book", rest) => {
            one_shot(rest).map_or(Command::BookUsage, |one_shot| Command::Book(Some(one_shot)))
        }
        ("취소" | "cancel", []) => Command::CancelList,
        ("취소" | "cancel", [reference]) => Command::CancelQuote((*reference).to_owned()),
        ("포인트" | "points" | "point", []) => Command::Points,
        ("한도" | "limits" | "limit", []) => Command::Limits,
        ("추첨" | "lottery" | "lotteries", []) => Command::LotteryList,
        ("추첨", ["신청", rest @ ..]) | ("lottery", ["apply", rest @ ..]) => {
            let slots = rest.iter().rev().take_while(|word| word.parse::<u32>().is_ok()).count();
            let (name, numbers) = rest.split_at(rest.len() - slots);
            Command::LotteryApply(name.join(" "), numbers.iter().map(|number| (*number).to_owned()).collect())
        }
        ("추첨", ["취소", rest @ ..]) | ("lottery", ["withdraw" | "cancel", rest @ ..]) => {
            Command::LotteryWithdraw((!rest.is_empty()).then(|| rest.join(" ")))
        }
        ("대기", ["신청", rest @ ..]) | ("join", ["waitlist", rest @ ..]) => {
            one_shot(rest).map_or(Command::WaitlistUsage, Command::WaitlistJoin)
        }
        ("대기", ["목록"]) | ("waitlist", []) => Command::WaitlistList,
        ("대기", ["취소", date]) | ("leave", ["waitlist", date]) => Command::WaitlistLeave((*date).to_owned()),
        ("대기", ["수락"]) | ("accept", ["offer"]) => Command::OfferAccept(None),
        ("대기", ["거절"]) | ("decline", ["offer"]) => Command::OfferDecline(None),
        ("waitlist", rest) => one_shot(rest).map_or(Command::WaitlistUsage, Command::WaitlistJoin),
        ("도움말" | "help" | "start" | "?", _) => Command::Help,
        ("대기" | "pending", []) => Command::Pending(0),
        ("승인" | "approve", [reference]) => Command::Approve((*reference).to_owned()),
        ("거절" | "reject", [reference]) => Command::Reject((*reference).to_owned()),
        ("그만" | "stop" | "quit", []) => Command::FlowQuit,
        _ => Command::Other(text.trim().to_owned()),
    }
}

/// Reads `4`, `4명`, `4인`, `4 guests`-style guest counts (at least one).
pub fn parse_guests(text: &str) -> Option<u32> {
    let trimmed = text.trim().to_lowercase();
    let digits =
        ["guests", "guest", "명", "인"].iter().fold(trimmed.as_str(), |rest, unit| rest.trim_end_matches(unit));
    digits.trim().parse().ok().filter(|guests| *guests >= 1)
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
        assert_eq!(parse_text("추첨"), Command::LotteryList);
        assert_eq!(
            parse_text("추첨 신청 여름 성수기 2 1"),
            Command::LotteryApply("여름 성수기".into(), vec!["2".into(), "1".into()])
        );
        assert_eq!(parse_text("lottery apply Summer 3"), Command::LotteryApply("Summer".into(), vec!["3".into()]));
        assert_eq!(parse_text("추첨 취소"), Command::LotteryWithdraw(None));
        assert_eq!(parse_text("lottery withdraw Summer"), Command::LotteryWithdraw(Some("Summer".into())));
    }

    #[test]
    fn waitlist_commands_are_told_apart_from_the_managers_pending_list() {
        let stay =
            OneShot { name: "설악 오션".into(), check_in: "2026-12-24".into(), nights: "2".into(), guests: None };
        assert_eq!(parse_text("대기 신청 설악 오션 2026-12-24 2박"), Command::WaitlistJoin(stay));
        let english =
            OneShot { name: "Seorak".into(), check_in: "2026-12-24".into(), nights: "2".into(), guests: None };
        assert_eq!(parse_text("waitlist Seorak 2026-12-24 2 nights"), Command::WaitlistJoin(english.clone()));
        assert_eq!(parse_text("join waitlist Seorak 2026-12-24 2 nights"), Command::WaitlistJoin(english));
        assert_eq!(parse_text("대기 신청 설악"), Command::WaitlistUsage);
        assert_eq!(parse_text("대기 목록"), Command::WaitlistList);
        assert_eq!(parse_text("포인트 내역"), Command::PointsHistory);
        assert_eq!(parse_text("points history"), Command::PointsHistory);
        assert_eq!(parse_text("waitlist"), Command::WaitlistList);
        assert_eq!(parse_text("대기 취소 2026-12-24"), Command::WaitlistLeave("2026-12-24".into()));
        assert_eq!(parse_text("leave waitlist 2026-12-24"), Command::WaitlistLeave("2026-12-24".into()));
        assert_eq!(parse_text("대기 수락"), Command::OfferAccept(None));
        assert_eq!(parse_text("decline offer"), Command::OfferDecline(None));
        assert_eq!(parse_text("대기"), Command::Pending(0));
        assert_eq!(parse_text("pending"), Command::Pending(0));
    }

    #[test]
    fn the_menus_labels_typed_by_hand_do_what_pressing_them_does() {
        use resort_core::i18n::Locale;
        for locale in [Locale::Ko, Locale::En] {
            for button in crate::conversation::render::menu(locale, true) {
                let pressed = crate::conversation::press::decode(&button.press);
                assert_eq!(parse_text(&button.label), pressed, "{locale:?} {}", button.label);
            }
        }
        assert_eq!(parse_text("예약 취소 R7F6E6J"), Command::CancelQuote("R7F6E6J".into()));
    }

    #[test]
    fn a_one_shot_booking_reads_the_name_a_date_and_a_night_count() {
        let expected =
            OneShot { name: "설악 오션".into(), check_in: "2026-12-24".into(), nights: "2".into(), guests: None };
        assert_eq!(parse_text("예약 설악 오션 2026-12-24 2박"), Command::Book(Some(expected.clone())));
        assert_eq!(parse_text("예약"), Command::Book(None));
        assert_eq!(parse_text("book Jeju"), Command::BookUsage);
        assert_eq!(parse_text("예약 설악 오션 2026-12-24"), Command::BookUsage, "no night count");
        let after = OneShot { name: "설악 오션 디럭스".into(), ..expected.clone() };
        assert_eq!(
            parse_text("예약 설악 오션 2026-12-24 2박 디럭스"),
            Command::Book(Some(after)),
            "a type after the date"
        );
        let english = OneShot { name: "Jeju Wind".into(), ..expected.clone() };
        assert_eq!(parse_text("book Jeju Wind 2026-12-24 2"), Command::Book(Some(english.clone())));
        assert_eq!(parse_text("book Jeju Wind 2026-12-24 2 nights"), Command::Book(Some(english)));
        let bad_date = OneShot { check_in: "2026-13-45".into(), ..expected.clone() };
        assert_eq!(parse_text("예약 설악 오션 2026-13-45 2박"), Command::Book(Some(bad_date)));
    }

    #[test]
    fn a_room_type_and_a_guest_count_may_come_anywhere_in_a_one_shot() {
        let deluxe = |guests| OneShot {
            name: "설악 오션 디럭스".into(),
            check_in: "2027-01-10".into(),
            nights: "2".into(),
            guests,
        };
        assert_eq!(parse_text("예약 설악 오션 디럭스 2027-01-10 2박 4명"), Command::Book(Some(deluxe(Some(4)))));
        assert_eq!(parse_text("예약 4인 설악 오션 디럭스 2박 2027-01-10"), Command::Book(Some(deluxe(Some(4)))));
        assert_eq!(parse_text("예약 설악 오션 3 guests 디럭스 2027-01-10 2"), Command::Book(Some(deluxe(Some(3)))));
        assert_eq!(parse_text("예약 설악 오션 디럭스 2027-01-10 2박"), Command::Book(Some(deluxe(None))));
        assert_eq!(parse_nights("2박"), Some(2));
        assert_eq!(parse_nights("3 nights"), Some(3));
        assert_eq!(parse_nights("many"), None);
        assert_eq!(parse_guests("4명"), Some(4));
        assert_eq!(parse_guests("2 guests"), Some(2));
        assert_eq!(parse_guests("0"), None);
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
