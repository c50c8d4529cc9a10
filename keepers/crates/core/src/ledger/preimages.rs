//! The keccak-256 preimages the fault-proof VM's guest reads to apply one transaction to a
//! native state: the host side of `baton_stf::OracleDb`. The guest opens the state root into its
//! two sub-roots, walks each key it touches down the tree node by node, and reads the touched
//! accounts' leaves; those are exactly the preimages along the pre-state proofs of the touched
//! keys, plus the signed transaction's bytes and the claim itself.

use super::{
    Account, BlockContext, L2Tx, LedgerConfig, LedgerState, smt::LeafProof, smt::hash_node,
};
use alloy_primitives::{Address, B256, U256, keccak256};
use baton_stf::{GuestInput, LedgerDb};
use std::collections::{BTreeSet, HashMap};

/// Preimages by hash.
pub type PreimageMap = HashMap<B256, Vec<u8>>;

/// Records the keys the STF reads, over a throwaway copy of the state.
struct Recording<'a> {
    state: &'a mut LedgerState,
    accounts: BTreeSet<Address>,
    withdrawals: BTreeSet<B256>,
}

impl LedgerDb for Recording<'_> {
    fn read_account(&mut self, address: Address) -> Account {
        self.accounts.insert(address);
        self.state.account(&address)
    }
    fn write_account(&mut self, address: Address, account: Account) {
        self.state.set_account(address, account);
    }
    fn read_withdrawal(&mut self, key: B256) -> B256 {
        self.withdrawals.insert(key);
        self.state.withdrawal(&key)
    }
    fn write_withdrawal(&mut self, key: B256, leaf: B256) {
        self.state.set_withdrawal(key, leaf);
    }
}

/// Adds the preimage of every non-empty node on a proof's path (`left ‖ right` by its hash).
fn add_path(out: &mut PreimageMap, key: &U256, proof: &LeafProof) {
    let mut node = proof.leaf;
    for (level, sibling) in proof.siblings.iter().enumerate() {
        let (left, right) = if key.bit(level) {
            (*sibling, node)
        } else {
            (node, *sibling)
        };
        node = hash_node(&left, &right);
        if !node.is_zero() {
            out.insert(node, [left.0, right.0].concat());
        }
    }
}

impl LedgerState {
    /// Every preimage the guest reads to check `input` against this state (the state `input`'s
    /// pre-root names), for the transaction `tx` the input refers to: the claim, the state root,
    /// the tree nodes and account leaves of every key the transaction touches, and a signed
    /// transaction's bytes.
    pub fn guest_preimages(&mut self, input: &GuestInput, tx: &L2Tx) -> PreimageMap {
        let mut out = PreimageMap::new();
        out.insert(input.key(), input.encode());
        if let L2Tx::Signed(bytes) = tx {
            out.insert(keccak256(bytes), bytes.to_vec());
        }
        let (accounts_root, withdrawals_root) = (self.accounts_root(), self.withdrawals_root());
        out.insert(self.root(), [accounts_root.0, withdrawals_root.0].concat());

        let mut copy = self.clone();
        let mut recording = Recording {
            state: &mut copy,
            accounts: BTreeSet::new(),
            withdrawals: BTreeSet::new(),
        };
        let _outcome = baton_stf::apply(&mut recording, &input.config, &input.block, tx);
        let (accounts, withdrawals) = (recording.accounts, recording.withdrawals);
        for address in accounts {
            let key = U256::from_be_slice(address.as_slice());
            add_path(&mut out, &key, &self.account_tree.proof(&key));
            let account = self.account(&address);
            if !account.leaf().is_zero() {
                let mut encoded = [0u8; 64];
                encoded[..32].copy_from_slice(&account.balance.to_be_bytes::<32>());
                encoded[56..].copy_from_slice(&account.nonce.to_be_bytes());
                out.insert(account.leaf(), encoded.to_vec());
            }
        }
        for key in withdrawals {
            let key = U256::from_be_bytes(key.0);
            add_path(&mut out, &key, &self.withdrawal_tree.proof(&key));
        }
        out
    }

    /// The claim that `tx` applied to this state in `block` gives `claimed_post_root`, and the
    /// preimages the guest needs to check it.
    pub fn guest_claim(
        &mut self,
        config: &LedgerConfig,
        block: &BlockContext,
        tx: &L2Tx,
        claimed_post_root: B256,
    ) -> (GuestInput, PreimageMap) {
        let input = GuestInput::new(self.root(), claimed_post_root, *config, *block, tx);
        let preimages = self.guest_preimages(&input, tx);
        (input, preimages)
    }
}

/// A preimage source over a map, for running the guest's code natively (tests, the prover's
/// check before it answers). A missing preimage is a bug in [`LedgerState::guest_preimages`].
pub struct FromMap<'a>(pub &'a PreimageMap);

impl baton_stf::Preimages for FromMap<'_> {
    fn preimage(&mut self, hash: &B256) -> Vec<u8> {
        self.0
            .get(hash)
            .unwrap_or_else(|| panic!("no preimage for {hash} in the host's map"))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::vectors;

    /// The guest's code path, run natively over the host's preimages, gives the native root for
    /// every ledger vector: the same STF over the state opened node by node.
    #[test]
    fn the_oracle_state_gives_the_native_root_for_every_vector() {
        for case in vectors::cases() {
            let mut state = case.pre.build();
            let mut after = state.clone();
            let _outcome = after.apply(&case.config, &case.block, &case.tx);
            let post = after.root();
            let (input, preimages) = state.guest_claim(&case.config, &case.block, &case.tx, post);
            assert_eq!(input.post_root(FromMap(&preimages)), post, "{}", case.name);
            assert_eq!(
                GuestInput::decode(&input.encode()),
                Some(input),
                "{}",
                case.name
            );
        }
    }
}
