//! Peak-season lotteries (gateway-owned tables `lottery`, `lottery_application`): an admin
//! creates one for slots of a room type, employees apply in chat with up to three slots in order
//! of preference, and the draw ([`draw`]) runs once at `draw_at` on the durable timer, by the
//! algorithm of `resort_core::lottery`, turning winners into bookings through the normal saga.
//! Until the draw, the slots' nights of that room type are closed to direct booking (the rules
//! say so by the lottery's name).

pub mod draw;

use crate::catalog::{self, Resort, normalise};
use chrono::{DateTime, NaiveDate, Utc};
use resort_core::db::{Connection, Pool};
use resort_core::id::{EmployeeId, ResortId, RoomTypeId};
use resort_core::lottery::{Factors, Seed, Weights};
use resort_core::stay::{Stay, parse_date};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The timer kind of a draw; its subject is the lottery id.
pub const DRAW: &str = "lottery_draw";

/// Slots one lottery offers, at most; preferences one application gives, at most.
pub const MAX_SLOTS: usize = 10;
pub const MAX_PREFERENCES: usize = 3;

/// One stay a lottery gives away, `rooms` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub check_in: NaiveDate,
    pub nights: u32,
    pub rooms: u32,
}

impl Slot {
    pub fn stay(&self) -> Stay {
        Stay { check_in: self.check_in, nights: self.nights }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Scheduled,
    Open,
    Closed,
    Drawn,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lottery {
    pub id: String,
    pub name: String,
    pub resort_id: ResortId,
    pub room_type_id: RoomTypeId,
    pub slots: Vec<Slot>,
    pub applications_open_at: i64,
    pub applications_close_at: i64,
    pub draw_at: i64,
    pub weights: Weights,
    pub manager_approval: bool,
    /// Secret until the draw.
    pub seed: String,
    pub seed_commitment: String,
    pub draw_order: Option<Vec<String>>,
    pub drawn_at: Option<i64>,
}

impl Lottery {
    /// Where the lottery stands at `now`.
    pub fn status(&self, now: i64) -> Status {
        if self.drawn_at.is_some() {
            Status::Drawn
        } else if now < self.applications_open_at {
            Status::Scheduled
        } else if now < self.applications_close_at {
            Status::Open
        } else {
            Status::Closed
        }
    }

    /// Whether the stay has a night that one of the slots gives away.
    pub fn claims(&self, night: NaiveDate) -> bool {
        self.drawn_at.is_none() && self.slots.iter().any(|slot| slot.stay().nights().any(|taken| taken == night))
    }
}

/// One employee's application.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub id: String,
    pub lottery_id: String,
    pub employee_id: EmployeeId,
    pub preferences: Vec<usize>,
    pub weight: Option<f64>,
    pub factors: Option<Factors>,
    pub slot_index: Option<usize>,
    pub booking_id: Option<String>,
}

/// A lottery as an admin creates it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLottery {
    pub name: String,
    pub resort_id: String,
    #[serde(default)]
    pub room_type_id: Option<String>,
    pub slots: Vec<NewSlot>,
    pub applications_open_at: DateTime<Utc>,
    pub applications_close_at: DateTime<Utc>,
    #[serde(default)]
    pub draw_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub weights: Option<Weights>,
    #[serde(default)]
    pub manager_approval: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSlot {
    pub check_in: String,
    pub nights: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum LotteryError {
    #[error("invalid field {0}")]
    Invalid(&'static str),
    #[error("a lottery with this name exists")]
    NameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a lottery: each slot gets as many winners as the room type has rooms free on all its
/// nights now, and the draw's timer is set, in one transaction.
pub async fn create(pool: &Pool, new: NewLottery, today: NaiveDate, now: i64) -> Result<Lottery, LotteryError> {
    let invalid = LotteryError::Invalid;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 40 || name.split_whitespace().any(|word| word.parse::<u32>().is_ok()) {
        return Err(invalid("name"));
    }
    let resort_id = ResortId::parse(&new.resort_id).ok_or(invalid("resort_id"))?;
    let resort = catalog::get(pool, resort_id).await?.ok_or(invalid("resort_id"))?;
    let room_type_id = match new.room_type_id.as_deref() {
        Some(id) => Some(RoomTypeId::parse(id).ok_or(invalid("room_type_id"))?),
        None => None,
    };
    let room_type = resort.room_type(room_type_id).ok_or(invalid("room_type_id"))?.clone();
    if new.slots.is_empty() || new.slots.len() > MAX_SLOTS {
        return Err(invalid("slots"));
    }
    let (open, close) = (new.applications_open_at.timestamp_millis(), new.applications_close_at.timestamp_millis());
    let draw_at = new.draw_at.map_or(close, |draw| draw.timestamp_millis());
    if close <= open || close <= now {
        return Err(invalid("applications_close_at"));
    }
    if draw_at < close {
        return Err(invalid("draw_at"));
    }
    let weights = new.weights.unwrap_or_default();
    if !weights.valid() {
        return Err(invalid("weights"));
    }
    let mut slots = Vec::with_capacity(new.slots.len());
    for slot in &new.slots {
        let check_in = parse_date(&slot.check_in).map_err(|_| invalid("slots"))?;
        let stay = Stay::new(check_in, slot.nights, today, resort.max_nights).map_err(|_| invalid("slots"))?;
        let held =
            resort_workers::hotel::held_per_night(pool, &room_type.id.to_string(), check_in, slot.nights).await?;
        let most_held = held.iter().map(|(_, held)| *held).max().unwrap_or(0);
        let rooms = u32::try_from((room_type.rooms - most_held).max(0)).unwrap_or(0);
        slots.push(Slot { check_in: stay.check_in, nights: stay.nights, rooms });
    }
    let seed = Seed::generate();
    let lottery = Lottery {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        resort_id,
        room_type_id: room_type.id,
        slots,
        applications_open_at: open,
        applications_close_at: close,
        draw_at,
        weights,
        manager_approval: new.manager_approval,
        seed: seed.to_hex(),
        seed_commitment: seed.commitment(),
        draw_order: None,
        drawn_at: None,
    };
    let mut transaction = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO lottery (id, name, name_key, resort_id, room_type_id, slots, applications_open_at, applications_close_at, draw_at,
            weights, manager_approval, seed, seed_commitment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&lottery.id)
    .bind(&lottery.name)
    .bind(normalise(&lottery.name))
    .bind(lottery.resort_id.to_string())
    .bind(lottery.room_type_id.to_string())
    .bind(serde_json::to_string(&lottery.slots).expect("slots serialize"))
    .bind(open)
    .bind(close)
    .bind(draw_at)
    .bind(serde_json::to_string(&lottery.weights).expect("weights serialize"))
    .bind(i64::from(lottery.manager_approval))
    .bind(&lottery.seed)
    .bind(&lottery.seed_commitment)
    .bind(now)
    .execute(&mut *transaction)
    .await;
    match inserted {
        Err(error) if resort_core::db::is_unique_violation(&error) => return Err(LotteryError::NameTaken),
        other => other?,
    };
    resort_core::timer::schedule(&mut transaction, DRAW, &lottery.id, draw_at, now).await?;
    crate::catalog::changed(&mut *transaction).await?;
    transaction.commit().await?;
    Ok(lottery)
}

const COLUMNS: &str = "id, name, resort_id, room_type_id, slots, applications_open_at, applications_close_at, draw_at, weights, manager_approval, seed, seed_commitment, draw_order, drawn_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Lottery, sqlx::Error> {
    let decode = |what: &str| sqlx::Error::Decode(format!("lottery {what} is malformed").into());
    let json = |column: &str| -> Result<String, sqlx::Error> { row.try_get(column) };
    let resort_id: String = row.try_get("resort_id")?;
    let room_type_id: String = row.try_get("room_type_id")?;
    let draw_order: Option<String> = row.try_get("draw_order")?;
    Ok(Lottery {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        resort_id: ResortId::parse(&resort_id).ok_or_else(|| decode("resort_id"))?,
        room_type_id: RoomTypeId::parse(&room_type_id).ok_or_else(|| decode("room_type_id"))?,
        slots: serde_json::from_str(&json("slots")?).map_err(|_| decode("slots"))?,
        applications_open_at: row.try_get("applications_open_at")?,
        applications_close_at: row.try_get("applications_close_at")?,
        draw_at: row.try_get("draw_at")?,
        weights: serde_json::from_str(&json("weights")?).map_err(|_| decode("weights"))?,
        manager_approval: resort_core::db::flag(row.try_get("manager_approval")?),
        seed: row.try_get("seed")?,
        seed_commitment: row.try_get("seed_commitment")?,
        draw_order: draw_order
            .map(|order| serde_json::from_str(&order))
            .transpose()
            .map_err(|_| decode("draw_order"))?,
        drawn_at: row.try_get("drawn_at")?,
    })
}

pub async fn get(connection: &mut Connection, id: &str) -> Result<Option<Lottery>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM lottery WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *connection).await?;
    row.as_ref().map(from_row).transpose()
}

/// Every lottery, newest first.
pub async fn list(pool: &Pool) -> Result<Vec<Lottery>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM lottery ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

/// Every lottery not yet drawn, of every room type, oldest first: their slots' nights are closed
/// to booking.
pub async fn undrawn(pool: &Pool) -> Result<Vec<Lottery>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM lottery WHERE drawn_at IS NULL ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

/// The lotteries taking applications at `now`.
pub async fn open_at(pool: &Pool, now: i64) -> Result<Vec<Lottery>, sqlx::Error> {
    Ok(list(pool).await?.into_iter().rev().filter(|lottery| lottery.status(now) == Status::Open).collect())
}

/// The open lottery a person meant: by name (ignoring spaces and case, or the only one whose
/// name contains what they typed), or the only open one when they named none.
pub async fn find_open(pool: &Pool, typed: Option<&str>, now: i64) -> Result<Option<Lottery>, sqlx::Error> {
    let open = open_at(pool, now).await?;
    let Some(typed) = typed.map(normalise).filter(|typed| !typed.is_empty()) else {
        return Ok(if open.len() == 1 { open.into_iter().next() } else { None });
    };
    if let Some(exact) = open.iter().find(|lottery| normalise(&lottery.name) == typed) {
        return Ok(Some(exact.clone()));
    }
    let mut partial = open.into_iter().filter(|lottery| normalise(&lottery.name).contains(&typed));
    Ok(match (partial.next(), partial.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    })
}

fn application_from_row(row: &sqlx::any::AnyRow) -> Result<Application, sqlx::Error> {
    let decode = |what: &str| sqlx::Error::Decode(format!("lottery application {what} is malformed").into());
    let employee_id: String = row.try_get("employee_id")?;
    let preferences: String = row.try_get("preferences")?;
    let weight: Option<String> = row.try_get("weight")?;
    let factors: Option<String> = row.try_get("factors")?;
    let slot_index: Option<i64> = row.try_get("slot_index")?;
    Ok(Application {
        id: row.try_get("id")?,
        lottery_id: row.try_get("lottery_id")?,
        employee_id: EmployeeId::parse(&employee_id).ok_or_else(|| decode("employee_id"))?,
        preferences: serde_json::from_str(&preferences).map_err(|_| decode("preferences"))?,
        weight: weight.map(|weight| weight.parse()).transpose().map_err(|_| decode("weight"))?,
        factors: factors.map(|factors| serde_json::from_str(&factors)).transpose().map_err(|_| decode("factors"))?,
        slot_index: slot_index.and_then(|index| usize::try_from(index).ok()),
        booking_id: row.try_get("booking_id")?,
    })
}

/// A lottery's applications, in the order they came.
pub async fn applications(connection: &mut Connection, lottery_id: &str) -> Result<Vec<Application>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, lottery_id, employee_id, preferences, weight, factors, slot_index, booking_id
         FROM lottery_application WHERE lottery_id = $1 ORDER BY id",
    )
    .bind(lottery_id)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter().map(application_from_row).collect()
}

/// How many applications a lottery has.
pub async fn application_count(pool: &Pool, lottery_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM lottery_application WHERE lottery_id = $1")
        .bind(lottery_id)
        .fetch_one(pool)
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the lottery is not taking applications")]
    NotOpen,
    #[error("already applied")]
    AlreadyApplied,
    #[error("preferences must be 1 to 3 distinct slots of the lottery")]
    BadPreferences,
    #[error("slot {slot} breaks a booking rule")]
    Rule { slot: usize, refusal: resort_core::rules::Refusal },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records an application with up to three slots (0-based), most wanted first. The booking
/// rules are judged for each (active employee, blackouts, yearly limits, enough points for it);
/// the booking window and free rooms are the lottery's business. `resort` is as `catalog` has it.
pub async fn apply(
    desk: &crate::booking::BookingDesk,
    catalog: &crate::booking::catalog_cache::Snapshot,
    lottery: &Lottery,
    resort: &Resort,
    employee: &crate::identity::Employee,
    preferences: &[usize],
) -> Result<Application, ApplyError> {
    let employee_id = employee.id;
    let now = desk.clock.now_millis();
    if lottery.status(now) != Status::Open {
        return Err(ApplyError::NotOpen);
    }
    let distinct = preferences.iter().enumerate().all(|(index, slot)| !preferences[..index].contains(slot));
    if preferences.is_empty()
        || preferences.len() > MAX_PREFERENCES
        || !distinct
        || preferences.iter().any(|slot| *slot >= lottery.slots.len())
    {
        return Err(ApplyError::BadPreferences);
    }
    let room_type = resort.room_type(Some(lottery.room_type_id)).ok_or(ApplyError::BadPreferences)?;
    for slot_index in preferences {
        let slot = lottery.slots[*slot_index];
        let mut facts = desk.facts(catalog, employee, resort, room_type, slot.check_in).await?;
        // Open whatever the window, with every room free: the draw decides those.
        facts.window = resort_core::rules::Window {
            book_ahead_days: resort_core::rules::MAX_BOOK_AHEAD_DAYS,
            min_notice_days: 0,
            min_nights: 1,
            max_nights: slot.nights.max(resort.max_nights),
            approval_by: None,
            ..facts.window
        };
        facts.held.clear();
        facts.reserved.clear();
        let request = resort_core::rules::Request { check_in: slot.check_in, nights: slot.nights, guests: 1 };
        resort_core::rules::evaluate_for(request, &facts, desk.clock.now())
            .map_err(|refusal| ApplyError::Rule { slot: *slot_index, refusal })?;
    }
    let application = Application {
        id: uuid::Uuid::now_v7().to_string(),
        lottery_id: lottery.id.clone(),
        employee_id,
        preferences: preferences.to_vec(),
        weight: None,
        factors: None,
        slot_index: None,
        booking_id: None,
    };
    let inserted = sqlx::query(
        "INSERT INTO lottery_application (id, lottery_id, employee_id, preferences, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&application.id)
    .bind(&lottery.id)
    .bind(employee_id.to_string())
    .bind(serde_json::to_string(&application.preferences).expect("preferences serialize"))
    .bind(now)
    .execute(&desk.pool)
    .await;
    match inserted {
        Err(error) if resort_core::db::is_unique_violation(&error) => Err(ApplyError::AlreadyApplied),
        Err(error) => Err(error.into()),
        Ok(_) => Ok(application),
    }
}

/// Withdraws an employee's application while the lottery is open; `false` if there was none.
pub async fn withdraw(pool: &Pool, lottery: &Lottery, employee_id: EmployeeId, now: i64) -> Result<bool, ApplyError> {
    if lottery.status(now) != Status::Open {
        return Err(ApplyError::NotOpen);
    }
    let removed = sqlx::query("DELETE FROM lottery_application WHERE lottery_id = $1 AND employee_id = $2")
        .bind(&lottery.id)
        .bind(employee_id.to_string())
        .execute(pool)
        .await?
        .rows_affected();
    Ok(removed == 1)
}
