//! The resort catalogue and who manages each resort (gateway-owned tables `resort`,
//! `resort_manager`, with [`room_type`] and [`blackout`]). The hotel worker learns a room type's
//! count from each `hotel.hold` command, so the catalogue stays the one place inventory is
//! configured.

mod blackout;
pub mod room_type;

pub use blackout::{Blackout, NewBlackout, add_blackout, all_blackouts, blackouts, remove_blackout};
use resort_core::db::{self, Pool};
use resort_core::id::{EmployeeId, ResortId, RoomTypeId};
use resort_core::resort::{PeakPeriod, Policy};
pub use room_type::{NewRoomType, RoomType, RoomTypePatch};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resort {
    pub id: ResortId,
    pub name: String,
    pub region: String,
    /// Rooms of every type together.
    pub rooms: i64,
    /// The lowest base price of its room types ("from").
    pub points_per_night: i64,
    pub max_nights: u32,
    pub peak_periods: Vec<PeakPeriod>,
    pub auto_approve: bool,
    pub approval_hours: i64,
    /// How long a waitlist offer of a freed room waits for an answer.
    pub offer_hours: i64,
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
    /// Most stays one employee may check in to here in a calendar year; `None`: no limit.
    pub yearly_stays_per_employee: Option<u32>,
    /// At least one; the default type first.
    pub room_types: Vec<RoomType>,
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

    /// The type of room a booking means: the one with `id`, or the only one there is.
    pub fn room_type(&self, id: Option<RoomTypeId>) -> Option<&RoomType> {
        match id {
            Some(id) => self.room_types.iter().find(|room_type| room_type.id == id),
            None if self.room_types.len() == 1 => self.room_types.first(),
            None => None,
        }
    }

    /// The prices and cancellation terms of one room type (peak periods are the resort's).
    pub fn policy(&self, room_type: &RoomType) -> Policy {
        Policy {
            points_per_night: room_type.points_per_night,
            max_nights: self.max_nights,
            peak_periods: self.peak_periods.clone(),
            free_cancel_days: self.free_cancel_days,
            late_refund_percent: self.late_refund_percent,
        }
    }
}

/// A resort as an admin creates it; omitted policy fields take the documented defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewResort {
    pub name: String,
    pub region: String,
    /// The rooms and price of the default room type, when `room_types` is not given.
    #[serde(default)]
    pub rooms: Option<i64>,
    #[serde(default)]
    pub points_per_night: Option<i64>,
    /// The resort's room types; without them it gets one, 기본, of `rooms` at `points_per_night`.
    #[serde(default)]
    pub room_types: Option<Vec<NewRoomType>>,
    #[serde(default)]
    pub yearly_stays_per_employee: Option<i64>,
    #[serde(default = "defaults::max_nights")]
    pub max_nights: i64,
    #[serde(default)]
    pub peak_periods: Vec<PeakPeriod>,
    #[serde(default)]
    pub auto_approve: bool,
    #[serde(default = "defaults::approval_hours")]
    pub approval_hours: i64,
    #[serde(default = "defaults::offer_hours")]
    pub offer_hours: i64,
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

/// The resort row's own fields, as [`save`] writes them.
#[derive(Debug, Clone)]
struct ResortFields {
    name: String,
    region: String,
    max_nights: i64,
    peak_periods: Vec<PeakPeriod>,
    auto_approve: bool,
    approval_hours: i64,
    offer_hours: i64,
    free_cancel_days: i64,
    late_refund_percent: i64,
    book_ahead_days: i64,
    opens_at: String,
    min_notice_days: i64,
    min_nights: i64,
    check_in_time: String,
    active: bool,
    yearly_stays_per_employee: Option<i64>,
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
    pub fn offer_hours() -> i64 {
        2
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
#[serde(deny_unknown_fields)]
pub struct ResortPatch {
    pub name: Option<String>,
    pub region: Option<String>,
    /// Changes the only room type; refused once there are several.
    pub rooms: Option<i64>,
    pub points_per_night: Option<i64>,
    /// `null` removes the limit; absent keeps it.
    #[serde(default, deserialize_with = "present")]
    pub yearly_stays_per_employee: Option<Option<i64>>,
    pub max_nights: Option<i64>,
    pub peak_periods: Option<Vec<PeakPeriod>>,
    pub auto_approve: Option<bool>,
    pub approval_hours: Option<i64>,
    pub offer_hours: Option<i64>,
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
    /// The resort's own fields and its room types, each checked.
    fn into_parts(self) -> Result<(ResortFields, Vec<NewRoomType>), InvalidField> {
        let room_types = match self.room_types {
            Some(_) if self.rooms.is_some() || self.points_per_night.is_some() => return Err(InvalidField("rooms")),
            Some(types) if types.is_empty() || types.len() > room_type::MAX_ROOM_TYPES => {
                return Err(InvalidField("room_types"));
            }
            Some(types) => types,
            None => vec![NewRoomType {
                name: room_type::DEFAULT_NAME.to_owned(),
                rooms: self.rooms.ok_or(InvalidField("rooms"))?,
                capacity: i64::from(room_type::DEFAULT_CAPACITY),
                points_per_night: self.points_per_night.ok_or(InvalidField("points_per_night"))?,
            }],
        };
        for (index, new) in room_types.iter().enumerate() {
            new.validate()?;
            if room_types[..index].iter().any(|earlier| normalise(&earlier.name) == normalise(&new.name)) {
                return Err(InvalidField("room_types"));
            }
        }
        let fields = ResortFields {
            name: self.name,
            region: self.region,
            max_nights: self.max_nights,
            peak_periods: self.peak_periods,
            auto_approve: self.auto_approve,
            approval_hours: self.approval_hours,
            offer_hours: self.offer_hours,
            free_cancel_days: self.free_cancel_days,
            late_refund_percent: self.late_refund_percent,
            book_ahead_days: self.book_ahead_days,
            opens_at: self.opens_at,
            min_notice_days: self.min_notice_days,
            min_nights: self.min_nights,
            check_in_time: self.check_in_time,
            active: self.active,
            yearly_stays_per_employee: self.yearly_stays_per_employee,
        };
        fields.validate()?;
        Ok((fields, room_types))
    }
}

impl ResortFields {
    fn validate(&self) -> Result<(), InvalidField> {
        let name = self.name.trim();
        let checks = [
            ("name", !name.is_empty() && name.chars().count() <= 40),
            ("region", !self.region.trim().is_empty() && self.region.chars().count() <= 40),
            ("max_nights", (1..=30).contains(&self.max_nights)),
            ("approval_hours", (1..=24 * 30).contains(&self.approval_hours)),
            ("offer_hours", (1..=24 * 7).contains(&self.offer_hours)),
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
            (
                "yearly_stays_per_employee",
                self.yearly_stays_per_employee.is_none_or(|limit| (1..=366).contains(&limit)),
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
        self.max_nights = patch.max_nights.unwrap_or(self.max_nights);
        self.peak_periods = patch.peak_periods.unwrap_or(self.peak_periods);
        self.auto_approve = patch.auto_approve.unwrap_or(self.auto_approve);
        self.approval_hours = patch.approval_hours.unwrap_or(self.approval_hours);
        self.offer_hours = patch.offer_hours.unwrap_or(self.offer_hours);
        self.free_cancel_days = patch.free_cancel_days.unwrap_or(self.free_cancel_days);
        self.late_refund_percent = patch.late_refund_percent.unwrap_or(self.late_refund_percent);
        self.book_ahead_days = patch.book_ahead_days.unwrap_or(self.book_ahead_days);
        self.opens_at = patch.opens_at.unwrap_or(self.opens_at);
        self.min_notice_days = patch.min_notice_days.unwrap_or(self.min_notice_days);
        self.min_nights = patch.min_nights.unwrap_or(self.min_nights);
        self.check_in_time = patch.check_in_time.unwrap_or(self.check_in_time);
        self.active = patch.active.unwrap_or(self.active);
        self.yearly_stays_per_employee = patch.yearly_stays_per_employee.unwrap_or(self.yearly_stays_per_employee);
        self
    }
}

impl From<&Resort> for ResortFields {
    fn from(resort: &Resort) -> Self {
        Self {
            name: resort.name.clone(),
            region: resort.region.clone(),
            max_nights: i64::from(resort.max_nights),
            peak_periods: resort.peak_periods.clone(),
            auto_approve: resort.auto_approve,
            approval_hours: resort.approval_hours,
            offer_hours: resort.offer_hours,
            free_cancel_days: i64::from(resort.free_cancel_days),
            late_refund_percent: i64::from(resort.late_refund_percent),
            book_ahead_days: i64::from(resort.book_ahead_days),
            opens_at: resort.opens_at.clone(),
            min_notice_days: i64::from(resort.min_notice_days),
            min_nights: i64::from(resort.min_nights),
            check_in_time: resort.check_in_time.clone(),
            active: resort.active,
            yearly_stays_per_employee: resort.yearly_stays_per_employee.map(i64::from),
        }
    }
}

/// Reads a field that may be `null` as `Some(None)`, told apart from an absent one (`None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(deserializer).map(Some)
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
    #[error("the resort has a room type of this name")]
    RoomTypeNameTaken,
    #[error("the resort has several room types; change one of them")]
    SeveralRoomTypes,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const COLUMNS: &str = "id, name, region, max_nights, peak_periods, auto_approve, approval_hours, free_cancel_days, late_refund_percent, book_ahead_days, opens_at, min_notice_days, min_nights, check_in_time, active, yearly_stays_per_employee, offer_hours";

/// A resort row with its room types (at least one, or the resort is not read).
fn from_row(row: &AnyRow, room_types: Vec<RoomType>) -> Result<Resort, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let peak_periods: String = row.try_get("peak_periods")?;
    let small = |column: &str| -> Result<u32, sqlx::Error> {
        let value: i64 = row.try_get(column)?;
        u32::try_from(value).map_err(|error| sqlx::Error::Decode(Box::new(error)))
    };
    let yearly: Option<i64> = row.try_get("yearly_stays_per_employee")?;
    Ok(Resort {
        id: ResortId::parse(&id).ok_or_else(|| sqlx::Error::Decode("resort id is not a uuid".into()))?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        rooms: room_types.iter().map(|room_type| room_type.rooms).sum(),
        points_per_night: room_types.iter().map(|room_type| room_type.points_per_night).min().unwrap_or(0),
        max_nights: small("max_nights")?,
        peak_periods: serde_json::from_str(&peak_periods).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
        auto_approve: db::flag(row.try_get("auto_approve")?),
        approval_hours: row.try_get("approval_hours")?,
        offer_hours: row.try_get("offer_hours")?,
        free_cancel_days: small("free_cancel_days")?,
        late_refund_percent: small("late_refund_percent")?,
        book_ahead_days: small("book_ahead_days")?,
        opens_at: row.try_get("opens_at")?,
        min_notice_days: small("min_notice_days")?,
        min_nights: small("min_nights")?,
        check_in_time: row.try_get("check_in_time")?,
        active: db::flag(row.try_get("active")?),
        yearly_stays_per_employee: yearly.and_then(|limit| u32::try_from(limit).ok()),
        room_types,
    })
}

/// Creates a resort with its room types (the default one unless others are given), in one
/// transaction.
pub async fn create(pool: &Pool, new: NewResort, now: i64) -> Result<Resort, CatalogError> {
    let (fields, room_types) = new.into_parts().map_err(CatalogError::Invalid)?;
    let id = ResortId::new();
    let mut transaction = pool.begin().await?;
    save(&mut transaction, id, &fields, now).await?;
    for (index, new) in room_types.iter().enumerate() {
        // The first type is the default and shares the resort's id.
        let type_id = if index == 0 { RoomTypeId(id.0) } else { RoomTypeId::new() };
        match room_type::save(&mut transaction, id, type_id, new, now).await {
            Err(CatalogError::RoomTypeNameTaken) => return Err(CatalogError::Invalid(InvalidField("room_types"))),
            other => other?,
        }
    }
    transaction.commit().await?;
    get(pool, id).await?.ok_or(CatalogError::NotFound)
}

/// Changes a resort. `rooms` and `points_per_night` change its only room type (refused once it
/// has several), and a room count below what some night from `today` on already holds is refused
/// with those nights, so inventory never shrinks under bookings.
pub async fn update(
    pool: &Pool,
    id: ResortId,
    mut patch: ResortPatch,
    today: chrono::NaiveDate,
    now: i64,
) -> Result<Resort, CatalogError> {
    let current = get(pool, id).await?.ok_or(CatalogError::NotFound)?;
    let type_patch = RoomTypePatch {
        rooms: patch.rooms.take(),
        points_per_night: patch.points_per_night.take(),
        ..RoomTypePatch::default()
    };
    let fields = ResortFields::from(&current).patched(patch);
    fields.validate().map_err(CatalogError::Invalid)?;
    if type_patch.rooms.is_some() || type_patch.points_per_night.is_some() {
        let [only] = current.room_types.as_slice() else {
            return Err(CatalogError::SeveralRoomTypes);
        };
        room_type::update(pool, id, only.id, type_patch, today, now).await?;
    }
    let mut connection = pool.acquire().await?;
    save(&mut connection, id, &fields, now).await?;
    drop(connection);
    get(pool, id).await?.ok_or(CatalogError::NotFound)
}

/// Writes every field of a resort row, creating it if `id` is new.
async fn save(
    connection: &mut resort_core::db::Connection,
    id: ResortId,
    resort: &ResortFields,
    now: i64,
) -> Result<(), CatalogError> {
    let result = sqlx::query(
        "INSERT INTO resort (id, name, region, max_nights, peak_periods, auto_approve, approval_hours,
            free_cancel_days, late_refund_percent, created_at, updated_at, name_key, book_ahead_days, opens_at, min_notice_days, min_nights,
            check_in_time, active, yearly_stays_per_employee, offer_hours)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, region = excluded.region,
            max_nights = excluded.max_nights, peak_periods = excluded.peak_periods,
            auto_approve = excluded.auto_approve, approval_hours = excluded.approval_hours,
            free_cancel_days = excluded.free_cancel_days, late_refund_percent = excluded.late_refund_percent,
            book_ahead_days = excluded.book_ahead_days, opens_at = excluded.opens_at,
            min_notice_days = excluded.min_notice_days, min_nights = excluded.min_nights,
            check_in_time = excluded.check_in_time, active = excluded.active,
            yearly_stays_per_employee = excluded.yearly_stays_per_employee, offer_hours = excluded.offer_hours,
            updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(resort.name.trim())
    .bind(resort.region.trim())
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
    .bind(resort.yearly_stays_per_employee)
    .bind(resort.offer_hours)
    .execute(&mut *connection)
    .await;
    match result {
        Err(error) if db::is_unique_violation(&error) => Err(CatalogError::NameTaken),
        Err(error) => Err(error.into()),
        Ok(_) => Ok(changed(&mut *connection).await?),
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
    let Some(row) = row else { return Ok(None) };
    let room_types = room_type::of(connection, id).await?;
    if room_types.is_empty() {
        return Ok(None);
    }
    from_row(&row, room_types).map(Some)
}

/// The resorts in service, for people choosing one.
pub async fn list_active(pool: &Pool) -> Result<Vec<Resort>, sqlx::Error> {
    Ok(list(pool).await?.into_iter().filter(|resort| resort.active).collect())
}

pub async fn list(pool: &Pool) -> Result<Vec<Resort>, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    let sql = format!("SELECT {COLUMNS} FROM resort ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *connection).await?;
    let mut room_types: std::collections::HashMap<ResortId, Vec<RoomType>> = std::collections::HashMap::new();
    for (resort_id, room_type) in room_type::all(&mut connection).await? {
        room_types.entry(resort_id).or_default().push(room_type);
    }
    rows.iter()
        .filter_map(|row| {
            let id = row.try_get::<String, _>("id").ok().and_then(|id| ResortId::parse(&id))?;
            let types = room_types.remove(&id).filter(|types| !types.is_empty())?;
            Some(from_row(row, types))
        })
        .collect()
}

/// Finds the resort a person meant: an exact name (ignoring case and spaces) or else the only
/// resort whose name contains what they typed.
pub fn find_in<'r>(resorts: &'r [Resort], typed: &str) -> Option<&'r Resort> {
    let wanted = normalise(typed);
    if wanted.is_empty() {
        return None;
    }
    if let Some(exact) = resorts.iter().find(|resort| normalise(&resort.name) == wanted) {
        return Some(exact);
    }
    let mut partial = resorts.iter().filter(|resort| normalise(&resort.name).contains(&wanted));
    match (partial.next(), partial.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Moves the catalogue's version on: every write to a table a request is judged against
/// (resorts, room types, blackouts, lotteries, the yearly policy) calls this in its transaction,
/// or on its connection right after the write, so no gateway judges by a copy older than the
/// write once it has committed ([`crate::booking::catalog_cache`]).
pub async fn changed<'c, E>(executor: E) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query("UPDATE catalog_version SET version = version + 1 WHERE id = 1").execute(executor).await?;
    Ok(())
}

/// The catalogue's version now: it moves on with every [`changed`].
pub async fn version(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1").fetch_one(pool).await
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
                changed(pool).await?;
            }
        }
    }
    Ok(())
}

/// A name as people type it: no spaces, lower case.
pub(crate) fn normalise(name: &str) -> String {
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

/// A resort's managers with their names, by name.
pub async fn managers(pool: &Pool, resort_id: ResortId) -> Result<Vec<(EmployeeId, String)>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.employee_id, e.name FROM resort_manager m JOIN employee e ON e.id = m.employee_id
         WHERE m.resort_id = $1 ORDER BY e.name, m.employee_id",
    )
    .bind(resort_id.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().filter_map(|(id, name)| Some((EmployeeId::parse(&id)?, name))).collect())
}

/// Removes a manager from a resort; `false` if they were not one. Their pending approval requests
/// stay for the other managers, the deadline or an admin.
pub async fn remove_manager(pool: &Pool, resort_id: ResortId, employee_id: EmployeeId) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM resort_manager WHERE resort_id = $1 AND employee_id = $2")
        .bind(resort_id.to_string())
        .bind(employee_id.to_string())
        .execute(pool)
        .await?
        .rows_affected();
    Ok(removed == 1)
}

/// Resorts this employee manages (empty for everyone else).
pub async fn managed_by(pool: &Pool, employee_id: EmployeeId) -> Result<Vec<ResortId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT resort_id FROM resort_manager WHERE employee_id = $1")
        .bind(employee_id.to_string())
        .fetch_all(pool)
        .await?;
    Ok(ids.iter().filter_map(|id| ResortId::parse(id)).collect())
}
