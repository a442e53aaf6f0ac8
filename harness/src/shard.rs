//! Shards: splitting one run across several machines.
//!
//! Every shard generates the whole case sequence of the run, in the same order, and executes only
//! its own cases: case `i` (counted from 0 within a search round) belongs to shard `i mod N + 1`.
//! So the shards are disjoint, each is deterministic, and for a run that finds no failure their
//! union is exactly the unsharded run: the same cases, the same steps, the same rule coverage.
//! (Once a shard finds a failure, its later search rounds follow from that failure, as an unsharded
//! run's would from the first failure it finds.)

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One shard of a run: `index` of `count`, counted from 1 (`--shard 2/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// This shard, from 1 to `count`.
    pub index: u32,
    /// How many shards the run is split into.
    pub count: u32,
}

impl Default for Shard {
    /// The whole run.
    fn default() -> Self {
        Shard::WHOLE
    }
}

/// Why a shard could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// Not of the form `K/N`.
    #[error("`{0}` is not a shard: write K/N with whole numbers, e.g. 2/4 for the second of four shards")]
    Syntax(String),
    /// `N` is zero.
    #[error("`{0}`: the number of shards must be at least 1")]
    NoShards(String),
    /// `K` is not between 1 and `N`.
    #[error(
        "`{text}`: the shard number must be between 1 and {count} (shards are counted from 1)"
    )]
    OutOfRange {
        /// What was given.
        text: String,
        /// The number of shards.
        count: u32,
    },
}

impl Shard {
    /// The whole run, unsharded.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// A shard; `None` unless `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (count >= 1 && (1..=count).contains(&index)).then_some(Shard { index, count })
    }

    /// Whether case `case` (counted from 0 within a search round) is this shard's.
    pub fn owns(self, case: u64) -> bool {
        self.count <= 1 || case % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// Whether this is the whole run.
    pub fn is_whole(self) -> bool {
        self.count <= 1
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(text.into());
        let (k, n) = text.trim().split_once('/').ok_or_else(syntax)?;
        let index: u32 = k.trim().parse().map_err(|_| syntax())?;
        let count: u32 = n.trim().parse().map_err(|_| syntax())?;
        if count == 0 {
            return Err(ShardError::NoShards(text.into()));
        }
        Shard::new(index, count).ok_or(ShardError::OutOfRange {
            text: text.into(),
            count,
        })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_print() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 1 / 1 ".parse(), Ok(Shard::WHOLE));
        assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
        assert!(matches!(
            "0/4".parse::<Shard>(),
            Err(ShardError::OutOfRange { .. })
        ));
        assert!(matches!(
            "5/4".parse::<Shard>(),
            Err(ShardError::OutOfRange { .. })
        ));
        assert!(matches!(
            "1/0".parse::<Shard>(),
            Err(ShardError::NoShards(_))
        ));
        for bad in ["", "2", "a/b", "2/4/1", "-1/4"] {
            assert!(
                matches!(bad.parse::<Shard>(), Err(ShardError::Syntax(_))),
                "{bad}"
            );
        }
        let err = "0/4".parse::<Shard>().unwrap_err().to_string();
        assert!(err.contains("between 1 and 4"), "{err}");
    }

    #[test]
    fn shards_partition_the_cases() {
        for count in 1..=5 {
            for case in 0..50u64 {
                let owners = (1..=count)
                    .filter(|&k| Shard::new(k, count).unwrap().owns(case))
                    .count();
                assert_eq!(owners, 1, "case {case} of {count} shards");
            }
        }
    }
}
