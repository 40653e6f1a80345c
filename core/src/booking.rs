//! The booking's states and the reasons a booking ends badly.
//!
//! ```text
//! requested → points_deducted → awaiting_approval → confirmed
//!     └──────────────┴─────────────────┴──→ rejected (reason)
//! awaiting_approval | confirmed → cancelling → cancelled
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a booking came from: it decides what a failed deduction leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Asked for by the employee: nothing is held before the points are taken.
    #[default]
    Direct,
    /// A lottery's win: its slot's room was kept for it by the draw.
    Lottery,
    /// An accepted waitlist offer: its room is held (the offer) before the points are taken.
    Offer,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Lottery => "lottery",
            Self::Offer => "offer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Direct, Self::Lottery, Self::Offer].into_iter().find(|origin| origin.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    PointsDeducted,
    AwaitingApproval,
    Confirmed,
    Rejected,
    Cancelling,
    Cancelled,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 7] = [
        Self::Requested,
        Self::PointsDeducted,
        Self::AwaitingApproval,
        Self::Confirmed,
        Self::Rejected,
        Self::Cancelling,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::PointsDeducted => "points_deducted",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Cancelling => "cancelling",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// A saga in a terminal state sends no more commands.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Confirmed | Self::Rejected | Self::Cancelled)
    }

    /// Only a booking the hotel has accepted or is deciding on can be cancelled.
    pub fn is_cancellable(self) -> bool {
        matches!(self, Self::AwaitingApproval | Self::Confirmed)
    }

    /// Still holds (or is about to hold) a room.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Rejected | Self::Cancelled)
    }

    /// Whether readers (the history, the notifier) hear of a booking reaching this state as a
    /// `booking.<status>` event: every state a person is shown, but not the moment between
    /// paying and holding, which lasts as long as the hotel worker takes to answer and is told
    /// by the next state anyway. One event and one read-model write less per booking.
    pub fn is_announced(self) -> bool {
        !matches!(self, Self::PointsDeducted)
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a booking was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    InsufficientPoints,
    NoRoom,
    ManagerRejected,
    ManagerTimedOut,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientPoints => "insufficient_points",
            Self::NoRoom => "no_room",
            Self::ManagerRejected => "manager_rejected",
            Self::ManagerTimedOut => "manager_timed_out",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::InsufficientPoints, Self::NoRoom, Self::ManagerRejected, Self::ManagerTimedOut]
            .into_iter()
            .find(|reason| reason.as_str() == text)
    }
}

/// What a manager (or the approval deadline) decided about a held room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Expire,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Expire => "expire",
        }
    }
}
