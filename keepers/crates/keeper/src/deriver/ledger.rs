//! The ledger's derivation for the keepers: the records applied to the genesis state, with the
//! state kept at every output boundary so that the trace of any output interval can be rebuilt.

use alloy::primitives::{Address, B256};
use baton_core::{
    Chain, RecordInput,
    ledger::{LedgerConfig, LedgerState},
    trace::{Trace, TraceStep},
};
use std::collections::BTreeMap;

/// See the module documentation.
#[derive(Debug)]
pub struct LedgerDerivation {
    genesis: LedgerState,
    genesis_root: B256,
    config: LedgerConfig,
    portal: Address,
    chain: Chain,
    /// Each derived record's transactions, as the trace steps through them.
    steps: Vec<Vec<TraceStep>>,
    /// Output index → (state root, state) after its last record.
    boundaries: BTreeMap<u64, (B256, LedgerState)>,
}

impl LedgerDerivation {
    /// The ledger from `genesis`, with `portal` the sender of deposit entries.
    pub fn new(mut genesis: LedgerState, config: LedgerConfig, portal: Address) -> Self {
        Self {
            genesis_root: genesis.root(),
            chain: Chain::new(genesis.clone(), config, portal),
            genesis,
            config,
            portal,
            steps: Vec::new(),
            boundaries: BTreeMap::new(),
        }
    }

    /// Back to genesis: every record is derived again.
    pub fn reset(&mut self) {
        *self = Self::new(self.genesis.clone(), self.config, self.portal);
    }

    /// Applies the next record; `ends_output` names the output it is the last record of.
    pub fn apply(
        &mut self,
        record: &RecordInput<'_>,
        ends_output: Option<u64>,
    ) -> eyre::Result<()> {
        let blocks = self.chain.apply_record(record)?;
        self.steps.push(Trace::steps_of(&blocks));
        if let Some(output) = ends_output {
            let root = self.chain.state_root();
            self.boundaries
                .insert(output, (root, self.chain.state().clone()));
        }
        Ok(())
    }

    /// The derived L2 head.
    pub fn head(&self) -> u64 {
        self.chain.head().number
    }

    /// The genesis state root.
    pub fn genesis_root(&self) -> B256 {
        self.genesis_root
    }

    /// The state root after output `output`'s last record.
    pub fn output_root(&self, output: u64) -> Option<B256> {
        self.boundaries.get(&output).map(|(root, _)| *root)
    }

    /// The state after output `output`'s last record.
    pub fn output_state(&mut self, output: u64) -> Option<&mut LedgerState> {
        self.boundaries.get_mut(&output).map(|(_, state)| state)
    }

    /// The trace of output `output`, whose records are `records`.
    pub fn trace(&self, output: u64, records: std::ops::RangeInclusive<u64>) -> Option<Trace> {
        let start = match output {
            0 => self.genesis.clone(),
            k => self.boundaries.get(&(k - 1))?.1.clone(),
        };
        self.boundaries.get(&output)?;
        let steps = records
            .map(|i| self.steps.get(usize::try_from(i).ok()?).cloned())
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        Some(Trace::new(start, self.config, steps))
    }
}
