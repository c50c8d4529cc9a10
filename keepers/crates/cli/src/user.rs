//! The user and operator commands: `deposit`, `withdraw start|finalize`, `force-include`,
//! `bond`, `unbond`, `withdraw-stake`, `status`. Each checks what it can before sending, runs
//! the call against current L1 state first (so a revert comes back as the contract's custom
//! error, with what to do about it), and prints what happened and what comes next.

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{
        Address, B256, Bytes, U256,
        utils::{format_ether, parse_ether},
    },
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolInterface,
    transports::http::reqwest::Url,
};
use baton_bindings::{Deployment, IForceInclusionQueue, IPortal, ISequencerRegistry};
use baton_node::KeyArgs;
use clap::{Args, Subcommand};
use eyre::{WrapErr, bail, ensure};
use serde_json::json;
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

/// Where L1 and L2 are.
#[derive(Clone, Debug, Args)]
pub(crate) struct Endpoints {
    /// L1 JSON-RPC endpoint.
    #[arg(long, env = "BATON_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub(crate) l1_rpc: Url,
    /// The deployment record written by the deploy script.
    #[arg(
        long,
        env = "BATON_DEPLOYMENT",
        default_value = "deployments/31337.json"
    )]
    pub(crate) deployment: PathBuf,
    /// An L2 node's JSON-RPC endpoint.
    #[arg(long, env = "BATON_L2_RPC", default_value = "http://127.0.0.1:9545")]
    pub(crate) l2_rpc: String,
}

impl Endpoints {
    /// The deployment, checked against the L1 it names, and a read-only L1 provider.
    pub(crate) async fn connect(&self) -> eyre::Result<(DynProvider, Deployment)> {
        let deployment = baton_node::service::load_deployment(&self.deployment)?;
        let (provider, _) = baton_node::service::connect_l1(&self.l1_rpc, &deployment).await?;
        Ok((provider.erased(), deployment))
    }

    /// Like [`Endpoints::connect`], with a provider that signs with `key`.
    pub(crate) async fn connect_as(
        &self,
        key: &PrivateKeySigner,
    ) -> eyre::Result<(DynProvider, Deployment)> {
        let (_, deployment) = self.connect().await?;
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(key.clone()))
            .connect_http(self.l1_rpc.clone())
            .erased();
        Ok((provider, deployment))
    }
}

/// An amount of ETH given on the command line ("1", "0.25").
fn parse_amount(s: &str) -> Result<U256, String> {
    parse_ether(s).map_err(|e| format!("'{s}' is not an amount of ETH (e.g. 1 or 0.25): {e}"))
}

/// Wei as ETH, for people.
pub(crate) fn ether(wei: U256) -> String {
    let s = format_ether(wei);
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

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

/// `baton withdraw`.
#[derive(Debug, Subcommand)]
pub(crate) enum WithdrawCommand {
    /// Start a withdrawal on L2: a transfer to the withdrawal address.
    Start {
        /// ETH to withdraw.
        #[arg(long, value_parser = parse_amount)]
        amount: U256,
        /// The L1 account to pay (default: the sender's address).
        #[arg(long)]
        to: Option<Address>,
        #[command(flatten)]
        endpoints: Endpoints,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Prove a withdrawal against a finalized output and collect it on L1 (anyone may send
    /// this: the money goes to the recipient the withdrawal names). Says how long is left when
    /// its output is not final yet.
    Finalize {
        /// The L2 transaction hash `withdraw start` printed.
        #[arg(long)]
        tx: B256,
        #[command(flatten)]
        endpoints: Endpoints,
        #[command(flatten)]
        key: KeyArgs,
    },
}

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

/// `baton status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Also show this account's balances, stake and rewards.
    #[arg(long)]
    pub(crate) address: Option<Address>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
}

/// What to tell a user about a contract's custom error.
fn advice(error: &str) -> &'static str {
    match error.split(['(', ' ', '{']).next().unwrap_or("") {
        "StakeTooLow" => "bond at least the registry's minStake (see `baton status`)",
        "AlreadyBonded" => "this operator is bonded: `baton bond` adds to the stake",
        "SignerUnavailable" => "that signer is registered to another operator: pick another key",
        "NotBonded" => "this key has no stake: bond first, or use the operator's key",
        "DepositTooSmall" => "send more than the inclusion fee",
        "ZeroRecipient" => "name a recipient",
        "OutputNotFinalized" => "wait for the output to be finalized",
        "AlreadyWithdrawn" => "this withdrawal was already paid",
        "WrongFee" => "pay exactly the queue's inclusion fee",
        "BadTxSize" => "the transaction exceeds the queue's maxTxSize",
        _ => "see the contract's NatSpec for this error",
    }
}

/// Runs `call` against current L1 state, then sends it and waits for its receipt. A revert
/// is reported as `E`'s custom error with advice.
async fn send<E, P, D>(what: &str, call: CallBuilder<P, D>) -> eyre::Result<TransactionReceipt>
where
    E: SolInterface + std::fmt::Debug,
    P: Provider,
    D: CallDecoder,
{
    if let Err(e) = call.call_raw().await {
        if let Some(decoded) = e.as_decoded_interface_error::<E>() {
            let text = format!("{decoded:?}");
            bail!("{what} would revert with {text}: {}", advice(&text));
        }
        return Err(e).wrap_err_with(|| format!("{what} would fail"));
    }
    let pending = call
        .send()
        .await
        .wrap_err_with(|| format!("sending {what}"))?;
    let hash = *pending.tx_hash();
    let receipt = pending
        .with_timeout(Some(Duration::from_secs(120)))
        .get_receipt()
        .await
        .wrap_err_with(|| {
            format!(
                "{what} was sent as L1 tx {hash} but no receipt came within 120 s: it may still \
                 be mined, so check it (cast receipt {hash}) before trying again"
            )
        })?;
    ensure!(
        receipt.status(),
        "{what} reverted in L1 block {:?} (tx {}): L1 changed between the check and the send; try again",
        receipt.block_number,
        receipt.transaction_hash
    );
    Ok(receipt)
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

async fn l2_balance(l2_rpc: &str, account: Address) -> eyre::Result<U256> {
    let value = crate::rpc::call(l2_rpc, "eth_getBalance", json!([account, "latest"])).await?;
    Ok(serde_json::from_value(value)?)
}

/// An L2 transfer signed with `key`: EIP-1559 at the L2 base fee, 21,000 gas.
async fn signed_l2_transfer(
    key: &PrivateKeySigner,
    d: &Deployment,
    nonce: u64,
    to: Address,
    value: U256,
    data: Bytes,
) -> eyre::Result<Bytes> {
    let base_fee: u128 = d.parameters.l2_base_fee.try_into()?;
    let envelope = TransactionRequest::default()
        .with_chain_id(d.parameters.l2_chain_id)
        .with_nonce(nonce)
        .with_gas_limit(21_000)
        .with_max_fee_per_gas(base_fee)
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
async fn l2_nonce(l2_rpc: &str, account: Address, tag: &str) -> eyre::Result<u64> {
    let value = crate::rpc::call(l2_rpc, "eth_getTransactionCount", json!([account, tag])).await?;
    let nonce: alloy::primitives::U64 = serde_json::from_value(value)?;
    Ok(nonce.to())
}

/// `baton withdraw start|finalize`.
pub(crate) async fn withdraw(command: WithdrawCommand) -> eyre::Result<()> {
    match command {
        WithdrawCommand::Start {
            amount,
            to,
            endpoints,
            key,
        } => withdraw_start(amount, to, &endpoints, &key.load()?).await,
        WithdrawCommand::Finalize { tx, endpoints, key } => {
            crate::withdrawal::finalize(tx, &endpoints, &key.load()?).await
        }
    }
}

async fn withdraw_start(
    amount: U256,
    to: Option<Address>,
    endpoints: &Endpoints,
    key: &PrivateKeySigner,
) -> eyre::Result<()> {
    let (_, d) = endpoints.connect().await?;
    let l2 = &endpoints.l2_rpc;
    let nonce = l2_nonce(l2, key.address(), "pending")
        .await
        .wrap_err("asking the L2 node for the sender's nonce (--l2-rpc)")?;
    // No data pays the sender on L1; 20 bytes name another recipient.
    let data = to
        .map(|a| Bytes::copy_from_slice(a.as_slice()))
        .unwrap_or_default();
    let raw = signed_l2_transfer(
        key,
        &d,
        nonce,
        baton_core::ledger::WITHDRAWAL_ADDRESS,
        amount,
        data,
    )
    .await?;
    let hash = crate::rpc::call(l2, "eth_sendRawTransaction", json!([raw]))
        .await
        .wrap_err("the L2 node refused the withdrawal")?;
    println!(
        "sent L2 tx {} (keep it: `withdraw finalize --tx` needs it)",
        hash.as_str().unwrap_or_default()
    );
    let started = Instant::now();
    let receipt = loop {
        // A failed poll is retried: the transaction is sent, and its hash is printed above.
        if let Ok(r) = crate::rpc::call(l2, "eth_getTransactionReceipt", json!([hash])).await
            && !r.is_null()
        {
            break r;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the withdrawal {hash} was not preconfirmed within 60 s: ask `baton status` whether \
             the network is sequencing"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    ensure!(
        receipt["status"] == json!("0x1"),
        "the withdrawal failed on L2: {receipt}"
    );
    println!(
        "withdrawal of {} ETH to {} started: L2 tx {} (sender {}, nonce {nonce}) in L2 block {}",
        ether(amount),
        to.unwrap_or(key.address()),
        hash.as_str().unwrap_or_default(),
        key.address(),
        receipt["blockNumber"]
    );
    println!(
        "it can be collected once the output covering it is finalized (about {} s after it is \
         proposed); then run:\n  baton withdraw finalize --tx {}",
        d.parameters.finalization_period,
        hash.as_str().unwrap_or_default()
    );
    Ok(())
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
        None => l2_nonce(&args.endpoints.l2_rpc, key.address(), "latest")
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
    if let Ok(pending) = l2_nonce(l2_rpc, account, "pending").await
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
        at.saturating_sub(crate::status::l1_now(&l1).await?)
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
    let left = at.saturating_sub(crate::status::l1_now(&l1).await?);
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

/// `baton status`.
pub(crate) async fn status(args: StatusArgs) -> eyre::Result<()> {
    let (l1, d) = args.endpoints.connect().await?;
    let snapshot = crate::status::Snapshot::read(&l1, &d, Some(&args.endpoints.l2_rpc)).await?;
    println!("{}", snapshot.report(|a| a.to_string()));
    if let Some(account) = args.address {
        println!(
            "{}",
            crate::status::account_report(&l1, &d, &args.endpoints.l2_rpc, account).await?
        );
    }
    Ok(())
}

/// [`send`] for the portal's calls (the withdrawal module).
pub(crate) async fn send_portal(
    what: &str,
    call: CallBuilder<impl Provider, impl CallDecoder>,
) -> eyre::Result<TransactionReceipt> {
    send::<IPortal::IPortalErrors, _, _>(what, call).await
}
