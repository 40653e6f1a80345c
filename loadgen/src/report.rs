//! Figures of one run and the medians over runs, as printed lines.

use super::broker_probe::RoundTrip;
use super::drive::Load;
use super::invariants::Invariants;

pub struct RunFigures {
    pub load: Load,
    pub invariants: Invariants,
    pub probe: Option<RoundTrip>,
}

impl RunFigures {
    fn messages_per_booking(&self) -> f64 {
        self.invariants.messages as f64 / self.invariants.bookings.max(1) as f64
    }

    /// Share of the raw broker's round-trip rate that the bookings' messages use.
    fn broker_share(&self) -> Option<f64> {
        self.probe
            .as_ref()
            .map(|probe| self.load.confirmed_per_second() * self.messages_per_booking() / probe.per_second)
    }

    pub fn line(&self) -> String {
        let load = &self.load;
        let mut line = format!(
            "sent {}, accepted {}, confirmed {} ({} pushed); {:.0} confirmed bookings/s; webhook → push p50 {}, p95 {}, p99 {}; {:.1} messages per booking",
            load.sent,
            load.accepted,
            self.invariants.confirmed,
            load.latencies.len(),
            load.confirmed_per_second(),
            millis(load.percentile(0.50)),
            millis(load.percentile(0.95)),
            millis(load.percentile(0.99)),
            self.messages_per_booking(),
        );
        if let (Some(probe), Some(share)) = (&self.probe, self.broker_share()) {
            line.push_str(&format!(
                "; raw broker round trip {:.0} messages/s (p50 {}, p99 {}, {} messages); bookings/s ÷ round trips/s = {:.3}, bookings' messages use {:.0} % of that",
                probe.per_second,
                millis(probe.p50),
                millis(probe.p99),
                probe.messages,
                load.confirmed_per_second() / probe.per_second,
                share * 100.0,
            ));
        }
        if self.invariants.violations.is_empty() {
            line.push_str("; invariants hold");
        } else {
            line.push_str(&format!("; INVARIANTS BROKEN: {}", self.invariants.violations.join("; ")));
        }
        line
    }
}

pub fn summary(runs: &[RunFigures]) -> String {
    let rate = median(runs.iter().map(|run| run.load.confirmed_per_second()));
    let p50 = median(runs.iter().map(|run| run.load.percentile(0.50).as_secs_f64()));
    let p95 = median(runs.iter().map(|run| run.load.percentile(0.95).as_secs_f64()));
    let p99 = median(runs.iter().map(|run| run.load.percentile(0.99).as_secs_f64()));
    let mut line = format!(
        "median of {} runs: {rate:.0} confirmed bookings/s; webhook → push p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        runs.len(),
        p50 * 1e3,
        p95 * 1e3,
        p99 * 1e3
    );
    let probes: Vec<f64> = runs.iter().filter_map(|run| run.probe.as_ref().map(|probe| probe.per_second)).collect();
    if !probes.is_empty() {
        let raw = median(probes.iter().copied());
        let share = median(runs.iter().filter_map(RunFigures::broker_share));
        line.push_str(&format!(
            "; raw broker round trip {raw:.0} messages/s; ratio {:.3}; bookings' messages use {:.0} % of the broker's rate",
            median(runs.iter().filter_map(|run| run.probe.as_ref().map(|probe| run.load.confirmed_per_second() / probe.per_second))),
            share * 100.0
        ));
    }
    line
}

fn millis(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        length if length % 2 == 1 => values[length / 2],
        length => (values[length / 2 - 1] + values[length / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 3.0, 2.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }
}
