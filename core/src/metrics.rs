//! Process metrics in the Prometheus text format, with no exporter crate: counters and
//! histograms keyed by name and labels, kept in one registry per process and rendered at
//! `/metrics`. Recording is a short lock on a map; the hot paths record once per message or
//! request, far below what would make that matter.
//!
//! | metric | labels |
//! | --- | --- |
//! | `resortbot_http_requests_total` | `route`, `status` |
//! | `resortbot_messages_consumed_total` | `consumer`, `type` |
//! | `resortbot_messages_published_total` | `type` |
//! | `resortbot_messages_dead_lettered_total` | `consumer`, `type` |
//! | `resortbot_saga_step_seconds` (histogram) | `step` — time from the request to the step |
//! | `resortbot_bookings_total` | `state` — bookings that reached a final state |
//! | `resortbot_outbox_backlog` (gauge, read at scrape) | — |

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};

/// Upper bounds of the saga step histogram, in seconds.
const STEP_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0];

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Registry {
    counters: Mutex<BTreeMap<(&'static str, Labels), u64>>,
    histograms: Mutex<BTreeMap<(&'static str, Labels), Histogram>>,
}

static GLOBAL: LazyLock<Registry> = LazyLock::new(Registry::default);

/// This process's registry.
pub fn global() -> &'static Registry {
    &GLOBAL
}

impl Registry {
    pub fn increment(&self, name: &'static str, labels: &[(&'static str, &str)]) {
        let key = (name, owned(labels));
        *self.counters.lock().expect("metrics lock").entry(key).or_default() += 1;
    }

    pub fn observe_seconds(&self, name: &'static str, labels: &[(&'static str, &str)], seconds: f64) {
        let key = (name, owned(labels));
        let mut histograms = self.histograms.lock().expect("metrics lock");
        let histogram = histograms
            .entry(key)
            .or_insert_with(|| Histogram { buckets: vec![0; STEP_BUCKETS.len()], ..Histogram::default() });
        for (bucket, bound) in histogram.buckets.iter_mut().zip(STEP_BUCKETS) {
            if seconds <= *bound {
                *bucket += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// Everything recorded, plus the given gauges, in the Prometheus text format.
    pub fn render(&self, gauges: &[(&'static str, f64)]) -> String {
        let mut text = String::new();
        let mut last_name = "";
        for ((name, labels), value) in self.counters.lock().expect("metrics lock").iter() {
            if *name != last_name {
                let _ = writeln!(text, "# TYPE {name} counter");
                last_name = name;
            }
            let _ = writeln!(text, "{name}{} {value}", label_text(labels, None));
        }
        for ((name, labels), histogram) in self.histograms.lock().expect("metrics lock").iter() {
            if *name != last_name {
                let _ = writeln!(text, "# TYPE {name} histogram");
                last_name = name;
            }
            for (bound, bucket) in STEP_BUCKETS.iter().zip(&histogram.buckets) {
                let _ = writeln!(text, "{name}_bucket{} {bucket}", label_text(labels, Some(&bound.to_string())));
            }
            let _ = writeln!(text, "{name}_bucket{} {}", label_text(labels, Some("+Inf")), histogram.count);
            let _ = writeln!(text, "{name}_sum{} {}", label_text(labels, None), histogram.sum);
            let _ = writeln!(text, "{name}_count{} {}", label_text(labels, None), histogram.count);
        }
        for (name, value) in gauges {
            let _ = writeln!(text, "# TYPE {name} gauge\n{name} {value}");
        }
        text
    }
}

fn owned(labels: &[(&'static str, &str)]) -> Labels {
    labels.iter().map(|(name, value)| (*name, (*value).to_owned())).collect()
}

fn label_text(labels: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels.iter().map(|(name, value)| format!("{name}=\"{}\"", escape(value))).collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_the_text_format() {
        let registry = Registry::default();
        registry.increment("resortbot_http_requests_total", &[("route", "/kakao/skill"), ("status", "200")]);
        registry.increment("resortbot_http_requests_total", &[("route", "/kakao/skill"), ("status", "200")]);
        registry.increment("resortbot_bookings_total", &[("state", "say \"hi\"")]);
        registry.observe_seconds("resortbot_saga_step_seconds", &[("step", "hotel.confirmed")], 0.2);
        let text = registry.render(&[("resortbot_outbox_backlog", 3.0)]);
        assert!(text.contains("# TYPE resortbot_http_requests_total counter\n"), "{text}");
        assert!(text.contains("resortbot_http_requests_total{route=\"/kakao/skill\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("resortbot_bookings_total{state=\"say \\\"hi\\\"\"} 1"), "{text}");
        assert!(text.contains("resortbot_saga_step_seconds_bucket{step=\"hotel.confirmed\",le=\"0.1\"} 0\n"), "{text}");
        assert!(
            text.contains("resortbot_saga_step_seconds_bucket{step=\"hotel.confirmed\",le=\"0.25\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("resortbot_saga_step_seconds_count{step=\"hotel.confirmed\"} 1\n"), "{text}");
        assert!(text.contains("# TYPE resortbot_outbox_backlog gauge\nresortbot_outbox_backlog 3\n"), "{text}");
    }
}
