//! `baton force-include`: sign an L2 transfer and enqueue it on L1, where every sequencer must
//! include it before its deadline.

use super::{l2_balance, l2_nonce, signed_l2_transfer};
use crate::common::{Endpoints, ether, l2_provider, parse_amount, send};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use baton_bindings::{Deployment, IForceInclusionQueue};
use baton_l1::KeyArgs;
use clap::Args;
use eyre::{OptionExt, WrapErr};

/// `baton force-include`.
#[derive(Debug, Args)]
pub(crate) struct ForceIncludeArgs {
    /// The L2 recipient of the transfer.
    #[arg(long)]
    pub(crate) to: Address,
    /// ETH to transfer on L2.
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: U256,
    /// The transfer's L2 nonce (default: asked from the L2 node; give it when every node
    /// refuses to answer).
    #[arg(long)]
    pub(crate) nonce: Option<u64>,
    /// The transfer's fee cap in wei (default: twice the L2's latest base fee, and never less
    /// than the genesis base fee). It pays only the base fee of the block it lands in; a cap
    /// below that block's base fee makes it a no-op.
    #[arg(long)]
    pub(crate) max_fee_per_gas: Option<u128>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton force-include`: sign an L2 transfer and enqueue it on L1, where every sequencer must
/// include it before its deadline.
pub(crate) async fn force_include(args: ForceIncludeArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let nonce = match args.nonce {
        Some(n) => n,
        // `latest`, not `pending`: a transaction the sequencers hold back without including
        // would take the pending nonce, and the forced one would then wait behind it forever.
        // At `latest` the forced transaction replaces it.
        None => l2_nonce(
            &args.endpoints.l2_rpc,
            key.address(),
            BlockNumberOrTag::Latest,
        )
        .await
        .wrap_err(
            "cannot ask the L2 node for the nonce: pass --nonce (your next L2 nonce) when \
                 no node answers",
        )?,
    };
    let max_fee = match args.max_fee_per_gas {
        Some(cap) => cap,
        None => transfer_fee_cap(&args.endpoints.l2_rpc, &d).await?,
    };
    if args.nonce.is_none() {
        warn_if_not_executable(
            &args.endpoints.l2_rpc,
            key.address(),
            nonce,
            args.amount,
            max_fee,
        )
        .await;
    }
    let (event, raw, l1_tx) =
        enqueue_transfer(&l1, &d, &key, nonce, args.to, args.amount, max_fee).await?;
    println!(
        "enqueued as force-queue entry {} (L2 tx {}, nonce {nonce}), L1 tx {}",
        event.index,
        alloy::primitives::keccak256(&raw),
        l1_tx
    );
    println!(
        "a sequencer must include it by L1 block {}; after that a watcher (or anyone) appends \
         a forced record with it and the censoring leader is slashed",
        event.deadline
    );
    Ok(())
}

/// The fee cap of a forced transfer. The ledger charges its fixed base fee. The EVM chain's base
/// fee moves (EIP-1559) while the entry waits, up to its deadline, so the cap is twice the
/// latest block's base fee, as wallets leave room, and never below the genesis base fee: the
/// transfer still pays only the base fee of the block it runs in. With no node answering, the
/// genesis base fee, said so.
pub(crate) async fn transfer_fee_cap(l2_rpc: &str, d: &Deployment) -> eyre::Result<u128> {
    let genesis: u128 = d.parameters.l2_base_fee.try_into()?;
    if d.parameters.l2_execution.is_ledger() {
        return Ok(genesis);
    }
    let latest = async {
        let block = l2_provider(l2_rpc)?
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await?
            .ok_or_eyre("no latest block")?;
        block
            .header
            .base_fee_per_gas
            .ok_or_eyre("the latest block has no base fee")
    };
    match latest.await {
        Ok(base_fee) => Ok(genesis.max(u128::from(base_fee).saturating_mul(2))),
        Err(error) => {
            eprintln!(
                "warning: cannot read the L2 base fee from {l2_rpc} ({error:#}): the fee cap is \
                 the genesis base fee, {genesis} wei; pass --max-fee-per-gas for more room"
            );
            Ok(genesis)
        }
    }
}

/// Warns when the forced transfer would be a no-op on L2 as things stand: the account cannot
/// pay amount plus the most fee, or a transaction in the node's pool already holds the nonce
/// (whichever lands first takes it).
async fn warn_if_not_executable(
    l2_rpc: &str,
    account: Address,
    nonce: u64,
    amount: U256,
    max_fee_per_gas: u128,
) {
    let fee = U256::from(max_fee_per_gas) * U256::from(21_000u64);
    if let Ok(balance) = l2_balance(l2_rpc, account).await
        && balance < amount + fee
    {
        eprintln!(
            "warning: {account} holds {} ETH on L2, less than {} ETH plus the {} ETH fee: the \
             forced transfer will be a no-op unless funds arrive first",
            ether(balance),
            ether(amount),
            ether(fee)
        );
    }
    if let Ok(pending) = l2_nonce(l2_rpc, account, BlockNumberOrTag::Pending).await
        && pending > nonce
    {
        eprintln!(
            "warning: the node holds {} pending transaction(s) from {account}; the forced one \
             uses nonce {nonce}, like the first of them, and only one of the two can execute",
            pending - nonce
        );
    }
}

/// Signs an L2 transfer with `key` and a fee cap of `max_fee_per_gas`, and enqueues it in the
/// force-inclusion queue (`l1` signs with `key` too). Returns the `Enqueued` event, the signed
/// transaction and the L1 tx hash.
pub(crate) async fn enqueue_transfer(
    l1: &DynProvider,
    d: &Deployment,
    key: &PrivateKeySigner,
    nonce: u64,
    to: Address,
    amount: U256,
    max_fee_per_gas: u128,
) -> eyre::Result<(IForceInclusionQueue::Enqueued, Bytes, B256)> {
    let raw = signed_l2_transfer(key, d, nonce, to, amount, Bytes::new(), max_fee_per_gas).await?;
    let queue = d.force_inclusion_queue(l1);
    let receipt = send::<IForceInclusionQueue::IForceInclusionQueueErrors, _, _>(
        "ForceInclusionQueue.enqueue",
        queue.enqueue(raw.clone()).value(d.parameters.inclusion_fee),
    )
    .await?;
    let event = receipt
        .decoded_log::<IForceInclusionQueue::Enqueued>()
        .ok_or_else(|| eyre::eyre!("no Enqueued event in {}", receipt.transaction_hash))?;
    Ok((event.data, raw, receipt.transaction_hash))
}
