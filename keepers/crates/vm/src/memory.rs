//! The machine's memory: 4 GiB, byte-addressed, little-endian, in 4 KiB pages; memory never
//! written reads as zero. Accesses are naturally aligned (the CPU traps a misaligned one before
//! it gets here), so an access never spans two 32-byte leaves, let alone two pages.
//!
//! Memory is committed to by a binary Merkle tree of keccak-256 over its 2^27 leaves of 32 bytes
//! (a leaf is its 32 bytes as they are, an inner node `keccak(left ‖ right)`). Pages keep their
//! subtree root cached until written, so the root after a run costs the written pages' hashing,
//! not the whole memory's.

use crate::decode::{Instr, decode};
use alloy_primitives::{B256, keccak256};
use std::sync::{Arc, OnceLock};

/// Bits of a memory address: the machine has `2^ADDRESS_BITS` bytes.
pub const ADDRESS_BITS: u32 = 32;
/// Bytes of memory; an access at or past this address traps.
pub const MEMORY_SIZE: u64 = 1 << ADDRESS_BITS;
/// Bytes in one page.
pub const PAGE_SIZE: u64 = 4096;
/// Bytes in one Merkle leaf.
pub const LEAF_SIZE: u64 = 32;
/// Siblings in a memory proof: the tree's depth.
pub const TREE_DEPTH: usize = (ADDRESS_BITS - LEAF_SIZE.trailing_zeros()) as usize;

const PAGE_BITS: u32 = PAGE_SIZE.trailing_zeros();
/// Levels of the tree inside one page (128 leaves).
const PAGE_DEPTH: usize = (PAGE_BITS - LEAF_SIZE.trailing_zeros()) as usize;
/// Pages are found through a two-level table: 1024 directories of 1024 pages.
const DIR_BITS: u32 = (ADDRESS_BITS - PAGE_BITS) / 2;
const DIR_LEN: usize = 1 << DIR_BITS;

/// `ZERO[i]`: the root of a subtree of `2^i` zero leaves.
fn zero_hashes() -> &'static [B256; TREE_DEPTH + 1] {
    static ZERO: OnceLock<[B256; TREE_DEPTH + 1]> = OnceLock::new();
    ZERO.get_or_init(|| {
        let mut z = [B256::ZERO; TREE_DEPTH + 1];
        for i in 1..=TREE_DEPTH {
            z[i] = hash_pair(&z[i - 1], &z[i - 1]);
        }
        z
    })
}

/// An inner node of the tree.
pub fn hash_pair(left: &B256, right: &B256) -> B256 {
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(left.as_slice());
    both[32..].copy_from_slice(right.as_slice());
    keccak256(both)
}

/// Instruction words in a page.
const PAGE_WORDS: usize = (PAGE_SIZE / 4) as usize;

/// A page. Its two caches fill through a shared reference (`OnceLock`), so a page that a
/// cloned memory (a trace's snapshot) still shares is never copied just to cache its root or
/// its decoded words.
#[derive(Clone)]
struct Page {
    bytes: [u8; PAGE_SIZE as usize],
    /// The page's subtree root, until the page is written.
    root: OnceLock<B256>,
    /// Every word of the page decoded, once something is fetched from it, until it is written:
    /// fast mode decodes each instruction once, not once per step.
    decoded: OnceLock<Box<[Option<Instr>; PAGE_WORDS]>>,
}

impl Page {
    fn zeroed() -> Arc<Self> {
        Arc::new(Self {
            bytes: [0; PAGE_SIZE as usize],
            root: OnceLock::new(),
            decoded: OnceLock::new(),
        })
    }

    fn word(&self, index: usize) -> u32 {
        u32::from_le_bytes(
            self.bytes[4 * index..4 * index + 4]
                .try_into()
                .expect("4 bytes"),
        )
    }

    fn leaf(&self, index: usize) -> B256 {
        B256::from_slice(&self.bytes[index * 32..index * 32 + 32])
    }

    /// The page's levels from its leaves (level 0) up to its root (level 7).
    fn levels(&self) -> Vec<Vec<B256>> {
        let mut levels = vec![
            (0..1 << PAGE_DEPTH)
                .map(|i| self.leaf(i))
                .collect::<Vec<_>>(),
        ];
        for _ in 0..PAGE_DEPTH {
            let below = levels.last().expect("at least the leaves");
            levels.push(
                below
                    .chunks(2)
                    .map(|pair| hash_pair(&pair[0], &pair[1]))
                    .collect(),
            );
        }
        levels
    }

    fn root(&self) -> B256 {
        *self.root.get_or_init(|| self.levels()[PAGE_DEPTH][0])
    }
}

type Directory = [Option<Arc<Page>>; DIR_LEN];

/// The machine's memory. Directories and pages are shared between clones until one writes
/// them (copy on write): a trace's snapshots hold the pages the run changed since the one
/// before, not a copy of the whole memory each.
#[derive(Clone, Default)]
pub struct Memory {
    dirs: Vec<Option<Arc<Directory>>>,
}

/// A Merkle proof of one 32-byte leaf: the leaf and its siblings from the bottom up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryProof {
    /// The leaf's 32 bytes.
    pub leaf: B256,
    /// Siblings, `siblings[0]` next to the leaf.
    pub siblings: [B256; TREE_DEPTH],
}

impl MemoryProof {
    /// The root this proof gives for the leaf at `addr` holding `leaf`.
    pub fn root_with(&self, addr: u64, leaf: &B256) -> B256 {
        let mut node = *leaf;
        let mut index = addr / LEAF_SIZE;
        for sibling in &self.siblings {
            node = if index & 1 == 0 {
                hash_pair(&node, sibling)
            } else {
                hash_pair(sibling, &node)
            };
            index >>= 1;
        }
        node
    }
}

impl Memory {
    /// Empty memory (all zero).
    pub fn new() -> Self {
        Self::default()
    }

    fn page(&self, addr: u64) -> Option<&Page> {
        debug_assert!(addr < MEMORY_SIZE);
        let n = (addr >> PAGE_BITS) as usize;
        self.dirs.get(n >> DIR_BITS)?.as_ref()?[n & (DIR_LEN - 1)].as_deref()
    }

    fn page_mut(&mut self, addr: u64) -> &mut Page {
        debug_assert!(addr < MEMORY_SIZE);
        let n = (addr >> PAGE_BITS) as usize;
        let d = n >> DIR_BITS;
        if self.dirs.len() <= d {
            self.dirs.resize_with(d + 1, || None);
        }
        let dir = self.dirs[d].get_or_insert_with(|| Arc::new([const { None }; DIR_LEN]));
        // Copies the directory and the page only if a clone still shares them.
        let page =
            Arc::make_mut(Arc::make_mut(dir)[n & (DIR_LEN - 1)].get_or_insert_with(Page::zeroed));
        page.root = OnceLock::new();
        page.decoded = OnceLock::new();
        page
    }

    /// The instruction at `pc` (aligned, inside memory): `Ok` decoded, or `Err` with the word
    /// that is not an instruction.
    #[inline]
    pub fn fetch(&mut self, pc: u64) -> Result<Instr, u32> {
        debug_assert!(pc.is_multiple_of(4) && pc < MEMORY_SIZE);
        let index = ((pc % PAGE_SIZE) / 4) as usize;
        // Memory never written holds zero words, which are not instructions.
        let Some(page) = self.page(pc) else {
            return Err(0);
        };
        let decoded = page
            .decoded
            .get_or_init(|| Box::new(std::array::from_fn(|i| decode(page.word(i)))));
        match decoded[index] {
            Some(instr) => Ok(instr),
            None => Err(page.word(index)),
        }
    }

    /// Reads `width` (1, 2, 4 or 8) bytes at `addr`, which must be aligned to `width`.
    #[inline]
    pub fn read(&self, addr: u64, width: u64) -> u64 {
        debug_assert!(addr.is_multiple_of(width));
        let Some(page) = self.page(addr) else {
            return 0;
        };
        let at = (addr % PAGE_SIZE) as usize;
        // One arm per width: fixed-size copies compile to single loads (the emulator's hot path).
        let b = &page.bytes;
        match width {
            1 => u64::from(b[at]),
            2 => u64::from(u16::from_le_bytes([b[at], b[at + 1]])),
            4 => u64::from(u32::from_le_bytes(
                b[at..at + 4].try_into().expect("4 bytes"),
            )),
            _ => u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes")),
        }
    }

    /// Writes the low `width` (1, 2, 4 or 8) bytes of `value` at `addr`, aligned to `width`.
    #[inline]
    pub fn write(&mut self, addr: u64, width: u64, value: u64) {
        debug_assert!(addr.is_multiple_of(width));
        let page = self.page_mut(addr);
        let at = (addr % PAGE_SIZE) as usize;
        let b = &mut page.bytes;
        match width {
            1 => b[at] = value as u8,
            2 => b[at..at + 2].copy_from_slice(&(value as u16).to_le_bytes()),
            4 => b[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes()),
            _ => b[at..at + 8].copy_from_slice(&value.to_le_bytes()),
        }
    }

    /// Copies `bytes` to memory from `addr` on (any alignment): how a loader places a program
    /// and how a preimage read fills a buffer. The range must lie inside memory.
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) {
        debug_assert!(addr + bytes.len() as u64 <= MEMORY_SIZE);
        let mut at = addr;
        for chunk in bytes.chunks(PAGE_SIZE as usize) {
            // A chunk may straddle two pages; copy it page by page.
            let mut rest = chunk;
            while !rest.is_empty() {
                let offset = (at % PAGE_SIZE) as usize;
                let n = rest.len().min(PAGE_SIZE as usize - offset);
                self.page_mut(at).bytes[offset..offset + n].copy_from_slice(&rest[..n]);
                rest = &rest[n..];
                at += n as u64;
            }
        }
    }

    /// `len` bytes from `addr` on (any alignment, inside memory).
    pub fn read_bytes(&self, addr: u64, len: usize) -> Vec<u8> {
        (0..len as u64)
            .map(|i| self.read(addr + i, 1) as u8)
            .collect()
    }

    /// The 32-byte leaf holding `addr`.
    pub fn leaf(&self, addr: u64) -> B256 {
        let base = addr & !(LEAF_SIZE - 1);
        match self.page(base) {
            Some(page) => page.leaf(((base % PAGE_SIZE) / LEAF_SIZE) as usize),
            None => B256::ZERO,
        }
    }

    /// The identities of its pages (shared with a clone until one of them writes the page).
    pub fn page_ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.dirs
            .iter()
            .flatten()
            .flat_map(|dir| dir.iter().flatten().map(|page| Arc::as_ptr(page) as usize))
    }

    /// Pages holding something written.
    pub fn pages(&self) -> usize {
        self.dirs
            .iter()
            .flatten()
            .map(|dir| dir.iter().flatten().count())
            .sum()
    }

    /// Every page's number and subtree root, in address order (computing stale roots).
    fn page_roots(&mut self) -> Vec<(u64, B256)> {
        let mut roots = Vec::new();
        for (d, dir) in self.dirs.iter().enumerate() {
            let Some(dir) = dir else { continue };
            for (i, page) in dir.iter().enumerate() {
                if let Some(page) = page {
                    roots.push((((d << DIR_BITS) | i) as u64, page.root()));
                }
            }
        }
        roots
    }

    /// Folds the page roots up to the memory root. When `track` names a page, also returns the
    /// siblings met on that page's path (the upper part of a proof).
    fn fold_pages(&mut self, track: Option<u64>) -> (B256, Vec<B256>) {
        let zero = zero_hashes();
        let mut level = self.page_roots();
        let mut siblings = Vec::new();
        let mut tracked = track;
        for &empty in &zero[PAGE_DEPTH..TREE_DEPTH] {
            if let Some(t) = tracked {
                let sibling = level
                    .iter()
                    .find(|(i, _)| *i == t ^ 1)
                    .map_or(empty, |(_, h)| *h);
                siblings.push(sibling);
                tracked = Some(t >> 1);
            }
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut i = 0;
            while i < level.len() {
                let (index, node) = level[i];
                let pair = index ^ 1;
                let (left, right, used) = match level.get(i + 1) {
                    Some((j, other)) if *j == pair => (node, *other, 2),
                    _ if index & 1 == 0 => (node, empty, 1),
                    _ => (empty, node, 1),
                };
                next.push((index >> 1, hash_pair(&left, &right)));
                i += used;
            }
            level = next;
        }
        let root = level.first().map_or(zero[TREE_DEPTH], |(_, h)| *h);
        (root, siblings)
    }

    /// The Merkle root of all of memory.
    pub fn root(&mut self) -> B256 {
        self.fold_pages(None).0
    }

    /// The proof of the leaf holding `addr` (inside memory) against [`Memory::root`].
    pub fn proof(&mut self, addr: u64) -> MemoryProof {
        debug_assert!(addr < MEMORY_SIZE);
        let zero = zero_hashes();
        let leaf_index = ((addr % PAGE_SIZE) / LEAF_SIZE) as usize;
        let mut siblings = Vec::with_capacity(TREE_DEPTH);
        match self.page(addr) {
            Some(page) => {
                let levels = page.levels();
                for (height, level) in levels.iter().take(PAGE_DEPTH).enumerate() {
                    siblings.push(level[(leaf_index >> height) ^ 1]);
                }
            }
            None => siblings.extend_from_slice(&zero[..PAGE_DEPTH]),
        }
        let (_, upper) = self.fold_pages(Some(addr >> PAGE_BITS));
        siblings.extend(upper);
        MemoryProof {
            leaf: self.leaf(addr),
            siblings: siblings.try_into().expect("TREE_DEPTH siblings"),
        }
    }
}

impl PartialEq for Memory {
    /// Equal contents: a page of zeros equals no page.
    fn eq(&self, other: &Self) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.root() == b.root()
    }
}

impl Eq for Memory {}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("pages", &self.pages())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The root by the definition: every leaf of a (small, sparse) memory hashed level by level.
    fn naive_root(writes: &[(u64, u64)]) -> B256 {
        use std::collections::BTreeMap;
        let mut leaves: BTreeMap<u64, [u8; 32]> = BTreeMap::new();
        for &(addr, value) in writes {
            let leaf = leaves.entry(addr / 32).or_default();
            let at = (addr % 32) as usize;
            leaf[at..at + 8].copy_from_slice(&value.to_le_bytes());
        }
        let zero = zero_hashes();
        let mut level: BTreeMap<u64, B256> = leaves
            .into_iter()
            .map(|(i, l)| (i, B256::from(l)))
            .collect();
        for &empty in &zero[..TREE_DEPTH] {
            let mut next = BTreeMap::new();
            for &i in level.keys() {
                let (l, r) = (i & !1, i | 1);
                let get = |k| level.get(&k).copied().unwrap_or(empty);
                next.insert(i >> 1, hash_pair(&get(l), &get(r)));
            }
            level = next;
        }
        level.get(&0).copied().unwrap_or(zero[TREE_DEPTH])
    }

    #[test]
    fn empty_memory_has_the_zero_root() {
        assert_eq!(Memory::new().root(), zero_hashes()[TREE_DEPTH]);
    }

    proptest! {
        #[test]
        fn root_and_proofs_match_the_definition(
            writes in prop::collection::vec(
                (prop_oneof![0u64..8192, (MEMORY_SIZE - 8192)..MEMORY_SIZE, 0..MEMORY_SIZE]
                    .prop_map(|a| a & !7), any::<u64>()),
                0..12,
            ),
            probe in 0..MEMORY_SIZE,
        ) {
            let mut mem = Memory::new();
            for &(addr, value) in &writes {
                mem.write(addr, 8, value);
            }
            let root = mem.root();
            prop_assert_eq!(root, naive_root(&writes));
            for addr in writes.iter().map(|w| w.0).chain([probe]) {
                let proof = mem.proof(addr);
                prop_assert_eq!(proof.leaf, mem.leaf(addr));
                prop_assert_eq!(proof.root_with(addr, &proof.leaf), root);
            }
        }

        #[test]
        fn a_proof_gives_the_root_after_a_write_to_its_leaf(
            writes in prop::collection::vec((0u64..1 << 20, any::<u64>()), 1..8),
            target in 0u64..1 << 20,
            value in any::<u64>(),
        ) {
            let mut mem = Memory::new();
            for &(addr, v) in &writes {
                mem.write(addr & !7, 8, v);
            }
            let target = target & !7;
            let proof = mem.proof(target);
            mem.write(target, 8, value);
            prop_assert_eq!(proof.root_with(target, &mem.leaf(target)), mem.root());
        }

        #[test]
        fn byte_copies_land_where_single_writes_would(
            addr in 0u64..(3 * PAGE_SIZE),
            bytes in prop::collection::vec(any::<u8>(), 0..(2 * PAGE_SIZE as usize)),
        ) {
            let mut copied = Memory::new();
            copied.write_bytes(addr, &bytes);
            let mut single = Memory::new();
            for (i, b) in bytes.iter().enumerate() {
                single.write(addr + i as u64, 1, u64::from(*b));
            }
            prop_assert_eq!(copied.read_bytes(addr, bytes.len()), bytes);
            prop_assert_eq!(copied, single);
        }
    }
}
