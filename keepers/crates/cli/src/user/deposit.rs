//! `baton deposit`: escrow on L1 through the portal, credited on L2 by the next record. On the
//! EVM chain a deposit may also call a contract (`--call`), and the command follows the
//! deposit's L2 transaction to its receipt.

use super::l2_balance;
use crate::common::{Endpoints, ether, l2_receipt, parse_amount, send};
use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    rpc::types::TransactionReceipt,
};
use baton_bindings::{Deployment, IForceInclusionQueue, IPortal};
use baton_evm::{BlockTx, queue_entry_tx};
use baton_l1::KeyArgs;
use clap::Args;
use eyre::{OptionExt, bail};
use std::time::{Duration, Instant};

/// How long the command waits for the deposit on L2.
const WAIT: Duration = Duration::from_secs(60);

/// The call's gas when `--gas` is not given.
const DEFAULT_CALL_GAS: u64 = 100_000;

/// `baton deposit`.
#[derive(Debug, Args)]
pub(crate) struct DepositArgs {
    /// ETH to credit on L2 (the force queue's inclusion fee is paid on top).
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: U256,
    /// The L2 account to credit (default: the sender's address); with `--call`, the contract to
    /// call.
    #[arg(long)]
    pub(crate) to: Option<Address>,
    /// Calldata (hex) to call `--to` with, the amount as its value, from the sender's L2
    /// address (EVM chain only). If the call fails, the amount stays with the sender on L2.
    #[arg(long, value_name = "HEX")]
    pub(crate) call: Option<Bytes>,
    /// Gas for the call on L2 (the portal's MIN_DEPOSIT_GAS to MAX_DEPOSIT_GAS, 21,000 to
    /// 400,000, paid by the inclusion fee; default 100,000).
    #[arg(long, requires = "call")]
    pub(crate) gas: Option<u64>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton deposit`: escrow on L1, credited on L2 by the next record (with `--call`, a call of
/// a contract on the EVM chain).
pub(crate) async fn deposit(args: DepositArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let fee = d.parameters.inclusion_fee;
    let value = args.amount + fee;
    let portal = d.portal(&l1);
    // The ledger shows a plain deposit as a balance: read it before the deposit lands.
    let mut ledger_balance = None;
    let (receipt, what) = match &args.call {
        None => {
            let to = args.to.unwrap_or(key.address());
            if d.parameters.l2_execution.is_ledger() {
                ledger_balance = Some((to, l2_balance(&args.endpoints.l2_rpc, to).await.ok()));
            }
            let receipt = send::<IPortal::IPortalErrors, _, _>(
                "Portal.deposit",
                portal.deposit(to).value(value),
            )
            .await?;
            (receipt, format!("for {to} on L2"))
        }
        Some(data) => {
            if d.parameters.l2_execution.is_ledger() {
                bail!(
                    "this deployment's L2 is the ledger, which runs no calls: deposit without --call"
                );
            }
            let target = args
                .to
                .ok_or_eyre("--call needs --to: the L2 contract to call")?;
            let gas = args.gas.unwrap_or(DEFAULT_CALL_GAS);
            let receipt = send::<IPortal::IPortalErrors, _, _>(
                "Portal.depositCall",
                portal.depositCall(target, gas, data.clone()).value(value),
            )
            .await?;
            (receipt, format!("to call {target} on L2 with {gas} gas"))
        }
    };
    println!(
        "deposited {} ETH {what} (fee {} ETH), L1 tx {} in block {}",
        ether(args.amount),
        ether(fee),
        receipt.transaction_hash,
        receipt.block_number.unwrap_or_default()
    );
    print_inclusion(&receipt);
    match ledger_balance {
        None => follow_on_l2(&args.endpoints.l2_rpc, &d, &receipt).await,
        Some((to, before)) => {
            wait_for_ledger_credit(&args.endpoints.l2_rpc, to, before, args.amount).await
        }
    }
}

/// Waits until the ledger shows `amount` more at `to` than `before`.
async fn wait_for_ledger_credit(
    l2_rpc: &str,
    to: Address,
    before: Option<U256>,
    amount: U256,
) -> eyre::Result<()> {
    let Some(before) = before else {
        println!("({l2_rpc} did not answer: check the L2 balance later)");
        return Ok(());
    };
    let started = Instant::now();
    while started.elapsed() < WAIT {
        if let Ok(now) = l2_balance(l2_rpc, to).await
            && now >= before + amount
        {
            println!(
                "credited on L2 after {:.1?}: {to} holds {} ETH",
                started.elapsed(),
                ether(now)
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "not credited on L2 within {} s: check with `baton status --address {to}`",
        WAIT.as_secs()
    );
    Ok(())
}

/// The entry's deadline from its `Enqueued` event: the inclusion delay after its L1 block, or
/// later when a flood of entries is ahead of it.
fn print_inclusion(receipt: &TransactionReceipt) {
    if let Some(enqueued) = receipt.decoded_log::<IForceInclusionQueue::Enqueued>() {
        println!(
            "the next record includes it; a sequencer must include it by L1 block {}, or anyone \
             may force it in after that",
            enqueued.data.deadline
        );
    }
}

/// The L2 transaction hash of the deposit `receipt` enqueued: the queue's `Enqueued` event gives
/// the entry, read the way the chain reads it.
fn l2_deposit_hash(d: &Deployment, receipt: &TransactionReceipt) -> eyre::Result<B256> {
    let enqueued = receipt
        .decoded_log::<IForceInclusionQueue::Enqueued>()
        .ok_or_else(|| eyre::eyre!("no Enqueued event in {}", receipt.transaction_hash))?;
    let index = u64::try_from(enqueued.data.index)?;
    let entry = &enqueued.data.transaction;
    match queue_entry_tx(index, enqueued.data.sender, entry, Some(d.portal)) {
        BlockTx::Deposit(deposit) => Ok(keccak256(deposit.encoded())),
        _ => bail!("queue entry {index} is not the portal's deposit"),
    }
}

/// Waits for the deposit's L2 transaction and says how it ran.
async fn follow_on_l2(
    l2_rpc: &str,
    d: &Deployment,
    receipt: &TransactionReceipt,
) -> eyre::Result<()> {
    let hash = l2_deposit_hash(d, receipt)?;
    println!("its L2 transaction will be {hash}");
    let started = Instant::now();
    while started.elapsed() < WAIT {
        if let Ok(Some(l2_receipt)) = l2_receipt(l2_rpc, hash).await {
            let outcome = if l2_receipt.success {
                "succeeded"
            } else {
                "failed (the amount stays with the sender on L2)"
            };
            println!(
                "on L2 after {:.1?}: block {}, {outcome}, gas used {}",
                started.elapsed(),
                l2_receipt.block,
                l2_receipt.gas_used
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "not on L2 within {} s: check with `cast receipt {hash} --rpc-url {l2_rpc}`",
        WAIT.as_secs()
    );
    Ok(())
}
