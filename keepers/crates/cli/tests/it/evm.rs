//! Three nodes on the devnet deployment, the EVM chain (`script/profiles/devnet.json`): `forge create` deploys
//! OpenZeppelin's ERC-20 through one node, `cast send` through another moves tokens, `cast
//! call` and `cast logs` on the third see it; the blocks reach L1 and every node derives the
//! same EVM blocks and state; the preconfirmation proves the transfer under a signed header;
//! a node killed with SIGKILL comes back with its chain; the deployment's dispute game is the
//! game over blocks, its genesis leaf the nodes' genesis header; the proposer's outputs commit to
//! the nodes' blocks and the challenger agrees; withdrawals made by an account and by a contract
//! are proven against a finalized output's header and paid on L1. A dispute over blocks is
//! played in `disputes.rs`.

use crate::{
    check_preconfirmation,
    harness::{KeeperProc, NetOptions, metric, proposed_root, rpc, start_network_with, wait_for},
    user_cli::{baton, finalize_tx_of},
};
use alloy::{
    primitives::{Address, B256, U256},
    providers::{Provider, ProviderBuilder},
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

/// `forge create` of `contract` through `url`: its address.
async fn deploy(url: &str, key: &str, contract: &str, args: &[&str]) -> eyre::Result<String> {
    let mut command = vec![
        "create",
        contract,
        "--rpc-url",
        url,
        "--private-key",
        key,
        "--broadcast",
        "--json",
    ];
    if !args.is_empty() {
        command.push("--constructor-args");
        command.extend(args);
    }
    let created = tool("forge", &command).await?;
    let created: Value = serde_json::from_str(&created[created.find('{').unwrap_or(0)..])?;
    Ok(created["deployedTo"]
        .as_str()
        .ok_or_eyre("forge create printed no address")?
        .to_string())
}

fn key_of(net: &crate::harness::Network, i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(net.devnet.anvil.keys()[i].clone())
}

fn block_number(receipt: &Value) -> eyre::Result<u64> {
    let hex = receipt["blockNumber"]
        .as_str()
        .ok_or_eyre("receipt without a block")?;
    Ok(u64::from_str_radix(hex.trim_start_matches("0x"), 16)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn evm_nodes_run_an_erc20_and_agree() -> eyre::Result<()> {
    let mut net = start_network_with(
        "erc20",
        &NetOptions {
            // The proposer sends from operator 0's signer key, its node from the operator key.
            separate_signer: true,
            ..Default::default()
        },
    )
    .await?;
    let d = net.devnet.deployment.clone();
    let user = key_of(&net, 5);
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
    let token = deploy(
        &urls[0],
        &key,
        "test/bench/BenchToken.sol:BenchToken",
        &[SUPPLY],
    )
    .await
    .wrap_err_with(|| net.nodes[0].log())?;

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

    // The keepers derive the EVM chain: the proposer's outputs commit to the header hash of
    // each output's last block as the nodes hold it, and the challenger, deriving on its own,
    // checks them and disputes none.
    let mut proposer = KeeperProc::start(&net, "proposer", key_of(&net, 10), &[])?;
    let mut challenger = KeeperProc::start(&net, "challenger", key_of(&net, 11), &[])?;
    let oracle = d.output_oracle(&l1);
    let logs = || format!("{}\n{}", proposer.log(), challenger.log());
    wait_for(
        "the challenger to check two outputs",
        Duration::from_secs(180),
        logs,
        || async {
            let text = challenger.metrics().await.unwrap_or_default();
            Ok((metric(&text, "baton_keeper_outputs_checked").unwrap_or(0) >= 2).then_some(()))
        },
    )
    .await?;
    for index in 0..2u64 {
        let root = proposed_root(&l1, &d, index).await?;
        for url in &urls {
            let block = rpc(url, "eth_getBlockByHash", json!([root, false])).await?;
            ensure!(
                !block.is_null(),
                "output {index}'s root {root} is not a block {url} holds"
            );
        }
        let verified = oracle
            .verifyStateRoot(U256::from(index), root)
            .call()
            .await?;
        ensure!(verified.matches, "output {index} does not commit to {root}");
    }
    let games = d.dispute_game(&l1).gameCount().call().await?;
    ensure!(
        games == U256::ZERO,
        "the honest challenger opened {games} games\n{}",
        logs()
    );

    // Withdrawals: one by the user's own call to the predeploy (`baton withdraw start`), one by
    // a contract it calls. `baton withdraw finalize` derives the chain from L1 itself, proves
    // each against the header of the first finalized output holding it, and the portal pays.
    // The portal pays out only what was deposited (the devnet's genesis credits accounts on L2
    // without backing): the deposits back the withdrawals.
    let (ok, out, _) = baton(&net, Some(&user), &["deposit", "--amount", "1"]).await?;
    ensure!(ok, "deposit: {out}");
    let to_user = Address::repeat_byte(0xe1);
    let (ok, out, _) = baton(
        &net,
        Some(&user),
        &[
            "withdraw",
            "start",
            "--amount",
            "0.25",
            "--to",
            &to_user.to_string(),
        ],
    )
    .await?;
    ensure!(ok, "withdraw start: {out}");
    let by_user = finalize_tx_of(&out)?;
    let withdrawer = deploy(
        &urls[0],
        &key,
        "test/mocks/L2Withdrawer.sol:L2Withdrawer",
        &[],
    )
    .await?;
    let to_contract = Address::repeat_byte(0xe2);
    let sent = tool(
        "cast",
        &[
            "send",
            &withdrawer,
            "withdrawTo(address)",
            &to_contract.to_string(),
            "--value",
            "0.5ether",
            "--private-key",
            &key,
            "--json",
            "--rpc-url",
            &urls[1],
        ],
    )
    .await?;
    let sent: Value = serde_json::from_str(&sent)?;
    ensure!(
        sent["status"] == json!("0x1"),
        "the contract's withdrawal failed: {sent}"
    );
    let by_contract = sent["transactionHash"]
        .as_str()
        .ok_or_eyre("no transaction hash")?
        .to_string();
    // A deposit that calls a contract (`baton deposit --call`): 0.5 ETH minted to the user on L2
    // and sent to the withdrawer, which withdraws it back to L1 in the same call.
    let by_deposit_to = Address::repeat_byte(0xe3);
    let calldata = tool(
        "cast",
        &[
            "calldata",
            "withdrawTo(address)",
            &by_deposit_to.to_string(),
        ],
    )
    .await?;
    let (ok, out, _) = baton(
        &net,
        Some(&user),
        &[
            "deposit",
            "--amount",
            "0.5",
            "--to",
            &withdrawer,
            "--call",
            calldata.trim(),
            "--gas",
            "200000",
        ],
    )
    .await?;
    ensure!(ok && out.contains("succeeded"), "the deposit's call: {out}");
    let by_deposit = out
        .split_whitespace()
        .skip_while(|w| *w != "will")
        .nth(2)
        .ok_or_else(|| eyre::eyre!("no L2 transaction hash in: {out}"))?
        .to_string();
    let receipt = rpc(&urls[2], "eth_getTransactionReceipt", json!([by_deposit])).await?;
    ensure!(
        receipt["type"] == json!("0x7e")
            && receipt["logs"].as_array().is_some_and(|l| !l.is_empty()),
        "the deposit call's receipt on another node: {receipt}"
    );
    let (ok, out, _) = baton(
        &net,
        Some(&user),
        &["withdraw", "finalize", "--tx", &by_user],
    )
    .await?;
    ensure!(
        ok && out.contains("not "),
        "an early finalize says what it waits for: {out}"
    );
    let mut unpaid = vec![
        (by_user.clone(), "0.25"),
        (by_contract, "0.5"),
        (by_deposit, "0.5"),
    ];
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while !unpaid.is_empty() {
        ensure!(
            std::time::Instant::now() < deadline,
            "withdrawals {unpaid:?} not paid within 300 s\n{}",
            logs()
        );
        let mut left = Vec::new();
        for (tx, amount) in unpaid {
            let (_, out, _) =
                baton(&net, Some(&user), &["withdraw", "finalize", "--tx", &tx]).await?;
            if !out.contains(&format!("paid {amount} ETH")) {
                left.push((tx, amount));
            }
        }
        unpaid = left;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let ether = U256::from(10u64).pow(U256::from(18));
    ensure!(l1.get_balance(to_user).await? == ether / U256::from(4));
    ensure!(l1.get_balance(to_contract).await? == ether / U256::from(2));
    ensure!(l1.get_balance(by_deposit_to).await? == ether / U256::from(2));
    let (ok, _, err) = baton(
        &net,
        Some(&user),
        &["withdraw", "finalize", "--tx", &by_user],
    )
    .await?;
    ensure!(
        !ok && err.contains("already paid"),
        "a second finalize: {err}"
    );
    proposer.kill9().await?;
    challenger.kill9().await?;

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
