//! What a request is judged against that only admins and a lottery's draw change — the resorts
//! with their room types, the blackouts, the yearly policy, the lotteries not yet drawn — kept in
//! memory, so a request reads one number instead of five tables.
//!
//! At 09:00 thousands of requests for one stay arrive within a second, each turned away or
//! accepted by the same catalogue; read per request, those tables were half of a request's
//! statements. The copy is only ever used after the request has read `catalog_version`
//! ([`catalog::version`]) and found it equal to the copy's: every write to those tables moves
//! the number on in its own transaction or right after it ([`catalog::changed`]), so a request on
//! any replica sees an admin's change as soon as it has committed, exactly as it would reading the
//! tables. A different number loads the tables again, once however many requests found it. A
//! chat turn reads the number in the statement that finds its caller (`identity::whoami`), so
//! a request from chat reads no statement for it of its own ([`CatalogCache::snapshot_at`]).
//!
//! The copy is tagged with the number read *before* the tables: a write landing between the two
//! leaves a copy at least as new as its tag, and the number already moved on, so the next
//! request loads again; no copy is ever older than its tag.

use super::limits::{self, YearlyPolicy};
use crate::catalog::{self, Blackout, Resort};
use crate::lottery::Lottery;
use resort_core::db::Pool;
use resort_core::id::{ResortId, RoomTypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The catalogue as of one version.
#[derive(Debug, Default)]
pub struct Snapshot {
    version: i64,
    /// By name, as [`catalog::list`] gives them.
    resorts: Vec<Resort>,
    blackouts: HashMap<ResortId, Vec<Blackout>>,
    policy: YearlyPolicy,
    undrawn: HashMap<RoomTypeId, Vec<Lottery>>,
}

impl Snapshot {
    async fn load(pool: &Pool, version: i64) -> Result<Self, sqlx::Error> {
        let mut undrawn: HashMap<RoomTypeId, Vec<Lottery>> = HashMap::new();
        for lottery in crate::lottery::undrawn(pool).await? {
            undrawn.entry(lottery.room_type_id).or_default().push(lottery);
        }
        Ok(Self {
            version,
            resorts: catalog::list(pool).await?,
            blackouts: catalog::all_blackouts(pool).await?,
            policy: limits::get(pool).await?,
            undrawn,
        })
    }

    pub fn resorts(&self) -> &[Resort] {
        &self.resorts
    }

    pub fn resort(&self, id: ResortId) -> Option<&Resort> {
        self.resorts.iter().find(|resort| resort.id == id)
    }

    /// The resort a person meant by `typed` ([`catalog::find_in`]).
    pub fn find_by_name(&self, typed: &str) -> Option<&Resort> {
        catalog::find_in(&self.resorts, typed)
    }

    /// The resort's blackout periods, earliest first.
    pub fn blackouts(&self, resort_id: ResortId) -> &[Blackout] {
        self.blackouts.get(&resort_id).map_or(&[], Vec::as_slice)
    }

    pub fn policy(&self) -> YearlyPolicy {
        self.policy
    }

    /// The room type's lotteries not yet drawn, oldest first: their slots' nights are closed.
    pub fn undrawn_for(&self, room_type_id: RoomTypeId) -> &[Lottery] {
        self.undrawn.get(&room_type_id).map_or(&[], Vec::as_slice)
    }
}

/// The newest [`Snapshot`] this process has loaded; cheap to share.
pub struct CatalogCache {
    reads: Pool,
    current: RwLock<Arc<Snapshot>>,
    /// One load at a time: the requests that find a new version wait for one load, not each
    /// run their own.
    loading: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    pub fn new(reads: Pool) -> Self {
        let never_loaded = Snapshot { version: i64::MIN, ..Snapshot::default() };
        Self { reads, current: RwLock::new(Arc::new(never_loaded)), loading: tokio::sync::Mutex::new(()) }
    }

    /// The catalogue as of now: one read of its version, and the tables only when that moved.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, sqlx::Error> {
        self.snapshot_at(catalog::version(&self.reads).await?).await
    }

    /// The catalogue at least as new as `version`, a number the caller read from
    /// `catalog_version` just now (a chat turn reads it with its caller); the tables only when
    /// the copy is older.
    pub async fn snapshot_at(&self, version: i64) -> Result<Arc<Snapshot>, sqlx::Error> {
        if let Some(current) = self.current_at_least(version) {
            return Ok(current);
        }
        let _loading = self.loading.lock().await;
        if let Some(current) = self.current_at_least(version) {
            return Ok(current);
        }
        let loaded = Arc::new(Snapshot::load(&self.reads, version).await?);
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = loaded.clone();
        Ok(loaded)
    }

    fn current_at_least(&self, version: i64) -> Option<Arc<Snapshot>> {
        let current = self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        (current.version >= version).then(|| current.clone())
    }
}
