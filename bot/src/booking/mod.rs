//! The booking side (gateway-owned tables `booking`, `booking_night`, `saga_step`): the saga's
//! orchestrator and everything that starts or steers a saga from outside, in one folder.
//!
//! | file | job |
//! | --- | --- |
//! | [`model`] | the `Booking` row and how it reads as a snapshot, a saga state, a stay |
//! | [`catalog_cache`] | the catalogue requests are judged against, in memory, read through one version number |
//! | [`desk`] | entry commands: request (judged by the rules in core), cancel, a manager's or an admin's decision |
//! | `intake` | how a new booking is written, and concurrent requests written together in arrival order |
//! | [`limits`] | the company's yearly limits and the stays they count |
//! | [`occupancy`] | the rooms taken per night as acceptance counts them, so the first accepted are served |
//! | [`orchestrator`] | the `booking` consumer: each worker report → the next step |
//! | [`timer`] | the approval deadline as a durable timer, fired once by whichever gateway replica gets there first |
//! | [`queries`] | reads for chats and the admin API |
//! | [`store`] | the SQL every writer above shares (state transitions, steps, nights) |
//! | `commands` | the saga's commands as the messages workers receive |
//!
//! Every change commits together with the outbox messages it causes and a `saga_step` row, then
//! wakes the relay. Guards live in the database: a conditional update on `version` (saga
//! transitions), on `decision IS NULL` (one decision per booking), UNIQUE on the idempotency
//! key, and the `booking_night` primary key (one active booking per employee per night).

pub mod catalog_cache;
mod commands;
pub mod desk;
mod intake;
pub mod limits;
pub mod model;
pub mod occupancy;
pub mod orchestrator;
mod queries;
pub mod store;
pub mod timer;

pub use desk::{Ask, BookingDesk, CancelError, DecideError, RequestError};
pub(crate) use intake::InsertError;
pub use model::{Booking, SagaStep};
pub use queries::Search;
pub use store::{claim_nights_of_older_bookings, load, record_step, save_transition};
