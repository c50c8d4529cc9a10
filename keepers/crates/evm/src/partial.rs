//! The EVM state known by its root and opened as it is read: what the fault-proof guest runs a
//! transaction on, and how a keeper learns what the guest will need.
//!
//! A [`PartialState`] opens the account trie and each storage trie node by node (baton-trie's
//! [`PartialTrie`]) from a [`StateNodes`] source, reads accounts, slots and code through the
//! executor's [`StateReader`], applies the executor's [`StateDiff`] and gives the new state
//! root. Its sources:
//! - a [`crate::Witness`]: nodes, codes and block hashes by hash or number, all the guest gets;
//! - the node's database natively (baton-state), to run a transaction the way the guest will;
//! - another `PartialState`: the state after the earlier transactions of a block, which a keeper
//!   holds in memory, serving the nodes of its new state;
//! - a [`crate::Recording`] of any of these, whose witness is exactly what was opened
//!   (these sources are in `witness.rs`).
//!
//! So a keeper runs a transaction natively over a recording, and the guest, given the recorded
//! witness alone, reads the same values and reaches the same root; a node the witness lacks or a
//! byte changed in it is an error, never a different state.

use crate::state::{AccountChange, AccountInfo, StateDiff, StateReader};
use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::{Decodable, Header};
use baton_trie::{EMPTY_ROOT, NodeSource, OpenError, PartialTrie, account_leaf};
use core::cell::RefCell;

/// Where a [`PartialState`] opens its nodes, codes and block hashes.
pub trait StateNodes {
    /// Why the source failed (not a missing node or code: that is `None`).
    type Error: core::error::Error + Send + Sync + 'static;

    /// The RLP of the account trie's node at the nibbles `prefix`, whose hash is `hash`.
    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, Self::Error>;

    /// The RLP of a node of the storage trie of the account whose key is `account`
    /// (`keccak256(address)`).
    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, Self::Error>;

    /// The code whose hash is `hash`.
    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, Self::Error>;

    /// The hash of L2 block `number`, as `BLOCKHASH` reads it.
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error>;
}

impl<S: StateNodes> StateNodes for &mut S {
    type Error = S::Error;

    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        (**self).account_node(prefix, hash)
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, S::Error> {
        (**self).storage_node(account, prefix, hash)
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, S::Error> {
        (**self).code(hash)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, S::Error> {
        (**self).block_hash(number)
    }
}

/// The account trie's nodes of a [`StateNodes`].
struct AccountNodes<'a, S>(&'a mut S);

impl<S: StateNodes> NodeSource for AccountNodes<'_, S> {
    type Error = S::Error;

    fn node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        self.0.account_node(prefix, hash)
    }
}

/// One account's storage trie's nodes of a [`StateNodes`].
struct StorageNodes<'a, S>(&'a mut S, B256);

impl<S: StateNodes> NodeSource for StorageNodes<'_, S> {
    type Error = S::Error;

    fn node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        self.0.storage_node(&self.1, prefix, hash)
    }
}

/// Why a [`PartialState`] could not read or write.
#[derive(Debug, thiserror::Error)]
pub enum PartialStateError<E: core::fmt::Debug> {
    /// A trie node could not be opened (missing, wrong, malformed, or the source failed).
    #[error(transparent)]
    Open(#[from] OpenError<E>),
    /// The source failed reading a code or a block hash.
    #[error("the state source failed: {0:?}")]
    Source(E),
    /// The source gave code that does not hash to the account's code hash.
    #[error("the code given for {hash} hashes to {actual}")]
    WrongCode {
        /// The code hash asked for.
        hash: B256,
        /// The hash of what was given.
        actual: B256,
    },
    /// An account leaf or a storage value that is not what the tries hold.
    #[error("a malformed {what} under key {key}")]
    Malformed {
        /// An account leaf or a storage value.
        what: &'static str,
        /// Its key in its trie.
        key: B256,
    },
}

/// An account as its leaf says.
struct Leaf {
    info: AccountInfo,
    storage_root: B256,
}

/// `rlp([nonce, balance, storageRoot, codeHash])`, all of `rlp`.
fn decode_leaf(mut rlp: &[u8]) -> Option<Leaf> {
    let header = Header::decode(&mut rlp).ok()?;
    if !header.list || header.payload_length != rlp.len() {
        return None;
    }
    let nonce = u64::decode(&mut rlp).ok()?;
    let balance = U256::decode(&mut rlp).ok()?;
    let storage_root = B256::decode(&mut rlp).ok()?;
    let code_hash = B256::decode(&mut rlp).ok()?;
    rlp.is_empty().then_some(Leaf {
        info: AccountInfo {
            nonce,
            balance,
            code_hash,
        },
        storage_root,
    })
}

struct Tries<S> {
    source: S,
    accounts: PartialTrie,
    /// The storage tries opened or written, by account key; each matches its account's leaf.
    storage: BTreeMap<B256, PartialTrie>,
    /// Codes deployed by applied diffs, which no source has.
    codes: BTreeMap<B256, Bytes>,
}

impl<S: StateNodes> Tries<S> {
    fn leaf(&mut self, key: &B256) -> Result<Option<Leaf>, PartialStateError<S::Error>> {
        let Some(rlp) = self
            .accounts
            .get(&mut AccountNodes(&mut self.source), key)?
        else {
            return Ok(None);
        };
        decode_leaf(&rlp)
            .map(Some)
            .ok_or(PartialStateError::Malformed {
                what: "account leaf",
                key: *key,
            })
    }

    /// The account's storage trie (opened from its leaf the first time), taken out of the map.
    fn take_storage(&mut self, key: &B256) -> Result<PartialTrie, PartialStateError<S::Error>> {
        if let Some(trie) = self.storage.remove(key) {
            return Ok(trie);
        }
        let root = self.leaf(key)?.map_or(EMPTY_ROOT, |leaf| leaf.storage_root);
        Ok(PartialTrie::new(root))
    }

    fn slot(&mut self, key: B256, slot: U256) -> Result<U256, PartialStateError<S::Error>> {
        let mut trie = self.take_storage(&key)?;
        let slot_key = keccak256(slot.to_be_bytes::<32>());
        let value = trie.get(&mut StorageNodes(&mut self.source, key), &slot_key);
        self.storage.insert(key, trie);
        let Some(rlp) = value? else {
            return Ok(U256::ZERO);
        };
        U256::decode(&mut rlp.as_slice())
            .ok()
            .filter(|v| !v.is_zero())
            .ok_or(PartialStateError::Malformed {
                what: "storage value",
                key: slot_key,
            })
    }

    fn apply(&mut self, diff: &StateDiff) -> Result<(), PartialStateError<S::Error>> {
        for (hash, code) in &diff.codes {
            self.codes.entry(*hash).or_insert_with(|| code.clone());
        }
        for (address, change) in &diff.accounts {
            let key = keccak256(address);
            match change {
                AccountChange::Deleted => {
                    self.storage.remove(&key);
                    self.accounts
                        .remove(&mut AccountNodes(&mut self.source), &key)?;
                }
                AccountChange::Updated {
                    info,
                    storage_cleared,
                    storage,
                } => {
                    let mut trie = if *storage_cleared {
                        self.storage.remove(&key);
                        PartialTrie::new(EMPTY_ROOT)
                    } else {
                        self.take_storage(&key)?
                    };
                    let written = storage.iter().try_for_each(|(slot, value)| {
                        let slot_key = keccak256(slot.to_be_bytes::<32>());
                        let rlp = if value.is_zero() {
                            Vec::new()
                        } else {
                            alloy_rlp::encode(value)
                        };
                        trie.insert(&mut StorageNodes(&mut self.source, key), &slot_key, &rlp)
                    });
                    let storage_root = trie.root();
                    self.storage.insert(key, trie);
                    written?;
                    let leaf = account_leaf(info.nonce, info.balance, storage_root, info.code_hash);
                    self.accounts
                        .insert(&mut AccountNodes(&mut self.source), &key, &leaf)?;
                }
            }
        }
        Ok(())
    }

    fn code(&mut self, hash: B256) -> Result<Option<Bytes>, PartialStateError<S::Error>> {
        if let Some(code) = self.codes.get(&hash) {
            return Ok(Some(code.clone()));
        }
        let Some(code) = self.source.code(&hash).map_err(PartialStateError::Source)? else {
            return Ok(None);
        };
        let actual = keccak256(&code);
        if actual != hash {
            return Err(PartialStateError::WrongCode { hash, actual });
        }
        Ok(Some(code))
    }
}

/// The EVM state opened from a [`StateNodes`] source as it is read (see the module docs).
pub struct PartialState<S> {
    tries: RefCell<Tries<S>>,
}

impl<S: StateNodes> PartialState<S> {
    /// The state whose root is `root`; nothing opened yet.
    pub fn new(root: B256, source: S) -> Self {
        Self {
            tries: RefCell::new(Tries {
                source,
                accounts: PartialTrie::new(root),
                storage: BTreeMap::new(),
                codes: BTreeMap::new(),
            }),
        }
    }

    /// Applies what a transaction (or a block) did.
    pub fn apply(&mut self, diff: &StateDiff) -> Result<(), PartialStateError<S::Error>> {
        self.tries.get_mut().apply(diff)
    }

    /// The state root now.
    pub fn root(&mut self) -> B256 {
        self.tries.get_mut().accounts.root()
    }

    /// The source, with what it recorded.
    pub fn into_source(self) -> S {
        self.tries.into_inner().source
    }
}

impl<S: StateNodes> StateReader for PartialState<S> {
    type Error = PartialStateError<S::Error>;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        let leaf = self.tries.borrow_mut().leaf(&keccak256(address))?;
        Ok(leaf.map(|leaf| leaf.info))
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, Self::Error> {
        self.tries.borrow_mut().slot(keccak256(address), slot)
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, Self::Error> {
        self.tries.borrow_mut().code(code_hash)
    }

    fn block_hash(&self, number: u64) -> Result<B256, Self::Error> {
        self.tries
            .borrow_mut()
            .source
            .block_hash(number)
            .map_err(PartialStateError::Source)
    }
}

/// A keeper's state after earlier transactions serves the nodes of that state to the next
/// transaction's recording.
impl<S: StateNodes> StateNodes for PartialState<S> {
    type Error = PartialStateError<S::Error>;

    fn account_node(
        &mut self,
        prefix: &[u8],
        _hash: &B256,
    ) -> Result<Option<Vec<u8>>, Self::Error> {
        let tries = self.tries.get_mut();
        let node = tries
            .accounts
            .node_at(&mut AccountNodes(&mut tries.source), prefix)?;
        Ok(Some(node))
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        _hash: &B256,
    ) -> Result<Option<Vec<u8>>, Self::Error> {
        let tries = self.tries.get_mut();
        let mut trie = tries.take_storage(account)?;
        let node = trie.node_at(&mut StorageNodes(&mut tries.source, *account), prefix);
        tries.storage.insert(*account, trie);
        Ok(Some(node?))
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, Self::Error> {
        self.tries.get_mut().code(*hash)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        StateReader::block_hash(self, number)
    }
}
