//! Resort policies: what a stay costs and what a cancellation gives back.
//!
//! Points are whole numbers (`i64`) everywhere; percentages round down so the company never pays
//! out a fraction of a point more than the policy says.

use crate::stay::Stay;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A period in which nights cost `percent`/100 of the base price (peak season).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        stay.nights()
            .map(|night| {
                let percent = self
                    .peak_periods
                    .iter()
                    .filter(|period| period.from <= night && night <= period.to)
                    .map(|period| period.percent)
                    .max()
                    .unwrap_or(100);
                self.points_per_night * i64::from(percent) / 100
            })
            .sum()
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
    fn cancelling_early_refunds_everything_and_late_refunds_the_late_percentage() {
        let check_in = parse_date("2026-12-20").unwrap();
        assert_eq!(policy().refund(300, check_in, parse_date("2026-12-13").unwrap()), 300);
        assert_eq!(policy().refund(300, check_in, parse_date("2026-12-14").unwrap()), 150);
        assert_eq!(policy().refund(301, check_in, parse_date("2026-12-20").unwrap()), 150);
    }
}
