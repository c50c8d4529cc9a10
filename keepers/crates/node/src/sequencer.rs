//! Sealing, signing and posting when this node acts; following when it does not.
//!
//! - **Sealing** (every `block_time`): when the mempool has transactions, or the epoch still
//!   needs its first record, the node executes a block on the pending chain, writes
//!   `(height, header hash)` to the slashing-protection table, and only then signs the header.
//!   The first block of every record also consumes every force-queue entry read from L1 so far.
//! - **Posting**: the open record is cut when it holds `max_record_bytes` or the inbox's
//!   `maxRecordTxs`, is `max_record_age`
//!   old, or the epoch is about to end; cut records are posted in order through the tx manager.
//!   A record the inbox would reject (another poster got there first, an entry went overdue, the
//!   epoch ended) drops the pending blocks: L1 is the truth, and their transactions return to
//!   the mempool.
//! - **Following**: a node that does not act polls the acting node's signed blocks, checks each
//!   signature against the schedule and replays the block; a block that re-executes to another
//!   header is refused.

use crate::{
    duty::SealState,
    force::{self, ForceGate},
    service::Shared,
    store::SignedBlock,
    txmgr::TxError,
};
use alloy::{
    primitives::{Address, B256, Bytes, U256},
    sol_types::SolCall,
};
use baton_bindings::IBatchInbox;
use baton_core::{
    L2Block, RecordContext,
    batch::{BLOCK_HEADER_LEN, PREFIX_LEN},
    recover_signer, sign_digest,
};
use jsonrpsee::{core::client::ClientT, http_client::HttpClientBuilder, rpc_params};
use std::{
    collections::VecDeque,
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// Most transactions in one L2 block.
pub const MAX_BLOCK_TXS: usize = 2_000;
/// Most cut records waiting to be posted before the sealer pauses.
pub const MAX_QUEUED_RECORDS: usize = 4;
/// Most pooled transactions handed to a new acting node at once.
pub const MAX_HANDOFF: usize = 2_000;
/// Most force-queue entries consumed by one record.
pub const MAX_RECORD_ENTRIES: usize = 256;

/// Where records begin and end, shared by the sealer and the poster.
#[derive(Debug, Default)]
pub struct Records {
    /// First block of the record being filled.
    pub open: Option<(u64, Instant)>,
    /// Cut records `(first, last)` waiting to be posted, oldest first.
    pub cut: VecDeque<(u64, u64)>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seals one block if there is something to seal. Returns its number.
pub fn seal_once(shared: &Shared) -> eyre::Result<Option<u64>> {
    let duty = shared.duty.borrow().clone();
    let l1_cursor = shared.l1_cursor.load(Ordering::Relaxed);
    let mut records = shared.records.lock().expect("records lock");
    let state = SealState {
        l1_cursor,
        sealed_ahead: shared.sealed_ahead.load(Ordering::Relaxed),
        resync_until: shared.resync_until.load(Ordering::Relaxed),
        followed_epoch: shared.followed_epoch.load(Ordering::Relaxed),
        queued_records: records.cut.len() as u64,
        epoch_margin: shared.config.epoch_margin,
    };
    // Whether and for which epoch this node seals now: a pure decision (duty.rs).
    let Some(epoch) = duty.seal_epoch(&state) else {
        return Ok(None);
    };
    let ahead = epoch != duty.epoch;
    let mut view = shared.view.lock().expect("view lock");
    // Never sign a height a forced record may take, never let an entry go overdue in hand
    // (force.rs). A censoring node (the devnet's scripted fault) ignores the queue altogether.
    let gate = if shared.config.fault_censor {
        ForceGate::Seal
    } else {
        force_gate(shared, &view, &duty)
    };
    match gate {
        ForceGate::Wait | ForceGate::Force => return Ok(None),
        ForceGate::StartRecord => {
            // The open record goes out as it is; this block starts the next with the entry.
            if let Some((first, _)) = records.open.take() {
                records.cut.push_back((first, view.head().number));
            }
        }
        ForceGate::Seal => {}
    }
    if records.open.is_none() && records.cut.is_empty() && l1_cursor >= duty.epoch_start {
        // Blocks another leader preconfirmed in an earlier epoch and never posted are dead: every
        // record of that epoch has been read. (This node's own posted blocks of the current epoch,
        // not derived yet, are not: a leader continuing into the next epoch builds on them.)
        let stale = view
            .unposted()
            .iter()
            .any(|b| b.block.header.epoch < duty.epoch);
        if stale {
            let dropped = view.drop_pending();
            shared
                .metrics
                .blocks_dropped
                .fetch_add(dropped.len() as u64, Ordering::Relaxed);
        }
    }
    // A record never spans two epochs: an open record of an earlier epoch waits for the poster,
    // unless this node is moving on to the next epoch's blocks, which start a record of their own.
    if let Some((first, _)) = records.open
        && view.block(first).map(|b| b.block.header.epoch) != Some(epoch)
    {
        if !ahead {
            return Ok(None);
        }
        records.cut.push_back((first, view.head().number));
        records.open = None;
    }
    // Backpressure: the inbox takes records one after another, one per L1 block at best.
    // Sealing further ahead would preconfirm blocks that may not reach L1 in time (and whose
    // heights could not be signed again in their epoch); transactions wait in the pool.
    if records.cut.len() >= MAX_QUEUED_RECORDS {
        return Ok(None);
    }
    // Every record must fit `max_record_bytes` and `max_record_txs` (the inbox refuses more), so
    // blocks are sized to the room the open record has left; when that is under a quarter of a
    // record's bytes, or no transaction fits, and transactions wait, the open record is cut here
    // and this block starts the next one.
    let max_bytes = shared.config.max_record_bytes;
    let max_txs = shared.config.max_record_txs;
    if let Some((first, _)) = records.open
        && !view.mempool.is_empty()
        && (view.record_bytes(first) > max_bytes - max_bytes / 4
            || view.record_txs(first) >= max_txs)
    {
        records.cut.push_back((first, view.head().number));
        records.open = None;
    }
    let starts_record = records.open.is_none();
    let (used, used_txs) = records.open.map_or((PREFIX_LEN, 0), |(first, _)| {
        (view.record_bytes(first), view.record_txs(first))
    });
    // A censoring node (the devnet's scripted fault) never consumes the force queue.
    let entries = if starts_record && !shared.config.fault_censor {
        view.entries_from(view.pending().force_cursor(), MAX_RECORD_ENTRIES)
    } else {
        Vec::new()
    };
    let txs = view.take_block_txs(
        MAX_BLOCK_TXS.min(max_txs.saturating_sub(used_txs)),
        max_bytes.saturating_sub(used + BLOCK_HEADER_LEN),
    );
    let needs_record =
        !ahead && !duty.posted && view.unposted().is_empty() && records.cut.is_empty();
    if txs.is_empty() && entries.is_empty() && !needs_record {
        return Ok(None);
    }
    let head = view.head().clone();
    let mut block = SignedBlock {
        // Only number, epoch and timestamp are read here; the sealed header replaces it.
        header: baton_core::BlockHeader {
            number: head.number + 1,
            epoch,
            timestamp: now_secs().max(head.timestamp),
            ..head
        },
        signature: Bytes::new(),
        fee_recipient: shared.config.fee_recipient,
        entries: entries.iter().map(|e| e.index).collect(),
        transactions: txs.iter().map(|t| t.raw.clone()).collect(),
    };
    let checks = txs.iter().map(|t| Ok(t.checked())).collect();
    let sealed = view
        .seal(block.clone(), Some(checks))
        .map(|e| (e.block.header.clone(), e.block.hash));
    let (header, hash) = match sealed {
        Ok(sealed) => sealed,
        Err(e) => {
            // Nothing was applied: the transactions go back to the pool.
            for tx in &block.transactions {
                let _ = view.submit(tx.clone());
            }
            return Err(e.into());
        }
    };
    block.header = header.clone();
    // Slashing protection: durable before the signature exists.
    let store = shared.store.lock().expect("store lock");
    if let Err(e) = store.guard_signature(header.epoch, header.number, hash) {
        view.drop_pending();
        return Err(e.into());
    }
    let signature: Bytes = sign_digest(&shared.signer, &header.signing_digest(&shared.domain))?
        .to_vec()
        .into();
    block.signature = signature.clone();
    store.put_block(&block)?;
    drop(store);
    view.set_signature(header.number, signature);
    if shared.config.fault_equivocate && !block.transactions.is_empty() {
        sign_twin(shared, &block)?;
    }
    if starts_record && gate == ForceGate::StartRecord {
        // Sent alone and at once: it must land before the entry's deadline.
        records.cut.push_back((header.number, header.number));
    } else if starts_record {
        records.open = Some((header.number, Instant::now()));
    }
    if ahead {
        shared.sealed_ahead.store(epoch, Ordering::Relaxed);
    }
    shared.metrics.blocks_sealed.fetch_add(1, Ordering::Relaxed);
    shared
        .metrics
        .mempool_size
        .store(view.mempool.len() as u64, Ordering::Relaxed);
    debug!(target: "baton::sequencer", number = header.number, epoch = header.epoch, ahead, txs = block.transactions.len(), entries = block.entries.len(), "sealed");
    Ok(Some(header.number))
}

/// The scripted equivocation (`--fault-equivocate`): once per process, a second header for the
/// height of `block`, with another tx root, signed past slashing protection and published in
/// the block stream.
fn sign_twin(shared: &Shared, block: &SignedBlock) -> eyre::Result<()> {
    let mut twins = shared.fault_twins.lock().expect("twins lock");
    if !twins.is_empty() {
        return Ok(());
    }
    let mut twin = block.clone();
    twin.header.txRoot = alloy::primitives::keccak256(block.header.txRoot);
    twin.signature = sign_digest(&shared.signer, &twin.header.signing_digest(&shared.domain))?
        .to_vec()
        .into();
    tracing::warn!(target: "baton::sequencer", number = twin.header.number, epoch = twin.header.epoch, "FAULT: signed a second header for this height");
    twins.push(twin);
    Ok(())
}

/// Cuts the open record when it is full, old or its epoch is ending.
fn maybe_cut(shared: &Shared) {
    let duty = shared.duty.borrow().clone();
    let mut records = shared.records.lock().expect("records lock");
    let Some((first, opened)) = records.open else {
        return;
    };
    let view = shared.view.lock().expect("view lock");
    let head = view.head().number;
    let bytes = view.record_bytes(first);
    let epoch_of_record = view.block(first).map(|b| b.block.header.epoch);
    // This epoch's open record is cut once it is the last that can still land in the epoch; a
    // record sealed ahead for the next epoch stays open until that epoch begins.
    let ending = match epoch_of_record {
        Some(e) if e == duty.epoch => {
            records.cut.len() as u64 + 2 >= duty.record_room(shared.config.epoch_margin)
        }
        Some(e) => e != duty.epoch + 1,
        None => true,
    };
    // The epoch's first record goes out at once: until it lands, backups may take the epoch.
    let first_of_epoch = !duty.posted && records.cut.is_empty();
    if bytes >= shared.config.max_record_bytes
        || view.record_txs(first) >= shared.config.max_record_txs
        || opened.elapsed() >= shared.config.max_record_age
        || ending
        || first_of_epoch
    {
        records.cut.push_back((first, head));
        records.open = None;
    }
}

/// L1 blocks within which a record sealed now is taken to land: sealing stops this close to a
/// force-queue deadline (force.rs). The cut records queued ahead of it, one per block, and the
/// epoch margin.
fn force_margin(shared: &Shared) -> u64 {
    MAX_QUEUED_RECORDS as u64 + shared.config.epoch_margin
}

fn force_gate(shared: &Shared, view: &crate::view::View, duty: &crate::duty::Duty) -> ForceGate {
    force::gate(
        view.first_unconsumed(shared.deployment.parameters.inclusion_delay),
        view.pending().force_cursor(),
        duty.l1_block,
        force_margin(shared),
    )
}

/// When this node acts, has nothing of its own to post and an entry is overdue, appends the
/// forced record itself, so that it seals on top of it instead of racing anyone else's.
/// Returns whether one was sent.
async fn force_overdue(shared: &Shared) -> eyre::Result<bool> {
    let duty = shared.duty.borrow().clone();
    if shared.config.fault_censor || !duty.posting {
        return Ok(false);
    }
    {
        let records = shared.records.lock().expect("records lock");
        let view = shared.view.lock().expect("view lock");
        if records.open.is_some()
            || !records.cut.is_empty()
            || force_gate(shared, &view, &duty) != ForceGate::Force
            || shared.l1_cursor.load(Ordering::Relaxed)
                < shared.resync_until.load(Ordering::Relaxed)
        {
            return Ok(false);
        }
    }
    let queue = shared
        .deployment
        .force_inclusion_queue(shared.provider.clone());
    let (required, cursor) = (
        queue.requiredCursor().call().await?,
        queue.cursor().call().await?,
    );
    if required <= cursor {
        return Ok(false);
    }
    let call = IBatchInbox::submitForcedRecordCall { upTo: required };
    let sent = shared
        .txmgr
        .send(
            shared.deployment.batch_inbox,
            call.abi_encode().into(),
            U256::ZERO,
        )
        .await;
    // Either way, seal only once L1 has been read past this point: the forced record (this
    // node's or another's) must be derived before a block is built on it.
    let l1_head = shared.duty.borrow().l1_block;
    shared.resync_until.store(l1_head + 1, Ordering::Relaxed);
    match sent {
        Ok(receipt) => {
            shared
                .metrics
                .forced_records
                .fetch_add(1, Ordering::Relaxed);
            info!(target: "baton::sequencer", up_to = %required, l1_tx = %receipt.transaction_hash, "overdue force-queue entries appended as a forced record");
            Ok(true)
        }
        Err(e @ (TxError::Reverted(_) | TxError::MinedReverted(_))) => {
            // Someone else forced them first: nothing is lost, the chain goes on from theirs.
            debug!(target: "baton::sequencer", error = %e, "forced record not needed");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Posts the oldest cut record. Returns whether one was posted.
async fn post_once(shared: &Shared) -> eyre::Result<bool> {
    maybe_cut(shared);
    if force_overdue(shared).await? {
        return Ok(true);
    }
    let Some((first, last)) = shared
        .records
        .lock()
        .expect("records lock")
        .cut
        .front()
        .copied()
    else {
        return Ok(false);
    };
    let duty = shared.duty.borrow().clone();
    let inbox = shared.deployment.batch_inbox(shared.provider.clone());
    let queue = shared
        .deployment
        .force_inclusion_queue(shared.provider.clone());
    // L1's own view after the previous record was mined: the derived chain may lag behind it.
    let (prev_record_hash, last_l2, queue_cursor) = (
        inbox.lastRecordHash().call().await?,
        inbox.lastL2Block().call().await?,
        u64::try_from(queue.cursor().call().await?)?,
    );
    let (blocks, epoch) = {
        let view = shared.view.lock().expect("view lock");
        let blocks: Vec<SignedBlock> = (first..=last)
            .filter_map(|n| view.block(n).and_then(|b| b.sealed.clone()))
            .collect();
        let epoch = blocks.first().map(|b| b.header.epoch);
        (blocks, epoch)
    };
    // The record's entries sit in its first block and must continue the queue where L1 is.
    let entries = blocks
        .first()
        .map(|b| b.entries.clone())
        .unwrap_or_default();
    let force_index = queue_cursor + entries.len() as u64;
    if epoch == Some(duty.epoch + 1) {
        // Sealed ahead: the inbox takes it once its epoch has begun.
        return Ok(false);
    }
    let stale = blocks.len() as u64 != last - first + 1
        || last_l2 + 1 != first
        || entries.first().is_some_and(|&i| i != queue_cursor)
        || epoch != Some(duty.epoch)
        || !duty.posting;
    if stale {
        warn!(target: "baton::sequencer", first, last, last_l2, "record can no longer be posted: dropping its blocks");
        drop_everything(shared);
        return Ok(false);
    }
    let rank = duty.my_rank.unwrap_or(0);
    let context = RecordContext {
        chain_id: U256::from(shared.deployment.parameters.l2_chain_id),
        epoch: duty.epoch,
        first_block: first,
        prev_record_hash,
        force_index,
        fee_recipient: shared.config.fee_recipient,
    };
    let l2_blocks: Vec<L2Block> = blocks
        .iter()
        .map(|b| L2Block {
            timestamp: b.header.timestamp,
            transactions: b.transactions.clone(),
        })
        .collect();
    let (header, data) = context.seal(&l2_blocks)?;
    let signature = sign_digest(&shared.signer, &header.signing_digest(&shared.domain))?;
    let call = IBatchInbox::submitRecordCall {
        header: header.clone().into(),
        rank: U256::from(rank),
        signature: signature.to_vec().into(),
        data,
    };
    match shared
        .txmgr
        .send(
            shared.deployment.batch_inbox,
            call.abi_encode().into(),
            U256::ZERO,
        )
        .await
    {
        Ok(receipt) => {
            shared.records.lock().expect("records lock").cut.pop_front();
            shared
                .metrics
                .records_posted
                .fetch_add(1, Ordering::Relaxed);
            info!(target: "baton::sequencer", first, last, epoch = header.epoch, txs = header.txCount, l1_tx = %receipt.transaction_hash, "record posted");
            Ok(true)
        }
        Err(e @ (TxError::Reverted(_) | TxError::MinedReverted(_))) => {
            warn!(target: "baton::sequencer", first, last, error = %e, "record rejected by the inbox: dropping its blocks");
            drop_everything(shared);
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

fn drop_everything(shared: &Shared) {
    shared.sealed_ahead.store(u64::MAX, Ordering::Relaxed);
    let l1_head = shared.duty.borrow().l1_block;
    shared.resync_until.store(l1_head, Ordering::Relaxed);
    let mut records = shared.records.lock().expect("records lock");
    records.open = None;
    records.cut.clear();
    let mut view = shared.view.lock().expect("view lock");
    let dropped = view.drop_pending();
    let canonical_head = view.canonical().head().number;
    drop(view);
    if let Err(e) = shared
        .store
        .lock()
        .expect("store lock")
        .delete_blocks(None, Some(canonical_head))
    {
        warn!(target: "baton::sequencer", error = %e, "could not forget dropped blocks");
    }
    shared
        .metrics
        .blocks_dropped
        .fetch_add(dropped.len() as u64, Ordering::Relaxed);
}

/// A ticker at the block time that skips ticks it could not serve instead of bursting.
fn block_ticker(shared: &Shared) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(shared.config.block_time);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick
}

/// A JSON-RPC client for another node, with a short timeout: peers answer fast or not at all.
pub fn peer_client(url: &str) -> Option<jsonrpsee::http_client::HttpClient> {
    HttpClientBuilder::default()
        .request_timeout(Duration::from_secs(2))
        .build(url)
        .ok()
}

/// The sealing loop.
pub async fn run_sealer(shared: Arc<Shared>, cancel: CancellationToken) {
    let mut tick = block_ticker(&shared);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = seal_once(&shared) {
            warn!(target: "baton::sequencer", error = %e, "sealing failed");
        }
    }
}

/// The posting loop. On shutdown it cuts and posts what is sealed (best effort, bounded).
pub async fn run_poster(shared: Arc<Shared>, cancel: CancellationToken) {
    loop {
        if cancel.is_cancelled() {
            {
                let mut records = shared.records.lock().expect("records lock");
                if let Some((first, _)) = records.open.take() {
                    let head = shared.view.lock().expect("view lock").head().number;
                    records.cut.push_back((first, head));
                }
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                match post_once(&shared).await {
                    Ok(true) => continue,
                    _ => break,
                }
            }
            return;
        }
        match post_once(&shared).await {
            Ok(true) => {}
            Ok(false) => {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
            Err(e) => {
                shared.metrics.l1_errors.fetch_add(1, Ordering::Relaxed);
                warn!(target: "baton::sequencer", error = %e, "posting failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// The RPC URL of `operator`, from the peers' `baton_status`.
pub fn peer_url(shared: &Shared, operator: Address) -> Option<String> {
    shared
        .peers
        .lock()
        .expect("peers lock")
        .get(&operator)
        .cloned()
}

/// Asks every configured peer who it is.
pub async fn discover_peers(shared: &Shared) {
    for url in &shared.config.peers {
        let Some(client) = peer_client(url) else {
            continue;
        };
        if let Ok(status) = client
            .request::<serde_json::Value, _>("baton_status", rpc_params![])
            .await
            && let Some(op) = status
                .get("operator")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Address>().ok())
        {
            shared
                .peers
                .lock()
                .expect("peers lock")
                .insert(op, url.clone());
        }
    }
}

/// The following loop: replays the acting node's signed blocks.
pub async fn run_follower(shared: Arc<Shared>, cancel: CancellationToken) {
    let mut tick = block_ticker(&shared);
    let mut handed_off = None;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let duty = shared.duty.borrow().clone();
        let Some((operator, signer, _)) = duty.acting else {
            continue;
        };
        if operator == shared.operator {
            continue;
        }
        let Some(url) = peer_url(&shared, operator) else {
            discover_peers(&shared).await;
            continue;
        };
        let after = shared.view.lock().expect("view lock").head().number;
        let Some(client) = peer_client(&url) else {
            continue;
        };
        if handed_off != Some((duty.epoch, operator)) {
            // A new acting node: hand it what this node's pool holds. Transactions forwarded
            // to an earlier leader, or requeued from blocks this node had to drop, would
            // otherwise wait for this node's own turn to lead.
            handed_off = Some((duty.epoch, operator));
            let pooled: Vec<Bytes> = shared
                .view()
                .mempool
                .iter()
                .take(MAX_HANDOFF)
                .map(|t| t.raw.clone())
                .collect();
            if !pooled.is_empty() {
                debug!(target: "baton::follower", %url, txs = pooled.len(), "handing the pool to the acting node");
                let client = client.clone();
                tokio::spawn(async move {
                    for raw in pooled {
                        let _ = client
                            .request::<B256, _>("eth_sendRawTransaction", rpc_params![raw])
                            .await;
                    }
                });
            }
        }
        let blocks: Vec<SignedBlock> = match client
            .request("baton_getSignedBlocks", rpc_params![after, 500])
            .await
        {
            Ok(b) => b,
            Err(e) => {
                debug!(target: "baton::follower", %url, error = %e, "leader unreachable");
                continue;
            }
        };
        for block in blocks {
            let digest = block.header.signing_digest(&shared.domain);
            // The acting leader's blocks of this epoch, and of the next one when it leads that
            // one too and has moved on to it during this epoch's margin (`Duty::continues`).
            let current = block.header.epoch == duty.epoch || block.header.epoch == duty.epoch + 1;
            match recover_signer(&digest, &block.signature) {
                Ok(s) if s == signer && current => {}
                Ok(_) if !current => {
                    // Sealed in an earlier epoch: it reaches this node through L1 instead.
                    debug!(target: "baton::follower", number = block.header.number, epoch = block.header.epoch, "block of an earlier epoch: left to derivation");
                    break;
                }
                _ => {
                    warn!(target: "baton::follower", number = block.header.number, "block not signed by the acting sequencer: ignored");
                    break;
                }
            }
            let number = block.header.number;
            if let Err(e) = shared.view.lock().expect("view lock").follow(block) {
                warn!(target: "baton::follower", number, error = %e, "leader block refused");
                break;
            }
            shared
                .followed_epoch
                .store(duty.epoch + 1, Ordering::Relaxed);
        }
    }
}
