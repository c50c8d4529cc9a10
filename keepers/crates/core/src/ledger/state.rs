//! The native ledger state (every account and withdrawal, and the two trees over them), and the
//! one-step witnesses: `baton-stf` applies transactions to it through [`LedgerDb`], and in
//! witness mode every leaf read appends its proof.

use super::{
    ACCOUNTS_DEPTH, Account, BlockContext, CheckedTx, Invalid, L2Tx, LedgerConfig, Outcome,
    WITHDRAWALS_DEPTH, smt::SparseMerkleTree,
};
use alloy_primitives::{Address, B256, U256, keccak256};
use baton_stf::LedgerDb;
use std::collections::HashMap;

/// The L2 state: every account, every withdrawal, and the two trees over them.
#[derive(Clone, Debug)]
pub struct LedgerState {
    accounts: HashMap<Address, Account>,
    pub(super) account_tree: SparseMerkleTree,
    pub(super) withdrawal_tree: SparseMerkleTree,
}

impl Default for LedgerState {
    fn default() -> Self {
        Self::new()
    }
}

impl LedgerState {
    /// The empty state.
    pub fn new() -> Self {
        Self {
            accounts: HashMap::new(),
            account_tree: SparseMerkleTree::new(ACCOUNTS_DEPTH),
            withdrawal_tree: SparseMerkleTree::new(WITHDRAWALS_DEPTH),
        }
    }

    /// A state holding these accounts (a genesis allocation).
    pub fn with_accounts(accounts: impl IntoIterator<Item = (Address, Account)>) -> Self {
        let mut state = Self::new();
        for (address, account) in accounts {
            state.set_account(address, account);
        }
        state
    }

    /// The account at `address` (empty when never touched).
    pub fn account(&self, address: &Address) -> Account {
        self.accounts.get(address).copied().unwrap_or_default()
    }

    /// Every non-empty account.
    pub fn accounts(&self) -> impl Iterator<Item = (&Address, &Account)> {
        self.accounts.iter().filter(|(_, a)| a.leaf() != B256::ZERO)
    }

    /// The withdrawals-tree leaf at `key` (zero when absent).
    pub fn withdrawal(&self, key: &B256) -> B256 {
        self.withdrawal_tree.get(&U256::from_be_bytes(key.0))
    }

    /// Writes a withdrawals-tree leaf directly (genesis states and tests).
    pub fn set_withdrawal(&mut self, key: B256, leaf: B256) {
        self.withdrawal_tree.set(U256::from_be_bytes(key.0), leaf);
    }

    /// Overwrites an account (genesis states and tests).
    pub fn set_account(&mut self, address: Address, account: Account) {
        self.account_tree.set(account_key(&address), account.leaf());
        self.accounts.insert(address, account);
    }

    /// The accounts-tree root.
    pub fn accounts_root(&mut self) -> B256 {
        self.account_tree.root()
    }

    /// The withdrawals-tree root.
    pub fn withdrawals_root(&mut self) -> B256 {
        self.withdrawal_tree.root()
    }

    /// The state root: `keccak256(accountsRoot ‖ withdrawalsRoot)`.
    pub fn root(&mut self) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(self.accounts_root().as_slice());
        buf[32..].copy_from_slice(self.withdrawals_root().as_slice());
        keccak256(buf)
    }

    /// The proof of a withdrawal leaf against the current withdrawals root (what the portal
    /// checks, with the accounts root, against an output's state root).
    pub fn withdrawal_proof(&mut self, key: &B256) -> super::LeafProof {
        self.withdrawal_tree.proof(&U256::from_be_bytes(key.0))
    }

    /// Applies one transaction. An invalid one leaves the state exactly as it was.
    pub fn apply(&mut self, config: &LedgerConfig, block: &BlockContext, tx: &L2Tx) -> Outcome {
        baton_stf::apply(&mut Witnessing::plain(self), config, block, tx)
    }

    /// Applies a signed transaction whose stateless checks already ran: `checked` must be
    /// [`super::check_transaction`] of its bytes under the same config. The outcome and the state
    /// are those [`LedgerState::apply`] gives for the bytes, without decoding and recovering the
    /// sender again (a leader checked each pooled transaction on admission; derivation checks a
    /// whole record on every core before applying it in order).
    pub fn apply_checked(
        &mut self,
        block: &BlockContext,
        checked: Result<CheckedTx, Invalid>,
    ) -> Outcome {
        baton_stf::apply_checked(&mut Witnessing::plain(self), block, checked)
    }

    /// Applies one transaction and returns the witness the Solidity `step` (or `deposit`) needs
    /// to reach the same post-state root from the pre-state root.
    pub fn apply_with_witness(
        &mut self,
        config: &LedgerConfig,
        block: &BlockContext,
        tx: &L2Tx,
    ) -> (Outcome, Vec<u8>) {
        let mut witness = Vec::new();
        let outcome = baton_stf::apply(
            &mut Witnessing {
                state: self,
                witness: Some(&mut witness),
            },
            config,
            block,
            tx,
        );
        (outcome, witness)
    }
}

fn account_key(address: &Address) -> U256 {
    U256::from_be_slice(address.as_slice())
}

/// The native state as the STF sees it: reads and writes go to the state; in witness mode every
/// read also appends the leaf and its proof, in the order the Solidity library consumes them.
struct Witnessing<'a> {
    state: &'a mut LedgerState,
    witness: Option<&'a mut Vec<u8>>,
}

impl<'a> Witnessing<'a> {
    fn plain(state: &'a mut LedgerState) -> Self {
        Self {
            state,
            witness: None,
        }
    }

    /// The witness, started with the two sub-roots the first time state is read.
    fn witness_header(&mut self) -> Option<&mut Vec<u8>> {
        let witness = self.witness.as_deref_mut()?;
        if witness.is_empty() {
            witness.extend_from_slice(self.state.account_tree.root().as_slice());
            witness.extend_from_slice(self.state.withdrawal_tree.root().as_slice());
        }
        Some(witness)
    }
}

impl LedgerDb for Witnessing<'_> {
    fn read_account(&mut self, address: Address) -> Account {
        let account = self.state.account(&address);
        if self.witness.is_some() {
            let proof = self.state.account_tree.proof(&account_key(&address));
            debug_assert_eq!(proof.leaf, account.leaf(), "account map and tree disagree");
            let witness = self.witness_header().expect("witness mode");
            witness.extend_from_slice(&account.balance.to_be_bytes::<32>());
            witness.extend_from_slice(&account.nonce.to_be_bytes());
            proof.encode_siblings(witness);
        }
        account
    }

    fn write_account(&mut self, address: Address, account: Account) {
        self.state.set_account(address, account);
    }

    fn read_withdrawal(&mut self, key: B256) -> B256 {
        if self.witness.is_none() {
            return self.state.withdrawal(&key);
        }
        let proof = self.state.withdrawal_proof(&key);
        let witness = self.witness_header().expect("witness mode");
        witness.extend_from_slice(proof.leaf.as_slice());
        proof.encode_siblings(witness);
        proof.leaf
    }

    fn write_withdrawal(&mut self, key: B256, leaf: B256) {
        self.state.set_withdrawal(key, leaf);
    }
}
