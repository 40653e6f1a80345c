//! The room-type migration on a database an older release left behind: every resort becomes one
//! default room type with its rooms and price, and every booking, hold and held night belongs to
//! it, so occupancy and releases stay exact.

use super::helpers::fresh_database;
use chrono::{NaiveDate, Utc};
use resort_core::bus::InProcessBus;
use resort_core::clock::ManualClock;
use resort_core::id::{BookingId, ResortId, RoomTypeId};
use resort_core::inbox::{ConsumerContext, RetryPolicy};
use resort_core::message::{BookingRef, HotelHold, Message};
use resort_core::outbox::OutboxSignal;
use std::sync::Arc;

/// The last schema before room types.
const BEFORE_ROOM_TYPES: i64 = 10;

#[tokio::test]
async fn a_database_from_before_room_types_keeps_its_bookings_and_occupancy_exact() {
    let directory = tempfile::tempdir().unwrap();
    let (url, server) = fresh_database(directory.path()).await;
    let pool = resort_core::db::connect(&url).await.unwrap();
    resort_core::db::migrate_to(&pool, BEFORE_ROOM_TYPES).await.unwrap();

    let resort = ResortId::new();
    let booking = BookingId::new();
    let (first, second) =
        (NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 25).unwrap());
    sqlx::query(
        "INSERT INTO resort (id, name, region, rooms, points_per_night, max_nights, peak_periods, auto_approve, approval_hours,
            free_cancel_days, late_refund_percent, created_at, updated_at, name_key)
         VALUES ($1, '설악 오션', '강원', 3, 120, 5, '[]', 1, 24, 7, 50, 0, 0, '설악오션')",
    )
    .bind(resort.to_string())
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO booking (id, reference, employee_id, resort_id, resort_name, check_in, nights, points, status, version, created_at, updated_at)
         VALUES ($1, 'R7K2QH', 'e1', $2, '설악 오션', '2026-12-24', 2, 240, 'confirmed', 4, 0, 0)",
    )
    .bind(booking.to_string())
    .bind(resort.to_string())
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO room_hold (booking_id, resort_id, check_in, nights, status, created_at, updated_at)
         VALUES ($1, $2, '2026-12-24', 2, 'confirmed', 0, 0)",
    )
    .bind(booking.to_string())
    .bind(resort.to_string())
    .execute(&pool)
    .await
    .unwrap();
    for night in [first, second] {
        sqlx::query("INSERT INTO room_night (resort_id, night, rooms, held, created_at, updated_at) VALUES ($1, $2, 3, 2, 0, 0)")
            .bind(resort.to_string())
            .bind(night.to_string())
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    let pool = resort_core::db::connect_and_migrate(&url).await.unwrap();
    let migrated = resortbot::catalog::get(&pool, resort).await.unwrap().expect("the resort is still there");
    assert_eq!((migrated.rooms, migrated.points_per_night), (3, 120));
    let [standard] = migrated.room_types.as_slice() else { panic!("one room type: {:?}", migrated.room_types) };
    assert_eq!((standard.id, standard.name.as_str(), standard.capacity), (RoomTypeId(resort.0), "기본", 4));
    let held = |pool: resort_core::db::Pool| async move {
        resort_workers::hotel::held_per_night(&pool, &resort.to_string(), first, 2).await.unwrap()
    };
    assert_eq!(held(pool.clone()).await, vec![(first, 2), (second, 2)], "occupancy is what it was");
    let (type_id, guests): (String, i64) = sqlx::query_as("SELECT room_type_id, guests FROM booking WHERE id = $1")
        .bind(booking.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((type_id, guests), (resort.to_string(), 1));

    // The old hold releases into the same nights, and a new hold (of an older message without a
    // room type) takes from them.
    let context = ConsumerContext {
        pool: pool.clone(),
        transport: Arc::new(InProcessBus::new()),
        clock: Arc::new(ManualClock::new(Utc::now())),
        outbox_signal: OutboxSignal::new(),
        retry: RetryPolicy::default(),
        concurrency: 1,
    };
    let hotel = resort_workers::hotel::consumer();
    let release = Message::HotelRelease(BookingRef { booking_id: booking }).into_envelope("test", None, Utc::now());
    assert!(hotel.apply(&release, &context).await.unwrap());
    assert_eq!(held(pool.clone()).await, vec![(first, 1), (second, 1)], "the migrated hold gave its nights back");
    let hold = Message::HotelHold(HotelHold {
        booking_id: BookingId::new(),
        resort_id: resort,
        room_type_id: None,
        rooms: 3,
        check_in: first,
        nights: 1,
        auto_approve: true,
        // As an older release sent it.
        from_offer: None,
    })
    .into_envelope("test", None, Utc::now());
    assert!(hotel.apply(&hold, &context).await.unwrap());
    assert_eq!(held(pool.clone()).await, vec![(first, 2), (second, 1)]);
    pool.close().await;
    if let Some(server) = server {
        super::helpers::drop_database(server, &url);
    }
}
