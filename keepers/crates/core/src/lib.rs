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

pub mod batch;
pub mod eip712;
pub mod genesis;
pub mod ledger;
pub mod schedule;
pub mod signature;

pub use batch::{
    Batch, DecodeError, EncodeError, L2Block, RecordContext, RecordError, check_record,
    decode_batch, encode_batch,
};
pub use eip712::{BatchHeader, BlockHeader, GENESIS_RECORD_HASH, baton_domain};
pub use genesis::{Genesis, GenesisError};
pub use schedule::{ScheduleError, Snapshot, SnapshotEntry, epoch_of, epoch_start_block};
pub use signature::{HeaderSignature, SignatureError, recover_signer, sign_digest};

/// Re-exported so callers name the same `Eip712Domain` type as the core's functions.
pub use alloy_sol_types::Eip712Domain;
