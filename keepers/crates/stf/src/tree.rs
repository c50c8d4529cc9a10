//! The keccak-256 sparse Merkle tree of `docs/ledger.md`, as far as the STF needs it without
//! holding the whole state: the node hash, proofs, and a [`PartialTree`] that opens the nodes
//! on the paths it reads from their keccak preimages and rehashes what it wrote.
//!
//! The tree: `node(l, r) = 0` when both children are zero, else `keccak256(l ‖ r)`; the path
//! from the root follows the key bits from bit `depth - 1` down to bit 0 (0 = left). The full,
//! compressed tree the nodes keep is `baton-core`'s `SparseMerkleTree`; both give one root.

use crate::Preimages;
use alloc::boxed::Box;
use alloy_primitives::{B256, U256, keccak256};

/// `node(l, r)`: zero for two empty children, else `keccak256(l ‖ r)`.
#[inline]
pub fn hash_node(left: &B256, right: &B256) -> B256 {
    if left.is_zero() && right.is_zero() {
        return B256::ZERO;
    }
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_slice());
    buf[32..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// The root that `leaf` at `key` yields with these siblings (index = height, 0 next to the
/// leaf). This is what the Solidity verifier computes.
pub fn root_from_proof(key: &U256, leaf: B256, siblings: &[B256]) -> B256 {
    let mut hash = leaf;
    for (level, sibling) in siblings.iter().enumerate() {
        hash = if key.bit(level) {
            hash_node(sibling, &hash)
        } else {
            hash_node(&hash, sibling)
        };
    }
    hash
}

/// A node of a partly opened tree: a subtree known only by its hash, or an opened branch.
#[derive(Clone, Debug)]
enum Node {
    Hash(B256),
    Branch(Box<[Node; 2]>),
}

/// A sparse Merkle tree known by its root, opened one path at a time: a read opens each node on
/// the key's path from its preimage (`left ‖ right`), a write replaces the leaf, and the root is
/// rehashed over what was opened. Untouched subtrees stay hashes.
#[derive(Clone, Debug)]
pub struct PartialTree {
    depth: usize,
    root: Node,
}

impl PartialTree {
    /// The tree of `depth` levels with this root.
    pub fn new(depth: usize, root: B256) -> Self {
        Self {
            depth,
            root: Node::Hash(root),
        }
    }

    /// The leaf at the end of `key`'s path, opening the path as needed.
    fn leaf_mut(&mut self, key: &U256, preimages: &mut impl Preimages) -> &mut B256 {
        let mut node = &mut self.root;
        for height in (1..=self.depth).rev() {
            if let Node::Hash(hash) = node {
                *node = Node::Branch(Box::new(open(hash, preimages)));
            }
            let Node::Branch(children) = node else {
                unreachable!("just opened")
            };
            node = &mut children[usize::from(key.bit(height - 1))];
        }
        match node {
            Node::Hash(leaf) => leaf,
            Node::Branch(_) => unreachable!("a leaf is never opened"),
        }
    }

    /// The leaf at `key` (zero when absent).
    pub fn get(&mut self, key: &U256, preimages: &mut impl Preimages) -> B256 {
        *self.leaf_mut(key, preimages)
    }

    /// Sets the leaf at `key`.
    pub fn set(&mut self, key: &U256, leaf: B256, preimages: &mut impl Preimages) {
        *self.leaf_mut(key, preimages) = leaf;
    }

    /// The root over the opened nodes and the hashes of the rest.
    pub fn root(&self) -> B256 {
        fn hash(node: &Node) -> B256 {
            match node {
                Node::Hash(h) => *h,
                Node::Branch(children) => hash_node(&hash(&children[0]), &hash(&children[1])),
            }
        }
        hash(&self.root)
    }
}

/// The two children of a node: both empty for the zero node, else its 64-byte preimage.
fn open(hash: &B256, preimages: &mut impl Preimages) -> [Node; 2] {
    if hash.is_zero() {
        return [Node::Hash(B256::ZERO), Node::Hash(B256::ZERO)];
    }
    let bytes = preimages.preimage(hash);
    assert!(
        bytes.len() == 64,
        "the preimage of tree node {hash} is not two hashes"
    );
    [
        Node::Hash(B256::from_slice(&bytes[..32])),
        Node::Hash(B256::from_slice(&bytes[32..])),
    ]
}
