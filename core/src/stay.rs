//! A stay: a check-in date and a number of nights. The nights of a stay are what the hotel
//! holds rooms for and what points are charged for.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stay {
    pub check_in: NaiveDate,
    pub nights: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StayError {
    #[error("check-in date is not a YYYY-MM-DD date")]
    BadDate,
    #[error("check-in is in the past")]
    CheckInPast,
    #[error("a stay needs at least one night")]
    NoNights,
    #[error("the resort allows at most {max} nights")]
    TooManyNights { max: u32 },
    #[error("check-in is after the last bookable day {last}")]
    TooFarAhead { last: NaiveDate },
}

/// How far ahead a check-in may lie at all: past the longest booking window a resort may set
/// (the window itself is `rules`). Every date the product accepts is bounded by it, so no
/// arithmetic on a stay's nights can leave chrono's range whatever a person types.
pub const MAX_DAYS_AHEAD: u64 = crate::rules::MAX_BOOK_AHEAD_DAYS as u64 + 1;

impl Stay {
    /// Validates a stay against today's date, the furthest bookable day and the resort's longest
    /// allowed stay.
    pub fn new(check_in: NaiveDate, nights: u32, today: NaiveDate, max_nights: u32) -> Result<Self, StayError> {
        if check_in < today {
            return Err(StayError::CheckInPast);
        }
        let last = last_bookable_day(today);
        if check_in > last {
            return Err(StayError::TooFarAhead { last });
        }
        if nights == 0 {
            return Err(StayError::NoNights);
        }
        if nights > max_nights {
            return Err(StayError::TooManyNights { max: max_nights });
        }
        Ok(Self { check_in, nights })
    }

    /// Each night of the stay, by the date the night starts. A stay read back from a message or
    /// a row was validated when it was made; should one lie at the end of the calendar anyway,
    /// its nights stop there rather than panic.
    pub fn nights(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..self.nights).map_while(|offset| self.check_in.checked_add_days(Days::new(u64::from(offset))))
    }

    /// The morning after the last night (the end of chrono's calendar at most).
    pub fn check_out(&self) -> NaiveDate {
        self.check_in.checked_add_days(Days::new(u64::from(self.nights))).unwrap_or(NaiveDate::MAX)
    }
}

/// The furthest check-in open today.
pub fn last_bookable_day(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(MAX_DAYS_AHEAD)).unwrap_or(NaiveDate::MAX)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, StayError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| StayError::BadDate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn a_stay_lists_each_night_and_checks_out_the_morning_after_the_last() {
        let stay = Stay::new(date("2026-12-30"), 3, date("2026-12-01"), 5).unwrap();
        let nights: Vec<_> = stay.nights().map(|night| night.to_string()).collect();
        assert_eq!(nights, ["2026-12-30", "2026-12-31", "2027-01-01"]);
        assert_eq!(stay.check_out(), date("2027-01-02"));
    }

    #[test]
    fn a_stay_in_the_past_or_with_no_or_too_many_nights_is_refused() {
        let today = date("2026-12-10");
        assert_eq!(Stay::new(date("2026-12-09"), 1, today, 5), Err(StayError::CheckInPast));
        assert_eq!(Stay::new(today, 0, today, 5), Err(StayError::NoNights));
        assert_eq!(Stay::new(today, 6, today, 5), Err(StayError::TooManyNights { max: 5 }));
        assert!(Stay::new(today, 5, today, 5).is_ok());
        assert_eq!(parse_date("2026-13-01"), Err(StayError::BadDate));
    }

    #[test]
    fn a_check_in_beyond_a_year_or_at_the_end_of_the_calendar_is_refused_without_panicking() {
        let today = date("2026-12-10");
        let last = last_bookable_day(today);
        assert_eq!(last, today + Days::new(MAX_DAYS_AHEAD));
        assert_eq!(Stay::new(last, 1, today, 5).map(|stay| stay.check_out()), Ok(last + Days::new(1)));
        assert_eq!(Stay::new(last + Days::new(1), 1, today, 5), Err(StayError::TooFarAhead { last }));
        assert_eq!(Stay::new(date("9999-12-31"), 1, today, 5), Err(StayError::TooFarAhead { last }));
        let end = parse_date("+262142-12-31").unwrap();
        assert_eq!(Stay::new(end, 1, today, 5), Err(StayError::TooFarAhead { last }));
        let at_the_end = Stay { check_in: end, nights: 2 };
        assert_eq!(at_the_end.nights().collect::<Vec<_>>(), [end]);
        assert_eq!(at_the_end.check_out(), NaiveDate::MAX);
    }
}
