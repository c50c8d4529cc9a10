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
//! - [`build_block`]: a block's deposits and signed transactions over a state, with Ethereum's
//!   header ([`ChainSpec`]: the chain id, gas limit, base fee parameters and fee vault).
//! - [`decode_transaction`]: signed EIP-2718 bytes to the executor's transaction, the sender
//!   recovered (legacy, EIP-2930, EIP-1559; no blobs, no EIP-7702, no high-s signatures).
//! - [`PartialState`]: the state known by its root and opened node by node from a
//!   [`StateNodes`] source (a [`Witness`], the node's database, a keeper's uncommitted state),
//!   with a [`Recording`] that captures the witness of a run.
//! - [`Claim`]: one transaction's claim as the fault-proof guest (keepers/guest-evm) checks it,
//!   from preimages alone; [`BlockClaim`]: a whole block's, its inputs read from the record's
//!   commitments ([`queue_entry_tx`]: a force-queue entry as the chain runs it).
//!
//! The sequencer nodes run the chain with this crate on EVM deployments; the dispute game does
//! not use its claims yet (docs/evm.md, "Next").

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod block;
mod block_claim;
mod chain;
mod claim;
mod db;
mod execute;
mod fees;
mod partial;
mod queue;
mod state;
mod transaction;
mod witness;

pub use block::{
    BlockExecutor, BlockOutcome, DEPOSIT_TX_TYPE, Included, NotIncluded, Receipt, ordered_root,
};
pub use block_claim::{BlockClaim, BlockClaimError, ClaimChain, ClaimInputs};
pub use chain::{
    BlockDeposit, BlockTx, BuiltBlock, ChainSpec, IncludedTx, Skipped, block_env, build_block,
};
pub use claim::{
    BLOCK_HASH_WINDOW, Claim, ClaimBlock, ClaimTx, OracleError, Preimages, block_hashes_commitment,
};
pub use db::{CodeCache, ReadError, RevmDb};
pub use execute::{
    CANCUN_MAX_BLOBS_PER_TX, Deposit, DepositCall, EvmContext, Executed, FEE_VAULT_PREDEPLOY,
    Rejected, Rules, RunMode, WITHDRAWALS_PREDEPLOY, deposit_call, execute_deposit,
    execute_transaction, inspect_transaction, simulate_call,
};
pub use fees::{BaseFeeParams, next_base_fee};
pub use partial::{PartialState, PartialStateError, StateNodes};
pub use queue::{
    DEPOSIT_CALL_ENTRY_TYPE, DEPOSIT_CALL_HEADER_LEN, DEPOSIT_ENTRY_LEN, DEPOSIT_ENTRY_TYPE,
    DEPOSIT_GAS, deposit_source, queue_accumulate, queue_commitment, queue_entry_tx,
};
pub use revm;
pub use state::{AccountChange, AccountInfo, MemoryState, Overlay, StateDiff, StateReader};
pub use transaction::{SignedTransaction, Undecodable, decode_transaction};
pub use witness::{MemoryNodes, Recording, Witness, WitnessError};
