//! The partial trie (the guest's view of a trie) against the whole trie: same reads and roots
//! after any inserts and removals, from a store, from another partial trie, and from the
//! witness a recorder kept alone.

use alloy_primitives::{B256, keccak256};
use baton_trie::{
    MemoryTrieStore, NodeSource, OpenError, PartialTrie, Recorder, StoreSource, Trie, TrieSource,
    proof, root,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// An insert (non-empty value) or a removal (empty value).
type Op = (B256, Vec<u8>);

/// A store holding `entries`, its cache current.
fn store_of(entries: &BTreeMap<B256, Vec<u8>>) -> (MemoryTrieStore, B256) {
    let mut store = MemoryTrieStore::default();
    for (key, value) in entries {
        store.set(*key, value.clone());
    }
    let root = root(&mut store, entries.keys().copied()).unwrap();
    (store, root)
}

/// The whole trie's root of `entries` after `ops`.
fn expected_root(entries: &BTreeMap<B256, Vec<u8>>, ops: &[Op]) -> B256 {
    let mut trie = Trie::new();
    for (key, value) in entries {
        trie.insert(key.as_slice(), value.clone());
    }
    for (key, value) in ops {
        trie.insert(key.as_slice(), value.clone());
    }
    trie.root()
}

/// Applies `ops` to `trie`, reading each key before it is changed, and returns what was read.
fn run<S: NodeSource>(
    trie: &mut PartialTrie,
    source: &mut S,
    ops: &[Op],
) -> Result<Vec<Option<Vec<u8>>>, OpenError<S::Error>> {
    let mut reads = Vec::new();
    for (key, value) in ops {
        reads.push(trie.get(source, key)?);
        trie.insert(source, key, value)?;
    }
    Ok(reads)
}

/// Keys in clusters: a few values per byte at both ends and zeros between, so that tries get
/// long extensions, deep branches and leaves short enough to be embedded in their parents.
fn clustered_key() -> impl Strategy<Value = B256> {
    (0u8..3, 0u8..4, 0u8..4, 0u8..3).prop_map(|(a, b, c, d)| {
        let mut key = [0u8; 32];
        key[0] = a << 4;
        key[29] = b;
        key[30] = c << 4;
        key[31] = d;
        B256::from(key)
    })
}

fn any_key() -> impl Strategy<Value = B256> {
    prop_oneof![any::<[u8; 32]>().prop_map(B256::from), clustered_key()]
}

/// Short values make embedded nodes; long ones hashed leaves.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..3),
        prop::collection::vec(any::<u8>(), 1..40),
    ]
}

/// A trie and operations on it: removals of present keys, updates, inserts of new keys and
/// removals of absent ones.
fn trie_and_ops() -> impl Strategy<Value = (BTreeMap<B256, Vec<u8>>, Vec<Op>)> {
    prop::collection::btree_map(any_key(), value(), 0..80).prop_flat_map(|entries| {
        let present: Vec<B256> = entries.keys().copied().collect();
        let key = if present.is_empty() {
            any_key().boxed()
        } else {
            prop_oneof![prop::sample::select(present), any_key()].boxed()
        };
        let op = (key, prop_oneof![Just(Vec::new()), value()]);
        (Just(entries), prop::collection::vec(op, 0..40))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Opened from a store: the reads are the store's values and the root the whole trie's;
    /// the recorded witness alone gives the same reads and root, and a source that lacks any
    /// one of its nodes cannot.
    #[test]
    fn a_partial_trie_agrees_with_the_whole_trie((entries, ops) in trie_and_ops()) {
        let (mut store, start) = store_of(&entries);
        let mut trie = PartialTrie::new(start);
        prop_assert_eq!(trie.root(), start);
        let mut recorder = Recorder::new(StoreSource(&mut store));
        let reads = run(&mut trie, &mut recorder, &ops).unwrap();
        let after = trie.root();
        prop_assert_eq!(after, expected_root(&entries, &ops));

        let mut now = entries.clone();
        for ((key, value), read) in ops.iter().zip(&reads) {
            prop_assert_eq!(read.as_ref(), now.get(key));
            if value.is_empty() { now.remove(key); } else { now.insert(*key, value.clone()); }
        }

        let witness = recorder.nodes;
        let mut replay = PartialTrie::new(start);
        let mut given = witness.clone();
        prop_assert_eq!(&run(&mut replay, &mut given, &ops).unwrap(), &reads);
        prop_assert_eq!(replay.root(), after);

        // Every node of the witness is needed.
        for hash in witness.keys() {
            let mut short = witness.clone();
            short.remove(hash);
            let mut replay = PartialTrie::new(start);
            let result = run(&mut replay, &mut short, &ops);
            let missing = matches!(result, Err(OpenError::Missing { hash: h, .. }) if h == *hash);
            prop_assert!(missing);
        }
    }

    /// A keeper's trie, changed by earlier operations, serves the nodes of its new state to the
    /// trie of the next step, whose witness then stands alone.
    #[test]
    fn a_changed_partial_trie_serves_the_next_one(
        (entries, ops) in trie_and_ops(),
        split in any::<prop::sample::Index>(),
    ) {
        let (mut store, start) = store_of(&entries);
        let (first, second) = ops.split_at(split.index(ops.len() + 1));
        let mut host = PartialTrie::new(start);
        run(&mut host, &mut StoreSource(&mut store), first).unwrap();
        let middle = host.root();

        let mut step = PartialTrie::new(middle);
        let mut host_source = StoreSource(&mut store);
        let mut recorder = Recorder::new(TrieSource { trie: &mut host, source: &mut host_source });
        let reads = run(&mut step, &mut recorder, second).unwrap();
        let after = step.root();
        prop_assert_eq!(after, expected_root(&entries, &ops));

        let mut given = recorder.nodes;
        let mut replay = PartialTrie::new(middle);
        prop_assert_eq!(run(&mut replay, &mut given, second).unwrap(), reads);
        prop_assert_eq!(replay.root(), after);
    }
}

/// The value's RLP-sized filler: long enough that leaves are hashed, not embedded.
fn long(byte: u8) -> Vec<u8> {
    vec![byte; 40]
}

#[test]
fn removing_a_key_opens_the_sibling_the_branch_collapses_into() {
    let a = B256::repeat_byte(0x11);
    let b = B256::repeat_byte(0x22);
    let entries = BTreeMap::from([(a, long(1)), (b, long(2))]);
    let (mut store, start) = store_of(&entries);
    let b_leaf = keccak256(proof(&mut store, &b).unwrap().pop().unwrap());
    let mut trie = PartialTrie::new(start);
    let mut recorder = Recorder::new(StoreSource(&mut store));
    trie.remove(&mut recorder, &a).unwrap();
    assert_eq!(trie.root(), expected_root(&entries, &[(a, Vec::new())]));
    // The root branch, the removed leaf, and b's leaf, which nobody asked for but which now
    // becomes the root, one nibble longer.
    assert_eq!(recorder.nodes.len(), 3);
    assert!(recorder.nodes.contains_key(&b_leaf));
}

#[test]
fn a_source_cannot_lie() {
    let entries: BTreeMap<B256, Vec<u8>> = (0..20u8).map(|i| (keccak256([i]), long(i))).collect();
    let (mut store, start) = store_of(&entries);
    let key = keccak256([7u8]);
    let nodes = proof(&mut store, &key).unwrap();
    let honest: BTreeMap<B256, Vec<u8>> = nodes.iter().map(|n| (keccak256(n), n.clone())).collect();
    assert_eq!(
        PartialTrie::new(start)
            .get(&mut honest.clone(), &key)
            .unwrap(),
        Some(long(7))
    );

    // Wrong bytes under the root's hash.
    let mut lying = honest.clone();
    lying.insert(start, nodes[1].clone());
    let error = PartialTrie::new(start).get(&mut lying, &key).unwrap_err();
    assert!(
        matches!(error, OpenError::WrongNode { hash, .. } if hash == start),
        "{error}"
    );

    // A node missing.
    let mut short = honest.clone();
    short.remove(&keccak256(&nodes[1]));
    let error = PartialTrie::new(start).get(&mut short, &key).unwrap_err();
    assert!(
        matches!(error, OpenError::Missing { depth: 1, .. }),
        "{error}"
    );

    // Nodes that hash right but are not nodes of a trie of 32-byte keys.
    let malformed: [(&str, Vec<u8>); 4] = [
        (
            "three items",
            alloy_rlp::encode(vec![alloy_primitives::Bytes::from(vec![1u8]); 3]),
        ),
        ("a branch with a value", {
            let mut items = vec![alloy_primitives::Bytes::from(long(9)); 2];
            items.extend(vec![alloy_primitives::Bytes::new(); 14]);
            items.push(alloy_primitives::Bytes::from(vec![5u8]));
            alloy_rlp::encode(items)
        }),
        (
            "a leaf that ends short of the key",
            alloy_rlp::encode(vec![
                alloy_primitives::Bytes::from(vec![0x20, 0x12]),
                alloy_primitives::Bytes::from(long(1)),
            ]),
        ),
        ("not RLP", vec![0xf8, 0x40, 0x01]),
    ];
    for (what, node) in malformed {
        let hash = keccak256(&node);
        let mut source = BTreeMap::from([(hash, node)]);
        let error = PartialTrie::new(hash).get(&mut source, &key).unwrap_err();
        assert!(
            matches!(error, OpenError::Malformed { .. }),
            "{what}: {error}"
        );
    }
}

#[test]
fn asking_a_trie_for_a_position_that_is_no_node_fails() {
    let entries = BTreeMap::from([
        (B256::repeat_byte(0x11), long(1)),
        (B256::repeat_byte(0x12), long(2)),
    ]);
    let (mut store, start) = store_of(&entries);
    let mut trie = PartialTrie::new(start);
    // The keys share their first nibble: the root is an extension, the branch sits at depth 1.
    assert!(trie.node_at(&mut StoreSource(&mut store), &[1]).is_ok());
    let error = trie
        .node_at(&mut StoreSource(&mut store), &[1, 5])
        .unwrap_err();
    assert!(matches!(error, OpenError::NoNodeAt { depth: 2 }), "{error}");
    let error = trie
        .node_at(&mut StoreSource(&mut store), &[2])
        .unwrap_err();
    assert!(matches!(error, OpenError::NoNodeAt { .. }), "{error}");
}
