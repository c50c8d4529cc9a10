//! The EVM chain under load through its JSON-RPC, with OpenZeppelin ERC-20 transfers
//! (`test/bench/BenchToken.sol`; run `forge build` first): `baton evm-dev`'s chain in this
//! process (release build), sealing every 50 ms, and the load generator beside it (2 shared
//! cores for both).
//!
//! 1. **Ingest**: `senders` accounts each send their transfers in nonce order through
//!    `eth_sendRawTransaction` (one request per transaction, one connection per sender, all at
//!    once). Figure: accepted transactions per second, then how long sealing them took.
//! 2. **Latency** at an offered load (default 2,000 tx/s): each transfer is sent at its
//!    scheduled time; a client polls `eth_blockNumber` and the new blocks every 2 ms and notes
//!    when each transaction is in a served block. Figure: send → in a block, p50 / p90 / p99 /
//!    max. (The node's preconfirmation is the same moment plus a signature over the header.)
//!
//! Each transfer goes to one of 2,000 holders, most of them new: a storage slot written for the
//! first time, as ERC-20 transfers to new users are.
//!
//! `cargo bench -p baton-l2 --bench evm_dev_rpc -- [senders] [ingest txs per sender] [offered tx/s] [seconds]`
//! (defaults 64 / 300 / 2000 / 10). Figures go to docs/benchmarks.md by hand.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    signers::{SignerSync, local::PrivateKeySigner},
    transports::http::reqwest,
};
use baton_devnet::repo_root;
use baton_l2::{DevChain, DevConfig};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const CHAIN_ID: u64 = 901;
const MAX_FEE: u128 = 50_000_000_000;
const HOLDERS: u64 = 2_000;

fn arg(index: usize, default: usize) -> usize {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

async fn rpc(
    client: &reqwest::Client,
    url: &str,
    method: &str,
    params: Value,
) -> eyre::Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let answer: Value = client.post(url).json(&body).send().await?.json().await?;
    if let Some(e) = answer.get("error") {
        eyre::bail!("{method}: {e}");
    }
    Ok(answer["result"].clone())
}

fn sign(key: &PrivateKeySigner, nonce: u64, to: TxKind, gas: u64, input: Vec<u8>) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: 1_000_000_000,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into()
}

fn transfer_call(to: Address, amount: u64) -> Vec<u8> {
    let mut data = keccak256("transfer(address,uint256)")[..4].to_vec();
    data.extend_from_slice(to.into_word().as_slice());
    data.extend_from_slice(&U256::from(amount).to_be_bytes::<32>());
    data
}

fn holder(i: u64) -> Address {
    Address::from_word(keccak256(i.to_be_bytes()))
}

/// `count` transfers per sender, nonces from `first_nonce`, to holders in turn.
fn sign_transfers(
    senders: &[PrivateKeySigner],
    token: Address,
    first_nonce: u64,
    count: usize,
) -> Vec<Vec<Bytes>> {
    senders
        .iter()
        .enumerate()
        .map(|(s, key)| {
            (0..count as u64)
                .map(|n| {
                    let to = holder((s as u64 * 7919 + first_nonce + n) % HOLDERS);
                    sign(
                        key,
                        first_nonce + n,
                        TxKind::Call(token),
                        80_000,
                        transfer_call(to, 1),
                    )
                })
                .collect()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Sends `txs` and waits until the pool is empty again.
async fn send_and_seal(
    client: &reqwest::Client,
    dev: &DevChain,
    txs: &[Bytes],
) -> eyre::Result<()> {
    for tx in txs {
        rpc(client, &dev.url, "eth_sendRawTransaction", json!([tx])).await?;
    }
    wait_sealed(dev, Duration::from_secs(120)).await
}

async fn wait_sealed(dev: &DevChain, limit: Duration) -> eyre::Result<()> {
    let start = Instant::now();
    while !dev.chain.lock().unwrap().pool().is_empty() {
        eyre::ensure!(start.elapsed() < limit, "the chain did not empty its pool");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> eyre::Result<()> {
    let (n_senders, per_sender, offered, seconds) =
        (arg(0, 64), arg(1, 300), arg(2, 2000), arg(3, 10));
    let deployer = PrivateKeySigner::random();
    let senders: Vec<PrivateKeySigner> =
        (0..n_senders).map(|_| PrivateKeySigner::random()).collect();

    // A genesis funding the deployer and every sender.
    let dir = tempfile::tempdir()?;
    let alloc: serde_json::Map<String, Value> = std::iter::once(&deployer)
        .chain(&senders)
        .map(|key| (key.address().to_string(), json!("100000000000000000000")))
        .collect();
    let genesis = dir.path().join("genesis.json");
    std::fs::write(&genesis, json!({ "alloc": alloc }).to_string())?;
    let dev = DevChain::start(&DevConfig {
        chain_id: CHAIN_ID,
        block_time_ms: 50,
        pool_max_per_sender: 100_000,
        pool_max: 1_000_000,
        ..DevConfig::on_free_port(dir.path().join("chain.sqlite"), genesis)
    })
    .await?;
    let client = reqwest::Client::new();

    // The token, and a share of it to every sender.
    let artifact: Value = serde_json::from_str(&std::fs::read_to_string(
        repo_root().join("out/BenchToken.sol/BenchToken.json"),
    )?)?;
    let mut creation = alloy::hex::decode(artifact["bytecode"]["object"].as_str().unwrap())?;
    creation.extend_from_slice(&U256::from(10u64).pow(U256::from(30)).to_be_bytes::<32>());
    let token = deployer.address().create(0);
    let mut setup = vec![sign(&deployer, 0, TxKind::Create, 3_000_000, creation)];
    for (i, sender) in senders.iter().enumerate() {
        setup.push(sign(
            &deployer,
            1 + i as u64,
            TxKind::Call(token),
            80_000,
            transfer_call(sender.address(), 1_000_000_000),
        ));
    }
    send_and_seal(&client, &dev, &setup).await?;
    let balance = rpc(
        &client,
        &dev.url,
        "eth_call",
        json!([{"to": token, "data": Bytes::from([&keccak256("balanceOf(address)")[..4], senders[0].address().into_word().as_slice()].concat())}, "latest"]),
    )
    .await?;
    eyre::ensure!(
        balance.as_str().unwrap().ends_with("3b9aca00"),
        "the senders hold no tokens: {balance}"
    );

    // 1. Ingest.
    let batches = sign_transfers(&senders, token, 0, per_sender);
    let total = n_senders * per_sender;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for txs in batches {
        let (client, url) = (reqwest::Client::new(), dev.url.clone());
        tasks.push(tokio::spawn(async move {
            for tx in txs {
                rpc(&client, &url, "eth_sendRawTransaction", json!([tx])).await?;
            }
            eyre::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let ingest = t0.elapsed();
    println!(
        "| ingest, eth_sendRawTransaction | {n_senders} senders × {per_sender} ERC-20 transfers | {total} accepted in {ingest:.2?} | **{:.0} tx/s** |",
        total as f64 / ingest.as_secs_f64()
    );
    let drain = Instant::now();
    wait_sealed(&dev, Duration::from_secs(600)).await?;
    let sealed_in = t0.elapsed();
    println!(
        "| sealed | all {total} in blocks {:.1?} after the last was accepted, {sealed_in:.1?} after the first was sent | **{:.0} tx/s** end to end |",
        drain.elapsed(),
        total as f64 / sealed_in.as_secs_f64()
    );

    // 2. Latency at the offered load.
    let per_sender_lat = offered * seconds / n_senders;
    let batches = sign_transfers(&senders, token, per_sender as u64, per_sender_lat);
    let sent_at: Arc<Mutex<HashMap<B256, Instant>>> = Arc::default();
    let seen_at: Arc<Mutex<HashMap<B256, Instant>>> = Arc::default();
    let head = rpc(&client, &dev.url, "eth_blockNumber", json!([])).await?;
    let head = u64::from_str_radix(head.as_str().unwrap().trim_start_matches("0x"), 16)?;
    let watcher = {
        let (seen_at, url, client) = (seen_at.clone(), dev.url.clone(), client.clone());
        tokio::spawn(async move {
            let mut after = head;
            loop {
                if let Ok(latest) = rpc(&client, &url, "eth_blockNumber", json!([])).await {
                    let latest =
                        u64::from_str_radix(latest.as_str().unwrap().trim_start_matches("0x"), 16)
                            .unwrap();
                    for number in after + 1..=latest {
                        let Ok(block) = rpc(
                            &client,
                            &url,
                            "eth_getBlockByNumber",
                            json!([format!("0x{number:x}"), false]),
                        )
                        .await
                        else {
                            break;
                        };
                        let now = Instant::now();
                        let mut seen = seen_at.lock().unwrap();
                        for hash in block["transactions"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default()
                        {
                            let hash: B256 = serde_json::from_value(hash).unwrap();
                            seen.entry(hash).or_insert(now);
                        }
                        after = number;
                    }
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let interval = Duration::from_secs_f64(n_senders as f64 / offered as f64);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (i, txs) in batches.into_iter().enumerate() {
        let (client, url, sent_at) = (reqwest::Client::new(), dev.url.clone(), sent_at.clone());
        // Senders start staggered over one interval so the offered load is smooth.
        let offset = interval.mul_f64(i as f64 / n_senders as f64);
        tasks.push(tokio::spawn(async move {
            for (k, tx) in txs.into_iter().enumerate() {
                let due = t0 + offset + interval * k as u32;
                tokio::time::sleep_until(due.into()).await;
                let hash = keccak256(&tx);
                sent_at.lock().unwrap().insert(hash, Instant::now());
                rpc(&client, &url, "eth_sendRawTransaction", json!([tx])).await?;
            }
            eyre::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let offered_for = t0.elapsed();
    wait_sealed(&dev, Duration::from_secs(120)).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    watcher.abort();
    let sent = std::mem::take(&mut *sent_at.lock().unwrap());
    let seen = std::mem::take(&mut *seen_at.lock().unwrap());
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(h, t)| seen.get(h).map(|s| s.saturating_duration_since(*t)))
        .collect();
    latencies.sort();
    eyre::ensure!(!latencies.is_empty(), "no transaction was sealed");
    println!(
        "| latency at {offered} tx/s offered ({} sent in {offered_for:.1?}, {} in blocks), 50 ms blocks | p50 **{:.1?}** | p90 {:.1?} | p99 **{:.1?}** | max {:.1?} |",
        sent.len(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().unwrap(),
    );
    dev.stop().await;
    Ok(())
}
