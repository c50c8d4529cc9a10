//! A keccak256 sparse Merkle tree of fixed depth, stored as a compressed binary trie.
//!
//! The tree is the one `docs/ledger.md` defines: `node(l, r) = 0` when both children are zero,
//! else `keccak256(l ‖ r)`; the path from the root follows the key bits from bit `depth - 1`
//! down to bit 0 (0 = left). Only the non-empty part is stored: every stored node is either a
//! leaf (height 0) or a branch whose two subtrees are both non-empty, so memory is linear in the
//! number of leaves. A leaf or branch that sits below a run of single-child levels is "lifted"
//! through that run by hashing with zero siblings; the lifted value is cached so an update
//! rehashes only its own path (`depth` hashes) and every other subtree keeps its cached hash.
//!
//! Updates only mark the path dirty; hashing happens when a root or a proof is asked for, so a
//! block that touches many leaves hashes each shared path once.

use alloy_primitives::{B256, U256};

pub use baton_stf::tree::{hash_node, root_from_proof};

/// Hashes `hash`, the value of the node at `height` on `key`'s path, up to `to` through levels
/// whose siblings are all empty.
fn lift(key: &U256, mut hash: B256, height: usize, to: usize) -> B256 {
    for level in height..to {
        hash = if key.bit(level) {
            hash_node(&B256::ZERO, &hash)
        } else {
            hash_node(&hash, &B256::ZERO)
        };
    }
    hash
}

/// Sentinel for "no cached lift".
const NOT_LIFTED: u16 = u16::MAX;

#[derive(Clone, Debug)]
struct Node {
    /// A leaf's key; for a branch, any key below it (only the bits at or above `height` count).
    key: U256,
    /// 0 for a leaf; a branch at height `h` splits its children on key bit `h - 1`.
    height: u16,
    /// Branch children (left, right); unused for a leaf.
    children: [u32; 2],
    /// The node's value at its own height (the leaf value for a leaf). Valid unless `dirty`.
    hash: B256,
    dirty: bool,
    /// `hash` lifted to height `lifted_to`, or `NOT_LIFTED`.
    lifted: B256,
    lifted_to: u16,
}

impl Node {
    const fn is_leaf(&self) -> bool {
        self.height == 0
    }
}

/// A sparse Merkle tree of depth `depth` (at most 256) over `U256` keys.
#[derive(Clone, Debug)]
pub struct SparseMerkleTree {
    depth: usize,
    nodes: Vec<Node>,
    root: Option<u32>,
}

/// A proof for one leaf: its current value and the sibling at every height (0 = next to the
/// leaf).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafProof {
    /// The leaf's current value (zero when absent).
    pub leaf: B256,
    /// `depth` siblings, from the leaf up.
    pub siblings: Vec<B256>,
}

impl LeafProof {
    /// The compressed encoding of `docs/ledger.md`: a `depth / 8`-byte big-endian bitmap of the
    /// non-zero siblings, then those siblings from the leaf up.
    pub fn encode_siblings(&self, out: &mut Vec<u8>) {
        let bytes = self.siblings.len() / 8;
        let mut bitmap = U256::ZERO;
        for (level, sibling) in self.siblings.iter().enumerate() {
            if !sibling.is_zero() {
                bitmap.set_bit(level, true);
            }
        }
        out.extend_from_slice(&bitmap.to_be_bytes::<32>()[32 - bytes..]);
        for sibling in self.siblings.iter().filter(|s| !s.is_zero()) {
            out.extend_from_slice(sibling.as_slice());
        }
    }
}

impl SparseMerkleTree {
    /// An empty tree of the given depth (a multiple of 8, at most 256).
    pub fn new(depth: usize) -> Self {
        assert!(
            depth > 0 && depth <= 256 && depth.is_multiple_of(8),
            "unsupported tree depth {depth}"
        );
        Self {
            depth,
            nodes: Vec::new(),
            root: None,
        }
    }

    /// The tree's depth.
    pub const fn depth(&self) -> usize {
        self.depth
    }

    /// Number of stored leaves (including leaves set to zero).
    pub fn leaf_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf()).count()
    }

    /// The value of the leaf at `key` (zero when absent).
    pub fn get(&self, key: &U256) -> B256 {
        let mut cursor = self.root;
        while let Some(id) = cursor {
            let node = &self.nodes[id as usize];
            if !self.same_prefix(key, &node.key, node.height as usize) {
                return B256::ZERO;
            }
            if node.is_leaf() {
                return node.hash;
            }
            cursor = Some(node.children[key.bit(node.height as usize - 1) as usize]);
        }
        B256::ZERO
    }

    /// Sets the leaf at `key` to `value`. No hashing happens until a root or proof is read.
    pub fn set(&mut self, key: U256, value: B256) {
        let Some(mut id) = self.root else {
            self.root = Some(self.push_leaf(key, value));
            return;
        };
        // `slot` is where the current node hangs: None for the root, else (parent, side).
        let mut slot: Option<(u32, usize)> = None;
        loop {
            let (node_key, height) = {
                let node = &self.nodes[id as usize];
                (node.key, node.height as usize)
            };
            if !self.same_prefix(&key, &node_key, height) {
                // The key leaves the stored trie inside this node's edge: a new branch at the
                // height just above the highest differing bit takes this node and a new leaf.
                let diverge = 255 - (key ^ node_key).leading_zeros();
                let leaf = self.push_leaf(key, value);
                let (left, right) = if key.bit(diverge) {
                    (id, leaf)
                } else {
                    (leaf, id)
                };
                let branch = self.push_branch(key, diverge + 1, [left, right]);
                self.attach(slot, branch);
                return;
            }
            self.mark_dirty(id);
            if height == 0 {
                self.nodes[id as usize].hash = value;
                return;
            }
            let side = key.bit(height - 1) as usize;
            slot = Some((id, side));
            id = self.nodes[id as usize].children[side];
        }
    }

    /// The root hash.
    pub fn root(&mut self) -> B256 {
        match self.root {
            Some(id) => {
                self.lift_leaves_in_parallel(id);
                self.lifted(id, self.depth)
            }
            None => B256::ZERO,
        }
    }

    /// Most of a root's hashing is lifting changed leaves: a leaf among `n` random keys hangs
    /// about `depth - log2(n)` single-child levels below its parent branch, and each level is a
    /// keccak. Those lifts are independent, so when there are enough of them they are computed
    /// on every core first; the walk that follows finds them cached and hashes only branches.
    fn lift_leaves_in_parallel(&mut self, root: u32) {
        const PARALLEL_MIN: usize = 64;
        // (leaf, height to lift it to), for every leaf under a dirty path whose lift is stale.
        let mut work: Vec<(u32, usize)> = Vec::new();
        let mut stack = vec![(root, self.depth)];
        while let Some((id, to)) = stack.pop() {
            let node = &self.nodes[id as usize];
            if node.is_leaf() {
                if node.lifted_to as usize != to {
                    work.push((id, to));
                }
            } else if node.dirty {
                let below = node.height as usize - 1;
                stack.extend(node.children.map(|child| (child, below)));
            }
        }
        if work.len() < PARALLEL_MIN {
            return;
        }
        let nodes = &self.nodes;
        let lifted = crate::parallel::map(&work, PARALLEL_MIN, |&(id, to)| {
            let leaf = &nodes[id as usize];
            lift(&leaf.key, leaf.hash, 0, to)
        });
        for ((id, to), hash) in work.into_iter().zip(lifted) {
            let leaf = &mut self.nodes[id as usize];
            leaf.lifted = hash;
            leaf.lifted_to = to as u16;
        }
    }

    /// The proof of the leaf at `key` against the current root.
    pub fn proof(&mut self, key: &U256) -> LeafProof {
        let mut siblings = vec![B256::ZERO; self.depth];
        let mut leaf = B256::ZERO;
        let mut cursor = self.root;
        while let Some(id) = cursor {
            let (node_key, height) = {
                let node = &self.nodes[id as usize];
                (node.key, node.height as usize)
            };
            if !self.same_prefix(key, &node_key, height) {
                // Absent: this whole subtree is the sibling where the paths part.
                let diverge = 255 - (*key ^ node_key).leading_zeros();
                siblings[diverge] = self.lifted(id, diverge);
                break;
            }
            if height == 0 {
                leaf = self.compute(id);
                break;
            }
            let side = key.bit(height - 1) as usize;
            let [left, right] = self.nodes[id as usize].children;
            let (next, other) = if side == 1 {
                (right, left)
            } else {
                (left, right)
            };
            siblings[height - 1] = self.lifted(other, height - 1);
            cursor = Some(next);
        }
        LeafProof { leaf, siblings }
    }

    /// Whether `a` and `b` agree on every bit at or above `height` (within the tree depth).
    fn same_prefix(&self, a: &U256, b: &U256, height: usize) -> bool {
        let diff = *a ^ *b;
        height >= 256 || (diff >> height).is_zero()
    }

    fn push_leaf(&mut self, key: U256, value: B256) -> u32 {
        self.push(Node {
            key,
            height: 0,
            children: [0; 2],
            hash: value,
            dirty: false,
            lifted: B256::ZERO,
            lifted_to: NOT_LIFTED,
        })
    }

    fn push_branch(&mut self, key: U256, height: usize, children: [u32; 2]) -> u32 {
        self.push(Node {
            key,
            height: height as u16,
            children,
            hash: B256::ZERO,
            dirty: true,
            lifted: B256::ZERO,
            lifted_to: NOT_LIFTED,
        })
    }

    fn push(&mut self, node: Node) -> u32 {
        let id = u32::try_from(self.nodes.len()).expect("more than 2^32 tree nodes");
        self.nodes.push(node);
        id
    }

    /// Hangs `child` where the replaced node was, dirtying the new parent chain's caches.
    fn attach(&mut self, slot: Option<(u32, usize)>, child: u32) {
        match slot {
            None => self.root = Some(child),
            Some((parent, side)) => self.nodes[parent as usize].children[side] = child,
        }
    }

    /// Invalidates a node's hash and lift (its ancestors are dirtied by the caller's walk).
    fn mark_dirty(&mut self, id: u32) {
        let node = &mut self.nodes[id as usize];
        if !node.is_leaf() {
            node.dirty = true;
        }
        node.lifted_to = NOT_LIFTED;
    }

    /// The node's value at its own height, recomputing dirty branches below it.
    fn compute(&mut self, id: u32) -> B256 {
        let node = &self.nodes[id as usize];
        if !node.dirty {
            return node.hash;
        }
        let height = node.height as usize;
        let [left, right] = node.children;
        let left = self.lifted(left, height - 1);
        let right = self.lifted(right, height - 1);
        let node = &mut self.nodes[id as usize];
        node.hash = hash_node(&left, &right);
        node.dirty = false;
        node.hash
    }

    /// The node's value lifted to height `to` (cached per node for the last `to` asked).
    fn lifted(&mut self, id: u32, to: usize) -> B256 {
        let hash = self.compute(id);
        let node = &mut self.nodes[id as usize];
        if node.lifted_to as usize == to {
            return node.lifted;
        }
        node.lifted = lift(&node.key, hash, node.height as usize, to);
        node.lifted_to = to as u16;
        node.lifted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The definition, computed naively: the root of the leaves under a prefix.
    fn reference_root(leaves: &BTreeMap<U256, B256>, depth: usize) -> B256 {
        fn subtree(leaves: &[(U256, B256)], height: usize) -> B256 {
            match leaves {
                [] => B256::ZERO,
                [(key, value)] => lift(key, *value, 0, height),
                _ => {
                    let split = leaves.partition_point(|(k, _)| !k.bit(height - 1));
                    hash_node(
                        &subtree(&leaves[..split], height - 1),
                        &subtree(&leaves[split..], height - 1),
                    )
                }
            }
        }
        let sorted: Vec<_> = leaves.iter().map(|(k, v)| (*k, *v)).collect();
        subtree(&sorted, depth)
    }

    fn key_in(depth: usize, raw: U256) -> U256 {
        if depth == 256 {
            raw
        } else {
            raw & ((U256::from(1) << depth) - U256::from(1))
        }
    }

    #[test]
    fn empty_tree_has_zero_root() {
        assert_eq!(SparseMerkleTree::new(160).root(), B256::ZERO);
    }

    #[test]
    fn single_leaf_is_lifted_through_every_level() {
        let mut tree = SparseMerkleTree::new(160);
        let key = U256::from(5);
        let value = B256::repeat_byte(7);
        tree.set(key, value);
        assert_eq!(tree.root(), lift(&key, value, 0, 160));
    }

    #[test]
    fn zero_leaves_do_not_change_the_root() {
        let mut tree = SparseMerkleTree::new(160);
        tree.set(U256::from(1), B256::repeat_byte(1));
        let before = tree.root();
        tree.set(U256::from(2), B256::ZERO);
        assert_eq!(tree.root(), before);
    }

    #[test]
    fn many_changed_leaves_lifted_on_several_cores_give_the_defined_root() {
        // Enough changed leaves per root for the parallel lifts, across rounds that rewrite
        // some leaves, add new ones and zero others (lifts cached at several heights).
        let mut tree = SparseMerkleTree::new(160);
        let mut model = BTreeMap::new();
        let key = |i: u64| key_in(160, U256::from_be_bytes(keccak256(i.to_be_bytes()).0));
        for round in 0..4u64 {
            for i in (round * 150)..(round * 150 + 300) {
                let value = if i % 7 == 0 {
                    B256::ZERO
                } else {
                    keccak256((i + round).to_le_bytes())
                };
                tree.set(key(i), value);
                model.insert(key(i), value);
            }
            assert_eq!(tree.root(), reference_root(&model, 160), "round {round}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_the_naive_definition(
            depth in prop::sample::select(vec![8usize, 160, 256]),
            writes in prop::collection::vec((any::<[u8; 32]>(), any::<[u8; 32]>(), any::<bool>()), 1..40),
            check_every in 1usize..8,
        ) {
            let mut tree = SparseMerkleTree::new(depth);
            let mut model = BTreeMap::new();
            for (i, (key, value, reuse)) in writes.iter().enumerate() {
                // Half the writes go to a key already written, to exercise updates.
                let key = match (reuse, model.keys().next()) {
                    (true, Some(k)) => *k,
                    _ => key_in(depth, U256::from_be_bytes(*key)),
                };
                let value = B256::from(*value);
                tree.set(key, value);
                model.insert(key, value);
                prop_assert_eq!(tree.get(&key), value);
                if i % check_every == 0 {
                    prop_assert_eq!(tree.root(), reference_root(&model, depth));
                }
            }
            let root = tree.root();
            prop_assert_eq!(root, reference_root(&model, depth));
            // Every stored key and some absent ones prove against the root.
            for probe in model.keys().copied().chain([U256::ZERO, key_in(depth, U256::MAX)]) {
                let proof = tree.proof(&probe);
                prop_assert_eq!(proof.leaf, model.get(&probe).copied().unwrap_or_default());
                prop_assert_eq!(root_from_proof(&probe, proof.leaf, &proof.siblings), root);
            }
        }
    }
}
