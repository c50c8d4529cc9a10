//! A signed transaction's EIP-2718 bytes, as users send them and blocks carry them, decoded for
//! the executor: its type and fields, its hash, and its sender recovered from the signature.
//!
//! The L2 runs Cancun: legacy (with or without EIP-155), EIP-2930 and EIP-1559 transactions.
//! Blob transactions (type 3: the L2 has no blob space) and EIP-7702 (type 4: Prague) are
//! refused, as are signatures Ethereum refuses (EIP-2: `s` in the upper half of the order).
//! A transaction that does not decode is skipped by the block like an invalid one.

use alloc::{format, string::String};
use alloy_consensus::{Transaction, TxEnvelope, Typed2718, transaction::SignableTransaction};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, U256, uint};
use revm::context::TxEnv;

/// Half the secp256k1 group order: the largest `s` Ethereum accepts (EIP-2).
const SECP256K1N_HALF: U256 =
    uint!(0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0_U256);

/// A decoded transaction, ready for [`crate::execute_transaction`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    /// `keccak256` of its EIP-2718 bytes.
    pub hash: B256,
    /// Who signed it.
    pub sender: Address,
    /// The executor's view of it.
    pub env: TxEnv,
}

/// Why bytes are not a transaction the L2 runs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Undecodable {
    /// Not a canonical EIP-2718 envelope of a known type (or bytes left over).
    #[error("not a signed transaction: {0}")]
    Malformed(String),
    /// A type the L2 does not run.
    #[error(
        "transaction type {0} is not accepted: the L2 runs Cancun without blobs (types 0, 1 and 2)"
    )]
    UnsupportedType(u8),
    /// `s` above half the curve order (EIP-2).
    #[error("the signature's s is above half the secp256k1 order (EIP-2)")]
    HighS,
    /// No public key recovers from the signature.
    #[error("the signature recovers no sender")]
    Unrecoverable,
}

/// Decodes and recovers a signed transaction.
pub fn decode_transaction(raw: &[u8]) -> Result<SignedTransaction, Undecodable> {
    let envelope = TxEnvelope::decode_2718_exact(raw)
        .map_err(|error| Undecodable::Malformed(format!("{error}")))?;
    let (signature, digest) = match &envelope {
        TxEnvelope::Legacy(signed) => (signed.signature(), signed.tx().signature_hash()),
        TxEnvelope::Eip2930(signed) => (signed.signature(), signed.tx().signature_hash()),
        TxEnvelope::Eip1559(signed) => (signed.signature(), signed.tx().signature_hash()),
        other => return Err(Undecodable::UnsupportedType(other.ty())),
    };
    if signature.s() > SECP256K1N_HALF {
        return Err(Undecodable::HighS);
    }
    let sender = signature
        .recover_address_from_prehash(&digest)
        .map_err(|_| Undecodable::Unrecoverable)?;
    let env = TxEnv {
        tx_type: envelope.ty(),
        caller: sender,
        gas_limit: envelope.gas_limit(),
        gas_price: envelope.max_fee_per_gas(),
        kind: envelope.kind(),
        value: envelope.value(),
        data: envelope.input().clone(),
        nonce: envelope.nonce(),
        chain_id: envelope.chain_id(),
        access_list: envelope.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: envelope.max_priority_fee_per_gas(),
        ..Default::default()
    };
    Ok(SignedTransaction {
        hash: *envelope.tx_hash(),
        sender,
        env,
    })
}
