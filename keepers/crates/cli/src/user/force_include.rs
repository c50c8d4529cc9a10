//! `baton force-include`: sign an L2 transfer and enqueue it on L1, where every sequencer must
//! include it before its deadline.

use super::{l2_balance, l2_nonce, signed_l2_transfer};
use crate::common::{Endpoints, ether, parse_amount, send};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, Bytes, U256},
    providers::DynProvider,
    signers::local::PrivateKeySigner,
};
use baton_bindings::{Deployment, IForceInclusionQueue};
use baton_l1::KeyArgs;
use clap::Args;
use eyre::WrapErr;

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
    if args.nonce.is_none() {
        warn_if_not_executable(
            &args.endpoints.l2_rpc,
            &d,
            key.address(),
            nonce,
            args.amount,
        )
        .await;
    }
    let (event, raw, l1_tx) = enqueue_transfer(&l1, &d, &key, nonce, args.to, args.amount).await?;
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

/// Warns when the forced transfer would be a no-op on L2 as things stand: the account cannot
/// pay amount plus fee, or a transaction in the node's pool already holds the nonce (whichever
/// lands first takes it).
async fn warn_if_not_executable(
    l2_rpc: &str,
    d: &Deployment,
    account: Address,
    nonce: u64,
    amount: U256,
) {
    let fee = d.parameters.l2_base_fee * U256::from(21_000u64);
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

/// Signs an L2 transfer with `key` and enqueues it in the force-inclusion queue (`l1` signs
/// with `key` too). Returns the `Enqueued` event, the signed transaction and the L1 tx hash.
pub(crate) async fn enqueue_transfer(
    l1: &DynProvider,
    d: &Deployment,
    key: &PrivateKeySigner,
    nonce: u64,
    to: Address,
    amount: U256,
) -> eyre::Result<(IForceInclusionQueue::Enqueued, Bytes, B256)> {
    let raw = signed_l2_transfer(key, d, nonce, to, amount, Bytes::new()).await?;
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
