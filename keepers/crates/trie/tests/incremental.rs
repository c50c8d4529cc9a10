//! The incremental trie against the whole-trie root, and its proofs against alloy-trie's
//! verifier, over random batches of insertions, updates and deletions.

use alloy_primitives::{B256, Bytes};
use alloy_trie::{Nibbles, proof::verify_proof};
use baton_trie::{MemoryTrieStore, Trie, TrieStore, prefix_range, proof, root};
use proptest::prelude::*;

/// Keys from a small space, so that batches hit the same keys, share long prefixes and delete
/// what earlier batches wrote; a value of length 0 deletes.
fn batch() -> impl Strategy<Value = Vec<(B256, Vec<u8>)>> {
    let key = prop_oneof![
        // Anywhere.
        any::<[u8; 32]>().prop_map(B256::from),
        // Within a few values of each other in the first byte and the last: deep shared paths.
        (0u8..4, 0u8..4).prop_map(|(a, b)| {
            let mut k = [0x5au8; 32];
            k[0] = a;
            k[31] = b;
            B256::from(k)
        }),
    ];
    // Short values give embedded nodes, long ones hashed nodes.
    let value = prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 1..4),
        prop::collection::vec(any::<u8>(), 30..40),
    ];
    prop::collection::vec((key, value), 0..12)
}

proptest! {
    #[test]
    fn batches_give_the_whole_tries_root_and_proofs_verify(
        batches in prop::collection::vec(batch(), 1..6),
        absent in any::<[u8; 32]>(),
    ) {
        let mut store = MemoryTrieStore::default();
        let mut whole = Trie::new();
        for batch in batches {
            for (key, value) in &batch {
                store.set(*key, value.clone());
                whole.insert(key.as_slice(), value.clone());
            }
            let root = root(&mut store, batch.iter().map(|(k, _)| *k)).unwrap();
            prop_assert_eq!(root, whole.root());

            let keys: Vec<B256> = store.leaves.keys().copied().chain([B256::from(absent)]).collect();
            for key in keys {
                let nodes: Vec<Bytes> = proof(&mut store, &key).unwrap().into_iter().map(Bytes::from).collect();
                let expected = store.leaves.get(&key).cloned();
                let verified = verify_proof(root, Nibbles::unpack(key), expected, &nodes);
                prop_assert!(verified.is_ok(), "{key}: {verified:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Tries large enough for branches over cached children (more than SMALL_SUBTREE keys under
    /// a prefix), changed by batches of updates, deletions and insertions.
    #[test]
    fn large_tries_keep_the_whole_tries_root(
        size in 100u64..600,
        batches in prop::collection::vec(prop::collection::vec((0u64..800, 0usize..3), 1..40), 1..4),
    ) {
        let key = |i: u64| alloy_primitives::keccak256(i.to_be_bytes());
        let mut store = MemoryTrieStore::default();
        let mut whole = Trie::new();
        for i in 0..size {
            store.set(key(i), vec![7; 33]);
            whole.insert(key(i).as_slice(), vec![7; 33]);
        }
        prop_assert_eq!(root(&mut store, (0..size).map(key)).unwrap(), whole.root());
        for batch in batches {
            for (i, kind) in &batch {
                let value = match kind {
                    0 => Vec::new(),
                    1 => vec![1],
                    _ => vec![(*i % 251) as u8; 40],
                };
                store.set(key(*i), value.clone());
                whole.insert(key(*i).as_slice(), value);
            }
            let r = root(&mut store, batch.iter().map(|(i, _)| key(*i))).unwrap();
            prop_assert_eq!(r, whole.root());
            for (i, _) in batch.iter().take(3) {
                let nodes: Vec<Bytes> = proof(&mut store, &key(*i)).unwrap().into_iter().map(Bytes::from).collect();
                let expected = store.leaves.get(&key(*i)).cloned();
                prop_assert!(verify_proof(r, Nibbles::unpack(key(*i)), expected, &nodes).is_ok());
            }
        }
    }
}

#[test]
fn one_change_in_a_large_trie_recomputes_one_path() {
    let mut store = MemoryTrieStore::default();
    let keys: Vec<B256> = (0u64..4096)
        .map(|i| alloy_primitives::keccak256(i.to_be_bytes()))
        .collect();
    for key in &keys {
        store.set(*key, vec![1; 40]);
    }
    root(&mut store, keys.iter().copied()).unwrap();
    let full = store.cached_nodes();
    // Only what a large subtree's branch refers to is cached: the root, its 16 children (about
    // 256 keys each) and their 256 children (about 16 keys each, encoded from their leaves).
    assert!((1 + 16 + 256..400).contains(&full), "{full} nodes cached");

    // Change one leaf: only the nodes on its path are forgotten and encoded again.
    store.set(keys[7], vec![2; 40]);
    let mut counting = Counting { store, encoded: 0 };
    let changed = root(&mut counting, [keys[7]]).unwrap();
    assert!(
        counting.encoded <= 5,
        "{} nodes encoded again",
        counting.encoded
    );
    let mut whole = Trie::new();
    for (k, v) in &counting.store.leaves {
        whole.insert(k.as_slice(), v.clone());
    }
    assert_eq!(changed, whole.root());
}

/// A store that counts the references it caches (one per node encoded).
struct Counting {
    store: MemoryTrieStore,
    encoded: usize,
}

impl TrieStore for Counting {
    type Error = core::convert::Infallible;
    fn leaves(&self, prefix: &[u8], limit: usize) -> Result<Vec<(B256, Vec<u8>)>, Self::Error> {
        self.store.leaves(prefix, limit)
    }
    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, Self::Error> {
        self.store.last(prefix)
    }
    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, Self::Error> {
        self.store.cached(prefix)
    }
    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), Self::Error> {
        self.encoded += 1;
        self.store.cache(prefix, reference)
    }
    fn forget(&mut self, key: &B256) -> Result<(), Self::Error> {
        self.store.forget(key)
    }
}

#[test]
fn prefix_ranges_cover_exactly_the_prefix() {
    let (lo, hi) = prefix_range(&[0xa, 0xb, 0xc]);
    assert_eq!(lo.as_slice()[..2], [0xab, 0xc0]);
    assert_eq!(hi.as_slice()[..2], [0xab, 0xcf]);
    assert!(hi.as_slice()[2..].iter().all(|b| *b == 0xff));
    assert_eq!(prefix_range(&[]), (B256::ZERO, B256::repeat_byte(0xff)));
}
