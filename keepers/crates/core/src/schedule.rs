//! Epochs and the stake-weighted leader draw, exactly as `LeaderSchedule` computes them on L1.
//!
//! `epoch(b) = (b − genesisBlock) / epochLength`. The schedule of an epoch comes from the
//! snapshot that governs it (`snapshotOf(epoch)`: operators in set order, their stakes and a
//! 64-bit seed). Rank `r` is the `r`-th of the draws `i = 0 ..= r` made without replacement: draw
//! `i` takes `target = uint256(keccak256(abi.encode(uint64 seed, uint256 epoch, uint256 i)))
//! mod W_i`, where `W_i` is the stake of the operators not drawn yet, and picks the first of them
//! (in set order) whose running sum of stakes exceeds `target` (docs/protocol.md, "Epochs and the
//! leader schedule"). Ranks are therefore distinct operators, and an operator with no stake is
//! never drawn.

use alloy_primitives::{Address, B256, U256, keccak256};
use std::num::NonZeroU64;

/// Why the schedule of an epoch cannot be drawn. The first two mirror the contract's
/// `ILeaderSchedule` errors; [`ScheduleError::ZeroTotalStake`] is where the contract panics with
/// a division by zero; the others only arise from input the contract never produces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The snapshot governing `epoch` holds no operator (`NoSequencers(epoch)`).
    #[error("no sequencers in the snapshot governing epoch {epoch}")]
    NoSequencers {
        /// The epoch asked about.
        epoch: u64,
    },
    /// `rank` is not below the number of operators (`RankOutOfRange(rank, operators)`).
    #[error("rank {rank} is out of range for {operators} operators")]
    RankOutOfRange {
        /// The rank asked about.
        rank: usize,
        /// Number of operators in the snapshot.
        operators: usize,
    },
    /// The operators still in the draw have no stake between them; the contract reverts with a
    /// division-by-zero panic. Active operators hold at least `minStake`, so a snapshot written
    /// by the contract never gets here.
    #[error("draw {draw} has no stake left to draw from")]
    ZeroTotalStake {
        /// The draw that found nothing to draw from.
        draw: usize,
    },
    /// The stakes add up to more than 2^256 − 1 (the contract keeps 96-bit totals).
    #[error("total stake overflows 256 bits")]
    StakeOverflow,
    /// `snapshotOf` returned a different number of operators and stakes.
    #[error("{operators} operators but {stakes} stakes")]
    LengthMismatch {
        /// Number of operators.
        operators: usize,
        /// Number of stakes.
        stakes: usize,
    },
    /// The `bytes32` seed does not hold a `uint64` (its upper 24 bytes are not zero).
    #[error("seed {0} does not fit in 64 bits")]
    SeedOutOfRange(B256),
}

/// One operator of a snapshot and its bonded stake (wei).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SnapshotEntry {
    /// The operator address.
    pub operator: Address,
    /// Its stake in wei (not the cumulative stake the contract stores).
    pub stake: U256,
}

/// The snapshot and seed that govern an epoch, as returned by `snapshotOf(epoch)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Operators in set order, with their stakes.
    pub entries: Vec<SnapshotEntry>,
    /// The 64-bit seed of the governing checkpoint.
    pub seed: u64,
}

impl Snapshot {
    /// Builds a snapshot from the three values `snapshotOf(epoch)` returns: operators and stakes
    /// in set order, and the seed as a `bytes32` holding a `uint64`.
    pub fn from_view(
        operators: &[Address],
        stakes: &[U256],
        seed: B256,
    ) -> Result<Self, ScheduleError> {
        if operators.len() != stakes.len() {
            return Err(ScheduleError::LengthMismatch {
                operators: operators.len(),
                stakes: stakes.len(),
            });
        }
        let seed = u64::try_from(U256::from_be_bytes(seed.0))
            .map_err(|_| ScheduleError::SeedOutOfRange(seed))?;
        let entries = operators
            .iter()
            .zip(stakes)
            .map(|(&operator, &stake)| SnapshotEntry { operator, stake })
            .collect();
        Ok(Self { entries, seed })
    }

    /// The operator at `rank` (0 = leader, r = r-th backup) of `epoch`, as `leaderOf` answers.
    pub fn leader(&self, epoch: u64, rank: usize) -> Result<Address, ScheduleError> {
        let n = self.entries.len();
        if n == 0 {
            return Err(ScheduleError::NoSequencers { epoch });
        }
        if rank >= n {
            return Err(ScheduleError::RankOutOfRange { rank, operators: n });
        }
        Ok(self.ranking_up_to(epoch, rank)?[rank])
    }

    /// Every rank of `epoch` in order: `ranking(epoch)?[r] == leader(epoch, r)?`. Costs one pass
    /// of the draw instead of one per rank.
    pub fn ranking(&self, epoch: u64) -> Result<Vec<Address>, ScheduleError> {
        match self.entries.len() {
            0 => Err(ScheduleError::NoSequencers { epoch }),
            n => self.ranking_up_to(epoch, n - 1),
        }
    }

    /// Draws `0 ..= last` without replacement. `last < entries.len()`.
    fn ranking_up_to(&self, epoch: u64, last: usize) -> Result<Vec<Address>, ScheduleError> {
        let mut weights: Vec<U256> = self.entries.iter().map(|e| e.stake).collect();
        let mut total = weights
            .iter()
            .try_fold(U256::ZERO, |sum, w| sum.checked_add(*w))
            .ok_or(ScheduleError::StakeOverflow)?;
        let mut drawn = Vec::with_capacity(last + 1);
        for draw in 0..=last {
            if total.is_zero() {
                return Err(ScheduleError::ZeroTotalStake { draw });
            }
            let target = draw_word(self.seed, epoch, draw) % total;
            let mut running = U256::ZERO;
            // The remaining weights sum to `total > target`, so some operator is picked.
            let picked = weights
                .iter()
                .position(|w| {
                    running += *w;
                    running > target
                })
                .expect("the remaining stakes sum past the target");
            total -= weights[picked];
            weights[picked] = U256::ZERO;
            drawn.push(self.entries[picked].operator);
        }
        Ok(drawn)
    }
}

/// `uint256(keccak256(abi.encode(uint64 seed, uint256 epoch, uint256 draw)))`, the word draw
/// `draw` of `epoch` reduces modulo the remaining stake.
pub fn draw_word(seed: u64, epoch: u64, draw: usize) -> U256 {
    let mut encoded = [0u8; 96];
    encoded[24..32].copy_from_slice(&seed.to_be_bytes());
    encoded[56..64].copy_from_slice(&epoch.to_be_bytes());
    encoded[64..96].copy_from_slice(&U256::from(draw).to_be_bytes::<32>());
    U256::from_be_bytes(keccak256(encoded).0)
}

/// The epoch L1 block `block` belongs to, as `epochOf`: `(block − genesis) / epoch_length`, and
/// 0 for blocks before `genesis`.
pub const fn epoch_of(block: u64, genesis: u64, epoch_length: NonZeroU64) -> u64 {
    block.saturating_sub(genesis) / epoch_length.get()
}

/// The first L1 block of `epoch`, as `epochStartBlock`: `genesis + epoch × epoch_length`, or
/// `None` if that does not fit in a u64.
pub const fn epoch_start_block(epoch: u64, genesis: u64, epoch_length: NonZeroU64) -> Option<u64> {
    match epoch.checked_mul(epoch_length.get()) {
        Some(offset) => genesis.checked_add(offset),
        None => None,
    }
}

#[cfg(test)]
mod tests;
