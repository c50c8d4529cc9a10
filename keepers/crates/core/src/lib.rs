//! baton's pure core: the types sequencers sign and the bytes they post, with no I/O and no
//! async runtime, so every role (node, proposer, challenger, watcher) and every test can use it.
//!
//! - [`eip712`]: the `BlockHeader` and `BatchHeader` EIP-712 types, the shared domain, digests
//!   and the record hash (the BatchInbox accumulator).
//! - [`signature`]: canonical 65-byte signatures (`v ∈ {27, 28}`, low `s`).
//! - [`batch`]: the batch data codec the BatchInbox parses.
//! - [`schedule`]: epochs and the stake-weighted leader draw of `LeaderSchedule`.
//! - [`ledger`]: the L2 state transition function, its sparse Merkle state and one-step
//!   witnesses.
//! - [`genesis`]: the L2 genesis allocation and its state root.
//! - [`l2`]: L2 block headers, signed blocks and hashes, the transaction Merkle root and its inclusion proofs
//!   (what a preconfirmation commits to).
//! - [`derive`]: the L2 chain derived from the BatchInbox records, and the block sealing a
//!   leader does through the same code.
//! - [`mempool`]: the pool of signed transactions waiting for a block, checked by the ledger
//!   rules.
//! - [`trace`]: the dispute trace of an output interval: roots at any position, step witnesses.
//! - [`parallel`]: mapping independent work over the machine's cores.
//! - `evm_harness` (feature `test-utils`): an in-memory EVM with forge's artifacts, for the
//!   differential tests; `vectors` (feature `test-utils`): committed test vectors kept current.

pub mod batch;
pub mod derive;
pub mod eip712;
#[cfg(feature = "test-utils")]
pub mod evm_harness;
pub mod genesis;
pub mod l2;
pub mod ledger;
pub mod mempool;
pub mod parallel;
pub mod schedule;
pub mod signature;
pub mod trace;
#[cfg(feature = "test-utils")]
pub mod vectors;

pub use batch::{
    Batch, BatchCommitment, DecodeError, EncodeError, L2Block, RecordContext, RecordError,
    RecordLimits, block_framing, check_record, decode_batch, decode_batch_limited, encode_batch,
};
pub use derive::{Chain, DeriveError, DerivedBlock, DerivedTx, QueueEntry, RecordInput};
pub use eip712::{BatchHeader, BlockHeader, GENESIS_RECORD_HASH, baton_domain};
pub use genesis::{Genesis, GenesisError};
pub use l2::{
    SignedBlock, block_hash, genesis_header, queue_entry_hash, tx_proof, tx_root, verify_tx_proof,
};
pub use mempool::{Mempool, MempoolConfig, PooledTx, Prechecked, RejectReason};
pub use schedule::{ScheduleError, Snapshot, SnapshotEntry, epoch_of, epoch_start_block};
pub use signature::{HeaderSignature, SignatureError, recover_signer, sign_digest};

/// Re-exported so callers name the same `Eip712Domain` type as the core's functions.
pub use alloy_sol_types::Eip712Domain;
