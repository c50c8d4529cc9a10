//! The user and operator commands, one module each: `deposit`, `withdraw start|finalize`,
//! `force-include`, `bond` / `unbond` / `withdraw-stake` (stake), `status`. Each checks what it
//! can before sending, runs the call against current L1 state first (so a revert comes back as
//! the contract's custom error, with what to do about it), and prints what happened and what
//! comes next. This module holds what they share on L2.

pub(crate) mod deposit;
pub(crate) mod force_include;
pub(crate) mod stake;
pub(crate) mod status;
pub(crate) mod withdraw;
mod withdraw_evm;

use crate::common::l2_provider;
use alloy::{eips::BlockNumberOrTag, providers::Provider};
use alloy::{
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, Bytes, U256},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use baton_bindings::Deployment;

/// The account's L2 balance at the node's latest block.
pub(crate) async fn l2_balance(l2_rpc: &str, account: Address) -> eyre::Result<U256> {
    Ok(l2_provider(l2_rpc)?.get_balance(account).await?)
}

/// An L2 transfer signed with `key`: EIP-1559 with a fee cap of `max_fee_per_gas` and no tip,
/// 21,000 gas.
pub(crate) async fn signed_l2_transfer(
    key: &PrivateKeySigner,
    d: &Deployment,
    nonce: u64,
    to: Address,
    value: U256,
    data: Bytes,
    max_fee_per_gas: u128,
) -> eyre::Result<Bytes> {
    let envelope = TransactionRequest::default()
        .with_chain_id(d.parameters.l2_chain_id)
        .with_nonce(nonce)
        .with_gas_limit(21_000)
        .with_max_fee_per_gas(max_fee_per_gas)
        .with_max_priority_fee_per_gas(0)
        .with_to(to)
        .with_value(value)
        .with_input(data)
        .build(&EthereumWallet::from(key.clone()))
        .await?;
    Ok(alloy::eips::Encodable2718::encoded_2718(&envelope).into())
}

/// The account's next L2 nonce at `tag` (`pending` counts the node's pool, `latest` only
/// sealed blocks).
pub(crate) async fn l2_nonce(
    l2_rpc: &str,
    account: Address,
    tag: BlockNumberOrTag,
) -> eyre::Result<u64> {
    Ok(l2_provider(l2_rpc)?
        .get_transaction_count(account)
        .block_id(tag.into())
        .await?)
}
