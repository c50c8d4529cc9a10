//! A leader killed with SIGKILL mid-epoch and restarted, and an L1 reorg that removes a posted
//! record: no posted transaction is lost, no second header is signed for a height, and every
//! node ends on the same chain; on the ledger and on the EVM chain.

use crate::harness::{Network, rpc, start_network_on, transfer};
use alloy::{
    primitives::B256,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_core::{BlockHeader, l2};
use eyre::{OptionExt, WrapErr, bail, ensure};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

/// The index of the node acting now (waiting for one).
async fn acting(net: &Network) -> eyre::Result<usize> {
    let started = Instant::now();
    loop {
        for (i, node) in net.nodes.iter().enumerate() {
            if let Ok(status) = rpc(&node.url, "baton_status", json!([])).await
                && status["sequencing"] == json!(true)
            {
                return Ok(i);
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no node ever sequenced");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The signed headers a node serves, by height.
async fn signed_headers(url: &str) -> eyre::Result<HashMap<u64, B256>> {
    let blocks: Vec<Value> =
        serde_json::from_value(rpc(url, "baton_getSignedBlocks", json!([0, 2000])).await?)?;
    blocks
        .into_iter()
        .map(|b| {
            let header: BlockHeader = serde_json::from_value(b["header"].clone())?;
            Ok((header.number, l2::block_hash(&header)))
        })
        .collect()
}

/// Waits until every node has the receipt of `hash` in a block derived from L1.
async fn wait_on_l1(net: &Network, hash: B256) -> eyre::Result<()> {
    let started = Instant::now();
    'outer: loop {
        for node in &net.nodes {
            let preconf = rpc(&node.url, "baton_getPreconfirmation", json!([hash]))
                .await
                .unwrap_or(Value::Null);
            if preconf["onL1"] != json!(true) {
                if started.elapsed() > Duration::from_secs(120) {
                    bail!("{hash} never reached L1 on {}:\n{}", node.url, node.log());
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue 'outer;
            }
        }
        return Ok(());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_ledger_leader_restarts_without_losing_or_resigning() -> eyre::Result<()> {
    killed_leader_on("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_leader_restarts_without_losing_or_resigning() -> eyre::Result<()> {
    killed_leader_on("devnet").await
}

async fn killed_leader_on(profile: &'static str) -> eyre::Result<()> {
    let mut net = start_network_on("kill", profile).await?;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[8].clone());
    let leader = acting(&net).await?;
    let url = net.nodes[leader].url.clone();
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(transfer(&url, &user, 100 + i).await?);
    }
    // Let a record land, then send one more and kill the leader right after its preconfirmation.
    wait_on_l1(&net, sent[0].0).await?;
    let before = signed_headers(&url).await?;
    sent.push(transfer(&url, &user, 200).await?);
    net.nodes[leader].kill9().await?;
    net.nodes[leader].start()?;
    net.wait_ready(&net.nodes[leader]).await?;

    // Signed heights keep their headers after the restart.
    let after = signed_headers(&url).await?;
    for (height, hash) in &before {
        if let Some(again) = after.get(height) {
            ensure!(
                again == hash,
                "height {height} re-signed with another header"
            );
        }
    }
    // Everything posted before the crash is still there; the network goes on.
    for (hash, _) in &sent[..3] {
        wait_on_l1(&net, *hash).await?;
    }
    // From another account: whether the other node has already replayed the restarted
    // leader's last block (and so knows `user`'s next nonce) is not what this test is about.
    let other_user = PrivateKeySigner::from(net.devnet.anvil.keys()[7].clone());
    let (late, _) = transfer(&net.nodes[(leader + 1) % 3].url, &other_user, 300)
        .await
        .wrap_err("a transfer after the restart")?;
    wait_on_l1(&net, late).await?;
    net.ensure_agree_at_safe_head().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_l1_reorg_removing_a_record_is_survived_by_the_ledger() -> eyre::Result<()> {
    reorg_on("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_l1_reorg_removing_a_record_is_survived() -> eyre::Result<()> {
    reorg_on("devnet").await
}

async fn reorg_on(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_on("reorg", profile).await?;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[9].clone());
    let leader = acting(&net).await?;
    let (hash, _) = transfer(&net.nodes[leader].url, &user, 5).await?;
    wait_on_l1(&net, hash).await?;

    // Remove the L1 blocks from the record's on, replacing them with empty ones.
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let records_before: u64 = rpc(&net.nodes[0].url, "baton_status", json!([])).await?["records"]
        .as_u64()
        .unwrap_or(0);
    let inbox = net.devnet.deployment.batch_inbox(&l1);
    let count_before: u64 = inbox.recordCount().call().await?.try_into()?;
    let head = l1.get_block_number().await?;
    let logs = l1
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(net.devnet.deployment.batch_inbox)
                .from_block(head.saturating_sub(20)),
        )
        .await?;
    let record_block = logs
        .last()
        .and_then(|l| l.block_number)
        .ok_or_eyre("no recent record")?;
    let depth = head - record_block + 1;
    l1.raw_request::<_, Value>("anvil_reorg".into(), (depth, Vec::<Value>::new()))
        .await?;
    let count_after: u64 = inbox.recordCount().call().await?.try_into()?;
    ensure!(
        count_after < count_before,
        "the reorg removed no record ({count_before} -> {count_after})"
    );

    // Every node notices, re-derives and converges; the network keeps sequencing and the
    // user's later transaction lands.
    let (later, _) = transfer(&net.nodes[(leader + 1) % 3].url, &user, 6).await?;
    wait_on_l1(&net, later).await?;
    net.ensure_agree_at_safe_head().await?;
    let metrics = net.metrics(0).await?;
    ensure!(
        metrics.contains("baton_l1_reorgs_total 1") || metrics.contains("baton_l1_reorgs_total 2"),
        "no reorg counted:\n{metrics}"
    );
    ensure!(records_before > 0, "no record before the reorg");
    Ok(())
}
