//! The force-queue entries a block consumes, as the EVM chain runs them: the portal's deposit
//! entry as a deposit transaction (`0x7e`), anything else as the signed transaction it should
//! be (docs/evm.md, "Under the sequencer network").

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use baton_core::{QueueEntry, ledger::L2Tx};
use baton_evm::{BlockDeposit, BlockTx, Deposit};

/// The gas a deposit from the portal runs with: a plain call to its recipient.
pub const DEPOSIT_GAS: u64 = 21_000;

/// How the EVM chain runs a force-queue entry: the portal's deposit entry as a deposit
/// transaction that mints the amount to its recipient (and calls it with nothing, so the
/// receipt is a success), anything else as signed transaction bytes, skipped if invalid. The
/// deposit's source is [`deposit_source`], so two equal deposits are two transactions. A chain
/// without a portal (no L1) has no deposits.
pub fn entry_tx(entry: &QueueEntry, portal: Option<Address>) -> BlockTx {
    let Some(portal) = portal else {
        return BlockTx::Signed(entry.data.clone());
    };
    match L2Tx::from_queue_entry(entry.sender, &entry.data, portal) {
        L2Tx::Deposit { recipient, amount } => BlockTx::Deposit(BlockDeposit {
            source: deposit_source(entry),
            deposit: Deposit {
                from: recipient,
                to: TxKind::Call(recipient),
                mint: amount,
                value: U256::ZERO,
                gas_limit: DEPOSIT_GAS,
                data: Bytes::new(),
            },
        }),
        L2Tx::Signed(raw) => BlockTx::Signed(raw),
    }
}

/// A deposit's source: `keccak256(uint256(index) ‖ keccak256(sender ‖ data))`, the queue's
/// commitment to the entry (`ForceInclusionQueue.commitmentFor`) bound to its position.
pub fn deposit_source(entry: &QueueEntry) -> B256 {
    let commitment = keccak256([entry.sender.as_slice(), &entry.data].concat());
    keccak256(
        [
            &U256::from(entry.index).to_be_bytes::<32>()[..],
            commitment.as_slice(),
        ]
        .concat(),
    )
}
