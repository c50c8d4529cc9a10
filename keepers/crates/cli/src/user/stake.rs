//! The operator commands: `baton bond` (bond, or add to a bonded stake), `baton unbond` (start
//! the unbonding delay) and `baton withdraw-stake` (collect it once the delay has passed).

use crate::common::{Endpoints, ether, l1_now, parse_amount, send};
use alloy::primitives::{Address, U256};
use baton_bindings::ISequencerRegistry;
use baton_l1::KeyArgs;
use clap::Args;
use eyre::ensure;

/// `baton bond`.
#[derive(Debug, Args)]
pub(crate) struct BondArgs {
    /// ETH to bond (or to add, when already bonded).
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: U256,
    /// The key the node signs headers with (default: the operator's own address).
    #[arg(long)]
    pub(crate) signer: Option<Address>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton unbond`.
#[derive(Debug, Args)]
pub(crate) struct UnbondArgs {
    /// ETH to unbond (default: the whole stake).
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: Option<U256>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton withdraw-stake` and other commands that only need a key and the endpoints.
#[derive(Debug, Args)]
pub(crate) struct KeyedArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// `baton bond`: bond a new operator, or add to a bonded one's stake.
pub(crate) async fn bond(args: BondArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let registry = d.registry(&l1);
    // An operator entry is never deleted: one that unbonded everything tops up again.
    let registered = registry.signerOf(key.address()).call().await?;
    let receipt = if registered.is_zero() {
        let signer = args.signer.unwrap_or(key.address());
        send::<ISequencerRegistry::ISequencerRegistryErrors, _, _>(
            "SequencerRegistry.bond",
            registry.bond(signer).value(args.amount),
        )
        .await?
    } else {
        ensure!(
            args.signer.is_none(),
            "{} is already bonded with signer {registered}: a signer cannot be changed \
             (drop --signer to add to the stake)",
            key.address(),
        );
        send::<ISequencerRegistry::ISequencerRegistryErrors, _, _>(
            "SequencerRegistry.topUp",
            registry.topUp().value(args.amount),
        )
        .await?
    };
    let now = registry.stakeOf(key.address()).call().await?;
    println!(
        "{} now has {} ETH bonded (L1 tx {}); it leads epochs once a checkpoint has captured \
         the active set and the next checkpoint draws the schedule over it",
        key.address(),
        ether(now),
        receipt.transaction_hash
    );
    Ok(())
}

/// `baton unbond`: start the unbonding delay for some or all of the stake.
pub(crate) async fn unbond(args: UnbondArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let registry = d.registry(&l1);
    let stake = registry.stakeOf(key.address()).call().await?;
    ensure!(
        !stake.is_zero(),
        "{} has no stake to unbond (is this the operator's key?)",
        key.address()
    );
    let amount = args.amount.unwrap_or(stake);
    send::<ISequencerRegistry::ISequencerRegistryErrors, _, _>(
        "SequencerRegistry.requestUnbond",
        registry.requestUnbond(amount),
    )
    .await?;
    let unbonding = registry.unbondingOf(key.address()).call().await?;
    let at: u64 = unbonding.withdrawableAt.try_into()?;
    println!(
        "unbonding {} ETH (in total); withdrawable in {} s with `baton withdraw-stake`. It stays \
         slashable until then.",
        ether(unbonding.amount),
        at.saturating_sub(l1_now(&l1).await?)
    );
    Ok(())
}

/// `baton withdraw-stake`: collect unbonded stake once the delay has passed.
pub(crate) async fn withdraw_stake(args: KeyedArgs) -> eyre::Result<()> {
    let key = args.key.load()?;
    let (l1, d) = args.endpoints.connect_as(&key).await?;
    let registry = d.registry(&l1);
    let unbonding = registry.unbondingOf(key.address()).call().await?;
    ensure!(
        !unbonding.amount.is_zero(),
        "{} has nothing unbonding: run `baton unbond` first",
        key.address()
    );
    let at: u64 = unbonding.withdrawableAt.try_into()?;
    let left = at.saturating_sub(l1_now(&l1).await?);
    ensure!(
        left == 0,
        "{} ETH becomes withdrawable in {left} s (unbonding period {} s): try again then",
        ether(unbonding.amount),
        d.parameters.unbonding_period
    );
    let receipt = send::<ISequencerRegistry::ISequencerRegistryErrors, _, _>(
        "SequencerRegistry.withdraw",
        registry.withdraw(),
    )
    .await?;
    println!(
        "withdrew {} ETH to {} (L1 tx {})",
        ether(unbonding.amount),
        key.address(),
        receipt.transaction_hash
    );
    Ok(())
}
