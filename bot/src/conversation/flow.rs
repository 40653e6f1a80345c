//! The guided booking flow's state (gateway-owned table `conversation`), kept in the database so
//! that a flow survives a restart and any gateway replica can continue it.
//!
//! ```text
//! user: 예약
//! bot:  어느 휴양소로 예약할까요? [설악 오션] [제주 바람]
//! user: (설악 오션)
//! bot:  어떤 객실로 할까요? [기본 · 4인 · 100포인트] [디럭스 · 6인 · 180포인트]   (several types only)
//! user: (기본)
//! bot:  체크인 날짜를 골라 주세요. (month calendar)
//! user: (2026-12-01)
//! bot:  몇 박 하시나요? [1박] [2박] [3박]
//! user: (2박)
//! bot:  몇 분이 묵으시나요? [1명] [2명] [3명] [4명]   (rooms for more than one only)
//! user: (2명)
//! bot:  설악 오션 · 12월 1일(화) → 3일(목), 2박 · 200포인트 (잔액 1000 → 800) [확정] [뒤로] [그만]
//! user: (확정)
//! bot:  예약 요청을 접수했습니다. 참조번호 R7K2QH3 …
//! ```
//!
//! The confirm step carries a `flow_id` that becomes the booking's idempotency key, so pressing
//! Confirm twice makes one booking.

use crate::identity::Platform;
use chrono::NaiveDate;
use resort_core::db::Pool;
use resort_core::id::{ResortId, RoomTypeId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Flow {
    ChooseResort,
    /// Asked only at a resort with several room types. A one-shot booking that named none
    /// lands here with the rest of its stay, and goes on to the confirm step.
    ChooseRoomType {
        resort_id: ResortId,
        #[serde(default)]
        prefilled: Option<Prefilled>,
    },
    ChooseDate {
        resort_id: ResortId,
        room_type_id: RoomTypeId,
    },
    ChooseNights {
        resort_id: ResortId,
        room_type_id: RoomTypeId,
        check_in: NaiveDate,
    },
    /// Asked only when a room takes more than one guest.
    ChooseGuests {
        resort_id: ResortId,
        room_type_id: RoomTypeId,
        check_in: NaiveDate,
        nights: u32,
    },
    Confirm {
        resort_id: ResortId,
        room_type_id: RoomTypeId,
        check_in: NaiveDate,
        nights: u32,
        guests: u32,
        flow_id: String,
    },
    /// Confirmed; kept so a second press of Confirm answers with the same booking.
    Done {
        flow_id: String,
    },
}

/// The stay a one-shot message gave, waiting for its room type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefilled {
    pub check_in: NaiveDate,
    pub nights: u32,
    pub guests: u32,
}

impl Flow {
    /// The step before this one, for the Back button. A step that was skipped going forward
    /// (one room type, one guest) is skipped going back too, by the guided flow.
    pub fn back(&self) -> Flow {
        match self {
            Flow::ChooseResort | Flow::ChooseRoomType { .. } | Flow::Done { .. } => Flow::ChooseResort,
            Flow::ChooseDate { resort_id, .. } => Flow::ChooseRoomType { resort_id: *resort_id, prefilled: None },
            Flow::ChooseNights { resort_id, room_type_id, .. } => {
                Flow::ChooseDate { resort_id: *resort_id, room_type_id: *room_type_id }
            }
            Flow::ChooseGuests { resort_id, room_type_id, check_in, .. } => {
                Flow::ChooseNights { resort_id: *resort_id, room_type_id: *room_type_id, check_in: *check_in }
            }
            Flow::Confirm { resort_id, room_type_id, check_in, nights, .. } => Flow::ChooseGuests {
                resort_id: *resort_id,
                room_type_id: *room_type_id,
                check_in: *check_in,
                nights: *nights,
            },
        }
    }
}

pub async fn load(pool: &Pool, platform: Platform, user_id: &str) -> Result<Option<Flow>, sqlx::Error> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM conversation WHERE platform = $1 AND platform_user_id = $2")
            .bind(platform.as_str())
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    // A state written by an older version that no longer parses simply starts over.
    Ok(state.and_then(|state| serde_json::from_str(&state).ok()))
}

pub async fn save(pool: &Pool, platform: Platform, user_id: &str, flow: &Flow, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO conversation (platform, platform_user_id, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(platform.as_str())
    .bind(user_id)
    .bind(serde_json::to_string(flow).expect("flow state serializes"))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn clear(pool: &Pool, platform: Platform, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM conversation WHERE platform = $1 AND platform_user_id = $2")
        .bind(platform.as_str())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
