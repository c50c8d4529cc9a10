//! `baton withdraw finalize`: prove an L2 withdrawal against a finalized output and collect it.
//!
//! The proof comes from this command's own derivation of L1 (the keepers' [`Deriver`], in a
//! throw-away directory), not from a node: the user trusts only L1. The derivation also says
//! which output first holds the withdrawal, and so how long is left.

use crate::user::{Endpoints, ether, send_portal};
use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use baton_bindings::IPortal;
use baton_core::ledger::{WITHDRAWAL_ADDRESS, withdrawal_key, withdrawal_leaf};
use baton_keeper::deriver::Deriver;
use baton_node::{
    follow::L1Reader,
    service::{connect_l1, ledger_config, load_genesis},
};
use eyre::{OptionExt, WrapErr, bail, ensure};
use serde_json::json;

/// The withdrawal an L2 transaction made.
struct Withdrawal {
    sender: Address,
    nonce: u64,
    recipient: Address,
    amount: U256,
}

/// Reads the withdrawal `tx` made from the L2 node, checking that it is one.
async fn read_withdrawal(l2_rpc: &str, tx: B256) -> eyre::Result<Withdrawal> {
    let t = crate::rpc::call(l2_rpc, "eth_getTransactionByHash", json!([tx])).await?;
    ensure!(!t.is_null(), "{l2_rpc} does not know L2 transaction {tx}");
    let r = crate::rpc::call(l2_rpc, "eth_getTransactionReceipt", json!([tx])).await?;
    ensure!(
        r["status"] == json!("0x1"),
        "L2 transaction {tx} did not succeed: it withdrew nothing"
    );
    let to: Option<Address> = serde_json::from_value(t["to"].clone()).ok();
    ensure!(
        to == Some(WITHDRAWAL_ADDRESS),
        "L2 transaction {tx} is not a withdrawal (it goes to {:?}, not {WITHDRAWAL_ADDRESS})",
        to
    );
    let sender: Address = serde_json::from_value(t["from"].clone())?;
    let nonce: alloy::primitives::U64 = serde_json::from_value(t["nonce"].clone())?;
    let amount: U256 = serde_json::from_value(t["value"].clone())?;
    let input: alloy::primitives::Bytes = serde_json::from_value(t["input"].clone())?;
    let recipient = match input.len() {
        0 => sender,
        20 => Address::from_slice(&input),
        n => bail!("L2 transaction {tx} carries {n} bytes of data: not a withdrawal"),
    };
    Ok(Withdrawal {
        sender,
        nonce: nonce.to(),
        recipient,
        amount,
    })
}

/// `baton withdraw finalize --tx`.
pub(crate) async fn finalize(
    tx: B256,
    endpoints: &Endpoints,
    key: &PrivateKeySigner,
) -> eyre::Result<()> {
    let w = read_withdrawal(&endpoints.l2_rpc, tx).await?;
    let (l1, d) = endpoints.connect_as(key).await?;
    let key_hash = withdrawal_key(w.sender, w.nonce);
    let portal = d.portal(&l1);
    ensure!(
        !portal.withdrawn(key_hash).call().await?,
        "this withdrawal ({} ETH to {}) was already paid",
        ether(w.amount),
        w.recipient
    );

    // Our own derivation of L1, from genesis.
    let genesis_path = std::path::PathBuf::from(format!("script/genesis/{}.json", d.profile));
    let genesis = load_genesis(&genesis_path, &d)?;
    let (reader_provider, _) = connect_l1(&endpoints.l1_rpc, &d).await?;
    let dir = std::env::temp_dir().join(format!("baton-withdraw-{}", std::process::id()));
    // A directory left by a killed run with the same process id is not ours to read.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let _cleanup = baton_devnet::RemoveDirOnDrop(dir.clone());
    let mut deriver = Deriver::open(
        &dir.join("l1.sqlite"),
        L1Reader::new(reader_provider, d.clone(), 0),
        genesis.state(),
        ledger_config(&d)?,
        d.portal,
        d.parameters.output_interval,
    )?;
    deriver.catch_up().await.wrap_err("deriving L2 from L1")?;

    let leaf = withdrawal_leaf(w.recipient, w.amount);
    let first = (0..deriver.outputs_derived()).find(|&k| {
        deriver
            .output_state(k)
            .is_some_and(|s| s.withdrawal_proof(&key_hash).leaf == leaf)
    });
    let oracle = d.output_oracle(&l1);
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
        return Ok(());
    };
    if index >= proposed {
        println!(
            "not provable yet: output {index} will hold it, and {proposed} outputs are proposed; \
             the proposer proposes it once its last record is on L1. It is final {} s after that.",
            d.parameters.finalization_period
        );
        return Ok(());
    }
    let state = deriver.output_state(index).ok_or_eyre("derived state")?;
    let state_root = state.root();
    let on_chain = oracle.outputAt(U256::from(index)).call().await?;
    let matches = oracle
        .verifyStateRoot(U256::from(index), state_root)
        .call()
        .await?;
    ensure!(
        matches.matches,
        "output {index} on L1 does not commit to the state derived here ({state_root}): it is \
         wrong, and a challenger should dispute it; wait for it to be replaced"
    );
    if index >= finalized {
        let final_at = on_chain.proposedAt.to::<u64>() + d.parameters.finalization_period;
        println!(
            "not final yet: output {index} holds this withdrawal and may be finalized in {} s \
             (finalization period {} s, unless disputed). Run this command again then.",
            final_at.saturating_sub(crate::status::l1_now(&l1).await?),
            d.parameters.finalization_period
        );
        return Ok(());
    }
    let proof = state.withdrawal_proof(&key_hash);
    let mut encoded = Vec::new();
    proof.encode_siblings(&mut encoded);
    let receipt = send_portal(
        "Portal.finalizeWithdrawal",
        portal.finalizeWithdrawal(IPortal::WithdrawalProof {
            outputIndex: U256::from(index),
            stateRoot: state_root,
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
    println!(
        "paid {} ETH to {} on L1 (proven against output {index}; L1 tx {})",
        ether(w.amount),
        w.recipient,
        receipt.transaction_hash
    );
    Ok(())
}
