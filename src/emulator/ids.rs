//! Clay-shaped ids from a seeded generator: deterministic for a seed and a request order.
//!
//! Owns the prefixes' body formats (12 alphanumerics, or 19 characters starting `0t`) and the
//! generator (SplitMix64, so its whole state is one `u64` that the state file can keep).

use serde::{Deserialize, Serialize};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeededGenerator {
    state: u64,
}

impl SeededGenerator {
    pub fn new(seed: u64) -> Self {
        SeededGenerator {
            state: seed ^ 0x5EED_C1A7_0000_0001,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit
    }

    fn alphanumeric(&mut self, length: usize) -> String {
        (0..length)
            .map(|_| {
                let index =
                    usize::try_from(self.next_u64() % ALPHANUMERIC.len() as u64).unwrap_or(0);
                char::from(ALPHANUMERIC[index])
            })
            .collect()
    }

    /// `prefix` + either the old 12-character body or the new 19-character `0t...` body.
    /// Both forms exist in real workspaces, so clients must cope with both (clay-api.md §3).
    pub fn id(&mut self, prefix: &str) -> String {
        if self.next_u64().is_multiple_of(4) {
            format!("{prefix}{}", self.alphanumeric(12))
        } else {
            format!("{prefix}0t{}", self.alphanumeric(17))
        }
    }

    pub fn uuid(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        let hex = format!("{high:016x}{low:016x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }
}

/// A stable 64-bit hash (FNV-1a) for seeded per-cell decisions that must not depend on order.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let mut first = SeededGenerator::new(7);
        let mut second = SeededGenerator::new(7);
        let a: Vec<String> = (0..10).map(|_| first.id("t_")).collect();
        let b: Vec<String> = (0..10).map(|_| second.id("t_")).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn both_lengths_appear() {
        let mut generator = SeededGenerator::new(1);
        let ids: Vec<String> = (0..40).map(|_| generator.id("f_")).collect();
        assert!(
            ids.iter()
                .any(|id| id.len() == 2 + 12 && !id[2..].starts_with("0t"))
        );
        assert!(
            ids.iter()
                .any(|id| id.len() == 2 + 19 && id[2..].starts_with("0t"))
        );
    }
}
