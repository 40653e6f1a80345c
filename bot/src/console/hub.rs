//! Who is at which console tab: session tokens, and the live event streams pushes go to.
//!
//! Kept in memory: a console session is one browser tab's, it ends with the process, and the
//! console serves the gateway it was opened on. Several tabs of one person share that person's
//! console account, so an alert shows in each of them.
//!
//! Anyone can open a session, so what they cost is bounded: a session lapses after
//! [`SESSION_IDLE_MILLIS`] without a turn, and one source address holds at most
//! [`SESSIONS_PER_SOURCE`] (opening another drops its oldest). On shutdown every event stream
//! is ended, so open tabs do not hold the server up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use tokio::sync::{mpsc, watch};

/// Alerts a tab has not read yet before it counts as gone.
const TAB_BACKLOG: usize = 32;
/// A session unused this long is gone.
pub const SESSION_IDLE_MILLIS: i64 = 12 * 3600 * 1000;
/// Live sessions one source address may hold.
pub const SESSIONS_PER_SOURCE: usize = 20;

struct Session {
    account: String,
    source: IpAddr,
    opened_at: i64,
    used_at: i64,
}

pub struct ConsoleHub {
    /// Session token → its console account (the `platform_user_id` of platform `console`).
    sessions: Mutex<HashMap<String, Session>>,
    /// Console account → the event streams of its open tabs.
    tabs: Mutex<HashMap<String, Vec<mpsc::Sender<String>>>>,
    /// Flips to `true` when the server shuts down; every event stream ends then.
    closing: watch::Sender<bool>,
}

impl Default for ConsoleHub {
    fn default() -> Self {
        Self { sessions: Mutex::default(), tabs: Mutex::default(), closing: watch::Sender::new(false) }
    }
}

impl ConsoleHub {
    /// A new session for `account` opened from `source` at `now`; returns its token.
    pub fn open_session(&self, account: &str, source: IpAddr, now: i64) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let mut sessions = self.sessions.lock().expect("console sessions lock");
        sessions.retain(|_, session| now - session.used_at < SESSION_IDLE_MILLIS);
        let mut of_source: Vec<(i64, String)> = sessions
            .iter()
            .filter(|(_, session)| session.source == source)
            .map(|(token, session)| (session.opened_at, token.clone()))
            .collect();
        if of_source.len() >= SESSIONS_PER_SOURCE {
            of_source.sort();
            for (_, oldest) in &of_source[..=of_source.len() - SESSIONS_PER_SOURCE] {
                sessions.remove(oldest);
            }
        }
        sessions.insert(token.clone(), Session { account: account.to_owned(), source, opened_at: now, used_at: now });
        token
    }

    /// The account of a live session, which counts as used at `now`.
    pub fn account_of(&self, token: &str, now: i64) -> Option<String> {
        let mut sessions = self.sessions.lock().expect("console sessions lock");
        let session = sessions.get_mut(token)?;
        if now - session.used_at >= SESSION_IDLE_MILLIS {
            sessions.remove(token);
            return None;
        }
        session.used_at = now;
        Some(session.account.clone())
    }

    /// A stream of the account's alerts (as JSON replies) for one tab.
    pub fn listen(&self, account: &str) -> mpsc::Receiver<String> {
        let (sender, receiver) = mpsc::channel(TAB_BACKLOG);
        self.tabs.lock().expect("console tabs lock").entry(account.to_owned()).or_default().push(sender);
        receiver
    }

    /// Resolves once the server is shutting down.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Ends every event stream, now and from now on.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Hands an alert to every open tab of the account; how many took it.
    pub fn deliver(&self, account: &str, reply_json: &str) -> usize {
        let mut tabs = self.tabs.lock().expect("console tabs lock");
        let Some(senders) = tabs.get_mut(account) else {
            return 0;
        };
        senders.retain(|sender| sender.try_send(reply_json.to_owned()).is_ok());
        senders.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_token_names_one_account_and_alerts_reach_every_open_tab() {
        let hub = ConsoleHub::default();
        let token = hub.open_session("console-E1001", HOME, 0);
        assert_eq!(hub.account_of(&token, 1).as_deref(), Some("console-E1001"));
        assert_eq!(hub.account_of("forged", 1), None);
        assert_eq!(hub.deliver("console-E1001", "{}"), 0);
        let mut first = hub.listen("console-E1001");
        let second = hub.listen("console-E1001");
        drop(second);
        assert_eq!(hub.deliver("console-E1001", "{\"a\":1}"), 1, "a closed tab is dropped");
        assert_eq!(first.try_recv().unwrap(), "{\"a\":1}");
    }

    #[test]
    fn an_idle_session_lapses_and_one_address_holds_a_bounded_number() {
        let hub = ConsoleHub::default();
        let token = hub.open_session("a", HOME, 0);
        assert!(hub.account_of(&token, SESSION_IDLE_MILLIS - 1).is_some(), "a turn keeps it alive");
        assert!(hub.account_of(&token, 2 * SESSION_IDLE_MILLIS - 2).is_some());
        assert!(hub.account_of(&token, 3 * SESSION_IDLE_MILLIS).is_none(), "unused for too long");

        let tokens: Vec<String> =
            (0..SESSIONS_PER_SOURCE as i64 + 5).map(|at| hub.open_session("b", HOME, at)).collect();
        let live = tokens.iter().filter(|token| hub.account_of(token, 100).is_some()).count();
        assert_eq!(live, SESSIONS_PER_SOURCE);
        assert!(hub.account_of(&tokens[0], 100).is_none(), "the oldest went first");
        assert!(hub.account_of(tokens.last().unwrap(), 100).is_some());
        let elsewhere = hub.open_session("c", "192.0.2.1".parse().unwrap(), 100);
        assert!(hub.account_of(&elsewhere, 101).is_some(), "another address has its own allowance");
    }
}
