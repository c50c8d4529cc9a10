//! The trace of an output interval as a dispute game bisects it: position `p` holds the root
//! after the interval's first `p` steps, and position 0 the agreed start.
//!
//! - The ledger's game steps one transaction at a time and its roots are state roots
//!   ([`baton_core::trace::Trace`]).
//! - The EVM chain's game steps one block at a time and its roots are header hashes
//!   ([`BlockTrace`]).
//!
//! Either can carry a scripted fault (`--fault-*`): every root after the faulty position is
//! wrong, as a proposer that lies from there on, or a challenger that disputes from there on,
//! would have it.

use alloy::primitives::{B256, keccak256};
use baton_core::trace::Trace;

/// Tags a scripted fault's wrong header hash: no block has it.
const FAULT_TAG: &[u8] = b"baton.scripted-fault";

/// The trace of one output interval (see the module documentation).
#[derive(Debug)]
pub enum OutputTrace {
    /// The ledger's: one position per transaction.
    Transactions(Trace),
    /// The EVM chain's: one position per block.
    Blocks(BlockTrace),
}

impl OutputTrace {
    /// Number of positions after the start.
    pub fn len(&self) -> u64 {
        match self {
            Self::Transactions(t) => t.len(),
            Self::Blocks(b) => b.len(),
        }
    }

    /// Whether the interval is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The root at `position` (`position ≤ len`).
    pub fn root_at(&mut self, position: u64) -> B256 {
        match self {
            Self::Transactions(t) => t.root_at(position),
            Self::Blocks(b) => b.root_at(position),
        }
    }

    /// The same trace, wrong from the step at `position` on (clamped to the last step).
    pub fn with_fault(self, position: u64) -> Self {
        match self {
            Self::Transactions(t) => Self::Transactions(t.with_fault(position)),
            Self::Blocks(b) => Self::Blocks(b.with_fault(position)),
        }
    }
}

/// The EVM chain's trace of an output interval: the header hash of the block before it, then
/// of each of its blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockTrace {
    /// The L2 number of the block at position 0.
    pub start_block: u64,
    hashes: Vec<B256>,
    fault: Option<u64>,
}

impl BlockTrace {
    /// The trace whose position `p` is block `start_block + p`, of hash `hashes[p]`.
    ///
    /// # Panics
    /// When `hashes` is empty: position 0 is always there.
    pub fn new(start_block: u64, hashes: Vec<B256>) -> Self {
        assert!(!hashes.is_empty(), "a trace starts at the block before it");
        Self {
            start_block,
            hashes,
            fault: None,
        }
    }

    /// Number of blocks in the interval.
    pub fn len(&self) -> u64 {
        self.hashes.len() as u64 - 1
    }

    /// Whether the interval holds no block (never, for a derived one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The block number at `position`.
    pub fn block_at(&self, position: u64) -> u64 {
        self.start_block + position
    }

    /// The header hash at `position`, as this trace has it (wrong after a scripted fault).
    ///
    /// # Panics
    /// When `position > len`.
    pub fn root_at(&self, position: u64) -> B256 {
        let hash = self.hashes[usize::try_from(position).expect("a position fits usize")];
        match self.fault {
            Some(fault) if position > fault => keccak256([FAULT_TAG, hash.as_slice()].concat()),
            _ => hash,
        }
    }

    /// The same trace with the block at `position` (clamped to the last) going wrong: every
    /// hash after it differs from the true one.
    pub fn with_fault(self, position: u64) -> Self {
        let fault = (!self.is_empty()).then(|| position.min(self.len() - 1));
        Self { fault, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace() -> BlockTrace {
        BlockTrace::new(10, (0..5u8).map(B256::repeat_byte).collect())
    }

    #[test]
    fn positions_are_the_blocks_from_the_one_before_the_interval() {
        let t = trace();
        assert_eq!(t.len(), 4);
        assert_eq!(t.block_at(0), 10);
        assert_eq!(t.block_at(4), 14);
        for p in 0..=4u8 {
            assert_eq!(t.root_at(u64::from(p)), B256::repeat_byte(p));
        }
    }

    #[test]
    fn a_fault_changes_every_root_after_its_position_and_none_before() {
        let t = trace().with_fault(1);
        assert_eq!(t.root_at(0), B256::repeat_byte(0));
        assert_eq!(t.root_at(1), B256::repeat_byte(1));
        for p in 2..=4u8 {
            let root = t.root_at(u64::from(p));
            assert_ne!(root, B256::repeat_byte(p));
            assert_ne!(root, B256::ZERO);
        }
        // Past the end: the last block goes wrong.
        let last = trace().with_fault(99);
        assert_eq!(last.root_at(3), B256::repeat_byte(3));
        assert_ne!(last.root_at(4), B256::repeat_byte(4));
        let mut wrapped = OutputTrace::Blocks(trace()).with_fault(0);
        assert_ne!(wrapped.root_at(1), B256::repeat_byte(1));
        assert_eq!(wrapped.len(), 4);
    }
}
