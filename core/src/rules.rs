//! The rules a welfare team sets for booking a resort, as one pure evaluator: a request and the
//! facts it needs in, `Ok` or the first rule it breaks (with what would pass) out. Every way in
//! — each chat platform's one-shot and guided booking, the console, the admin API — asks it
//! before a saga starts; the saga keeps its own database guards for races.
//!
//! The booking window: from `opens_at` (Korean time) on day D, check-ins up to
//! D + `book_ahead_days` are open; before `opens_at`, up to D + `book_ahead_days` − 1, and the
//! next day opens at `opens_at` today. The earliest check-in is D + `min_notice_days`. A stay
//! has `min_nights` to `max_nights` nights, none of them inside a blackout period (a stay that
//! checks out on a blackout's first night is fine). Then the facts about the person: the room
//! type takes so many guests, the yearly limits (company-wide and the resort's) count the stays
//! checking in that calendar year, the points must cover the stay, and every night must have a
//! room of the type left.

use crate::clock::korea;
use crate::resort::Policy;
use crate::stay::Stay;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use std::collections::HashMap;

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
    /// The stay's `night` goes to the lottery `name`, which has not drawn yet.
    Lottery {
        night: NaiveDate,
        name: String,
    },
    /// A room of this type takes at most `capacity` guests.
    TooManyGuests {
        capacity: u32,
    },
    /// The stay would go past a yearly limit for the check-in's `year`; `used` are the stays
    /// that count so far.
    YearlyLimit {
        limit: Limit,
        year: i32,
        /// Whether `year` is the current one (in Korea), for the wording.
        this_year: bool,
        used: Vec<Counted>,
    },
    InsufficientPoints {
        cost: i64,
        balance: i64,
    },
    /// No room of the type is left on `night`.
    NoRoom {
        night: NaiveDate,
    },
}

/// Which yearly limit, with its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Stays a year, at any resort.
    Stays(u32),
    /// Nights a year, at any resort.
    Nights(u32),
    /// Stays a year at this resort.
    StaysHere(u32),
}

/// The yearly limits a request is held to (`None`: no limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub yearly_stays: Option<u32>,
    pub yearly_nights: Option<u32>,
    pub resort_yearly_stays: Option<u32>,
}

/// One of the employee's stays a yearly limit counts: an active or confirmed booking, or a
/// cancel that counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub reference: String,
    pub check_in: NaiveDate,
    pub nights: u32,
    /// At the resort the request is for.
    pub here: bool,
}

/// A request to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub check_in: NaiveDate,
    pub nights: u32,
    pub guests: u32,
}

/// Everything the rules read besides the request, gathered once so the guided flow can try every
/// choice it would offer against the same facts.
#[derive(Debug, Clone)]
pub struct Facts {
    pub parties: Parties,
    pub window: Window,
    pub blackouts: Vec<Blackout>,
    /// The room type's capacity; its price with the resort's peak periods.
    pub capacity: u32,
    pub policy: Policy,
    pub limits: Limits,
    /// The employee's stays that count, for at least the check-in's year.
    pub counted: Vec<Counted>,
    pub balance: i64,
    /// The room type's rooms, and how many are held per night (a missing night holds none).
    pub rooms: i64,
    pub held: HashMap<NaiveDate, i64>,
    /// Nights of the room type a lottery gives away, with its name, until it draws.
    pub reserved: Vec<(String, NaiveDate)>,
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
            Self::TooManyGuests { .. } => "too_many_guests",
            Self::Lottery { .. } => "lottery",
            Self::YearlyLimit { .. } => "yearly_limit",
            Self::InsufficientPoints { .. } => "insufficient_points",
            Self::NoRoom { .. } => "no_room",
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

/// The whole judgement of a request: who asks and where, then [`evaluate`] (window, notice,
/// nights, blackouts), then guests, yearly limits, points and rooms, in that order; the first
/// rule broken is the answer.
pub fn evaluate_for(request: Request, facts: &Facts, now: DateTime<Utc>) -> Result<(), Refusal> {
    if !facts.parties.employee_active {
        return Err(Refusal::InactiveEmployee);
    }
    if !facts.parties.resort_active {
        return Err(Refusal::InactiveResort);
    }
    evaluate(&facts.window, &facts.blackouts, request.check_in, request.nights, now)?;
    let stay = Stay { check_in: request.check_in, nights: request.nights };
    if let Some((name, night)) =
        stay.nights().find_map(|night| facts.reserved.iter().find(|(_, reserved)| *reserved == night))
    {
        return Err(Refusal::Lottery { night: *night, name: name.clone() });
    }
    if request.guests > facts.capacity {
        return Err(Refusal::TooManyGuests { capacity: facts.capacity });
    }
    within_limits(request, facts, now.with_timezone(&korea()).year())?;
    let cost = facts.policy.cost(&stay);
    if cost > facts.balance {
        return Err(Refusal::InsufficientPoints { cost, balance: facts.balance });
    }
    if let Some(night) = first_full_night(&stay, &facts.held, facts.rooms) {
        return Err(Refusal::NoRoom { night });
    }
    Ok(())
}

/// The first night of the stay on which `taken` rooms (a missing night: none) leave none of
/// `rooms`: the one rule for a full night, wherever rooms are counted.
pub fn first_full_night(stay: &Stay, taken: &HashMap<NaiveDate, i64>, rooms: i64) -> Option<NaiveDate> {
    stay.nights().find(|night| taken.get(night).copied().unwrap_or(0) >= rooms)
}

/// The yearly limits, counted over the check-ins of the check-in's calendar year.
fn within_limits(request: Request, facts: &Facts, current_year: i32) -> Result<(), Refusal> {
    let year = request.check_in.year();
    let this_year: Vec<&Counted> = facts.counted.iter().filter(|stay| stay.check_in.year() == year).collect();
    let refusal = |limit: Limit, here_only: bool| Refusal::YearlyLimit {
        limit,
        year,
        this_year: year == current_year,
        used: this_year.iter().filter(|stay| stay.here || !here_only).map(|stay| (*stay).clone()).collect(),
    };
    if let Some(limit) = facts.limits.yearly_stays
        && this_year.len() >= limit as usize
    {
        return Err(refusal(Limit::Stays(limit), false));
    }
    if let Some(limit) = facts.limits.yearly_nights {
        let used: u32 = this_year.iter().map(|stay| stay.nights).sum();
        if used.saturating_add(request.nights) > limit {
            return Err(refusal(Limit::Nights(limit), false));
        }
    }
    if let Some(limit) = facts.limits.resort_yearly_stays
        && this_year.iter().filter(|stay| stay.here).count() >= limit as usize
    {
        return Err(refusal(Limit::StaysHere(limit), true));
    }
    Ok(())
}

/// What is left of the yearly limits in `year`: stays, nights and stays here (`None`: no limit).
pub fn left_in(year: i32, limits: &Limits, counted: &[Counted]) -> (Option<u32>, Option<u32>, Option<u32>) {
    let this_year: Vec<&Counted> = counted.iter().filter(|stay| stay.check_in.year() == year).collect();
    let stays = u32::try_from(this_year.len()).unwrap_or(u32::MAX);
    let nights: u32 = this_year.iter().map(|stay| stay.nights).sum();
    let here = u32::try_from(this_year.iter().filter(|stay| stay.here).count()).unwrap_or(u32::MAX);
    (
        limits.yearly_stays.map(|limit| limit.saturating_sub(stays)),
        limits.yearly_nights.map(|limit| limit.saturating_sub(nights)),
        limits.resort_yearly_stays.map(|limit| limit.saturating_sub(here)),
    )
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

    fn policy() -> Policy {
        Policy {
            points_per_night: 100,
            max_nights: 4,
            peak_periods: Vec::new(),
            free_cancel_days: 7,
            late_refund_percent: 50,
        }
    }

    fn counted(reference: &str, check_in: &str, nights: u32, here: bool) -> Counted {
        Counted { reference: reference.into(), check_in: day(check_in), nights, here }
    }

    /// Judges a request against a resort with two rooms, 1,000 points and these stays counted.
    fn judge(
        request: Request,
        limits: Limits,
        counted: &[Counted],
        held: &HashMap<NaiveDate, i64>,
    ) -> Result<(), Refusal> {
        let policy = policy();
        let facts = Facts {
            parties: Parties { employee_active: true, resort_active: true },
            window: Window { book_ahead_days: 400, min_notice_days: 0, min_nights: 1, ..window() },
            blackouts: Vec::new(),
            capacity: 4,
            policy,
            limits,
            counted: counted.to_vec(),
            balance: 1000,
            rooms: 2,
            held: held.clone(),
            reserved: Vec::new(),
        };
        evaluate_for(request, &facts, at("2026-12-01 10:00"))
    }

    fn request(check_in: &str, nights: u32) -> Request {
        Request { check_in: day(check_in), nights, guests: 1 }
    }

    #[test]
    fn yearly_limits_count_the_check_in_year_and_a_new_year_starts_afresh() {
        let none = HashMap::new();
        let used = [counted("R1", "2026-03-02", 2, true), counted("R2", "2026-12-30", 3, false)];
        let two_stays = Limits { yearly_stays: Some(2), ..Limits::default() };
        let refused = judge(request("2026-12-20", 1), two_stays, &used, &none).unwrap_err();
        assert_eq!(
            refused,
            Refusal::YearlyLimit { limit: Limit::Stays(2), year: 2026, this_year: true, used: used.to_vec() },
            "the stay crossing into 2027 counts in 2026, the year it checks in"
        );
        assert_eq!(judge(request("2027-01-01", 1), two_stays, &used, &none), Ok(()), "2027 has its own count");
        let six_nights = Limits { yearly_nights: Some(6), ..Limits::default() };
        assert_eq!(judge(request("2026-12-20", 1), six_nights, &used, &none), Ok(()), "5 + 1 = 6 nights");
        assert_eq!(judge(request("2026-12-20", 2), six_nights, &used, &none).unwrap_err().code(), "yearly_limit");
        let once_here = Limits { resort_yearly_stays: Some(1), ..Limits::default() };
        assert_eq!(
            judge(request("2026-12-20", 1), once_here, &used, &none),
            Err(Refusal::YearlyLimit {
                limit: Limit::StaysHere(1),
                year: 2026,
                this_year: true,
                used: vec![used[0].clone()]
            })
        );
        assert_eq!(
            left_in(2026, &Limits { yearly_stays: Some(3), yearly_nights: Some(6), ..once_here }, &used),
            (Some(1), Some(1), Some(0))
        );
        assert_eq!(left_in(2027, &two_stays, &used), (Some(2), None, None));
    }

    #[test]
    fn guests_points_and_rooms_are_judged_after_the_window() {
        let none = HashMap::new();
        let five = Request { guests: 5, ..request("2026-12-20", 2) };
        assert_eq!(judge(five, Limits::default(), &[], &none), Err(Refusal::TooManyGuests { capacity: 4 }));
        assert_eq!(judge(Request { guests: 4, ..five }, Limits::default(), &[], &none), Ok(()));
        assert_eq!(
            judge(request("2026-12-20", 11), Limits::default(), &[], &none).unwrap_err().code(),
            "nights_out_of_range",
            "the stay's length is judged before its price"
        );
        let costly = Window { max_nights: 20, ..window() };
        let policy = policy();
        let facts = Facts {
            parties: Parties { employee_active: true, resort_active: true },
            window: Window { min_notice_days: 0, min_nights: 1, ..costly },
            blackouts: Vec::new(),
            capacity: 4,
            policy,
            limits: Limits::default(),
            counted: Vec::new(),
            balance: 1000,
            rooms: 2,
            held: none.clone(),
            reserved: vec![("여름 성수기".into(), day("2026-12-25"))],
        };
        assert_eq!(
            evaluate_for(request("2026-12-20", 10), &facts, at("2026-12-01 10:00")),
            Err(Refusal::Lottery { night: day("2026-12-25"), name: "여름 성수기".into() })
        );
        let facts = Facts { reserved: Vec::new(), ..facts };
        assert_eq!(evaluate_for(request("2026-12-20", 10), &facts, at("2026-12-01 10:00")), Ok(()));
        assert_eq!(
            evaluate_for(request("2026-12-20", 11), &facts, at("2026-12-01 10:00")),
            Err(Refusal::InsufficientPoints { cost: 1100, balance: 1000 })
        );
        let full: HashMap<NaiveDate, i64> = [(day("2026-12-21"), 2), (day("2026-12-20"), 1)].into();
        assert_eq!(
            judge(request("2026-12-20", 2), Limits::default(), &[], &full),
            Err(Refusal::NoRoom { night: day("2026-12-21") })
        );
        assert_eq!(
            judge(request("2026-12-19", 2), Limits::default(), &[], &full),
            Ok(()),
            "checks out on the full night"
        );
    }
}
