//! The force-queue entries a block consumes, as the EVM chain runs them: baton-evm's
//! [`baton_evm::queue_entry_tx`] over the node's [`QueueEntry`].

use alloy_primitives::{Address, B256};
use baton_core::QueueEntry;
use baton_evm::BlockTx;

/// How the EVM chain runs `entry` ([`baton_evm::queue_entry_tx`]).
pub fn entry_tx(entry: &QueueEntry, portal: Option<Address>) -> BlockTx {
    baton_evm::queue_entry_tx(entry.index, entry.sender, &entry.data, portal)
}

/// A deposit's source ([`baton_evm::deposit_source`]) for `entry`.
pub fn deposit_source(entry: &QueueEntry) -> B256 {
    baton_evm::deposit_source(
        entry.index,
        baton_evm::queue_commitment(entry.sender, &entry.data),
    )
}
