//! Who is at which console tab: session tokens, and the live event streams pushes go to.
//!
//! Kept in memory: a console session is one browser tab's, it ends with the process, and the
//! console serves the gateway it was opened on. Several tabs of one person share that person's
//! console account, so an alert shows in each of them.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// Alerts a tab has not read yet before it counts as gone.
const TAB_BACKLOG: usize = 32;

#[derive(Default)]
pub struct ConsoleHub {
    /// Session token → console account (the `platform_user_id` of platform `console`).
    sessions: Mutex<HashMap<String, String>>,
    /// Console account → the event streams of its open tabs.
    tabs: Mutex<HashMap<String, Vec<mpsc::Sender<String>>>>,
}

impl ConsoleHub {
    /// A new session for `account`; returns its token.
    pub fn open_session(&self, account: &str) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.sessions.lock().expect("console sessions lock").insert(token.clone(), account.to_owned());
        token
    }

    pub fn account_of(&self, token: &str) -> Option<String> {
        self.sessions.lock().expect("console sessions lock").get(token).cloned()
    }

    /// A stream of the account's alerts (as JSON replies) for one tab.
    pub fn listen(&self, account: &str) -> mpsc::Receiver<String> {
        let (sender, receiver) = mpsc::channel(TAB_BACKLOG);
        self.tabs.lock().expect("console tabs lock").entry(account.to_owned()).or_default().push(sender);
        receiver
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

    #[test]
    fn a_token_names_one_account_and_alerts_reach_every_open_tab() {
        let hub = ConsoleHub::default();
        let token = hub.open_session("console-E1001");
        assert_eq!(hub.account_of(&token).as_deref(), Some("console-E1001"));
        assert_eq!(hub.account_of("forged"), None);
        assert_eq!(hub.deliver("console-E1001", "{}"), 0);
        let mut first = hub.listen("console-E1001");
        let second = hub.listen("console-E1001");
        drop(second);
        assert_eq!(hub.deliver("console-E1001", "{\"a\":1}"), 1, "a closed tab is dropped");
        assert_eq!(first.try_recv().unwrap(), "{\"a\":1}");
    }
}
