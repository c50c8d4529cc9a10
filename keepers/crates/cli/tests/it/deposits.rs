//! Force-queue entries reach L2 through the node: a portal deposit is credited, and a user's
//! force-queued transfer is executed, both in the leader's next record (long before their
//! deadline), the same on every node; on the ledger and on the EVM chain.

use crate::harness::{enqueue_transfer, rpc, start_network_on};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::ProviderBuilder,
    signers::local::PrivateKeySigner,
};
use eyre::{bail, ensure};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn deposits_and_force_queued_transfers_reach_the_ledger() -> eyre::Result<()> {
    deposits_and_forced_transfers_on("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn deposits_and_force_queued_transfers_reach_l2() -> eyre::Result<()> {
    deposits_and_forced_transfers_on("devnet").await
}

async fn deposits_and_forced_transfers_on(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_on("deposit", profile).await?;
    let d = &net.devnet.deployment;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[4].clone());
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(net.devnet.anvil.endpoint_url());
    let ether = U256::from(10u64).pow(U256::from(18));
    let fee = d.parameters.inclusion_fee;

    // A deposit to a fresh L2 account through the portal.
    let depositee = Address::repeat_byte(0xd0);
    let receipt = d
        .portal(&l1)
        .deposit(depositee)
        .value(ether + fee)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "deposit reverted");

    // A signed L2 transfer force-queued on L1 by its sender.
    let forced_to = Address::repeat_byte(0xf0);
    enqueue_transfer(&net, &user, forced_to, 777).await?;

    // Both land well before the 30-block deadline, on every node's L1-derived state.
    let started = Instant::now();
    'wait: loop {
        for node in &net.nodes {
            let credited = rpc(&node.url, "eth_getBalance", json!([depositee, "safe"])).await?;
            let moved = rpc(&node.url, "eth_getBalance", json!([forced_to, "safe"])).await?;
            if credited != json!(ether) || moved != json!(U256::from(777u64)) {
                if started.elapsed() > Duration::from_secs(25) {
                    bail!(
                        "{}: deposit {credited}, forced transfer {moved}:\n{}",
                        node.url,
                        node.log()
                    );
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue 'wait;
            }
        }
        break;
    }
    // The entries were consumed by a sequenced record, not a forced one.
    let inbox = d.batch_inbox(&l1);
    let count: u64 = inbox.recordCount().call().await?.try_into()?;
    for i in 0..count {
        let censored = inbox.censoredEpochOf(U256::from(i)).call().await?;
        ensure!(!censored.forced, "record {i} is a forced record");
    }
    Ok(())
}
