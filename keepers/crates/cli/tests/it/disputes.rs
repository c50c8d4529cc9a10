//! Dispute games played to the end by real `baton proposer` and `baton challenger` processes
//! against the real contracts, with a node network producing the records: the positions (the
//! ledger's transactions, the EVM chain's blocks) are bisected, then the VM steps of the disputed
//! one's execution by the real guest, down to one step run by the RiscV contract. An L1 reorg
//! removes a move and a side is killed with `kill -9` and restarted in each level; both must
//! finish the game from their databases and L1.

use crate::harness::{
    KeeperProc, NetOptions, Network, keep_sending, metric, reorg_latest_log_of, start_network_with,
    wait_for,
};
use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder, RootProvider},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use baton_bindings::{GAME_MOVE_EVENTS, IBisectionGame, IL1OutputOracle, ISequencerRegistry};
use eyre::{OptionExt, ensure};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `IDisputeGame.Status`.
const IN_PROGRESS: u8 = 1;
const CHALLENGER_WON: u8 = 2;
const PROPOSER_WON: u8 = 3;

fn key(net: &Network, i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(net.devnet.anvil.keys()[i].clone())
}

fn random_position() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    u64::from(nanos % 1_000)
}

/// Waits for game 0, then for its segment to narrow (a few moves made), reorgs the latest move
/// away, kills `victim` with `kill -9` and restarts it; does the same to the other keeper once
/// the execution is being bisected; then waits for the game to end, which must be at one VM step
/// run on L1. Returns the game's final state.
async fn play_with_a_crash(
    net: &Network,
    keepers: &mut [&mut KeeperProc],
    victim: usize,
) -> eyre::Result<IBisectionGame::Game> {
    let provider: RootProvider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(net.devnet.anvil.endpoint_url());
    let game = net.devnet.deployment.dispute_game(provider.clone());
    let logs = |keepers: &[&mut KeeperProc]| -> String {
        keepers
            .iter()
            .map(|k| k.log())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let opened = {
        let snapshot = logs(keepers);
        wait_for(
            "a dispute game",
            Duration::from_secs(240),
            || snapshot.clone(),
            || async {
                if game.gameCount().call().await? == U256::ZERO {
                    return Ok(None);
                }
                Ok(Some(game.gameAt(U256::ZERO).call().await?))
            },
        )
        .await?
    };
    eprintln!(
        "game 0 over output {}: trace of {} positions",
        opened.outputIndex, opened.hi
    );
    let snapshot = logs(keepers);
    wait_for(
        "moves in game 0",
        Duration::from_secs(120),
        || snapshot.clone(),
        || async {
            let g = game.gameAt(U256::ZERO).call().await?;
            Ok((g.hi - g.lo < opened.hi || g.status as u8 != IN_PROGRESS).then_some(()))
        },
    )
    .await?;
    // An L1 reorg removes the latest move; both sides must notice and play on.
    let before = game.gameAt(U256::ZERO).call().await?;
    reorg_latest_log_of(net, net.devnet.deployment.dispute_game).await?;
    let after = game.gameAt(U256::ZERO).call().await?;
    eprintln!(
        "game 0 before the reorg: [{}, {}] status {}; after: [{}, {}] status {}",
        before.lo, before.hi, before.status as u8, after.lo, after.hi, after.status as u8
    );
    eprintln!("kill -9 of the {} mid-game", keepers[victim].role);
    keepers[victim].kill9().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    keepers[victim].restart()?;
    // Again in the execution level, to the other side: a reorg removes the latest move, and a
    // keeper killed there must record the guest's run again from L1 and its database.
    let snapshot = logs(keepers);
    let steps = game.executionSteps().call().await?;
    wait_for(
        "execution moves in game 0",
        Duration::from_secs(240),
        || snapshot.clone(),
        || async {
            let e = game.executionOf(U256::ZERO).call().await?;
            let over = game.gameAt(U256::ZERO).call().await?.status as u8 != IN_PROGRESS;
            Ok(
                (over
                    || (!e.inputKey.is_zero() && U256::from(e.hi - e.lo) < steps / U256::from(4)))
                .then_some(()),
            )
        },
    )
    .await?;
    let before = game.executionOf(U256::ZERO).call().await?;
    reorg_latest_log_of(net, net.devnet.deployment.dispute_game).await?;
    let after = game.executionOf(U256::ZERO).call().await?;
    eprintln!(
        "game 0's execution before the reorg: steps [{}, {}]; after: [{}, {}]",
        before.lo, before.hi, after.lo, after.hi
    );
    let other = 1 - victim;
    eprintln!("kill -9 of the {} in the execution", keepers[other].role);
    keepers[other].kill9().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    keepers[other].restart()?;
    let snapshot = logs(keepers);
    let over = wait_for(
        "the end of game 0",
        Duration::from_secs(240),
        || snapshot.clone(),
        || async {
            let g = game.gameAt(U256::ZERO).call().await?;
            Ok((g.status as u8 != IN_PROGRESS).then_some(g))
        },
    )
    .await;
    let g = over.map_err(|e| e.wrap_err(logs(keepers)))?;
    print_move_gaps(net).await?;
    // Decided by one VM step on L1, not on time.
    let e = game.executionOf(U256::ZERO).call().await?;
    let stepped = provider
        .get_logs(
            &Filter::new()
                .address(net.devnet.deployment.dispute_game)
                .event_signature(IBisectionGame::StepProven::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    ensure!(
        e.hi - e.lo == 1 && stepped.len() == 1,
        "game 0 did not end at one VM step (execution {e:?}, {} StepProven)\n{}",
        stepped.len(),
        logs(keepers)
    );
    eprintln!(
        "game 0 decided at VM step {} of the guest's run (input {})",
        e.hi, e.inputKey
    );
    Ok(g)
}

/// Prints, for every move of game 0 after the first, how many L1 blocks after the previous
/// move it was mined (docs/benchmarks.md, "Keepers").
async fn print_move_gaps(net: &Network) -> eyre::Result<()> {
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let logs = provider
        .get_logs(
            &Filter::new()
                .address(net.devnet.deployment.dispute_game)
                .event_signature(GAME_MOVE_EVENTS.to_vec())
                .from_block(0),
        )
        .await?;
    let blocks: Vec<u64> = logs.iter().filter_map(|l| l.block_number).collect();
    let gaps: Vec<u64> = blocks.windows(2).map(|w| w[1] - w[0]).collect();
    let mut gas = 0u64;
    let mut hashes: Vec<_> = logs.iter().filter_map(|l| l.transaction_hash).collect();
    hashes.dedup();
    for hash in &hashes {
        if let Some(r) = provider.get_transaction_receipt(*hash).await? {
            gas += r.gas_used;
        }
    }
    eprintln!(
        "game 0: {} transactions, {gas} gas in all, L1 blocks between consecutive moves: {gaps:?}",
        hashes.len()
    );
    Ok(())
}

/// What `account` pulled: from the dispute game (`Claimed`) and from the registry's reporter
/// rewards (`RewardClaimed`).
async fn claimed(net: &Network, account: Address) -> eyre::Result<(U256, U256)> {
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = &net.devnet.deployment;
    let logs = |address, signature| {
        let provider = provider.clone();
        async move {
            provider
                .get_logs(
                    &Filter::new()
                        .address(address)
                        .event_signature(signature)
                        .topic1(account)
                        .from_block(0),
                )
                .await
        }
    };
    let credits = logs(d.dispute_game, IBisectionGame::Claimed::SIGNATURE_HASH)
        .await?
        .iter()
        .filter_map(|l| IBisectionGame::Claimed::decode_log(&l.inner).ok())
        .map(|e| e.data.amount)
        .sum();
    let rewards = logs(
        d.sequencer_registry,
        ISequencerRegistry::RewardClaimed::SIGNATURE_HASH,
    )
    .await?
    .iter()
    .filter_map(|l| ISequencerRegistry::RewardClaimed::decode_log(&l.inner).ok())
    .map(|e| e.data.amount)
    .sum();
    Ok((credits, rewards))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_proposer_loses_to_the_challenger_on_the_ledger() -> eyre::Result<()> {
    a_lying_proposer_loses("liar-ledger", "devnet-ledger").await
}

/// On the EVM chain the game is over blocks: the proposer's lie is a header hash, the last
/// block's claim is built on L1 from the record, and the EVM guest runs it.
#[tokio::test(flavor = "multi_thread")]
async fn a_lying_proposer_loses_to_the_challenger() -> eyre::Result<()> {
    a_lying_proposer_loses("liar", "devnet").await
}

/// A proposer that lies from a random position of the first output on plays against an honest
/// challenger on the deployment of `profile`, through a reorg and a `kill -9` of each side; it
/// must lose at one VM step, its output deleted, its operator slashed, the challenger paid.
async fn a_lying_proposer_loses(name: &str, profile: &'static str) -> eyre::Result<()> {
    let net = start_network_with(
        name,
        &NetOptions {
            separate_signer: true,
            profile: Some(profile),
            ..Default::default()
        },
    )
    .await?;
    let sender = keep_sending(net.nodes[1].url.clone(), key(&net, 8));
    let position = random_position();
    eprintln!("the proposer lies at position {position} (mod the trace length) on {profile}");
    let mut proposer = KeeperProc::start(
        &net,
        "proposer",
        key(&net, 10),
        &["--fault-invalid-output-at".into(), position.to_string()],
    )?;
    let challenger_key = key(&net, 11);
    let mut challenger = KeeperProc::start(&net, "challenger", challenger_key.clone(), &[])?;
    let g = play_with_a_crash(&net, &mut [&mut proposer, &mut challenger], 1).await?;
    sender.abort();
    ensure!(
        g.status as u8 == CHALLENGER_WON,
        "the lying proposer won game 0 ({g:?})\n{}\n{}",
        proposer.log(),
        challenger.log()
    );

    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = &net.devnet.deployment;
    // The output and every later one were deleted.
    let deleted = provider
        .get_logs(
            &Filter::new()
                .address(d.output_oracle)
                .event_signature(IL1OutputOracle::OutputsDeleted::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    ensure!(!deleted.is_empty(), "no OutputsDeleted event");
    // The proposer's operator was slashed: it bonded 10 ETH.
    let operator = net.operators()[0];
    let stake = d.registry(&provider).stakeOf(operator).call().await?;
    ensure!(
        stake < U256::from(10u64) * U256::from(10u64).pow(U256::from(18)),
        "operator {operator} still has {stake} wei staked"
    );
    // The challenger got its bond back and the reporter's share of the slash.
    let bond = d.parameters.challenge_bond;
    let (credits, reward) = wait_for(
        "the challenger's claims",
        Duration::from_secs(60),
        || challenger.log(),
        || async {
            let (credits, reward) = claimed(&net, challenger_key.address()).await?;
            Ok((credits == bond && !reward.is_zero()).then_some((credits, reward)))
        },
    )
    .await?;
    eprintln!("challenger claimed its bond {credits} wei and a reporter reward of {reward} wei");
    let text = challenger.metrics().await?;
    ensure!(
        metric(&text, "baton_keeper_moves_total").unwrap_or(0) >= 1,
        "challenger metrics count no move:\n{text}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_challenger_loses_to_the_honest_proposer_on_the_ledger() -> eyre::Result<()> {
    a_lying_challenger_loses("false-dispute-ledger", "devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_challenger_loses_to_the_honest_proposer() -> eyre::Result<()> {
    a_lying_challenger_loses("false-dispute", "devnet").await
}

/// A challenger that disputes a correct output from a random position on plays against the
/// honest proposer on the deployment of `profile`, through a reorg and a `kill -9` of each side;
/// it must lose at one VM step, the output standing and the bond going to the proposer.
async fn a_lying_challenger_loses(name: &str, profile: &'static str) -> eyre::Result<()> {
    let net = start_network_with(
        name,
        &NetOptions {
            separate_signer: true,
            profile: Some(profile),
            ..Default::default()
        },
    )
    .await?;
    let sender = keep_sending(net.nodes[1].url.clone(), key(&net, 8));
    let position = random_position();
    eprintln!("the challenger lies at position {position} (mod the trace length) on {profile}");
    let mut proposer = KeeperProc::start(&net, "proposer", key(&net, 10), &[])?;
    let mut challenger = KeeperProc::start(
        &net,
        "challenger",
        key(&net, 11),
        &["--fault-dispute-valid-at".into(), position.to_string()],
    )?;
    let g = play_with_a_crash(&net, &mut [&mut proposer, &mut challenger], 0).await?;
    sender.abort();
    ensure!(
        g.status as u8 == PROPOSER_WON,
        "the lying challenger won game 0 ({g:?})\n{}\n{}",
        proposer.log(),
        challenger.log()
    );
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = &net.devnet.deployment;
    // The output stands, and the proposer's operator is credited the bond less the tax.
    let oracle = d.output_oracle(&provider);
    ensure!(
        oracle
            .outputExists(U256::from(g.outputIndex), U256::from(g.generation))
            .call()
            .await?,
        "the honest output was deleted"
    );
    let bond = d.parameters.challenge_bond;
    let tax = bond * U256::from(d.parameters.bond_tax_bps) / U256::from(10_000u64);
    let operator = net.operators()[0];
    let credit = d.dispute_game(&provider).creditOf(operator).call().await?;
    ensure!(
        credit == bond - tax,
        "operator {operator} credited {credit}, expected {}",
        bond - tax
    );
    Ok(())
}

/// Every output on L1 commits to what the nodes derived at its last record's last block.
async fn outputs_match_the_nodes(net: &Network) -> eyre::Result<u64> {
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = &net.devnet.deployment;
    let proposed = provider
        .get_logs(
            &Filter::new()
                .address(d.output_oracle)
                .event_signature(IL1OutputOracle::OutputProposed::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    let records: Vec<_> = provider
        .get_logs(
            &Filter::new()
                .address(d.batch_inbox)
                .event_signature(baton_bindings::IBatchInbox::RecordAppended::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?
        .iter()
        .filter_map(|l| baton_bindings::IBatchInbox::RecordAppended::decode_log(&l.inner).ok())
        .map(|e| e.data)
        .collect();
    for log in &proposed {
        let e = IL1OutputOracle::OutputProposed::decode_log(&log.inner)?.data;
        let record = records
            .iter()
            .find(|r| r.index == e.recordIndex)
            .ok_or_eyre("the output's record is not on L1")?;
        let block = crate::harness::rpc(
            &net.nodes[0].url,
            "eth_getBlockByNumber",
            serde_json::json!([format!("{:#x}", record.header.lastBlock), false]),
        )
        .await?;
        // An output commits to the state root on the ledger, to the header hash on the EVM chain.
        let derived = if d.parameters.l2_execution.is_ledger() {
            &block["stateRoot"]
        } else {
            &block["hash"]
        };
        ensure!(
            *derived == serde_json::json!(e.stateRoot),
            "output {} claims {}, the node derived {derived}",
            e.index,
            e.stateRoot,
        );
    }
    Ok(proposed.len() as u64)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proposer_recovers_from_an_empty_account_and_from_downtime() -> eyre::Result<()> {
    let net = start_network_with(
        "proposer-recovery",
        &NetOptions {
            separate_signer: true,
            ..Default::default()
        },
    )
    .await?;
    let sender = keep_sending(net.nodes[1].url.clone(), key(&net, 8));
    let provider = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let d = net.devnet.deployment.clone();
    let proposer_key = key(&net, 10);
    let set_balance = |wei: U256| {
        let provider = provider.clone();
        let who = proposer_key.address();
        async move {
            provider
                .raw_request::<_, serde_json::Value>("anvil_setBalance".into(), (who, wei))
                .await
        }
    };
    // An empty account: nothing can be proposed while two outputs' records land.
    set_balance(U256::ZERO).await?;
    let mut proposer = KeeperProc::start(&net, "proposer", proposer_key.clone(), &[])?;
    let inbox = d.batch_inbox(&provider);
    let oracle = d.output_oracle(&provider);
    let interval = d.parameters.output_interval;
    wait_for(
        "two outputs' records",
        Duration::from_secs(120),
        || proposer.log(),
        || async {
            let records: u64 = inbox.recordCount().call().await?.try_into()?;
            Ok((records >= 2 * interval).then_some(()))
        },
    )
    .await?;
    ensure!(
        oracle.outputCount().call().await? == U256::ZERO,
        "an output was proposed from an empty account"
    );
    // Topped up, it proposes the outputs it missed, in order.
    set_balance(U256::from(10u64).pow(U256::from(20))).await?;
    wait_for(
        "the missed outputs",
        Duration::from_secs(60),
        || proposer.log(),
        || async { Ok((oracle.outputCount().call().await? >= U256::from(2)).then_some(())) },
    )
    .await?;
    // Down while L1 moves on: after a kill -9 and two more outputs' records, it catches up.
    proposer.kill9().await?;
    let records: u64 = inbox.recordCount().call().await?.try_into()?;
    wait_for(
        "two more outputs' records",
        Duration::from_secs(120),
        String::new,
        || async {
            let now: u64 = inbox.recordCount().call().await?.try_into()?;
            Ok((now >= records + 2 * interval).then_some(now))
        },
    )
    .await?;
    let behind: u64 = oracle.outputCount().call().await?.try_into()?;
    proposer.restart()?;
    let target = behind + 2;
    wait_for(
        "the outputs missed while down",
        Duration::from_secs(60),
        || proposer.log(),
        || async { Ok((oracle.outputCount().call().await? >= U256::from(target)).then_some(())) },
    )
    .await?;
    sender.abort();
    let checked = outputs_match_the_nodes(&net).await?;
    eprintln!("{checked} outputs, each matching what the nodes derived");
    // The outputs are on L1 a moment before the keeper has its receipts and counts them.
    wait_for(
        "the restarted proposer's metrics counting both outputs",
        Duration::from_secs(30),
        || proposer.log(),
        || async {
            let text = proposer.metrics().await?;
            Ok(
                (metric(&text, "baton_keeper_outputs_proposed_total").unwrap_or(0) >= 2)
                    .then_some(()),
            )
        },
    )
    .await?;
    Ok(())
}
