//! What must hold after any load, read straight from the database the run used: every saga
//! finished, every point accounted for, every confirmed night holding exactly one room.

use super::drive::Load;
use sqlx::Row;

pub struct Invariants {
    pub bookings: i64,
    pub confirmed: i64,
    /// Broker (or bus) messages the run published, for the messages-per-booking figure.
    pub messages: i64,
    pub violations: Vec<String>,
}

pub async fn check(database_url: &str, load: &Load) -> anyhow::Result<Invariants> {
    let pool = resort_core::db::connect(database_url).await?;
    let row = sqlx::query(
        "SELECT
            (SELECT COUNT(*) FROM booking),
            (SELECT COUNT(*) FROM booking WHERE status = 'confirmed'),
            (SELECT COUNT(*) FROM booking WHERE status NOT IN ('confirmed', 'rejected', 'cancelled')),
            (SELECT CAST(COALESCE(SUM(nights), 0) AS BIGINT) FROM booking WHERE status = 'confirmed'),
            (SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM booking WHERE status = 'confirmed'),
            (SELECT CAST(COALESCE(SUM(held), 0) AS BIGINT) FROM room_night),
            (SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM point_account),
            (SELECT COUNT(*) FROM outbox_message WHERE correlation_id IN (SELECT id FROM booking)),
            (SELECT COUNT(*) FROM dead_letter)",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    let value = |index: usize| row.try_get::<i64, _>(index);
    let (bookings, confirmed, open, confirmed_nights) = (value(0)?, value(1)?, value(2)?, value(3)?);
    let (confirmed_points, held, balances, messages, dead) = (value(4)?, value(5)?, value(6)?, value(7)?, value(8)?);

    let mut violations = Vec::new();
    if open > 0 {
        violations.push(format!("{open} bookings not in a final state"));
    }
    if held != confirmed_nights {
        violations.push(format!("{held} rooms held for {confirmed_nights} confirmed nights"));
    }
    if balances + confirmed_points != load.granted_points {
        violations.push(format!(
            "balances {balances} + confirmed bookings' points {confirmed_points} ≠ {} granted",
            load.granted_points
        ));
    }
    if confirmed_points != confirmed_nights * load.points_per_night {
        violations.push(format!("confirmed bookings cost {confirmed_points} points for {confirmed_nights} nights"));
    }
    if bookings != load.accepted as i64 {
        violations.push(format!("{bookings} bookings stored, {} accepted by the webhook", load.accepted));
    }
    if load.latencies.len() as i64 != confirmed {
        violations.push(format!("{} confirmation pushes for {confirmed} confirmed bookings", load.latencies.len()));
    }
    if dead > 0 {
        violations.push(format!("{dead} dead letters"));
    }
    Ok(Invariants { bookings, confirmed, messages, violations })
}
