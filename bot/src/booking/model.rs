//! A booking as the booking side stores it, and the views of it the saga, the messages and
//! the stay rules take.

use chrono::NaiveDate;
use resort_core::booking::{BookingStatus, Origin, RejectReason};
use resort_core::id::{BookingId, EmployeeId, ResortId, RoomTypeId};
use resort_core::message::BookingSnapshot;
use resort_core::saga::SagaState;
use resort_core::stay::{Stay, parse_date};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub reference: String,
    pub employee_id: EmployeeId,
    pub resort_id: ResortId,
    pub resort_name: String,
    /// One room of this type (its name as when booked).
    pub room_type_id: RoomTypeId,
    pub room_type_name: String,
    pub guests: u32,
    /// Approved in advance (a lottery win): the hold is firm whatever the resort's policy.
    pub preapproved: bool,
    /// Asked directly, won in a lottery, or an accepted waitlist offer.
    pub origin: Origin,
    pub check_in: NaiveDate,
    pub nights: u32,
    pub points: i64,
    pub status: BookingStatus,
    pub reason: Option<RejectReason>,
    pub refund_points: Option<i64>,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    /// What an admin wrote with a decision made through the admin API.
    pub decision_note: Option<String>,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339_or_null")]
    pub approval_deadline_at: Option<i64>,
    pub version: i64,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339")]
    pub updated_at: i64,
}

impl Booking {
    /// A booking just requested, before its saga starts: one room of `room_type` at `resort`
    /// for `stay`, costing `points`.
    pub fn requested(
        employee_id: EmployeeId,
        resort: &crate::catalog::Resort,
        room_type: &crate::catalog::RoomType,
        stay: Stay,
        guests: u32,
        now: i64,
    ) -> Self {
        Self {
            id: BookingId::new(),
            reference: resort_core::reference::generate(),
            employee_id,
            resort_id: resort.id,
            resort_name: resort.name.clone(),
            room_type_id: room_type.id,
            room_type_name: room_type.name.clone(),
            guests,
            preapproved: false,
            origin: Origin::Direct,
            check_in: stay.check_in,
            nights: stay.nights,
            points: resort.policy(room_type).cost(&stay),
            status: BookingStatus::Requested,
            reason: None,
            refund_points: None,
            decision: None,
            decided_by: None,
            decision_note: None,
            approval_deadline_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn snapshot(&self) -> BookingSnapshot {
        BookingSnapshot {
            booking_id: self.id,
            reference: self.reference.clone(),
            employee_id: self.employee_id,
            resort_id: self.resort_id,
            resort_name: self.resort_name.clone(),
            check_in: self.check_in,
            nights: self.nights,
            points: self.points,
            status: self.status,
            reason: self.reason,
            refund_points: self.refund_points,
            decided_by: self.decided_by.clone(),
            approval_deadline_at: self.approval_deadline_at.and_then(chrono::DateTime::from_timestamp_millis),
            version: self.version,
        }
    }

    pub fn saga_state(&self) -> SagaState {
        SagaState { status: self.status, points: self.points, refund_points: self.refund_points, origin: self.origin }
    }

    pub fn stay(&self) -> Stay {
        Stay { check_in: self.check_in, nights: self.nights }
    }
}

/// A saga step with its time, for the admin API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaStep {
    pub step: String,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339")]
    pub at: i64,
}

pub(super) const COLUMNS: &str = "id, reference, employee_id, resort_id, resort_name, room_type_id, room_type_name, guests, preapproved, origin, check_in, nights, points, status, reason, refund_points, decision, decided_by, decision_note, approval_deadline_at, version, created_at, updated_at";

pub(super) fn from_row(row: &AnyRow) -> Result<Booking, sqlx::Error> {
    let decode = |what: &str| sqlx::Error::Decode(format!("booking {what} is malformed").into());
    let id: String = row.try_get("id")?;
    let employee_id: String = row.try_get("employee_id")?;
    let resort_id: String = row.try_get("resort_id")?;
    let check_in: String = row.try_get("check_in")?;
    let nights: i64 = row.try_get("nights")?;
    let status: String = row.try_get("status")?;
    let reason: Option<String> = row.try_get("reason")?;
    let room_type_id: Option<String> = row.try_get("room_type_id")?;
    let room_type_name: Option<String> = row.try_get("room_type_name")?;
    let guests: i64 = row.try_get("guests")?;
    let origin: String = row.try_get("origin")?;
    let resort_id = ResortId::parse(&resort_id).ok_or_else(|| decode("resort_id"))?;
    Ok(Booking {
        id: BookingId::parse(&id).ok_or_else(|| decode("id"))?,
        reference: row.try_get("reference")?,
        employee_id: EmployeeId::parse(&employee_id).ok_or_else(|| decode("employee_id"))?,
        resort_id,
        resort_name: row.try_get("resort_name")?,
        // A booking from before room types is for its resort's default type.
        room_type_id: room_type_id.as_deref().and_then(RoomTypeId::parse).unwrap_or(RoomTypeId(resort_id.0)),
        room_type_name: room_type_name.unwrap_or_else(|| crate::catalog::room_type::DEFAULT_NAME.to_owned()),
        guests: u32::try_from(guests).map_err(|_| decode("guests"))?,
        preapproved: resort_core::db::flag(row.try_get("preapproved")?),
        origin: Origin::parse(&origin).ok_or_else(|| decode("origin"))?,
        check_in: parse_date(&check_in).map_err(|_| decode("check_in"))?,
        nights: u32::try_from(nights).map_err(|_| decode("nights"))?,
        points: row.try_get("points")?,
        status: BookingStatus::parse(&status).ok_or_else(|| decode("status"))?,
        reason: reason.as_deref().and_then(RejectReason::parse),
        refund_points: row.try_get("refund_points")?,
        decision: row.try_get("decision")?,
        decided_by: row.try_get("decided_by")?,
        decision_note: row.try_get("decision_note")?,
        approval_deadline_at: row.try_get("approval_deadline_at")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) fn prefixed(alias: &str) -> String {
    COLUMNS.split(", ").map(|column| format!("{alias}.{column}")).collect::<Vec<_>>().join(", ")
}
