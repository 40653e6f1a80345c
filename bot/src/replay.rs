//! Remembering signed deliveries for as long as their signature counts as fresh (table
//! `replay_guard`, gateway-owned), so that a captured request played again within that window
//! is refused on any replica. A signature proves who sent a request, not that it is new.

use resort_core::db::Pool;

/// Whether this is the first time `id` is seen in `scope`; remembered until `expires_at`
/// (Unix milliseconds). Remembered ids that have expired are forgotten on the way.
pub async fn first_sighting(
    pool: &Pool,
    scope: &str,
    id: &str,
    now: i64,
    expires_at: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM replay_guard WHERE expires_at < $1").bind(now).execute(pool).await?;
    let inserted = sqlx::query(
        "INSERT INTO replay_guard (scope, id, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (scope, id) DO NOTHING",
    )
    .bind(scope)
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
