//! Wording shared by chat replies and pushes: how a booking, a status or a reason reads in
//! each language. Everything comes from the fluent files; nothing here is prose.

use super::command::Command;
use super::press;
use super::reply::Button;
use chrono::{DateTime, NaiveDate};
use resort_core::booking::{BookingStatus, RejectReason};
use resort_core::clock::korea;
use resort_core::i18n::{Locale, number_arg, text_arg};

pub fn status(locale: Locale, status: BookingStatus) -> String {
    locale.text(&format!("status-{}", status.as_str().replace('_', "-")))
}

pub fn reason(locale: Locale, reason: RejectReason) -> String {
    locale.text(&format!("reason-{}", reason.as_str().replace('_', "-")))
}

/// "설악 오션 · 12월 18일(금) → 20일(일), 2박 · 200포인트"
pub fn stay_line(locale: Locale, resort: &str, check_in: NaiveDate, nights: u32, points: i64) -> String {
    locale.text_with(
        "stay-line",
        &[
            text_arg("resort", resort),
            text_arg("dates", stay_span(locale, check_in, nights)),
            number_arg("points", points),
        ],
    )
}

/// Why a stay costs more than its base price: "성수기 2박 포함: 1박 150포인트 (평소 100포인트의
/// 150%)", one line per peak rate; nothing off peak.
pub fn surcharge_lines(
    locale: Locale,
    policy: &resort_core::resort::Policy,
    stay: &resort_core::stay::Stay,
) -> Vec<String> {
    policy
        .surcharges(stay)
        .into_iter()
        .map(|(percent, nights, price)| {
            locale.text_with(
                "peak-surcharge",
                &[
                    number_arg("nights", i64::from(nights)),
                    number_arg("price", price),
                    number_arg("base", policy.points_per_night),
                    number_arg("percent", i64::from(percent)),
                ],
            )
        })
        .collect()
}

/// The cancellation terms as they apply today, so a partial refund says why: free until
/// `free_cancel_days` before check-in, then `late_refund_percent`.
pub fn refund_rule(
    locale: Locale,
    policy: &resort_core::resort::Policy,
    check_in: NaiveDate,
    today: NaiveDate,
) -> String {
    let free_days = i64::from(policy.free_cancel_days);
    let days_left = (check_in - today).num_days().max(0);
    let args = [
        number_arg("free_days", free_days),
        number_arg("percent", i64::from(policy.late_refund_percent)),
        number_arg("days_left", days_left),
        text_arg(
            "until",
            day_with_weekday(
                locale,
                check_in - chrono::Days::new(u64::try_from(free_days).unwrap_or(0)),
                "date-weekday",
            ),
        ),
    ];
    let id = if policy.is_late(check_in, today) { "refund-rule-late" } else { "refund-rule-free" };
    locale.text_with(id, &args)
}

/// "설악 오션 · 12월 18일(금) → 20일(일), 2박": a stay without its price.
pub fn stay_without_points(locale: Locale, resort: &str, check_in: NaiveDate, nights: u32) -> String {
    locale
        .text_with("stay-dates", &[text_arg("resort", resort), text_arg("dates", stay_span(locale, check_in, nights))])
}

/// "12월 18일(금) → 20일(일), 2박" / "Fri 18 Dec → Sun 20 Dec, 2 nights": check-in to check-out,
/// the month said again only when it changes.
pub fn stay_span(locale: Locale, check_in: NaiveDate, nights: u32) -> String {
    use chrono::Datelike;
    let check_out = check_in.checked_add_days(chrono::Days::new(u64::from(nights))).unwrap_or(check_in);
    let same_month = check_out.month() == check_in.month() && check_out.year() == check_in.year();
    locale.text_with(
        "stay-span",
        &[
            text_arg("from", day_with_weekday(locale, check_in, "date-weekday")),
            text_arg(
                "to",
                day_with_weekday(locale, check_out, if same_month { "date-weekday-in-month" } else { "date-weekday" }),
            ),
            number_arg("nights", i64::from(nights)),
        ],
    )
}

fn day_with_weekday(locale: Locale, date: NaiveDate, key: &str) -> String {
    use chrono::Datelike;
    let word =
        |list: &str, index: usize| locale.text(list).split_whitespace().nth(index).unwrap_or_default().to_owned();
    locale.text_with(
        key,
        &[
            number_arg("month", i64::from(date.month())),
            text_arg("month_name", word("month-names", date.month0() as usize)),
            number_arg("day", i64::from(date.day())),
            text_arg("weekday", word("weekday-names", date.weekday().num_days_from_monday() as usize)),
        ],
    )
}

/// A date as people write it: "2027년 12월 10일(금)", "Fri, Dec 10, 2027".
pub fn date_with_year(locale: Locale, date: NaiveDate) -> String {
    use chrono::Datelike;
    let weekday = locale
        .text("weekday-names")
        .split_whitespace()
        .nth(date.weekday().num_days_from_monday() as usize)
        .unwrap_or_default()
        .to_owned();
    let month_name =
        locale.text("month-names").split_whitespace().nth(date.month0() as usize).unwrap_or_default().to_owned();
    locale.text_with(
        "date-with-year",
        &[
            text_arg("year", date.year().to_string()),
            number_arg("month", i64::from(date.month())),
            text_arg("month_name", month_name),
            number_arg("day", i64::from(date.day())),
            text_arg("weekday", weekday),
        ],
    )
}

/// A date within the year people are talking about: "3월 2일", "Mar 2".
pub fn date(locale: Locale, date: NaiveDate) -> String {
    use chrono::Datelike;
    let month_name =
        locale.text("month-names").split_whitespace().nth(date.month0() as usize).unwrap_or_default().to_owned();
    locale.text_with(
        "date-short",
        &[
            number_arg("month", i64::from(date.month())),
            text_arg("month_name", month_name),
            number_arg("day", i64::from(date.day())),
        ],
    )
}

/// An instant as people read it, in Korean time: "2027년 7월 1일(목) 18:00".
pub fn moment(locale: Locale, millis: i64) -> String {
    let Some(time) = DateTime::from_timestamp_millis(millis) else { return String::new() };
    let local = time.with_timezone(&korea());
    format!("{} {}", date_with_year(locale, local.date_naive()), local.format("%H:%M"))
}

/// The Korean wall-clock time of an instant today or soon ("14:05").
pub fn korean_clock_time(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis)
        .map(|time| time.with_timezone(&korea()).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// A deadline or a decision's time as people read it, in Korean time: "12월 11일(금) 10:00",
/// "Fri 11 Dec 10:00".
pub fn day_and_time(locale: Locale, millis: i64) -> String {
    let Some(time) = DateTime::from_timestamp_millis(millis) else { return String::new() };
    let local = time.with_timezone(&korea());
    format!("{} {}", day_with_weekday(locale, local.date_naive(), "date-weekday"), local.format("%H:%M"))
}

pub fn approve_reject_buttons(locale: Locale, reference: &str) -> Vec<Button> {
    vec![
        Button::new(locale.text("button-approve"), press::encode(&Command::Approve(reference.to_owned()))),
        Button::new(locale.text("button-reject"), press::encode(&Command::Reject(reference.to_owned()))),
    ]
}

/// The main menu as quick replies; managers also get their own entries.
pub fn menu(locale: Locale, is_manager: bool) -> Vec<Button> {
    let mut items = vec![
        Button::new(locale.text("menu-book"), press::encode(&Command::Book(None))),
        Button::new(locale.text("menu-my"), press::encode(&Command::MyBookings)),
        Button::new(locale.text("menu-points"), press::encode(&Command::Points)),
        Button::new(locale.text("menu-cancel"), press::encode(&Command::CancelList)),
    ];
    if is_manager {
        items.push(Button::new(locale.text("menu-pending"), press::encode(&Command::Pending(0))));
        items.push(Button::new(locale.text("menu-arrivals"), press::encode(&Command::Arrivals)));
    }
    items.push(Button::new(locale.text("menu-help"), press::encode(&Command::Help)));
    items
}

/// The approval request a manager reads, in a push or in the pending list.
pub fn approval_request(locale: Locale, guest: &str, booking: &resort_core::message::BookingSnapshot) -> String {
    let stay = stay_line(locale, &booking.resort_name, booking.check_in, booking.nights, booking.points);
    let deadline =
        booking.approval_deadline_at.map(|at| day_and_time(locale, at.timestamp_millis())).unwrap_or_default();
    locale.text_with(
        "approval-request",
        &[
            text_arg("guest", guest),
            text_arg("reference", booking.reference.clone()),
            text_arg("stay", stay),
            text_arg("deadline", deadline),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn terms(free_cancel_days: u32, late_refund_percent: u32) -> resort_core::resort::Policy {
        resort_core::resort::Policy {
            points_per_night: 100,
            max_nights: 5,
            peak_periods: vec![resort_core::resort::PeakPeriod {
                from: day("2026-12-24"),
                to: day("2026-12-31"),
                percent: 150,
            }],
            free_cancel_days,
            late_refund_percent,
        }
    }

    #[test]
    fn the_refund_rule_and_a_peak_price_are_said_in_words() {
        let today = day("2026-12-10");
        let free = refund_rule(Locale::Ko, &terms(7, 50), day("2026-12-18"), today);
        assert_eq!(free, "12월 11일(금)까지 취소하면 전액 돌려받습니다 (체크인 7일 전까지 무료 취소).");
        let late = refund_rule(Locale::Ko, &terms(14, 30), day("2026-12-18"), today);
        assert_eq!(late, "체크인 14일 전부터는 30%만 돌려받습니다 (오늘은 체크인 8일 전).");
        let nothing = refund_rule(Locale::En, &terms(3, 0), today, today);
        assert_eq!(nothing, "From 3 days before check-in a cancel returns nothing (today is the check-in day).");
        let stay = resort_core::stay::Stay { check_in: day("2026-12-23"), nights: 3 };
        assert_eq!(
            surcharge_lines(Locale::Ko, &terms(7, 50), &stay),
            vec!["성수기 2박 포함: 1박 150포인트 (평소 100포인트의 150%)"]
        );
        assert_eq!(
            surcharge_lines(Locale::En, &terms(7, 50), &stay),
            vec!["Includes 2 peak nights: 150 points a night (150% of the usual 100)"]
        );
        let off_peak = resort_core::stay::Stay { check_in: day("2026-12-01"), nights: 2 };
        assert!(surcharge_lines(Locale::Ko, &terms(7, 50), &off_peak).is_empty());
    }

    #[test]
    fn a_stay_reads_from_check_in_to_check_out_with_weekdays() {
        assert_eq!(stay_span(Locale::Ko, day("2026-12-18"), 2), "12월 18일(금) → 20일(일), 2박");
        assert_eq!(stay_span(Locale::Ko, day("2026-12-31"), 2), "12월 31일(목) → 1월 2일(토), 2박");
        assert_eq!(stay_span(Locale::En, day("2026-12-18"), 2), "Fri 18 Dec → Sun 20 Dec, 2 nights");
        assert_eq!(stay_span(Locale::En, day("2026-12-18"), 1), "Fri 18 Dec → Sat 19 Dec, 1 night");
        assert_eq!(
            stay_line(Locale::Ko, "설악 오션", day("2026-12-18"), 2, 200),
            "설악 오션 · 12월 18일(금) → 20일(일), 2박 · 200포인트"
        );
    }
}
