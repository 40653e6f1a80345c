//! Alerts to the web console: straight to the open tabs of the person's console account.
//! With no tab open there is nobody to show it to, which is final for that alert.

use super::hub::ConsoleHub;
use crate::push::{Push, PushError, Pusher};
use async_trait::async_trait;
use std::sync::Arc;

pub struct ConsolePusher {
    pub hub: Arc<ConsoleHub>,
}

#[async_trait]
impl Pusher for ConsolePusher {
    async fn send(&self, push: &Push) -> Result<Option<String>, PushError> {
        let body = serde_json::to_string(&push.reply).map_err(|error| PushError::Permanent(error.to_string()))?;
        match self.hub.deliver(&push.platform_user_id, &body) {
            0 => Err(PushError::Permanent("no console tab is open".into())),
            _ => Ok(None),
        }
    }
}
