//! The L2 ledger: state, the state transition function (STF) and one-step witnesses, exactly as
//! `docs/ledger.md` defines them. The rules themselves are `baton-stf` (no `std`, shared with
//! the fault-proof VM's guest) and re-exported here; this module holds the native state. The
//! Solidity library under `contracts/libraries/ledger/` is the other implementation; test
//! vectors and a differential fuzz test keep the two identical.
//!
//! - [`smt`]: the keccak256 sparse Merkle tree (compressed trie, batch updates, proofs).
//! - [`tx`]: decoding and the stateless checks of a signed transaction (`baton-stf`).
//! - [`state`]: accounts and withdrawals, `apply`, the state root and witnesses.
//! - [`preimages`]: the keccak preimages the fault-proof VM's guest reads for one transaction.
//! - `testkit` and `vectors` (feature `test-utils`, and in this crate's tests): transaction
//!   building (malformed ones too) and the shared test vectors.

pub mod preimages;
pub mod smt;
pub mod state;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;
#[cfg(any(test, feature = "test-utils"))]
pub mod vectors;

pub use baton_stf::{
    ACCOUNTS_DEPTH, Account, Applied, BlockContext, CheckedTx, DEPOSIT_ENTRY_LEN, DEPOSIT_TYPE,
    GuestInput, Invalid, L2Tx, LedgerConfig, Outcome, TX_GAS, TxAction, WITHDRAWAL_ADDRESS,
    WITHDRAWALS_DEPTH, check_transaction, outcome_code, tx, withdrawal_key, withdrawal_leaf,
};
pub use preimages::{FromMap, PreimageMap};
pub use smt::{LeafProof, SparseMerkleTree};
pub use state::LedgerState;
