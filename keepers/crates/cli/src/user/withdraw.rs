//! `baton withdraw start` starts a withdrawal on L2; `baton withdraw finalize` proves it against
//! a finalized output and collects it on L1. On the ledger (here) the withdrawal is a transfer
//! to the withdrawal address; on the EVM chain (`withdraw_evm.rs`) a call to the withdrawal
//! predeploy.
//!
//! The proof comes from this command's own derivation of L1 (the keepers' [`Deriver`], in a
//! throw-away directory, [`own_derivation`]), not from a node: the user trusts only L1. The
//! derivation also says which output first holds the withdrawal, and so how long is left
//! ([`final_output`]).

use super::{l2_nonce, signed_l2_transfer};
use crate::common::{Endpoints, ether, l1_now, l2_provider, parse_amount, send};
use alloy::{consensus::Transaction as _, eips::BlockNumberOrTag, providers::Provider};
use alloy::{
    primitives::{Address, B256, Bytes, U256},
    signers::local::PrivateKeySigner,
};
use baton_bindings::Deployment;
use baton_bindings::IPortal;
use baton_core::ledger::{WITHDRAWAL_ADDRESS, withdrawal_key, withdrawal_leaf};
use baton_keeper::deriver::{DerivedChain, Deriver, ledger::LedgerDerivation};
use baton_l1::{
    KeyArgs, L1Reader,
    connect::{connect_l1, ledger_config},
};
use clap::Subcommand;
use eyre::{OptionExt, WrapErr, bail, ensure};
use std::time::{Duration, Instant};

/// `baton withdraw`.
#[derive(Debug, Subcommand)]
pub(crate) enum WithdrawCommand {
    /// Start a withdrawal on L2: on the ledger a transfer to the withdrawal address, on the EVM
    /// chain a call to the withdrawal predeploy (`L2Withdrawals.withdraw`).
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
        /// The L2 transaction hash `withdraw start` printed (on the EVM chain, any transaction
        /// that withdrew through the predeploy, from an account or a contract).
        #[arg(long)]
        tx: B256,
        #[command(flatten)]
        endpoints: Endpoints,
        #[command(flatten)]
        key: KeyArgs,
    },
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
            finalize(tx, &endpoints, &key.load()?).await
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
    if !d.parameters.l2_execution.is_ledger() {
        return super::withdraw_evm::start(amount, to, endpoints, &d, key).await;
    }
    let l2 = &endpoints.l2_rpc;
    let nonce = l2_nonce(l2, key.address(), BlockNumberOrTag::Pending)
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
        // The ledger's base fee is fixed.
        d.parameters.l2_base_fee.try_into()?,
    )
    .await?;
    let l2 = l2_provider(l2)?;
    let hash = *l2
        .send_raw_transaction(&raw)
        .await
        .wrap_err("the L2 node refused the withdrawal")?
        .tx_hash();
    println!("sent L2 tx {hash} (keep it: `withdraw finalize --tx` needs it)");
    let started = Instant::now();
    let receipt = loop {
        // A failed poll is retried: the transaction is sent, and its hash is printed above.
        if let Ok(Some(r)) = l2.get_transaction_receipt(hash).await {
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
        receipt.status(),
        "the withdrawal {hash} failed on L2 (in L2 block {:?})",
        receipt.block_number
    );
    println!(
        "withdrawal of {} ETH to {} started: L2 tx {hash} (sender {}, nonce {nonce}) in L2 block {}",
        ether(amount),
        to.unwrap_or(key.address()),
        key.address(),
        receipt.block_number.unwrap_or_default()
    );
    print_next_step(&d, hash);
    Ok(())
}

/// Tells how to finish the withdrawal L2 transaction `hash` started, and when.
pub(super) fn print_next_step(d: &Deployment, hash: B256) {
    println!(
        "it can be collected once the output covering it is finalized (about {} s after it is \
         proposed); then run:\n  baton withdraw finalize --tx {hash}",
        d.parameters.finalization_period,
    );
}

/// The withdrawal an L2 transaction made.
struct Withdrawal {
    sender: Address,
    nonce: u64,
    recipient: Address,
    amount: U256,
}

/// Reads the withdrawal `tx` made from the L2 node, checking that it is one.
async fn read_withdrawal(l2_rpc: &str, tx: B256) -> eyre::Result<Withdrawal> {
    let l2 = l2_provider(l2_rpc)?;
    let t = l2
        .get_transaction_by_hash(tx)
        .await?
        .ok_or_else(|| eyre::eyre!("{l2_rpc} does not know L2 transaction {tx}"))?;
    let r = l2.get_transaction_receipt(tx).await?;
    ensure!(
        r.is_some_and(|r| r.status()),
        "L2 transaction {tx} did not succeed: it withdrew nothing"
    );
    let to = t.to();
    ensure!(
        to == Some(WITHDRAWAL_ADDRESS),
        "L2 transaction {tx} is not a withdrawal (it goes to {:?}, not {WITHDRAWAL_ADDRESS})",
        to
    );
    let sender = t.inner.signer();
    let (nonce, amount, input) = (t.nonce(), t.value(), t.input());
    let recipient = match input.len() {
        0 => sender,
        20 => Address::from_slice(input),
        n => bail!("L2 transaction {tx} carries {n} bytes of data: not a withdrawal"),
    };
    Ok(Withdrawal {
        sender,
        nonce,
        recipient,
        amount,
    })
}

/// `baton withdraw finalize --tx`.
async fn finalize(tx: B256, endpoints: &Endpoints, key: &PrivateKeySigner) -> eyre::Result<()> {
    let (l1, d) = endpoints.connect_as(key).await?;
    if !d.parameters.l2_execution.is_ledger() {
        return super::withdraw_evm::finalize(tx, endpoints, &l1, &d).await;
    }
    let w = read_withdrawal(&endpoints.l2_rpc, tx).await?;
    let key_hash = withdrawal_key(w.sender, w.nonce);
    let portal = d.portal(&l1);
    ensure!(
        !portal.withdrawn(key_hash).call().await?,
        "this withdrawal ({} ETH to {}) was already paid",
        ether(w.amount),
        w.recipient
    );

    let genesis = endpoints.l1.load_genesis(&d)?;
    let ledger = LedgerDerivation::new(genesis.state(), ledger_config(&d)?, d.portal);
    let (mut deriver, _dir) =
        own_derivation(endpoints, &d, |_| Ok(DerivedChain::Ledger(ledger))).await?;
    let leaf = withdrawal_leaf(w.recipient, w.amount);
    let first = (0..deriver.outputs_derived()).find(|&k| {
        deriver
            .output_state(k)
            .is_some_and(|s| s.withdrawal_proof(&key_hash).leaf == leaf)
    });
    let Some(index) = final_output(&l1, &d, &deriver, first).await? else {
        return Ok(());
    };
    let state = deriver.output_state(index).ok_or_eyre("derived state")?;
    let proof = state.withdrawal_proof(&key_hash);
    let mut encoded = Vec::new();
    proof.encode_siblings(&mut encoded);
    let receipt = send::<IPortal::IPortalErrors, _, _>(
        "Portal.finalizeWithdrawal",
        portal.finalizeWithdrawal(IPortal::WithdrawalProof {
            outputIndex: U256::from(index),
            stateRoot: state.root(),
            accountsRoot: state.accounts_root(),
            withdrawalsRoot: state.withdrawals_root(),
            l2Sender: w.sender,
            nonce: w.nonce,
            l1Recipient: w.recipient,
            amount: w.amount,
            proof: encoded.into(),
        }),
    )
    .await?;
    paid(w.amount, w.recipient, index, receipt.transaction_hash);
    Ok(())
}

/// Prints what a finalized withdrawal paid.
pub(super) fn paid(amount: U256, recipient: Address, index: u64, l1_tx: B256) {
    println!(
        "paid {} ETH to {recipient} on L1 (proven against output {index}; L1 tx {l1_tx})",
        ether(amount),
    );
}

/// This command's own derivation of L1 from genesis on the chain `chain` builds (given the
/// directory), in a throw-away directory removed when the returned guard drops.
pub(super) async fn own_derivation(
    endpoints: &Endpoints,
    d: &Deployment,
    chain: impl FnOnce(&std::path::Path) -> eyre::Result<DerivedChain>,
) -> eyre::Result<(Deriver, baton_devnet::RemoveDirOnDrop)> {
    let (reader_provider, _) = connect_l1(&endpoints.l1.l1_rpc, d).await?;
    let dir = std::env::temp_dir().join(format!("baton-withdraw-{}", std::process::id()));
    // A directory left by a killed run with the same process id is not ours to read.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let cleanup = baton_devnet::RemoveDirOnDrop(dir.clone());
    let mut deriver = Deriver::open(
        &dir.join("l1.sqlite"),
        L1Reader::new(reader_provider, d.clone(), 0),
        chain(&dir)?,
        d.parameters.output_interval,
    )?;
    deriver.catch_up().await.wrap_err("deriving L2 from L1")?;
    Ok((deriver, cleanup))
}

/// The output a withdrawal is proven against: `first`, the first output derived here that
/// holds it, once it is proposed, commits to the root derived here and is finalized. Otherwise
/// says what it waits for (and how long) and returns `None`.
pub(super) async fn final_output<P: Provider>(
    l1: &P,
    d: &Deployment,
    deriver: &Deriver,
    first: Option<u64>,
) -> eyre::Result<Option<u64>> {
    let oracle = d.output_oracle(l1);
    let proposed: u64 = oracle.outputCount().call().await?.try_into()?;
    let finalized: u64 = oracle.finalizedCount().call().await?.try_into()?;
    let Some(index) = first else {
        println!(
            "not provable yet: no output boundary derived from L1 holds this withdrawal. It is \
             in the L2 chain; it needs the records up to the next output boundary (every {} \
             records; {} records are on L1) and that output proposed.",
            d.parameters.output_interval,
            deriver.record_count()
        );
        return Ok(None);
    };
    if index >= proposed {
        println!(
            "not provable yet: output {index} will hold it, and {proposed} outputs are proposed; \
             the proposer proposes it once its last record is on L1. It is final {} s after that.",
            d.parameters.finalization_period
        );
        return Ok(None);
    }
    let root = deriver
        .proposal_root(index)
        .ok_or_eyre("the derived output root")?;
    let matches = oracle
        .verifyStateRoot(U256::from(index), root)
        .call()
        .await?;
    ensure!(
        matches.matches,
        "output {index} on L1 does not commit to the root derived here ({root}): it is wrong, \
         and a challenger should dispute it; wait for it to be replaced"
    );
    if index >= finalized {
        let on_chain = oracle.outputAt(U256::from(index)).call().await?;
        let final_at = on_chain.proposedAt.to::<u64>() + d.parameters.finalization_period;
        println!(
            "not final yet: output {index} holds this withdrawal and may be finalized in {} s \
             (finalization period {} s, unless disputed). Run this command again then.",
            final_at.saturating_sub(l1_now(l1).await?),
            d.parameters.finalization_period
        );
        return Ok(None);
    }
    Ok(Some(index))
}
