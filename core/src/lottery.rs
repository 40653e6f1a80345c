//! The peak-season draw as pure functions anyone can recompute from what the admin API shows.
//!
//! At creation a lottery draws a secret 32-byte seed and publishes only its commitment, the hex
//! SHA-256 of the seed, so nobody can choose the seed after seeing the applications. At the draw:
//!
//! 1. Each application's key is `u^(1/weight)`, where `u` is the first 8 bytes of
//!    HMAC-SHA256(key = the seed's 32 bytes, message = the application id's text) read as a
//!    big-endian integer and divided by 2^64 (Efraimidis–Spirakis weighted sampling: a larger
//!    weight makes a larger key likelier).
//! 2. Sorted by key, largest first (ties by application id, ascending), the applications form
//!    the draw's `order`.
//! 3. In that order each gets its most preferred slot that still has a room and that it can
//!    afford (serial dictatorship); one that can afford none is passed over.
//!
//! Weights start at `base` and are multiplied by `recent_stay` after a stay in the last 12
//! months, by `no_show` per no-show in them and by `never_won` for someone no lottery ever gave a
//! slot.

use ring::{digest, hmac, rand::SecureRandom};
use serde::{Deserialize, Serialize};

/// A lottery's secret seed, revealed after the draw.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed([u8; 32]);

impl std::fmt::Debug for Seed {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Seed(…)")
    }
}

impl Seed {
    /// A fresh seed from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        ring::rand::SystemRandom::new().fill(&mut bytes).expect("the system random source works");
        Self(bytes)
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        hex::decode(text.trim()).ok()?.try_into().ok().map(Self)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// What is published before the draw: the hex SHA-256 of the seed's bytes.
    pub fn commitment(&self) -> String {
        hex::encode(digest::digest(&digest::SHA256, &self.0))
    }
}

/// The weights' factors, overridable per lottery.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    #[serde(default = "defaults::base")]
    pub base: f64,
    #[serde(default = "defaults::recent_stay")]
    pub recent_stay: f64,
    #[serde(default = "defaults::no_show")]
    pub no_show: f64,
    #[serde(default = "defaults::never_won")]
    pub never_won: f64,
}

mod defaults {
    pub fn base() -> f64 {
        1.0
    }
    pub fn recent_stay() -> f64 {
        0.5
    }
    pub fn no_show() -> f64 {
        0.5
    }
    pub fn never_won() -> f64 {
        1.5
    }
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            base: defaults::base(),
            recent_stay: defaults::recent_stay(),
            no_show: defaults::no_show(),
            never_won: defaults::never_won(),
        }
    }
}

impl Weights {
    /// Every factor must be a positive, finite number (a weight of zero would never win and
    /// `u^(1/0)` is not a number).
    pub fn valid(&self) -> bool {
        [self.base, self.recent_stay, self.no_show, self.never_won]
            .iter()
            .all(|factor| factor.is_finite() && *factor > 0.0 && *factor <= 1000.0)
    }

    /// One applicant's weight.
    pub fn weight(&self, factors: &Factors) -> f64 {
        let mut weight = self.base;
        if factors.recent_stay {
            weight *= self.recent_stay;
        }
        for _ in 0..factors.no_shows.min(24) {
            weight *= self.no_show;
        }
        if factors.never_won {
            weight *= self.never_won;
        }
        weight
    }
}

/// What an applicant's weight depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    pub recent_stay: bool,
    pub no_shows: u32,
    pub never_won: bool,
}

/// One application as the draw reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub weight: f64,
    /// Slot indexes, most wanted first.
    pub preferences: Vec<usize>,
}

/// An application's key: `u^(1/weight)` with `u` from HMAC-SHA256 of its id under the seed.
pub fn key(seed: &Seed, application_id: &str, weight: f64) -> f64 {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &seed.0), application_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag.as_ref()[..8]);
    let u = u64::from_be_bytes(first) as f64 / 18_446_744_073_709_551_616.0;
    u.powf(1.0 / weight)
}

/// The draw's order: application ids by key, largest first, ties by id.
pub fn order(seed: &Seed, entries: &[Entry]) -> Vec<String> {
    let mut keyed: Vec<(f64, &str)> =
        entries.iter().map(|entry| (key(seed, &entry.id, entry.weight), entry.id.as_str())).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    keyed.into_iter().map(|(_, id)| id.to_owned()).collect()
}

/// Serial dictatorship over `order`: each application gets its most preferred slot with a room
/// left (`rooms[slot]`) that `affordable(entry, slot)` allows, or none. In `order`'s order.
pub fn assign(
    order: &[String],
    entries: &[Entry],
    rooms: &[u32],
    affordable: impl Fn(&Entry, usize) -> bool,
) -> Vec<(String, Option<usize>)> {
    let mut left = rooms.to_vec();
    order
        .iter()
        .filter_map(|id| entries.iter().find(|entry| &entry.id == id))
        .map(|entry| {
            let slot = entry
                .preferences
                .iter()
                .copied()
                .find(|slot| left.get(*slot).is_some_and(|rooms| *rooms > 0) && affordable(entry, *slot));
            if let Some(slot) = slot {
                left[slot] -= 1;
            }
            (entry.id.clone(), slot)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(byte: u8) -> Seed {
        Seed([byte; 32])
    }

    #[test]
    fn the_commitment_is_the_sha256_of_the_seed_and_the_hex_round_trips() {
        let seed = seed(0);
        // SHA-256 of 32 zero bytes.
        assert_eq!(seed.commitment(), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
        assert_eq!(Seed::from_hex(&seed.to_hex()), Some(seed));
        assert_eq!(Seed::from_hex("00"), None);
        assert_ne!(Seed::generate(), Seed::generate());
    }

    #[test]
    fn the_same_inputs_give_the_same_order_and_another_seed_another() {
        let entries: Vec<Entry> =
            (0..20).map(|index| Entry { id: format!("app-{index:02}"), weight: 1.0, preferences: vec![0] }).collect();
        assert_eq!(order(&seed(1), &entries), order(&seed(1), &entries));
        assert_ne!(order(&seed(1), &entries), order(&seed(2), &entries));
        let mut shuffled = entries.clone();
        shuffled.reverse();
        assert_eq!(order(&seed(1), &shuffled), order(&seed(1), &entries), "the order of applying does not matter");
    }

    #[test]
    fn weights_are_respected_over_many_draws() {
        // Two applicants for one room, weights 3 and 1: the heavier should win 3 times in 4.
        let entries = [
            Entry { id: "heavy".into(), weight: 3.0, preferences: vec![0] },
            Entry { id: "light".into(), weight: 1.0, preferences: vec![0] },
        ];
        let draws = 4000;
        let heavy_first = (0..draws)
            .filter(|draw| {
                let mut bytes = [0u8; 32];
                bytes[..4].copy_from_slice(&u32::to_be_bytes(*draw));
                order(&Seed(bytes), &entries)[0] == "heavy"
            })
            .count();
        let share = heavy_first as f64 / f64::from(draws);
        assert!((share - 0.75).abs() < 0.03, "the heavier won {share:.3} of the draws, not 0.75 ± 0.03");
    }

    #[test]
    fn each_in_order_gets_its_most_preferred_slot_left_that_it_can_afford() {
        let entry = |id: &str, preferences: Vec<usize>| Entry { id: id.into(), weight: 1.0, preferences };
        let entries = [entry("a", vec![0, 1]), entry("b", vec![0, 1]), entry("c", vec![0, 1]), entry("d", vec![1])];
        let order: Vec<String> = ["a", "b", "c", "d"].iter().map(|id| (*id).to_owned()).collect();
        let result = assign(&order, &entries, &[1, 1], |entry, slot| !(entry.id == "b" && slot == 1));
        let slots: Vec<Option<usize>> = result.iter().map(|(_, slot)| *slot).collect();
        assert_eq!(slots, [Some(0), None, Some(1), None], "b cannot afford slot 1, so c gets it and d gets nothing");
    }

    #[test]
    fn a_weight_multiplies_its_factors() {
        let weights = Weights::default();
        assert_eq!(weights.weight(&Factors::default()), 1.0);
        let factors = Factors { recent_stay: true, no_shows: 2, never_won: true };
        assert_eq!(weights.weight(&factors), 1.0 * 0.5 * 0.5 * 0.5 * 1.5);
        assert!(!Weights { base: 0.0, ..weights }.valid());
        assert!(!Weights { never_won: f64::NAN, ..weights }.valid());
    }
}
