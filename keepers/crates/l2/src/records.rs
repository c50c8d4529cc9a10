//! A BatchInbox record's blocks as the EVM chain runs them, and each block's claim for a dispute
//! over blocks (docs/evm.md, "A block's claim"). Derivation (`L2Chain::derive_record`) and the
//! keepers' claims split a record the same way, here:
//!
//! - a sequenced record's blocks are its batch data's, at their framed timestamps, their fees
//!   to the data's fee recipient;
//! - a forced record (no data) is one block at its L1 block's time, whose fees burn (the zero
//!   address);
//! - the record's force-queue entries are all consumed by its first block, before its
//!   transactions.

use crate::L2Chain;
use alloy_primitives::{Address, B256, Bytes};
use baton_core::{QueueEntry, RecordInput};
use baton_evm::{BlockClaim, ClaimChain, ClaimInputs};
use baton_state::ClaimsError;
use std::collections::BTreeMap;

/// One block of a record.
#[derive(Clone, Copy, Debug)]
pub struct RecordBlock<'a> {
    /// Its L2 number.
    pub number: u64,
    /// Its time as the record gives it (the chain keeps the parent's if that is later).
    pub timestamp: u64,
    /// Who receives its priority fees.
    pub fee_recipient: Address,
    /// The force-queue entries it consumes first.
    pub entries: &'a [QueueEntry],
    /// Its signed transactions.
    pub transactions: &'a [Bytes],
    /// The position of its first transaction among the record's.
    pub first_tx: usize,
}

/// The blocks of `record`, in order (see the module docs).
pub fn record_blocks<'a>(record: &RecordInput<'a>) -> Vec<RecordBlock<'a>> {
    let first = record.header.firstBlock;
    let Some(batch) = record.batch else {
        return vec![RecordBlock {
            number: first,
            timestamp: record.l1_timestamp,
            fee_recipient: Address::ZERO,
            entries: record.entries,
            transactions: &[],
            first_tx: 0,
        }];
    };
    let mut first_tx = 0;
    batch
        .blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let out = RecordBlock {
                number: first + i as u64,
                timestamp: block.timestamp,
                fee_recipient: batch.fee_recipient,
                entries: if i == 0 { record.entries } else { &[] },
                transactions: &block.transactions,
                first_tx,
            };
            first_tx += block.transactions.len();
            out
        })
        .collect()
}

impl RecordBlock<'_> {
    /// What its claim is built from; `record_txs` are all of its record's transactions.
    pub fn claim_inputs<'r>(&self, record_txs: &'r [Bytes]) -> ClaimInputs<'r> {
        ClaimInputs {
            timestamp: self.timestamp,
            beneficiary: self.fee_recipient,
            first_entry: self.entries.first().map_or(0, |e| e.index),
            accumulator_before: self
                .entries
                .first()
                .map_or(B256::ZERO, |e| e.accumulator_before),
            entries: self
                .entries
                .iter()
                .map(|e| (e.sender, e.data.clone()))
                .collect(),
            record_txs,
            first_tx: self.first_tx,
            block_txs: self.transactions.len(),
        }
    }
}

impl L2Chain {
    /// The claim of block `number` of `record` (a record this chain derived, or one a dispute
    /// names), with its true header hash and every preimage the EVM guest reads: what a
    /// proposer or a challenger plays at the last block of a dispute over blocks.
    pub fn block_claim(
        &self,
        record: &RecordInput<'_>,
        number: u64,
    ) -> Result<(BlockClaim, BTreeMap<B256, Vec<u8>>), ClaimsError> {
        let block = record_blocks(record)
            .into_iter()
            .find(|b| b.number == number)
            .ok_or(ClaimsError::Missing(number))?;
        let record_txs: Vec<Bytes> = record
            .batch
            .map(|batch| batch.transactions().cloned().collect())
            .unwrap_or_default();
        let chain = ClaimChain::of(self.spec(), self.portal());
        self.db()
            .block_claim(chain, number, &block.claim_inputs(&record_txs))
    }
}
