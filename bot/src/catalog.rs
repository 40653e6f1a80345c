//! The resort catalogue and who manages each resort (gateway-owned tables `resort`,
//! `resort_manager`). The hotel worker learns a resort's room count from each `hotel.hold`
//! command, so the catalogue stays the one place inventory is configured.

use resort_core::db::{self, Pool};
use resort_core::id::{EmployeeId, ResortId};
use resort_core::resort::{PeakPeriod, Policy};
pub use resort_core::rules::Blackout;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resort {
    pub id: ResortId,
    pub name: String,
    pub region: String,
    pub rooms: i64,
    pub points_per_night: i64,
    pub max_nights: u32,
    pub peak_periods: Vec<PeakPeriod>,
    pub auto_approve: bool,
    pub approval_hours: i64,
    pub free_cancel_days: u32,
    pub late_refund_percent: u32,
    pub book_ahead_days: u32,
    /// When the next day of the window opens, Korean time ("HH:MM").
    pub opens_at: String,
    pub min_notice_days: u32,
    pub min_nights: u32,
    /// When guests check in, Korean time ("HH:MM"); approval is due by then.
    pub check_in_time: String,
    /// In service: offered in chats and open to new bookings.
    pub active: bool,
}

impl Resort {
    /// The moment a stay from `check_in` begins (Unix milliseconds).
    pub fn stay_begins_at(&self, check_in: chrono::NaiveDate) -> i64 {
        let time = parse_opens_at(&self.check_in_time).unwrap_or(DEFAULT_CHECK_IN_TIME);
        check_in
            .and_time(time)
            .and_local_timezone(resort_core::clock::korea())
            .single()
            .map_or(i64::MAX, |moment| moment.timestamp_millis())
    }

    /// The booking window the rules evaluator checks requests against.
    pub fn window(&self) -> resort_core::rules::Window {
        resort_core::rules::Window {
            book_ahead_days: self.book_ahead_days,
            opens_at: parse_opens_at(&self.opens_at).unwrap_or(DEFAULT_OPENS_AT),
            min_notice_days: self.min_notice_days,
            min_nights: self.min_nights,
            max_nights: self.max_nights,
            approval_by: (!self.auto_approve)
                .then(|| parse_opens_at(&self.check_in_time).unwrap_or(DEFAULT_CHECK_IN_TIME)),
        }
    }

    pub fn policy(&self) -> Policy {
        Policy {
            points_per_night: self.points_per_night,
            max_nights: self.max_nights,
            peak_periods: self.peak_periods.clone(),
            free_cancel_days: self.free_cancel_days,
            late_refund_percent: self.late_refund_percent,
        }
    }
}

/// A resort as an admin creates it; omitted policy fields take the documented defaults.
#[derive(Debug, Clone, Deserialize)]
pub struct NewResort {
    pub name: String,
    pub region: String,
    pub rooms: i64,
    pub points_per_night: i64,
    #[serde(default = "defaults::max_nights")]
    pub max_nights: i64,
    #[serde(default)]
    pub peak_periods: Vec<PeakPeriod>,
    #[serde(default)]
    pub auto_approve: bool,
    #[serde(default = "defaults::approval_hours")]
    pub approval_hours: i64,
    #[serde(default = "defaults::free_cancel_days")]
    pub free_cancel_days: i64,
    #[serde(default = "defaults::late_refund_percent")]
    pub late_refund_percent: i64,
    #[serde(default = "defaults::book_ahead_days")]
    pub book_ahead_days: i64,
    #[serde(default = "defaults::opens_at")]
    pub opens_at: String,
    #[serde(default)]
    pub min_notice_days: i64,
    #[serde(default = "defaults::min_nights")]
    pub min_nights: i64,
    #[serde(default = "defaults::check_in_time")]
    pub check_in_time: String,
    #[serde(default = "defaults::active")]
    pub active: bool,
}

const DEFAULT_CHECK_IN_TIME: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(15, 0, 0) {
    Some(time) => time,
    None => panic!("15:00 is a time"),
};

const DEFAULT_OPENS_AT: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => panic!("09:00 is a time"),
};

/// Reads an opening time: "HH:MM", Korean time.
fn parse_opens_at(text: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

mod defaults {
    pub fn active() -> bool {
        true
    }
    pub fn check_in_time() -> String {
        "15:00".to_owned()
    }
    pub fn book_ahead_days() -> i64 {
        60
    }
    pub fn opens_at() -> String {
        "09:00".to_owned()
    }
    pub fn min_nights() -> i64 {
        1
    }
    pub fn max_nights() -> i64 {
        5
    }
    pub fn approval_hours() -> i64 {
        resort_core::saga::DEFAULT_APPROVAL_HOURS
    }
    pub fn free_cancel_days() -> i64 {
        7
    }
    pub fn late_refund_percent() -> i64 {
        50
    }
}

/// A partial update; absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResortPatch {
    pub name: Option<String>,
    pub region: Option<String>,
    pub rooms: Option<i64>,
    pub points_per_night: Option<i64>,
    pub max_nights: Option<i64>,
    pub peak_periods: Option<Vec<PeakPeriod>>,
    pub auto_approve: Option<bool>,
    pub approval_hours: Option<i64>,
    pub free_cancel_days: Option<i64>,
    pub late_refund_percent: Option<i64>,
    pub book_ahead_days: Option<i64>,
    pub opens_at: Option<String>,
    pub min_notice_days: Option<i64>,
    pub min_nights: Option<i64>,
    pub check_in_time: Option<String>,
    pub active: Option<bool>,
}

/// The first field of a resort that breaks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidField(pub &'static str);

impl NewResort {
    pub fn validate(&self) -> Result<(), InvalidField> {
        let name = self.name.trim();
        let checks = [
            ("name", !name.is_empty() && name.chars().count() <= 40),
            ("region", !self.region.trim().is_empty() && self.region.chars().count() <= 40),
            ("rooms", (0..=10_000).contains(&self.rooms)),
            ("points_per_night", (1..=1_000_000).contains(&self.points_per_night)),
            ("max_nights", (1..=30).contains(&self.max_nights)),
            ("approval_hours", (1..=24 * 30).contains(&self.approval_hours)),
            ("free_cancel_days", (0..=365).contains(&self.free_cancel_days)),
            ("late_refund_percent", (0..=100).contains(&self.late_refund_percent)),
            (
                "book_ahead_days",
                (1..=i64::from(resort_core::rules::MAX_BOOK_AHEAD_DAYS)).contains(&self.book_ahead_days),
            ),
            ("opens_at", parse_opens_at(&self.opens_at).is_some()),
            (
                "min_notice_days",
                (0..=365).contains(&self.min_notice_days) && self.min_notice_days <= self.book_ahead_days,
            ),
            ("min_nights", (1..=self.max_nights).contains(&self.min_nights)),
            ("check_in_time", parse_opens_at(&self.check_in_time).is_some()),
            (
                "peak_periods",
                self.peak_periods.iter().all(|period| period.from <= period.to && (1..=1000).contains(&period.percent)),
            ),
        ];
        match checks.into_iter().find(|(_, ok)| !ok) {
            Some((field, _)) => Err(InvalidField(field)),
            None => Ok(()),
        }
    }

    fn patched(mut self, patch: ResortPatch) -> Self {
        self.name = patch.name.unwrap_or(self.name);
        self.region = patch.region.unwrap_or(self.region);
        self.rooms = patch.rooms.unwrap_or(self.rooms);
        self.points_per_night = patch.points_per_night.unwrap_or(self.points_per_night);
        self.max_nights = patch.max_nights.unwrap_or(self.max_nights);
        self.peak_periods = patch.peak_periods.unwrap_or(self.peak_periods);
        self.auto_approve = patch.auto_approve.unwrap_or(self.auto_approve);
        self.approval_hours = patch.approval_hours.unwrap_or(self.approval_hours);
        self.free_cancel_days = patch.free_cancel_days.unwrap_or(self.free_cancel_days);
        self.late_refund_percent = patch.late_refund_percent.unwrap_or(self.late_refund_percent);
        self.book_ahead_days = patch.book_ahead_days.unwrap_or(self.book_ahead_days);
        self.opens_at = patch.opens_at.unwrap_or(self.opens_at);
        self.min_notice_days = patch.min_notice_days.unwrap_or(self.min_notice_days);
        self.min_nights = patch.min_nights.unwrap_or(self.min_nights);
        self.check_in_time = patch.check_in_time.unwrap_or(self.check_in_time);
        self.active = patch.active.unwrap_or(self.active);
        self
    }
}

impl From<&Resort> for NewResort {
    fn from(resort: &Resort) -> Self {
        Self {
            name: resort.name.clone(),
            region: resort.region.clone(),
            rooms: resort.rooms,
            points_per_night: resort.points_per_night,
            max_nights: i64::from(resort.max_nights),
            peak_periods: resort.peak_periods.clone(),
            auto_approve: resort.auto_approve,
            approval_hours: resort.approval_hours,
            free_cancel_days: i64::from(resort.free_cancel_days),
            late_refund_percent: i64::from(resort.late_refund_percent),
            book_ahead_days: i64::from(resort.book_ahead_days),
            opens_at: resort.opens_at.clone(),
            min_notice_days: i64::from(resort.min_notice_days),
            min_nights: i64::from(resort.min_nights),
            check_in_time: resort.check_in_time.clone(),
            active: resort.active,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid field {}", .0.0)]
    Invalid(InvalidField),
    #[error("a resort with this name exists")]
    NameTaken,
    #[error("no such resort")]
    NotFound,
    #[error("no such employee")]
    NoSuchEmployee,
    #[error("fewer rooms than some nights already hold")]
    RoomsBelowHeld(Vec<chrono::NaiveDate>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const COLUMNS: &str = "id, name, region, rooms, points_per_night, max_nights, peak_periods, auto_approve, approval_hours, free_cancel_days, late_refund_percent, book_ahead_days, opens_at, min_notice_days, min_nights, check_in_time, active";

fn from_row(row: &AnyRow) -> Result<Resort, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let peak_periods: String = row.try_get("peak_periods")?;
    let small = |column: &str| -> Result<u32, sqlx::Error> {
        let value: i64 = row.try_get(column)?;
        u32::try_from(value).map_err(|error| sqlx::Error::Decode(Box::new(error)))
    };
    Ok(Resort {
        id: ResortId::parse(&id).ok_or_else(|| sqlx::Error::Decode("resort id is not a uuid".into()))?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        rooms: row.try_get("rooms")?,
        points_per_night: row.try_get("points_per_night")?,
        max_nights: small("max_nights")?,
        peak_periods: serde_json::from_str(&peak_periods).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
        auto_approve: db::flag(row.try_get("auto_approve")?),
        approval_hours: row.try_get("approval_hours")?,
        free_cancel_days: small("free_cancel_days")?,
        late_refund_percent: small("late_refund_percent")?,
        book_ahead_days: small("book_ahead_days")?,
        opens_at: row.try_get("opens_at")?,
        min_notice_days: small("min_notice_days")?,
        min_nights: small("min_nights")?,
        check_in_time: row.try_get("check_in_time")?,
        active: db::flag(row.try_get("active")?),
    })
}

pub async fn create(pool: &Pool, new: NewResort, now: i64) -> Result<Resort, CatalogError> {
    save(pool, ResortId::new(), new, now).await
}

/// Changes a resort. A room count below what some night from `today` on already holds is refused
/// with those nights, so inventory never shrinks under bookings.
pub async fn update(
    pool: &Pool,
    id: ResortId,
    patch: ResortPatch,
    today: chrono::NaiveDate,
    now: i64,
) -> Result<Resort, CatalogError> {
    let current = get(pool, id).await?.ok_or(CatalogError::NotFound)?;
    if let Some(rooms) = patch.rooms.filter(|rooms| *rooms < current.rooms) {
        let over = resort_workers::hotel::nights_holding_more_than(pool, &id.to_string(), rooms, today).await?;
        if !over.is_empty() {
            return Err(CatalogError::RoomsBelowHeld(over));
        }
    }
    save(pool, id, NewResort::from(&current).patched(patch), now).await
}

/// Validates and writes every field of a resort, creating it if `id` is new.
async fn save(pool: &Pool, id: ResortId, resort: NewResort, now: i64) -> Result<Resort, CatalogError> {
    resort.validate().map_err(CatalogError::Invalid)?;
    let result = sqlx::query(
        "INSERT INTO resort (id, name, region, rooms, points_per_night, max_nights, peak_periods, auto_approve, approval_hours,
            free_cancel_days, late_refund_percent, created_at, updated_at, name_key, book_ahead_days, opens_at, min_notice_days, min_nights, check_in_time, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, region = excluded.region, rooms = excluded.rooms,
            points_per_night = excluded.points_per_night, max_nights = excluded.max_nights, peak_periods = excluded.peak_periods,
            auto_approve = excluded.auto_approve, approval_hours = excluded.approval_hours,
            free_cancel_days = excluded.free_cancel_days, late_refund_percent = excluded.late_refund_percent,
            book_ahead_days = excluded.book_ahead_days, opens_at = excluded.opens_at,
            min_notice_days = excluded.min_notice_days, min_nights = excluded.min_nights,
            check_in_time = excluded.check_in_time, active = excluded.active,
            updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(resort.name.trim())
    .bind(resort.region.trim())
    .bind(resort.rooms)
    .bind(resort.points_per_night)
    .bind(resort.max_nights)
    .bind(serde_json::to_string(&resort.peak_periods).expect("peak periods serialize"))
    .bind(i64::from(resort.auto_approve))
    .bind(resort.approval_hours)
    .bind(resort.free_cancel_days)
    .bind(resort.late_refund_percent)
    .bind(now)
    .bind(normalise(&resort.name))
    .bind(resort.book_ahead_days)
    .bind(resort.opens_at.trim())
    .bind(resort.min_notice_days)
    .bind(resort.min_nights)
    .bind(resort.check_in_time.trim())
    .bind(i64::from(resort.active))
    .execute(pool)
    .await;
    match result {
        Err(error) if db::is_unique_violation(&error) => Err(CatalogError::NameTaken),
        Err(error) => Err(error.into()),
        Ok(_) => get(pool, id).await?.ok_or(CatalogError::NotFound),
    }
}

pub async fn get(pool: &Pool, id: ResortId) -> Result<Option<Resort>, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    get_with(&mut connection, id).await
}

/// [`get`] inside a caller's transaction.
pub async fn get_with(
    connection: &mut resort_core::db::Connection,
    id: ResortId,
) -> Result<Option<Resort>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM resort WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut *connection).await?;
    row.as_ref().map(from_row).transpose()
}

/// The resorts in service, for people choosing one.
pub async fn list_active(pool: &Pool) -> Result<Vec<Resort>, sqlx::Error> {
    Ok(list(pool).await?.into_iter().filter(|resort| resort.active).collect())
}

pub async fn list(pool: &Pool) -> Result<Vec<Resort>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM resort ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

/// Finds the resort a person meant: an exact name (ignoring case and spaces) or else the only
/// resort whose name contains what they typed.
pub async fn find_by_name(pool: &Pool, typed: &str) -> Result<Option<Resort>, sqlx::Error> {
    let wanted = normalise(typed);
    if wanted.is_empty() {
        return Ok(None);
    }
    let resorts = list(pool).await?;
    if let Some(exact) = resorts.iter().find(|resort| normalise(&resort.name) == wanted) {
        return Ok(Some(exact.clone()));
    }
    let mut partial = resorts.into_iter().filter(|resort| normalise(&resort.name).contains(&wanted));
    match (partial.next(), partial.next()) {
        (Some(only), None) => Ok(Some(only)),
        _ => Ok(None),
    }
}

/// Gives resorts made before names were keyed their key; a name that clashes with another's
/// key is left without one (and logged) for an admin to rename.
pub async fn key_older_names(pool: &Pool) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM resort WHERE name_key IS NULL").fetch_all(pool).await?;
    for (id, name) in rows {
        let keyed = sqlx::query("UPDATE resort SET name_key = $2 WHERE id = $1")
            .bind(&id)
            .bind(normalise(&name))
            .execute(pool)
            .await;
        match keyed {
            Err(error) if db::is_unique_violation(&error) => {
                tracing::warn!(resort = %id, %name, "a resort's name differs from another's only in spaces or case; rename it")
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// A name as people type it: no spaces, lower case.
fn normalise(name: &str) -> String {
    name.chars().filter(|character| !character.is_whitespace()).flat_map(char::to_lowercase).collect()
}

pub async fn add_manager(
    pool: &Pool,
    resort_id: ResortId,
    employee_id: EmployeeId,
    now: i64,
) -> Result<(), CatalogError> {
    get(pool, resort_id).await?.ok_or(CatalogError::NotFound)?;
    let result = sqlx::query(
        "INSERT INTO resort_manager (resort_id, employee_id, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING",
    )
    .bind(resort_id.to_string())
    .bind(employee_id.to_string())
    .bind(now)
    .execute(pool)
    .await;
    match result {
        Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => Err(CatalogError::NoSuchEmployee),
        Err(error) => Err(error.into()),
        Ok(_) => Ok(()),
    }
}

pub async fn manager_ids(
    connection: &mut resort_core::db::Connection,
    resort_id: ResortId,
) -> Result<Vec<EmployeeId>, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT employee_id FROM resort_manager WHERE resort_id = $1 ORDER BY employee_id")
            .bind(resort_id.to_string())
            .fetch_all(&mut *connection)
            .await?;
    Ok(ids.iter().filter_map(|id| EmployeeId::parse(id)).collect())
}

/// Resorts this employee manages (empty for everyone else).
pub async fn managed_by(pool: &Pool, employee_id: EmployeeId) -> Result<Vec<ResortId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT resort_id FROM resort_manager WHERE employee_id = $1")
        .bind(employee_id.to_string())
        .fetch_all(pool)
        .await?;
    Ok(ids.iter().filter_map(|id| ResortId::parse(id)).collect())
}

/// A resort's blackout periods, earliest first.
pub async fn blackouts(pool: &Pool, resort_id: ResortId) -> Result<Vec<Blackout>, sqlx::Error> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, from_night, to_night, reason FROM blackout WHERE resort_id = $1 ORDER BY from_night, id",
    )
    .bind(resort_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, from, to, reason)| {
            let date =
                |text: &str| resort_core::stay::parse_date(text).map_err(|error| sqlx::Error::Decode(Box::new(error)));
            Ok(Blackout { id, from: date(&from)?, to: date(&to)?, reason })
        })
        .collect()
}

/// A blackout period as an admin adds it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewBlackout {
    pub from: String,
    pub to: String,
    pub reason: String,
}

pub async fn add_blackout(
    pool: &Pool,
    resort_id: ResortId,
    new: NewBlackout,
    now: i64,
) -> Result<Blackout, CatalogError> {
    let from = resort_core::stay::parse_date(&new.from).map_err(|_| CatalogError::Invalid(InvalidField("from")))?;
    let to = resort_core::stay::parse_date(&new.to).map_err(|_| CatalogError::Invalid(InvalidField("to")))?;
    if to < from {
        return Err(CatalogError::Invalid(InvalidField("to")));
    }
    let reason = new.reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        return Err(CatalogError::Invalid(InvalidField("reason")));
    }
    get(pool, resort_id).await?.ok_or(CatalogError::NotFound)?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO blackout (id, resort_id, from_night, to_night, reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(resort_id.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(reason)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(Blackout { id, from, to, reason: reason.to_owned() })
}

/// Removes a blackout period; `false` if the resort has none by that id.
pub async fn remove_blackout(pool: &Pool, resort_id: ResortId, blackout_id: &str) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM blackout WHERE id = $1 AND resort_id = $2")
        .bind(blackout_id)
        .bind(resort_id.to_string())
        .execute(pool)
        .await?
        .rows_affected();
    Ok(removed == 1)
}
