//! Resort policies: what a stay costs and what a cancellation gives back.
//!
//! Points are whole numbers (`i64`) everywhere; percentages round down so the company never pays
//! out a fraction of a point more than the policy says.

use crate::stay::Stay;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A period in which nights cost `percent`/100 of the base price (peak season).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakPeriod {
    pub from: NaiveDate,
    /// Inclusive: a night starting on `to` is still peak.
    pub to: NaiveDate,
    pub percent: u32,
}

/// The parts of a resort that the booking rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub points_per_night: i64,
    pub max_nights: u32,
    pub peak_periods: Vec<PeakPeriod>,
    pub free_cancel_days: u32,
    pub late_refund_percent: u32,
}

impl Policy {
    /// The points a stay costs: each night at the base price, or at the peak price when the night
    /// falls in a peak period (the highest one wins if periods overlap).
    pub fn cost(&self, stay: &Stay) -> i64 {
        stay.nights().map(|night| self.points_per_night * i64::from(self.percent_on(night)) / 100).sum()
    }

    /// What a night costs as a share of the base price, in percent (100 outside peak periods).
    fn percent_on(&self, night: NaiveDate) -> u32 {
        self.peak_periods
            .iter()
            .filter(|period| period.from <= night && night <= period.to)
            .map(|period| period.percent)
            .max()
            .unwrap_or(100)
    }

    /// The stay's nights at a price other than the base one, grouped by percent: `(percent,
    /// nights, price of one such night)`, in the order they first occur. Empty off peak.
    pub fn surcharges(&self, stay: &Stay) -> Vec<(u32, u32, i64)> {
        let mut groups: Vec<(u32, u32, i64)> = Vec::new();
        for night in stay.nights() {
            let percent = self.percent_on(night);
            if percent == 100 {
                continue;
            }
            match groups.iter_mut().find(|(seen, _, _)| *seen == percent) {
                Some(group) => group.1 += 1,
                None => groups.push((percent, 1, self.points_per_night * i64::from(percent) / 100)),
            }
        }
        groups
    }

    /// The points a cancellation gives back: everything up to `free_cancel_days` before check-in,
    /// `late_refund_percent` after that (including on or after the check-in day).
    pub fn refund(&self, paid: i64, check_in: NaiveDate, today: NaiveDate) -> i64 {
        if self.is_late(check_in, today) { paid * i64::from(self.late_refund_percent) / 100 } else { paid }
    }

    /// Whether a cancel `today` comes late: fewer than `free_cancel_days` before check-in. A late
    /// cancel refunds less, and a yearly limit may count it.
    pub fn is_late(&self, check_in: NaiveDate, today: NaiveDate) -> bool {
        (check_in - today).num_days() < i64::from(self.free_cancel_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stay::parse_date;

    fn policy() -> Policy {
        Policy {
            points_per_night: 100,
            max_nights: 5,
            peak_periods: vec![PeakPeriod {
                from: parse_date("2026-12-24").unwrap(),
                to: parse_date("2026-12-25").unwrap(),
                percent: 150,
            }],
            free_cancel_days: 7,
            late_refund_percent: 50,
        }
    }

    #[test]
    fn peak_nights_cost_the_peak_percentage_and_others_the_base_price() {
        let today = parse_date("2026-12-01").unwrap();
        let stay = Stay::new(parse_date("2026-12-23").unwrap(), 4, today, 5).unwrap();
        // 23rd base, 24th and 25th peak, 26th base.
        assert_eq!(policy().cost(&stay), 100 + 150 + 150 + 100);
    }

    #[test]
    fn peak_nights_are_told_apart_with_their_price() {
        let stay = Stay { check_in: parse_date("2026-12-22").unwrap(), nights: 4 };
        assert_eq!(policy().surcharges(&stay), vec![(150, 2, 150)]);
        assert_eq!(policy().cost(&stay), 100 + 100 + 150 + 150);
        let off_peak = Stay { check_in: parse_date("2026-12-01").unwrap(), nights: 2 };
        assert!(policy().surcharges(&off_peak).is_empty());
    }

    #[test]
    fn cancelling_early_refunds_everything_and_late_refunds_the_late_percentage() {
        let check_in = parse_date("2026-12-20").unwrap();
        assert_eq!(policy().refund(300, check_in, parse_date("2026-12-13").unwrap()), 300);
        assert_eq!(policy().refund(300, check_in, parse_date("2026-12-14").unwrap()), 150);
        assert_eq!(policy().refund(301, check_in, parse_date("2026-12-20").unwrap()), 150);
    }
}
