//! End-to-end tests of `baton node`: three real node processes with different keys on a real
//! anvil with the contracts deployed by the real deploy script. One test binary keeps link
//! time down.

mod deposits;
mod devnet;
mod disputes;
mod evm;
mod forcing;
mod harness;
mod outage;
mod rejections;
mod resilience;
mod scenarios;
mod slashing;
mod user_cli;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use baton_bindings::IBatchInbox;
use baton_core::{BlockHeader, l2, recover_signer};
use eyre::{OptionExt, WrapErr, ensure};
use harness::{events, rpc, start_network_on};
use serde_json::{Value, json};
use std::{
    collections::{BTreeSet, HashMap},
    time::Duration,
};

/// Checks a preconfirmation: the header's signature recovers to a bonded operator's signer,
/// the block hash is the header's, and the Merkle proof puts the transaction under its txRoot.
fn check_preconfirmation(
    preconf: &Value,
    tx: B256,
    operators: &[Address],
    domain: &baton_core::Eip712Domain,
) -> eyre::Result<BlockHeader> {
    let header: BlockHeader = serde_json::from_value(preconf["header"].clone())?;
    let signature: alloy::primitives::Bytes = serde_json::from_value(preconf["signature"].clone())
        .wrap_err("the preconfirmation carries no signature")?;
    let signer = recover_signer(&header.signing_digest(domain), &signature)?;
    ensure!(
        operators.contains(&signer),
        "signed by {signer}, not an operator"
    );
    let block_hash: B256 = serde_json::from_value(preconf["blockHash"].clone())?;
    ensure!(
        block_hash == l2::block_hash(&header),
        "block hash is not the header's"
    );
    let index: usize = serde_json::from_value(preconf["txIndex"].clone())?;
    let proof: Vec<B256> = serde_json::from_value(preconf["proof"].clone())?;
    ensure!(
        l2::verify_tx_proof(header.txRoot, tx, index, &proof),
        "the Merkle proof does not verify"
    );
    Ok(header)
}

/// Transactions sent to every node, with alloy and with `cast send`, are preconfirmed, reach L1
/// in order, and every node derives the same chain; leadership rotates across epochs. On the
/// ledger and on the EVM chain.
#[tokio::test(flavor = "multi_thread")]
async fn three_ledger_nodes_sequence_rotate_and_agree() -> eyre::Result<()> {
    sequence_rotate_and_agree_on("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn three_nodes_sequence_rotate_and_agree() -> eyre::Result<()> {
    sequence_rotate_and_agree_on("devnet").await
}

async fn sequence_rotate_and_agree_on(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_on("agree", profile).await?;
    let d = &net.devnet.deployment;
    let domain = d.domain();
    let operators = net.operators();
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[5].clone());
    let recipient = Address::repeat_byte(0x42);
    let mut sent: Vec<(B256, u64)> = Vec::new();
    let mut max_block = 0u64;

    // alloy, round-robin over the three nodes, across several epochs.
    let epoch_secs = d.parameters.epoch_length * d.parameters.l1_block_time;
    let rounds = 3 * epoch_secs as usize;
    for i in 0..rounds {
        let node = &net.nodes[i % 3];
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(user.clone()))
            .connect_http(node.url.parse()?);
        let tx = TransactionRequest::default()
            .with_to(recipient)
            .with_value(U256::from(1_000 + i));
        let pending = provider
            .send_transaction(tx)
            .await
            .wrap_err_with(|| format!("sending to {}:\n{}", node.url, node.log()))?;
        let receipt = pending
            .with_timeout(Some(Duration::from_secs(60)))
            .get_receipt()
            .await
            .wrap_err_with(|| format!("receipt from {}:\n{}", node.url, node.log()))?;
        ensure!(receipt.status(), "transfer {i} failed on L2");
        let number = receipt.block_number.ok_or_eyre("receipt without a block")?;
        sent.push((receipt.transaction_hash, number));
        max_block = max_block.max(number);
        tokio::time::sleep(Duration::from_millis(700)).await;
    }

    // cast send against the second node, with the standard anvil key 6.
    let cast = baton_devnet::foundry_tool("BATON_CAST", "cast")?;
    let cast_key = alloy::primitives::hex::encode_prefixed(net.devnet.anvil.keys()[6].to_bytes());
    let mut cmd = std::process::Command::new(&cast);
    cmd.args([
        "send",
        "--rpc-url",
        &net.nodes[1].url,
        "--private-key",
        &cast_key,
        "--json",
    ])
    .arg(recipient.to_string())
    .args(["--value", "12345"]);
    let output = baton_devnet::command::run(cmd, Duration::from_secs(120)).await?;
    ensure!(
        output.status.success(),
        "cast send failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        net.nodes[1].log()
    );
    let cast_receipt: Value = serde_json::from_slice(&output.stdout)?;
    ensure!(
        cast_receipt["status"] == json!("0x1"),
        "cast receipt: {cast_receipt}"
    );
    let cast_block = u64::from_str_radix(
        cast_receipt["blockNumber"]
            .as_str()
            .unwrap_or("0x0")
            .trim_start_matches("0x"),
        16,
    )?;
    max_block = max_block.max(cast_block);

    // Everything reaches L1 and every node derives the same blocks and state roots.
    net.wait_safe(max_block, Duration::from_secs(90)).await?;
    for number in [1, max_block / 2, max_block] {
        let blocks = net.blocks_at(number).await?;
        ensure!(
            blocks.iter().all(|b| b == &blocks[0]),
            "nodes disagree on block {number}: {blocks:?}"
        );
    }
    for node in &net.nodes {
        let balance = rpc(&node.url, "eth_getBalance", json!([recipient, "safe"])).await?;
        let expected: u64 = (0..rounds as u64).map(|i| 1_000 + i).sum::<u64>() + 12_345;
        ensure!(
            balance == json!(U256::from(expected)),
            "{}: recipient holds {balance}",
            node.url
        );
    }

    // In order: the user's transactions sit in non-decreasing blocks, each preconfirmed by a
    // signature that verifies and marked as derived from L1.
    let mut last = 0;
    for (hash, number) in &sent {
        ensure!(
            *number >= last,
            "transaction {hash} in block {number} before block {last}"
        );
        last = *number;
        // A node that learned the block from L1 alone holds no signature for it; the node the
        // user sent to (or the leader) does.
        let mut header = None;
        for node in &net.nodes {
            let preconf = rpc(&node.url, "baton_getPreconfirmation", json!([hash])).await?;
            ensure!(
                preconf["onL1"] == json!(true),
                "{hash} not derived from L1 on {}",
                node.url
            );
            if !preconf["signature"].is_null() {
                header = Some(check_preconfirmation(&preconf, *hash, &operators, &domain)?);
            }
        }
        let header = header.ok_or_eyre("no node holds a signed preconfirmation")?;
        ensure!(
            header.number == *number,
            "preconfirmed in block {}, receipt says {number}",
            header.number
        );
    }

    // Leadership rotates: records on L1 come from more than one operator. The draw is random,
    // so the same operator may lead the few epochs above (one run in ten or so); leaders keep
    // posting every epoch, so wait up to eight more epochs for a second poster.
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let deadline = std::time::Instant::now() + Duration::from_secs(8 * epoch_secs + 10);
    let posters = loop {
        let posters: BTreeSet<Address> =
            events::<IBatchInbox::RecordAppended>(&provider, d.batch_inbox)
                .await?
                .iter()
                .map(|e| e.operator)
                .collect();
        if posters.len() >= 2 || std::time::Instant::now() > deadline {
            break posters;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    ensure!(posters.len() >= 2, "only {posters:?} posted records");

    // No operator ever signed two headers for one height.
    let mut seen: HashMap<u64, B256> = HashMap::new();
    for node in &net.nodes {
        let blocks: Vec<Value> = serde_json::from_value(
            rpc(&node.url, "baton_getSignedBlocks", json!([0, 2000])).await?,
        )?;
        for b in blocks {
            let header: BlockHeader = serde_json::from_value(b["header"].clone())?;
            let hash = l2::block_hash(&header);
            if let Some(prev) = seen.insert(header.number, hash) {
                ensure!(prev == hash, "two headers for height {}", header.number);
            }
        }
    }

    // Metrics are served.
    let metrics = net.metrics(0).await?;
    ensure!(
        metrics.contains("baton_records_posted_total"),
        "metrics: {metrics}"
    );
    Ok(())
}
