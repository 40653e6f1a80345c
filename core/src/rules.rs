//! The rules a welfare team sets for booking a resort, as one pure evaluator: a request and the
//! facts it needs in, `Ok` or the first rule it breaks (with what would pass) out. Every way in
//! — each chat platform's one-shot and guided booking, the console, the admin API — asks it
//! before a saga starts; the saga keeps its own database guards for races.
//!
//! The booking window: from `opens_at` (Korean time) on day D, check-ins up to
//! D + `book_ahead_days` are open; before `opens_at`, up to D + `book_ahead_days` − 1, and the
//! next day opens at `opens_at` today. The earliest check-in is D + `min_notice_days`. A stay
//! has `min_nights` to `max_nights` nights, none of them inside a blackout period (a stay that
//! checks out on a blackout's first night is fine).

use crate::clock::korea;
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// A resort's booking window and stay length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub book_ahead_days: u32,
    /// When the next day of the window opens, Korean time.
    pub opens_at: NaiveTime,
    pub min_notice_days: u32,
    pub min_nights: u32,
    pub max_nights: u32,
    /// For a resort whose manager approves: the check-in time (Korean), by which a decision is
    /// due, so a stay that begins before now cannot wait for one.
    pub approval_by: Option<NaiveTime>,
}

/// Nights a resort takes no stays, `from` through `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blackout {
    pub id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// The longest a window may reach ahead.
pub const MAX_BOOK_AHEAD_DAYS: u32 = 730;

/// The first rule a request breaks, with what would pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Beyond the window: check-ins are open up to `last`.
    OutsideWindow {
        last: NaiveDate,
    },
    /// The day after the window's last, which opens at `opens` (Korean time).
    NotOpenYet {
        day: NaiveDate,
        opens: NaiveDateTime,
    },
    /// Too soon: the earliest check-in is `earliest`.
    TooShortNotice {
        earliest: NaiveDate,
    },
    NightsOutOfRange {
        min: u32,
        max: u32,
    },
    /// The employee no longer books (they left the company).
    InactiveEmployee,
    /// The resort is out of service.
    InactiveResort,
    /// The stay's `night` is blacked out, for `reason`.
    Blackout {
        night: NaiveDate,
        reason: String,
    },
}

impl Refusal {
    /// The stable code scripts and the admin API branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutsideWindow { .. } => "outside_window",
            Self::NotOpenYet { .. } => "not_open_yet",
            Self::TooShortNotice { .. } => "too_short_notice",
            Self::NightsOutOfRange { .. } => "nights_out_of_range",
            Self::Blackout { .. } => "blackout",
            Self::InactiveEmployee => "inactive_employee",
            Self::InactiveResort => "inactive_resort",
        }
    }
}

/// What is bookable at `now`: the first and last check-in day, and the day that opens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The day after `last`, and when it opens.
    pub next: (NaiveDate, NaiveDateTime),
}

pub fn open(window: &Window, now: DateTime<Utc>) -> Open {
    let local = now.with_timezone(&korea()).naive_local();
    let today = local.date();
    let add = |days: u32| today.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX);
    let ahead = window.book_ahead_days.min(MAX_BOOK_AHEAD_DAYS);
    if local.time() >= window.opens_at {
        let next_day = add(ahead + 1);
        let tomorrow = today.succ_opt().unwrap_or(NaiveDate::MAX);
        Open {
            first: add(window.min_notice_days),
            last: add(ahead),
            next: (next_day, tomorrow.and_time(window.opens_at)),
        }
    } else {
        let last = if ahead == 0 { today } else { add(ahead - 1) };
        Open { first: add(window.min_notice_days), last, next: (add(ahead), today.and_time(window.opens_at)) }
    }
}

/// Who asks and where: the facts besides the dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    pub employee_active: bool,
    pub resort_active: bool,
}

/// [`evaluate`], after checking that the employee may book and the resort takes bookings.
pub fn evaluate_for(
    parties: Parties,
    window: &Window,
    blackouts: &[Blackout],
    check_in: NaiveDate,
    nights: u32,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if !parties.employee_active {
        return Err(Refusal::InactiveEmployee);
    }
    if !parties.resort_active {
        return Err(Refusal::InactiveResort);
    }
    evaluate(window, blackouts, check_in, nights, now)
}

/// Whether a stay of `nights` from `check_in` may be requested at `now`. A check-in in the past
/// is the stay's own rule (`Stay::new`), checked before.
pub fn evaluate(
    window: &Window,
    blackouts: &[Blackout],
    check_in: NaiveDate,
    nights: u32,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let open = open(window, now);
    if check_in > open.last {
        return Err(if check_in == open.next.0 {
            Refusal::NotOpenYet { day: check_in, opens: open.next.1 }
        } else {
            Refusal::OutsideWindow { last: open.last }
        });
    }
    if check_in < open.first {
        return Err(Refusal::TooShortNotice { earliest: open.first });
    }
    if let Some(time) = window.approval_by
        && check_in.and_time(time) <= now.with_timezone(&korea()).naive_local()
    {
        let earliest = check_in.succ_opt().unwrap_or(NaiveDate::MAX).max(open.first);
        return Err(Refusal::TooShortNotice { earliest });
    }
    if nights < window.min_nights || nights > window.max_nights {
        return Err(Refusal::NightsOutOfRange { min: window.min_nights, max: window.max_nights });
    }
    let stay = crate::stay::Stay { check_in, nights };
    for night in stay.nights() {
        if let Some(blackout) = blackouts.iter().find(|blackout| blackout.from <= night && night <= blackout.to) {
            return Err(Refusal::Blackout { night, reason: blackout.reason.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> Window {
        Window {
            book_ahead_days: 60,
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            min_notice_days: 2,
            min_nights: 2,
            max_nights: 4,
            approval_by: None,
        }
    }

    #[test]
    fn a_stay_that_begins_before_a_manager_could_decide_is_too_short_notice() {
        let manual = Window { min_notice_days: 0, approval_by: NaiveTime::from_hms_opt(15, 0, 0), ..window() };
        assert_eq!(evaluate(&manual, &[], day("2026-12-01"), 2, at("2026-12-01 14:59")), Ok(()));
        assert_eq!(
            evaluate(&manual, &[], day("2026-12-01"), 2, at("2026-12-01 15:00")),
            Err(Refusal::TooShortNotice { earliest: day("2026-12-02") })
        );
    }

    /// A Korean wall-clock moment.
    fn at(text: &str) -> DateTime<Utc> {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        local.and_local_timezone(korea()).unwrap().to_utc()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_last_day_of_the_window_opens_at_nine_in_korea() {
        // 2026-12-01 + 60 days = 2027-01-30.
        let before = at("2026-12-01 08:59");
        let opens = day("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        let last_day = day("2027-01-30");
        assert_eq!(evaluate(&window(), &[], last_day, 2, before), Err(Refusal::NotOpenYet { day: last_day, opens }));
        assert_eq!(evaluate(&window(), &[], day("2027-01-29"), 2, before), Ok(()));
        assert_eq!(
            evaluate(&window(), &[], day("2027-01-31"), 2, before),
            Err(Refusal::OutsideWindow { last: day("2027-01-29") })
        );
        let after = at("2026-12-01 09:00");
        assert_eq!(evaluate(&window(), &[], day("2027-01-30"), 2, after), Ok(()));
        let next = day("2026-12-02").and_hms_opt(9, 0, 0).unwrap();
        let following = day("2027-01-31");
        assert_eq!(
            evaluate(&window(), &[], following, 2, after),
            Err(Refusal::NotOpenYet { day: following, opens: next })
        );
        assert_eq!(evaluate(&window(), &[], day("2027-02-01"), 2, after).unwrap_err().code(), "outside_window");
    }

    #[test]
    fn the_window_follows_the_korean_day_not_the_utc_one() {
        // 2026-12-01 23:30 UTC is 2026-12-02 08:30 in Korea: before the opening of the 2nd.
        let late_utc = DateTime::parse_from_rfc3339("2026-12-01T23:30:00Z").unwrap().to_utc();
        assert_eq!(open(&window(), late_utc).last, day("2027-01-30"));
    }

    #[test]
    fn a_stay_over_a_blackout_night_is_refused_and_one_checking_out_on_its_first_night_is_not() {
        let now = at("2026-12-01 10:00");
        let closed =
            [Blackout {
                id: "b".into(), from: day("2026-12-24"), to: day("2026-12-25"), reason: "시설 점검".into()
            }];
        assert_eq!(evaluate(&window(), &closed, day("2026-12-22"), 2, now), Ok(()), "checks out on the 24th");
        assert_eq!(
            evaluate(&window(), &closed, day("2026-12-23"), 2, now),
            Err(Refusal::Blackout { night: day("2026-12-24"), reason: "시설 점검".into() })
        );
        assert_eq!(evaluate(&window(), &closed, day("2026-12-25"), 2, now).unwrap_err().code(), "blackout");
        assert_eq!(evaluate(&window(), &closed, day("2026-12-26"), 2, now), Ok(()));
    }

    #[test]
    fn notice_and_nights_are_bounded_at_both_ends() {
        let now = at("2026-12-01 10:00");
        assert_eq!(
            evaluate(&window(), &[], day("2026-12-02"), 2, now),
            Err(Refusal::TooShortNotice { earliest: day("2026-12-03") })
        );
        assert_eq!(evaluate(&window(), &[], day("2026-12-03"), 2, now), Ok(()));
        assert_eq!(
            evaluate(&window(), &[], day("2026-12-03"), 1, now),
            Err(Refusal::NightsOutOfRange { min: 2, max: 4 })
        );
        assert_eq!(evaluate(&window(), &[], day("2026-12-03"), 4, now), Ok(()));
        assert_eq!(evaluate(&window(), &[], day("2026-12-03"), 5, now).unwrap_err().code(), "nights_out_of_range");
    }
}
