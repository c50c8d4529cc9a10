//! Ethereum's Merkle-Patricia trie (yellow paper, appendix D) and the state root built from it,
//! without `std`.
//!
//! This is the commitment the L2's EVM state carries (issue 18: accounts, storage and code
//! hashes as on Ethereum, so that `eth_getProof` and light clients work unchanged). What is here
//! is the pure root computation over a sorted map of keys, checked against the filled Ethereum
//! state tests (baton-evm's `tests/state_tests.rs`: its executor runs each test's transaction,
//! this crate must give the file's post-state root) and against alloy-trie's hash builder on
//! random tries. The
//! incremental trie over a store (`TrieStore`: sorted leaves and cached node references, so a
//! store on disk fits) recomputes only the paths of changed keys, and gives `eth_getProof`'s
//! proofs ([`root`], [`proof`]). A [`PartialTrie`] is a trie known by its root and opened node
//! by node from a [`NodeSource`], checked by hash: the fault-proof guest's view of the state,
//! and, over a [`Recorder`], how a keeper finds the nodes the guest will need (its witness).
//!
//! A node is RLP: a leaf `[hp(rest, leaf), value]`, an extension `[hp(shared, ext), child]`, a
//! branch `[child0, …, child15, value]`. A child is embedded when its RLP is under 32 bytes and
//! referenced by its keccak-256 otherwise; the root is always the keccak-256 of the root node.

#![no_std]

extern crate alloc;

mod incremental;
mod partial;

pub use incremental::{MemoryTrieStore, SMALL_SUBTREE, TrieStore, prefix_range, proof, root};
pub use partial::{NodeSource, OpenError, PartialTrie, Recorder, StoreSource, TrieSource};

use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::{Address, B256, U256, b256, keccak256};
use alloy_rlp::{EMPTY_STRING_CODE, Encodable, Header};

/// The root of the empty trie: `keccak256(rlp(""))`.
pub const EMPTY_ROOT: B256 =
    b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

/// The code hash of an account without code: `keccak256("")`.
pub const EMPTY_CODE_HASH: B256 =
    b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// A trie held as a sorted map from keys (as nibbles) to values; `root` hashes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trie {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Trie {
    /// The empty trie.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`; an empty value removes the key (a trie holds no empty values).
    pub fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        let path = nibbles(key);
        if value.is_empty() {
            self.entries.remove(&path);
        } else {
            self.entries.insert(path, value);
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the trie holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The root hash.
    pub fn root(&self) -> B256 {
        if self.entries.is_empty() {
            return EMPTY_ROOT;
        }
        let entries: Vec<(&[u8], &[u8])> = self
            .entries
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        keccak256(encode_node(&entries, 0))
    }
}

/// The nibbles of `key`, high half first.
fn nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

/// Hex-prefix encoding of a nibble path, with the leaf flag.
fn hex_prefix(path: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 2 } else { 0 };
    let mut out = Vec::with_capacity(path.len() / 2 + 1);
    let rest = if path.len() % 2 == 1 {
        out.push(((flag + 1) << 4) | path[0]);
        &path[1..]
    } else {
        out.push(flag << 4);
        path
    };
    out.extend(rest.chunks(2).map(|pair| (pair[0] << 4) | pair[1]));
    out
}

/// The RLP of a byte string.
fn rlp_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 3);
    bytes.encode(&mut out);
    out
}

/// The RLP list of already-encoded items.
fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload_length = items.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(payload_length + 3);
    Header {
        list: true,
        payload_length,
    }
    .encode(&mut out);
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

/// How a parent refers to a node: the node itself under 32 bytes, else its hash.
fn reference(node: &[u8]) -> Vec<u8> {
    if node.len() < 32 {
        node.to_vec()
    } else {
        rlp_bytes(keccak256(node).as_slice())
    }
}

/// The RLP of the node holding `entries` (sorted, non-empty, sharing their first `depth`
/// nibbles).
fn encode_node(entries: &[(&[u8], &[u8])], depth: usize) -> Vec<u8> {
    if let [(key, value)] = entries {
        return rlp_list(&[
            rlp_bytes(&hex_prefix(&key[depth..], true)),
            rlp_bytes(value),
        ]);
    }
    // Sorted: what the first and the last key share, every key shares.
    let (first, last) = (entries[0].0, entries[entries.len() - 1].0);
    let shared = first[depth..]
        .iter()
        .zip(&last[depth..])
        .take_while(|(a, b)| a == b)
        .count();
    if shared > 0 {
        let child = encode_node(entries, depth + shared);
        return rlp_list(&[
            rlp_bytes(&hex_prefix(&first[depth..depth + shared], false)),
            reference(&child),
        ]);
    }
    // A branch. A key that ends here sorts first and is the branch's value.
    let mut items = Vec::with_capacity(17);
    let mut at = 0;
    let mut value: &[u8] = &[];
    if first.len() == depth {
        value = entries[0].1;
        at = 1;
    }
    for nibble in 0..16u8 {
        let start = at;
        while at < entries.len() && entries[at].0[depth] == nibble {
            at += 1;
        }
        items.push(if start == at {
            alloc::vec![EMPTY_STRING_CODE]
        } else {
            reference(&encode_node(&entries[start..at], depth + 1))
        });
    }
    items.push(rlp_bytes(value));
    rlp_list(&items)
}

/// One account as the state trie commits to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Transactions sent (or contracts created, for a contract).
    pub nonce: u64,
    /// Wei.
    pub balance: U256,
    /// `keccak256(code)`; [`EMPTY_CODE_HASH`] without code.
    pub code_hash: B256,
    /// Storage slots; zero values are not in the trie.
    pub storage: BTreeMap<U256, U256>,
}

impl Account {
    /// The root of the account's storage trie: `keccak256(slot)` → `rlp(value)`.
    pub fn storage_root(&self) -> B256 {
        let mut trie = Trie::new();
        for (slot, value) in self.storage.iter().filter(|(_, v)| !v.is_zero()) {
            trie.insert(
                keccak256(slot.to_be_bytes::<32>()).as_slice(),
                alloy_rlp::encode(value),
            );
        }
        trie.root()
    }

    /// The account's leaf: `rlp([nonce, balance, storageRoot, codeHash])`.
    pub fn leaf(&self) -> Vec<u8> {
        account_leaf(
            self.nonce,
            self.balance,
            self.storage_root(),
            self.code_hash,
        )
    }
}

/// An account's leaf in the state trie: `rlp([nonce, balance, storageRoot, codeHash])`.
pub fn account_leaf(nonce: u64, balance: U256, storage_root: B256, code_hash: B256) -> Vec<u8> {
    rlp_list(&[
        alloy_rlp::encode(nonce),
        alloy_rlp::encode(balance),
        alloy_rlp::encode(storage_root),
        alloy_rlp::encode(code_hash),
    ])
}

/// The state root of `accounts`: `keccak256(address)` → the account's leaf.
pub fn state_root<'a>(accounts: impl IntoIterator<Item = (&'a Address, &'a Account)>) -> B256 {
    let mut trie = Trie::new();
    for (address, account) in accounts {
        trie.insert(keccak256(address).as_slice(), account.leaf());
    }
    trie.root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_trie::{HashBuilder, Nibbles};
    use proptest::prelude::*;

    /// alloy-trie's hash builder over the same sorted keys.
    fn reference_root(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> B256 {
        let mut builder = HashBuilder::default();
        for (key, value) in entries {
            builder.add_leaf(Nibbles::unpack(key), value);
        }
        builder.root()
    }

    #[test]
    fn the_empty_trie_and_a_known_small_one() {
        assert_eq!(Trie::new().root(), EMPTY_ROOT);
        assert_eq!(keccak256([EMPTY_STRING_CODE]), EMPTY_ROOT);
        assert_eq!(keccak256([]), EMPTY_CODE_HASH);
        // Keys of different lengths, one a prefix of another (a branch with a value).
        let mut trie = Trie::new();
        for (k, v) in [
            ("do", "verb"),
            ("dog", "puppy"),
            ("doge", "coin"),
            ("horse", "stallion"),
        ] {
            trie.insert(k.as_bytes(), v.as_bytes().to_vec());
        }
        assert_eq!(
            trie.root(),
            b256!("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84")
        );
        // Removing by an empty value.
        trie.insert(b"doge", Vec::new());
        trie.insert(b"dog", Vec::new());
        trie.insert(b"horse", Vec::new());
        let mut one = Trie::new();
        one.insert(b"do", b"verb".to_vec());
        assert_eq!(trie.root(), one.root());
    }

    proptest! {
        /// Fixed-length keys (as the state and storage tries have) with values of any length,
        /// including values short enough for nodes to be embedded.
        #[test]
        fn fixed_length_keys_give_alloy_tries_root(
            entries in prop::collection::btree_map(
                prop::collection::vec(any::<u8>(), 32),
                prop::collection::vec(any::<u8>(), 1..40),
                0..64,
            )
        ) {
            let mut trie = Trie::new();
            for (k, v) in &entries {
                trie.insert(k, v.clone());
            }
            prop_assert_eq!(trie.root(), reference_root(&entries));
        }

        /// Short keys sharing long prefixes: many extensions and embedded nodes.
        #[test]
        fn short_keys_with_shared_prefixes_give_alloy_tries_root(
            entries in prop::collection::btree_map(
                prop::collection::vec(0u8..3, 3),
                prop::collection::vec(any::<u8>(), 1..4),
                1..20,
            )
        ) {
            let mut trie = Trie::new();
            for (k, v) in &entries {
                trie.insert(k, v.clone());
            }
            prop_assert_eq!(trie.root(), reference_root(&entries));
        }
    }
}
