//! The booking saga's rules, without I/O: given the booking's state and what a worker reported,
//! which state comes next and which commands go out.
//!
//! The booking side orchestrates; the point and hotel workers only answer. Compensation runs in
//! reverse order of the steps taken: a room that was held is released before points are
//! refunded. A report that does not fit the current state (a redelivery, or a race the hotel
//! worker already settled) is ignored rather than trusted.

use crate::booking::{BookingStatus, RejectReason};

/// The part of a booking the saga reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaState {
    pub status: BookingStatus,
    /// Points paid for the stay.
    pub points: i64,
    /// Points the cancellation policy gives back, fixed when the cancel was requested.
    pub refund_points: Option<i64>,
}

/// What a worker reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SagaEvent {
    PointsDeducted,
    PointsRejected,
    PointsRefunded,
    RoomHeld,
    RoomUnavailable,
    RoomConfirmed { decided_by: Option<String> },
    RoomRejected { reason: RejectReason, decided_by: Option<String> },
    RoomReleased,
}

/// A command the saga sends next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SagaCommand {
    HoldRoom,
    ReleaseRoom,
    RefundPoints(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub status: BookingStatus,
    pub reason: Option<RejectReason>,
    pub decided_by: Option<String>,
    /// Points the booking gives back, when this transition settles them: the whole price on a
    /// rejection after the deduction, nothing when the deduction never happened. The booking
    /// carries the figure, so every reader (alerts, history) shows the one the saga refunded.
    pub refund_points: Option<i64>,
    pub commands: Vec<SagaCommand>,
}

impl Transition {
    fn to(status: BookingStatus) -> Self {
        Self { status, reason: None, decided_by: None, refund_points: None, commands: Vec::new() }
    }

    fn sending(mut self, command: SagaCommand) -> Self {
        if let SagaCommand::RefundPoints(amount) = command {
            self.refund_points = Some(amount);
        }
        self.commands.push(command);
        self
    }
}

/// `None` means the event does not move this booking (it is stale or a duplicate).
pub fn decide(state: &SagaState, event: &SagaEvent) -> Option<Transition> {
    use BookingStatus as S;
    use SagaEvent as E;
    let transition = match (state.status, event) {
        (S::Requested, E::PointsDeducted) => Transition::to(S::PointsDeducted).sending(SagaCommand::HoldRoom),
        (S::Requested, E::PointsRejected) => Transition {
            reason: Some(RejectReason::InsufficientPoints),
            refund_points: Some(0),
            ..Transition::to(S::Rejected)
        },
        (S::PointsDeducted, E::RoomHeld) => Transition::to(S::AwaitingApproval),
        (S::PointsDeducted | S::AwaitingApproval, E::RoomConfirmed { decided_by }) => {
            Transition { decided_by: decided_by.clone(), ..Transition::to(S::Confirmed) }
        }
        (S::PointsDeducted, E::RoomUnavailable) => {
            Transition { reason: Some(RejectReason::NoRoom), ..Transition::to(S::Rejected) }
                .sending(SagaCommand::RefundPoints(state.points))
        }
        // The hotel worker released the hold itself when it rejected, so only points are owed.
        (S::AwaitingApproval, E::RoomRejected { reason, decided_by }) => {
            Transition { reason: Some(*reason), decided_by: decided_by.clone(), ..Transition::to(S::Rejected) }
                .sending(SagaCommand::RefundPoints(state.points))
        }
        (S::Cancelling, E::RoomReleased) => match state.refund_points.unwrap_or(0) {
            0 => Transition::to(S::Cancelled),
            refund => Transition::to(S::Cancelling).sending(SagaCommand::RefundPoints(refund)),
        },
        (S::Cancelling, E::PointsRefunded) => Transition::to(S::Cancelled),
        _ => return None,
    };
    Some(transition)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    #[error("a booking in state {0} cannot be cancelled")]
    NotCancellable(BookingStatus),
}

/// The employee confirmed a cancel: release the room first, refund when it is released.
pub fn request_cancel(state: &SagaState) -> Result<Transition, CancelError> {
    if !state.status.is_cancellable() {
        return Err(CancelError::NotCancellable(state.status));
    }
    Ok(Transition::to(BookingStatus::Cancelling).sending(SagaCommand::ReleaseRoom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus as S;

    fn given(status: BookingStatus) -> SagaState {
        SagaState { status, points: 300, refund_points: None }
    }

    #[test]
    fn deducted_points_lead_to_holding_a_room() {
        let next = decide(&given(S::Requested), &SagaEvent::PointsDeducted).unwrap();
        assert_eq!(next.status, S::PointsDeducted);
        assert_eq!(next.commands, [SagaCommand::HoldRoom]);
    }

    #[test]
    fn booking_is_rejected_without_compensation_when_points_are_insufficient() {
        let next = decide(&given(S::Requested), &SagaEvent::PointsRejected).unwrap();
        assert_eq!((next.status, next.reason), (S::Rejected, Some(RejectReason::InsufficientPoints)));
        assert!(next.commands.is_empty());
        assert_eq!(next.refund_points, Some(0), "nothing was taken, so nothing comes back");
    }

    #[test]
    fn no_room_refunds_the_full_price() {
        let next = decide(&given(S::PointsDeducted), &SagaEvent::RoomUnavailable).unwrap();
        assert_eq!((next.status, next.reason), (S::Rejected, Some(RejectReason::NoRoom)));
        assert_eq!(next.commands, [SagaCommand::RefundPoints(300)]);
        assert_eq!(next.refund_points, Some(300));
    }

    #[test]
    fn a_manager_rejection_or_timeout_refunds_the_full_price() {
        for reason in [RejectReason::ManagerRejected, RejectReason::ManagerTimedOut] {
            let event = SagaEvent::RoomRejected { reason, decided_by: None };
            let next = decide(&given(S::AwaitingApproval), &event).unwrap();
            assert_eq!((next.status, next.reason), (S::Rejected, Some(reason)));
            assert_eq!(next.commands, [SagaCommand::RefundPoints(300)]);
        }
    }

    #[test]
    fn cancelling_releases_the_room_before_refunding_the_policy_amount() {
        let confirmed = given(S::Confirmed);
        let cancel = request_cancel(&confirmed).unwrap();
        assert_eq!(cancel.commands, [SagaCommand::ReleaseRoom]);
        let cancelling = SagaState { status: S::Cancelling, refund_points: Some(150), ..confirmed };
        let released = decide(&cancelling, &SagaEvent::RoomReleased).unwrap();
        assert_eq!(released.commands, [SagaCommand::RefundPoints(150)]);
        assert_eq!(decide(&cancelling, &SagaEvent::PointsRefunded).unwrap().status, S::Cancelled);
    }

    #[test]
    fn a_cancel_with_nothing_to_refund_ends_when_the_room_is_released() {
        let cancelling = SagaState { status: S::Cancelling, points: 300, refund_points: Some(0) };
        let released = decide(&cancelling, &SagaEvent::RoomReleased).unwrap();
        assert_eq!(released.status, S::Cancelled);
        assert!(released.commands.is_empty());
    }

    #[test]
    fn stale_reports_and_cancels_of_finished_bookings_change_nothing() {
        assert_eq!(decide(&given(S::Confirmed), &SagaEvent::PointsDeducted), None);
        assert_eq!(decide(&given(S::Cancelling), &SagaEvent::RoomConfirmed { decided_by: None }), None);
        assert_eq!(request_cancel(&given(S::Rejected)), Err(CancelError::NotCancellable(S::Rejected)));
        assert_eq!(request_cancel(&given(S::Requested)), Err(CancelError::NotCancellable(S::Requested)));
    }
}
