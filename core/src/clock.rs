//! Time as a dependency. Production reads the system clock; tests use [`ManualClock`] so that an
//! approval deadline can pass without sleeping for hours.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The company's calendar: "today" and "check-in day" are Korean dates.
pub fn korea() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// An instant (Unix milliseconds, as stored) as RFC 3339 in Korean time, for what people and
/// other programs read: `2026-12-18T15:00:00+09:00`.
pub fn rfc3339(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis).map(|at| at.with_timezone(&korea()).to_rfc3339()).unwrap_or_default()
}

/// `#[serde(serialize_with = "resort_core::clock::as_rfc3339")]` for a stored instant.
pub fn as_rfc3339<S: serde::Serializer>(millis: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(*millis))
}

/// [`as_rfc3339`] for an instant that may be absent (`null`).
pub fn as_rfc3339_or_null<S: serde::Serializer>(millis: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match millis {
        Some(millis) => serializer.serialize_str(&rfc3339(*millis)),
        None => serializer.serialize_none(),
    }
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    fn now_millis(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Today's date in Korea.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&korea()).date_naive()
    }
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { millis: AtomicI64::new(start.timestamp_millis()) }
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.millis.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.millis.load(Ordering::SeqCst))
            .expect("manual clock stays within chrono's range")
    }
}
