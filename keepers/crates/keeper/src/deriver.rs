//! The keepers' own derivation: BatchInbox records read from L1 (reorg-safe, through
//! [`L1Reader`] into the keeper's SQLite file) applied to the genesis state, with the state kept
//! at every output boundary so that the trace of any output interval can be rebuilt.
//!
//! A reorg rewinds the stored L1 data; the chain is then derived again from genesis, which on a
//! devnet-sized history takes milliseconds and keeps one code path for start-up and reorgs.

use alloy::primitives::B256;
use baton_core::{
    BatchHeader, Chain, QueueEntry, RecordInput, RecordLimits, check_record,
    ledger::{LedgerConfig, LedgerState},
    trace::{Trace, TraceStep},
};
use baton_l1::{
    L1Reader, L1Store, Polled,
    store::{StoredEntry, StoredRecord},
};
use eyre::WrapErr;
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

/// A derived L2 chain with its output-boundary states.
#[derive(Debug)]
pub struct Deriver {
    reader: L1Reader,
    store: L1Store,
    genesis: LedgerState,
    config: LedgerConfig,
    portal: alloy::primitives::Address,
    output_interval: u64,
    chain: Chain,
    entries: BTreeMap<u64, StoredEntry>,
    records: Vec<StoredRecord>,
    steps: Vec<Vec<TraceStep>>,
    /// Output index → (state root, state) after its last record.
    boundaries: BTreeMap<u64, (B256, LedgerState)>,
}

impl Deriver {
    /// Opens the L1 store at `path` and derives what it already holds.
    pub fn open(
        path: &std::path::Path,
        reader: L1Reader,
        genesis: LedgerState,
        config: LedgerConfig,
        portal: alloy::primitives::Address,
        output_interval: u64,
    ) -> eyre::Result<Self> {
        let store = L1Store::open(path).wrap_err_with(|| format!("opening {}", path.display()))?;
        let chain = Chain::new(genesis.clone(), config, portal);
        let mut deriver = Self {
            reader,
            store,
            genesis,
            config,
            portal,
            output_interval,
            chain,
            entries: BTreeMap::new(),
            records: Vec::new(),
            steps: Vec::new(),
            boundaries: BTreeMap::new(),
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

    fn rebuild(&mut self) -> eyre::Result<()> {
        self.chain = Chain::new(self.genesis.clone(), self.config, self.portal);
        self.entries = self
            .store
            .entries()?
            .into_iter()
            .map(|e| (e.index, e))
            .collect();
        self.records.clear();
        self.steps.clear();
        self.boundaries.clear();
        for record in self.store.records()? {
            self.apply(record)?;
        }
        info!(target: "baton::keeper", records = self.records.len(), head = self.chain.head().number, "derived from stored L1 data");
        Ok(())
    }

    fn apply(&mut self, record: StoredRecord) -> eyre::Result<()> {
        let index = record.index;
        eyre::ensure!(
            index == self.records.len() as u64,
            "record {index} read while {} records are derived",
            self.records.len()
        );
        let batch = if record.forced {
            None
        } else {
            Some(
                // The inbox enforced its caps when it accepted the record.
                check_record(&record.header, &record.data, &RecordLimits::UNLIMITED)
                    .wrap_err_with(|| format!("record {index} does not match its header"))?,
            )
        };
        let entries = (self.chain.force_cursor()..record.header.forceIndex)
            .map(|i| {
                self.entries
                    .get(&i)
                    .map(|e| QueueEntry {
                        index: e.index,
                        sender: e.sender,
                        data: e.data.clone(),
                    })
                    .ok_or_else(|| eyre::eyre!("record {index} consumes entry {i}, not read yet"))
            })
            .collect::<eyre::Result<Vec<_>>>()?;
        let blocks = self
            .chain
            .apply_record(&RecordInput {
                header: &record.header,
                batch: batch.as_ref(),
                entries: &entries,
                l1_timestamp: record.l1_timestamp,
            })
            .wrap_err_with(|| format!("deriving record {index}"))?;
        self.steps.push(Trace::steps_of(&blocks));
        self.records.push(record);
        if (index + 1).is_multiple_of(self.output_interval) {
            let output = (index + 1) / self.output_interval - 1;
            let root = self.chain.state_root();
            self.boundaries
                .insert(output, (root, self.chain.state().clone()));
        }
        Ok(())
    }

    /// Records derived so far.
    pub fn record_count(&self) -> u64 {
        self.records.len() as u64
    }

    /// The derived L2 head.
    pub fn l2_head(&self) -> u64 {
        self.chain.head().number
    }

    /// The record the last record of output `index` is.
    pub fn record_index_of(&self, output: u64) -> u64 {
        (output + 1) * self.output_interval - 1
    }

    /// The state root after output `output`'s last record, once derived.
    pub fn output_state_root(&self, output: u64) -> Option<B256> {
        self.boundaries.get(&output).map(|(root, _)| *root)
    }

    /// The state after output `output`'s last record, once derived (withdrawal proofs are
    /// read from it).
    pub fn output_state(&mut self, output: u64) -> Option<&mut LedgerState> {
        self.boundaries.get_mut(&output).map(|(_, state)| state)
    }

    /// Outputs whose last record is derived.
    pub fn outputs_derived(&self) -> u64 {
        self.boundaries.keys().next_back().map_or(0, |k| k + 1)
    }

    /// The state root the game over `output` starts from: the previous output's, or genesis.
    pub fn start_root(&mut self, output: u64) -> Option<B256> {
        match output {
            0 => Some(self.genesis.root()),
            k => self.output_state_root(k - 1),
        }
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

    /// The record headers `DisputeGame.challenge` takes for output `output`: for output 0,
    /// records `0..=R(0)`; otherwise record `R(k−1)` and then the interval's.
    pub fn game_headers(&self, output: u64) -> Option<Vec<BatchHeader>> {
        let last = self.record_index_of(output);
        let first = if output == 0 {
            0
        } else {
            self.record_index_of(output - 1)
        };
        (first..=last)
            .map(|i| self.record(i).map(|r| r.header.clone()))
            .collect()
    }

    /// The trace of output `output`'s interval, once its records are derived.
    pub fn trace(&self, output: u64) -> Option<Trace> {
        let start = match output {
            0 => self.genesis.clone(),
            k => self.boundaries.get(&(k - 1))?.1.clone(),
        };
        self.boundaries.get(&output)?;
        let first = if output == 0 {
            0
        } else {
            self.record_index_of(output - 1) + 1
        };
        let last = self.record_index_of(output);
        let steps = (first..=last)
            .flat_map(|i| self.steps[i as usize].iter().cloned())
            .collect();
        Some(Trace::new(start, self.config, steps))
    }
}
