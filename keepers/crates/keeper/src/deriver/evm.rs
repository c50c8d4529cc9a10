//! The EVM chain's derivation for the keepers: the records run by baton-l2's [`L2Chain`] (the
//! chain the nodes run, opened from the deployment record the same way) in a database of the
//! keeper's own. An output commits to its last block's header hash; the trace of an interval
//! is its blocks' header hashes; a disputed block's claim comes from the chain's history.

use crate::trace::BlockTrace;
use alloy::primitives::{Address, B256, U256};
use baton_bindings::Parameters;
use baton_core::{Genesis, RecordInput};
use baton_evm::{BlockClaim, StateReader};
use baton_l2::{L2Chain, PoolConfig, deployment::open_chain};
use baton_state::{AccountProof, L1Head};
use std::{collections::BTreeMap, path::Path};

/// See the module documentation.
pub struct EvmDerivation {
    chain: L2Chain,
    /// What the chain has derived: records, and the last block they settle.
    settled: L1Head,
}

impl std::fmt::Debug for EvmDerivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmDerivation")
            .field("settled", &self.settled)
            .finish_non_exhaustive()
    }
}

impl EvmDerivation {
    /// Opens (or creates) the chain of the deployment `parameters` describe in `path`, its
    /// genesis checked against the deployment's.
    pub fn open(
        path: &Path,
        parameters: &Parameters,
        genesis: &Genesis,
        portal: Address,
    ) -> eyre::Result<Self> {
        let chain = open_chain(path, parameters, genesis, portal, PoolConfig::default())?;
        let settled = chain.l1_head()?;
        Ok(Self { chain, settled })
    }

    /// Forgets the records from `held` on (L1 no longer holds them): they are derived again
    /// when read, keeping the blocks they settle where they are the same.
    pub fn forget_from(&mut self, held: u64) -> eyre::Result<()> {
        if self.settled.records > held {
            self.chain.forget_records_from(held)?;
            self.settled = self.chain.l1_head()?;
        }
        Ok(())
    }

    /// Whether record `index` is derived (this run or an earlier one).
    pub fn has_derived(&self, index: u64) -> eyre::Result<bool> {
        Ok(index < self.settled.records)
    }

    /// Derives record `index`, the next one.
    pub fn apply(&mut self, index: u64, record: &RecordInput<'_>) -> eyre::Result<()> {
        self.chain.derive_record(index, record)?;
        self.settled = self.chain.l1_head()?;
        Ok(())
    }

    /// The last block the derived records settle.
    pub fn head(&self) -> u64 {
        self.settled.block
    }

    /// The header hash of settled block `number`.
    pub fn block_hash(&self, number: u64) -> Option<B256> {
        if number > self.settled.block {
            return None;
        }
        Some(self.chain.db().header(number).ok()??.hash_slow())
    }

    /// The RLP of settled block `number`'s header (its keccak-256 is the block hash).
    pub fn header_rlp(&self, number: u64) -> Option<Vec<u8>> {
        if number > self.settled.block {
            return None;
        }
        Some(alloy_rlp::encode(self.chain.db().header(number).ok()??))
    }

    /// Slot `slot` of `address` in the state after settled block `number`.
    pub fn storage_at(&self, number: u64, address: Address, slot: U256) -> eyre::Result<U256> {
        eyre::ensure!(
            number <= self.settled.block,
            "block {number} is not settled"
        );
        Ok(self.chain.db().at(number)?.storage(address, slot)?)
    }

    /// `eth_getProof` of `address` and its `slots` in the state after settled block `number`.
    pub fn proof_at(
        &self,
        number: u64,
        address: Address,
        slots: &[U256],
    ) -> eyre::Result<AccountProof> {
        eyre::ensure!(
            number <= self.settled.block,
            "block {number} is not settled"
        );
        Ok(self.chain.db().proof_at(number, address, slots)?)
    }

    /// The trace whose positions are settled blocks `start..=end`.
    pub fn trace(&self, start: u64, end: u64) -> Option<BlockTrace> {
        let hashes = (start..=end)
            .map(|n| self.block_hash(n))
            .collect::<Option<Vec<_>>>()?;
        Some(BlockTrace::new(start, hashes))
    }

    /// The claim of block `number` of `record` with every preimage the guest reads (its
    /// claimed hash the true one).
    pub fn block_claim(
        &self,
        record: &RecordInput<'_>,
        number: u64,
    ) -> eyre::Result<(BlockClaim, BTreeMap<B256, Vec<u8>>)> {
        Ok(self.chain.block_claim(record, number)?)
    }
}
