//! Room types (gateway-owned table `room_type`): a resort's rooms come in types, each with its
//! own count, capacity and base price; peak periods and every other rule stay the resort's. A
//! resort has at least one type. The type created with a resort (and the one a migration made of
//! an older resort's rooms) is its default, 기본 / Standard, and shares the resort's id.

use super::{CatalogError, InvalidField, normalise};
use resort_core::db::{self, Connection, Pool};
use resort_core::id::{ResortId, RoomTypeId};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The name of the type a resort starts with; chats show it in the reader's language.
pub const DEFAULT_NAME: &str = "기본";

/// The guests a default type takes.
pub const DEFAULT_CAPACITY: u32 = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomType {
    pub id: RoomTypeId,
    pub name: String,
    pub rooms: i64,
    /// Most guests one room takes.
    pub capacity: u32,
    pub points_per_night: i64,
}

impl RoomType {
    /// Whether this is the type a resort was created with (its id is the resort's).
    pub fn is_default_of(&self, resort_id: ResortId) -> bool {
        self.id.0 == resort_id.0
    }

    /// The name as a person reads it: the default type's in their language.
    pub fn display_name(&self, locale: resort_core::i18n::Locale) -> String {
        if self.name == DEFAULT_NAME { locale.text("room-type-default") } else { self.name.clone() }
    }

    /// Whether `typed` names this type (ignoring case and spaces; the default type also
    /// answers to its English name).
    pub fn answers_to(&self, typed: &str) -> bool {
        let typed = normalise(typed);
        !typed.is_empty()
            && (normalise(&self.name) == typed
                || (self.name == DEFAULT_NAME
                    && typed == resort_core::i18n::Locale::En.text("room-type-default").to_lowercase()))
    }
}

/// A room type as an admin creates it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRoomType {
    pub name: String,
    pub rooms: i64,
    #[serde(default = "default_capacity")]
    pub capacity: i64,
    pub points_per_night: i64,
}

fn default_capacity() -> i64 {
    i64::from(DEFAULT_CAPACITY)
}

/// A partial update; absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomTypePatch {
    pub name: Option<String>,
    pub rooms: Option<i64>,
    pub capacity: Option<i64>,
    pub points_per_night: Option<i64>,
}

impl NewRoomType {
    pub fn validate(&self) -> Result<(), InvalidField> {
        let name = self.name.trim();
        let checks = [
            ("name", !name.is_empty() && name.chars().count() <= 40),
            ("rooms", (0..=10_000).contains(&self.rooms)),
            ("capacity", (1..=50).contains(&self.capacity)),
            ("points_per_night", (1..=1_000_000).contains(&self.points_per_night)),
        ];
        match checks.into_iter().find(|(_, ok)| !ok) {
            Some((field, _)) => Err(InvalidField(field)),
            None => Ok(()),
        }
    }

    fn patched(self, patch: RoomTypePatch) -> Self {
        Self {
            name: patch.name.unwrap_or(self.name),
            rooms: patch.rooms.unwrap_or(self.rooms),
            capacity: patch.capacity.unwrap_or(self.capacity),
            points_per_night: patch.points_per_night.unwrap_or(self.points_per_night),
        }
    }
}

impl From<&RoomType> for NewRoomType {
    fn from(room_type: &RoomType) -> Self {
        Self {
            name: room_type.name.clone(),
            rooms: room_type.rooms,
            capacity: i64::from(room_type.capacity),
            points_per_night: room_type.points_per_night,
        }
    }
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<(ResortId, RoomType), sqlx::Error> {
    let decode = |column: &str| -> Result<uuid::Uuid, sqlx::Error> {
        let text: String = row.try_get(column)?;
        uuid::Uuid::parse_str(&text).map_err(|error| sqlx::Error::Decode(Box::new(error)))
    };
    let capacity: i64 = row.try_get("capacity")?;
    Ok((
        ResortId(decode("resort_id")?),
        RoomType {
            id: RoomTypeId(decode("id")?),
            name: row.try_get("name")?,
            rooms: row.try_get("rooms")?,
            capacity: u32::try_from(capacity).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
            points_per_night: row.try_get("points_per_night")?,
        },
    ))
}

const COLUMNS: &str = "id, resort_id, name, rooms, capacity, points_per_night";

/// Every resort's room types, the default first and then by name.
pub(super) async fn all(connection: &mut Connection) -> Result<Vec<(ResortId, RoomType)>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM room_type ORDER BY resort_id, CASE WHEN id = resort_id THEN 0 ELSE 1 END, name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *connection).await?;
    rows.iter().map(from_row).collect()
}

/// One resort's room types, the default first and then by name.
pub(super) async fn of(connection: &mut Connection, resort_id: ResortId) -> Result<Vec<RoomType>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM room_type WHERE resort_id = $1 ORDER BY CASE WHEN id = resort_id THEN 0 ELSE 1 END, name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(resort_id.to_string()).fetch_all(&mut *connection).await?;
    rows.iter().map(|row| from_row(row).map(|(_, room_type)| room_type)).collect()
}

/// Writes every field of a room type, creating it if `id` is new.
pub(super) async fn save(
    connection: &mut Connection,
    resort_id: ResortId,
    id: RoomTypeId,
    room_type: &NewRoomType,
    now: i64,
) -> Result<(), CatalogError> {
    room_type.validate().map_err(CatalogError::Invalid)?;
    let result = sqlx::query(
        "INSERT INTO room_type (id, resort_id, name, name_key, rooms, capacity, points_per_night, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, rooms = excluded.rooms,
            capacity = excluded.capacity, points_per_night = excluded.points_per_night, updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(resort_id.to_string())
    .bind(room_type.name.trim())
    .bind(normalise(&room_type.name))
    .bind(room_type.rooms)
    .bind(room_type.capacity)
    .bind(room_type.points_per_night)
    .bind(now)
    .execute(&mut *connection)
    .await;
    match result {
        Err(error) if db::is_unique_violation(&error) => Err(CatalogError::RoomTypeNameTaken),
        Err(error) => Err(error.into()),
        Ok(_) => Ok(super::changed(&mut *connection).await?),
    }
}

/// Adds a room type to a resort.
pub async fn create(pool: &Pool, resort_id: ResortId, new: NewRoomType, now: i64) -> Result<RoomType, CatalogError> {
    let resort = super::get(pool, resort_id).await?.ok_or(CatalogError::NotFound)?;
    if resort.room_types.len() >= MAX_ROOM_TYPES {
        return Err(CatalogError::Invalid(InvalidField("room_types")));
    }
    let id = RoomTypeId::new();
    let mut connection = pool.acquire().await?;
    save(&mut connection, resort_id, id, &new, now).await?;
    find(&mut connection, resort_id, id).await?.ok_or(CatalogError::NotFound)
}

/// The most room types a resort has: every one must fit a chat's row of choices.
pub const MAX_ROOM_TYPES: usize = 8;

/// Changes a room type. A room count below what some night from `today` on already holds is
/// refused with those nights.
pub async fn update(
    pool: &Pool,
    resort_id: ResortId,
    id: RoomTypeId,
    patch: RoomTypePatch,
    today: chrono::NaiveDate,
    now: i64,
) -> Result<RoomType, CatalogError> {
    let current = super::get(pool, resort_id)
        .await?
        .and_then(|resort| resort.room_types.into_iter().find(|room_type| room_type.id == id))
        .ok_or(CatalogError::NotFound)?;
    if let Some(rooms) = patch.rooms.filter(|rooms| *rooms < current.rooms) {
        let over = resort_workers::hotel::nights_holding_more_than(pool, &id.to_string(), rooms, today).await?;
        if !over.is_empty() {
            return Err(CatalogError::RoomsBelowHeld(over));
        }
    }
    let mut connection = pool.acquire().await?;
    save(&mut connection, resort_id, id, &NewRoomType::from(&current).patched(patch), now).await?;
    find(&mut connection, resort_id, id).await?.ok_or(CatalogError::NotFound)
}

async fn find(
    connection: &mut Connection,
    resort_id: ResortId,
    id: RoomTypeId,
) -> Result<Option<RoomType>, sqlx::Error> {
    Ok(of(connection, resort_id).await?.into_iter().find(|room_type| room_type.id == id))
}
