//! Three nodes on an EVM deployment (`script/profiles/devnet-evm.json`): `forge create` deploys
//! OpenZeppelin's ERC-20 through one node, `cast send` through another moves tokens, `cast
//! call` and `cast logs` on the third see it; the blocks reach L1 and every node derives the
//! same EVM blocks and state; the preconfirmation proves the transfer under a signed header;
//! a node killed with SIGKILL comes back with its chain; the deployment's dispute game is the
//! game over blocks, its genesis leaf the nodes' genesis header. What is built for the ledger (the
//! keepers, `baton withdraw`) refuses the deployment and says why.

use crate::{
    check_preconfirmation,
    harness::{free_port, rpc, start_network_on, wait_for},
    user_cli::baton,
};
use alloy::{
    primitives::{Address, B256},
    providers::ProviderBuilder,
    signers::local::PrivateKeySigner,
};
use baton_bindings::IEvmDisputeGame;
use baton_devnet::{foundry_tool, repo_root};
use eyre::{OptionExt, WrapErr, bail, ensure};
use serde_json::{Value, json};
use std::time::Duration;

const SUPPLY: &str = "1000000000000000000000";

/// Runs `forge` or `cast` from the repository root: its stdout, or its stderr as the error.
async fn tool(name: &str, args: &[&str]) -> eyre::Result<String> {
    let path = foundry_tool(&format!("BATON_{}", name.to_uppercase()), name)?;
    let mut cmd = std::process::Command::new(path);
    cmd.args(args).current_dir(repo_root());
    let output = baton_devnet::command::run(cmd, Duration::from_secs(180)).await?;
    if !output.status.success() {
        bail!(
            "{name} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_string())
}

async fn balance_of(url: &str, token: &str, holder: Address, block: &str) -> eyre::Result<String> {
    let out = tool(
        "cast",
        &[
            "call",
            token,
            "balanceOf(address)(uint256)",
            &holder.to_string(),
            "--block",
            block,
            "--rpc-url",
            url,
        ],
    )
    .await?;
    Ok(out
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}

fn block_number(receipt: &Value) -> eyre::Result<u64> {
    let hex = receipt["blockNumber"]
        .as_str()
        .ok_or_eyre("receipt without a block")?;
    Ok(u64::from_str_radix(hex.trim_start_matches("0x"), 16)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn evm_nodes_run_an_erc20_and_agree() -> eyre::Result<()> {
    let mut net = start_network_on("erc20", "devnet-evm").await?;
    let d = net.devnet.deployment.clone();
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[5].clone());
    let key = alloy::primitives::hex::encode_prefixed(user.to_bytes());
    let recipient = Address::repeat_byte(0x42);
    let urls: Vec<String> = net.nodes.iter().map(|n| n.url.clone()).collect();

    // The deployment's game is the game over blocks, and the genesis leaf it computed on L1
    // (`EvmGenesis`) is the genesis header the nodes hold.
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let game = IEvmDisputeGame::new(d.dispute_game, &l1);
    let genesis = rpc(&urls[0], "eth_getBlockByNumber", json!(["0x0", false])).await?;
    let genesis: B256 = serde_json::from_value(genesis["hash"].clone())?;
    ensure!(
        game.genesisHeaderHash().call().await? == genesis,
        "the EVM game's genesis leaf is not the nodes' genesis block {genesis}"
    );
    // Its shared moves are IBisectionGame's (sol! bindings do not follow inheritance).
    let steps = d.dispute_game(&l1).executionSteps().call().await?;
    ensure!(
        steps == alloy::primitives::U256::from(1u64 << 36),
        "{steps} execution steps"
    );

    // forge create through node 0.
    let created = tool(
        "forge",
        &[
            "create",
            "test/bench/BenchToken.sol:BenchToken",
            "--rpc-url",
            &urls[0],
            "--private-key",
            &key,
            "--broadcast",
            "--json",
            "--constructor-args",
            SUPPLY,
        ],
    )
    .await
    .wrap_err_with(|| net.nodes[0].log())?;
    let created: Value = serde_json::from_str(&created[created.find('{').unwrap_or(0)..])?;
    let token = created["deployedTo"]
        .as_str()
        .ok_or_eyre("forge create printed no address")?
        .to_string();

    // cast send through node 1.
    let sent = tool(
        "cast",
        &[
            "send",
            &token,
            "transfer(address,uint256)",
            &recipient.to_string(),
            "1000",
            "--private-key",
            &key,
            "--json",
            "--rpc-url",
            &urls[1],
        ],
    )
    .await
    .wrap_err_with(|| net.nodes[1].log())?;
    let sent: Value = serde_json::from_str(&sent)?;
    ensure!(sent["status"] == json!("0x1"), "transfer failed: {sent}");
    let transfer: B256 = serde_json::from_value(sent["transactionHash"].clone())?;
    let number = block_number(&sent)?;

    // Node 2 sees the transfer and its events.
    wait_for(
        "node 2 to hold the transfer",
        Duration::from_secs(30),
        || net.nodes[2].log(),
        || async {
            let r = rpc(&urls[2], "eth_getTransactionReceipt", json!([transfer])).await?;
            Ok((r["status"] == json!("0x1")).then_some(()))
        },
    )
    .await?;
    ensure!(balance_of(&urls[2], &token, recipient, "latest").await? == "1000");
    let logs = tool(
        "cast",
        &[
            "logs",
            "--from-block",
            "0",
            "--address",
            &token,
            "Transfer(address,address,uint256)",
            "--json",
            "--rpc-url",
            &urls[2],
        ],
    )
    .await?;
    let logs: Vec<Value> = serde_json::from_str(&logs)?;
    ensure!(logs.len() == 2, "the mint and the transfer, got {logs:?}");

    // Settled by L1: every node derives the same EVM blocks, and `safe` holds the transfer.
    net.wait_safe(number, Duration::from_secs(90)).await?;
    for n in [1, number] {
        let blocks = net.blocks_at(n).await?;
        ensure!(
            blocks.iter().all(|b| b == &blocks[0]),
            "nodes disagree on block {n}: {blocks:?}"
        );
    }
    for url in &urls {
        ensure!(balance_of(url, &token, recipient, "safe").await? == "1000");
    }

    // The preconfirmation: a signed header, and the transfer proven under its txRoot.
    let mut signed = None;
    for url in &urls {
        let preconf = rpc(url, "baton_getPreconfirmation", json!([transfer])).await?;
        ensure!(preconf["onL1"] == json!(true), "{url}: {preconf}");
        if !preconf["signature"].is_null() {
            signed = Some(check_preconfirmation(
                &preconf,
                transfer,
                &net.operators(),
                &d.domain(),
            )?);
        }
    }
    let header = signed.ok_or_eyre("no node holds a signed preconfirmation")?;
    ensure!(header.number == number, "preconfirmed in {}", header.number);

    // The ledger's keepers and withdrawals refuse, naming the reason.
    let (ok, _, err) = baton(&net, Some(&user), &["withdraw", "start", "--amount", "0.1"]).await?;
    ensure!(!ok && err.contains("runs the EVM"), "withdraw start: {err}");
    let proposer = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(repo_root())
        .args(["proposer", "--l1-rpc", &net.devnet.anvil.endpoint()])
        .arg("--deployment")
        .arg(&net.devnet.record_path)
        .arg("--keeper-data-dir")
        .arg(net.dir.0.join("proposer"))
        .args([
            "--keeper-metrics-addr",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .env("BATON_PRIVATE_KEY", &key)
        .output();
    let proposer = tokio::time::timeout(Duration::from_secs(60), proposer).await??;
    let err = String::from_utf8_lossy(&proposer.stderr);
    ensure!(
        !proposer.status.success() && err.contains("the proposer is built for the ledger"),
        "the proposer on an EVM deployment: {err}"
    );

    // SIGKILL: the node reopens its chain and goes on.
    net.nodes[2].kill9().await?;
    net.nodes[2].start()?;
    net.wait_ready(&net.nodes[2]).await?;
    ensure!(balance_of(&urls[2], &token, recipient, "safe").await? == "1000");
    let blocks = net.blocks_at(number).await?;
    ensure!(
        blocks.iter().all(|b| b == &blocks[0]),
        "after the restart, nodes disagree on block {number}: {blocks:?}"
    );
    Ok(())
}
