//! The check-in step's month calendar: which days of a month one can still check in on, and
//! for how many nights in a row. Pure: availability comes in as a function, so the rules of the
//! grid (every day present, nothing before today or past the booking window, month paging
//! limited to that window) are tested without a database.

use super::command::Command;
use super::press;
use super::reply::{Button, Calendar, CalendarDay, IGNORED_PRESS};
use chrono::{Datelike, Days, Months, NaiveDate};
use resort_core::i18n::{Locale, number_arg, text_arg};

/// The calendar of the month that starts at `month`, for check-ins from `first` to `last`.
/// `nights_from(day)` says how many nights in a row have a free room from `day`.
pub fn month(
    locale: Locale,
    month: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
    nights_from: impl Fn(NaiveDate) -> u32,
) -> Calendar {
    let month = month_start(month);
    let next_month = month + Months::new(1);
    let days = month
        .iter_days()
        .take_while(|day| *day < next_month)
        .map(|date| {
            if date < first || date > last {
                return CalendarDay { date, nights: 0, label: " ".to_owned(), press: IGNORED_PRESS.to_owned() };
            }
            let nights = nights_from(date);
            let label = if nights > 0 {
                locale.text_with(
                    "calendar-day-open",
                    &[number_arg("day", i64::from(date.day())), number_arg("nights", i64::from(nights))],
                )
            } else {
                locale.text("calendar-day-full")
            };
            // A full day is still pressable: the answer says why it cannot be chosen.
            CalendarDay { date, nights, label, press: press::encode(&Command::FlowDate(date.to_string())) }
        })
        .collect();
    let previous = (month > month_start(first)).then(|| {
        let previous = (month - Months::new(1)).format("%Y-%m").to_string();
        Button::new(locale.text("button-previous-month"), press::encode(&Command::FlowMonth(previous)))
    });
    let next = (next_month <= last).then(|| {
        let next = next_month.format("%Y-%m").to_string();
        Button::new(locale.text("button-next-month"), press::encode(&Command::FlowMonth(next)))
    });
    Calendar {
        title: locale.text_with(
            "calendar-title",
            &[text_arg("year", month.year().to_string()), number_arg("month", i64::from(month.month()))],
        ),
        weekdays: locale.text("calendar-weekdays").split_whitespace().map(str::to_owned).collect(),
        legend: locale.text("calendar-legend"),
        days,
        previous,
        next,
    }
}

/// Reads a `YYYY-MM` month.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

pub fn month_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.day0()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_day_of_the_month_is_there_and_only_the_window_is_open() {
        let calendar = month(Locale::Ko, date("2026-12-10"), date("2026-12-05"), date("2027-01-20"), |day| {
            if day == date("2026-12-24") { 0 } else { 3 }
        });
        assert_eq!(calendar.days.len(), 31);
        assert_eq!(calendar.title, "2026년 12월");
        assert_eq!(calendar.weekdays.len(), 7);
        // 2026-12-01 is a Tuesday.
        assert_eq!(calendar.leading_blanks(), 1);
        let open: Vec<u32> = calendar.open_days().map(|day| day.date.day()).collect();
        assert_eq!(open.first(), Some(&5));
        assert!(!open.contains(&24) && open.contains(&25));
        assert_eq!(calendar.days[3].press, IGNORED_PRESS);
        assert_eq!(calendar.days[23].press, "fd:2026-12-24");
        assert_eq!(calendar.days[4].label, "5·3");
        assert!(calendar.previous.is_none());
        assert_eq!(calendar.next.as_ref().map(|button| button.press.as_str()), Some("fm:2027-01"));
    }

    #[test]
    fn paging_stops_at_the_window() {
        let calendar = month(Locale::En, date("2027-01-01"), date("2026-12-05"), date("2027-01-20"), |_| 1);
        assert_eq!(calendar.previous.as_ref().map(|button| button.press.as_str()), Some("fm:2026-12"));
        assert!(calendar.next.is_none());
        assert_eq!(calendar.open_days().count(), 20);
        assert_eq!(parse_month("2027-01"), Some(date("2027-01-01")));
        assert_eq!(parse_month("2027-13"), None);
    }
}
