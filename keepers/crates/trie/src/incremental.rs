//! The trie over a store, updated incrementally, with proofs.
//!
//! The state's tries have fixed 32-byte keys (`keccak256` of an address or a slot), so no value
//! sits at a branch and a store only needs sorted leaves and a cache: [`TrieStore`]. The node of
//! the keys under a nibble prefix is a function of those keys alone:
//! - none: no node;
//! - a few (up to [`SMALL_SUBTREE`]): read them in one range query and encode their subtree in
//!   memory (most of a large trie's nodes are in such subtrees, near the leaves);
//! - more: the smallest and the largest key share what every key under the prefix shares, so
//!   the node is a branch where they part, behind an extension over the shared nibbles if there
//!   are any; each of the branch's 16 children is the node under the prefix plus that nibble.
//!
//! The store caches the reference (RLP under 32 bytes, else hash) of each node a branch of a
//! large subtree refers to, by prefix. Since a reference depends only on the keys under its
//! prefix, it stays right until one of them changes; [`root`] first forgets the references at
//! every prefix of every changed key, then recomputes only what it finds forgotten. A block that
//! changes `k` keys of a trie of `n` encodes about `k · log16(n / SMALL_SUBTREE)` branches and
//! reads `k` small subtrees, instead of the whole trie.

use crate::{EMPTY_ROOT, encode_node, hex_prefix, nibbles, reference, rlp_bytes, rlp_list};
use alloc::{vec, vec::Vec};
use alloy_primitives::{B256, keccak256};
use alloy_rlp::EMPTY_STRING_CODE;

/// How many keys a subtree may have to be encoded straight from its leaves, without the cache.
pub const SMALL_SUBTREE: usize = 32;

/// Where one trie's leaves and cached node references live.
pub trait TrieStore {
    /// Why the store failed.
    type Error;

    /// The first `limit` keys starting with the nibbles `prefix`, in order, with their values
    /// (non-empty RLP).
    fn leaves(&self, prefix: &[u8], limit: usize) -> Result<Vec<(B256, Vec<u8>)>, Self::Error>;

    /// The largest key starting with the nibbles `prefix`, if there is one.
    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, Self::Error>;

    /// The reference cached for the node at the nibbles `prefix`.
    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, Self::Error>;

    /// Caches the reference of the node at `prefix`.
    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), Self::Error>;

    /// Forgets the cached references at every prefix of `key` (its 65, the empty one included).
    fn forget(&mut self, key: &B256) -> Result<(), Self::Error>;
}

/// The node of the keys under one prefix.
struct Node {
    /// Its RLP.
    rlp: Vec<u8>,
    /// For a branch: where it sits (the prefix, or after an extension) and its RLP.
    branch: Option<(Vec<u8>, Vec<u8>)>,
}

/// The nibbles two keys share from `from` on.
fn shared(a: &[u8], b: &[u8], from: usize) -> usize {
    a[from..]
        .iter()
        .zip(&b[from..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The node of the keys under `prefix`, if any.
fn node<S: TrieStore>(store: &mut S, prefix: &[u8]) -> Result<Option<Node>, S::Error> {
    let leaves = store.leaves(prefix, SMALL_SUBTREE + 1)?;
    let Some((first, _)) = leaves.first() else {
        return Ok(None);
    };
    let lo_path = nibbles(first.as_slice());
    if leaves.len() <= SMALL_SUBTREE {
        // A small subtree: encode it from its leaves.
        let paths: Vec<(Vec<u8>, &[u8])> = leaves
            .iter()
            .map(|(k, v)| (nibbles(k.as_slice()), v.as_slice()))
            .collect();
        let entries: Vec<(&[u8], &[u8])> = paths.iter().map(|(k, v)| (k.as_slice(), *v)).collect();
        let rlp = encode_node(&entries, prefix.len());
        let branch = (entries.len() > 1).then(|| {
            let hi_path = entries[entries.len() - 1].0;
            let at = prefix.len() + shared(&lo_path, hi_path, prefix.len());
            let branch = if at > prefix.len() {
                encode_node(&entries, at)
            } else {
                rlp.clone()
            };
            (lo_path[..at].to_vec(), branch)
        });
        return Ok(Some(Node { rlp, branch }));
    }
    let hi = store.last(prefix)?.unwrap_or(*first);
    let hi_path = nibbles(hi.as_slice());
    let at = prefix.len() + shared(&lo_path, &hi_path, prefix.len());
    let branch = branch(store, &lo_path[..at])?;
    let rlp = if at > prefix.len() {
        rlp_list(&[
            rlp_bytes(&hex_prefix(&lo_path[prefix.len()..at], false)),
            reference(&branch),
        ])
    } else {
        branch.clone()
    };
    Ok(Some(Node {
        rlp,
        branch: Some((lo_path[..at].to_vec(), branch)),
    }))
}

/// The RLP of the node of the keys under `prefix`, if any: what a partial trie opening the
/// node at that position asks for (`partial::StoreSource`).
pub(crate) fn node_rlp<S: TrieStore>(
    store: &mut S,
    prefix: &[u8],
) -> Result<Option<Vec<u8>>, S::Error> {
    Ok(node(store, prefix)?.map(|node| node.rlp))
}

/// The RLP of the branch at `at` from its children's references (no value: keys are 32 bytes).
fn branch<S: TrieStore>(store: &mut S, at: &[u8]) -> Result<Vec<u8>, S::Error> {
    let mut items = Vec::with_capacity(17);
    let mut child = at.to_vec();
    child.push(0);
    for nibble in 0..16u8 {
        *child.last_mut().expect("pushed") = nibble;
        items.push(reference_at(store, &child)?.unwrap_or_else(|| vec![EMPTY_STRING_CODE]));
    }
    items.push(vec![EMPTY_STRING_CODE]);
    Ok(rlp_list(&items))
}

/// The reference of the node under `prefix`: cached, or computed and cached.
fn reference_at<S: TrieStore>(store: &mut S, prefix: &[u8]) -> Result<Option<Vec<u8>>, S::Error> {
    if let Some(cached) = store.cached(prefix)? {
        return Ok(Some(cached));
    }
    let Some(node) = node(store, prefix)? else {
        return Ok(None);
    };
    let reference = reference(&node.rlp);
    store.cache(prefix, &reference)?;
    Ok(Some(reference))
}

/// The root after the leaves at `changed` keys were set or removed in the store. Every changed
/// key must be named, or a stale cached reference survives.
pub fn root<S: TrieStore>(
    store: &mut S,
    changed: impl IntoIterator<Item = B256>,
) -> Result<B256, S::Error> {
    for key in changed {
        store.forget(&key)?;
    }
    Ok(match reference_at(store, &[])? {
        None => EMPTY_ROOT,
        // A hashed node's reference is the RLP of its 32-byte hash.
        Some(reference) if reference.len() == 33 => B256::from_slice(&reference[1..]),
        Some(inline) => keccak256(inline),
    })
}

/// The proof of `key`, as `eth_getProof` gives it: the RLP of every node on its path that is
/// not embedded in its parent, from the root. It proves the key's value, or that the key is
/// absent (the path ends at an empty child, another leaf or a diverging extension). The cache
/// must be current ([`root`] called after the last change).
pub fn proof<S: TrieStore>(store: &mut S, key: &B256) -> Result<Vec<Vec<u8>>, S::Error> {
    let path = nibbles(key.as_slice());
    let mut nodes = Vec::new();
    let mut prefix = Vec::new();
    while let Some(node) = node(store, &prefix)? {
        if prefix.is_empty() || node.rlp.len() >= 32 {
            nodes.push(node.rlp);
        }
        let Some((at, branch)) = node.branch else {
            break;
        };
        if !path.starts_with(&at) {
            break;
        }
        if at.len() > prefix.len() && branch.len() >= 32 {
            nodes.push(branch);
        }
        prefix = at;
        prefix.push(path[prefix.len()]);
    }
    Ok(nodes)
}

/// A [`TrieStore`] in memory: for tests and small tries.
#[derive(Clone, Debug, Default)]
pub struct MemoryTrieStore {
    /// The leaves.
    pub leaves: alloc::collections::BTreeMap<B256, Vec<u8>>,
    refs: alloc::collections::BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemoryTrieStore {
    /// Sets a leaf; an empty value removes it. Call [`root`] with the key afterwards.
    pub fn set(&mut self, key: B256, value: Vec<u8>) {
        if value.is_empty() {
            self.leaves.remove(&key);
        } else {
            self.leaves.insert(key, value);
        }
    }

    /// How many node references are cached.
    pub fn cached_nodes(&self) -> usize {
        self.refs.len()
    }
}

/// The smallest and the largest 32-byte key under a nibble prefix.
pub fn prefix_range(prefix: &[u8]) -> (B256, B256) {
    let (mut lo, mut hi) = ([0u8; 32], [0xffu8; 32]);
    for (i, nibble) in prefix.iter().enumerate() {
        let (byte, high) = (i / 2, i % 2 == 0);
        if high {
            lo[byte] = nibble << 4;
            hi[byte] = (nibble << 4) | 0x0f;
        } else {
            lo[byte] |= nibble;
            hi[byte] = (hi[byte] & 0xf0) | nibble;
        }
    }
    (B256::from(lo), B256::from(hi))
}

impl TrieStore for MemoryTrieStore {
    type Error = core::convert::Infallible;

    fn leaves(&self, prefix: &[u8], limit: usize) -> Result<Vec<(B256, Vec<u8>)>, Self::Error> {
        let (lo, hi) = prefix_range(prefix);
        Ok(self
            .leaves
            .range(lo..=hi)
            .take(limit)
            .map(|(k, v)| (*k, v.clone()))
            .collect())
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, Self::Error> {
        let (lo, hi) = prefix_range(prefix);
        Ok(self.leaves.range(lo..=hi).next_back().map(|(k, _)| *k))
    }

    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.refs.get(prefix).cloned())
    }

    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), Self::Error> {
        self.refs.insert(prefix.to_vec(), reference.to_vec());
        Ok(())
    }

    fn forget(&mut self, key: &B256) -> Result<(), Self::Error> {
        let path = nibbles(key.as_slice());
        for len in 0..=path.len() {
            self.refs.remove(&path[..len]);
        }
        Ok(())
    }
}
