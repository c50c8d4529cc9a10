//! `baton devnet --scenario`: a fresh network with one fault injected through a misbehaving
//! node or proposer, the protocol's answer printed as a timeline, and a non-zero exit when the
//! answer does not come in time.

use super::{
    args::{DevnetArgs, Scenario},
    net::{CHALLENGER_KEY, Faults, Net, USER_KEYS, WATCHER_KEY},
    timeline::{Event, Timeline},
};
use crate::common::{l2_provider, step};
use crate::user::force_include;
use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
};
use baton_bindings::{
    IBatchInbox::IBatchInboxEvents,
    IBisectionGame::{IBisectionGameEvents, Status},
    IL1OutputOracle::IL1OutputOracleEvents,
    ISequencerRegistry::ISequencerRegistryEvents,
    ISlasher::{ISlasherEvents, Offence},
};
use eyre::{bail, eyre};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Runs `scenario` (every one for `All`), failing if any went unanswered.
pub(crate) async fn run(
    args: &DevnetArgs,
    scenario: Scenario,
    cancel: CancellationToken,
) -> eyre::Result<()> {
    let list = match scenario {
        Scenario::All => vec![
            Scenario::Equivocation,
            Scenario::Censorship,
            Scenario::OfflineLeader,
            Scenario::InvalidOutput,
        ],
        one => vec![one],
    };
    let mut failed = Vec::new();
    for s in list {
        if cancel.is_cancelled() {
            bail!("interrupted");
        }
        println!("\n=== scenario {}", s.name());
        let started = Instant::now();
        match run_one(args, s, &cancel).await {
            Ok(()) => println!(
                "=== {}: the protocol answered ({:.0?})",
                s.name(),
                started.elapsed()
            ),
            Err(e) => {
                println!("=== {}: FAILED: {e:#}", s.name());
                failed.push(s.name());
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "the protocol's answer did not come in: {}",
            failed.join(", ")
        );
    }
    Ok(())
}

async fn run_one(args: &DevnetArgs, s: Scenario, cancel: &CancellationToken) -> eyre::Result<()> {
    let mut args = args.clone();
    args.data_dir = args.data_dir.join(format!("scenario-{}", s.name()));
    args.sequencers = args.sequencers.max(3);
    let _ = std::fs::remove_dir_all(&args.data_dir);
    let n = usize::from(args.sequencers);
    let mut faults = Faults::default();
    match s {
        Scenario::Equivocation => {
            step("every node equivocates when it leads (--fault-equivocate)");
            for i in 0..n {
                faults
                    .node_args
                    .insert(i, vec!["--fault-equivocate".into()]);
            }
        }
        Scenario::Censorship => {
            step("every node ignores the force-inclusion queue (--fault-censor)");
            for i in 0..n {
                faults.node_args.insert(i, vec!["--fault-censor".into()]);
            }
        }
        Scenario::InvalidOutput => {
            step(
                "the proposer lies about the first output from its trace's first position on (--fault-invalid-output-at 0)",
            );
            faults.proposer_args = vec!["--fault-invalid-output-at".into(), "0".into()];
        }
        Scenario::OfflineLeader | Scenario::All => {}
    }
    let record = format!(
        "deployments/scenario-{}-{}.json",
        s.name(),
        std::process::id()
    );
    let mut net = tokio::select! {
        net = Net::start(&args, &faults, &record, true, false) => net?,
        _ = cancel.cancelled() => bail!("interrupted"),
    };
    println!("  logs in {}", args.data_dir.display());
    let traffic = traffic(&net);
    let mut t = Timeline::new(&net);
    let result = match s {
        Scenario::Equivocation => equivocation(&mut net, &mut t, cancel).await,
        Scenario::Censorship => censorship(&mut net, &mut t, cancel).await,
        Scenario::OfflineLeader => offline_leader(&mut net, &mut t, cancel).await,
        Scenario::InvalidOutput => invalid_output(&mut net, &mut t, cancel).await,
        Scenario::All => unreachable!("expanded above"),
    };
    traffic.abort();
    net.stop().await;
    result
}

/// Transfers from user keys through the nodes in turn, so that blocks, records and outputs
/// keep coming.
fn traffic(net: &Net) -> tokio::task::JoinHandle<()> {
    let users: Vec<_> = USER_KEYS.map(|k| net.keys[k].clone()).take(2).collect();
    let urls: Vec<String> = (0..net.nodes.len()).map(|i| net.args.node_url(i)).collect();
    tokio::spawn(async move {
        for round in 0usize.. {
            let user = &users[round % users.len()];
            let url = &urls[round % urls.len()];
            let Ok(url) = url.parse() else { return };
            let provider = ProviderBuilder::new()
                .wallet(EthereumWallet::from(user.clone()))
                .connect_http(url);
            let tx = TransactionRequest::default()
                .with_to(Address::repeat_byte(0x77))
                .with_value(U256::from(1));
            // A node that is down (offline-leader) or busy just misses a turn.
            if let Ok(pending) = provider.send_transaction(tx).await {
                let _ = pending
                    .with_timeout(Some(Duration::from_secs(10)))
                    .get_receipt()
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    })
}

/// Polls the timeline until `pick` finds what it wants, failing after `timeout`.
async fn until<T>(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
    what: &str,
    timeout: Duration,
    pick: impl Fn(&Event) -> Option<T>,
) -> eyre::Result<T> {
    let started = Instant::now();
    loop {
        if let Err(e) = t.poll(net).await {
            t.say(&format!("(reading L1 failed: {e:#})"));
        }
        if let Some(found) = t.find(&pick) {
            return Ok(found);
        }
        net.check_alive()?;
        if started.elapsed() > timeout {
            bail!("{what}: not seen within {timeout:?}");
        }
        tokio::select! {
            _ = cancel.cancelled() => bail!("interrupted"),
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

fn slashed(offence: Offence) -> impl Fn(&Event) -> Option<(Address, U256, U256)> {
    move |e| match e {
        Event::Slasher(ISlasherEvents::OffenceSlashed(s)) if s.offence == offence => {
            Some((s.operator, s.epoch, s.subject))
        }
        _ => None,
    }
}

/// Waits for the watcher to claim its reporter reward: the payout that ends each slashing
/// scenario.
async fn watcher_paid(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
) -> eyre::Result<()> {
    let watcher = net.keys[WATCHER_KEY].address();
    until(
        net,
        t,
        cancel,
        "the watcher's reward payout",
        Duration::from_secs(60),
        move |e| match e {
            Event::Registry(ISequencerRegistryEvents::RewardClaimed(r))
                if r.reporter == watcher =>
            {
                Some(())
            }
            _ => None,
        },
    )
    .await
}

async fn equivocation(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
) -> eyre::Result<()> {
    t.say("waiting for a leader to sign two blocks for one height");
    let (operator, _, _) = until(
        net,
        t,
        cancel,
        "a block-equivocation slash",
        Duration::from_secs(180),
        slashed(Offence::BlockEquivocation),
    )
    .await?;
    t.say(&format!(
        "{} is slashed for equivocation",
        net.name(operator)
    ));
    watcher_paid(net, t, cancel).await
}

async fn censorship(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
) -> eyre::Result<()> {
    let user = net.keys[7].clone();
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(net.l1_url().parse()?)
        .erased();
    let to = Address::repeat_byte(0xc5);
    let amount = U256::from(4242u64);
    let max_fee = force_include::transfer_fee_cap(&net.args.node_url(0), &net.deployment).await?;
    let (entry, raw, _) =
        force_include::enqueue_transfer(&l1, &net.deployment, &user, 0, to, amount, max_fee)
            .await?;
    t.say(&format!(
        "a user force-queues an L2 transfer (entry {}, due by L1 #{}); every node ignores it",
        entry.index, entry.deadline
    ));
    until(
        net,
        t,
        cancel,
        "a forced record",
        Duration::from_secs(180),
        |e| match e {
            Event::Inbox(IBatchInboxEvents::RecordAppended(r)) if r.forced => Some(()),
            _ => None,
        },
    )
    .await?;
    let (operator, epoch, _) = until(
        net,
        t,
        cancel,
        "a censorship slash",
        Duration::from_secs(60),
        slashed(Offence::Censorship),
    )
    .await?;
    t.say(&format!(
        "{}, the leader of epoch {epoch}, is slashed for censorship",
        net.name(operator)
    ));
    // Every node derives the forced record: the transfer is on L2.
    let hash = alloy::primitives::keccak256(&raw);
    let started = Instant::now();
    for i in 0..net.nodes.len() {
        let url = net.args.node_url(i);
        loop {
            let r = l2_provider(&url)?.get_transaction_receipt(hash).await;
            if r.as_ref()
                .is_ok_and(|r| r.as_ref().is_some_and(|r| r.status()))
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("node {i} has no receipt for the forced transfer {hash}");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    t.say(&format!(
        "the forced transfer {hash} is executed on every node's L2"
    ));
    watcher_paid(net, t, cancel).await
}

async fn offline_leader(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
) -> eyre::Result<()> {
    // The next epoch's leader, picked while at least 3 L1 blocks remain before it begins, so
    // that its node is down before it could post. If it also leads the current epoch and has
    // not posted yet, that epoch is missed too: either is the answer.
    let schedule = net.deployment.leader_schedule(net.l1.clone());
    let started = Instant::now();
    let (current, epoch, i) = loop {
        let current = schedule.currentEpoch().call().await?;
        let next = current + U256::from(1);
        let begins: u64 = schedule.epochStartBlock(next).call().await?.try_into()?;
        let leader = schedule.leaderOf(next, U256::ZERO).call().await?;
        let head = net.l1.get_block_number().await?;
        if begins >= head + 3
            && let Some(i) = net.operators.iter().position(|o| *o == leader)
        {
            break (current, next, i);
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no epoch to take its leader down in within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    net.nodes[i].kill9().await?;
    t.say(&format!(
        "node {i} ({}), the leader of epoch {epoch}, is killed before its epoch begins",
        net.name(net.operators[i])
    ));
    let operator = net.operators[i];
    let missed = move |e: U256| e == current || e == epoch;
    until(
        net,
        t,
        cancel,
        "a backup's record for the epoch",
        Duration::from_secs(90),
        |e| match e {
            Event::Inbox(IBatchInboxEvents::RecordAppended(r))
                if missed(r.epoch) && r.rank > U256::ZERO =>
            {
                Some(())
            }
            _ => None,
        },
    )
    .await?;
    until(
        net,
        t,
        cancel,
        "a liveness slash of the offline leader",
        Duration::from_secs(90),
        move |e| slashed(Offence::Liveness)(e).filter(|(o, ep, _)| *o == operator && missed(*ep)),
    )
    .await?;
    net.start_node(i, &[])?;
    t.say(&format!("node {i} restarted; it follows the network again"));
    watcher_paid(net, t, cancel).await
}

async fn invalid_output(
    net: &mut Net,
    t: &mut Timeline,
    cancel: &CancellationToken,
) -> eyre::Result<()> {
    let game = until(
        net,
        t,
        cancel,
        "a dispute game against the wrong output",
        Duration::from_secs(180),
        |e| match e {
            Event::Game(IBisectionGameEvents::GameCreated(g)) => Some(g.gameId),
            _ => None,
        },
    )
    .await?;
    // The dispute narrows to one transaction, then to one step of the guest's execution of it,
    // which the RiscV contract runs on L1.
    until(
        net,
        t,
        cancel,
        "the guest's execution of the disputed transaction",
        Duration::from_secs(240),
        |e| match e {
            Event::Game(IBisectionGameEvents::ExecutionStarted(s)) if s.gameId == game => Some(()),
            _ => None,
        },
    )
    .await?;
    until(
        net,
        t,
        cancel,
        "one VM step run on L1",
        Duration::from_secs(300),
        |e| match e {
            Event::Game(IBisectionGameEvents::StepProven(s)) if s.gameId == game => Some(()),
            _ => None,
        },
    )
    .await?;
    let status = until(
        net,
        t,
        cancel,
        "the game's resolution",
        Duration::from_secs(300),
        |e| match e {
            Event::Game(IBisectionGameEvents::GameResolved(r)) if r.gameId == game => {
                Some(r.status)
            }
            _ => None,
        },
    )
    .await?;
    if status != Status::ChallengerWon {
        bail!("game {game} ended {status:?}: the wrong output stood");
    }
    until(
        net,
        t,
        cancel,
        "the wrong output's deletion",
        Duration::from_secs(30),
        |e| matches!(e, Event::Oracle(IL1OutputOracleEvents::OutputsDeleted(_))).then_some(()),
    )
    .await?;
    let proposer_operator = net.operators[0];
    until(
        net,
        t,
        cancel,
        "the slash of the wrong output's proposer",
        Duration::from_secs(30),
        move |e| match e {
            Event::Registry(ISequencerRegistryEvents::Slashed(s))
                if s.operator == proposer_operator =>
            {
                Some(())
            }
            _ => None,
        },
    )
    .await?;
    let challenger = net.keys[CHALLENGER_KEY].address();
    until(
        net,
        t,
        cancel,
        "the challenger's payout",
        Duration::from_secs(60),
        move |e| match e {
            Event::Game(IBisectionGameEvents::Claimed(c)) if c.account == challenger => Some(()),
            _ => None,
        },
    )
    .await
    .map_err(|e| eyre!("{e:#}"))
}
