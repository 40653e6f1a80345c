//! The saga's commands as messages: the one place a [`SagaCommand`] becomes what a worker
//! receives. Holding a room needs its room type's inventory and the approval policy; a decision names
//! who made it.

use super::model::Booking;
use crate::catalog::Resort;
use resort_core::message::{BookingRef, HotelDecide, HotelHold, HotelOffer, Message, PointDeduct, PointRefund};
use resort_core::saga::SagaCommand;

/// What a command may need besides the booking.
#[derive(Default)]
pub struct Context<'a> {
    pub resort: Option<&'a Resort>,
    pub decided_by: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
#[error("resort {0} is gone, so its room cannot be held")]
pub struct ResortGone(pub resort_core::id::ResortId);

pub fn message(command: SagaCommand, booking: &Booking, context: &Context<'_>) -> Result<Message, ResortGone> {
    let booking_id = booking.id;
    Ok(match command {
        SagaCommand::DeductPoints(amount) => {
            Message::PointDeduct(PointDeduct { booking_id, employee_id: booking.employee_id, amount })
        }
        SagaCommand::HoldRoom { firm } => {
            let resort = context.resort.ok_or(ResortGone(booking.resort_id))?;
            // A room type removed since the booking was made holds nothing: no rooms left.
            let rooms = resort.room_type(Some(booking.room_type_id)).map_or(0, |room_type| room_type.rooms);
            Message::HotelHold(HotelHold {
                booking_id,
                resort_id: booking.resort_id,
                room_type_id: Some(booking.room_type_id),
                rooms,
                check_in: booking.check_in,
                nights: booking.nights,
                auto_approve: firm,
                from_offer: Some(booking.origin == resort_core::booking::Origin::Offer),
            })
        }
        SagaCommand::DecideRoom { decision, reason } => Message::HotelDecide(HotelDecide {
            booking_id,
            decision,
            decided_by: context.decided_by.map(str::to_owned),
            reason,
        }),
        SagaCommand::ReleaseRoom => Message::HotelRelease(BookingRef { booking_id }),
        SagaCommand::RefundPoints(amount) => {
            Message::PointRefund(PointRefund { booking_id, employee_id: booking.employee_id, amount })
        }
        SagaCommand::OfferRoom => Message::HotelOffer(HotelOffer {
            resort_id: booking.resort_id,
            room_type_id: booking.room_type_id,
            check_in: booking.check_in,
            nights: booking.nights,
        }),
    })
}

/// The messages of commands that need nothing but the booking (everything but holding a room).
pub fn messages(commands: Vec<SagaCommand>, booking: &Booking, context: &Context<'_>) -> Vec<Message> {
    commands
        .into_iter()
        .filter_map(|command| match message(command, booking, context) {
            Ok(message) => Some(message),
            Err(error) => {
                tracing::error!(%error, booking_id = %booking.id, "a saga command could not be sent");
                None
            }
        })
        .collect()
}
