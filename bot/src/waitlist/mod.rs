//! Waitlists (gateway-owned table `waitlist_entry`): an employee waits for exactly one stay —
//! resort, room type, check-in, nights, guests — that is full. Entries are served in the order
//! they joined. When nights come free, the hotel worker offers them in the same transaction to the
//! first waiting entry whose whole stay fits (`resort_workers::hotel::offer`), and [`offer`] takes
//! it from there: the offer with its deadline in chat, accept (a booking through the saga),
//! decline or expiry (the room passes on).
//!
//! A lottery's losers join the waitlist of each of their preferences, in draw order
//! ([`join_losers`]).

pub mod offer;

use crate::booking::BookingDesk;
use crate::booking::catalog_cache::Snapshot;
use crate::catalog::{Resort, RoomType};
use chrono::NaiveDate;
use resort_core::db::{Connection, Pool};
use resort_core::id::{BookingId, EmployeeId, ResortId, RoomTypeId};
use resort_core::message::{HotelOffer, Message};
use resort_core::rules::{self, Refusal};
use resort_core::stay::{Stay, parse_date};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Offered,
    Accepted,
    Declined,
    Expired,
    Left,
}

impl Status {
    const ALL: [Status; 6] = [Self::Waiting, Self::Offered, Self::Accepted, Self::Declined, Self::Expired, Self::Left];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Offered => "offered",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Left => "left",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub employee_id: EmployeeId,
    pub resort_id: ResortId,
    pub room_type_id: RoomTypeId,
    pub check_in: NaiveDate,
    pub nights: u32,
    pub guests: u32,
    /// Among the waiting entries for a night of this stay, how many are served before this one
    /// and this one (1: next); `None` unless waiting.
    pub position: Option<u32>,
    pub status: Status,
    /// The room on offer (the booking's id once accepted).
    #[serde(skip)]
    pub offer_id: Option<BookingId>,
    #[serde(skip)]
    pub offer_expires_at: Option<i64>,
    #[serde(skip)]
    pub joined_at: i64,
}

impl Entry {
    pub fn stay(&self) -> Stay {
        Stay { check_in: self.check_in, nights: self.nights }
    }

    fn shares_a_night(&self, other: &Entry) -> bool {
        self.room_type_id == other.room_type_id
            && self.check_in < other.stay().check_out()
            && other.check_in < self.stay().check_out()
    }
}

const COLUMNS: &str =
    "id, employee_id, resort_id, room_type_id, check_in, nights, guests, status, offer_id, offer_expires_at, joined_at";

/// The order entries are served in.
const QUEUE_ORDER: &str = "joined_at, joined_order, id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Entry, sqlx::Error> {
    let decode = |what: &str| sqlx::Error::Decode(format!("waitlist entry {what} is malformed").into());
    let employee_id: String = row.try_get("employee_id")?;
    let resort_id: String = row.try_get("resort_id")?;
    let room_type_id: String = row.try_get("room_type_id")?;
    let check_in: String = row.try_get("check_in")?;
    let nights: i64 = row.try_get("nights")?;
    let guests: i64 = row.try_get("guests")?;
    let status: String = row.try_get("status")?;
    let offer_id: Option<String> = row.try_get("offer_id")?;
    Ok(Entry {
        id: row.try_get("id")?,
        employee_id: EmployeeId::parse(&employee_id).ok_or_else(|| decode("employee_id"))?,
        resort_id: ResortId::parse(&resort_id).ok_or_else(|| decode("resort_id"))?,
        room_type_id: RoomTypeId::parse(&room_type_id).ok_or_else(|| decode("room_type_id"))?,
        check_in: parse_date(&check_in).map_err(|_| decode("check_in"))?,
        nights: u32::try_from(nights).map_err(|_| decode("nights"))?,
        guests: u32::try_from(guests).map_err(|_| decode("guests"))?,
        position: None,
        status: Status::parse(&status).ok_or_else(|| decode("status"))?,
        offer_id: offer_id.as_deref().and_then(BookingId::parse),
        offer_expires_at: row.try_get("offer_expires_at")?,
        joined_at: row.try_get("joined_at")?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// A room is free for the stay: book it instead.
    #[error("the stay can be booked now")]
    RoomsFree,
    #[error("already waiting for this stay")]
    AlreadyWaiting,
    #[error("breaks the rule {}", .0.code())]
    Rule(Refusal),
    #[error(transparent)]
    Stay(#[from] resort_core::stay::StayError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Joins the waitlist for a stay that is full. Every other booking rule must pass, as for a
/// booking (window, blackouts, guests, limits, points), so an offer can be taken when it comes.
/// The join also asks the hotel to offer the stay's free rooms, in case one came free between
/// the check and the join. `resort` is as `catalog` has it, as for a booking request.
pub async fn join(
    desk: &BookingDesk,
    catalog: &Snapshot,
    employee: &crate::identity::Employee,
    resort: &Resort,
    room_type: &RoomType,
    stay: Stay,
    guests: u32,
) -> Result<Entry, JoinError> {
    let employee_id = employee.id;
    let facts = desk.facts(catalog, employee, resort, room_type, stay.check_in).await?;
    let ask =
        crate::booking::Ask { room_type_id: Some(room_type.id), check_in: stay.check_in, nights: stay.nights, guests };
    match desk.judge(&facts, &ask) {
        Ok(_) => return Err(JoinError::RoomsFree),
        Err(crate::booking::RequestError::Rule(Refusal::NoRoom { .. })) => {}
        Err(crate::booking::RequestError::Rule(refusal)) => return Err(JoinError::Rule(refusal)),
        Err(crate::booking::RequestError::Stay(error)) => return Err(JoinError::Stay(error)),
        Err(crate::booking::RequestError::Database(error)) => return Err(JoinError::Database(error)),
        Err(other) => return Err(JoinError::Database(sqlx::Error::Protocol(other.to_string()))),
    }
    let now = desk.clock.now_millis();
    let entry = Entry {
        id: uuid::Uuid::now_v7().to_string(),
        employee_id,
        resort_id: resort.id,
        room_type_id: room_type.id,
        check_in: stay.check_in,
        nights: stay.nights,
        guests,
        position: None,
        status: Status::Waiting,
        offer_id: None,
        offer_expires_at: None,
        joined_at: now,
    };
    let mut transaction = desk.pool.begin().await?;
    match insert(&mut transaction, &entry, 0, None).await {
        Err(error) if resort_core::db::is_unique_violation(&error) => return Err(JoinError::AlreadyWaiting),
        other => other?,
    }
    let free = Message::HotelOffer(HotelOffer {
        resort_id: resort.id,
        room_type_id: room_type.id,
        check_in: stay.check_in,
        nights: stay.nights,
    });
    send(desk, &mut transaction, free, &entry.id).await?;
    transaction.commit().await?;
    desk.outbox_signal.notify();
    let position = positions(&desk.pool, room_type.id).await?.into_iter().find(|(id, _)| *id == entry.id);
    Ok(Entry { position: position.map(|(_, position)| position), ..entry })
}

async fn insert(
    connection: &mut Connection,
    entry: &Entry,
    joined_order: i64,
    lottery_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO waitlist_entry (id, employee_id, resort_id, room_type_id, check_in, nights, guests, joined_at, joined_order, status, lottery_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $8, $8)",
    )
    .bind(&entry.id)
    .bind(entry.employee_id.to_string())
    .bind(entry.resort_id.to_string())
    .bind(entry.room_type_id.to_string())
    .bind(entry.check_in.to_string())
    .bind(i64::from(entry.nights))
    .bind(i64::from(entry.guests))
    .bind(entry.joined_at)
    .bind(joined_order)
    .bind(lottery_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Writes a message for the hotel into the outbox, in the caller's transaction.
async fn send(
    desk: &BookingDesk,
    connection: &mut Connection,
    message: Message,
    correlation: &str,
) -> Result<(), sqlx::Error> {
    let envelope = message.into_envelope(correlation, None, desk.clock.now());
    resort_core::outbox::enqueue_all(connection, &[envelope], desk.clock.now_millis()).await
}

/// After a room type's inventory changed: asks the hotel to offer what is free now to each stay
/// waiting for it (more rooms free nights without any hold being released).
pub async fn offer_free_rooms(
    desk: &BookingDesk,
    resort_id: ResortId,
    room_type_id: RoomTypeId,
) -> Result<(), sqlx::Error> {
    let stays: Vec<(String, i64)> = sqlx::query_as(
        "SELECT DISTINCT check_in, nights FROM waitlist_entry WHERE room_type_id = $1 AND status = 'waiting' ORDER BY check_in, nights",
    )
    .bind(room_type_id.to_string())
    .fetch_all(&desk.pool)
    .await?;
    if stays.is_empty() {
        return Ok(());
    }
    let mut transaction = desk.pool.begin().await?;
    for (check_in, nights) in stays {
        let (Ok(check_in), Ok(nights)) = (parse_date(&check_in), u32::try_from(nights)) else { continue };
        let free = Message::HotelOffer(HotelOffer { resort_id, room_type_id, check_in, nights });
        send(desk, &mut transaction, free, &room_type_id.to_string()).await?;
    }
    transaction.commit().await?;
    desk.outbox_signal.notify();
    Ok(())
}

/// A lottery's losers, in draw order, join the waitlist of each slot they asked for (skipping a
/// stay they already wait for), in the draw's transaction: `stays[i]` are the i-th loser's.
pub async fn join_losers(
    connection: &mut Connection,
    lottery_id: &str,
    resort_id: ResortId,
    room_type_id: RoomTypeId,
    losers: &[(EmployeeId, Vec<Stay>)],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut order = 0;
    for (employee_id, stays) in losers {
        for stay in stays {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM waitlist_entry WHERE employee_id = $1 AND room_type_id = $2 AND check_in = $3 AND nights = $4 AND status IN ('waiting', 'offered')",
            )
            .bind(employee_id.to_string())
            .bind(room_type_id.to_string())
            .bind(stay.check_in.to_string())
            .bind(i64::from(stay.nights))
            .fetch_one(&mut *connection)
            .await?;
            if waiting > 0 {
                continue;
            }
            let entry = Entry {
                id: uuid::Uuid::now_v7().to_string(),
                employee_id: *employee_id,
                resort_id,
                room_type_id,
                check_in: stay.check_in,
                nights: stay.nights,
                guests: 1,
                position: None,
                status: Status::Waiting,
                offer_id: None,
                offer_expires_at: None,
                joined_at: now,
            };
            insert(connection, &entry, order, Some(lottery_id)).await?;
            order += 1;
        }
    }
    Ok(())
}

/// Every waiting entry's position (see [`Entry::position`]) for a room type.
async fn positions(pool: &Pool, room_type_id: RoomTypeId) -> Result<Vec<(String, u32)>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM waitlist_entry WHERE room_type_id = $1 AND status = 'waiting' ORDER BY {QUEUE_ORDER}"
    )))
    .bind(room_type_id.to_string())
    .fetch_all(pool)
    .await?;
    let waiting: Vec<Entry> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    Ok(waiting
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let ahead = waiting[..index].iter().filter(|earlier| earlier.shares_a_night(entry)).count();
            (entry.id.clone(), u32::try_from(ahead + 1).unwrap_or(u32::MAX))
        })
        .collect())
}

/// Fills in the positions of the waiting entries among `entries`.
async fn with_positions(pool: &Pool, mut entries: Vec<Entry>) -> Result<Vec<Entry>, sqlx::Error> {
    let mut room_types: Vec<RoomTypeId> = entries.iter().map(|entry| entry.room_type_id).collect();
    room_types.sort_by_key(|id| id.to_string());
    room_types.dedup();
    let mut known = std::collections::HashMap::new();
    for room_type_id in room_types {
        known.extend(positions(pool, room_type_id).await?);
    }
    for entry in &mut entries {
        entry.position = known.get(&entry.id).copied();
    }
    Ok(entries)
}

/// An employee's live entries (waiting or offered), soonest stay first, with their positions.
pub async fn of_employee(pool: &Pool, employee_id: EmployeeId) -> Result<Vec<Entry>, sqlx::Error> {
    with_positions(pool, live_of(pool, employee_id).await?).await
}

/// An employee's live entries, without working out positions.
pub(crate) async fn live_of(pool: &Pool, employee_id: EmployeeId) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM waitlist_entry WHERE employee_id = $1 AND status IN ('waiting', 'offered') ORDER BY check_in, {QUEUE_ORDER}"
    )))
    .bind(employee_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Entries for admins, filtered by resort and check-in: in the order they are served.
pub async fn list(
    pool: &Pool,
    resort_id: Option<ResortId>,
    check_in: Option<NaiveDate>,
) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM waitlist_entry WHERE (CAST($1 AS TEXT) IS NULL OR resort_id = $1) AND (CAST($2 AS TEXT) IS NULL OR check_in = $2)
         ORDER BY CASE WHEN status = 'waiting' THEN 0 ELSE 1 END, {QUEUE_ORDER} LIMIT 1000"
    )))
    .bind(resort_id.map(|id| id.to_string()))
    .bind(check_in.map(|day| day.to_string()))
    .fetch_all(pool)
    .await?;
    with_positions(pool, rows.iter().map(from_row).collect::<Result<_, _>>()?).await
}

pub async fn get(connection: &mut Connection, id: &str) -> Result<Option<Entry>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM waitlist_entry WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Leaves every live entry of the employee's for a stay checking in on `check_in`; an entry
/// with a room on offer declines it, so the room passes on. The entries left.
pub async fn leave(
    desk: &BookingDesk,
    employee_id: EmployeeId,
    check_in: NaiveDate,
) -> Result<Vec<Entry>, sqlx::Error> {
    let live: Vec<Entry> =
        live_of(&desk.pool, employee_id).await?.into_iter().filter(|entry| entry.check_in == check_in).collect();
    let now = desk.clock.now_millis();
    let mut transaction = desk.pool.begin().await?;
    let mut left = Vec::new();
    for entry in live {
        let changed = sqlx::query(
            "UPDATE waitlist_entry SET status = 'left', updated_at = $2 WHERE id = $1 AND status IN ('waiting', 'offered')",
        )
        .bind(&entry.id)
        .bind(now)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            continue;
        }
        if let (Status::Offered, Some(offer_id)) = (entry.status, entry.offer_id) {
            let pass = Message::HotelPass(resort_core::message::BookingRef { booking_id: offer_id });
            send(desk, &mut transaction, pass, &offer_id.to_string()).await?;
        }
        left.push(entry);
    }
    transaction.commit().await?;
    desk.outbox_signal.notify();
    Ok(left)
}

/// Whether a request's refusal is one the waitlist answers: the stay is full and nothing else
/// stands in the way.
pub fn answers(refusal: &Refusal) -> bool {
    matches!(refusal, Refusal::NoRoom { .. })
}

/// Counts the offer's own room free in the facts, so the rules judge taking it as a booking.
pub fn count_offer_free(facts: &mut rules::Facts, entry: &Entry) {
    for night in entry.stay().nights() {
        if let Some(held) = facts.held.get_mut(&night) {
            *held = held.saturating_sub(1);
        }
    }
}
