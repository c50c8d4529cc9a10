//! The claim the EVM guest checks for a whole block: "the block after the header with this hash,
//! built from these inputs, has a header with this hash". It is what a dispute that bisects over
//! blocks fixes at its last block (docs/evm.md, "A block's claim"): both sides agree on the
//! parent's header hash and disagree on the block's, and the guest runs the node's own
//! [`build_block`] over the parent's state, opened from preimages, to say who is right.
//!
//! Everything the block runs on follows from the claim and the preimages of hashes it names:
//! - the parent header (its state root, number, base fee, gas used), the preimage of
//!   `parentHash`, and the headers before it, walked back by hash as far as `BLOCKHASH` reads;
//! - the force-queue entries the block consumes: `entriesAccumulator` is the queue's accumulator
//!   after the last of them (`ForceInclusionQueue.accumulatorOf`, one storage read on L1 however
//!   many they are); each accumulator's preimage is the one before it and the entry's commitment
//!   (`previous ‖ keccak256(sender ‖ data)`), so the guest walks `entryCount` steps back from it
//!   and reads each entry from its commitment; entry `i` is queue index `firstEntry + i`;
//! - the signed transactions: leaves `[firstTx, firstTx + blockTxs)` of the record's
//!   transaction tree (`txRoot` over `txCount` leaves, `PaddedMerkle` on L1), each leaf the
//!   keccak-256 of a transaction's bytes; inner nodes are read as the preimages `left ‖ right`.
//!
//! Encoding (packed, big-endian), 252 bytes:
//! `parentHash (32) ‖ claimedHash (32) ‖ chainId (8) ‖ gasLimit (8) ‖ elasticity (8) ‖
//! maxChangeDenominator (8) ‖ feeVault (20) ‖ portal (20, zero: no deposits) ‖ timestamp (8) ‖
//! beneficiary (20) ‖ firstEntry (8) ‖ entryCount (4) ‖ entriesAccumulator (32) ‖ txRoot (32) ‖
//! txCount (4) ‖ firstTx (4) ‖ blockTxs (4)`.

use crate::{
    BaseFeeParams, BlockTx, ChainSpec, PartialState, Preimages, StateNodes, build_block,
    claim::{BlockHashes, Oracle, Reader},
    queue_entry_tx,
};
use alloc::{
    collections::BTreeMap,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, keccak256};
use alloy_rlp::Decodable;

/// The chain a block claim runs on: what of the deployment's [`ChainSpec`] the block after a
/// parent depends on, and the portal whose entries are deposits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimChain {
    /// The chain id.
    pub chain_id: u64,
    /// Every block's gas limit.
    pub gas_limit: u64,
    /// The EIP-1559 update rule's parameters.
    pub base_fee_params: BaseFeeParams,
    /// Where base fees go.
    pub fee_vault: Address,
    /// The L1 portal (zero: a chain without deposits).
    pub portal: Address,
}

impl ClaimChain {
    /// The chain of a deployment's `spec` with its `portal`.
    pub fn of(spec: &ChainSpec, portal: Option<Address>) -> Self {
        Self {
            chain_id: spec.chain_id,
            gas_limit: spec.gas_limit,
            base_fee_params: spec.base_fee_params,
            fee_vault: spec.fee_vault,
            portal: portal.unwrap_or_default(),
        }
    }

    /// The spec a block after `parent` is built with (the genesis base fee only matters for a
    /// parent without one, which no header of this chain is).
    fn spec(&self, parent: &Header) -> ChainSpec {
        ChainSpec {
            chain_id: self.chain_id,
            gas_limit: self.gas_limit,
            base_fee_params: self.base_fee_params,
            genesis_base_fee: parent.base_fee_per_gas.unwrap_or_default(),
            fee_vault: self.fee_vault,
        }
    }

    fn portal(&self) -> Option<Address> {
        (!self.portal.is_zero()).then_some(self.portal)
    }
}

/// A block's claim (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockClaim {
    /// The agreed hash of the parent header.
    pub parent_hash: B256,
    /// The hash claimed for the block's header.
    pub claimed_hash: B256,
    /// The chain.
    pub chain: ClaimChain,
    /// The block's timestamp.
    pub timestamp: u64,
    /// Who receives its priority fees (zero in a forced record: they burn).
    pub beneficiary: Address,
    /// The queue index of the first entry it consumes (zero if none).
    pub first_entry: u64,
    /// How many entries it consumes.
    pub entry_count: u32,
    /// The queue's accumulator after its last entry (zero when it consumes none).
    pub entries_accumulator: B256,
    /// The root of the record's transaction tree.
    pub tx_root: B256,
    /// The number of leaves of that tree (the record's transactions).
    pub tx_count: u32,
    /// The tree position of the block's first transaction.
    pub first_tx: u32,
    /// How many transactions the block carries.
    pub block_txs: u32,
}

const LEN: usize = 32 + 32 + 8 + 8 + 8 + 8 + 20 + 20 + 8 + 20 + 8 + 4 + 32 + 32 + 4 + 4 + 4;

/// Why a block claim's inputs cannot be read from the preimages.
#[derive(Debug, thiserror::Error)]
pub enum BlockClaimError {
    /// A preimage it needs is missing or has the wrong shape.
    #[error("preimage {0} is missing or malformed")]
    Preimage(B256),
    /// The transaction range is not inside the record's tree.
    #[error("transactions {first}..{first}+{len} are not inside a tree of {count}")]
    Range {
        /// First position.
        first: u32,
        /// How many.
        len: u32,
        /// Leaves of the tree.
        count: u32,
    },
}

impl BlockClaim {
    /// The packed encoding.
    pub fn encode(&self) -> Vec<u8> {
        let c = &self.chain;
        let mut out = Vec::with_capacity(LEN);
        out.extend_from_slice(self.parent_hash.as_slice());
        out.extend_from_slice(self.claimed_hash.as_slice());
        out.extend_from_slice(&c.chain_id.to_be_bytes());
        out.extend_from_slice(&c.gas_limit.to_be_bytes());
        out.extend_from_slice(&c.base_fee_params.elasticity_multiplier.to_be_bytes());
        out.extend_from_slice(&c.base_fee_params.max_change_denominator.to_be_bytes());
        out.extend_from_slice(c.fee_vault.as_slice());
        out.extend_from_slice(c.portal.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(self.beneficiary.as_slice());
        out.extend_from_slice(&self.first_entry.to_be_bytes());
        out.extend_from_slice(&self.entry_count.to_be_bytes());
        out.extend_from_slice(self.entries_accumulator.as_slice());
        out.extend_from_slice(self.tx_root.as_slice());
        out.extend_from_slice(&self.tx_count.to_be_bytes());
        out.extend_from_slice(&self.first_tx.to_be_bytes());
        out.extend_from_slice(&self.block_txs.to_be_bytes());
        out
    }

    /// The guest's input key: the keccak-256 of the encoding.
    pub fn key(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Reads an encoding back; `None` if it is not one (not exactly 252 bytes).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != LEN {
            return None;
        }
        let mut r = Reader(bytes);
        Some(Self {
            parent_hash: r.word(),
            claimed_hash: r.word(),
            chain: ClaimChain {
                chain_id: r.u64(),
                gas_limit: r.u64(),
                base_fee_params: BaseFeeParams {
                    elasticity_multiplier: r.u64(),
                    max_change_denominator: r.u64(),
                },
                fee_vault: r.address(),
                portal: r.address(),
            },
            timestamp: r.u64(),
            beneficiary: r.address(),
            first_entry: r.u64(),
            entry_count: r.u32(),
            entries_accumulator: r.word(),
            tx_root: r.word(),
            tx_count: r.u32(),
            first_tx: r.u32(),
            block_txs: r.u32(),
        })
    }

    /// The parent header, from its preimage.
    pub fn parent<P: Preimages>(&self, preimages: &mut P) -> Result<Header, BlockClaimError> {
        preimages
            .preimage(&self.parent_hash)
            .and_then(|rlp| Header::decode(&mut rlp.as_slice()).ok())
            .ok_or(BlockClaimError::Preimage(self.parent_hash))
    }

    /// The block's inputs in order, from preimages: its queue entries, then its signed
    /// transactions.
    pub fn inputs<P: Preimages>(&self, preimages: &mut P) -> Result<Vec<BlockTx>, BlockClaimError> {
        let mut txs = Vec::new();
        // Walk the accumulator back, last entry first: each step's preimage is the accumulator
        // before the entry and the entry's commitment.
        let mut commitments = Vec::with_capacity(self.entry_count as usize);
        let mut accumulator = self.entries_accumulator;
        for _ in 0..self.entry_count {
            let step = preimages
                .preimage(&accumulator)
                .filter(|step| step.len() == 64)
                .ok_or(BlockClaimError::Preimage(accumulator))?;
            commitments.push(B256::from_slice(&step[32..]));
            accumulator = B256::from_slice(&step[..32]);
        }
        for (i, commitment) in commitments.into_iter().rev().enumerate() {
            let entry = preimages
                .preimage(&commitment)
                .filter(|e| e.len() >= 20)
                .ok_or(BlockClaimError::Preimage(commitment))?;
            let (sender, data) = entry.split_at(20);
            txs.push(queue_entry_tx(
                self.first_entry + i as u64,
                Address::from_slice(sender),
                data,
                self.chain.portal(),
            ));
        }
        for leaf in self.tx_leaves(preimages)? {
            let raw = preimages
                .preimage(&leaf)
                .ok_or(BlockClaimError::Preimage(leaf))?;
            txs.push(BlockTx::Signed(Bytes::from(raw)));
        }
        Ok(txs)
    }

    /// The leaves `[first_tx, first_tx + block_txs)` of the record's transaction tree, walked
    /// down from the root through the inner nodes' preimages.
    fn tx_leaves<P: Preimages>(&self, preimages: &mut P) -> Result<Vec<B256>, BlockClaimError> {
        let (first, len, count) = (self.first_tx, self.block_txs, self.tx_count);
        if len == 0 {
            return Ok(Vec::new());
        }
        if first.checked_add(len).is_none_or(|end| end > count) {
            return Err(BlockClaimError::Range { first, len, count });
        }
        let depth = count.next_power_of_two().trailing_zeros();
        let (first, end) = (u64::from(first), u64::from(first + len));
        let mut leaves = Vec::with_capacity(len as usize);
        // Depth first, left to right: (node, its level above the leaves, its first position).
        let mut stack = vec![(self.tx_root, depth, 0u64)];
        while let Some((node, level, start)) = stack.pop() {
            if level == 0 {
                leaves.push(node);
                continue;
            }
            let half = 1u64 << (level - 1);
            let children = preimages
                .preimage(&node)
                .filter(|c| c.len() == 64)
                .ok_or(BlockClaimError::Preimage(node))?;
            let (left, right) = (
                B256::from_slice(&children[..32]),
                B256::from_slice(&children[32..]),
            );
            // The right child first onto the stack, so that the left one comes out first.
            let mid = start + half;
            if mid < end && mid + half > first {
                stack.push((right, level - 1, mid));
            }
            if start < end && mid > first {
                stack.push((left, level - 1, start));
            }
        }
        Ok(leaves)
    }

    /// The block's header hash, computed from `preimages` alone: what the guest compares with
    /// [`BlockClaim::claimed_hash`]. Panics (the guest exits 101) if a preimage is missing or
    /// the parent's state is not a state.
    pub fn post_hash<P: Preimages>(&self, mut preimages: P) -> B256 {
        let parent = self
            .parent(&mut preimages)
            .unwrap_or_else(|error| panic!("the claim cannot be decided: {error}"));
        let inputs = self
            .inputs(&mut preimages)
            .unwrap_or_else(|error| panic!("the claim cannot be decided: {error}"));
        let oracle = Oracle {
            preimages,
            number: parent.number + 1,
            hashes: BlockHashes::Ancestors {
                known: vec![self.parent_hash],
            },
        };
        self.run(&parent, &inputs, oracle)
            .unwrap_or_else(|error| panic!("the claim cannot be decided: {error}"))
            .hash_slow()
    }

    /// The block after `parent` from `inputs` over the parent's state opened from `nodes`: its
    /// sealed header, or why the state could not be read. The guest's run, and a keeper's over
    /// a recording of its database.
    pub fn run<S: StateNodes>(
        &self,
        parent: &Header,
        inputs: &[BlockTx],
        nodes: S,
    ) -> Result<Header, String> {
        let spec = self.chain.spec(parent);
        let mut state = PartialState::new(parent.state_root, nodes);
        let built = build_block(
            &spec,
            parent,
            &state,
            self.timestamp,
            self.beneficiary,
            inputs,
        )
        .map_err(|error| error.to_string())?;
        state
            .apply(&built.outcome.diff)
            .map_err(|error| error.to_string())?;
        Ok(built.seal(state.root()))
    }
}

/// What a keeper knows of a block's inputs, to make its claim and the preimages the guest reads
/// of them (the state's witness and the earlier headers are the keeper's to add).
#[derive(Clone, Debug)]
pub struct ClaimInputs<'a> {
    /// The block's timestamp.
    pub timestamp: u64,
    /// Its beneficiary.
    pub beneficiary: Address,
    /// The queue index of its first entry.
    pub first_entry: u64,
    /// The queue's accumulator before its first entry (`Enqueued.accumulatorBefore`).
    pub accumulator_before: B256,
    /// Its entries: sender and data.
    pub entries: Vec<(Address, Bytes)>,
    /// Every signed transaction of the record that carries it.
    pub record_txs: &'a [Bytes],
    /// The position of the block's first transaction in `record_txs`.
    pub first_tx: usize,
    /// How many of them are the block's.
    pub block_txs: usize,
}

impl ClaimInputs<'_> {
    /// The claim of the block after `parent_hash` on `chain` with header hash `claimed_hash`,
    /// and the preimages of its inputs: the accumulator's steps and the entries, the
    /// transaction tree's inner nodes and leaves on the block's paths, the transactions.
    pub fn claim(
        &self,
        chain: ClaimChain,
        parent_hash: B256,
        claimed_hash: B256,
    ) -> (BlockClaim, BTreeMap<B256, Vec<u8>>) {
        let mut preimages = BTreeMap::new();
        let mut accumulator = self.accumulator_before;
        for (sender, data) in &self.entries {
            let commitment = crate::queue_commitment(*sender, data);
            let step = [accumulator.as_slice(), commitment.as_slice()].concat();
            accumulator = crate::queue_accumulate(accumulator, commitment);
            preimages.insert(accumulator, step);
            preimages.insert(commitment, [sender.as_slice(), data].concat());
        }
        let mut level: Vec<B256> = self.record_txs.iter().map(keccak256).collect();
        for raw in &self.record_txs[self.first_tx..self.first_tx + self.block_txs] {
            preimages.insert(keccak256(raw), raw.to_vec());
        }
        // Every inner node, level by level (a record's tree is small next to its data).
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| {
                    let children = [pair[0], pair.get(1).copied().unwrap_or_default()].concat();
                    let node = keccak256(&children);
                    preimages.insert(node, children);
                    node
                })
                .collect();
        }
        let claim = BlockClaim {
            parent_hash,
            claimed_hash,
            chain,
            timestamp: self.timestamp,
            beneficiary: self.beneficiary,
            // Canonical: a block without entries names none (L1 builds it the same way).
            first_entry: if self.entries.is_empty() {
                0
            } else {
                self.first_entry
            },
            entry_count: count(self.entries.len()),
            entries_accumulator: if self.entries.is_empty() {
                B256::ZERO
            } else {
                accumulator
            },
            tx_root: level.first().copied().unwrap_or_default(),
            tx_count: count(self.record_txs.len()),
            first_tx: count(self.first_tx),
            block_txs: count(self.block_txs),
        };
        (claim, preimages)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).expect("a record's framing counts fit 32 bits")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ClaimChain {
        ClaimChain {
            chain_id: 901,
            gas_limit: 30_000_000,
            base_fee_params: BaseFeeParams::ETHEREUM,
            fee_vault: Address::repeat_byte(0xfe),
            portal: Address::repeat_byte(0xa1),
        }
    }

    #[test]
    fn every_range_of_every_record_tree_is_walked_to_its_own_leaves() {
        for count in 1..=13usize {
            let txs: Vec<Bytes> = (0..count)
                .map(|i| Bytes::from(alloc::format!("tx {i}").into_bytes()))
                .collect();
            for first in 0..=count {
                for len in 0..=count - first {
                    let inputs = ClaimInputs {
                        timestamp: 7,
                        beneficiary: Address::repeat_byte(1),
                        first_entry: 0,
                        accumulator_before: B256::ZERO,
                        entries: vec![],
                        record_txs: &txs,
                        first_tx: first,
                        block_txs: len,
                    };
                    let (claim, mut preimages) = inputs.claim(chain(), B256::ZERO, B256::ZERO);
                    let expected: Vec<BlockTx> = txs[first..first + len]
                        .iter()
                        .cloned()
                        .map(BlockTx::Signed)
                        .collect();
                    assert_eq!(claim.inputs(&mut preimages).unwrap(), expected);
                    assert_eq!(BlockClaim::decode(&claim.encode()), Some(claim));
                }
            }
            // A range past the tree is an error, not leaves of another block.
            let (claim, mut preimages) = ClaimInputs {
                timestamp: 7,
                beneficiary: Address::ZERO,
                first_entry: 0,
                accumulator_before: B256::ZERO,
                entries: vec![],
                record_txs: &txs,
                first_tx: 0,
                block_txs: 0,
            }
            .claim(chain(), B256::ZERO, B256::ZERO);
            let past = BlockClaim {
                first_tx: count as u32,
                block_txs: 1,
                ..claim
            };
            assert!(matches!(
                past.inputs(&mut preimages),
                Err(BlockClaimError::Range { .. })
            ));
        }
    }

    #[test]
    fn entries_are_read_in_order_with_their_queue_indices_and_only_the_portal_deposits() {
        let portal = chain().portal;
        let mut deposit = alloc::vec![crate::DEPOSIT_ENTRY_TYPE];
        deposit.extend_from_slice(Address::repeat_byte(5).as_slice());
        deposit.extend_from_slice(&[0u8; 31]);
        deposit.push(9);
        let entries = [
            (portal, Bytes::from(deposit.clone())),
            (Address::repeat_byte(3), Bytes::from(deposit)),
        ];
        let inputs = ClaimInputs {
            timestamp: 7,
            beneficiary: Address::ZERO,
            first_entry: 40,
            accumulator_before: B256::repeat_byte(0xac),
            entries: entries.to_vec(),
            record_txs: &[],
            first_tx: 0,
            block_txs: 0,
        };
        let (claim, mut preimages) = inputs.claim(chain(), B256::ZERO, B256::ZERO);
        let read = claim.inputs(&mut preimages).unwrap();
        let expected: Vec<BlockTx> = entries
            .iter()
            .enumerate()
            .map(|(i, (sender, data))| queue_entry_tx(40 + i as u64, *sender, data, Some(portal)))
            .collect();
        assert_eq!(read, expected);
        assert!(matches!(read[0], BlockTx::Deposit(_)));
        assert!(matches!(read[1], BlockTx::Signed(_)));
        // The walk back from the accumulator ends where the block's entries begin.
        let before = preimages[&claim.entries_accumulator][..32].to_vec();
        assert_eq!(
            preimages[&B256::from_slice(&before)][..32],
            *inputs.accumulator_before.as_slice()
        );
        // Without the accumulator's steps the claim cannot be read.
        preimages.remove(&claim.entries_accumulator);
        assert!(matches!(
            claim.inputs(&mut preimages),
            Err(BlockClaimError::Preimage(_))
        ));
    }
}
