//! The watcher turns misbehaviour into slashes, against real nodes and the real contracts:
//! an equivocating leader (from a user's preconfirmation receipt), a censoring leader (the
//! forced record includes the user's transaction), an offline leader (a backup posts, the missed
//! epoch is slashed). The watcher is killed with `kill -9` and restarted mid-scenario.

use crate::harness::{
    KeeperProc, NetOptions, Network, enqueue_transfer, events, metric, reorg_latest_log_of, rpc,
    start_network_on, start_network_with, transfer, wait_for,
};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use baton_bindings::{IBatchInbox, ISlasher};
use baton_core::{BlockHeader, recover_signer, sign_digest};
use eyre::{OptionExt, ensure};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `ISlasher.Offence`.
const BLOCK_EQUIVOCATION: u8 = 0;
const LIVENESS: u8 = 2;
const CENSORSHIP: u8 = 3;

fn key(net: &Network, i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(net.devnet.anvil.keys()[i].clone())
}

fn watcher(net: &Network) -> eyre::Result<KeeperProc> {
    let nodes: Vec<String> = net.nodes.iter().map(|n| n.url.clone()).collect();
    KeeperProc::start(
        net,
        "watcher",
        key(net, 12),
        &["--nodes".into(), nodes.join(",")],
    )
}

/// The `OffenceSlashed` events of `offence` mined so far.
async fn slashes(net: &Network, offence: u8) -> eyre::Result<Vec<ISlasher::OffenceSlashed>> {
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let logs = provider
        .get_logs(
            &Filter::new()
                .address(net.devnet.deployment.slasher)
                .event_signature(ISlasher::OffenceSlashed::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    Ok(logs
        .iter()
        .filter_map(|l| ISlasher::OffenceSlashed::decode_log(&l.inner).ok())
        .map(|e| e.data)
        .filter(|e| e.offence as u8 == offence)
        .collect())
}

/// Waits for a slash of `offence` that `matches`, then reorganizes L1 to remove it and waits for
/// the watcher to notice and slash again.
async fn slashed_despite_a_reorg(
    net: &Network,
    watcher: &KeeperProc,
    offence: u8,
    what: &str,
    matches: impl Fn(&ISlasher::OffenceSlashed) -> bool + Copy,
) -> eyre::Result<ISlasher::OffenceSlashed> {
    let find = || async move {
        Ok(slashes(net, offence)
            .await?
            .into_iter()
            .find(|e| matches(e)))
    };
    wait_for(what, Duration::from_secs(150), || watcher.log(), find).await?;
    reorg_latest_log_of(net, net.devnet.deployment.slasher).await?;
    ensure!(
        find().await?.is_none(),
        "the reorg left the {what} in place"
    );
    wait_for(
        &format!("the {what} again after the reorg"),
        Duration::from_secs(60),
        || watcher.log(),
        find,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_equivocating_ledger_leader_is_slashed_from_a_users_receipt() -> eyre::Result<()> {
    slashed_from_a_users_receipt("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_equivocating_leader_is_slashed_from_a_users_receipt() -> eyre::Result<()> {
    slashed_from_a_users_receipt("devnet").await
}

async fn slashed_from_a_users_receipt(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_on("equivocation", profile).await?;
    let mut watcher = watcher(&net)?;
    let user = key(&net, 9);
    let (hash, _) = transfer(&net.nodes[0].url, &user, 5).await?;
    let receipt = rpc(&net.nodes[0].url, "baton_getPreconfirmation", json!([hash])).await?;
    let header: BlockHeader = serde_json::from_value(receipt["header"].clone())?;
    let domain = net.devnet.deployment.domain();
    let signature = alloy::primitives::hex::decode(
        receipt["signature"]
            .as_str()
            .ok_or_eyre("receipt without a signature")?,
    )?;
    let signer = recover_signer(&header.signing_digest(&domain), &signature)?;
    let leader = net
        .nodes
        .iter()
        .find(|n| n.key.address() == signer)
        .ok_or_eyre("the receipt's signer is no node's key")?;

    // The watcher restarts (kill -9) before the evidence arrives: it must still act on it.
    watcher.kill9().await?;
    watcher.restart()?;
    wait_for(
        "the watcher's RPC",
        Duration::from_secs(30),
        || watcher.log(),
        || async {
            // Any JSON-RPC answer (here an error for missing params) means it serves.
            Ok(
                crate::harness::rpc_raw(&watcher.rpc_url, "baton_submitEvidence", json!([]))
                    .await
                    .ok()
                    .map(|_| ()),
            )
        },
    )
    .await?;

    // The leader signs a second header for the same height (another transaction root) and the
    // user hands both receipts in with the CLI.
    let mut conflicting = header.clone();
    conflicting.txRoot = B256::repeat_byte(0xee);
    let second = sign_digest(&leader.key, &conflicting.signing_digest(&domain))?;
    let dir = &net.dir.0;
    std::fs::write(dir.join("receipt-a.json"), receipt.to_string())?;
    std::fs::write(
        dir.join("receipt-b.json"),
        json!({"header": conflicting, "signature": Value::String(alloy::primitives::hex::encode_prefixed(second.to_vec()))}).to_string(),
    )?;
    let submitted = Instant::now();
    for file in ["receipt-a.json", "receipt-b.json"] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.args([
            "watcher",
            "submit-evidence",
            "--watcher-rpc",
            &watcher.rpc_url,
            "--receipt",
        ])
        .arg(dir.join(file));
        let out = baton_devnet::command::run(cmd, Duration::from_secs(120)).await?;
        ensure!(
            out.status.success(),
            "submit-evidence {file} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            watcher.log()
        );
    }
    let slashed = wait_for(
        "the equivocation slash",
        Duration::from_secs(60),
        || watcher.log(),
        || async {
            let found = slashes(&net, BLOCK_EQUIVOCATION).await?;
            Ok(found.into_iter().find(|e| e.operator == signer))
        },
    )
    .await?;
    eprintln!(
        "equivocation of block {} slashed {} wei, {} ms after the conflicting receipt was handed in",
        slashed.subject,
        slashed.amount,
        submitted.elapsed().as_millis()
    );
    slashed_despite_a_reorg(
        &net,
        &watcher,
        BLOCK_EQUIVOCATION,
        "equivocation slash",
        |e| e.operator == signer,
    )
    .await?;
    ensure!(
        slashed.reporter == key(&net, 12).address(),
        "reporter {}",
        slashed.reporter
    );

    // Bad evidence gets a JSON-RPC error that says what is wrong.
    let refused = crate::harness::rpc_raw(
        &watcher.rpc_url,
        "baton_submitEvidence",
        json!([{"header": header, "signature": "0x1234"}]),
    )
    .await?;
    ensure!(
        refused["error"]["code"] == json!(-32602)
            && refused["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("signature"),
        "unexpected answer to a bad signature: {refused}"
    );
    let text = watcher.metrics().await?;
    ensure!(
        metric(&text, "baton_keeper_slashes_submitted_total").unwrap_or(0) >= 1,
        "no slash in the metrics:\n{text}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_equivocating_ledger_leader_is_slashed_from_its_block_stream() -> eyre::Result<()> {
    slashed_from_its_block_stream("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_equivocating_leader_is_slashed_from_its_block_stream() -> eyre::Result<()> {
    slashed_from_its_block_stream("devnet").await
}

async fn slashed_from_its_block_stream(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_with(
        &format!("equivocating-stream-{profile}"),
        &NetOptions {
            node_args: vec!["--fault-equivocate".into()],
            profile: Some(profile),
            ..Default::default()
        },
    )
    .await?;
    let watcher = watcher(&net)?;
    transfer(&net.nodes[0].url, &key(&net, 9), 5).await?;
    // When the two headers are first out in a stream, as seen from outside.
    let available = wait_for(
        "two headers for one height in a stream",
        Duration::from_secs(60),
        || watcher.log(),
        || async {
            for node in &net.nodes {
                let blocks = rpc(&node.url, "baton_getSignedBlocks", json!([0, 2000])).await?;
                let mut seen = std::collections::HashSet::new();
                for b in blocks.as_array().into_iter().flatten() {
                    if !seen.insert(b["header"]["number"].clone()) {
                        return Ok(Some(Instant::now()));
                    }
                }
            }
            Ok(None)
        },
    )
    .await?;
    let slashed = loop {
        if let Some(e) = slashes(&net, BLOCK_EQUIVOCATION).await?.into_iter().next() {
            break e;
        }
        ensure!(
            available.elapsed() < Duration::from_secs(60),
            "no slash 60 s after the conflict was out\n{}",
            watcher.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    ensure!(
        net.operators().contains(&slashed.operator),
        "slashed {}, not an operator",
        slashed.operator
    );
    eprintln!(
        "stream equivocation of block {} slashed {} wei, {} ms after both headers were in a stream",
        slashed.subject,
        slashed.amount,
        available.elapsed().as_millis()
    );
    // The watcher is killed, the slash is reorged away, and the restarted watcher slashes again
    // from the headers it stored.
    let mut watcher = watcher;
    watcher.kill9().await?;
    watcher.restart()?;
    let operator = slashed.operator;
    slashed_despite_a_reorg(
        &net,
        &watcher,
        BLOCK_EQUIVOCATION,
        "stream equivocation slash",
        |e| e.operator == operator,
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_ledger_leader_is_replaced_by_a_backup_and_slashed() -> eyre::Result<()> {
    offline_leader_replaced_and_slashed("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_leader_is_replaced_by_a_backup_and_slashed() -> eyre::Result<()> {
    offline_leader_replaced_and_slashed("devnet").await
}

async fn offline_leader_replaced_and_slashed(profile: &'static str) -> eyre::Result<()> {
    let mut net = start_network_on("offline", profile).await?;
    let mut watcher = watcher(&net)?;
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = net.devnet.deployment.clone();
    let schedule = d.leader_schedule(&provider);
    // The next epoch, once at least 3 L1 blocks remain before it begins, so that its leader
    // is down before it could post (the leader of epoch e + 1 is known during epoch e).
    let operators = net.operators();
    let (epoch, i, current) = wait_for(
        "an epoch to take down",
        Duration::from_secs(60),
        String::new,
        || async {
            let current: u64 = schedule.currentEpoch().call().await?.try_into()?;
            let next = current + 1;
            let starts: u64 = schedule
                .epochStartBlock(U256::from(next))
                .call()
                .await?
                .try_into()?;
            let head = provider.get_block_number().await?;
            let leader = schedule
                .leaderOf(U256::from(next), U256::ZERO)
                .call()
                .await?;
            Ok(operators
                .iter()
                .position(|o| *o == leader)
                .filter(|_| starts >= head + 3)
                .map(|i| (next, i, current)))
        },
    )
    .await?;
    eprintln!("taking down node {i}, the leader of epoch {epoch} (now {current})");
    net.nodes[i].kill9().await?;
    // The watcher goes down too for a while, and must catch up on what it missed.
    watcher.kill9().await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    watcher.restart()?;

    let slashed = slashed_despite_a_reorg(&net, &watcher, LIVENESS, "liveness slash", |e| {
        e.epoch == U256::from(epoch)
    })
    .await?;
    ensure!(
        slashed.operator == operators[i],
        "slashed {} for epoch {epoch}",
        slashed.operator
    );
    let posting = d
        .batch_inbox(&provider)
        .epochPosting(U256::from(epoch))
        .call()
        .await?;
    ensure!(
        posting.posted && !posting.leaderPosted && posting.actingRank > U256::ZERO,
        "epoch {epoch}: {posting:?}, a backup should have posted"
    );
    eprintln!(
        "epoch {epoch}: rank {} posted, the leader lost {} wei",
        posting.actingRank, slashed.amount
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_censoring_ledger_leader_is_forced_around_and_slashed() -> eyre::Result<()> {
    censoring_leader_forced_around_and_slashed("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_censoring_leader_is_forced_around_and_slashed() -> eyre::Result<()> {
    censoring_leader_forced_around_and_slashed("devnet").await
}

async fn censoring_leader_forced_around_and_slashed(profile: &'static str) -> eyre::Result<()> {
    let net = start_network_with(
        &format!("censorship-{profile}"),
        &NetOptions {
            node_args: vec!["--fault-censor".into()],
            profile: Some(profile),
            ..Default::default()
        },
    )
    .await?;
    let mut watcher = watcher(&net)?;
    let d = &net.devnet.deployment;
    let user = key(&net, 7);
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(net.devnet.anvil.endpoint_url());
    let to = Address::repeat_byte(0xc5);
    let (raw, _) = enqueue_transfer(&net, &user, to, 4242).await?;
    // Mid-way to the deadline the watcher is killed and restarted.
    tokio::time::sleep(Duration::from_secs(10)).await;
    watcher.kill9().await?;
    watcher.restart()?;

    let slashed =
        slashed_despite_a_reorg(&net, &watcher, CENSORSHIP, "censorship slash", |_| true).await?;
    let forced = d
        .batch_inbox(&l1)
        .censoredEpochOf(slashed.subject)
        .call()
        .await?;
    ensure!(forced.forced, "record {} is not forced", slashed.subject);
    eprintln!(
        "forced record {} slashed epoch {}'s leader {} wei",
        slashed.subject, slashed.epoch, slashed.amount
    );
    ensure!(
        events::<IBatchInbox::RecordAppended>(&l1, d.batch_inbox)
            .await?
            .iter()
            .any(|e| e.forced),
        "no forced RecordAppended"
    );
    // Every node derives the forced record: the user's transfer is on L2.
    net.ensure_on_every_node(keccak256(&raw), to, U256::from(4242u64))
        .await?;
    Ok(())
}
