//! Decoding and the stateless checks of an L2 transaction (outcome codes 1–12 of
//! `docs/ledger.md`), in the order the Solidity library runs them.

use crate::{Invalid, LedgerConfig, WITHDRAWAL_ADDRESS};
use alloy_consensus::{TxEnvelope, transaction::SignableTransaction};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Signature, TxKind, U256, uint};

/// The secp256k1 group order n: `r` and `s` must lie in `[1, n)`.
pub const SECP256K1N: U256 =
    uint!(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141_U256);

/// Half the secp256k1 group order: the largest `s` a canonical (low-s) signature may have.
pub const SECP256K1N_HALF: U256 =
    uint!(0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0_U256);

/// Gas charged for every transaction, whatever its gas limit.
pub const TX_GAS: u64 = 21_000;

/// What a transaction does once it is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxAction {
    /// Move `value` to this L2 account.
    Transfer {
        /// The L2 recipient.
        to: Address,
    },
    /// Burn `value` on L2 and record a withdrawal payable on L1.
    Withdrawal {
        /// Who the portal pays on L1.
        l1_recipient: Address,
    },
}

/// A transaction that passed every stateless check: what the STF needs from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedTx {
    /// The recovered sender.
    pub sender: Address,
    /// The transaction hash (keccak256 of its EIP-2718 bytes).
    pub hash: B256,
    /// The transaction's nonce.
    pub nonce: u64,
    /// The value moved.
    pub value: U256,
    /// `21000 × effective gas price`.
    pub fee: U256,
    /// Transfer or withdrawal.
    pub action: TxAction,
}

/// Decodes `bytes` as a signed EIP-1559 transaction and runs the checks that need no state.
///
/// Returns the first failing rule of `docs/ledger.md` (codes 1–12), or the checked transaction.
pub fn check_transaction(config: &LedgerConfig, bytes: &[u8]) -> Result<CheckedTx, Invalid> {
    // Alloy's decoder is strict (canonical RLP, exact widths, nothing trailing); every other
    // envelope type, and anything it refuses, is malformed for the ledger.
    let signed = match TxEnvelope::decode_2718_exact(bytes) {
        Ok(TxEnvelope::Eip1559(signed)) => signed,
        _ => return Err(Invalid::Malformed),
    };
    let tx = signed.tx();
    if tx.chain_id != config.chain_id {
        return Err(Invalid::WrongChainId);
    }
    let TxKind::Call(to) = tx.to else {
        return Err(Invalid::ContractCreation);
    };
    if tx.gas_limit < TX_GAS {
        return Err(Invalid::GasLimitTooLow);
    }
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas {
        return Err(Invalid::PriorityFeeAboveMaxFee);
    }
    if tx.max_fee_per_gas < config.base_fee {
        return Err(Invalid::MaxFeeBelowBaseFee);
    }
    if !tx.access_list.is_empty() {
        return Err(Invalid::AccessListNotAllowed);
    }
    // The L1 recipient of a withdrawal: `Some(None)` means "the sender", known after recovery.
    let withdrawal_to = if to == WITHDRAWAL_ADDRESS {
        match tx.input.len() {
            0 => Some(None),
            20 => Some(Some(Address::from_slice(&tx.input))),
            _ => return Err(Invalid::BadWithdrawalData),
        }
    } else if !tx.input.is_empty() {
        return Err(Invalid::CalldataNotAllowed);
    } else {
        None
    };

    let signature = signed.signature();
    let in_range = |x: U256| !x.is_zero() && x < SECP256K1N;
    if !in_range(signature.r()) || !in_range(signature.s()) {
        return Err(Invalid::BadSignature);
    }
    if signature.s() > SECP256K1N_HALF {
        return Err(Invalid::MalleableSignature);
    }
    let sender = recover(signature, &tx.signature_hash())?;
    let action = match withdrawal_to {
        None => TxAction::Transfer { to },
        Some(l1_recipient) => TxAction::Withdrawal {
            l1_recipient: l1_recipient.unwrap_or(sender),
        },
    };

    let effective_price = U256::from(tx.max_fee_per_gas)
        .min(U256::from(config.base_fee) + U256::from(tx.max_priority_fee_per_gas));
    Ok(CheckedTx {
        sender,
        hash: *signed.hash(),
        nonce: tx.nonce,
        value: tx.value,
        fee: effective_price * U256::from(TX_GAS),
        action,
    })
}

/// Recovers the signer of a range-checked, low-s signature.
fn recover(signature: &Signature, digest: &B256) -> Result<Address, Invalid> {
    signature
        .recover_address_from_prehash(digest)
        .map_err(|_| Invalid::Unrecoverable)
}
