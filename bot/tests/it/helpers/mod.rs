//! Test support, one job per file: the app in this process ([`app`]), child processes
//! ([`processes`]), per-test storage ([`storage`]), the Kakao driver ([`kakao`]), the admin
//! driver ([`admin`]), waits ([`waits`]) and shared scenarios ([`scenarios`]). Everything is
//! re-exported here, so tests write `helpers::spawn_app`.

use super::kakao_standin::{BOT_ID, KakaoStandIn, REST_API_KEY, push_button};
use chrono::Utc;
use resort_core::clock::ManualClock;
use resort_core::db::Pool;
use resort_core::shutdown::ShutdownTrigger;
use resortbot::config::{Config, Secret};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

mod admin;
mod app;
mod kakao;
mod processes;
mod scenarios;
mod storage;
mod waits;

pub use app::*;
pub use kakao::*;
pub use processes::*;
pub use scenarios::*;
pub use storage::*;
pub use waits::*;
