//! The keepers' own derivation: BatchInbox records and force-queue entries read from L1
//! (reorg-safe, through [`L1Reader`] into the keeper's SQLite file) and run on the deployment's
//! L2, with what a dispute game needs of every output interval: the root an output commits to,
//! the interval's trace, and the record data its last position is proven from.
//!
//! What runs the records is the deployment's chain ([`DerivedChain`]):
//! - the ledger ([`ledger`]), derived again from genesis on start and after a reorg, which on
//!   a devnet-sized history takes milliseconds;
//! - the EVM chain ([`evm`]), on the chain database in the keeper's data directory, which
//!   keeps what it derived across restarts and forgets only the records a reorg removed.

pub mod evm;
pub mod ledger;

use crate::trace::OutputTrace;
use alloy::primitives::B256;
use baton_core::{BatchHeader, QueueEntry, RecordInput};
use baton_l1::{
    L1Reader, L1Store, Polled,
    store::{StoredEntry, StoredRecord},
};
use evm::EvmDerivation;
use eyre::WrapErr;
use ledger::LedgerDerivation;
use std::collections::BTreeMap;
use tracing::info;

/// What one [`Deriver::poll`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Caught up with L1 (below the confirmation depth).
    CaughtUp,
    /// Read and applied more; more may be waiting.
    Advanced,
    /// A reorg removed L1 blocks: the chain was derived again without them.
    Rewound,
}

/// The chain a deployment's records run on.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per keeper, built once and never moved on a hot path"
)]
pub enum DerivedChain {
    /// The ledger of ETH transfers.
    Ledger(LedgerDerivation),
    /// The EVM chain.
    Evm(EvmDerivation),
}

/// The records read from L1 and the chain derived from them.
#[derive(Debug)]
pub struct Deriver {
    reader: L1Reader,
    store: L1Store,
    output_interval: u64,
    entries: BTreeMap<u64, StoredEntry>,
    records: Vec<StoredRecord>,
    chain: DerivedChain,
}

impl Deriver {
    /// Opens the L1 store at `path` and derives what it already holds on `chain`.
    pub fn open(
        path: &std::path::Path,
        reader: L1Reader,
        chain: DerivedChain,
        output_interval: u64,
    ) -> eyre::Result<Self> {
        let store = L1Store::open(path).wrap_err_with(|| format!("opening {}", path.display()))?;
        let mut deriver = Self {
            reader,
            store,
            output_interval,
            entries: BTreeMap::new(),
            records: Vec::new(),
            chain,
        };
        deriver.rebuild()?;
        Ok(deriver)
    }

    /// Reads L1 once and applies what is new.
    pub async fn poll(&mut self) -> eyre::Result<Progress> {
        match self.reader.poll(&mut self.store).await? {
            Polled::Idle => Ok(Progress::CaughtUp),
            Polled::Rewound { .. } => {
                self.rebuild()?;
                Ok(Progress::Rewound)
            }
            Polled::Advanced {
                records, entries, ..
            } => {
                for e in entries {
                    self.entries.insert(e.index, e);
                }
                for r in records {
                    self.apply(r)?;
                }
                Ok(Progress::Advanced)
            }
        }
    }

    /// Polls until caught up; returns whether a reorg was seen on the way.
    pub async fn catch_up(&mut self) -> eyre::Result<bool> {
        let mut rewound = false;
        loop {
            match self.poll().await? {
                Progress::CaughtUp => return Ok(rewound),
                Progress::Rewound => rewound = true,
                Progress::Advanced => {}
            }
        }
    }

    /// The L1 head and the last L1 block read.
    pub async fn l1_position(&self) -> eyre::Result<(u64, u64)> {
        let head = self.reader.head().await?;
        Ok((head, self.store.l1_cursor()?.unwrap_or(0)))
    }

    /// Derives the stored records again (on start and after a reorg): the chain forgets what
    /// it derived from records L1 no longer holds.
    fn rebuild(&mut self) -> eyre::Result<()> {
        self.entries = self
            .store
            .entries()?
            .into_iter()
            .map(|e| (e.index, e))
            .collect();
        let stored = self.store.records()?;
        match &mut self.chain {
            DerivedChain::Ledger(l) => l.reset(),
            DerivedChain::Evm(e) => e.forget_from(stored.len() as u64)?,
        }
        self.records.clear();
        for record in stored {
            self.apply(record)?;
        }
        info!(target: "baton::keeper", records = self.records.len(), head = self.l2_head(), "derived from stored L1 data");
        Ok(())
    }

    fn apply(&mut self, record: StoredRecord) -> eyre::Result<()> {
        let index = record.index;
        eyre::ensure!(
            index == self.records.len() as u64,
            "record {index} read while {} records are derived",
            self.records.len()
        );
        let ends_output = (index + 1)
            .is_multiple_of(self.output_interval)
            .then(|| (index + 1) / self.output_interval - 1);
        // The EVM chain's database keeps what it derived before a restart.
        let derived = match &self.chain {
            DerivedChain::Evm(e) => e.has_derived(index)?,
            DerivedChain::Ledger(_) => false,
        };
        if !derived {
            let batch = record
                .batch()
                .wrap_err_with(|| format!("record {index} does not match its header"))?;
            let entries = self.record_entries(&record)?;
            let input = RecordInput {
                header: &record.header,
                batch: batch.as_ref(),
                entries: &entries,
                l1_timestamp: record.l1_timestamp,
            };
            match &mut self.chain {
                DerivedChain::Ledger(l) => l.apply(&input, ends_output),
                DerivedChain::Evm(e) => e.apply(index, &input),
            }
            .wrap_err_with(|| format!("deriving record {index}"))?;
        }
        self.records.push(record);
        Ok(())
    }

    /// The force-queue entries `record` consumes: from the previous record's cursor to its own.
    fn record_entries(&self, record: &StoredRecord) -> eyre::Result<Vec<QueueEntry>> {
        let from = match record.index {
            0 => 0,
            i => {
                self.record(i - 1)
                    .ok_or_else(|| eyre::eyre!("record {} not read", i - 1))?
                    .header
                    .forceIndex
            }
        };
        (from..record.header.forceIndex)
            .map(|i| {
                self.entries
                    .get(&i)
                    .map(StoredEntry::queue_entry)
                    .ok_or_else(|| {
                        eyre::eyre!("record {} consumes entry {i}, not read yet", record.index)
                    })
            })
            .collect()
    }

    /// Record `index` as derivation ran it: its checked batch and its queue entries.
    pub fn record_parts(
        &self,
        index: u64,
    ) -> eyre::Result<(&StoredRecord, Option<baton_core::Batch>, Vec<QueueEntry>)> {
        let record = self
            .record(index)
            .ok_or_else(|| eyre::eyre!("record {index} not derived"))?;
        let batch = record
            .batch()
            .wrap_err_with(|| format!("record {index} does not match its header"))?;
        Ok((record, batch, self.record_entries(record)?))
    }

    /// The chain the records run on.
    pub fn chain(&self) -> &DerivedChain {
        &self.chain
    }

    /// Records derived so far.
    pub fn record_count(&self) -> u64 {
        self.records.len() as u64
    }

    /// The derived L2 head.
    pub fn l2_head(&self) -> u64 {
        match &self.chain {
            DerivedChain::Ledger(l) => l.head(),
            DerivedChain::Evm(e) => e.head(),
        }
    }

    /// The record the last record of output `index` is.
    pub fn record_index_of(&self, output: u64) -> u64 {
        (output + 1) * self.output_interval - 1
    }

    /// The first record of output `output`'s interval.
    pub fn first_record_of(&self, output: u64) -> u64 {
        output * self.output_interval
    }

    /// The last L2 block of output `output`, once its last record is read.
    pub fn output_last_block(&self, output: u64) -> Option<u64> {
        Some(self.record(self.record_index_of(output))?.header.lastBlock)
    }

    /// The root output `output` commits to (`proposeOutput`'s `stateRoot`) once its last record
    /// is derived: the ledger's state root, or the EVM chain's header hash of its last block.
    pub fn proposal_root(&self, output: u64) -> Option<B256> {
        let last = self.output_last_block(output)?;
        match &self.chain {
            DerivedChain::Ledger(l) => l.output_root(output),
            DerivedChain::Evm(e) => e.block_hash(last),
        }
    }

    /// The root the game over `output` starts from: the previous output's, or the genesis one.
    pub fn start_root(&self, output: u64) -> Option<B256> {
        match output {
            0 => Some(match &self.chain {
                DerivedChain::Ledger(l) => l.genesis_root(),
                DerivedChain::Evm(e) => e.block_hash(0)?,
            }),
            k => self.proposal_root(k - 1),
        }
    }

    /// The ledger's state after output `output`'s last record, once derived (withdrawal proofs
    /// are read from it); `None` on the EVM chain.
    pub fn output_state(&mut self, output: u64) -> Option<&mut baton_core::ledger::LedgerState> {
        match &mut self.chain {
            DerivedChain::Ledger(l) => l.output_state(output),
            DerivedChain::Evm(_) => None,
        }
    }

    /// Outputs whose last record is derived.
    pub fn outputs_derived(&self) -> u64 {
        self.record_count() / self.output_interval
    }

    /// A stored record.
    pub fn record(&self, index: u64) -> Option<&StoredRecord> {
        self.records.get(usize::try_from(index).ok()?)
    }

    /// Indices of the forced records derived.
    pub fn forced_records(&self) -> Vec<u64> {
        self.records
            .iter()
            .filter(|r| r.forced)
            .map(|r| r.index)
            .collect()
    }

    /// A stored force-queue entry.
    pub fn entry(&self, index: u64) -> Option<&StoredEntry> {
        self.entries.get(&index)
    }

    /// The inbox's hash of record `index` (its header's EIP-712 struct hash).
    pub fn record_hash(&self, index: u64) -> Option<B256> {
        self.record(index).map(|r| r.header.record_hash())
    }

    /// The record headers `challenge` and `layoutOf` take for output `output`: for output 0,
    /// records `0..=R(0)`; otherwise record `R(k−1)` and then the interval's.
    pub fn game_headers(&self, output: u64) -> Option<Vec<BatchHeader>> {
        let last = self.record_index_of(output);
        let first = match output {
            0 => 0,
            k => self.record_index_of(k - 1),
        };
        (first..=last)
            .map(|i| self.record(i).map(|r| r.header.clone()))
            .collect()
    }

    /// The EVM guest's input for the block at `position` of output `output`'s trace with
    /// `claimed` as its hash (what the game builds on L1 from the proposer's root): its key and
    /// every preimage the guest reads, the input among them. `None` while the interval is not
    /// derived.
    pub fn block_input(
        &self,
        output: u64,
        position: u64,
        claimed: B256,
    ) -> eyre::Result<Option<(B256, baton_core::ledger::PreimageMap)>> {
        let DerivedChain::Evm(chain) = &self.chain else {
            eyre::bail!("the ledger's game is over transactions, not blocks");
        };
        let Some(OutputTrace::Blocks(trace)) = self.trace(output) else {
            return Ok(None);
        };
        let number = trace.block_at(position) + 1;
        let index = (self.first_record_of(output)..=self.record_index_of(output))
            .find(|&i| {
                self.record(i)
                    .is_some_and(|r| r.header.firstBlock <= number && number <= r.header.lastBlock)
            })
            .ok_or_else(|| eyre::eyre!("no record of output {output} holds block {number}"))?;
        let (record, batch, entries) = self.record_parts(index)?;
        let input = RecordInput {
            header: &record.header,
            batch: batch.as_ref(),
            entries: &entries,
            l1_timestamp: record.l1_timestamp,
        };
        let (mut claim, preimages) = chain.block_claim(&input, number)?;
        claim.claimed_hash = claimed;
        let mut preimages: baton_core::ledger::PreimageMap = preimages.into_iter().collect();
        preimages.insert(claim.key(), claim.encode());
        Ok(Some((claim.key(), preimages)))
    }

    /// The trace of output `output`'s interval, once its records are derived.
    pub fn trace(&self, output: u64) -> Option<OutputTrace> {
        let last = self.record(self.record_index_of(output))?;
        match &self.chain {
            DerivedChain::Ledger(l) => {
                let first = self.first_record_of(output);
                l.trace(output, first..=last.index)
                    .map(OutputTrace::Transactions)
            }
            DerivedChain::Evm(e) => {
                let start = match output {
                    0 => 0,
                    k => self.record(self.record_index_of(k - 1))?.header.lastBlock,
                };
                e.trace(start, last.header.lastBlock)
                    .map(OutputTrace::Blocks)
            }
        }
    }
}
