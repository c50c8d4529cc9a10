//! Force-queue entries as the EVM chain runs them (docs/evm.md, "Under the sequencer network"):
//! the portal's deposit entry as a deposit transaction (`0x7e`), anything else as the signed
//! transaction it should be. The node derives blocks with this and the guest checks a block's
//! claim with it, so both read an entry the same way.

use crate::{BlockDeposit, BlockTx, Deposit};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};

/// The gas a deposit from the portal runs with: a plain call to its recipient.
pub const DEPOSIT_GAS: u64 = 21_000;

/// The first byte of the portal's deposit entry (`Portal.depositEntry`).
pub const DEPOSIT_ENTRY_TYPE: u8 = 0x7e;

/// The length of the portal's deposit entry: `0x7e ‖ recipient (20) ‖ amount (32)`.
pub const DEPOSIT_ENTRY_LEN: usize = 53;

/// The queue's commitment to an entry: `keccak256(sender ‖ data)`
/// (`ForceInclusionQueue.commitmentFor`).
pub fn queue_commitment(sender: Address, data: &[u8]) -> B256 {
    let mut bytes = alloc::vec::Vec::with_capacity(20 + data.len());
    bytes.extend_from_slice(sender.as_slice());
    bytes.extend_from_slice(data);
    keccak256(bytes)
}

/// One step of the queue's accumulator: `keccak256(accumulator ‖ commitment)`
/// (`ForceInclusionQueue.accumulate`). The accumulator before entry 0 is zero; after entry `i`
/// it is this of the one before and the entry's [`queue_commitment`].
pub fn queue_accumulate(accumulator: B256, commitment: B256) -> B256 {
    keccak256([accumulator.as_slice(), commitment.as_slice()].concat())
}

/// A deposit's source: `keccak256(uint256(index) ‖ commitment)`, the queue's commitment bound
/// to the entry's position, so that two equal deposits are two transactions.
pub fn deposit_source(index: u64, commitment: B256) -> B256 {
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&U256::from(index).to_be_bytes::<32>());
    bytes[32..].copy_from_slice(commitment.as_slice());
    keccak256(bytes)
}

/// How the EVM chain runs force-queue entry `index`, enqueued by `sender` with `data`: the
/// portal's deposit entry (only from the portal: the same bytes from anyone else are not a
/// deposit) mints the amount to its recipient and calls it with nothing, so the receipt is a
/// success; anything else is signed transaction bytes, skipped if invalid. A chain without a
/// portal (no L1) has no deposits.
pub fn queue_entry_tx(
    index: u64,
    sender: Address,
    data: &[u8],
    portal: Option<Address>,
) -> BlockTx {
    let is_deposit =
        portal == Some(sender) && data.len() == DEPOSIT_ENTRY_LEN && data[0] == DEPOSIT_ENTRY_TYPE;
    if !is_deposit {
        return BlockTx::Signed(Bytes::copy_from_slice(data));
    }
    let recipient = Address::from_slice(&data[1..21]);
    BlockTx::Deposit(BlockDeposit {
        source: deposit_source(index, queue_commitment(sender, data)),
        deposit: Deposit {
            from: recipient,
            to: TxKind::Call(recipient),
            mint: U256::from_be_slice(&data[21..]),
            value: U256::ZERO,
            gas_limit: DEPOSIT_GAS,
            data: Bytes::new(),
        },
    })
}
