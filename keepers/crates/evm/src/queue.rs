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

/// The first byte of the portal's deposit with a call (`Portal.depositCallEntry`):
/// `0x7f ‖ l2Sender (20) ‖ target (20) ‖ amount (32) ‖ gasLimit (8) ‖ data`.
pub const DEPOSIT_CALL_ENTRY_TYPE: u8 = 0x7f;

/// The length of a deposit call's entry before its data.
pub const DEPOSIT_CALL_HEADER_LEN: usize = 81;

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

/// How the EVM chain runs force-queue entry `index`, enqueued by `sender` with `data`. Only
/// from the portal (the same bytes from anyone else are not a deposit):
/// - its deposit entry mints the amount to its recipient and calls it with nothing, so the
///   receipt is a success;
/// - its deposit call mints the amount to the L2 sender the portal named and calls the target
///   with it, the data and the gas limit (at most `Portal.MAX_DEPOSIT_GAS`); a failing call
///   keeps the mint with the sender (docs/evm.md, "Deposits with a call").
///
/// Anything else is signed transaction bytes, skipped if invalid. A chain without a portal (no
/// L1) has no deposits.
pub fn queue_entry_tx(
    index: u64,
    sender: Address,
    data: &[u8],
    portal: Option<Address>,
) -> BlockTx {
    let deposit = if portal == Some(sender) {
        portal_deposit(data)
    } else {
        None
    };
    match deposit {
        Some(deposit) => BlockTx::Deposit(BlockDeposit {
            source: deposit_source(index, queue_commitment(sender, data)),
            deposit,
        }),
        None => BlockTx::Signed(Bytes::copy_from_slice(data)),
    }
}

/// The deposit a portal entry asks for, if it is one of the portal's two shapes.
fn portal_deposit(data: &[u8]) -> Option<Deposit> {
    match *data.first()? {
        DEPOSIT_ENTRY_TYPE if data.len() == DEPOSIT_ENTRY_LEN => {
            let recipient = Address::from_slice(&data[1..21]);
            Some(Deposit {
                from: recipient,
                to: TxKind::Call(recipient),
                mint: U256::from_be_slice(&data[21..]),
                value: U256::ZERO,
                gas_limit: DEPOSIT_GAS,
                data: Bytes::new(),
            })
        }
        DEPOSIT_CALL_ENTRY_TYPE if data.len() >= DEPOSIT_CALL_HEADER_LEN => {
            let amount = U256::from_be_slice(&data[41..73]);
            Some(Deposit {
                from: Address::from_slice(&data[1..21]),
                to: TxKind::Call(Address::from_slice(&data[21..41])),
                mint: amount,
                value: amount,
                gas_limit: u64::from_be_bytes(data[73..81].try_into().expect("8 bytes")),
                data: Bytes::copy_from_slice(&data[DEPOSIT_CALL_HEADER_LEN..]),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: Address = Address::repeat_byte(0xa1);

    fn call_entry(gas: u64, data: &[u8]) -> alloc::vec::Vec<u8> {
        let mut entry = alloc::vec![DEPOSIT_CALL_ENTRY_TYPE];
        entry.extend_from_slice(Address::repeat_byte(5).as_slice());
        entry.extend_from_slice(Address::repeat_byte(6).as_slice());
        entry.extend_from_slice(&U256::from(9).to_be_bytes::<32>());
        entry.extend_from_slice(&gas.to_be_bytes());
        entry.extend_from_slice(data);
        entry
    }

    #[test]
    fn a_deposit_call_from_the_portal_calls_its_target_with_the_minted_amount() {
        let entry = call_entry(50_000, b"calldata");
        let BlockTx::Deposit(d) = queue_entry_tx(3, PORTAL, &entry, Some(PORTAL)) else {
            panic!("the portal's deposit call is a deposit");
        };
        assert_eq!(
            d.deposit,
            Deposit {
                from: Address::repeat_byte(5),
                to: TxKind::Call(Address::repeat_byte(6)),
                mint: U256::from(9),
                value: U256::from(9),
                gas_limit: 50_000,
                data: Bytes::from_static(b"calldata"),
            }
        );
        assert_eq!(
            d.source,
            deposit_source(3, queue_commitment(PORTAL, &entry))
        );
        // Without data too: the header alone is a call with empty calldata.
        let bare = call_entry(21_000, b"");
        assert!(matches!(
            queue_entry_tx(0, PORTAL, &bare, Some(PORTAL)),
            BlockTx::Deposit(d) if d.deposit.data.is_empty()
        ));
    }

    #[test]
    fn only_the_portals_whole_entries_are_deposits() {
        let entry = call_entry(50_000, b"");
        let other = Address::repeat_byte(7);
        for (sender, bytes, portal) in [
            (other, &entry[..], Some(PORTAL)),
            (PORTAL, &entry[..DEPOSIT_CALL_HEADER_LEN - 1], Some(PORTAL)),
            (PORTAL, &entry[..], None),
            (PORTAL, &[][..], Some(PORTAL)),
        ] {
            assert_eq!(
                queue_entry_tx(0, sender, bytes, portal),
                BlockTx::Signed(Bytes::copy_from_slice(bytes))
            );
        }
    }
}
