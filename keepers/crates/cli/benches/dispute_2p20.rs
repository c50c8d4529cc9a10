//! A whole dispute over a 2^20-transaction trace, played by the real keepers on a real devnet.
//!
//! 1. anvil (automining for the set-up) with the `bench-dispute` profile: the devnet's, with an
//!    output every 1,024 records and hour-long clocks (a trace this long takes the keepers
//!    minutes to replay on two cores, which the devnet's clocks are not sized for).
//! 2. One bonded operator posts 1,024 records of 1,024 signed transfers each, sealed and signed
//!    in Rust (the same code as the node's poster): 2^20 transactions in output 0.
//! 3. anvil switches to one block a second (the devnet clock). A `baton proposer` that lies at a
//!    random transaction index and an honest `baton challenger` start from scratch: each
//!    derives the 2^20 transactions, the proposer proposes, the challenger disputes, and they
//!    play the game to its last VM step.
//!
//! Figures: the number of dispute transactions and their gas, the L1 blocks between each move
//! and the answer to it, and the wall time from the challenge to the end (and from the keepers'
//! start). `cargo bench -p baton --bench dispute_2p20 -- [log2 of the trace length]` (default 20;
//! 14 for a quick run). `BATON_KEEP_TEST_DIRS=1` keeps the keepers' logs.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, Bytes, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use baton_bindings::{GAME_MOVE_EVENTS, IBatchInbox};
use baton_core::{
    batch::{L2Block, RecordContext},
    ledger::testkit::{TxFields, bench_arg},
    parallel, sign_digest,
};
use serde_json::Value;
use std::{
    process::Stdio,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const RECORDS: usize = 1_024;

fn spawn_keeper(
    devnet: &baton_devnet::Devnet,
    dir: &std::path::Path,
    role: &str,
    key: &PrivateKeySigner,
    args: &[String],
) -> eyre::Result<tokio::process::Child> {
    let data = dir.join(role);
    std::fs::create_dir_all(&data)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    Ok(tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(baton_devnet::repo_root())
        .args([role, "--l1-rpc", &devnet.anvil.endpoint()])
        .arg("--deployment")
        .arg(&devnet.record_path)
        .arg("--keeper-data-dir")
        .arg(&data)
        .args(["--keeper-metrics-addr", &format!("127.0.0.1:{port}")])
        .args(args)
        .env(
            "BATON_PRIVATE_KEY",
            alloy::primitives::hex::encode_prefixed(key.to_bytes()),
        )
        .env("BATON_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(data.join("keeper.log"))?))
        .kill_on_drop(true)
        .spawn()?)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> eyre::Result<()> {
    let log2 = bench_arg(0, 20) as u32;
    let total = 1usize << log2;
    eyre::ensure!(
        total >= RECORDS,
        "the trace needs at least {RECORDS} transactions"
    );
    let per_record = total / RECORDS;
    let devnet = baton_devnet::start_profile(None, "bench-dispute").await?;
    let d = devnet.deployment.clone();
    eyre::ensure!(
        d.parameters.output_interval == RECORDS as u64,
        "profile bench-dispute must have outputInterval {RECORDS}"
    );
    let url = devnet.anvil.endpoint_url();
    let chain_id = d.parameters.l2_chain_id;
    let key = |i: usize| PrivateKeySigner::from(devnet.anvil.keys()[i].clone());
    let operator = key(1);
    let p = ProviderBuilder::new()
        .wallet(EthereumWallet::from(operator.clone()))
        .connect_http(url.clone());
    baton_devnet::activate(
        &d,
        &devnet.anvil.endpoint(),
        &[baton_devnet::Bonding {
            signer: operator.address(),
            operator: operator.clone(),
            stake: U256::from(10u64).pow(U256::from(19)),
        }],
    )
    .await?;

    // 2^k transfers from the ten accounts the devnet genesis funds, signed on both cores.
    let started = Instant::now();
    let senders: Vec<PrivateKeySigner> = (0..10).map(key).collect();
    let specs: Vec<(usize, u64)> = (0..total).map(|i| (i % 10, (i / 10) as u64)).collect();
    let txs: Vec<Bytes> = parallel::map(&specs, 1_024, |&(s, nonce)| {
        TxFields::transfer(
            chain_id,
            nonce,
            Address::repeat_byte(0x77),
            U256::from(1),
            2_000_000_000,
        )
        .sign(&senders[s])
    });
    eprintln!("signed {total} transfers in {:.1?}", started.elapsed());

    // 1,024 records, each posted by the operator in the current epoch.
    let started = Instant::now();
    let inbox = d.batch_inbox(&p);
    let schedule = d.leader_schedule(&p);
    let domain = d.domain();
    let mut prev = baton_core::GENESIS_RECORD_HASH;
    let first_epoch_block: u64 = schedule
        .epochStartBlock(U256::ZERO)
        .call()
        .await?
        .try_into()?;
    let epoch_length = std::num::NonZeroU64::new(d.parameters.epoch_length)
        .ok_or_else(|| eyre::eyre!("zero epoch length"))?;
    for (r, chunk) in txs.chunks(per_record).enumerate() {
        let latest = p
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| eyre::eyre!("no latest block"))?;
        let timestamp = latest.header.timestamp;
        // Automining: the record lands in the next block, whose epoch is the one to name.
        let epoch = baton_core::epoch_of(latest.header.number + 1, first_epoch_block, epoch_length);
        let context = RecordContext {
            chain_id: U256::from(chain_id),
            epoch,
            first_block: r as u64 + 1,
            prev_record_hash: prev,
            force_index: 0,
            fee_recipient: operator.address(),
        };
        let (header, data) = context.seal(&[L2Block {
            timestamp,
            transactions: chunk.to_vec(),
        }])?;
        let signature = sign_digest(&operator, &header.signing_digest(&domain))?;
        prev = header.record_hash();
        let call = IBatchInbox::submitRecordCall {
            header: header.into(),
            rank: U256::ZERO,
            signature: signature.to_vec().into(),
            data,
        };
        let receipt = p
            .send_transaction(
                alloy::rpc::types::TransactionRequest::default()
                    .to(d.batch_inbox)
                    .input(call.abi_encode().into()),
            )
            .await?
            .get_receipt()
            .await?;
        eyre::ensure!(receipt.status(), "record {r} reverted");
    }
    eyre::ensure!(
        inbox.recordCount().call().await? == U256::from(RECORDS),
        "not every record landed"
    );
    eprintln!("posted {RECORDS} records in {:.1?}", started.elapsed());

    // The devnet clock from here on.
    p.raw_request::<_, Value>("evm_setIntervalMining".into(), [1u64])
        .await?;
    p.raw_request::<_, Value>("evm_setAutomine".into(), [false])
        .await?;

    let dir = std::env::temp_dir().join(format!("baton-bench-dispute-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
    let position = u64::from(nanos) % total as u64;
    eprintln!("the proposer lies at transaction {position}");
    let keepers_started = Instant::now();
    let mut proposer = spawn_keeper(
        &devnet,
        &dir,
        "proposer",
        &operator,
        &["--fault-invalid-output-at".into(), position.to_string()],
    )?;
    let mut challenger = spawn_keeper(&devnet, &dir, "challenger", &key(11), &[])?;
    let game = d.dispute_game(&p);
    let mut opened = None;
    let status = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if opened.is_none() && game.gameCount().call().await? > U256::ZERO {
            opened = Some(Instant::now());
            eprintln!(
                "dispute opened {:.1?} after the keepers started",
                keepers_started.elapsed()
            );
        }
        if opened.is_some() {
            let g = game.gameAt(U256::ZERO).call().await?;
            if g.status as u8 != 1 {
                break g.status as u8;
            }
        }
        eyre::ensure!(
            keepers_started.elapsed() < Duration::from_secs(3 * 3_600),
            "no end after 3 hours (logs in {})",
            dir.display()
        );
    };
    let game_time = opened.map(|o| o.elapsed()).unwrap_or_default();
    let all_time = keepers_started.elapsed();
    let _ = proposer.start_kill();
    let _ = challenger.start_kill();

    let logs = p
        .get_logs(
            &Filter::new()
                .address(d.dispute_game)
                .event_signature(GAME_MOVE_EVENTS.to_vec())
                .from_block(0),
        )
        .await?;
    let mut hashes: Vec<_> = logs.iter().filter_map(|l| l.transaction_hash).collect();
    hashes.dedup();
    let mut gas = 0u64;
    let mut each = Vec::new();
    let mut blocks = Vec::new();
    for hash in &hashes {
        let r = p
            .get_transaction_receipt(*hash)
            .await?
            .ok_or_else(|| eyre::eyre!("receipt of {hash}"))?;
        gas += r.gas_used;
        each.push(r.gas_used);
        blocks.push(r.block_number.unwrap_or_default());
    }
    let gaps: Vec<u64> = blocks.windows(2).map(|w| w[1] - w[0]).collect();
    let within_two = gaps.iter().filter(|&&g| g <= 2).count();
    println!("trace: 2^{log2} = {total} transactions in {RECORDS} records");
    println!(
        "winner: {}",
        if status == 2 {
            "challenger"
        } else {
            "proposer"
        }
    );
    println!(
        "dispute transactions (challenge, moves, proof): {}",
        hashes.len()
    );
    println!("gas, all dispute transactions: {gas}");
    println!("gas of each, in order: {each:?}");
    println!("L1 blocks between a move and the answer: {gaps:?}");
    println!(
        "answers within two L1 blocks: {within_two} of {}",
        gaps.len()
    );
    println!("wall time, challenge to end: {game_time:.1?}");
    println!("wall time, keepers' start (deriving from scratch) to end: {all_time:.1?}");
    if std::env::var_os("BATON_KEEP_TEST_DIRS").is_some() {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    eyre::ensure!(status == 2, "the lying proposer won");
    Ok(())
}
