//! The ledger state known only by its root, read from keccak-256 preimages: how the fault-proof
//! VM's guest sees the state. The state root opens to the two sub-roots, tree nodes to their
//! children, an account leaf to its `abi.encode(balance, nonce)`. Writes stay in memory and the
//! root is rehashed from them, so only preimages of the pre-state are ever asked for.

use crate::{ACCOUNTS_DEPTH, WITHDRAWALS_DEPTH};
use crate::{Account, LedgerDb, tree::PartialTree};
use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::{Address, B256, U256, keccak256};

/// Where preimages come from: the VM's preimage channel in the guest, a map natively. A source
/// that lacks one cannot go on (the guest's host stops with the missing key).
pub trait Preimages {
    /// The bytes whose keccak-256 is `hash`.
    fn preimage(&mut self, hash: &B256) -> Vec<u8>;
}

/// The ledger state opened from preimages.
#[derive(Debug)]
pub struct OracleDb<P> {
    preimages: P,
    accounts: PartialTree,
    withdrawals: PartialTree,
    /// Accounts written so far: their new leaves have no preimage anywhere.
    written: BTreeMap<Address, Account>,
}

impl<P: Preimages> OracleDb<P> {
    /// The state whose root is `state_root` (`keccak256(accountsRoot ‖ withdrawalsRoot)`).
    pub fn open(state_root: B256, mut preimages: P) -> Self {
        let roots = preimages.preimage(&state_root);
        assert!(
            roots.len() == 64,
            "the preimage of state root {state_root} is not two roots"
        );
        Self {
            accounts: PartialTree::new(ACCOUNTS_DEPTH, B256::from_slice(&roots[..32])),
            withdrawals: PartialTree::new(WITHDRAWALS_DEPTH, B256::from_slice(&roots[32..])),
            preimages,
            written: BTreeMap::new(),
        }
    }

    /// The state root now.
    pub fn root(&self) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(self.accounts.root().as_slice());
        buf[32..].copy_from_slice(self.withdrawals.root().as_slice());
        keccak256(buf)
    }
}

fn account_key(address: &Address) -> U256 {
    U256::from_be_slice(address.as_slice())
}

impl<P: Preimages> LedgerDb for OracleDb<P> {
    fn read_account(&mut self, address: Address) -> Account {
        if let Some(account) = self.written.get(&address) {
            return *account;
        }
        let leaf = self
            .accounts
            .get(&account_key(&address), &mut self.preimages);
        if leaf.is_zero() {
            return Account::default();
        }
        let bytes = self.preimages.preimage(&leaf);
        assert!(
            bytes.len() == 64 && bytes[32..56].iter().all(|b| *b == 0),
            "the preimage of account leaf {leaf} is not abi.encode(balance, nonce)"
        );
        Account {
            balance: U256::from_be_slice(&bytes[..32]),
            nonce: u64::from_be_bytes(bytes[56..].try_into().expect("8 bytes")),
        }
    }

    fn write_account(&mut self, address: Address, account: Account) {
        self.accounts
            .set(&account_key(&address), account.leaf(), &mut self.preimages);
        self.written.insert(address, account);
    }

    fn read_withdrawal(&mut self, key: B256) -> B256 {
        self.withdrawals
            .get(&U256::from_be_bytes(key.0), &mut self.preimages)
    }

    fn write_withdrawal(&mut self, key: B256, leaf: B256) {
        self.withdrawals
            .set(&U256::from_be_bytes(key.0), leaf, &mut self.preimages);
    }
}
