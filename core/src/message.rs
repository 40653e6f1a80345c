//! The message catalogue and the envelope every message travels in.
//!
//! Commands are imperative (`point.deduct`), events past tense (`point.deducted`); the type string
//! is also the routing key. Booking events all carry a [`BookingSnapshot`] and are named after the
//! state the booking reached (`booking.confirmed`), so a consumer binds `booking.#` to see them
//! all; a state nobody is shown (`points_deducted`, see `BookingStatus::is_announced`) has no
//! event. Payloads are versioned by the envelope's `version`; a consumer that meets a version it
//! does not know rejects the message to the dead letters instead of guessing.

use crate::booking::{BookingStatus, Decision, RejectReason};
use crate::id::{BookingId, EmployeeId, MessageId, ResortId, RoomTypeId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The current payload version of every message type.
pub const PAYLOAD_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub message_id: MessageId,
    /// The booking id for saga messages, the employee id for point grants.
    pub correlation_id: String,
    pub causation_id: Option<MessageId>,
    #[serde(rename = "type")]
    pub message_type: String,
    #[serde(default = "default_version")]
    pub version: u32,
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

fn default_version() -> u32 {
    PAYLOAD_VERSION
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown message type {0}")]
    UnknownType(String),
    #[error("unsupported payload version {0}")]
    UnsupportedVersion(u32),
    #[error("malformed payload: {0}")]
    Malformed(#[from] serde_json::Error),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointDeduct {
    pub booking_id: BookingId,
    pub employee_id: EmployeeId,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRefund {
    pub booking_id: BookingId,
    pub employee_id: EmployeeId,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointGrant {
    pub employee_id: EmployeeId,
    pub amount: i64,
    pub reason: String,
}

/// The outcome of a deduction or refund, with the balance it left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointMoved {
    pub booking_id: BookingId,
    pub employee_id: EmployeeId,
    pub amount: i64,
    pub balance: i64,
    /// Increases with every change of the account, so a read model keeps the newest balance.
    pub account_version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRejected {
    pub booking_id: BookingId,
    pub employee_id: EmployeeId,
    pub amount: i64,
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointGranted {
    pub employee_id: EmployeeId,
    pub amount: i64,
    pub reason: String,
    pub balance: i64,
    pub account_version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelHold {
    pub booking_id: BookingId,
    pub resort_id: ResortId,
    /// The room type to hold; absent in messages from before room types, which mean the
    /// resort's default type (whose id is the resort's).
    #[serde(default)]
    pub room_type_id: Option<RoomTypeId>,
    /// The room type's rooms per night when the booking was made.
    pub rooms: i64,
    pub check_in: NaiveDate,
    pub nights: u32,
    /// A firm hold: the saga found that the resort approves by itself, so the hotel confirms at
    /// once (the wire name is older than the saga deciding it).
    pub auto_approve: bool,
    /// Whether the booking accepted a waitlist offer, whose held room becomes the hold; absent
    /// in messages from before it was sent, when the hotel looks for an offer to find out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_offer: Option<bool>,
}

impl HotelHold {
    /// The room type held: the one named, or the resort's default.
    pub fn room_type(&self) -> RoomTypeId {
        self.room_type_id.unwrap_or(RoomTypeId(self.resort_id.0))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelDecide {
    pub booking_id: BookingId,
    pub decision: Decision,
    pub decided_by: Option<String>,
    /// What a rejection says (the saga decides it); absent in messages from before it was sent,
    /// when the hotel falls back to the decision's own reason.
    #[serde(default)]
    pub reason: Option<RejectReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRef {
    pub booking_id: BookingId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelUnavailable {
    pub booking_id: BookingId,
    pub night: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelConfirmed {
    pub booking_id: BookingId,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelRejected {
    pub booking_id: BookingId,
    pub reason: RejectReason,
    pub decided_by: Option<String>,
}

/// Offer the free rooms of these nights to the waitlist: sent when a room comes free without a
/// hold being released (a lottery winner's booking that never got its points) and when an
/// employee joins a waitlist, in case a room freed meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelOffer {
    pub resort_id: ResortId,
    pub room_type_id: RoomTypeId,
    pub check_in: NaiveDate,
    pub nights: u32,
}

/// The hotel held a freed room for a waiting entry. `offer_id` becomes the booking's id if the
/// employee accepts; `hotel.pass` with it gives the room to the next entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelOffered {
    pub offer_id: BookingId,
    pub waitlist_entry_id: String,
    pub resort_id: ResortId,
    pub room_type_id: RoomTypeId,
    pub check_in: NaiveDate,
    pub nights: u32,
}

/// Everything a reader of booking events needs, so that no reader has to ask the booking side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingSnapshot {
    pub booking_id: BookingId,
    pub reference: String,
    pub employee_id: EmployeeId,
    pub resort_id: ResortId,
    pub resort_name: String,
    pub check_in: NaiveDate,
    pub nights: u32,
    pub points: i64,
    pub status: BookingStatus,
    pub reason: Option<RejectReason>,
    pub refund_points: Option<i64>,
    pub decided_by: Option<String>,
    pub approval_deadline_at: Option<DateTime<Utc>>,
    /// The booking row's version: increases with every transition.
    pub version: i64,
}

macro_rules! catalogue {
    ($($type_name:literal => $variant:ident($payload:ty),)*) => {
        /// Every message resortbot sends.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Message {
            $($variant($payload),)*
            /// `booking.<status>`: the booking reached `snapshot.status`.
            Booking(BookingSnapshot),
        }

        impl Message {
            /// The type, which is also the routing key.
            pub fn message_type(&self) -> String {
                match self {
                    $(Self::$variant(_) => $type_name.to_owned(),)*
                    Self::Booking(snapshot) => format!("booking.{}", snapshot.status),
                }
            }

            fn payload(&self) -> serde_json::Value {
                let encoded = match self {
                    $(Self::$variant(payload) => serde_json::to_value(payload),)*
                    Self::Booking(snapshot) => serde_json::to_value(snapshot),
                };
                encoded.expect("message payloads are plain data and always serialize")
            }

            pub fn decode(envelope: &Envelope) -> Result<Self, DecodeError> {
                if envelope.version != PAYLOAD_VERSION {
                    return Err(DecodeError::UnsupportedVersion(envelope.version));
                }
                let message = match envelope.message_type.as_str() {
                    $($type_name => Self::$variant(parse(&envelope.payload)?),)*
                    other if other.starts_with("booking.") => {
                        let snapshot: BookingSnapshot = parse(&envelope.payload)?;
                        if other != format!("booking.{}", snapshot.status) {
                            return Err(DecodeError::UnknownType(other.to_owned()));
                        }
                        Self::Booking(snapshot)
                    }
                    other => return Err(DecodeError::UnknownType(other.to_owned())),
                };
                Ok(message)
            }
        }
    };
}

catalogue! {
    "point.deduct" => PointDeduct(PointDeduct),
    "point.refund" => PointRefund(PointRefund),
    "point.grant" => PointGrant(PointGrant),
    "point.deducted" => PointDeducted(PointMoved),
    "point.refunded" => PointRefunded(PointMoved),
    "point.rejected" => PointRejected(PointRejected),
    "point.granted" => PointGranted(PointGranted),
    "hotel.hold" => HotelHold(HotelHold),
    "hotel.decide" => HotelDecide(HotelDecide),
    "hotel.release" => HotelRelease(BookingRef),
    "hotel.held" => HotelHeld(BookingRef),
    "hotel.unavailable" => HotelUnavailable(HotelUnavailable),
    "hotel.confirmed" => HotelConfirmed(HotelConfirmed),
    "hotel.rejected" => HotelRejected(HotelRejected),
    "hotel.released" => HotelReleased(BookingRef),
    "hotel.offer" => HotelOffer(HotelOffer),
    "hotel.offered" => HotelOffered(HotelOffered),
    "hotel.pass" => HotelPass(BookingRef),
}

fn parse<T: DeserializeOwned>(payload: &serde_json::Value) -> Result<T, DecodeError> {
    Ok(T::deserialize(payload)?)
}

impl Message {
    /// Wraps the message in a new envelope. `causation_id` is the message that caused this one.
    pub fn into_envelope(
        self,
        correlation_id: impl Into<String>,
        causation_id: Option<MessageId>,
        occurred_at: DateTime<Utc>,
    ) -> Envelope {
        Envelope {
            message_id: MessageId::new(),
            correlation_id: correlation_id.into(),
            causation_id,
            message_type: self.message_type(),
            version: PAYLOAD_VERSION,
            occurred_at,
            payload: self.payload(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_round_trips_through_json_and_decodes_to_the_same_message() {
        let message = Message::PointDeduct(PointDeduct {
            booking_id: BookingId::new(),
            employee_id: EmployeeId::new(),
            amount: 300,
        });
        let envelope = message.clone().into_envelope("c", None, Utc::now());
        let json = serde_json::to_string(&envelope).unwrap();
        assert!(json.contains(r#""type":"point.deduct""#));
        let back: Envelope = serde_json::from_str(&json).unwrap();
        assert_eq!(Message::decode(&back).unwrap(), message);
    }

    #[test]
    fn unknown_types_newer_versions_and_bad_payloads_do_not_decode() {
        let mut envelope =
            Message::HotelRelease(BookingRef { booking_id: BookingId::new() }).into_envelope("c", None, Utc::now());
        envelope.version = 2;
        assert!(matches!(Message::decode(&envelope), Err(DecodeError::UnsupportedVersion(2))));
        envelope.version = 1;
        envelope.payload = serde_json::json!({"booking_id": "not a uuid"});
        assert!(matches!(Message::decode(&envelope), Err(DecodeError::Malformed(_))));
        envelope.message_type = "hotel.teleport".into();
        assert!(matches!(Message::decode(&envelope), Err(DecodeError::UnknownType(_))));
    }
}
