//! `baton deposit`: escrow on L1 through the portal, credited on L2 by the next record.

use super::l2_balance;
use crate::common::{Endpoints, ether, parse_amount, send};
use alloy::primitives::{Address, U256};
use baton_bindings::IPortal;
use baton_l1::KeyArgs;
use clap::Args;
use std::time::{Duration, Instant};

/// `baton deposit`.
#[derive(Debug, Args)]
pub(crate) struct DepositArgs {
    /// ETH to credit on L2 (the force queue's inclusion fee is paid on top).
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: U256,
    /// The L2 account to credit (default: the sender's address).
    #[arg(long)]
    pub(crate) to: Option<Address>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton deposit`: escrow on L1, credited on L2 by the next record.
pub(crate) async fn deposit(args: DepositArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let to = args.to.unwrap_or(key.address());
    let fee = d.parameters.inclusion_fee;
    let l2_before = l2_balance(&args.endpoints.l2_rpc, to).await.ok();
    let portal = d.portal(&l1);
    let receipt = send::<IPortal::IPortalErrors, _, _>(
        "Portal.deposit",
        portal.deposit(to).value(args.amount + fee),
    )
    .await?;
    println!(
        "deposited {} ETH for {to} on L2 (fee {} ETH), L1 tx {} in block {}",
        ether(args.amount),
        ether(fee),
        receipt.transaction_hash,
        receipt.block_number.unwrap_or_default()
    );
    println!(
        "the next record includes it; a sequencer must include it within {} L1 blocks, or \
         anyone may force it in",
        d.parameters.inclusion_delay
    );
    let Some(before) = l2_before else {
        println!(
            "({} did not answer: check the L2 balance later)",
            args.endpoints.l2_rpc
        );
        return Ok(());
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(now) = l2_balance(&args.endpoints.l2_rpc, to).await
            && now >= before + args.amount
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
    println!("not credited on L2 within 60 s: check with `baton status --address {to}`");
    Ok(())
}
