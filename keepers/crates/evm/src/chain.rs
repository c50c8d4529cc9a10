//! The EVM chain's blocks: what a block holds (deposits and signed transactions), how it is
//! built over a state, and its header, Ethereum's (Cancun) so that every tool reads it:
//!
//! - `number` follows the parent, `parentHash` is the parent header's hash
//!   (`keccak256(rlp(header))`, as on Ethereum and as `BLOCKHASH` returns);
//! - `baseFeePerGas` follows the parent's by EIP-1559 with the deployment's parameters
//!   ([`ChainSpec::base_fee_params`]); the genesis block has [`ChainSpec::genesis_base_fee`];
//! - `transactionsRoot` and `receiptsRoot` are Ethereum's ordered tries of the included
//!   transactions' EIP-2718 bytes and of their receipts; `logsBloom` and `gasUsed` are the
//!   block's;
//! - `mixHash` (what `PREVRANDAO` reads) is the parent's hash: the L2 has no beacon chain, and
//!   a value the sequencer knows in advance must not pass for randomness (docs/evm.md);
//! - no ommers, no withdrawals (an empty list), no blob gas, a zero beacon root;
//! - `stateRoot` is the state's root after the block, which the caller computes by committing
//!   the block's diff ([`BuiltBlock::seal`]).
//!
//! A deposit is carried as OP Stack carries one (type `0x7e`), with the hash of the
//! force-queue entry it comes from as its source, so that two equal deposits are two
//! transactions with two hashes.

use crate::{
    BaseFeeParams, BlockExecutor, BlockOutcome, DEPOSIT_TX_TYPE, Deposit, Included, NotIncluded,
    ReadError, Rules, SignedTransaction, StateReader, Undecodable, decode_transaction,
    next_base_fee,
};
use alloc::{string::String, string::ToString, vec::Vec};
use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, Header};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_rlp::{BufMut, Decodable, Encodable};
use baton_trie::EMPTY_ROOT;
use revm::context::BlockEnv;

/// A deployment's EVM chain parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainSpec {
    /// The chain id.
    pub chain_id: u64,
    /// Every block's gas limit.
    pub gas_limit: u64,
    /// The EIP-1559 update rule's parameters.
    pub base_fee_params: BaseFeeParams,
    /// The genesis block's base fee.
    pub genesis_base_fee: u64,
    /// Where base fees go ([`crate::FEE_VAULT_PREDEPLOY`] on the L2).
    pub fee_vault: Address,
}

impl ChainSpec {
    /// The executor's rules for this chain.
    pub fn rules(&self) -> Rules {
        Rules {
            chain_id: self.chain_id,
            fee_vault: Some(self.fee_vault),
            blob_transactions: false,
        }
    }

    /// The genesis block's header over the genesis state's root.
    pub fn genesis_header(&self, state_root: B256, timestamp: u64) -> Header {
        Header {
            state_root,
            transactions_root: EMPTY_ROOT,
            receipts_root: EMPTY_ROOT,
            gas_limit: self.gas_limit,
            timestamp,
            base_fee_per_gas: Some(self.genesis_base_fee),
            ..cancun_header()
        }
    }

    /// The base fee of the block after `parent`.
    pub fn next_base_fee(&self, parent: &Header) -> u64 {
        next_base_fee(
            self.base_fee_params,
            parent.gas_used,
            parent.gas_limit,
            parent.base_fee_per_gas.unwrap_or(self.genesis_base_fee),
        )
    }
}

/// A header with Cancun's empty fields filled.
fn cancun_header() -> Header {
    Header {
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        withdrawals_root: Some(EMPTY_ROOT),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        ..Default::default()
    }
}

/// A deposit as a block carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDeposit {
    /// The hash of the force-queue entry it comes from.
    pub source: B256,
    /// What it does.
    pub deposit: Deposit,
}

impl BlockDeposit {
    /// `0x7e ‖ rlp([source, from, to, mint, value, gas, isSystemTx, data])`, OP Stack's deposit
    /// transaction (never a system transaction here).
    pub fn encoded(&self) -> Vec<u8> {
        let d = &self.deposit;
        let to: &[u8] = match &d.to {
            TxKind::Call(to) => to.as_slice(),
            TxKind::Create => &[],
        };
        let fields: [&dyn Encodable; 8] = [
            &self.source,
            &d.from,
            &to,
            &d.mint,
            &d.value,
            &d.gas_limit,
            &false,
            &d.data,
        ];
        let payload_length: usize = fields.iter().map(|f| f.length()).sum();
        let mut out = Vec::with_capacity(payload_length + 4);
        out.put_u8(DEPOSIT_TX_TYPE);
        alloy_rlp::Header {
            list: true,
            payload_length,
        }
        .encode(&mut out);
        for field in fields {
            field.encode(&mut out);
        }
        out
    }

    /// Reads [`BlockDeposit::encoded`] back; `None` if `bytes` are not exactly that.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&ty, mut rest) = bytes.split_first()?;
        if ty != DEPOSIT_TX_TYPE {
            return None;
        }
        let header = alloy_rlp::Header::decode(&mut rest).ok()?;
        if !header.list || header.payload_length != rest.len() {
            return None;
        }
        let source = B256::decode(&mut rest).ok()?;
        let from = Address::decode(&mut rest).ok()?;
        let to = Bytes::decode(&mut rest).ok()?;
        let to = match to.len() {
            0 => TxKind::Create,
            20 => TxKind::Call(Address::from_slice(&to)),
            _ => return None,
        };
        let deposit = Deposit {
            from,
            to,
            mint: U256::decode(&mut rest).ok()?,
            value: U256::decode(&mut rest).ok()?,
            gas_limit: u64::decode(&mut rest).ok()?,
            data: {
                let system = bool::decode(&mut rest).ok()?;
                if system {
                    return None;
                }
                Bytes::decode(&mut rest).ok()?
            },
        };
        rest.is_empty().then_some(Self { source, deposit })
    }
}

/// One entry of a block's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockTx {
    /// A deposit from L1: always included.
    Deposit(BlockDeposit),
    /// Signed EIP-2718 bytes: included if they decode and are valid on the state.
    Signed(Bytes),
    /// Signed bytes the caller has decoded already (a sequencer's pool recovered the sender at
    /// admission): `tx` must be `decode_transaction(raw)`. Included if valid on the state.
    Recovered {
        /// The EIP-2718 bytes.
        raw: Bytes,
        /// Their decoding.
        tx: SignedTransaction,
    },
}

/// Why an input entry is not in the block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Skipped {
    /// The bytes are not a transaction the L2 runs.
    #[error(transparent)]
    Undecodable(Undecodable),
    /// The transaction is invalid on the state (nonce, balance, fee, chain id...).
    #[error("{0}")]
    Invalid(String),
    /// Its gas limit is above what is left of the block's: it may fit the next block.
    #[error("gas limit {gas_limit} is above the {left} gas left in the block")]
    BlockFull {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// Gas left in the block.
        left: u64,
    },
}

/// An included entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludedTx {
    /// Its position in the input.
    pub input: usize,
    /// Its hash: `keccak256` of its EIP-2718 bytes.
    pub hash: B256,
    /// Its sender (a deposit's `from`).
    pub sender: Address,
    /// Its EIP-2718 bytes, as the transactions root commits to them.
    pub encoded: Bytes,
    /// What it did.
    pub result: Included,
}

/// A block built over a state, before its state root is known.
#[derive(Clone, Debug)]
pub struct BuiltBlock {
    /// The header; `state_root` is zero until [`BuiltBlock::seal`].
    pub header: Header,
    /// The executor's outcome: the diff to commit, the receipts.
    pub outcome: BlockOutcome,
    /// The included entries, in block order.
    pub included: Vec<IncludedTx>,
    /// The entries left out, by input position, with why.
    pub skipped: Vec<(usize, Skipped)>,
}

impl BuiltBlock {
    /// The header with the state root after the block's diff.
    pub fn seal(&self, state_root: B256) -> Header {
        Header {
            state_root,
            ..self.header.clone()
        }
    }
}

/// The executor's block environment of the block after `parent` at `timestamp`, sealed by
/// `beneficiary`. The block's time is never behind its parent's: an earlier `timestamp` (a
/// forced record's block carries its L1 block's time, which may be behind a preconfirmed one)
/// is the parent's.
pub fn block_env(
    spec: &ChainSpec,
    parent: &Header,
    timestamp: u64,
    beneficiary: Address,
) -> BlockEnv {
    BlockEnv {
        number: U256::from(parent.number + 1),
        beneficiary,
        timestamp: U256::from(timestamp.max(parent.timestamp)),
        gas_limit: spec.gas_limit,
        basefee: spec.next_base_fee(parent),
        prevrandao: Some(parent.hash_slow()),
        ..Default::default()
    }
}

/// Builds the block after `parent` from `txs` over `state` (the parent's state) at `timestamp`
/// (the parent's if earlier, [`block_env`]): deposits always, signed transactions when they
/// decode, are valid and fit. Only a failure to read the state is an error.
pub fn build_block<S: StateReader>(
    spec: &ChainSpec,
    parent: &Header,
    state: &S,
    timestamp: u64,
    beneficiary: Address,
    txs: &[BlockTx],
) -> Result<BuiltBlock, ReadError<S::Error>> {
    let env = block_env(spec, parent, timestamp, beneficiary);
    let mut executor = BlockExecutor::new(state, spec.rules(), env.clone());
    let (mut included, mut skipped) = (Vec::new(), Vec::new());
    for (input, tx) in txs.iter().enumerate() {
        let (raw, decoded) = match tx {
            BlockTx::Deposit(deposit) => {
                let encoded: Bytes = deposit.encoded().into();
                let result = executor.deposit(&deposit.deposit)?;
                included.push(IncludedTx {
                    input,
                    hash: keccak256(&encoded),
                    sender: deposit.deposit.from,
                    encoded,
                    result,
                });
                continue;
            }
            BlockTx::Recovered { raw, tx } => (raw, tx.clone()),
            BlockTx::Signed(raw) => match decode_transaction(raw) {
                Ok(decoded) => (raw, decoded),
                Err(reason) => {
                    skipped.push((input, Skipped::Undecodable(reason)));
                    continue;
                }
            },
        };
        match executor.transaction(decoded.env) {
            Ok(result) => included.push(IncludedTx {
                input,
                hash: decoded.hash,
                sender: decoded.sender,
                encoded: raw.clone(),
                result,
            }),
            Err(NotIncluded::Rejected(crate::Rejected::Read(error))) => return Err(error),
            Err(NotIncluded::Rejected(rejected)) => {
                skipped.push((input, Skipped::Invalid(rejected.to_string())));
            }
            Err(NotIncluded::BlockFull { gas_limit, left }) => {
                skipped.push((input, Skipped::BlockFull { gas_limit, left }));
            }
        }
    }
    let outcome = executor.finish();
    let parent_hash = env
        .prevrandao
        .expect("block_env sets it to the parent's hash");
    let header = Header {
        parent_hash,
        beneficiary,
        transactions_root: crate::ordered_root(included.iter().map(|tx| &tx.encoded)),
        receipts_root: outcome.receipts_root,
        logs_bloom: outcome.logs_bloom,
        number: parent.number + 1,
        gas_limit: spec.gas_limit,
        gas_used: outcome.gas_used,
        timestamp: env.timestamp.to(),
        mix_hash: parent_hash,
        base_fee_per_gas: Some(env.basefee),
        ..cancun_header()
    };
    Ok(BuiltBlock {
        header,
        outcome,
        included,
        skipped,
    })
}
