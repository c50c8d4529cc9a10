//! The claim the EVM guest checks: "this transaction, run on the state with this root in this
//! block, gives this root". Its keccak-256 is the guest's input key; the guest reads the claim,
//! the transaction and the state through the preimage channel, runs the executor on a
//! [`PartialState`] and compares roots. The same code runs natively ([`Claim::post_root`] over a
//! map), so a keeper knows the guest's answer before any step is played.
//!
//! Encoding (packed, big-endian), 209 bytes of head:
//! `preRoot (32) ‖ claimedPostRoot (32) ‖ chainId (8) ‖ feeVault (20, zero: burn) ‖
//! number (8) ‖ timestamp (8) ‖ beneficiary (20) ‖ baseFee (8) ‖ gasLimit (8) ‖
//! prevRandao (32) ‖ blockHashes (32) ‖ kind (1)`, then for kind 0 (signed) the keccak-256 of
//! the transaction's EIP-2718 bytes (32), for kinds 1 (a deposit that calls) and 2 (a deposit
//! that creates) `from (20) ‖ to (20, zero for a creation) ‖ mint (32) ‖ value (32) ‖
//! gasLimit (8) ‖ dataHash (32)`.
//!
//! `blockHashes` is the keccak-256 of the hashes of the 256 blocks before this one, oldest
//! first, zero for numbers below zero: `BLOCKHASH` reads it (8,192 bytes) once, if at all.
//!
//! A signed transaction that does not decode or is invalid on the state changes nothing, as the
//! block skips it. A deposit always applies (its mint at least).

use crate::{
    Deposit, PartialState, Rejected, Rules, StateNodes, decode_transaction, execute_deposit,
    execute_transaction,
};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_rlp::Decodable;
use revm::context::BlockEnv;

/// Preimages by keccak-256: the guest's channel (which has every one it is asked for, or stops),
/// or a map natively.
pub trait Preimages {
    /// The bytes whose keccak-256 is `hash`, if known.
    fn preimage(&mut self, hash: &B256) -> Option<Vec<u8>>;
}

impl Preimages for alloc::collections::BTreeMap<B256, Vec<u8>> {
    fn preimage(&mut self, hash: &B256) -> Option<Vec<u8>> {
        self.get(hash).cloned()
    }
}

/// How many earlier block hashes `BLOCKHASH` can read.
pub const BLOCK_HASH_WINDOW: u64 = 256;

/// The block a claimed transaction runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimBlock {
    /// Its number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// The sequencer that sealed it (the priority fees' recipient).
    pub beneficiary: Address,
    /// Its base fee.
    pub base_fee: u64,
    /// Its gas limit.
    pub gas_limit: u64,
    /// `PREVRANDAO`.
    pub prev_randao: B256,
    /// The commitment to the 256 hashes before it (see the module docs).
    pub block_hashes: B256,
}

impl ClaimBlock {
    /// The block of `header` (its number, timestamp, beneficiary, base fee, gas limit and
    /// `mixHash` as `PREVRANDAO`), with the commitment to the 256 hashes before it.
    pub fn of(header: &alloy_consensus::Header, block_hashes: B256) -> Self {
        Self {
            number: header.number,
            timestamp: header.timestamp,
            beneficiary: header.beneficiary,
            base_fee: header.base_fee_per_gas.unwrap_or_default(),
            gas_limit: header.gas_limit,
            prev_randao: header.mix_hash,
            block_hashes,
        }
    }

    /// revm's block environment.
    pub fn env(&self) -> BlockEnv {
        BlockEnv {
            number: U256::from(self.number),
            beneficiary: self.beneficiary,
            timestamp: U256::from(self.timestamp),
            gas_limit: self.gas_limit,
            basefee: self.base_fee,
            prevrandao: Some(self.prev_randao),
            ..Default::default()
        }
    }
}

/// The commitment to the hashes of the blocks before block `number`: `hashes[i]` is the hash of
/// block `number - 256 + i`, zero below block zero.
pub fn block_hashes_commitment(hashes: &[B256; BLOCK_HASH_WINDOW as usize]) -> B256 {
    keccak256(hashes.concat())
}

/// The transaction of a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimTx {
    /// Signed EIP-2718 bytes whose keccak-256 this is.
    Signed(B256),
    /// A deposit; its data by hash.
    Deposit {
        /// The L2 sender (minted to).
        from: Address,
        /// Call or create.
        to: TxKind,
        /// Wei minted to `from`.
        mint: U256,
        /// Wei sent with the call.
        value: U256,
        /// Gas for the call.
        gas_limit: u64,
        /// keccak-256 of the call's data.
        data_hash: B256,
    },
}

/// One transaction's claim (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The agreed state root before the transaction.
    pub pre_root: B256,
    /// The root claimed after it.
    pub claimed_post_root: B256,
    /// The chain's id.
    pub chain_id: u64,
    /// The fee vault (zero: the base fee is burned).
    pub fee_vault: Address,
    /// The block.
    pub block: ClaimBlock,
    /// The transaction.
    pub tx: ClaimTx,
}

const HEAD: usize = 32 + 32 + 8 + 20 + 8 + 8 + 20 + 8 + 8 + 32 + 32 + 1;
const DEPOSIT: usize = 20 + 20 + 32 + 32 + 8 + 32;

/// Reads a packed encoding front to back (a claim's, whose length the caller checked).
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        head.try_into().expect("N bytes")
    }
    pub(crate) fn word(&mut self) -> B256 {
        B256::from(self.take::<32>())
    }
    pub(crate) fn address(&mut self) -> Address {
        Address::from(self.take::<20>())
    }
    pub(crate) fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.take())
    }
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.take())
    }
}

impl Claim {
    /// The packed encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD + DEPOSIT);
        let block = &self.block;
        out.extend_from_slice(self.pre_root.as_slice());
        out.extend_from_slice(self.claimed_post_root.as_slice());
        out.extend_from_slice(&self.chain_id.to_be_bytes());
        out.extend_from_slice(self.fee_vault.as_slice());
        out.extend_from_slice(&block.number.to_be_bytes());
        out.extend_from_slice(&block.timestamp.to_be_bytes());
        out.extend_from_slice(block.beneficiary.as_slice());
        out.extend_from_slice(&block.base_fee.to_be_bytes());
        out.extend_from_slice(&block.gas_limit.to_be_bytes());
        out.extend_from_slice(block.prev_randao.as_slice());
        out.extend_from_slice(block.block_hashes.as_slice());
        match self.tx {
            ClaimTx::Signed(hash) => {
                out.push(0);
                out.extend_from_slice(hash.as_slice());
            }
            ClaimTx::Deposit {
                from,
                to,
                mint,
                value,
                gas_limit,
                data_hash,
            } => {
                out.push(if to.is_create() { 2 } else { 1 });
                out.extend_from_slice(from.as_slice());
                out.extend_from_slice(to.to().copied().unwrap_or_default().as_slice());
                out.extend_from_slice(&mint.to_be_bytes::<32>());
                out.extend_from_slice(&value.to_be_bytes::<32>());
                out.extend_from_slice(&gas_limit.to_be_bytes());
                out.extend_from_slice(data_hash.as_slice());
            }
        }
        out
    }

    /// The guest's input key: the keccak-256 of the encoding.
    pub fn key(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Reads an encoding back; `None` if it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let kind = *bytes.get(HEAD - 1)?;
        let expected = HEAD + if kind == 0 { 32 } else { DEPOSIT };
        if kind > 2 || bytes.len() != expected {
            return None;
        }
        let mut r = Reader(bytes);
        let (pre_root, claimed_post_root) = (r.word(), r.word());
        let (chain_id, fee_vault) = (r.u64(), r.address());
        let block = ClaimBlock {
            number: r.u64(),
            timestamp: r.u64(),
            beneficiary: r.address(),
            base_fee: r.u64(),
            gas_limit: r.u64(),
            prev_randao: r.word(),
            block_hashes: r.word(),
        };
        r.take::<1>();
        let tx = if kind == 0 {
            ClaimTx::Signed(r.word())
        } else {
            let from = r.address();
            let to = r.address();
            ClaimTx::Deposit {
                from,
                to: if kind == 2 {
                    TxKind::Create
                } else {
                    TxKind::Call(to)
                },
                mint: U256::from_be_bytes(r.word().0),
                value: U256::from_be_bytes(r.word().0),
                gas_limit: r.u64(),
                data_hash: r.word(),
            }
        };
        Some(Self {
            pre_root,
            claimed_post_root,
            chain_id,
            fee_vault,
            block,
            tx,
        })
    }

    /// The chain's rules this claim runs under.
    pub fn rules(&self) -> Rules {
        Rules {
            chain_id: self.chain_id,
            fee_vault: (!self.fee_vault.is_zero()).then_some(self.fee_vault),
            blob_transactions: false,
        }
    }

    /// The state root after the transaction, computed from `preimages` alone: what the guest
    /// compares with [`Claim::claimed_post_root`]. Panics (the guest exits 101) if a preimage
    /// is missing or the pre-state is not a state.
    pub fn post_root<P: Preimages>(&self, mut preimages: P) -> B256 {
        let rules = self.rules();
        let env = self.block.env();
        let (mut state, diff) = match self.tx {
            ClaimTx::Signed(hash) => {
                let raw = preimages
                    .preimage(&hash)
                    .expect("the transaction's bytes are a preimage");
                let state = PartialState::new(self.pre_root, self.oracle(preimages));
                let outcome = decode_transaction(&raw)
                    .ok()
                    .map(|tx| execute_transaction(&state, &rules, &env, tx.env));
                match outcome {
                    Some(Ok(executed)) => (state, executed.diff),
                    Some(Err(Rejected::Read(error))) => {
                        panic!("the claim cannot be decided: {error}")
                    }
                    // Undecodable or invalid: skipped, nothing changes.
                    _ => return self.pre_root,
                }
            }
            ClaimTx::Deposit {
                from,
                to,
                mint,
                value,
                gas_limit,
                data_hash,
            } => {
                let data = preimages
                    .preimage(&data_hash)
                    .expect("the deposit's data is a preimage");
                let state = PartialState::new(self.pre_root, self.oracle(preimages));
                let deposit = Deposit {
                    from,
                    to,
                    mint,
                    value,
                    gas_limit,
                    data: Bytes::from(data),
                };
                let executed = execute_deposit(&state, &rules, &env, &deposit)
                    .unwrap_or_else(|error| panic!("the claim cannot be decided: {error}"));
                (state, executed.diff)
            }
        };
        state
            .apply(&diff)
            .unwrap_or_else(|error| panic!("the claim cannot be decided: {error}"));
        state.root()
    }

    fn oracle<P: Preimages>(&self, preimages: P) -> Oracle<P> {
        Oracle {
            preimages,
            number: self.block.number,
            hashes: BlockHashes::Committed {
                commitment: self.block.block_hashes,
                loaded: None,
            },
        }
    }
}

/// A [`StateNodes`] over preimages: nodes and codes by hash, block hashes from a commitment to
/// them (a transaction's claim) or from the headers before the block (a block's claim).
pub(crate) struct Oracle<P> {
    pub(crate) preimages: P,
    /// The block the claim runs in.
    pub(crate) number: u64,
    pub(crate) hashes: BlockHashes,
}

/// Where an [`Oracle`] finds the hashes of the 256 blocks before its block.
pub(crate) enum BlockHashes {
    /// In the preimage of `commitment` ([`block_hashes_commitment`]), read once if at all.
    Committed {
        commitment: B256,
        loaded: Option<Vec<u8>>,
    },
    /// Walking the headers back by hash: `known[i]` is the hash of block `number - 1 - i`, and
    /// the header whose hash is the last one names the one before it.
    Ancestors { known: Vec<B256> },
}

/// What the preimages of a claim lack.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The 256 block hashes are not a preimage of 8,192 bytes.
    #[error("the block hashes {0} are not a preimage of 256 hashes")]
    BlockHashes(B256),
    /// A block hash's preimage is not a header.
    #[error("block hash {0} is not the hash of a header the preimages hold")]
    Header(B256),
}

impl<P: Preimages> StateNodes for Oracle<P> {
    type Error = OracleError;

    fn account_node(&mut self, _: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, OracleError> {
        Ok(self.preimages.preimage(hash))
    }

    fn storage_node(
        &mut self,
        _: &B256,
        _: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, OracleError> {
        Ok(self.preimages.preimage(hash))
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, OracleError> {
        Ok(self.preimages.preimage(hash).map(Bytes::from))
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, OracleError> {
        // revm asks only for the 256 blocks before this one.
        let Some(index) = number
            .checked_add(BLOCK_HASH_WINDOW)
            .and_then(|n| n.checked_sub(self.number))
            .filter(|_| number < self.number)
        else {
            return Ok(B256::ZERO);
        };
        match &mut self.hashes {
            BlockHashes::Committed { commitment, loaded } => {
                if loaded.is_none() {
                    let hashes = self
                        .preimages
                        .preimage(commitment)
                        .filter(|h| h.len() == 32 * BLOCK_HASH_WINDOW as usize)
                        .ok_or(OracleError::BlockHashes(*commitment))?;
                    *loaded = Some(hashes);
                }
                let hashes = loaded.as_deref().expect("loaded above");
                let at = usize::try_from(index).unwrap_or(usize::MAX) * 32;
                Ok(hashes
                    .get(at..at + 32)
                    .map(B256::from_slice)
                    .unwrap_or_default())
            }
            BlockHashes::Ancestors { known } => {
                let back = usize::try_from(self.number - 1 - number).unwrap_or(usize::MAX);
                while known.len() <= back {
                    let last = *known.last().expect("the parent's hash is known");
                    let header = self
                        .preimages
                        .preimage(&last)
                        .and_then(|rlp| alloy_consensus::Header::decode(&mut rlp.as_slice()).ok())
                        .ok_or(OracleError::Header(last))?;
                    known.push(header.parent_hash);
                }
                Ok(known[back])
            }
        }
    }
}
