//! The check-in step's month calendar: which days of a month one can still check in on, and
//! for how many nights in a row; a full day, a blacked-out day and the day that opens next are
//! marked each their own way. Pure: what each day is comes in as a function, so the rules of the
//! grid (every day present, nothing before the first check-in or past the window, month paging
//! limited to that window) are tested without a database.

use super::command::Command;
use super::press;
use super::reply::{Button, Calendar, CalendarDay, DayMark, IGNORED_PRESS};
use chrono::{Datelike, Days, Months, NaiveDate};
use resort_core::i18n::{Locale, number_arg, text_arg};

/// The calendar of the month that starts at `month`, for days from `first` to `last`.
/// `mark(day)` says what a day is: open for so many nights in a row, full, blacked out, or not
/// open yet.
pub fn month(
    locale: Locale,
    month: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
    mark: impl Fn(NaiveDate) -> DayMark,
) -> Calendar {
    let month = month_start(month);
    let next_month = month + Months::new(1);
    let days = month
        .iter_days()
        .take_while(|day| *day < next_month)
        .map(|date| {
            let blank = CalendarDay {
                date,
                nights: 0,
                mark: DayMark::Closed,
                label: " ".to_owned(),
                press: IGNORED_PRESS.to_owned(),
            };
            if date < first || date > last {
                return blank;
            }
            let mark = mark(date);
            let (nights, label) = match mark {
                DayMark::Open(nights) => (
                    nights,
                    locale.text_with(
                        "calendar-day-open",
                        &[number_arg("day", i64::from(date.day())), number_arg("nights", i64::from(nights))],
                    ),
                ),
                DayMark::Full => (0, locale.text("calendar-day-full")),
                DayMark::Blackout => (0, locale.text("calendar-day-blackout")),
                DayMark::NotOpenYet => (0, locale.text("calendar-day-not-open")),
                DayMark::Lottery => (0, locale.text("calendar-day-lottery")),
                DayMark::Closed => return blank,
            };
            // A day that cannot be chosen is still pressable: the answer says why.
            CalendarDay { date, nights, mark, label, press: press::encode(&Command::FlowDate(date.to_string())) }
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
        let calendar =
            month(Locale::Ko, date("2026-12-10"), date("2026-12-05"), date("2027-01-20"), |day| match day.day() {
                24 => DayMark::Full,
                25 => DayMark::Blackout,
                _ => DayMark::Open(3),
            });
        assert_eq!(calendar.days.len(), 31);
        assert_eq!(calendar.title, "2026년 12월");
        assert_eq!(calendar.weekdays.len(), 7);
        // 2026-12-01 is a Tuesday.
        assert_eq!(calendar.leading_blanks(), 1);
        let open: Vec<u32> = calendar.open_days().map(|day| day.date.day()).collect();
        assert_eq!(open.first(), Some(&5));
        assert!(!open.contains(&24) && !open.contains(&25) && open.contains(&26));
        assert_eq!((calendar.days[23].label.as_str(), calendar.days[24].label.as_str()), ("✕", "휴무"));
        assert_eq!(calendar.days[24].mark, DayMark::Blackout);
        assert_eq!(calendar.days[3].press, IGNORED_PRESS);
        assert_eq!(calendar.days[23].press, "fd:2026-12-24");
        assert_eq!(calendar.days[4].label, "5·3");
        assert!(calendar.previous.is_none());
        assert_eq!(calendar.next.as_ref().map(|button| button.press.as_str()), Some("fm:2027-01"));
    }

    #[test]
    fn paging_stops_at_the_window() {
        let calendar = month(Locale::En, date("2027-01-01"), date("2026-12-05"), date("2027-01-20"), |day| {
            if day == date("2027-01-20") { DayMark::NotOpenYet } else { DayMark::Open(1) }
        });
        assert_eq!(calendar.previous.as_ref().map(|button| button.press.as_str()), Some("fm:2026-12"));
        assert!(calendar.next.is_none());
        assert_eq!(calendar.open_days().count(), 19);
        assert_eq!(calendar.days[19].label, "soon");
        assert_eq!(parse_month("2027-01"), Some(date("2027-01-01")));
        assert_eq!(parse_month("2027-13"), None);
    }
}
