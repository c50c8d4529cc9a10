//! The L2's EVM state transition (issue 18), without I/O and without `std` so that the
//! fault-proof VM's guest can run the very same code:
//!
//! - [`execute_transaction`]: revm at the Cancun rules over any [`StateReader`]; the priority fee
//!   to the block's beneficiary (the sequencer that sealed it), the base fee to the chain's fee
//!   vault ([`Rules::fee_vault`]); an invalid transaction is [`Rejected`] and changes nothing.
//! - [`execute_deposit`]: an L1 deposit mints, then calls, and cannot fail the block.
//! - [`StateDiff`]: what a transaction left behind, under Ethereum's rules for deleted, emptied
//!   and created accounts; [`MemoryState`] applies it and computes Ethereum's state root
//!   (baton-trie).
//! - [`BlockExecutor`]: a block's transactions and deposits in order over one base state, within
//!   its gas limit, with receipts and their root.
//! - [`next_base_fee`]: the EIP-1559 update rule with per-deployment parameters.
//!
//! Not here yet (docs/evm.md, "Next"): the on-disk state, the withdrawal predeploy, and the
//! node, RPC and guest on top. Nothing on the live chain uses this
//! crate yet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod block;
mod claim;
mod db;
mod execute;
mod fees;
mod partial;
mod state;
mod transaction;

pub use block::{
    BlockExecutor, BlockOutcome, DEPOSIT_TX_TYPE, Included, NotIncluded, Receipt, ordered_root,
};
pub use claim::{
    BLOCK_HASH_WINDOW, Claim, ClaimBlock, ClaimTx, OracleError, Preimages, block_hashes_commitment,
};
pub use db::{CodeCache, ReadError, RevmDb};
pub use execute::{
    CANCUN_MAX_BLOBS_PER_TX, Deposit, Executed, Rejected, Rules, execute_deposit,
    execute_transaction,
};
pub use fees::{BaseFeeParams, next_base_fee};
pub use partial::{
    MemoryNodes, PartialState, PartialStateError, Recording, StateNodes, Witness, WitnessError,
};
pub use revm;
pub use state::{AccountChange, AccountInfo, MemoryState, Overlay, StateDiff, StateReader};
pub use transaction::{SignedTransaction, Undecodable, decode_transaction};
