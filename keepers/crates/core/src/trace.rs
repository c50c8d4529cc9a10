//! The dispute trace of one output interval (`docs/outputs.md`, "The trace"): the transactions
//! between output `k − 1` and output `k`, in derivation order, over the state at output `k − 1`.
//!
//! A dispute asks for the state root after `p` of those transactions (the *root at p*) at about
//! `log₂ N` positions, and for the witness of one transaction at the end. Positions only move
//! forward from the agreed start of the segment, so [`Trace`] keeps the state at every position it
//! was asked about and replays from the nearest one below: a whole game replays each transaction
//! about once instead of once per question.
//!
//! A keeper that plays a scripted fault (the devnet's lying proposer or challenger) builds its
//! trace [`Trace::with_fault`]: every root after the faulty position is off, consistently, the
//! way a buggy or malicious STF would be.

use crate::{
    derive::DerivedBlock,
    ledger::{BlockContext, GuestInput, L2Tx, LedgerConfig, LedgerState, PreimageMap},
};
use alloy_primitives::{Address, B256, U256};
use std::collections::BTreeMap;

/// One transaction of the trace and the block context it ran in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// The transaction (or deposit).
    pub tx: L2Tx,
    /// Who the block credits with fees (zero in a forced record: burned).
    pub fee_recipient: Address,
}

/// The account a faulty trace credits one extra wei after its faulty position.
pub const FAULT_ACCOUNT: Address = Address::repeat_byte(0xfa);

/// The transactions of one output interval over its start state.
#[derive(Clone, Debug)]
pub struct Trace {
    config: LedgerConfig,
    steps: Vec<TraceStep>,
    /// State after `position` transactions, for every position asked about (0 always).
    states: BTreeMap<u64, LedgerState>,
    fault: Option<u64>,
}

impl Trace {
    /// The trace of `steps` over `start` (the state at the previous output, or genesis).
    pub fn new(start: LedgerState, config: LedgerConfig, steps: Vec<TraceStep>) -> Self {
        Self {
            config,
            steps,
            states: BTreeMap::from([(0, start)]),
            fault: None,
        }
    }

    /// The steps of derived blocks, in order: every transaction of every block, entries first
    /// (the order derivation applied them in, which is the trace order).
    pub fn steps_of<'a>(blocks: impl IntoIterator<Item = &'a DerivedBlock>) -> Vec<TraceStep> {
        blocks
            .into_iter()
            .flat_map(|b| b.txs.iter())
            .map(|t| TraceStep {
                tx: t.tx.clone(),
                fee_recipient: t.fee_recipient,
            })
            .collect()
    }

    /// The same trace with a fault: applying the transaction at `position` also credits
    /// [`FAULT_ACCOUNT`] one wei, so every root after `position` differs from the true one.
    /// A position past the end is clamped to the last transaction.
    pub fn with_fault(mut self, position: u64) -> Self {
        self.fault = (!self.steps.is_empty()).then(|| position.min(self.len() - 1));
        self.states.split_off(&1);
        self
    }

    /// The faulty position, if any.
    pub fn fault(&self) -> Option<u64> {
        self.fault
    }

    /// Number of transactions, `N`.
    pub fn len(&self) -> u64 {
        self.steps.len() as u64
    }

    /// Whether the interval holds no transaction.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step at `position`.
    pub fn step(&self, position: u64) -> Option<&TraceStep> {
        self.steps.get(usize::try_from(position).ok()?)
    }

    /// The state root after `position` transactions (`position ≤ len`).
    ///
    /// # Panics
    /// When `position > len`.
    pub fn root_at(&mut self, position: u64) -> B256 {
        self.state_at(position).root()
    }

    /// The witness of the transaction at `position` against the root at `position`, and the
    /// root the STF gives after it (the honest one: a witness cannot carry a fault).
    ///
    /// # Panics
    /// When `position ≥ len`.
    pub fn witness_at(&mut self, position: u64) -> (Vec<u8>, B256) {
        let step = self
            .step(position)
            .expect("position inside the trace")
            .clone();
        let config = self.config;
        let mut state = self.state_at(position).clone();
        let context = BlockContext {
            fee_recipient: step.fee_recipient,
        };
        let (_, witness) = state.apply_with_witness(&config, &context, &step.tx);
        (witness, state.root())
    }

    /// The fault-proof guest's claim that the transaction at `position`, applied to the state
    /// at `position`, gives `claimed_post_root`, and the preimages the guest reads to check it.
    ///
    /// # Panics
    /// When `position ≥ len`.
    pub fn guest_claim(
        &mut self,
        position: u64,
        claimed_post_root: B256,
    ) -> (GuestInput, PreimageMap) {
        let step = self
            .step(position)
            .expect("position inside the trace")
            .clone();
        let config = self.config;
        let context = BlockContext {
            fee_recipient: step.fee_recipient,
        };
        self.state_at(position)
            .guest_claim(&config, &context, &step.tx, claimed_post_root)
    }

    fn state_at(&mut self, position: u64) -> &mut LedgerState {
        assert!(
            position <= self.len(),
            "position {position} past the trace end"
        );
        if !self.states.contains_key(&position) {
            let (&from, nearest) = self
                .states
                .range(..position)
                .next_back()
                .expect("position 0 is always kept");
            let mut state = nearest.clone();
            for p in from..position {
                let step = &self.steps[p as usize];
                let context = BlockContext {
                    fee_recipient: step.fee_recipient,
                };
                // An invalid transaction is a no-op; the trace only needs the state.
                let _ = state.apply(&self.config, &context, &step.tx);
                if self.fault == Some(p) {
                    let mut account = state.account(&FAULT_ACCOUNT);
                    account.balance += U256::from(1);
                    state.set_account(FAULT_ACCOUNT, account);
                }
            }
            self.states.insert(position, state);
        }
        self.states.get_mut(&position).expect("inserted above")
    }
}

#[cfg(test)]
mod tests;
