//! L2 blocks: the header a leader signs for every sealed block (its preconfirmation), the signed
//! block a node streams ([`SignedBlock`]), the block hash, and the transaction Merkle tree whose root the header carries, with inclusion proofs a
//! user can check against a signed header.
//!
//! The transaction tree is a binary keccak256 Merkle tree:
//!
//! - the leaves are the hashes of the block's transactions in block order: `keccak256(raw)` for
//!   a signed transaction and [`queue_entry_hash`] for a force-queue entry (the same thing: the
//!   keccak256 of the bytes the block carries);
//! - an empty block has root `0x00…00`, a block of one transaction has its hash as the root;
//! - at each level an odd number of nodes is padded with one `0x00…00` node, and a parent is
//!   `keccak256(left ‖ right)`.
//!
//! It is the same tree as `PaddedMerkle` on L1 (every empty subtree zero), which is why a
//! record's transaction root and a dispute's layout root use [`tx_root`] and [`tx_proof`] too.
//!
//! The root does not bind the number of leaves beyond padding (a list and the same list with a
//! trailing zero hash have one root), which is harmless: no transaction hashes to zero.

use crate::eip712::BlockHeader;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolStruct;
use serde::{Deserialize, Serialize};

/// A sealed L2 block with the leader's signature: the preconfirmation. What a node stores until
/// L1 holds the block, streams to the other nodes and watchers (`baton_getSignedBlocks`), and
/// re-offers after a restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBlock {
    /// The signed header.
    pub header: BlockHeader,
    /// 65-byte signature over the header's EIP-712 digest.
    pub signature: Bytes,
    /// Fee recipient of the block's transactions.
    pub fee_recipient: Address,
    /// Force-queue entries consumed at the start of the block (first block of a record only).
    pub entries: Vec<u64>,
    /// Raw sequenced transactions, in order after the entries.
    pub transactions: Vec<Bytes>,
}

impl From<&SignedBlock> for crate::batch::L2Block {
    /// What a record's batch data carries of a sealed block: its timestamp and transactions
    /// (its force-queue entries are on L1 already).
    fn from(block: &SignedBlock) -> Self {
        Self {
            timestamp: block.header.timestamp,
            transactions: block.transactions.clone(),
        }
    }
}

/// `keccak256(left ‖ right)`: an inner node of the transaction tree.
fn parent(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_slice());
    buf[32..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// The level above `level` (padded with a zero node when its length is odd).
fn next_level(level: &[B256]) -> Vec<B256> {
    level
        .chunks(2)
        .map(|pair| parent(&pair[0], pair.get(1).unwrap_or(&B256::ZERO)))
        .collect()
}

/// The Merkle root of a block's transaction hashes, in block order (see the module docs).
pub fn tx_root(hashes: &[B256]) -> B256 {
    match hashes {
        [] => B256::ZERO,
        [only] => *only,
        _ => {
            let mut level = next_level(hashes);
            while level.len() > 1 {
                level = next_level(&level);
            }
            level[0]
        }
    }
}

/// The inclusion proof of the transaction at `index`: its siblings from the leaf level up (a
/// padding sibling is `0x00…00`). `None` when `index` is not a position of `hashes`.
pub fn tx_proof(hashes: &[B256], index: usize) -> Option<Vec<B256>> {
    if index >= hashes.len() {
        return None;
    }
    let mut proof = Vec::new();
    let mut level = hashes.to_vec();
    let mut position = index;
    while level.len() > 1 {
        proof.push(level.get(position ^ 1).copied().unwrap_or(B256::ZERO));
        level = next_level(&level);
        position /= 2;
    }
    Some(proof)
}

/// Whether `proof` (as [`tx_proof`] returns it) shows the transaction hash `leaf` at `index` in
/// the tree of `root`. The index must fit the proof's depth (`index < 2^proof.len()`).
pub fn verify_tx_proof(root: B256, leaf: B256, index: usize, proof: &[B256]) -> bool {
    let mut node = leaf;
    let mut position = index;
    for sibling in proof {
        node = if position & 1 == 0 {
            parent(&node, sibling)
        } else {
            parent(sibling, &node)
        };
        position >>= 1;
    }
    position == 0 && node == root
}

/// The hash of an L2 block: the EIP-712 **struct hash** of its header (like
/// [`crate::eip712::BatchHeader::record_hash`]), which the next block names as `parentHash`.
/// It does not depend on the signing domain.
pub fn block_hash(header: &BlockHeader) -> B256 {
    header.eip712_hash_struct()
}

/// Block 0 of the L2 chain: number, parent hash, epoch, timestamp and tx root all zero.
pub fn genesis_header(chain_id: u64) -> BlockHeader {
    BlockHeader {
        chainId: U256::from(chain_id),
        number: 0,
        parentHash: B256::ZERO,
        epoch: 0,
        timestamp: 0,
        txRoot: B256::ZERO,
    }
}

/// The transaction hash of a force-queue entry in an L2 block: keccak256 of its raw bytes (so an
/// enqueued signed transaction keeps its usual hash).
pub fn queue_entry_hash(entry: &[u8]) -> B256 {
    keccak256(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eip712::baton_domain;
    use alloy_primitives::Address;

    fn leaves(n: usize) -> Vec<B256> {
        (0..n as u64).map(|i| keccak256(i.to_be_bytes())).collect()
    }

    /// The tree top-down over a power-of-two width, where a subtree holding no transaction is
    /// the zero node (what padding each level with one zero node amounts to).
    fn reference_root(hashes: &[B256]) -> B256 {
        fn go(hashes: &[B256], lo: usize, width: usize) -> B256 {
            if lo >= hashes.len() {
                return B256::ZERO;
            }
            if width == 1 {
                return hashes[lo];
            }
            let half = width / 2;
            keccak256([go(hashes, lo, half).0, go(hashes, lo + half, half).0].concat())
        }
        go(hashes, 0, hashes.len().next_power_of_two())
    }

    #[test]
    fn small_roots_follow_the_definition() {
        assert_eq!(tx_root(&[]), B256::ZERO);
        let l = leaves(3);
        assert_eq!(tx_root(&l[..1]), l[0]);
        assert_eq!(
            tx_root(&l[..2]),
            keccak256([l[0].0, l[1].0].concat()),
            "two leaves"
        );
        let left = keccak256([l[0].0, l[1].0].concat());
        let right = keccak256([l[2].0, [0u8; 32]].concat());
        assert_eq!(tx_root(&l), keccak256([left.0, right.0].concat()));
    }

    #[test]
    fn roots_match_the_padded_reference_tree() {
        for n in 0..=33 {
            assert_eq!(tx_root(&leaves(n)), reference_root(&leaves(n)), "n = {n}");
        }
    }

    #[test]
    fn the_root_binds_order_and_content() {
        let l = leaves(5);
        let mut swapped = l.clone();
        swapped.swap(1, 3);
        assert_ne!(tx_root(&l), tx_root(&swapped));
        let mut changed = l.clone();
        changed[4] = B256::repeat_byte(9);
        assert_ne!(tx_root(&l), tx_root(&changed));
        assert_ne!(tx_root(&l), tx_root(&l[..4]));
        // Padding is per level, not at the leaves: five leaves are not eight with zeros.
        let mut eight = l.clone();
        eight.resize(8, B256::ZERO);
        assert_ne!(tx_root(&l), tx_root(&eight));
    }

    #[test]
    fn every_index_of_every_small_tree_verifies() {
        for n in 1..=17 {
            let hashes = leaves(n);
            let root = tx_root(&hashes);
            let depth = n.next_power_of_two().trailing_zeros() as usize;
            for (i, leaf) in hashes.iter().enumerate() {
                let proof = tx_proof(&hashes, i).expect("in range");
                assert_eq!(proof.len(), depth, "n = {n}, i = {i}");
                assert!(verify_tx_proof(root, *leaf, i, &proof), "n = {n}, i = {i}");
            }
            assert_eq!(tx_proof(&hashes, n), None, "one past the end");
        }
        assert_eq!(tx_proof(&[], 0), None);
    }

    #[test]
    fn wrong_index_leaf_sibling_or_root_fails() {
        for n in 2..=17 {
            let hashes = leaves(n);
            let root = tx_root(&hashes);
            for i in 0..n {
                let proof = tx_proof(&hashes, i).unwrap();
                // Any other index, including the same position beyond the proof's depth.
                for j in (0..n).filter(|&j| j != i) {
                    assert!(!verify_tx_proof(root, hashes[i], j, &proof), "{n} {i} {j}");
                }
                assert!(!verify_tx_proof(
                    root,
                    hashes[i],
                    i + (1 << proof.len()),
                    &proof
                ));
                // Another leaf at this index.
                let other = hashes[(i + 1) % n];
                assert!(!verify_tx_proof(root, other, i, &proof));
                // Each sibling flipped in turn.
                for s in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[s] = B256::repeat_byte(0xee);
                    assert!(!verify_tx_proof(root, hashes[i], i, &bad), "{n} {i} {s}");
                }
                // A truncated or extended proof, and another root.
                assert!(!verify_tx_proof(root, hashes[i], i, &proof[1..]));
                let mut longer = proof.clone();
                longer.push(B256::ZERO);
                assert!(!verify_tx_proof(root, hashes[i], i, &longer));
                assert!(!verify_tx_proof(B256::repeat_byte(1), hashes[i], i, &proof));
            }
        }
    }

    #[test]
    fn a_single_transaction_is_its_own_root() {
        let hashes = leaves(1);
        let proof = tx_proof(&hashes, 0).unwrap();
        assert!(proof.is_empty());
        assert!(verify_tx_proof(hashes[0], hashes[0], 0, &proof));
        assert!(!verify_tx_proof(hashes[0], hashes[0], 1, &proof));
    }

    #[test]
    fn block_hash_is_the_struct_hash_not_the_digest() {
        let header = BlockHeader {
            chainId: U256::from(901),
            number: 3,
            parentHash: B256::repeat_byte(1),
            epoch: 2,
            timestamp: 1_700_000_000,
            txRoot: tx_root(&leaves(3)),
        };
        // keccak256(typeHash ‖ each field as a word)
        let mut encoded = keccak256(
            "BlockHeader(uint256 chainId,uint64 number,bytes32 parentHash,uint64 epoch,uint64 timestamp,bytes32 txRoot)",
        )
        .to_vec();
        for word in [
            header.chainId,
            U256::from(header.number),
            U256::from_be_bytes(header.parentHash.0),
            U256::from(header.epoch),
            U256::from(header.timestamp),
            U256::from_be_bytes(header.txRoot.0),
        ] {
            encoded.extend_from_slice(&word.to_be_bytes::<32>());
        }
        assert_eq!(block_hash(&header), keccak256(&encoded));
        let domain = baton_domain(1, Address::repeat_byte(0xaa));
        assert_ne!(block_hash(&header), header.signing_digest(&domain));
    }

    #[test]
    fn genesis_is_block_zero_of_its_chain() {
        let g = genesis_header(901);
        assert_eq!(g.chainId, U256::from(901));
        assert_eq!(
            (g.number, g.parentHash, g.epoch, g.timestamp, g.txRoot),
            (0, B256::ZERO, 0, 0, B256::ZERO)
        );
        assert_ne!(block_hash(&g), block_hash(&genesis_header(902)));
    }

    #[test]
    fn a_queue_entry_hashes_like_the_transaction_it_carries() {
        let entry = [0x02u8, 0xc0];
        assert_eq!(queue_entry_hash(&entry), keccak256(entry));
        assert_ne!(queue_entry_hash(&entry), queue_entry_hash(&entry[..1]));
    }
}
