//! The sources a [`crate::PartialState`] opens from besides the node's database: a [`Witness`]
//! (all the guest gets), a whole [`MemoryState`]'s tries ([`MemoryNodes`]), and a
//! [`Recording`] of any source, whose witness is exactly what was opened.

use crate::{partial::StateNodes, state::MemoryState};
use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::{B256, Bytes, keccak256};
use baton_trie::{MemoryTrieStore, NodeSource, StoreSource};
use core::convert::Infallible;

/// Everything the guest is given to run a transaction: trie nodes (of the account trie and the
/// storage tries alike) and codes by hash, block hashes by number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Witness {
    /// Trie nodes by keccak-256.
    pub nodes: BTreeMap<B256, Vec<u8>>,
    /// Codes by keccak-256.
    pub codes: BTreeMap<B256, Bytes>,
    /// Block hashes by number.
    pub block_hashes: BTreeMap<u64, B256>,
}

impl Witness {
    /// Its nodes and codes as preimages by hash (block hashes are given another way: see
    /// [`crate::Claim`]).
    pub fn preimages(&self) -> BTreeMap<B256, Vec<u8>> {
        let mut out = self.nodes.clone();
        out.extend(self.codes.iter().map(|(hash, code)| (*hash, code.to_vec())));
        out
    }
}

/// What a [`Witness`] lacks besides nodes and codes.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// `BLOCKHASH` asked for a block the witness does not have.
    #[error("the witness has no hash of block {0}")]
    MissingBlockHash(u64),
}

impl StateNodes for Witness {
    type Error = WitnessError;

    fn account_node(
        &mut self,
        _prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.nodes.get(hash).cloned())
    }

    fn storage_node(
        &mut self,
        _account: &B256,
        _prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.nodes.get(hash).cloned())
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, Self::Error> {
        Ok(self.codes.get(hash).cloned())
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        self.block_hashes
            .get(&number)
            .copied()
            .ok_or(WitnessError::MissingBlockHash(number))
    }
}

/// A whole [`MemoryState`]'s tries as a [`StateNodes`]: for tests and small states, where a
/// keeper would use its database.
#[derive(Debug)]
pub struct MemoryNodes {
    accounts: MemoryTrieStore,
    storage: BTreeMap<B256, MemoryTrieStore>,
    codes: BTreeMap<B256, Bytes>,
    block_hashes: BTreeMap<u64, B256>,
}

/// A store holding `leaves`, its cache filled.
fn trie_store(leaves: impl IntoIterator<Item = (B256, Vec<u8>)>) -> MemoryTrieStore {
    let mut store = MemoryTrieStore::default();
    let mut keys = Vec::new();
    for (key, leaf) in leaves {
        keys.push(key);
        store.set(key, leaf);
    }
    let Ok(_) = baton_trie::root(&mut store, keys);
    store
}

impl MemoryNodes {
    /// The tries of `state`.
    pub fn new(state: &MemoryState) -> Self {
        let slot_leaves = |account: &baton_trie::Account| {
            account
                .storage
                .iter()
                .filter(|(_, value)| !value.is_zero())
                .map(|(slot, value)| {
                    (
                        keccak256(slot.to_be_bytes::<32>()),
                        alloy_rlp::encode(value),
                    )
                })
                .collect::<Vec<_>>()
        };
        Self {
            accounts: trie_store(
                state
                    .accounts
                    .iter()
                    .map(|(address, account)| (keccak256(address), account.leaf())),
            ),
            storage: state
                .accounts
                .iter()
                .map(|(address, account)| (keccak256(address), trie_store(slot_leaves(account))))
                .collect(),
            codes: state.codes.clone(),
            block_hashes: state.block_hashes.clone(),
        }
    }
}

impl StateNodes for MemoryNodes {
    type Error = Infallible;

    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, Infallible> {
        StoreSource(&mut self.accounts).node(prefix, hash)
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, Infallible> {
        match self.storage.get_mut(account) {
            Some(store) => StoreSource(store).node(prefix, hash),
            None => Ok(None),
        }
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, Infallible> {
        Ok(self.codes.get(hash).cloned())
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        Ok(self.block_hashes.get(&number).copied().unwrap_or_default())
    }
}

/// A source that keeps what it gave as a [`Witness`].
#[derive(Debug)]
pub struct Recording<S> {
    /// Where it all comes from.
    pub inner: S,
    /// What was given.
    pub witness: Witness,
}

impl<S> Recording<S> {
    /// Records what `inner` gives.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            witness: Witness::default(),
        }
    }

    fn node(&mut self, node: Option<Vec<u8>>) -> Option<Vec<u8>> {
        if let Some(rlp) = &node {
            self.witness.nodes.insert(keccak256(rlp), rlp.clone());
        }
        node
    }
}

impl<S: StateNodes> StateNodes for Recording<S> {
    type Error = S::Error;

    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        let node = self.inner.account_node(prefix, hash)?;
        Ok(self.node(node))
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, S::Error> {
        let node = self.inner.storage_node(account, prefix, hash)?;
        Ok(self.node(node))
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, S::Error> {
        let code = self.inner.code(hash)?;
        if let Some(code) = &code {
            self.witness.codes.insert(keccak256(code), code.clone());
        }
        Ok(code)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, S::Error> {
        let hash = self.inner.block_hash(number)?;
        self.witness.block_hashes.insert(number, hash);
        Ok(hash)
    }
}
