//! Pacing sends to a platform's limits: at most so many messages a second overall, and a gap
//! between two messages to one chat, and a pause of exactly the time the platform asked for when
//! it answers 429 with a `retry_after`. Sends still run concurrently; each first reserves its
//! moment, then waits for it (and for any pause set meanwhile) on the real clock — rate limits
//! are about wall time, whatever the business clock says.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A platform's documented sending limits; `None` means none we need to keep to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pace {
    /// Messages per second across all chats.
    pub per_second: Option<u32>,
    /// The least time between two messages to the same chat.
    pub per_chat: Option<Duration>,
}

#[derive(Debug)]
pub struct Pacer {
    pace: Pace,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest moment the next message may go, overall.
    next_free: Instant,
    /// When each chat was last given a moment.
    last_to: HashMap<String, Instant>,
    /// Nothing goes before this (the platform asked us to wait).
    paused_until: Instant,
}

impl Pacer {
    pub fn new(pace: Pace) -> Self {
        let now = Instant::now();
        Self { pace, state: Mutex::new(State { next_free: now, last_to: HashMap::new(), paused_until: now }) }
    }

    /// Reserves the next moment a message to `chat` may go.
    fn reserve(&self, chat: &str) -> Instant {
        let now = Instant::now();
        let mut state = self.state.lock().expect("pacer lock");
        let mut at = now.max(state.next_free).max(state.paused_until);
        if let (Some(gap), Some(last)) = (self.pace.per_chat, state.last_to.get(chat)) {
            at = at.max(*last + gap);
        }
        if let Some(rate) = self.pace.per_second.filter(|rate| *rate > 0) {
            state.next_free = at + Duration::from_secs(1) / rate;
        }
        if let Some(gap) = self.pace.per_chat {
            if state.last_to.len() > 10_000 {
                state.last_to.retain(|_, last| *last + gap > now);
            }
            state.last_to.insert(chat.to_owned(), at);
        }
        at
    }

    /// Waits until a message to `chat` may go: its reserved moment, and past any pause.
    pub async fn wait_turn(&self, chat: &str) {
        loop {
            let at = self.reserve(chat);
            tokio::time::sleep_until(at).await;
            let paused_until = self.state.lock().expect("pacer lock").paused_until;
            if paused_until <= Instant::now() {
                return;
            }
            // A 429 arrived while this one waited: take a new moment after the pause.
            tokio::time::sleep_until(paused_until).await;
        }
    }

    /// The platform said to wait `retry_after` before sending again.
    pub fn pause(&self, retry_after: Duration) {
        let until = Instant::now() + retry_after;
        let mut state = self.state.lock().expect("pacer lock");
        state.paused_until = state.paused_until.max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn moments_keep_the_rate_the_gap_per_chat_and_a_pause() {
        let pacer = Pacer::new(Pace { per_second: Some(10), per_chat: Some(Duration::from_secs(1)) });
        let start = Instant::now();
        let moments: Vec<Duration> = ["a", "b", "c", "a"].iter().map(|chat| pacer.reserve(chat) - start).collect();
        let millis: Vec<u128> = moments.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [0, 100, 200, 1000], "10 a second, and a's second message a second after its first");
        pacer.pause(Duration::from_secs(3));
        assert_eq!((pacer.reserve("d") - start).as_millis(), 3000, "nothing before the pause ends");
        let unpaced = Pacer::new(Pace::default());
        assert_eq!(unpaced.reserve("a"), unpaced.reserve("a"));
    }
}
