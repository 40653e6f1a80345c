//! Figures of one run and the medians over runs, as printed lines.

use super::broker_probe::RoundTrip;
use super::drive::Load;
use super::invariants::Invariants;
use super::rush::Rush;
use serde_json::{Value, json};

pub struct RunFigures {
    pub load: Load,
    pub invariants: Invariants,
    pub probe: Option<RoundTrip>,
    pub rush: Option<Rush>,
    /// Deliveries (a consumer taking a message) the bookings caused.
    pub deliveries: i64,
    /// The database's own single-row commit rate, measured after the load.
    pub commits_per_second: f64,
    /// PostgreSQL write transactions during the measured part (none on SQLite).
    pub write_transactions: Option<i64>,
    /// SQL statements the services ran during the measured part (`--count-statements`).
    pub statements: Option<u64>,
}

impl RunFigures {
    fn messages_per_booking(&self) -> f64 {
        self.invariants.messages as f64 / self.invariants.bookings.max(1) as f64
    }

    fn deliveries_per_booking(&self) -> f64 {
        self.deliveries as f64 / self.invariants.bookings.max(1) as f64
    }

    fn statements_per_booking(&self) -> Option<f64> {
        self.statements.map(|count| count as f64 / self.invariants.bookings.max(1) as f64)
    }

    fn commits_per_booking(&self) -> Option<f64> {
        self.write_transactions.map(|count| count as f64 / self.invariants.bookings.max(1) as f64)
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
        line.push_str(&format!(
            "; {:.1} deliveries per booking; database commit probe {:.0} commits/s, bookings/s ÷ commits/s = {:.3}",
            self.deliveries_per_booking(),
            self.commits_per_second,
            load.confirmed_per_second() / self.commits_per_second.max(f64::EPSILON),
        ));
        if let Some(statements) = self.statements_per_booking() {
            line.push_str(&format!("; {statements:.1} SQL statements per booking"));
        }
        if let Some(commits) = self.commits_per_booking() {
            line.push_str(&format!("; {commits:.1} write transactions per booking"));
        }
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

/// The medians of every run as one JSON object (`null` where the mode or the database has no such
/// figure), for scripts.
pub fn json(mode: &str, runs: &[RunFigures]) -> Value {
    let of = |figure: &dyn Fn(&RunFigures) -> f64| median(runs.iter().map(figure));
    let optional = |figure: &dyn Fn(&RunFigures) -> Option<f64>| {
        let values: Vec<f64> = runs.iter().filter_map(figure).collect();
        (!values.is_empty()).then(|| median(values.into_iter()))
    };
    let ms = |duration: std::time::Duration| duration.as_secs_f64() * 1e3;
    json!({
        "mode": mode,
        "bookings": of(&|run| run.load.sent as f64),
        "confirmed": of(&|run| run.invariants.confirmed as f64),
        "confirmed_per_s": of(&|run| run.load.confirmed_per_second()),
        "p50_ms": of(&|run| ms(run.load.percentile(0.50))),
        "p95_ms": of(&|run| ms(run.load.percentile(0.95))),
        "p99_ms": of(&|run| ms(run.load.percentile(0.99))),
        "reply_p99_ms": of(&|run| ms(run.load.reply_percentile(0.99))),
        "broker_round_trips_per_s": optional(&|run| run.probe.as_ref().map(|probe| probe.per_second)),
        "db_commits_per_s": of(&|run| run.commits_per_second),
        "messages_per_booking": of(&RunFigures::messages_per_booking),
        "deliveries_per_booking": of(&RunFigures::deliveries_per_booking),
        // Counted only with `--count-statements`: neither database reports them per run
        // without an extension, so the services' own statement log is counted.
        "statements_per_booking": optional(&RunFigures::statements_per_booking),
        "commits_per_booking": optional(&RunFigures::commits_per_booking),
        "inversions": optional(&|run| run.rush.as_ref().map(|rush| rush.inversions as f64)),
        "invariants_ok": runs.iter().all(|run| run.invariants.violations.is_empty()),
    })
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
