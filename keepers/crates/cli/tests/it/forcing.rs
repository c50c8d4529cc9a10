//! A forced record lands at the start of an honest leader's epoch, before its first record: the
//! leader must still post in its epoch (no liveness slash), and never sign a height the forced
//! record takes (issue 15; `baton_node::force`). An entry near its deadline is sequenced in time.
//! Both on the ledger and on the EVM chain. A flood of entries is consumed a capped record at a
//! time on the EVM chain.

use crate::harness::{Network, enqueue_transfer, events, keep_sending, start_network_on, wait_for};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, Bytes, U64, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_bindings::{IBatchInbox, IForceInclusionQueue};
use eyre::{OptionExt, ensure};
use std::time::Duration;

async fn mine(l1: &impl Provider, blocks: u64) -> eyre::Result<()> {
    if blocks > 0 {
        l1.raw_request::<_, serde_json::Value>("anvil_mine".into(), [U64::from(blocks)])
            .await?;
    }
    Ok(())
}

/// A network on `profile` whose nodes are all down, so nobody includes what a user
/// force-queues: the user (anvil key `key`) enqueues a transfer of `value` wei to `to`. Returns
/// the network, the user, the raw transaction, its queue index and its deadline.
async fn stalled_with_an_entry(
    name: &str,
    profile: &'static str,
    key: usize,
    to: Address,
    value: u64,
) -> eyre::Result<(Network, PrivateKeySigner, Bytes, U256, u64)> {
    let mut net = start_network_on(name, profile).await?;
    for node in &mut net.nodes {
        node.kill9().await?;
    }
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[key].clone());
    let (raw, index) = enqueue_transfer(&net, &user, to, value).await?;
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let deadline = net
        .devnet
        .deployment
        .force_inclusion_queue(&l1)
        .deadlineOf(index)
        .call()
        .await?;
    Ok((net, user, raw, index, deadline))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forced_record_before_the_leaders_first_record_is_survived_on_the_ledger()
-> eyre::Result<()> {
    forced_record_before_the_leaders_first_record("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forced_record_before_the_leaders_first_record_is_survived() -> eyre::Result<()> {
    forced_record_before_the_leaders_first_record("devnet").await
}

async fn forced_record_before_the_leaders_first_record(profile: &'static str) -> eyre::Result<()> {
    // Every node goes down, so nobody includes the user's entry before its deadline.
    let to = Address::repeat_byte(0xf0);
    let (mut net, user, raw, index, deadline) =
        stalled_with_an_entry("forcing", profile, 7, to, 777).await?;
    let d = net.devnet.deployment.clone();
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(net.devnet.anvil.endpoint_url());
    let schedule = d.leader_schedule(&l1);
    let queue = d.force_inclusion_queue(&l1);
    let inbox = d.batch_inbox(&l1);

    // L1 moves past the deadline, to the last block before an epoch, and stops: from here on
    // the test mines each block itself, so it decides what lands before what.
    let head = l1.get_block_number().await?;
    let epoch: u64 = schedule
        .epochOf(U256::from(deadline.max(head) + 2))
        .call()
        .await?
        .try_into()?;
    let epoch = epoch + 1;
    let start: u64 = schedule
        .epochStartBlock(U256::from(epoch))
        .call()
        .await?
        .try_into()?;
    l1.raw_request::<_, serde_json::Value>("evm_setIntervalMining".into(), [0u64])
        .await?;
    let now = l1.get_block_number().await?;
    ensure!(
        now + 1 < start,
        "head {now} already at epoch {epoch}'s start {start}"
    );
    mine(&l1, start - 1 - now).await?;
    let leader = schedule
        .leaderOf(U256::from(epoch), U256::ZERO)
        .call()
        .await?;
    eprintln!(
        "entry {index} overdue after block {deadline}; epoch {epoch} begins at {start}, led by {leader}"
    );

    // The nodes come back in the last block before the epoch, where nobody may seal any more.
    for node in &mut net.nodes {
        node.start()?;
    }
    for node in &net.nodes {
        net.wait_ready(node).await?;
    }
    // Users keep sending, so a leader that seals does so block after block.
    let sender = keep_sending(
        net.nodes[0].url.clone(),
        PrivateKeySigner::from(net.devnet.anvil.keys()[8].clone()),
    );
    // The epoch begins. Its leader reacts within a few L1 polls. Before this fix it sealed a
    // block consuming the overdue entry and more blocks of transactions on top, and sent its
    // record; the forced record below, with a higher tip, landed first in the next block and
    // took the first height, and the leader could never sign the next ones again in its epoch.
    mine(&l1, 1).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let forced = inbox
        .submitForcedRecord(index + U256::from(1))
        .max_priority_fee_per_gas(100_000_000_000)
        .max_fee_per_gas(1_000_000_000_000)
        // A fixed gas limit: no estimate against a pending state that holds the leader's record.
        .gas(1_000_000)
        .send()
        .await;
    let pending = match forced {
        Ok(pending) => Some(pending),
        // The leader's own forced record is already waiting: the inbox has nothing overdue.
        Err(e) => {
            eprintln!("the test's forced record was not needed: {e}");
            None
        }
    };
    mine(&l1, 1).await?;
    if let Some(pending) = pending {
        let r = pending.get_receipt().await?;
        eprintln!(
            "the test's forced record {} in block {:?}",
            if r.status() { "landed" } else { "reverted" },
            r.block_number
        );
    }
    // L1 goes on at one block every 2 s: the epoch's six blocks left leave a loaded machine time
    // to derive the forced record, seal and post.
    l1.raw_request::<_, serde_json::Value>("evm_setIntervalMining".into(), [2u64])
        .await?;
    sender.abort();

    // The epoch's leader posts in it: its epoch is not missed.
    let end: u64 = schedule
        .epochStartBlock(U256::from(epoch + 1))
        .call()
        .await?
        .try_into()?;
    wait_for(
        "the end of the epoch",
        Duration::from_secs(60),
        || net.nodes[0].log(),
        || async { Ok((l1.get_block_number().await? >= end).then_some(())) },
    )
    .await?;
    let posting = inbox.epochPosting(U256::from(epoch)).call().await?;
    let logs: String = net.nodes.iter().map(|n| n.log()).collect();
    ensure!(
        posting.leaderPosted,
        "epoch {epoch}: {posting:?}: its leader did not post\n{logs}"
    );
    ensure!(
        queue.cursor().call().await? > index,
        "the entry was never consumed"
    );

    // The forced transfer is on L2 at every node.
    net.ensure_on_every_node(keccak256(&raw), to, U256::from(777u64))
        .await?;
    Ok(())
}

/// The other side of the same gate: an entry that comes close to its deadline while nobody has
/// included it is sequenced at once by the acting node, in a record of its own that lands before
/// the deadline, so no forced record is needed and nobody is blamed for censorship.
#[tokio::test(flavor = "multi_thread")]
async fn an_entry_near_its_deadline_is_sequenced_in_time_on_the_ledger() -> eyre::Result<()> {
    entry_near_its_deadline_sequenced_in_time("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_near_its_deadline_is_sequenced_in_time() -> eyre::Result<()> {
    entry_near_its_deadline_sequenced_in_time("devnet").await
}

async fn entry_near_its_deadline_sequenced_in_time(profile: &'static str) -> eyre::Result<()> {
    let to = Address::repeat_byte(0xf1);
    let (mut net, _, raw, index, deadline) =
        stalled_with_an_entry("near-deadline", profile, 6, to, 555).await?;
    let d = net.devnet.deployment.clone();
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let schedule = d.leader_schedule(&l1);
    let queue = d.force_inclusion_queue(&l1);
    let inbox = d.batch_inbox(&l1);

    // L1 stops a few blocks before the deadline, early enough in an epoch that a record sealed
    // now can still land in it: the first such block of the last six before the deadline.
    l1.raw_request::<_, serde_json::Value>("evm_setIntervalMining".into(), [0u64])
        .await?;
    let now = l1.get_block_number().await?;
    let mut target = None;
    for block in deadline.saturating_sub(6)..deadline - 2 {
        let epoch = schedule.epochOf(U256::from(block)).call().await?;
        let start: u64 = schedule.epochStartBlock(epoch).call().await?.try_into()?;
        if block - start <= 3 && block > now {
            target = Some(block);
            break;
        }
    }
    let target = target.ok_or_eyre("no block near the deadline early in an epoch")?;
    mine(&l1, target - now).await?;
    eprintln!("entry {index} due after block {deadline}; nodes come back at block {target}");
    let records_before: u64 = inbox.recordCount().call().await?.try_into()?;
    for node in &mut net.nodes {
        node.start()?;
    }
    for node in &net.nodes {
        net.wait_ready(node).await?;
    }
    // One block at a time, with time for the acting node to seal and send between them.
    while l1.get_block_number().await? < deadline && queue.cursor().call().await? <= index {
        tokio::time::sleep(Duration::from_secs(2)).await;
        mine(&l1, 1).await?;
    }
    ensure!(
        queue.cursor().call().await? > index,
        "the entry was not consumed by block {deadline}"
    );
    l1.raw_request::<_, serde_json::Value>("evm_setIntervalMining".into(), [1u64])
        .await?;
    let records: u64 = inbox.recordCount().call().await?.try_into()?;
    for record in records_before..records {
        let forced = inbox.censoredEpochOf(U256::from(record)).call().await?;
        ensure!(
            !forced.forced,
            "record {record} is forced: the entry went overdue"
        );
    }
    net.ensure_on_every_node(keccak256(&raw), to, U256::from(555u64))
        .await?;
    Ok(())
}

/// A flood of deposits, more than two records may consume (`maxRecordEntries`, 64 on
/// `devnet`), enqueued within a few L1 blocks: the queue spaces their deadlines (at most 64
/// fall due in two blocks), the EVM nodes consume them over several records of at most 64
/// entries each, none goes overdue (no forced record), and every deposit is minted once on L2.
#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_deposits_is_consumed_within_the_cap() -> eyre::Result<()> {
    let net = start_network_on("flood", "devnet").await?;
    let d = net.devnet.deployment.clone();
    let cap = d.parameters.max_record_entries;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[6].clone());
    let l1 = ProviderBuilder::new()
        .with_cached_nonce_management()
        .wallet(EthereumWallet::from(user))
        .connect_http(net.devnet.anvil.endpoint_url());
    let (portal, queue) = (d.portal(&l1), d.force_inclusion_queue(&l1));
    let recipient = Address::repeat_byte(0xf1);
    let count = 2 * cap + cap / 2;
    let first = queue.length().call().await?;
    let value = U256::from(1) + d.parameters.inclusion_fee;
    let mut sent = Vec::new();
    for _ in 0..count {
        sent.push(portal.deposit(recipient).value(value).send().await?);
    }
    for pending in sent {
        ensure!(pending.get_receipt().await?.status(), "a deposit reverted");
    }
    let last = first + U256::from(count - 1);
    for i in 0..count - cap {
        let (a, b) = (first + U256::from(i), first + U256::from(i + cap));
        let spaced = queue.deadlineOf(a).call().await? + 2;
        ensure!(
            queue.deadlineOf(b).call().await? >= spaced,
            "entries {a} and {b}: deadlines not spaced"
        );
    }
    let l2 = ProviderBuilder::new().connect_http(net.nodes[0].url.parse()?);
    wait_for(
        "every deposit minted on L2",
        Duration::from_secs(120),
        || net.nodes[0].log(),
        || async {
            let balance = l2.get_balance(recipient).await?;
            ensure!(
                balance <= U256::from(count),
                "minted {balance} wei, more than {count}"
            );
            Ok((balance == U256::from(count)).then_some(()))
        },
    )
    .await?;
    wait_for(
        "the flood consumed on L1",
        Duration::from_secs(60),
        || net.nodes[0].log(),
        || async { Ok((queue.cursor().call().await? > last).then_some(())) },
    )
    .await?;
    let ranges: Vec<(U256, U256)> =
        events::<IForceInclusionQueue::Consumed>(&l1, d.force_inclusion_queue)
            .await?
            .iter()
            .map(|e| (e.fromIndex, e.toIndex))
            .filter(|&(from, to)| to > first && from <= last)
            .collect();
    ensure!(
        ranges.len() >= 3,
        "the flood fit fewer than three records: {ranges:?}"
    );
    for (from, to) in &ranges {
        ensure!(
            *to - *from <= U256::from(cap),
            "a record consumed {from}..{to}, over the cap"
        );
    }
    let forced = events::<IBatchInbox::RecordAppended>(&l1, d.batch_inbox)
        .await?
        .iter()
        .filter(|e| e.forced)
        .count();
    ensure!(
        forced == 0,
        "{forced} forced records: an entry went overdue"
    );
    Ok(())
}
