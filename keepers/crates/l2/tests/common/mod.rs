//! Keys and signed transfers the tests share.

#![allow(dead_code, unreachable_pub)]

pub mod sequenced;

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Address, Bytes, TxKind, U256, address},
    signers::{SignerSync, local::PrivateKeySigner},
};

/// The dev chain's id.
pub const CHAIN_ID: u64 = 901;
/// 1 gwei.
pub const GWEI: u128 = 1_000_000_000;
/// Where the transfers go.
pub const TO: Address = address!("00000000000000000000000000000000000000aa");

/// Test key `i` (not anvil's).
pub fn key(i: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&[i + 1; 32].into()).unwrap()
}

/// A transfer of 1 wei from key `from`, with `fee` cap, `tip`, `gas` and `chain_id`.
pub fn transfer_with(from: u8, nonce: u64, fee: u128, tip: u128, gas: u64, chain_id: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(TO),
        value: U256::from(1),
        access_list: Default::default(),
        input: Default::default(),
    };
    sign(from, tx)
}

/// A call (or, to `TxKind::Create`, a creation) from key `from` on this chain with `input`,
/// 200,000 gas at a 10 gwei fee cap and a 1 gwei tip.
pub fn call(from: u8, nonce: u64, to: TxKind, input: Bytes) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 200_000,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input,
    };
    sign(from, tx)
}

fn sign(from: u8, tx: TxEip1559) -> Bytes {
    let signature = key(from).sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into()
}

/// The chain tests' genesis: keys 0–2 hold 100 ETH each, beside the predeploys.
pub fn genesis() -> baton_evm::StateDiff {
    let alloc: std::collections::BTreeMap<Address, U256> = (0..3)
        .map(|i| (key(i).address(), U256::from(10u128.pow(20))))
        .collect();
    baton_state::genesis_diff(&alloc, address!("00000000000000000000000000000000000f1ee5")).unwrap()
}

/// A 21,000-gas transfer on this chain with a 10 gwei fee cap and `tip`.
pub fn transfer(from: u8, nonce: u64, tip: u128) -> Bytes {
    transfer_with(from, nonce, 10 * GWEI, tip, 21_000, CHAIN_ID)
}
