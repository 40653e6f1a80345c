//! The point, hotel and mypage workers.
//!
//! Each worker is a [`resort_core::inbox::Handler`] — `handle(message, connection) -> outgoing`
//! — kept apart from the consume loop, which `resort_core::inbox::Consumer` provides. Each owns
//! its tables and is the only code that writes them:
//! - [`point`]: `point_account`, `point_ledger`.
//! - [`hotel`]: `room_night`, `room_hold`, `room_offer` (it reads the waiting `waitlist_entry` rows
//!   to offer a freed room in the release's own transaction).
//! - [`mypage`]: `mypage_booking`, `mypage_balance` (a read model built only from events).

pub mod hotel;
pub mod mypage;
pub mod point;

use resort_core::inbox::HandleError;
use resort_core::message::Envelope;

/// A message routed to a worker that does not handle its type is a routing mistake: park it.
fn not_mine(worker: &str, envelope: &Envelope) -> HandleError {
    HandleError::Reject(format!("{worker} does not handle {}", envelope.message_type))
}
