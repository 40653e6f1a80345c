//! The vocabulary of resortbot, shared by the gateway and the workers.
//!
//! # Layout
//! - [`id`], [`clock`]: identifiers and time, injected so tests control them.
//! - [`resort`], [`stay`], [`booking`], [`saga`]: the domain — pure rules with no I/O. The
//!   booking saga's transitions live in [`saga::decide`], tested without a database.
//! - [`message`]: the message catalogue and the envelope every message travels in.
//! - [`db`], [`outbox`], [`inbox`], [`dead_letter`]: the database pool and migrations, the
//!   transactional outbox with its relay, the idempotent consumer loop, and the messages it
//!   parks for an operator.
//! - [`bus`]: the transport abstraction, with an in-process and a RabbitMQ (lapin) transport.
//! - [`i18n`]: fluent localisation (Korean first, English second).
//!
//! Nothing here knows about HTTP, chat platforms or a particular broker client: those live in
//! `bot` and behind [`bus::Transport`].

pub mod booking;
pub mod bus;
pub mod clock;
pub mod db;
pub mod dead_letter;
pub mod i18n;
pub mod id;
pub mod inbox;
pub mod lottery;
pub mod message;
pub mod metrics;
pub mod outbox;
pub mod reference;
pub mod resort;
pub mod rules;
pub mod saga;
pub mod shutdown;
pub mod stay;
pub mod timer;
