//! The ledger node under load, on a real devnet (`devnet-ledger`, until the ledger is deleted):
//! anvil with the real deployment, one bonded operator whose `baton node` (release build) leads
//! every epoch, sealing every 50 ms and posting records.
//!
//! 1. **Ingest**: signed transfers from `senders` accounts, each sending its nonces in order
//!    through `eth_sendRawTransaction` (one request per transaction, one connection per sender,
//!    all senders at once). Figure: accepted transactions per second.
//! 2. **Preconfirmation latency** at an offered load (default 2,000 tx/s): each transaction is
//!    sent at its scheduled time; a client polls `baton_getSignedBlocks` every 2 ms and notes when
//!    the signed block holding each transaction arrives. Figure: send → signed header available,
//!    p50 / p90 / p99 / max.
//!
//! `cargo bench -p baton --bench node_rpc -- [senders] [ingest txs per sender] [offered tx/s] [seconds]`
//! (defaults 64 / 300 / 2000 / 10). The node's figures go to docs/benchmarks.md by hand.
//! `BATON_LOG` sets the node's log filter (default `warn`); `BATON_KEEP_TEST_DIRS=1` keeps its
//! data directory and log.

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    signers::local::PrivateKeySigner,
    transports::http::reqwest,
};
use baton_core::ledger::testkit::{TxFields, bench_arg};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Batch data per record. The node's default (120 KB) keeps a record under geth's 128 KiB
/// transaction size limit, and one record lands per L1 block, so 1 s anvil blocks would carry
/// about 1,100 transfers a second; anvil takes larger transactions, and this lets L1 keep up with
/// the offered load.
const RECORD_BYTES: usize = 480_000;

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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Signs `count` transfers per sender, nonces from `first_nonce`.
fn sign_all(
    senders: &[PrivateKeySigner],
    first_nonce: u64,
    count: usize,
    chain_id: u64,
) -> Vec<Vec<Bytes>> {
    senders
        .iter()
        .map(|s| {
            (0..count as u64)
                .map(|n| {
                    TxFields::transfer(
                        chain_id,
                        first_nonce + n,
                        Address::repeat_byte(0x55),
                        U256::from(1u8),
                        10_000_000_000,
                    )
                    .sign(s)
                })
                .collect()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> eyre::Result<()> {
    let (n_senders, per_sender, offered, seconds) = (
        bench_arg(0, 64),
        bench_arg(1, 300),
        bench_arg(2, 2000),
        bench_arg(3, 10),
    );
    // The figures in docs/benchmarks.md are the ledger node's; the EVM chain's load runs in
    // baton-l2's `evm_dev_rpc` bench.
    let devnet = baton_devnet::start_profile(Some(1), "devnet-ledger").await?;
    let d = &devnet.deployment;
    let chain_id = d.parameters.l2_chain_id;

    // One operator, in the schedule after two checkpoints.
    let operator = PrivateKeySigner::from(devnet.anvil.keys()[1].clone());
    baton_devnet::activate(
        d,
        &devnet.anvil.endpoint(),
        &[baton_devnet::Bonding {
            signer: operator.address(),
            operator: operator.clone(),
            stake: U256::from(10u64).pow(U256::from(19)),
        }],
    )
    .await?;

    let dir = std::env::temp_dir().join(format!("baton-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut node = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(baton_devnet::repo_root())
        .args(["node", "--l1-rpc", &devnet.anvil.endpoint()])
        .arg("--deployment")
        .arg(&devnet.record_path)
        .args([
            "--rpc-addr",
            &format!("127.0.0.1:{port}"),
            "--metrics-addr",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "--max-record-bytes",
            &RECORD_BYTES.to_string(),
            "--mempool-max-per-sender",
            "100000",
            "--mempool-max",
            "1000000",
        ])
        .env(
            "BATON_PRIVATE_KEY",
            alloy::primitives::hex::encode_prefixed(operator.to_bytes()),
        )
        .env(
            "BATON_LOG",
            std::env::var("BATON_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(dir.join("node.log"))?))
        .kill_on_drop(true)
        .spawn()?;
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(s) = rpc(&client, &url, "baton_status", json!([])).await
            && s["sequencing"] == json!(true)
        {
            break;
        }
        eyre::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the node never started sequencing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Fund the senders from the ten accounts the devnet genesis funds on L2.
    let senders: Vec<PrivateKeySigner> =
        (0..n_senders).map(|_| PrivateKeySigner::random()).collect();
    let funders: Vec<PrivateKeySigner> = (0..10)
        .map(|i| PrivateKeySigner::from(devnet.anvil.keys()[i].clone()))
        .collect();
    let mut nonces = [0u64; 10];
    let mut last = B256::ZERO;
    for (i, s) in senders.iter().enumerate() {
        let f = i % 10;
        let tx = TxFields::transfer(
            chain_id,
            nonces[f],
            s.address(),
            U256::from(10u64).pow(U256::from(20)),
            10_000_000_000,
        )
        .sign(&funders[f]);
        nonces[f] += 1;
        last = rpc(&client, &url, "eth_sendRawTransaction", json!([tx]))
            .await?
            .as_str()
            .unwrap()
            .parse()?;
    }
    while rpc(&client, &url, "eth_getTransactionReceipt", json!([last]))
        .await?
        .is_null()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // 1. Ingest.
    let batches = sign_all(&senders, 0, per_sender, chain_id);
    let total = n_senders * per_sender;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for txs in batches {
        let (client, url) = (reqwest::Client::new(), url.clone());
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
        "| ingest, eth_sendRawTransaction | {n_senders} senders × {per_sender} | {total} accepted in {ingest:.2?} | **{:.0} tx/s** |",
        total as f64 / ingest.as_secs_f64()
    );
    // Let the node seal what it took in before the latency run starts.
    let drain = Instant::now();
    while rpc(&client, &url, "baton_status", json!([])).await?["mempool"] != json!(0) {
        eyre::ensure!(
            drain.elapsed() < Duration::from_secs(120),
            "the node did not empty its pool"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "| pool drained | {total} transfers sealed {:.1?} after the last was accepted | |",
        drain.elapsed()
    );

    // 2. Preconfirmation latency at the offered load.
    let per_sender_lat = offered * seconds / n_senders;
    let batches = sign_all(&senders, per_sender as u64, per_sender_lat, chain_id);
    let sent_at: Arc<Mutex<HashMap<B256, Instant>>> = Arc::default();
    let seen_at: Arc<Mutex<HashMap<B256, Instant>>> = Arc::default();
    let head: u64 = rpc(&client, &url, "baton_status", json!([])).await?["head"]
        .as_u64()
        .unwrap_or(0);
    let watcher = {
        let (seen_at, url, client) = (seen_at.clone(), url.clone(), client.clone());
        tokio::spawn(async move {
            let mut after = head;
            loop {
                if let Ok(blocks) =
                    rpc(&client, &url, "baton_getSignedBlocks", json!([after, 100])).await
                {
                    let now = Instant::now();
                    for b in blocks.as_array().cloned().unwrap_or_default() {
                        after = after.max(b["header"]["number"].as_u64().unwrap_or(after));
                        let mut seen = seen_at.lock().unwrap();
                        for tx in b["transactions"].as_array().cloned().unwrap_or_default() {
                            let raw: Bytes = serde_json::from_value(tx).unwrap();
                            seen.entry(keccak256(&raw)).or_insert(now);
                        }
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
        let (client, url, sent_at) = (reqwest::Client::new(), url.clone(), sent_at.clone());
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
    tokio::time::sleep(Duration::from_secs(2)).await;
    watcher.abort();
    let sent = sent_at.lock().unwrap();
    let seen = seen_at.lock().unwrap();
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(h, t)| seen.get(h).map(|s| s.saturating_duration_since(*t)))
        .collect();
    latencies.sort();
    eyre::ensure!(!latencies.is_empty(), "no transaction was preconfirmed");
    println!(
        "| preconfirmation latency at {offered} tx/s offered ({} sent in {offered_for:.1?}, {} preconfirmed), 50 ms blocks | p50 **{:.1?}** | p90 {:.1?} | p99 **{:.1?}** | max {:.1?} |",
        sent.len(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().unwrap(),
    );
    node.start_kill()?;
    if std::env::var_os("BATON_KEEP_TEST_DIRS").is_some() {
        eprintln!("node data and log kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
