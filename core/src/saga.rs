//! The booking saga's rules, without I/O: how a saga starts, and given the booking's state and
//! what happened — a worker's report, a manager's decision, a passed deadline, a cancel — which
//! state comes next, which commands go out and which step is written down. The booking side
//! turns commands into messages and steps into `saga_step` rows; it decides nothing itself.
//!
//! The booking side orchestrates; the point and hotel workers only answer. Compensation runs in
//! reverse order of the steps taken: a room that was held is released before points are
//! refunded. A report that does not fit the current state (a redelivery, or a race the hotel
//! worker already settled) is ignored rather than trusted.

use crate::booking::{BookingStatus, Decision, Origin, RejectReason};

/// The part of a booking the saga reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaState {
    pub status: BookingStatus,
    /// Points paid for the stay.
    pub points: i64,
    /// Points the cancellation policy gives back, fixed when the cancel was requested.
    pub refund_points: Option<i64>,
    pub origin: Origin,
}

/// What the saga needs to know of the resort and the moment, for the reports that consult
/// them: holding a room (does the resort approve by itself?) and waiting for approval (until
/// when?). `None` when the resort is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub auto_approve: bool,
    pub approval_hours: i64,
    /// When the stay begins (Unix milliseconds): the latest an approval deadline may fall.
    pub stay_begins_at: Option<i64>,
}

/// Whether deciding on this report needs the resort's [`Policy`], so the caller reads it only then.
pub fn needs_policy(event: &SagaEvent) -> bool {
    matches!(event, SagaEvent::PointsDeducted | SagaEvent::RoomHeld)
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
    DeductPoints(i64),
    /// Hold a room on every night; `firm` when the resort approves by itself, so the hotel
    /// confirms at once instead of waiting for a decision.
    HoldRoom {
        firm: bool,
    },
    /// Pass a decision on a held room to the hotel (approve, reject, or the deadline's expiry);
    /// `reason` is what a rejection will say.
    DecideRoom {
        decision: Decision,
        reason: Option<RejectReason>,
    },
    ReleaseRoom,
    RefundPoints(i64),
    /// Offer the stay's room, free again, to the waitlist (a lottery win that never got its
    /// points leaves its slot's room to the waiting).
    OfferRoom,
}

/// Steps that come from outside the saga's messages, as the booking's history names them (a
/// worker report is written down under its message type).
pub mod step {
    pub const REQUESTED: &str = "requested";
    pub const CANCEL_REQUESTED: &str = "cancel_requested";
    pub const MANAGER_APPROVED: &str = "manager_approved";
    pub const MANAGER_REJECTED: &str = "manager_rejected";
    pub const DEADLINE_PASSED: &str = "approval_deadline_passed";
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
    /// When the booking stops waiting for a manager (Unix milliseconds), set on entering
    /// `awaiting_approval` from the resort's policy.
    pub approval_deadline_at: Option<i64>,
    pub commands: Vec<SagaCommand>,
}

impl Transition {
    fn to(status: BookingStatus) -> Self {
        Self {
            status,
            reason: None,
            decided_by: None,
            refund_points: None,
            approval_deadline_at: None,
            commands: Vec::new(),
        }
    }

    fn sending(mut self, command: SagaCommand) -> Self {
        if let SagaCommand::RefundPoints(amount) = command {
            self.refund_points = Some(amount);
        }
        self.commands.push(command);
        self
    }
}

/// The default approval deadline, in hours, when a resort gives none.
pub const DEFAULT_APPROVAL_HOURS: i64 = 24;

/// `None` means the event does not move this booking (it is stale or a duplicate). `policy` is
/// the resort's, read when [`needs_policy`] says so; `now` is Unix milliseconds.
pub fn decide(state: &SagaState, event: &SagaEvent, policy: Option<Policy>, now: i64) -> Option<Transition> {
    use BookingStatus as S;
    use SagaEvent as E;
    let transition = match (state.status, event) {
        (S::Requested, E::PointsDeducted) => {
            let firm = policy.is_some_and(|policy| policy.auto_approve);
            Transition::to(S::PointsDeducted).sending(SagaCommand::HoldRoom { firm })
        }
        (S::Requested, E::PointsRejected) => {
            let rejected = Transition {
                reason: Some(RejectReason::InsufficientPoints),
                refund_points: Some(0),
                ..Transition::to(S::Rejected)
            };
            // Nothing was taken, but an offer's room is held and a lottery's was kept for it:
            // either passes on to the waitlist.
            match state.origin {
                Origin::Direct => rejected,
                Origin::Offer => rejected.sending(SagaCommand::ReleaseRoom),
                Origin::Lottery => rejected.sending(SagaCommand::OfferRoom),
            }
        }
        (S::PointsDeducted, E::RoomHeld) => {
            let hours = policy.map_or(DEFAULT_APPROVAL_HOURS, |policy| policy.approval_hours);
            let after_hours = now + hours * 3600 * 1000;
            let deadline = match policy.and_then(|policy| policy.stay_begins_at) {
                Some(begins) => after_hours.min(begins),
                None => after_hours,
            };
            Transition { approval_deadline_at: Some(deadline), ..Transition::to(S::AwaitingApproval) }
        }
        // A firm hold is confirmed right after the deduction; any other after a decision.
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

/// A new booking of `points`: it starts by asking for the points.
pub fn start(points: i64) -> (Transition, &'static str) {
    (Transition::to(BookingStatus::Requested).sending(SagaCommand::DeductPoints(points)), step::REQUESTED)
}

/// The employee confirmed a cancel with the refund they were quoted: release the room first,
/// refund when it is released.
pub fn request_cancel(state: &SagaState) -> Result<Transition, CancelError> {
    if !state.status.is_cancellable() {
        return Err(CancelError::NotCancellable(state.status));
    }
    Ok(Transition::to(BookingStatus::Cancelling).sending(SagaCommand::ReleaseRoom))
}

/// A decision on a booking waiting for approval — a manager's, an admin's, or the deadline's
/// (`Expire`) — goes to the hotel, which holds the room; the booking moves when it answers.
/// The caller records the decision once (a conditional update), so only the first one counts.
pub fn decide_room(decision: Decision) -> (SagaCommand, &'static str) {
    let (step, reason) = match decision {
        Decision::Approve => (step::MANAGER_APPROVED, None),
        Decision::Reject => (step::MANAGER_REJECTED, Some(RejectReason::ManagerRejected)),
        Decision::Expire => (step::DEADLINE_PASSED, Some(RejectReason::ManagerTimedOut)),
    };
    (SagaCommand::DecideRoom { decision, reason }, step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus as S;

    fn given(status: BookingStatus) -> SagaState {
        SagaState { status, points: 300, refund_points: None, origin: Origin::Direct }
    }

    /// The rules for a resort that asks its manager, at time 0.
    fn decide(state: &SagaState, event: &SagaEvent) -> Option<Transition> {
        super::decide(state, event, Some(Policy { auto_approve: false, approval_hours: 12, stay_begins_at: None }), 0)
    }

    #[test]
    fn the_resorts_policy_decides_a_firm_hold_and_the_approval_deadline() {
        let auto = Some(Policy { auto_approve: true, approval_hours: 12, stay_begins_at: None });
        let next = super::decide(&given(S::Requested), &SagaEvent::PointsDeducted, auto, 0).unwrap();
        assert_eq!(next.commands, [SagaCommand::HoldRoom { firm: true }]);
        let waiting = decide(&given(S::PointsDeducted), &SagaEvent::RoomHeld).unwrap();
        assert_eq!((waiting.status, waiting.approval_deadline_at), (S::AwaitingApproval, Some(12 * 3600 * 1000)));
        let gone = super::decide(&given(S::PointsDeducted), &SagaEvent::RoomHeld, None, 5).unwrap();
        assert_eq!(gone.approval_deadline_at, Some(5 + DEFAULT_APPROVAL_HOURS * 3600 * 1000));
        assert!(needs_policy(&SagaEvent::PointsDeducted) && !needs_policy(&SagaEvent::RoomReleased));
        // Never after the stay begins.
        let soon = Some(Policy { auto_approve: false, approval_hours: 12, stay_begins_at: Some(3600 * 1000) });
        let capped = super::decide(&given(S::PointsDeducted), &SagaEvent::RoomHeld, soon, 0).unwrap();
        assert_eq!(capped.approval_deadline_at, Some(3600 * 1000));
    }

    #[test]
    fn deducted_points_lead_to_holding_a_room() {
        let next = decide(&given(S::Requested), &SagaEvent::PointsDeducted).unwrap();
        assert_eq!(next.status, S::PointsDeducted);
        assert_eq!(next.commands, [SagaCommand::HoldRoom { firm: false }]);
    }

    #[test]
    fn booking_is_rejected_without_compensation_when_points_are_insufficient() {
        let next = decide(&given(S::Requested), &SagaEvent::PointsRejected).unwrap();
        assert_eq!((next.status, next.reason), (S::Rejected, Some(RejectReason::InsufficientPoints)));
        assert!(next.commands.is_empty());
        assert_eq!(next.refund_points, Some(0), "nothing was taken, so nothing comes back");
    }

    #[test]
    fn points_short_pass_an_offers_room_or_a_lottery_slots_room_to_the_waitlist() {
        let offer = SagaState { origin: Origin::Offer, ..given(S::Requested) };
        let next = decide(&offer, &SagaEvent::PointsRejected).unwrap();
        assert_eq!((next.status, next.commands), (S::Rejected, vec![SagaCommand::ReleaseRoom]));
        let won = SagaState { origin: Origin::Lottery, ..given(S::Requested) };
        let next = decide(&won, &SagaEvent::PointsRejected).unwrap();
        assert_eq!((next.status, next.commands), (S::Rejected, vec![SagaCommand::OfferRoom]));
        // Later reports of an offer's booking move as any other's.
        let held = SagaState { origin: Origin::Offer, ..given(S::PointsDeducted) };
        assert_eq!(decide(&held, &SagaEvent::RoomHeld).unwrap().status, S::AwaitingApproval);
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
        let cancelling =
            SagaState { status: S::Cancelling, points: 300, refund_points: Some(0), origin: Origin::Direct };
        let released = decide(&cancelling, &SagaEvent::RoomReleased).unwrap();
        assert_eq!(released.status, S::Cancelled);
        assert!(released.commands.is_empty());
    }

    #[test]
    fn a_saga_starts_by_asking_for_the_points_and_a_decision_goes_to_the_hotel() {
        let (started, step) = start(300);
        assert_eq!((started.status, step), (S::Requested, step::REQUESTED));
        assert_eq!(started.commands, [SagaCommand::DeductPoints(300)]);
        let approve = SagaCommand::DecideRoom { decision: Decision::Approve, reason: None };
        assert_eq!(decide_room(Decision::Approve), (approve, step::MANAGER_APPROVED));
        let expire =
            SagaCommand::DecideRoom { decision: Decision::Expire, reason: Some(RejectReason::ManagerTimedOut) };
        assert_eq!(decide_room(Decision::Expire), (expire, step::DEADLINE_PASSED));
    }

    /// Every (state, report) pair: what moves, to where, and everything else ignored.
    #[test]
    fn every_report_in_every_state_moves_as_the_table_says_or_is_ignored() {
        use SagaEvent as E;
        let confirmed = E::RoomConfirmed { decided_by: None };
        let rejected = E::RoomRejected { reason: RejectReason::ManagerRejected, decided_by: None };
        let events = [
            E::PointsDeducted,
            E::PointsRejected,
            E::PointsRefunded,
            E::RoomHeld,
            E::RoomUnavailable,
            confirmed,
            rejected,
            E::RoomReleased,
        ];
        let expected = |status: S, event: &E| -> Option<S> {
            match (status, event) {
                (S::Requested, E::PointsDeducted) => Some(S::PointsDeducted),
                (S::Requested, E::PointsRejected) => Some(S::Rejected),
                (S::PointsDeducted, E::RoomHeld) => Some(S::AwaitingApproval),
                // A firm hold (the resort approves by itself) is confirmed at once.
                (S::PointsDeducted | S::AwaitingApproval, E::RoomConfirmed { .. }) => Some(S::Confirmed),
                (S::PointsDeducted, E::RoomUnavailable) => Some(S::Rejected),
                (S::AwaitingApproval, E::RoomRejected { .. }) => Some(S::Rejected),
                // Refund still to come (the given state has none fixed: all of it, see below).
                (S::Cancelling, E::RoomReleased) => Some(S::Cancelled),
                (S::Cancelling, E::PointsRefunded) => Some(S::Cancelled),
                _ => None,
            }
        };
        for status in BookingStatus::ALL {
            for event in &events {
                let state = SagaState { status, points: 300, refund_points: Some(0), origin: Origin::Direct };
                let moved = decide(&state, event).map(|transition| transition.status);
                assert_eq!(moved, expected(status, event), "{status:?} + {event:?}");
            }
        }
    }

    #[test]
    fn stale_reports_and_cancels_of_finished_bookings_change_nothing() {
        assert_eq!(decide(&given(S::Confirmed), &SagaEvent::PointsDeducted), None);
        assert_eq!(decide(&given(S::Cancelling), &SagaEvent::RoomConfirmed { decided_by: None }), None);
        assert_eq!(request_cancel(&given(S::Rejected)), Err(CancelError::NotCancellable(S::Rejected)));
        assert_eq!(request_cancel(&given(S::Requested)), Err(CancelError::NotCancellable(S::Requested)));
    }
}
