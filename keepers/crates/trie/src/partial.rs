//! A trie known by its root and opened node by node: how the fault-proof guest sees the state,
//! and how a keeper finds the nodes (the witness) the guest will ask for.
//!
//! A [`PartialTrie`] starts as the hash of its root. Reading, inserting or removing a key opens
//! the nodes on the key's path from a [`NodeSource`] (the preimage oracle in the guest, the
//! node's database or another partial trie natively), each checked against the hash its parent
//! names, so a source cannot lie. Nodes nobody opens stay hashes; the root after a change
//! re-encodes only the opened nodes that changed.
//!
//! A source is asked for a node by its hash **and** its position (the nibbles of the path to
//! it). The guest's oracle only needs the hash; a store of leaves (a [`TrieStore`]) only knows
//! positions. A position never moves: splitting or merging nodes around an unopened hash keeps
//! the hash at the same depth, so a store can always answer.
//!
//! Removing a key may leave a branch with one child, which must merge with its parent: that
//! child is opened too even if no key under it was asked for. So a witness is not just the
//! proofs of the keys touched; [`Recorder`] records exactly what was opened.
//!
//! Keys are 32 bytes (64 nibbles), as in the state and storage tries: no value sits in a
//! branch, and a node that says otherwise, or whose path does not end at depth 64, is
//! [`OpenError::Malformed`].

use crate::{
    EMPTY_ROOT, TrieStore, hex_prefix, incremental, nibbles, reference, rlp_bytes, rlp_list,
};
use alloc::{boxed::Box, collections::BTreeMap, vec::Vec};
use alloy_primitives::{B256, keccak256};
use alloy_rlp::{EMPTY_STRING_CODE, Header};
use core::convert::Infallible;

/// The nibbles of a key.
const KEY_NIBBLES: usize = 64;

/// Where the nodes of a [`PartialTrie`] come from.
pub trait NodeSource {
    /// Why the source failed (not a missing node: that is `None`).
    type Error;

    /// The RLP of the node at the nibbles `prefix` whose keccak-256 is `hash`, if the source
    /// has it. The trie checks the hash.
    fn node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, Self::Error>;
}

/// Preimages by hash: what the guest is given (a witness).
impl NodeSource for BTreeMap<B256, Vec<u8>> {
    type Error = Infallible;

    fn node(&mut self, _prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, Infallible> {
        Ok(self.get(hash).cloned())
    }
}

/// A [`TrieStore`] as a source: the node at a position is encoded from the leaves under it (the
/// store's cache must be current, as for [`incremental::proof`]).
#[derive(Debug)]
pub struct StoreSource<'a, S>(pub &'a mut S);

impl<S: TrieStore> NodeSource for StoreSource<'_, S> {
    type Error = S::Error;

    fn node(&mut self, prefix: &[u8], _hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        incremental::node_rlp(self.0, prefix)
    }
}

/// A source that remembers every node it gave: run the guest's reads and writes natively over
/// a recorder, and its `nodes` are the witness the guest needs for the same work.
#[derive(Debug)]
pub struct Recorder<S> {
    /// Where the nodes come from.
    pub inner: S,
    /// Every node given, by hash.
    pub nodes: BTreeMap<B256, Vec<u8>>,
}

impl<S> Recorder<S> {
    /// Records what `inner` gives.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            nodes: BTreeMap::new(),
        }
    }
}

impl<S: NodeSource> NodeSource for Recorder<S> {
    type Error = S::Error;

    fn node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, S::Error> {
        let node = self.inner.node(prefix, hash)?;
        if let Some(rlp) = &node {
            self.nodes.insert(keccak256(rlp), rlp.clone());
        }
        Ok(node)
    }
}

/// Why a node could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError<E> {
    /// The source failed.
    #[error("the node source failed: {0:?}")]
    Source(E),
    /// The source does not have the node.
    #[error("node {hash} (at nibble depth {depth}) is missing")]
    Missing {
        /// The node's hash.
        hash: B256,
        /// How deep it sits.
        depth: usize,
    },
    /// The source gave bytes that do not hash to the node's hash.
    #[error("the node given for {hash} hashes to {actual}")]
    WrongNode {
        /// The hash asked for.
        hash: B256,
        /// The hash of what was given.
        actual: B256,
    },
    /// The node is not a node of a trie of 32-byte keys.
    #[error("node {hash} is malformed: {reason}")]
    Malformed {
        /// The node's hash.
        hash: B256,
        /// What is wrong.
        reason: &'static str,
    },
    /// Another trie was asked for a position that is not a node of it.
    #[error("no node sits at nibble depth {depth} on this path")]
    NoNodeAt {
        /// The position's length.
        depth: usize,
    },
}

/// One node. A branch and an extension remember their reference while unchanged.
#[derive(Clone, Debug)]
enum Node {
    Empty,
    /// The rest of the key's nibbles, and the value.
    Leaf(Vec<u8>, Vec<u8>),
    /// The shared nibbles, the child (a branch), and the cached reference.
    Extension(Vec<u8>, Box<Node>, Option<Vec<u8>>),
    /// Sixteen children, and the cached reference.
    Branch(Box<[Node; 16]>, Option<Vec<u8>>),
    /// Not opened: the hash of the node.
    Hash(B256),
}

fn empty_children() -> Box<[Node; 16]> {
    Box::new(core::array::from_fn(|_| Node::Empty))
}

/// A trie opened only where it was used (see the module docs).
#[derive(Clone, Debug)]
pub struct PartialTrie {
    root: Node,
}

impl PartialTrie {
    /// The trie whose root hash is `root`; nothing opened yet.
    pub fn new(root: B256) -> Self {
        Self {
            root: if root == EMPTY_ROOT {
                Node::Empty
            } else {
                Node::Hash(root)
            },
        }
    }

    /// The value at `key`, if any.
    pub fn get<S: NodeSource>(
        &mut self,
        source: &mut S,
        key: &B256,
    ) -> Result<Option<Vec<u8>>, OpenError<S::Error>> {
        let path = nibbles(key.as_slice());
        get(&mut self.root, source, &path, 0)
    }

    /// Sets `key` to `value`; an empty value removes the key.
    pub fn insert<S: NodeSource>(
        &mut self,
        source: &mut S,
        key: &B256,
        value: &[u8],
    ) -> Result<(), OpenError<S::Error>> {
        let path = nibbles(key.as_slice());
        let value = (!value.is_empty()).then_some(value);
        update(&mut self.root, source, &path, 0, value)
    }

    /// Removes `key` (nothing if absent).
    pub fn remove<S: NodeSource>(
        &mut self,
        source: &mut S,
        key: &B256,
    ) -> Result<(), OpenError<S::Error>> {
        self.insert(source, key, &[])
    }

    /// The root hash now.
    pub fn root(&mut self) -> B256 {
        match &mut self.root {
            Node::Empty => EMPTY_ROOT,
            Node::Hash(hash) => *hash,
            node => match reference_of(node) {
                // A hashed node's reference is the RLP of its hash.
                hashed if hashed.len() == 33 => B256::from_slice(&hashed[1..]),
                inline => keccak256(inline),
            },
        }
    }

    /// The RLP of the node at the nibbles `prefix`, opening what lies on the way from
    /// `source`: so that a trie a keeper has changed serves the nodes of its new state.
    pub fn node_at<S: NodeSource>(
        &mut self,
        source: &mut S,
        prefix: &[u8],
    ) -> Result<Vec<u8>, OpenError<S::Error>> {
        let mut node = &mut self.root;
        let mut depth = 0;
        loop {
            open(node, source, &prefix[..depth])?;
            if depth == prefix.len() {
                return match node {
                    Node::Empty => Err(OpenError::NoNodeAt { depth }),
                    node => Ok(encode(node)),
                };
            }
            match node {
                Node::Extension(shared, child, _) if prefix[depth..].starts_with(shared) => {
                    depth += shared.len();
                    node = child;
                }
                Node::Branch(children, _) => {
                    node = &mut children[usize::from(prefix[depth])];
                    depth += 1;
                }
                _ => {
                    return Err(OpenError::NoNodeAt {
                        depth: prefix.len(),
                    });
                }
            }
        }
    }
}

/// Lets one partial trie serve another's nodes (see [`PartialTrie::node_at`]).
#[derive(Debug)]
pub struct TrieSource<'a, S> {
    /// The trie.
    pub trie: &'a mut PartialTrie,
    /// Where it opens its own nodes.
    pub source: &'a mut S,
}

impl<S: NodeSource> NodeSource for TrieSource<'_, S> {
    type Error = OpenError<S::Error>;

    fn node(&mut self, prefix: &[u8], _hash: &B256) -> Result<Option<Vec<u8>>, Self::Error> {
        self.trie.node_at(self.source, prefix).map(Some)
    }
}

/// Opens `node` in place if it is a hash.
fn open<S: NodeSource>(
    node: &mut Node,
    source: &mut S,
    prefix: &[u8],
) -> Result<(), OpenError<S::Error>> {
    let Node::Hash(hash) = *node else {
        return Ok(());
    };
    let depth = prefix.len();
    let rlp = source
        .node(prefix, &hash)
        .map_err(OpenError::Source)?
        .ok_or(OpenError::Missing { hash, depth })?;
    let actual = keccak256(&rlp);
    if actual != hash {
        return Err(OpenError::WrongNode { hash, actual });
    }
    let mut opened = decode(&rlp, depth).map_err(|reason| OpenError::Malformed { hash, reason })?;
    if let Node::Extension(_, _, cache) | Node::Branch(_, cache) = &mut opened {
        *cache = Some(reference(&rlp));
    }
    *node = opened;
    Ok(())
}

fn get<S: NodeSource>(
    node: &mut Node,
    source: &mut S,
    path: &[u8],
    depth: usize,
) -> Result<Option<Vec<u8>>, OpenError<S::Error>> {
    open(node, source, &path[..depth])?;
    match node {
        Node::Leaf(rest, value) if rest.as_slice() == &path[depth..] => Ok(Some(value.clone())),
        Node::Extension(shared, child, _) if path[depth..].starts_with(shared) => {
            let depth = depth + shared.len();
            get(child, source, path, depth)
        }
        Node::Branch(children, _) => get(
            &mut children[usize::from(path[depth])],
            source,
            path,
            depth + 1,
        ),
        _ => Ok(None),
    }
}

/// How many leading nibbles two paths share.
fn common(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Sets (`Some`) or removes (`None`) the value at `path` under `node`, which sits at `depth`.
fn update<S: NodeSource>(
    node: &mut Node,
    source: &mut S,
    path: &[u8],
    depth: usize,
    value: Option<&[u8]>,
) -> Result<(), OpenError<S::Error>> {
    open(node, source, &path[..depth])?;
    let rest = &path[depth..];
    match node {
        Node::Hash(_) => unreachable!("opened above"),
        Node::Empty => {
            if let Some(value) = value {
                *node = Node::Leaf(rest.to_vec(), value.to_vec());
            }
        }
        Node::Leaf(leaf_rest, leaf_value) => match value {
            Some(value) if leaf_rest.as_slice() == rest => *leaf_value = value.to_vec(),
            None if leaf_rest.as_slice() == rest => *node = Node::Empty,
            None => {}
            Some(value) => {
                // Two leaves part after `shared` nibbles: a branch there.
                let shared = common(leaf_rest, rest);
                let mut children = empty_children();
                children[usize::from(leaf_rest[shared])] = Node::Leaf(
                    leaf_rest[shared + 1..].to_vec(),
                    core::mem::take(leaf_value),
                );
                children[usize::from(rest[shared])] =
                    Node::Leaf(rest[shared + 1..].to_vec(), value.to_vec());
                *node = behind(&rest[..shared], Node::Branch(children, None));
            }
        },
        Node::Extension(shared, child, cache) => {
            if rest.starts_with(shared) {
                let below = depth + shared.len();
                update(child, source, path, below, value)?;
                *cache = None;
                // Removing may have collapsed the branch below into a leaf or an extension.
                let merged = match core::mem::replace(child.as_mut(), Node::Empty) {
                    Node::Leaf(tail, value) => {
                        Some(Node::Leaf([&shared[..], &tail].concat(), value))
                    }
                    Node::Extension(tail, grandchild, _) => Some(Node::Extension(
                        [&shared[..], &tail].concat(),
                        grandchild,
                        None,
                    )),
                    Node::Empty => Some(Node::Empty),
                    other => {
                        **child = other;
                        None
                    }
                };
                if let Some(merged) = merged {
                    *node = merged;
                }
            } else if let Some(value) = value {
                // The key leaves the extension after `at` nibbles: a branch there, the rest of
                // the extension under one nibble and the new leaf under another. The old child
                // keeps its depth, so a hash there can still be opened by position.
                let at = common(shared, rest);
                let mut children = empty_children();
                let old_child = core::mem::replace(child.as_mut(), Node::Empty);
                let tail = &shared[at + 1..];
                children[usize::from(shared[at])] = behind(tail, old_child);
                children[usize::from(rest[at])] =
                    Node::Leaf(rest[at + 1..].to_vec(), value.to_vec());
                *node = behind(&rest[..at], Node::Branch(children, None));
            }
        }
        Node::Branch(children, cache) => {
            let nibble = usize::from(rest[0]);
            update(&mut children[nibble], source, path, depth + 1, value)?;
            *cache = None;
            if value.is_none() {
                let mut left = children
                    .iter()
                    .enumerate()
                    .filter(|(_, child)| !matches!(child, Node::Empty));
                if let (Some((only, _)), None) = (left.next(), left.next()) {
                    // One child left: the branch gives way to it, one nibble longer. It must be
                    // opened to know what it is.
                    let mut prefix = path[..depth].to_vec();
                    prefix.push(only as u8);
                    let mut child = core::mem::replace(&mut children[only], Node::Empty);
                    open(&mut child, source, &prefix)?;
                    let nibble = [only as u8];
                    *node = match child {
                        Node::Leaf(tail, value) => Node::Leaf([&nibble[..], &tail].concat(), value),
                        Node::Extension(tail, grandchild, _) => {
                            Node::Extension([&nibble[..], &tail].concat(), grandchild, None)
                        }
                        branch => Node::Extension(nibble.to_vec(), Box::new(branch), None),
                    };
                }
            }
        }
    }
    Ok(())
}

/// `node` behind an extension over `shared`, or `node` itself if `shared` is empty.
fn behind(shared: &[u8], node: Node) -> Node {
    if shared.is_empty() {
        node
    } else {
        Node::Extension(shared.to_vec(), Box::new(node), None)
    }
}

/// The RLP of an opened node (an [`Node::Empty`] child is encoded by its parent).
fn encode(node: &mut Node) -> Vec<u8> {
    match node {
        Node::Leaf(rest, value) => {
            rlp_list(&[rlp_bytes(&hex_prefix(rest, true)), rlp_bytes(value)])
        }
        Node::Extension(shared, child, _) => {
            rlp_list(&[rlp_bytes(&hex_prefix(shared, false)), reference_of(child)])
        }
        Node::Branch(children, _) => {
            let mut items: Vec<Vec<u8>> = children.iter_mut().map(reference_of).collect();
            items.push(alloc::vec![EMPTY_STRING_CODE]);
            rlp_list(&items)
        }
        Node::Empty => alloc::vec![EMPTY_STRING_CODE],
        Node::Hash(hash) => rlp_bytes(hash.as_slice()),
    }
}

/// How a parent refers to `node`: its RLP under 32 bytes, else the RLP of its hash. Branches
/// and extensions keep it until they change.
fn reference_of(node: &mut Node) -> Vec<u8> {
    match node {
        Node::Empty => alloc::vec![EMPTY_STRING_CODE],
        Node::Hash(hash) => rlp_bytes(hash.as_slice()),
        Node::Extension(_, _, Some(cached)) | Node::Branch(_, Some(cached)) => cached.clone(),
        Node::Leaf(..) => reference(&encode(node)),
        Node::Extension(..) | Node::Branch(..) => {
            let computed = reference(&encode(node));
            if let Node::Extension(_, _, cache) | Node::Branch(_, cache) = node {
                *cache = Some(computed.clone());
            }
            computed
        }
    }
}

/// One RLP item: a string's bytes, or a list's whole encoding.
enum Item<'a> {
    String(&'a [u8]),
    List(&'a [u8]),
}

/// The items of the RLP list `rlp`, which must be all of `rlp`.
fn list_items(mut rlp: &[u8]) -> Result<Vec<Item<'_>>, &'static str> {
    let header = Header::decode(&mut rlp).map_err(|_| "not RLP")?;
    if !header.list || header.payload_length != rlp.len() {
        return Err("not one RLP list");
    }
    let mut items = Vec::with_capacity(17);
    while !rlp.is_empty() {
        let start = rlp;
        let header = Header::decode(&mut rlp).map_err(|_| "an item is not RLP")?;
        if header.payload_length > rlp.len() {
            return Err("an item runs past the node");
        }
        let header_length = start.len() - rlp.len();
        let (payload, after) = rlp.split_at(header.payload_length);
        items.push(if header.list {
            Item::List(&start[..header_length + header.payload_length])
        } else {
            Item::String(payload)
        });
        rlp = after;
    }
    Ok(items)
}

/// The nibbles of a hex-prefix path, and whether it is a leaf's.
fn decode_path(encoded: &[u8]) -> Result<(Vec<u8>, bool), &'static str> {
    let (&first, rest) = encoded.split_first().ok_or("an empty path")?;
    let flag = first >> 4;
    if flag > 3 {
        return Err("a path with an unknown flag");
    }
    let mut path = Vec::with_capacity(rest.len() * 2 + 1);
    if flag & 1 == 1 {
        path.push(first & 0x0f);
    } else if first & 0x0f != 0 {
        return Err("an even path with a non-zero pad");
    }
    path.extend(rest.iter().flat_map(|b| [b >> 4, b & 0x0f]));
    Ok((path, flag >= 2))
}

/// A child reference at `depth`: empty, a hash, or a node embedded in its parent.
fn decode_child(item: &Item<'_>, depth: usize) -> Result<Node, &'static str> {
    match item {
        Item::String([]) => Ok(Node::Empty),
        Item::String(hash) if hash.len() == 32 => Ok(Node::Hash(B256::from_slice(hash))),
        Item::String(_) => Err("a child that is neither a hash nor empty"),
        Item::List(embedded) if embedded.len() < 32 => decode(embedded, depth),
        Item::List(_) => Err("an embedded child of 32 bytes or more"),
    }
}

/// The node whose RLP is `rlp`, at nibble depth `depth`.
fn decode(rlp: &[u8], depth: usize) -> Result<Node, &'static str> {
    let items = list_items(rlp)?;
    match items.as_slice() {
        [Item::String(path), value] => {
            let (path, leaf) = decode_path(path)?;
            if leaf {
                let Item::String(value) = value else {
                    return Err("a leaf whose value is a list");
                };
                if depth + path.len() != KEY_NIBBLES || value.is_empty() {
                    return Err("a leaf that does not end a 32-byte key with a value");
                }
                Ok(Node::Leaf(path, value.to_vec()))
            } else {
                if path.is_empty() || depth + path.len() >= KEY_NIBBLES {
                    return Err("an extension of no nibbles or past the key");
                }
                match decode_child(value, depth + path.len())? {
                    child @ (Node::Branch(..) | Node::Hash(_)) => {
                        Ok(Node::Extension(path, Box::new(child), None))
                    }
                    _ => Err("an extension not to a branch"),
                }
            }
        }
        [children @ .., Item::String([])] if children.len() == 16 => {
            if depth >= KEY_NIBBLES {
                return Err("a branch past the key");
            }
            let mut decoded = empty_children();
            for (slot, item) in decoded.iter_mut().zip(children) {
                *slot = decode_child(item, depth + 1)?;
            }
            if decoded.iter().filter(|c| !matches!(c, Node::Empty)).count() < 2 {
                return Err("a branch of fewer than two children");
            }
            Ok(Node::Branch(decoded, None))
        }
        [_, _] => Err("a two-item node without a string path"),
        items if items.len() == 17 => Err("a branch with a value (keys are 32 bytes)"),
        _ => Err("neither two nor seventeen items"),
    }
}
