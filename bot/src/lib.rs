//! resortbot's gateway: webhooks, the admin API, the conversation layer, the booking saga's
//! orchestrator and the notifier; plus [`app::run`], which starts every role in one process.
//!
//! # Layout
//! - [`app`], [`config`], [`server`], [`health`], [`seed`]: the process.
//! - [`bearer`], [`replay`]: bearer tokens, and signed deliveries taken once.
//! - [`kakao`], [`telegram`], [`discord`], [`console`], [`admin`]: the adapters. An adapter maps its wire format to
//!   [`conversation`] and back; it holds no SQL and no business rule.
//! - [`conversation`]: a chat turn in, a platform-neutral reply out.
//! - [`booking`]: the booking side — entry commands, the saga orchestrator, the deadline, reads.
//! - [`catalog`], [`identity`]: resorts and managers; employees and their chat accounts.
//! - [`admins`], [`audit`]: named admins with their roles; who changed what, appended only.
//! - [`notifier`], [`push`]: alerts to chat users, written durably, then sent.

pub mod admin;
pub mod admins;
pub mod app;
pub mod audit;
pub mod bearer;
pub mod booking;
pub mod catalog;
pub mod config;
pub mod console;
pub mod conversation;
pub mod discord;
pub mod health;
pub mod identity;
pub mod kakao;
pub mod lottery;
pub mod notifier;
pub mod overview;
pub mod push;
pub mod replay;
pub mod reports;
pub mod seed;
pub mod server;
pub mod telegram;
pub mod waitlist;
